//! The client against a scripted AMI server on 127.0.0.1:0.

use std::time::Duration;

use ami_bridge::proto::Action;
use ami_bridge::{AmiEvent, Client, Direction, Error, Number, OriginateOptions};
use tokio::net::TcpListener;

use crate::support::{AmiConn, BANNER, clock, config, fixture, listener, next_call, next_event};

type TestResult = Result<(), Box<dyn std::error::Error>>;

async fn expect_connected(events: &mut tokio::sync::mpsc::Receiver<AmiEvent>) {
    match next_event(events).await {
        AmiEvent::Connected { version } => assert_eq!(version, "7.0.3"),
        other => panic!("expected Connected, got {other:?}"),
    }
}

/// The byte offset of the middle of the frame that contains `around` (never a boundary).
fn mid_frame(bytes: &[u8], around: usize) -> usize {
    let mut at = around;
    while bytes[..at].ends_with(b"\r\n") || bytes[at..].starts_with(b"\r\n") {
        at += 1;
    }
    at
}

/// The start of the first frame after `at`.
fn next_frame(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(bytes.len(), |i| at + i + 4)
}

#[tokio::test]
async fn answered_queue_call_arrives_through_tiny_writes() -> TestResult {
    let (listener, port) = listener().await;
    let (sent_tx, sent_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let mut conn = AmiConn::accept(&listener).await;
        conn.handshake().await;
        conn.send_in_pieces(
            &fixture("inbound_queue_answered.txt"),
            &[1, 2, 3, 5, 7, 11, 13, 1, 1],
        )
        .await;
        let _ = sent_tx.send(());
        conn.serve_actions().await;
    });
    let (client, mut events) = Client::connect(config(port), clock()).await?;
    expect_connected(&mut events).await;
    let (record, skipped) = next_call(&mut events).await;
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(record.linkedid, "1717236000.100");
    assert_eq!(record.direction, Direction::Inbound);
    assert_eq!(record.caller, Number::E164("+306912345678".into()));
    assert_eq!(record.extension.as_deref(), Some("201"));
    assert!(record.answered && !record.incomplete);
    assert_eq!((record.duration_secs, record.billable_secs), (102, 95));
    sent_rx.await?; // the Cdr after the last Hangup is still on its way
    client.shutdown().await;
    server.await?;
    Ok(())
}

#[tokio::test]
async fn login_refused_is_a_clear_error() -> TestResult {
    let (listener, port) = listener().await;
    let server = tokio::spawn(async move {
        let mut conn = AmiConn::accept(&listener).await;
        conn.send(BANNER).await;
        let login = conn
            .read_action()
            .await
            .unwrap_or_else(|| panic!("no Login"));
        let id = login.action_id().unwrap_or_default().to_owned();
        conn.respond(&id, "Error", &[("Message", "Authentication failed")])
            .await;
        // Asterisk closes the connection after a failed login
    });
    let mut cfg = config(port);
    cfg.secret = "wrong".into();
    match Client::connect(cfg, clock()).await {
        Err(Error::LoginRefused { message }) => assert_eq!(message, "Authentication failed"),
        other => panic!("expected LoginRefused, got {other:?}"),
    }
    server.await?;
    Ok(())
}

#[tokio::test]
async fn nothing_listening_is_an_io_error() -> TestResult {
    let (listener, port) = listener().await;
    drop(listener);
    match Client::connect(config(port), clock()).await {
        Err(Error::Io(_)) => Ok(()),
        other => panic!("expected Io, got {other:?}"),
    }
}

#[tokio::test]
async fn dropped_mid_event_closes_the_call_once_and_reconnects() -> TestResult {
    let first_call = fixture("inbound_queue_answered.txt");
    let cut = mid_frame(&first_call, first_call.len() / 2);
    let resume = next_frame(&first_call, cut);
    let (listener, port) = listener().await;
    let server = tokio::spawn(async move {
        let mut conn = AmiConn::accept(&listener).await;
        conn.handshake().await;
        conn.send(&first_call[..cut]).await;
        drop(conn); // mid-event

        let mut conn = AmiConn::accept(&listener).await;
        conn.handshake().await; // logs in again
        // what Asterisk still says about the old call, then a new call
        conn.send(&first_call[resume..]).await;
        conn.send(&fixture("outbound.txt")).await;
        conn.serve_actions().await;
    });
    let (client, mut events) = Client::connect(config(port), clock()).await?;
    expect_connected(&mut events).await;

    let (closed, skipped) = next_call(&mut events).await;
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(closed.linkedid, "1717236000.100");
    assert!(closed.incomplete);

    match next_event(&mut events).await {
        AmiEvent::Disconnected { reason, retry_in } => {
            assert!(reason.contains("closed"), "{reason}");
            assert!(retry_in <= Duration::from_millis(200));
        }
        other => panic!("expected Disconnected, got {other:?}"),
    }
    expect_connected(&mut events).await;
    let (next, skipped) = next_call(&mut events).await;
    assert!(skipped.is_empty(), "the old call came back: {skipped:?}");
    assert_eq!(next.linkedid, "1717236000.300");
    assert!(!next.incomplete);

    client.shutdown().await;
    // nothing else was reported (no second record of the first call)
    while let Some(event) = events.recv().await {
        assert!(!matches!(event, AmiEvent::Call(_)), "{event:?}");
    }
    server.await?;
    Ok(())
}

#[tokio::test]
async fn server_restart_reconnects_logs_in_again_and_records_further_calls() -> TestResult {
    let (listener, port) = listener().await;
    let server = tokio::spawn(async move {
        let mut conn = AmiConn::accept(&listener).await;
        conn.handshake().await;
        conn.send(&fixture("outbound.txt")).await;
        conn.send(b"Event: Shutdown\r\nPrivilege: system,all\r\nShutdown: Cleanly\r\nRestart: True\r\n\r\n")
            .await;
        drop(conn);
        drop(listener);
        // down for a while: the client's attempts are refused
        tokio::time::sleep(Duration::from_millis(400)).await;
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap_or_else(|e| panic!("rebind {port}: {e}"));
        let mut conn = AmiConn::accept(&listener).await;
        conn.handshake().await;
        conn.send(&fixture("inbound_missed.txt")).await;
        conn.serve_actions().await;
    });
    let (client, mut events) = Client::connect(config(port), clock()).await?;
    expect_connected(&mut events).await;
    let (first, _) = next_call(&mut events).await;
    assert_eq!(first.linkedid, "1717236000.300");

    let (second, between) = next_call(&mut events).await;
    assert_eq!(second.linkedid, "1717236000.200");
    assert!(!second.answered && !second.incomplete);
    let disconnects = between
        .iter()
        .filter(|e| matches!(e, AmiEvent::Disconnected { .. }))
        .count();
    assert!(disconnects >= 2, "refused attempts while down: {between:?}");
    assert!(
        matches!(between.last(), Some(AmiEvent::Connected { .. })),
        "{between:?}"
    );
    client.shutdown().await;
    server.await?;
    Ok(())
}

#[tokio::test]
async fn originate_round_trip_by_action_id() -> TestResult {
    let (listener, port) = listener().await;
    let server = tokio::spawn(async move {
        let mut conn = AmiConn::accept(&listener).await;
        conn.handshake().await;
        let action = conn
            .read_action()
            .await
            .unwrap_or_else(|| panic!("no action"));
        let fields: Vec<(String, String)> = action
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let id = action.action_id().unwrap_or_default().to_owned();
        assert!(id.starts_with("crm-"), "{id}");
        let expected = [
            ("Action", "Originate"),
            ("ActionID", id.as_str()),
            ("Channel", "PJSIP/201"),
            ("Context", "from-internal"),
            ("Exten", "6971234567"),
            ("Priority", "1"),
            ("CallerID", "\"6971234567\" <201>"),
            ("Timeout", "30000"),
            ("Async", "true"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(fields, expected);
        // noise first: someone else's response, an event carrying our ActionID
        conn.respond(
            "someone-else-1",
            "Error",
            &[("Message", "Permission denied")],
        )
        .await;
        conn.send(format!("Event: VarSet\r\nPrivilege: dialplan,all\r\nActionID: {id}\r\nVariable: X\r\nValue: 1\r\n\r\n").as_bytes())
            .await;
        conn.respond(
            &id,
            "Success",
            &[("Message", "Originate successfully queued")],
        )
        .await;
        conn.send(&fixture("originate_call.txt")).await;
        conn.send(format!("Event: OriginateResponse\r\nPrivilege: call,all\r\nActionID: {id}\r\nResponse: Success\r\nChannel: PJSIP/201-00000320\r\nContext: from-internal\r\nExten: 6971234567\r\nReason: 4\r\nUniqueid: 1717236000.800\r\nCallerIDNum: 201\r\nCallerIDName: 6971234567\r\n\r\n").as_bytes())
            .await;
        conn.serve_actions().await;
    });
    let (client, mut events) = Client::connect(config(port), clock()).await?;
    expect_connected(&mut events).await;
    let response = client
        .originate("201", "6971234567", OriginateOptions::default())
        .await?;
    assert!(response.is_success(), "{response:?}");
    assert_eq!(response.message(), Some("Originate successfully queued"));
    assert!(
        response
            .action_id()
            .is_some_and(|id| id.starts_with("crm-"))
    );

    let (record, _) = next_call(&mut events).await;
    assert_eq!(record.direction, Direction::Outbound);
    assert_eq!(record.caller, Number::Extension("201".into()));
    assert_eq!(record.callee, Number::E164("+306971234567".into()));
    client.shutdown().await;
    server.await?;
    Ok(())
}

#[tokio::test]
async fn responses_out_of_order_reach_their_own_callers() -> TestResult {
    let (listener, port) = listener().await;
    let server = tokio::spawn(async move {
        let mut conn = AmiConn::accept(&listener).await;
        conn.handshake().await;
        let a = conn
            .read_action()
            .await
            .unwrap_or_else(|| panic!("no action"));
        let b = conn
            .read_action()
            .await
            .unwrap_or_else(|| panic!("no action"));
        for action in [b, a] {
            let id = action.action_id().unwrap_or_default().to_owned();
            let name = action.get("Action").unwrap_or_default().to_owned();
            conn.respond(&id, "Success", &[("Message", &format!("answer to {name}"))])
                .await;
        }
        conn.serve_actions().await;
    });
    let (client, mut events) = Client::connect(config(port), clock()).await?;
    expect_connected(&mut events).await;
    let (a, b) = tokio::join!(
        client.send_action(Action::new("CoreStatus")),
        client.send_action(Action::new("CoreSettings")),
    );
    assert_eq!(a?.message(), Some("answer to CoreStatus"));
    assert_eq!(b?.message(), Some("answer to CoreSettings"));
    client.shutdown().await;
    server.await?;
    Ok(())
}

#[tokio::test]
async fn keepalive_ping_and_reconnect_when_the_server_goes_silent() -> TestResult {
    let (listener, port) = listener().await;
    let server = tokio::spawn(async move {
        let mut conn = AmiConn::accept(&listener).await;
        conn.handshake().await;
        for _ in 0..2 {
            let ping = conn
                .read_action()
                .await
                .unwrap_or_else(|| panic!("no Ping"));
            assert_eq!(ping.get("Action"), Some("Ping"));
            let id = ping.action_id().unwrap_or_default().to_owned();
            conn.respond(
                &id,
                "Success",
                &[("Ping", "Pong"), ("Timestamp", "1717236000.000000")],
            )
            .await;
        }
        // silent from now on: the client must give up on this connection
        while conn.read_action().await.is_some() {}
        let mut conn = AmiConn::accept(&listener).await;
        conn.handshake().await;
        conn.serve_actions().await;
    });
    let mut cfg = config(port);
    cfg.ping_interval = Duration::from_millis(100);
    let (client, mut events) = Client::connect(cfg, clock()).await?;
    expect_connected(&mut events).await;
    match next_event(&mut events).await {
        AmiEvent::Disconnected { reason, .. } => assert!(reason.contains("Ping"), "{reason}"),
        other => panic!("expected Disconnected, got {other:?}"),
    }
    expect_connected(&mut events).await;
    client.shutdown().await;
    server.await?;
    Ok(())
}

#[tokio::test]
async fn actions_time_out_and_fail_fast_while_disconnected() -> TestResult {
    let (listener, port) = listener().await;
    let (dropped_tx, dropped_rx) = tokio::sync::oneshot::channel::<()>();
    let (timed_out_tx, timed_out_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let mut conn = AmiConn::accept(&listener).await;
        conn.handshake().await;
        let _ignored = conn.read_action().await; // never answered
        let _ = timed_out_rx.await;
        drop(conn);
        let _ = dropped_tx.send(());
        // accept the reconnect later so the client can shut down cleanly
        let mut conn = AmiConn::accept(&listener).await;
        conn.handshake().await;
        conn.serve_actions().await;
    });
    let mut cfg = config(port);
    cfg.action_timeout = Duration::from_millis(300);
    cfg.reconnect_min = Duration::from_millis(800);
    cfg.reconnect_max = Duration::from_millis(800);
    let (client, mut events) = Client::connect(cfg, clock()).await?;
    expect_connected(&mut events).await;
    match client
        .send_action(Action::new("Command").field("Command", "core show uptime"))
        .await
    {
        Err(Error::Timeout { what, .. }) => assert_eq!(what, "Command"),
        other => panic!("expected Timeout, got {other:?}"),
    }
    let _ = timed_out_tx.send(());
    dropped_rx.await?;
    assert!(matches!(
        next_event(&mut events).await,
        AmiEvent::Disconnected { .. }
    ));
    match client.send_action(Action::ping()).await {
        Err(Error::NotConnected) => {}
        other => panic!("expected NotConnected, got {other:?}"),
    }
    expect_connected(&mut events).await;
    assert!(client.send_action(Action::ping()).await?.is_success());
    client.shutdown().await;
    server.await?;
    Ok(())
}

#[tokio::test]
async fn forwarded_events_and_a_bad_banner() -> TestResult {
    let (listener, port) = listener().await;
    let server = tokio::spawn(async move {
        let mut conn = AmiConn::accept(&listener).await;
        conn.send(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
        let mut conn2 = AmiConn::accept(&listener).await;
        conn2.handshake().await;
        conn2.serve_actions().await;
        drop(conn);
    });
    match Client::connect(config(port), clock()).await {
        Err(Error::BadBanner { line }) => assert!(line.starts_with("HTTP/1.1"), "{line}"),
        other => panic!("expected BadBanner, got {other:?}"),
    }
    let mut cfg = config(port);
    cfg.forward_events = true;
    let (client, mut events) = Client::connect(cfg, clock()).await?;
    expect_connected(&mut events).await;
    match next_event(&mut events).await {
        AmiEvent::Event(m) => assert_eq!(m.event(), Some("FullyBooted")),
        other => panic!("expected the FullyBooted event, got {other:?}"),
    }
    client.shutdown().await;
    server.await?;
    Ok(())
}

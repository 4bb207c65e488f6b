//! The sync engine: brings a folder's new messages to the caller's [`Sink`], and proves
//! completeness with [`reconcile`].
//!
//! Guarantees, given a sink whose `store` is idempotent (the gateway's is, by Message-ID):
//! - Messages reach the sink in ascending UID order, one at a time.
//! - After each chunk, `checkpoint` records the highest UID of that chunk. A crash (or a
//!   dropped connection) between two messages loses nothing — the next run starts after the
//!   last checkpoint — and whatever was stored after it is stored again, which the sink
//!   ignores: nothing twice.
//! - A changed UIDVALIDITY voids every stored UID: the folder is listed again (UID, size,
//!   Message-ID, no bodies), the sink adopts what it already holds at its new place
//!   ([`Sink::adopt`]), and only the rest is fetched; the sink's de-duplication keeps it to
//!   one copy per message.

use std::collections::HashSet;
use std::future::Future;

use time::OffsetDateTime;

use crate::error::Result;
use crate::imap::ImapSession;
use crate::parse::{Message, parse};

/// Where a folder's sync stands: the caller stores it per folder (the `checkpoint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderState {
    /// The folder's UIDVALIDITY when `last_uid` was recorded.
    pub uidvalidity: u32,
    /// Every message with a UID up to this one has been stored.
    pub last_uid: u32,
}

/// One message handed to the sink.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    /// The folder it is in.
    pub folder: &'a str,
    /// The folder's UIDVALIDITY.
    pub uidvalidity: u32,
    /// Its UID.
    pub uid: u32,
    /// When the server received it.
    pub internal_date: Option<OffsetDateTime>,
    /// The raw bytes, exactly as on the server (keep them: nothing is ever lost).
    pub raw: &'a [u8],
    /// The parsed message (its `date` already falls back to `internal_date`).
    pub parsed: &'a Message,
}

/// What the caller (the gateway) does with each message. Both methods must be durable when
/// they return `Ok`: `checkpoint` is only called after every message up to it was stored.
pub trait Sink: Sync {
    /// Stores one message. Must be idempotent: the same message can come twice (after a
    /// crash, or a UIDVALIDITY change). An error stops the sync before the next checkpoint.
    fn store(&self, message: Incoming<'_>) -> impl Future<Output = Result<()>> + Send;

    /// Records that everything up to `state.last_uid` is stored.
    fn checkpoint(
        &self,
        folder: &str,
        state: FolderState,
    ) -> impl Future<Output = Result<()>> + Send;

    /// After a UIDVALIDITY change, before anything is fetched: a chunk of the folder's
    /// messages that have a Message-ID, at their new place. Answers the UIDs of those the
    /// sink already holds, having recorded (durably, as `store` does) that they are now
    /// there; only the others are fetched. By default the sink holds none, and the whole
    /// folder is fetched again.
    fn adopt(
        &self,
        folder: &str,
        entries: &[ServerEntry<'_>],
    ) -> impl Future<Output = Result<Vec<u32>>> + Send {
        let _ = (folder, entries);
        async { Ok(Vec::new()) }
    }
}

/// Messages handed to [`Sink::adopt`] at a time.
const ADOPT_CHUNK: usize = 500;

/// Chunk sizes: each chunk is one FETCH and ends with a checkpoint.
#[derive(Debug, Clone, Copy)]
pub struct SyncOptions {
    /// At most this many messages per chunk (default 200).
    pub chunk_messages: usize,
    /// At most about this many bytes per chunk (default 32 MiB); a larger message is a
    /// chunk of its own.
    pub chunk_bytes: u64,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            chunk_messages: 200,
            chunk_bytes: 32 << 20,
        }
    }
}

/// How far a sync (or a reconciliation's repair) has come, after each message.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// The folder.
    pub folder: &'a str,
    /// Messages handed to the sink so far.
    pub done: u64,
    /// Messages this run will fetch.
    pub total: u64,
    /// Bytes fetched so far.
    pub bytes_done: u64,
    /// Bytes this run will fetch (RFC822.SIZE as the server reports it).
    pub bytes_total: u64,
}

/// What one [`sync_folder`] run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// The folder.
    pub folder: String,
    /// Its current UIDVALIDITY.
    pub uidvalidity: u32,
    /// True when the stored UIDVALIDITY was different and the folder was listed again.
    pub resync: bool,
    /// Messages handed to the sink.
    pub fetched: u64,
    /// Messages the sink already held, moved to their new place without being fetched
    /// (after a UIDVALIDITY change).
    pub adopted: u64,
    /// Their bytes.
    pub bytes: u64,
    /// The state now (as last checkpointed).
    pub state: FolderState,
    /// Messages in the folder, per the server at the end of the run (mail that arrived
    /// while it fetched included).
    pub on_server: u32,
}

/// Fetches what `folder` holds after `state` and hands it to `sink`, in UID order, with a
/// checkpoint after each chunk. `state` is `None` on the first sync. The session ends with
/// the folder selected (ready for [`ImapSession::idle_wait`]).
///
/// On an error (connection lost, timeout, sink failure) the state stands at the last
/// checkpoint; run again (on a new session if [`ImapSession::is_open`] is false).
pub async fn sync_folder<S: Sink>(
    session: &mut ImapSession,
    folder: &str,
    state: Option<FolderState>,
    sink: &S,
    options: &SyncOptions,
    mut progress: impl FnMut(&Progress<'_>) + Send,
) -> Result<SyncReport> {
    let status = session.select(folder).await?;
    let uidvalidity = status.uidvalidity;
    let resync = state.is_some_and(|s| s.uidvalidity != uidvalidity);
    let start = match state {
        Some(s) if s.uidvalidity == uidvalidity => s.last_uid,
        _ => 0,
    };
    let mut current = FolderState {
        uidvalidity,
        last_uid: start,
    };
    let mut adopted = 0u64;
    let mut top = start;
    let list = if resync {
        let (rest, held, highest) = adopt_known(session, folder, uidvalidity, sink).await?;
        adopted = held;
        top = highest;
        // everything below the first message to fetch is held, at its new place
        current.last_uid = rest
            .first()
            .map_or(highest, |&(uid, _)| uid.saturating_sub(1));
        sink.checkpoint(folder, current).await?;
        rest
    } else {
        session.uids_after(start).await?
    };
    let total = list.len() as u64;
    let bytes_total: u64 = list.iter().map(|&(_, size)| u64::from(size)).sum();
    let mut done = 0u64;
    let mut bytes_done = 0u64;

    for chunk in chunks(&list, options) {
        let uids: Vec<u32> = chunk.iter().map(|&(uid, _)| uid).collect();
        let Some(&chunk_last) = uids.last() else {
            continue;
        };
        {
            let mut stream = session.fetch(&uids).await?;
            while let Some(item) = stream.next().await {
                let msg = item?;
                let raw = msg.raw();
                let internal_date = msg.internal_date();
                let parsed = parse(raw, internal_date);
                sink.store(Incoming {
                    folder,
                    uidvalidity,
                    uid: msg.uid(),
                    internal_date,
                    raw,
                    parsed: &parsed,
                })
                .await?;
                done += 1;
                bytes_done += raw.len() as u64;
                progress(&Progress {
                    folder,
                    done,
                    total,
                    bytes_done,
                    bytes_total,
                });
            }
        }
        // Every UID of the chunk was either stored or is gone from the server.
        current.last_uid = chunk_last;
        sink.checkpoint(folder, current).await?;
    }
    if current.last_uid < top {
        // adopted messages above the last one fetched
        current.last_uid = top;
        sink.checkpoint(folder, current).await?;
    }
    if list.is_empty() && !resync && state != Some(current) {
        sink.checkpoint(folder, current).await?;
    }
    // what arrived (or went) meanwhile: the count as of now, not as of the start
    session.noop().await?;
    let on_server = session.exists().unwrap_or(status.exists);
    Ok(SyncReport {
        folder: folder.to_owned(),
        uidvalidity,
        resync,
        fetched: done,
        adopted,
        bytes: bytes_done,
        state: current,
        on_server,
    })
}

/// A resync's listing: the folder's messages (UID, size, Message-ID) handed to
/// [`Sink::adopt`] a chunk at a time. Returns what is left to fetch (UID, size), how many the
/// sink adopted, and the highest UID listed.
async fn adopt_known<S: Sink>(
    session: &mut ImapSession,
    folder: &str,
    uidvalidity: u32,
    sink: &S,
) -> Result<(Vec<(u32, u32)>, u64, u32)> {
    let listed = session.list_messages().await?;
    let mut held = HashSet::new();
    for chunk in listed.chunks(ADOPT_CHUNK) {
        let entries: Vec<ServerEntry<'_>> = chunk
            .iter()
            .filter_map(|m| {
                m.message_id.as_deref().map(|id| ServerEntry {
                    uidvalidity,
                    uid: m.uid,
                    message_id: Some(id),
                })
            })
            .collect();
        if entries.is_empty() {
            continue;
        }
        let listed_here: HashSet<u32> = entries.iter().map(|e| e.uid).collect();
        held.extend(
            sink.adopt(folder, &entries)
                .await?
                .into_iter()
                .filter(|uid| listed_here.contains(uid)),
        );
    }
    let rest: Vec<(u32, u32)> = listed
        .iter()
        .filter(|m| !held.contains(&m.uid))
        .map(|m| (m.uid, m.size))
        .collect();
    let highest = listed.last().map_or(0, |m| m.uid);
    Ok((rest, held.len() as u64, highest))
}

/// One message the server holds, as [`reconcile`] shows it to the caller's `known` test.
#[derive(Debug, Clone, Copy)]
pub struct ServerEntry<'a> {
    /// The folder's UIDVALIDITY.
    pub uidvalidity: u32,
    /// The message's UID.
    pub uid: u32,
    /// Its Message-ID (normalised like [`crate::parse`] does), if it has one.
    pub message_id: Option<&'a str>,
}

/// What a [`reconcile`] pass found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconcileReport {
    /// The folder.
    pub folder: String,
    /// Its UIDVALIDITY.
    pub uidvalidity: u32,
    /// Messages on the server.
    pub on_server: usize,
    /// Every UID on the server at the listing, ascending (what the caller holds beyond these,
    /// at UIDs the sync had passed, was expunged).
    pub uids: Vec<u32>,
    /// UIDs the caller did not know (the gaps).
    pub missing: Vec<u32>,
    /// Of those, UIDs fetched and stored now.
    pub repaired: Vec<u32>,
    /// Of those, UIDs that could not be stored, and why (including "no longer on the
    /// server" for messages deleted meanwhile).
    pub failed: Vec<(u32, String)>,
}

/// Compares every message of `folder` (UIDVALIDITY, UID, Message-ID) with what the caller
/// stored — `known` answers for one message — then fetches the missing ones into `sink`.
/// A sink failure for one message is reported in [`ReconcileReport::failed`] and the pass
/// goes on; connection trouble stops it with an error.
pub async fn reconcile<S: Sink>(
    session: &mut ImapSession,
    folder: &str,
    mut known: impl FnMut(&ServerEntry<'_>) -> bool,
    sink: &S,
    options: &SyncOptions,
    mut progress: impl FnMut(&Progress<'_>) + Send,
) -> Result<ReconcileReport> {
    let status = session.select(folder).await?;
    let uidvalidity = status.uidvalidity;
    let all = session.list_messages().await?;
    let sized: Vec<(u32, u32)> = all
        .iter()
        .filter(|m| {
            !known(&ServerEntry {
                uidvalidity,
                uid: m.uid,
                message_id: m.message_id.as_deref(),
            })
        })
        .map(|m| (m.uid, m.size))
        .collect();
    let missing: Vec<u32> = sized.iter().map(|&(uid, _)| uid).collect();
    let mut report = ReconcileReport {
        folder: folder.to_owned(),
        uidvalidity,
        on_server: all.len(),
        uids: all.iter().map(|m| m.uid).collect(),
        missing: missing.clone(),
        repaired: Vec::new(),
        failed: Vec::new(),
    };
    if missing.is_empty() {
        return Ok(report);
    }
    let total = missing.len() as u64;
    let bytes_total: u64 = sized.iter().map(|&(_, size)| u64::from(size)).sum();
    let mut done = 0u64;
    let mut bytes_done = 0u64;
    for chunk in chunks(&sized, options) {
        let uids: Vec<u32> = chunk.iter().map(|&(uid, _)| uid).collect();
        let mut seen = Vec::with_capacity(uids.len());
        {
            let mut stream = session.fetch(&uids).await?;
            while let Some(item) = stream.next().await {
                let msg = item?;
                let raw = msg.raw();
                let internal_date = msg.internal_date();
                let parsed = parse(raw, internal_date);
                seen.push(msg.uid());
                let stored = sink
                    .store(Incoming {
                        folder,
                        uidvalidity,
                        uid: msg.uid(),
                        internal_date,
                        raw,
                        parsed: &parsed,
                    })
                    .await;
                match stored {
                    Ok(()) => report.repaired.push(msg.uid()),
                    Err(e) => report.failed.push((msg.uid(), e.to_string())),
                }
                done += 1;
                bytes_done += raw.len() as u64;
                progress(&Progress {
                    folder,
                    done,
                    total,
                    bytes_done,
                    bytes_total,
                });
            }
        }
        for uid in uids {
            if !seen.contains(&uid) {
                report
                    .failed
                    .push((uid, "no longer on the server".to_owned()));
            }
        }
    }
    Ok(report)
}

/// Splits (uid, size) pairs into chunks of at most `chunk_messages` messages and about
/// `chunk_bytes` bytes (a message larger than that is a chunk of its own).
fn chunks<'a>(list: &'a [(u32, u32)], options: &SyncOptions) -> Vec<&'a [(u32, u32)]> {
    let max_msgs = options.chunk_messages.max(1);
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0u64;
    for (i, &(_, size)) in list.iter().enumerate() {
        let size = u64::from(size);
        let count = i - start;
        if count > 0 && (count >= max_msgs || bytes + size > options.chunk_bytes) {
            out.push(&list[start..i]);
            start = i;
            bytes = 0;
        }
        bytes += size;
    }
    if start < list.len() {
        out.push(&list[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(m: usize, b: u64) -> SyncOptions {
        SyncOptions {
            chunk_messages: m,
            chunk_bytes: b,
        }
    }

    #[test]
    fn chunks_respect_count_and_bytes() {
        let list: Vec<(u32, u32)> = (1..=10).map(|u| (u, 10)).collect();
        let c = chunks(&list, &opts(4, 1000));
        assert_eq!(c.iter().map(|c| c.len()).collect::<Vec<_>>(), [4, 4, 2]);
        let c = chunks(&list, &opts(100, 25));
        assert_eq!(
            c.iter().map(|c| c.len()).collect::<Vec<_>>(),
            [2, 2, 2, 2, 2]
        );
        // a message bigger than the budget travels alone
        let list = [(1, 5), (2, 500), (3, 5)];
        let c = chunks(&list, &opts(100, 50));
        assert_eq!(c.iter().map(|c| c.len()).collect::<Vec<_>>(), [1, 1, 1]);
        assert!(chunks(&[], &opts(10, 10)).is_empty());
        // every UID appears exactly once, in order
        let list: Vec<(u32, u32)> = (1..=1000).map(|u| (u, u % 97)).collect();
        let flat: Vec<u32> = chunks(&list, &opts(7, 300))
            .into_iter()
            .flatten()
            .map(|&(u, _)| u)
            .collect();
        assert_eq!(flat, (1..=1000).collect::<Vec<_>>());
    }
}

//! How every integration stands, in one answer for the administrators' status page, and the
//! retry of work the queues gave up on.

use std::time::Duration;

use crm_comms::{JobKind, QueueOverview};
use serde::Serialize;

use crate::channels::{ChannelError, mail};
use crate::integrations::PbxLink;
use crate::state::AppState;

/// Failed jobs listed at most.
const FAILED_SHOWN: u32 = 200;
/// How long the Nextcloud check may take before it counts as unreachable.
const NEXTCLOUD_CHECK: Duration = Duration::from_secs(5);

/// Every integration at a glance.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IntegrationStatus {
    /// The e-mail accounts and their folders; `null` when e-mail is not configured.
    pub mail: Option<Vec<mail::AccountStatus>>,
    pub whatsapp: WhatsAppStatus,
    pub pbx: PbxStatus,
    pub nextcloud: NextcloudStatus,
    /// The durable queues (webhook bodies, attachments to fetch) and their failed work.
    pub queues: QueueOverview,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WhatsAppStatus {
    pub configured: bool,
    /// When Meta's last webhook arrived.
    pub last_webhook_at: Option<crm_core::Timestamp>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PbxStatus {
    pub configured: bool,
    /// Logged in to the AMI right now.
    pub connected: bool,
    #[serde(flatten)]
    pub link: PbxLink,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NextcloudStatus {
    pub configured: bool,
    /// The base folder answered a PROPFIND just now (`null` when not configured).
    pub reachable: Option<bool>,
    /// Why not, when it did not.
    pub error: Option<String>,
}

/// Asks every integration how it stands (Nextcloud is asked live, within 5 seconds).
pub async fn integrations(state: &AppState) -> Result<IntegrationStatus, ChannelError> {
    let mail = match mail::status(state).await {
        Ok(accounts) => Some(accounts),
        Err(ChannelError::NotConfigured(_)) => None,
        Err(e) => return Err(e),
    };
    let queues = state.queues.overview(FAILED_SHOWN).await?;
    let whatsapp = WhatsAppStatus {
        configured: state.whatsapp.is_some(),
        last_webhook_at: queues
            .inbound
            .iter()
            .find(|q| q.channel == super::whatsapp::CHANNEL)
            .and_then(|q| q.last_received_at),
    };
    let pbx = match &state.calls {
        Some(calls) => PbxStatus {
            configured: true,
            connected: calls.client.read().await.is_some(),
            link: calls.link(),
        },
        None => PbxStatus {
            configured: false,
            connected: false,
            link: PbxLink::default(),
        },
    };
    let nextcloud = match &state.nextcloud {
        None => NextcloudStatus {
            configured: false,
            reachable: None,
            error: None,
        },
        Some(client) => {
            let root = nextcloud_dav::DavPath::root();
            let check = client.stat(&root);
            let error = match tokio::time::timeout(NEXTCLOUD_CHECK, check).await {
                Ok(Ok(_)) => None,
                Ok(Err(e)) => Some(e.to_string()),
                Err(_) => Some(format!(
                    "no answer within {} seconds",
                    NEXTCLOUD_CHECK.as_secs()
                )),
            };
            NextcloudStatus {
                configured: true,
                reachable: Some(error.is_none()),
                error,
            }
        }
    };
    Ok(IntegrationStatus {
        mail,
        whatsapp,
        pbx,
        nextcloud,
        queues,
    })
}

/// Puts a failed job back in its queue and wakes its worker. An unknown or not failed job is
/// `NotFound`.
pub async fn retry(state: &AppState, kind: JobKind, id: i64) -> Result<(), ChannelError> {
    if !state.queues.retry(kind, id).await? {
        return Err(ChannelError::NotFound(format!(
            "no failed {} job {id}",
            match kind {
                JobKind::Inbound => "inbound",
                JobKind::Attachment => "attachment",
            }
        )));
    }
    if let Some(wa) = &state.whatsapp {
        wa.wake.notify_one();
    }
    Ok(())
}

//! Uploads that stream through to Nextcloud and leave nothing behind when they fail.

use std::fmt::Display;

use bytes::Bytes;
use crm_comms::{Comms as _, MediaRecord, NewMedia};
use crm_orders::Orders as _;
use futures_util::{Stream, StreamExt};
use nextcloud_dav::{Client, DavPath, Error as DavError, UploadBody};
use serde::Serialize;
use uuid::Uuid;

use super::{FileItem, direction_of, nextcloud, parse_file_path, parse_path};
use crate::channels::ChannelError;
use crate::state::AppState;

/// Chunks queued between the client's request and the request to Nextcloud.
const PIPE_CHUNKS: usize = 8;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Uploaded {
    /// The file as stored.
    pub file: FileItem,
    /// Whether a file of that name was there before (and is now replaced).
    pub replaced: bool,
    /// The media record of the file: created with the upload, or the one it had already.
    /// `null` when neither `customer_id` nor `order_id` was given and the file had none.
    pub media: Option<MediaRecord>,
}

/// What an upload form said before its file.
#[derive(Debug)]
pub struct UploadTarget {
    /// The destination folder, as given (`nextcloud_path`).
    pub folder: String,
    /// The file part's name.
    pub filename: String,
    /// The file part's type (`None` for `application/octet-stream`).
    pub content_type: Option<String>,
    pub customer_id: Option<Uuid>,
    pub order_id: Option<Uuid>,
}

/// A file on its way into Nextcloud: where it goes, whose it is, and what a failure must
/// clean up. [`Upload::prepare`] checks everything before a byte leaves, [`Upload::send`]
/// streams the file, [`Upload::record`] keeps its media record; a failure at any step after
/// the first removes what this upload created.
#[derive(Debug)]
pub struct Upload<'a> {
    client: &'a Client,
    folder: DavPath,
    name: DavPath,
    path: DavPath,
    content_type: Option<String>,
    customer_id: Option<Uuid>,
    order_id: Option<Uuid>,
    /// Whether a file was at the path before (then a failure leaves it alone).
    existed: bool,
    /// Folders this upload creates, outermost first.
    created_folders: Vec<DavPath>,
}

/// What a file part's stream stopped with.
enum PipeStop {
    TooLarge,
    Client(String),
    /// Nextcloud stopped reading (its answer says why).
    UpstreamGone,
}

impl<'a> Upload<'a> {
    /// Checks the destination, the file name and the record's owner, and what is at the
    /// path already (which decides what a failure must clean up).
    pub async fn prepare(state: &'a AppState, target: UploadTarget) -> Result<Self, ChannelError> {
        let client = nextcloud(state)?;
        let folder = parse_path("nextcloud_path", &target.folder)?;
        let name = parse_file_path("file", &target.filename)?;
        if name.segments().count() != 1 {
            return Err(ChannelError::invalid(
                "file",
                "the filename must be a name, not a path",
            ));
        }
        let path = folder.join_path(&name);
        let mut customer_id = target.customer_id;
        if let Some(id) = customer_id {
            crate::channels::referenced_customer(state, id).await?;
        }
        if let Some(id) = target.order_id {
            let order = match state.orders.get(id).await {
                Ok(order) => order,
                Err(crm_orders::Error::NotFound { .. }) => {
                    return Err(ChannelError::invalid(
                        "order_id",
                        format!("no order has the id {id}"),
                    ));
                }
                Err(e) => return Err(e.into()),
            };
            customer_id.get_or_insert(order.customer_id);
        }
        let existed = match client.stat(&path).await {
            Ok(e) if e.is_dir => {
                return Err(ChannelError::invalid(
                    "file",
                    format!("{path} is a folder in Nextcloud"),
                ));
            }
            Ok(_) => true,
            Err(DavError::NotFound { .. } | DavError::Conflict { .. }) => false,
            Err(e) => return Err(e.into()),
        };
        let created_folders = if existed {
            Vec::new()
        } else {
            missing_folders(client, &folder).await?
        };
        Ok(Self {
            client,
            folder,
            name,
            path,
            content_type: target.content_type,
            customer_id,
            order_id: target.order_id,
            existed,
            created_folders,
        })
    }

    /// Streams the file to Nextcloud as it arrives, refusing it past `limit` bytes; answers
    /// its size and Nextcloud's answer. On failure nothing of it is left.
    pub async fn send<S, E>(
        &self,
        file: S,
        limit: u64,
    ) -> Result<(u64, nextcloud_dav::Uploaded), ChannelError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: Display,
    {
        let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(PIPE_CHUNKS);
        let body = futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|chunk| (chunk, rx))
        });
        let mut upload_body = UploadBody::from_stream(body);
        if let Some(ct) = &self.content_type {
            upload_body = upload_body.with_content_type(ct.clone());
        }
        let mut size = 0u64;
        let (piped, uploaded) = futures_util::future::join(
            pipe(file, tx, limit, &mut size),
            self.client.upload(&self.path, upload_body),
        )
        .await;
        let outcome = match (piped, uploaded) {
            (Ok(()), Ok(up)) => return Ok((size, up)),
            (Err(PipeStop::TooLarge), _) => ChannelError::TooLarge { limit },
            (Err(PipeStop::Client(e)), _) => ChannelError::UploadBroken(e),
            (Err(PipeStop::UpstreamGone) | Ok(()), Err(e)) => e.into(),
            (Err(PipeStop::UpstreamGone), Ok(_)) => {
                ChannelError::Internal("Nextcloud accepted an upload that was not complete".into())
            }
        };
        self.undo().await;
        Err(outcome)
    }

    /// Removes what this upload may have left: the file (when it is not one that was there
    /// before) and the folders it created, when they are empty. Best effort, logged.
    pub async fn undo(&self) {
        if self.existed {
            return;
        }
        let (client, file) = (self.client, &self.path);
        match client.delete(file).await {
            Ok(()) | Err(DavError::NotFound { .. }) => {}
            Err(e) => tracing::warn!(%file, error = %e, "could not remove a failed upload"),
        }
        for folder in self.created_folders.iter().rev() {
            match client.list(folder).await {
                Ok(children) if children.is_empty() => {
                    if let Err(e) = client.delete(folder).await {
                        tracing::warn!(%folder, error = %e, "could not remove a folder made for a failed upload");
                    }
                }
                _ => break,
            }
        }
    }

    /// Keeps the file's one media record: a replaced file's record follows it; a new file
    /// gets one when a customer or an order was named (direction from its subfolder).
    pub async fn record(
        self,
        state: &AppState,
        (size, up): (u64, nextcloud_dav::Uploaded),
        uploaded_by: String,
    ) -> Result<Uploaded, ChannelError> {
        let path = self.path.as_str();
        let media = match state.comms.media_by_path(path).await? {
            Some(record) => Some(
                state
                    .comms
                    .media_file_replaced(record.id, Some(size), self.content_type.clone())
                    .await?,
            ),
            None if self.customer_id.is_some() || self.order_id.is_some() => {
                let new = NewMedia {
                    customer_id: self.customer_id,
                    order_id: self.order_id,
                    filename: None,
                    nextcloud_path: path.to_owned(),
                    mime_type: self.content_type.clone(),
                    size: Some(size),
                    direction: direction_of(&self.folder),
                    tags: Vec::new(),
                    uploaded_by: Some(uploaded_by),
                };
                match state.comms.create_media(new).await {
                    Ok(record) => Some(record),
                    // someone recorded the same path meanwhile: one record it is
                    Err(crm_comms::Error::Conflict { .. }) => {
                        state.comms.media_by_path(path).await?
                    }
                    Err(e) => {
                        self.undo().await;
                        return Err(e.into());
                    }
                }
            }
            None => None,
        };
        Ok(Uploaded {
            file: FileItem {
                filename: self.name.as_str().to_owned(),
                path: path.to_owned(),
                is_dir: false,
                mime_type: self.content_type,
                size: Some(size),
                last_modified: None,
                etag: up.etag.map(|t| t.value().to_owned()),
            },
            replaced: self.existed || !up.created,
            media,
        })
    }
}

/// Feeds the file part into `tx`, counting; stops past `limit`.
async fn pipe<S, E>(
    mut file: S,
    tx: tokio::sync::mpsc::Sender<std::io::Result<Bytes>>,
    limit: u64,
    count: &mut u64,
) -> Result<(), PipeStop>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: Display,
{
    while let Some(chunk) = file.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                let _ = tx
                    .send(Err(std::io::Error::other("the client's upload broke off")))
                    .await;
                return Err(PipeStop::Client(e.to_string()));
            }
        };
        *count += chunk.len() as u64;
        if *count > limit {
            let _ = tx
                .send(Err(std::io::Error::other("upload larger than the limit")))
                .await;
            return Err(PipeStop::TooLarge);
        }
        if tx.send(Ok(chunk)).await.is_err() {
            return Err(PipeStop::UpstreamGone);
        }
    }
    Ok(())
}

/// The folders of `folder` (itself included) that do not exist yet, outermost first.
async fn missing_folders(client: &Client, folder: &DavPath) -> Result<Vec<DavPath>, ChannelError> {
    let mut missing = Vec::new();
    for level in folder.ancestors_and_self() {
        match client.stat(&level).await {
            Ok(e) if e.is_dir => break,
            Ok(_) => {
                return Err(ChannelError::invalid(
                    "nextcloud_path",
                    format!("{level} is a file, not a folder"),
                ));
            }
            Err(DavError::NotFound { .. } | DavError::Conflict { .. }) => missing.push(level),
            Err(e) => return Err(e.into()),
        }
    }
    missing.reverse();
    Ok(missing)
}

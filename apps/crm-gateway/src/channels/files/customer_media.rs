//! A customer's media: the files in its Nextcloud folder merged with its media records.

use std::cmp::Reverse;
use std::collections::HashMap;

use crm_comms::{Comms as _, MediaDirection, MediaQuery, MediaRecord};
use crm_core::Timestamp;
use crm_customers::Customers as _;
use nextcloud_dav::{Client, DavPath, Entry, Error as DavError};
use serde::Serialize;
use uuid::Uuid;

use super::{SUBFOLDERS, timestamp};
use crate::channels::ChannelError;
use crate::state::AppState;

/// Where a customer media item was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// In the customer's Nextcloud folder, without a media record.
    Nextcloud,
    /// A media record whose file was not found in the folder (elsewhere, or gone).
    Record,
    /// Both.
    Both,
}

/// What became of reading the customer's Nextcloud folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FolderStatus {
    /// Read: its files are in the list.
    Read,
    /// Nextcloud is not configured on this server.
    NotConfigured,
    /// The customer has no `nextcloud_folder`.
    NoFolder,
    /// The folder does not exist in Nextcloud.
    NotFound,
    /// The customer's `nextcloud_folder` is not a path inside the base folder.
    InvalidFolder,
    /// Nextcloud could not be read (down, wrong credentials, …); see the log.
    Unavailable,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerMediaItem {
    pub filename: String,
    /// Relative to the configured base folder (what `GET /nextcloud/file?path=` takes).
    pub path: String,
    pub source: Source,
    /// The record's, else the one its subfolder stands for.
    pub direction: MediaDirection,
    pub mime_type: Option<String>,
    pub size: Option<u64>,
    /// The file's, when it was found in the folder.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_modified: Option<Timestamp>,
    /// The media record, when there is one.
    pub record: Option<MediaRecord>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerMedia {
    /// Newest first (file time, else record time).
    pub items: Vec<CustomerMediaItem>,
    pub total: u64,
    /// The customer's `nextcloud_folder`.
    pub folder: Option<String>,
    /// Whether the folder was read; when not, the list holds the records only.
    pub folder_read: bool,
    pub folder_status: FolderStatus,
}

/// Every media record of a customer (all pages).
async fn all_records(
    state: &AppState,
    customer_id: Uuid,
) -> Result<Vec<MediaRecord>, ChannelError> {
    const PAGE: u32 = 1000;
    let mut records = Vec::new();
    loop {
        let page = state
            .comms
            .list_media(MediaQuery {
                customer_id: Some(customer_id),
                order_id: None,
                limit: Some(PAGE),
                offset: Some(u32::try_from(records.len()).unwrap_or(u32::MAX)),
            })
            .await?;
        let n = page.items.len();
        records.extend(page.items);
        if n < PAGE as usize || records.len() as u64 >= page.total {
            return Ok(records);
        }
    }
}

/// The files of `folder` and of its upload subfolders that exist, with the direction each
/// subfolder stands for.
async fn folder_files(
    client: &Client,
    folder: &DavPath,
) -> Result<Vec<(Entry, MediaDirection)>, DavError> {
    let top = client.list(folder).await?;
    let subfolders: Vec<(DavPath, MediaDirection)> = top
        .iter()
        .filter(|e| e.is_dir)
        .filter_map(|e| {
            SUBFOLDERS
                .iter()
                .find(|(name, _)| e.name == *name)
                .map(|(_, d)| (e.path.clone(), *d))
        })
        .collect();
    let inner = futures_util::future::join_all(
        subfolders
            .iter()
            .map(|(path, _)| async move { client.list(path).await }),
    )
    .await;
    let mut files: Vec<(Entry, MediaDirection)> = top
        .into_iter()
        .filter(|e| !e.is_dir)
        .map(|e| (e, MediaDirection::Internal))
        .collect();
    for ((_, direction), listed) in subfolders.iter().zip(inner) {
        match listed {
            Ok(entries) => files.extend(
                entries
                    .into_iter()
                    .filter(|e| !e.is_dir)
                    .map(|e| (e, *direction)),
            ),
            // removed between the two listings
            Err(DavError::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(files)
}

/// A customer's media: the files in its `nextcloud_folder` (and in that folder's `Sent
/// Media`, `Received Media` and `Internal` subfolders) merged with its media records, one item
/// per path, each marked with where it was found. When the folder cannot be read (Nextcloud
/// not configured or down, no folder), the records alone, with `folder_read: false`.
pub async fn customer_media(state: &AppState, id: Uuid) -> Result<CustomerMedia, ChannelError> {
    let customer = state.customers.get(id).await?;
    let records = all_records(state, customer.id).await?;
    let folder = customer.nextcloud_folder.clone();
    let (files, status) = match (&state.nextcloud, &folder) {
        (None, _) => (Vec::new(), FolderStatus::NotConfigured),
        (Some(_), None) => (Vec::new(), FolderStatus::NoFolder),
        (Some(client), Some(raw)) => match DavPath::parse(raw) {
            Err(_) => (Vec::new(), FolderStatus::InvalidFolder),
            Ok(path) => match folder_files(client, &path).await {
                Ok(files) => (files, FolderStatus::Read),
                Err(DavError::NotFound { .. } | DavError::Conflict { .. }) => {
                    (Vec::new(), FolderStatus::NotFound)
                }
                Err(e) => {
                    tracing::warn!(customer = %customer.id, error = %e, "customer folder not read");
                    (Vec::new(), FolderStatus::Unavailable)
                }
            },
        },
    };

    let mut by_path: HashMap<String, CustomerMediaItem> = HashMap::new();
    for (entry, direction) in files {
        let path = entry.path.as_str().to_owned();
        by_path.insert(
            path.clone(),
            CustomerMediaItem {
                filename: entry.name,
                path,
                source: Source::Nextcloud,
                direction,
                mime_type: entry.mime_type,
                size: entry.size,
                last_modified: timestamp(entry.last_modified),
                record: None,
            },
        );
    }
    for record in records {
        match by_path.get_mut(&record.nextcloud_path) {
            Some(item) => {
                item.source = Source::Both;
                item.direction = record.direction;
                item.record = Some(record);
            }
            None => {
                by_path.insert(
                    record.nextcloud_path.clone(),
                    CustomerMediaItem {
                        filename: record.filename.clone(),
                        path: record.nextcloud_path.clone(),
                        source: Source::Record,
                        direction: record.direction,
                        mime_type: record.mime_type.clone(),
                        size: record.size,
                        last_modified: None,
                        record: Some(record),
                    },
                );
            }
        }
    }
    let mut items: Vec<CustomerMediaItem> = by_path.into_values().collect();
    items.sort_by(|a, b| {
        let when = |i: &CustomerMediaItem| {
            i.last_modified
                .or_else(|| i.record.as_ref().map(|r| r.created_at))
        };
        (Reverse(when(a)), &a.path).cmp(&(Reverse(when(b)), &b.path))
    });
    Ok(CustomerMedia {
        total: items.len() as u64,
        items,
        folder,
        folder_read: status == FolderStatus::Read,
        folder_status: status,
    })
}

//! Files in Nextcloud on the CRM's behalf: browsing, downloading, deleting (with the file's
//! media record), a customer's folder merged with its records, whole files read to attach
//! them to a message, and uploads that stream through and leave nothing behind when they fail.
//!
//! Every path is relative to the configured base folder and parsed with [`DavPath::parse`]
//! before any request leaves: `..`, backslashes, control characters and their
//! percent-encoded forms are refused, naming the field.

mod customer_media;
mod upload;

use crm_comms::{Comms as _, MediaDirection};
use crm_core::Timestamp;
use futures_util::StreamExt;
use nextcloud_dav::{Client, DavPath, Download, Entry, Error as DavError};
use serde::Serialize;

pub use customer_media::{CustomerMedia, CustomerMediaItem, FolderStatus, Source, customer_media};
pub use upload::{Upload, UploadTarget, Uploaded};

use super::{ChannelError, Integration};
use crate::download::{RangeAsk, Ranged, if_range_matches};
use crate::state::AppState;

/// The upload subfolders and the direction each stands for.
pub(super) const SUBFOLDERS: [(&str, MediaDirection); 3] = [
    ("Sent Media", MediaDirection::Sent),
    ("Received Media", MediaDirection::Received),
    ("Internal", MediaDirection::Internal),
];

/// The Nextcloud client, when Nextcloud is configured.
pub fn nextcloud(state: &AppState) -> Result<&Client, ChannelError> {
    state
        .nextcloud
        .as_ref()
        .ok_or(ChannelError::NotConfigured(Integration::Nextcloud))
}

/// A path inside the base folder, from what a user gave in `field`.
pub fn parse_path(field: &str, raw: &str) -> Result<DavPath, ChannelError> {
    DavPath::parse(raw).map_err(|e| ChannelError::invalid(field, e.reason.to_string()))
}

/// A path that must name something inside the base folder, not the base folder itself.
pub fn parse_file_path(field: &str, raw: &str) -> Result<DavPath, ChannelError> {
    let path = parse_path(field, raw)?;
    if path.is_root() {
        return Err(ChannelError::invalid(
            field,
            "names the base folder itself; give a file inside it",
        ));
    }
    Ok(path)
}

pub(super) fn timestamp(t: Option<time::OffsetDateTime>) -> Option<Timestamp> {
    t.map(Timestamp::from)
}

/// The direction a folder stands for: the innermost of its segments that is one of the
/// upload subfolders, else internal.
pub fn direction_of(folder: &DavPath) -> MediaDirection {
    let segments: Vec<&str> = folder.segments().collect();
    segments
        .into_iter()
        .rev()
        .find_map(|segment| {
            SUBFOLDERS
                .iter()
                .find(|(name, _)| segment.trim().eq_ignore_ascii_case(name))
                .map(|(_, d)| *d)
        })
        .unwrap_or(MediaDirection::Internal)
}

/// A file or folder in Nextcloud.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FileItem {
    pub filename: String,
    /// Relative to the configured base folder; pass it back as `path`.
    pub path: String,
    pub is_dir: bool,
    /// `None` for folders.
    pub mime_type: Option<String>,
    /// Bytes (folders: only when the server reports it).
    pub size: Option<u64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_modified: Option<Timestamp>,
    pub etag: Option<String>,
}

impl From<Entry> for FileItem {
    fn from(e: Entry) -> Self {
        FileItem {
            filename: e.name,
            path: e.path.as_str().to_owned(),
            is_dir: e.is_dir,
            mime_type: e.mime_type,
            size: e.size,
            last_modified: timestamp(e.last_modified),
            etag: e.etag.map(|t| t.value().to_owned()),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Listing {
    /// The folder listed (`""` for the base folder).
    pub path: String,
    /// Folders first, then files, each by name (case and accents ignored).
    pub items: Vec<FileItem>,
    pub total: u64,
}

/// The content of a folder: folders first, then files, each by folded name.
pub async fn browse(state: &AppState, raw_path: &str) -> Result<Listing, ChannelError> {
    let client = nextcloud(state)?;
    let folder = parse_path("path", raw_path)?;
    let entries = client.list(&folder).await.map_err(|e| match e {
        DavError::Conflict { .. } => ChannelError::invalid("path", "is a file, not a folder"),
        e => e.into(),
    })?;
    let mut items: Vec<FileItem> = entries.into_iter().map(FileItem::from).collect();
    items.sort_by_cached_key(|i| (!i.is_dir, crm_core::text::fold(&i.filename)));
    Ok(Listing {
        path: folder.as_str().to_owned(),
        total: items.len() as u64,
        items,
    })
}

fn is_a_folder() -> ChannelError {
    ChannelError::invalid("path", "is a folder, not a file")
}

/// A file as it streams from Nextcloud, or the range of it asked for. A suffix range needs
/// the size and `If-Range` the validators: both come from one PROPFIND, only when asked.
pub async fn download(
    state: &AppState,
    raw_path: &str,
    asked: Ranged<'_>,
) -> Result<(DavPath, Download), ChannelError> {
    let client = nextcloud(state)?;
    let path = parse_file_path("path", raw_path)?;
    let mut ask = asked.range;
    if ask != RangeAsk::Whole && (matches!(ask, RangeAsk::Suffix(_)) || asked.if_range.is_some()) {
        let entry = client.stat(&path).await?;
        if entry.is_dir {
            return Err(is_a_folder());
        }
        if asked.if_range.is_some_and(|v| !if_range_matches(v, &entry)) {
            ask = RangeAsk::Whole;
        } else if let RangeAsk::Suffix(n) = ask {
            let size = entry.size.unwrap_or(0);
            if n == 0 || size == 0 {
                return Err(ChannelError::RangeNotSatisfiable { size: Some(size) });
            }
            ask = RangeAsk::From(size.saturating_sub(n), None);
        }
    }
    let range = match ask {
        RangeAsk::From(start, end) => Some((start, end)),
        _ => None,
    };
    match client.download(&path, range).await {
        Ok(d) => Ok((path, d)),
        Err(DavError::RangeNotSatisfiable { .. }) => {
            let size = client.stat(&path).await.ok().and_then(|e| e.size);
            Err(ChannelError::RangeNotSatisfiable { size })
        }
        // servers answer a GET on a folder in their own ways: say what it is
        Err(
            e @ (DavError::NotFound { .. } | DavError::Forbidden { .. } | DavError::Protocol(_)),
        ) => Err(match client.stat(&path).await {
            Ok(entry) if entry.is_dir => is_a_folder(),
            _ => e.into(),
        }),
        Err(e) => Err(e.into()),
    }
}

/// Deletes a file and its media record. Folders are refused. A file already gone whose record
/// remains: the record is deleted; neither there: not found.
pub async fn delete(state: &AppState, raw_path: &str) -> Result<(), ChannelError> {
    let client = nextcloud(state)?;
    let path = parse_file_path("path", raw_path)?;
    let record = state.comms.media_by_path(path.as_str()).await?;
    let file_there = match client.stat(&path).await {
        Ok(e) if e.is_dir => {
            return Err(ChannelError::invalid(
                "path",
                "is a folder; only files are deleted here",
            ));
        }
        Ok(_) => true,
        Err(DavError::NotFound { .. }) => false,
        Err(e) => return Err(e.into()),
    };
    if !file_there && record.is_none() {
        return Err(ChannelError::NotFound(format!(
            "no file {path} in Nextcloud"
        )));
    }
    if file_there {
        match client.delete(&path).await {
            Ok(()) | Err(DavError::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(record) = record {
        match state.comms.delete_media(record.id, None).await {
            Ok(()) | Err(crm_comms::Error::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Reads a whole Nextcloud file of at most `max` bytes (to attach it to a message): its
/// path, bytes and type. A bad path, a missing file or one too big is refused on `field`.
pub async fn read_file(
    state: &AppState,
    field: &str,
    raw_path: &str,
    max: u64,
    too_big: &str,
) -> Result<(DavPath, Vec<u8>, String), ChannelError> {
    let nc = nextcloud(state)?;
    let path = parse_path(field, raw_path)?;
    let download = nc.download(&path, None).await.map_err(|e| match e {
        DavError::NotFound { .. } => {
            ChannelError::invalid(field, format!("no file {raw_path} in Nextcloud"))
        }
        e => e.into(),
    })?;
    if download.content_length.is_some_and(|n| n > max) {
        return Err(ChannelError::invalid(field, too_big));
    }
    let mime = download
        .content_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    let mut bytes = Vec::new();
    let mut stream = download.into_stream();
    while let Some(chunk) = stream.next().await {
        bytes.extend_from_slice(&chunk?);
        if bytes.len() as u64 > max {
            return Err(ChannelError::invalid(field, too_big));
        }
    }
    Ok((path, bytes, mime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_innermost_upload_subfolder_gives_the_direction() {
        let d = |p: &str| direction_of(&DavPath::parse(p).unwrap());
        assert_eq!(d("05_Customers/Ενορία/Sent Media"), MediaDirection::Sent);
        assert_eq!(
            d("05_Customers/Ενορία/received media"),
            MediaDirection::Received
        );
        assert_eq!(
            d("05_Customers/Ενορία/Sent Media/2026"),
            MediaDirection::Sent
        );
        assert_eq!(d("Received Media/x/Sent Media"), MediaDirection::Sent);
        assert_eq!(d("05_Customers/Ενορία/Internal"), MediaDirection::Internal);
        assert_eq!(d("05_Customers/Ενορία"), MediaDirection::Internal);
        assert_eq!(d(""), MediaDirection::Internal);
    }
}

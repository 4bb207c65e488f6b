//! A customer's timeline: comms entries, media records, order creations and status changes,
//! tickets opened and moved, visits, and notes, merged newest first and paged with a cursor.
//!
//! Each source lists its own items in (time, key) order, strictly after a bound; the merge
//! orders items by time, then by kind (ticket, comms, media, order, note), then by key, all
//! descending, so the order is total and stable even when many items share a timestamp. The
//! cursor is the position of the last item of a page, `<time>~<kind rank>~<key>`. A source
//! translates it into its own bound: for its own kind the cursor's key; for a kind that sorts
//! before the cursor's at that instant, a bound excluding the whole instant (the nil id, the
//! smallest seq); for a kind that sorts after, one including it (the max id, the largest
//! seq). Nothing is repeated or skipped across pages, whichever kinds share the instant.
//!
//! This lives in the gateway because it composes five bounded contexts; each contributes
//! only a newest-first list of its own records.

use std::cmp::Ordering;

use crm_comms::{Before, Comms as _, Entry, ListQuery, MediaRecord};
use crm_core::Timestamp;
use crm_customers::{Customers as _, Note};
use crm_orders::{OrderEvent, Orders as _};
use crm_tickets::{ActivityKind, TicketEvent, Tickets as _};
use serde::Serialize;
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

/// Page size without `limit`, and the largest page.
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// The kinds in their tie-break order at one instant: a higher rank comes first.
const NOTE: u8 = 0;
const ORDER: u8 = 1;
const MEDIA: u8 = 2;
const COMMS: u8 = 3;
const TICKET: u8 = 4;

/// One thing that happened with a customer.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimelineItem {
    /// A message, call, note or visit of the comms log; `link_id` is the entry's id.
    Comms {
        at: Timestamp,
        link_id: Uuid,
        entry: Entry,
    },
    /// A file in Nextcloud; `link_id` is the media record's id.
    Media {
        at: Timestamp,
        link_id: Uuid,
        media: MediaRecord,
    },
    /// An order was created; `link_id` is the order's id.
    OrderCreated {
        at: Timestamp,
        link_id: Uuid,
        order: OrderEvent,
    },
    /// An order changed status; `link_id` is the order's id.
    OrderStatus {
        at: Timestamp,
        link_id: Uuid,
        order: OrderEvent,
    },
    /// A ticket was opened; `link_id` is the ticket's id.
    TicketCreated {
        at: Timestamp,
        link_id: Uuid,
        ticket: TicketEvent,
    },
    /// A ticket changed status; `link_id` is the ticket's id.
    TicketStatus {
        at: Timestamp,
        link_id: Uuid,
        ticket: TicketEvent,
    },
    /// A visit of a ticket was scheduled, completed or called off (`ticket.kind`:
    /// `visit_scheduled`, `visit_completed`, `visit_cancelled`); `link_id` is the ticket's id.
    Visit {
        at: Timestamp,
        link_id: Uuid,
        ticket: TicketEvent,
    },
    /// A note on the customer; `link_id` is the customer's id, `index` the note's place in
    /// the customer's `notes`.
    Note {
        at: Timestamp,
        link_id: Uuid,
        index: usize,
        note: Note,
    },
}

/// What orders an item among those of its kind at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Seq(i64),
    Id(Uuid),
}

impl TimelineItem {
    fn position(&self) -> Cursor {
        let (at, rank, key) = match self {
            Self::Comms { at, link_id, .. } => (*at, COMMS, Key::Id(*link_id)),
            Self::Media { at, link_id, .. } => (*at, MEDIA, Key::Id(*link_id)),
            Self::OrderCreated { at, order, .. } | Self::OrderStatus { at, order, .. } => {
                (*at, ORDER, Key::Seq(order.seq))
            }
            Self::TicketCreated { at, ticket, .. }
            | Self::TicketStatus { at, ticket, .. }
            | Self::Visit { at, ticket, .. } => (*at, TICKET, Key::Seq(ticket.seq)),
            Self::Note { at, index, .. } => (
                *at,
                NOTE,
                Key::Seq(i64::try_from(*index).unwrap_or(i64::MAX)),
            ),
        };
        Cursor { at, rank, key }
    }
}

/// A position in the timeline (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    at: Timestamp,
    rank: u8,
    key: Key,
}

impl Ord for Cursor {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.rank, self.key).cmp(&(other.at, other.rank, other.key))
    }
}

impl PartialOrd for Cursor {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.key {
            Key::Seq(n) => write!(f, "{}~{}~{n}", self.at, self.rank),
            Key::Id(id) => write!(f, "{}~{}~{id}", self.at, self.rank),
        }
    }
}

impl std::str::FromStr for Cursor {
    type Err = ApiError;

    fn from_str(s: &str) -> Result<Self, ApiError> {
        let bad = || ApiError::invalid_field("cursor", "is not a cursor this API gave out");
        let mut parts = s.splitn(3, '~');
        let (Some(at), Some(rank), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let at = Timestamp::parse(at).map_err(|_| bad())?;
        let rank: u8 = rank.parse().map_err(|_| bad())?;
        let key = match rank {
            NOTE | ORDER | TICKET => Key::Seq(key.parse().map_err(|_| bad())?),
            MEDIA | COMMS => Key::Id(key.parse().map_err(|_| bad())?),
            _ => return Err(bad()),
        };
        Ok(Self { at, rank, key })
    }
}

/// How a source of `rank` is bounded by `cursor`: its own key, or the extreme that excludes
/// (the source sorts before the cursor at that instant) or includes (after) the instant.
fn bound<K>(cursor: &Cursor, rank: u8, own: impl FnOnce(Key) -> Option<K>, min: K, max: K) -> K {
    match rank.cmp(&cursor.rank) {
        Ordering::Greater => min,
        Ordering::Less => max,
        Ordering::Equal => own(cursor.key).unwrap_or(min),
    }
}

/// One page of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub items: Vec<TimelineItem>,
    pub next: Option<Cursor>,
}

/// The page of the customer's timeline after `cursor` (from the newest without one).
/// Unknown customer → 404.
pub async fn page(
    state: &AppState,
    customer_id: Uuid,
    cursor: Option<Cursor>,
    limit: Option<u32>,
) -> Result<Page, ApiError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT);
    let fetch = limit + 1;
    let customer = state.customers.get(customer_id).await?;

    let id_bound = |rank: u8| {
        cursor.map(|c| Before {
            at: c.at,
            id: bound(
                &c,
                rank,
                |k| match k {
                    Key::Id(id) => Some(id),
                    Key::Seq(_) => None,
                },
                Uuid::nil(),
                Uuid::max(),
            ),
        })
    };
    let comms = state.comms.list(ListQuery {
        limit: Some(fetch),
        before: id_bound(COMMS),
        ..ListQuery::customer(customer_id)
    });
    let media = state
        .comms
        .media_before(customer_id, id_bound(MEDIA), fetch);
    let seq_bound = |rank: u8| {
        cursor.map(|c| {
            let seq = bound(
                &c,
                rank,
                |k| match k {
                    Key::Seq(n) => Some(n),
                    Key::Id(_) => None,
                },
                i64::MIN,
                i64::MAX,
            );
            (c.at, seq)
        })
    };
    let orders = state
        .orders
        .events_for_customer(customer_id, seq_bound(ORDER), fetch);
    let tickets = state
        .tickets
        .events_for_customer(customer_id, seq_bound(TICKET), fetch);
    let (comms, media, orders, tickets) =
        futures_util::future::join4(comms, media, orders, tickets).await;

    let mut items: Vec<TimelineItem> = Vec::new();
    items.extend(comms?.items.into_iter().map(|entry| TimelineItem::Comms {
        at: entry.occurred_at,
        link_id: entry.id,
        entry,
    }));
    items.extend(media?.into_iter().map(|media| TimelineItem::Media {
        at: media.created_at,
        link_id: media.id,
        media,
    }));
    items.extend(orders?.into_iter().map(|order| {
        let (at, link_id) = (order.at, order.order_id);
        if order.from.is_none() {
            TimelineItem::OrderCreated { at, link_id, order }
        } else {
            TimelineItem::OrderStatus { at, link_id, order }
        }
    }));
    items.extend(tickets?.into_iter().map(|ticket| {
        let (at, link_id) = (ticket.at, ticket.ticket_id);
        match ticket.what {
            ActivityKind::Created => TimelineItem::TicketCreated {
                at,
                link_id,
                ticket,
            },
            ActivityKind::StatusChanged { .. } => TimelineItem::TicketStatus {
                at,
                link_id,
                ticket,
            },
            _ => TimelineItem::Visit {
                at,
                link_id,
                ticket,
            },
        }
    }));
    items.extend(
        customer
            .notes
            .into_iter()
            .enumerate()
            .map(|(index, note)| TimelineItem::Note {
                at: note.at,
                link_id: customer_id,
                index,
                note,
            })
            .filter(|item| cursor.is_none_or(|c| item.position() < c)),
    );
    items.sort_unstable_by_key(|item| std::cmp::Reverse(item.position()));
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(TimelineItem::position)
    } else {
        None
    };
    Ok(Page { items, next })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        let c = Cursor {
            at: Timestamp::parse("2026-11-28T10:00:00Z").unwrap(),
            rank: MEDIA,
            key: Key::Id(Uuid::max()),
        };
        assert_eq!(c.to_string().parse::<Cursor>().unwrap(), c);
        let n = Cursor {
            rank: NOTE,
            key: Key::Seq(3),
            ..c
        };
        assert_eq!(n.to_string().parse::<Cursor>().unwrap(), n);
        for bad in [
            "",
            "x~1~2",
            "2026-11-28T10:00:00Z~9~1",
            "2026-11-28T10:00:00Z~3~12",
            "2026-11-28T10:00:00Z~0~x",
        ] {
            assert!(bad.parse::<Cursor>().is_err(), "{bad}");
        }
    }

    #[test]
    fn sources_are_bounded_by_their_place_at_the_instant() {
        let at = Timestamp::parse("2026-11-28T10:00:00Z").unwrap();
        let on_media = Cursor {
            at,
            rank: MEDIA,
            key: Key::Id(Uuid::from_u128(7)),
        };
        let id = |k: Key| match k {
            Key::Id(id) => Some(id),
            Key::Seq(_) => None,
        };
        // comms sort before media at the instant: all of them were on earlier pages
        assert_eq!(
            bound(&on_media, COMMS, id, Uuid::nil(), Uuid::max()),
            Uuid::nil()
        );
        assert_eq!(
            bound(&on_media, MEDIA, id, Uuid::nil(), Uuid::max()),
            Uuid::from_u128(7)
        );
        let seq = |k: Key| match k {
            Key::Seq(n) => Some(n),
            Key::Id(_) => None,
        };
        // orders sort after: none of them at the instant has been shown yet
        assert_eq!(bound(&on_media, ORDER, seq, i64::MIN, i64::MAX), i64::MAX);
    }
}

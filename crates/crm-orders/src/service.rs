//! The public face of the orders context: the [`Orders`] trait and its implementation
//! [`Service`], generic over the [`OrderStore`].

use std::future::Future;
use std::sync::Arc;

use crm_core::{Clock, Timestamp};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::model::{
    ListQuery, NewItem, NewOrder, Order, OrderEvent, OrderPatch, Page, SEARCH_MAX, SearchScope,
};
use crate::store::{Change, OrderStore};
use crate::{pricing, stock};

/// What the rest of the CRM can do with orders.
pub trait Orders: Send + Sync {
    /// One page of orders, newest first, and the number of matches in all pages. A `search`
    /// finds order numbers and, through [`CustomerMatches`] when the service has one, the
    /// orders of the customers the text finds; longer than [`SEARCH_MAX`] characters it is
    /// `Error::Invalid` on `search`.
    fn list(&self, query: ListQuery) -> impl Future<Output = Result<Page<Order>>> + Send;

    /// The order, with items and status history, or `Error::NotFound`.
    fn get(&self, id: Uuid) -> impl Future<Output = Result<Order>> + Send;

    /// Validates and stores a new order; the server assigns id, order number and totals.
    /// An unknown customer is `Error::Invalid` on `customer_id`, an unknown product on
    /// `items[i].product_id`.
    fn create(&self, new: NewOrder) -> impl Future<Output = Result<Order>> + Send;

    /// Changes the given fields. With `expected_version`, only if the order is still at that
    /// version (`Error::Stale` otherwise, and nothing changes). A patch that changes nothing
    /// returns the order as it is, without a new version.
    fn update(
        &self,
        id: Uuid,
        patch: OrderPatch,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<Order>> + Send;

    /// Deletes the order with its items and status history.
    fn delete(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// The orders with a line carrying serial number `serial`, oldest first.
    fn with_serial(&self, serial: &str) -> impl Future<Output = Result<Vec<Order>>> + Send;

    /// How many orders the customer has (0 for an unknown customer).
    fn count_for_customer(&self, customer_id: Uuid) -> impl Future<Output = Result<u64>> + Send;

    /// Creations and status changes of the customer's orders strictly after `before`
    /// (`(at, seq)`), newest first, at most `limit` (for the customer's timeline).
    fn events_for_customer(
        &self,
        customer_id: Uuid,
        before: Option<(Timestamp, i64)>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<OrderEvent>>> + Send;
}

/// The customer search, as the orders' list asks it: the customers a search text finds, by
/// the customers' own rules (the gateway answers it with the customers service). A port, so
/// that orders never depend on the customers crate.
pub trait CustomerMatches: Send + Sync + std::fmt::Debug + 'static {
    /// The ids of the customers `text` finds (an implementation may cap how many).
    fn matching<'a>(&'a self, text: &'a str) -> BoxFuture<'a, Result<Vec<Uuid>>>;
}

/// A boxed future of a [`CustomerMatches`] method.
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// [`Orders`] over a store, with the time taken from a clock.
#[derive(Debug, Clone)]
pub struct Service<S> {
    store: S,
    clock: Arc<dyn Clock>,
    /// Without it a search finds order numbers only.
    customers: Option<Arc<dyn CustomerMatches>>,
}

impl<S: OrderStore> Service<S> {
    pub fn new(store: S, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            customers: None,
        }
    }

    /// A list's `search` also finds the orders of the customers `customers` finds for it.
    pub fn with_customer_matches(mut self, customers: Arc<dyn CustomerMatches>) -> Self {
        self.customers = Some(customers);
        self
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// Gives each item of a product that names no VAT rate the product's default rate.
    async fn default_vat_rates(&self, items: &mut [NewItem]) -> Result<()> {
        let wanted: Vec<Uuid> = items
            .iter()
            .filter(|i| i.vat_rate.is_none())
            .filter_map(|i| i.product_id)
            .collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let rates = self.store.vat_rates(wanted).await?;
        for item in items.iter_mut().filter(|i| i.vat_rate.is_none()) {
            item.vat_rate = item.product_id.and_then(|p| rates.get(&p).copied());
        }
        Ok(())
    }
}

impl<S: OrderStore> Orders for Service<S> {
    async fn list(&self, mut query: ListQuery) -> Result<Page<Order>> {
        query.scope = SearchScope::default();
        query.search = query
            .search
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        if let Some(text) = &query.search {
            if text.chars().count() > SEARCH_MAX {
                return Err(Error::invalid(
                    "search",
                    format!("must be at most {SEARCH_MAX} characters"),
                ));
            }
            let customers = match &self.customers {
                Some(port) => port.matching(text).await?,
                None => Vec::new(),
            };
            query.scope = SearchScope {
                customers,
                this_year: Some(self.clock.now().year()),
            };
        }
        self.store.list(query).await
    }

    async fn get(&self, id: Uuid) -> Result<Order> {
        self.store.get(id).await
    }

    async fn create(&self, mut new: NewOrder) -> Result<Order> {
        self.default_vat_rates(&mut new.items).await?;
        let mut order = new.into_order(Uuid::new_v4(), self.clock.now())?;
        pricing::price(&mut order)?;
        self.store.insert(order).await
    }

    async fn update(
        &self,
        id: Uuid,
        patch: OrderPatch,
        expected_version: Option<i64>,
    ) -> Result<Order> {
        let mut patch = patch;
        if let Some(items) = &mut patch.items {
            self.default_vat_rates(items).await?;
        }
        let now = self.clock.now();
        self.store
            .update(id, expected_version, move |current| {
                let mut next = patch.clone().apply(current, now)?;
                pricing::price(&mut next)?;
                next.stock_state = stock::state_after(current, &next);
                let mut probe = next.clone();
                probe.updated_at = current.updated_at;
                Ok(if probe == *current {
                    Change::Unchanged
                } else {
                    Change::Save(Box::new(next))
                })
            })
            .await
    }

    async fn delete(&self, id: Uuid, expected_version: Option<i64>) -> Result<()> {
        self.store.delete(id, expected_version).await
    }

    async fn with_serial(&self, serial: &str) -> Result<Vec<Order>> {
        self.store.with_serial(serial.trim().to_owned()).await
    }

    async fn count_for_customer(&self, customer_id: Uuid) -> Result<u64> {
        self.store.count_for_customer(customer_id).await
    }

    async fn events_for_customer(
        &self,
        customer_id: Uuid,
        before: Option<(Timestamp, i64)>,
        limit: u32,
    ) -> Result<Vec<OrderEvent>> {
        self.store
            .events_for_customer(customer_id, before, limit)
            .await
    }
}

#[cfg(test)]
mod tests;

//! The customers service: the public trait the gateway calls and its implementation over any
//! [`CustomerStore`].

use std::future::Future;
use std::sync::Arc;

use crm_core::Clock;
use uuid::Uuid;

use crate::error::Result;
use crate::model::{
    self, ContactInput, ContactType, Customer, CustomerPatch, ListQuery, NewCustomer, Page,
};
use crate::normalize;
use crate::store::{Change, ContactKey, CustomerStore};

/// Everything that can be done with customers.
pub trait Customers: Send + Sync {
    /// A page of customers matching the query and the total number of matches.
    fn list(&self, query: ListQuery) -> impl Future<Output = Result<Page<Customer>>> + Send;

    /// One customer, or `Error::NotFound`.
    fn get(&self, id: Uuid) -> impl Future<Output = Result<Customer>> + Send;

    /// Validates and stores a new customer (new id, version 1).
    fn create(&self, new: NewCustomer) -> impl Future<Output = Result<Customer>> + Send;

    /// Applies a partial update. With `expected_version` given and not the stored one, the
    /// answer is `Error::Stale` and nothing changes. A patch that changes nothing returns the
    /// record as it is, without a new version.
    fn update(
        &self,
        id: Uuid,
        patch: CustomerPatch,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<Customer>> + Send;

    /// Deletes a customer with its contacts and search entry. Stale `expected_version` →
    /// `Error::Stale`; referenced by orders → `Error::InUse`; in both cases it stays.
    fn delete(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Appends a note `{text, by, at: now}` and bumps the version.
    fn add_note(
        &self,
        id: Uuid,
        text: String,
        by: String,
    ) -> impl Future<Output = Result<Customer>> + Send;

    /// Adds a contact unless the customer already has one with the same normal form (then
    /// the customer is returned unchanged, without a new version).
    fn add_contact(
        &self,
        id: Uuid,
        contact: ContactInput,
    ) -> impl Future<Output = Result<Customer>> + Send;

    /// The customer owning an e-mail address (if `value` contains `@`, any case) or a phone
    /// number (any written form, read as Greek unless international); if several own it, the
    /// one created first. `None` when nobody does or `value` is no number.
    fn find_by_contact(&self, value: &str)
    -> impl Future<Output = Result<Option<Customer>>> + Send;

    /// Pairs of customers that look like one (see [`crate::merge::suggest`]), at most
    /// `limit`, read over every customer.
    fn duplicates(
        &self,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<crate::merge::DuplicatePair>>> + Send;
}

/// Customers read per page when every customer is looked at.
const SCAN_PAGE: u32 = 2_000;

/// [`Customers`] over a store, with time from an injected clock.
#[derive(Debug, Clone)]
pub struct Service<S> {
    store: S,
    clock: Arc<dyn Clock>,
}

impl<S: CustomerStore> Service<S> {
    pub fn new(store: S, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    pub fn store(&self) -> &S {
        &self.store
    }
}

/// How a contact value typed by someone is looked up, or `None` if it cannot be a contact.
fn contact_key(value: &str) -> Option<ContactKey> {
    let value = value.trim();
    if value.contains('@') {
        return Some(ContactKey::Email(value.to_lowercase()));
    }
    normalize::phone_e164(value).map(ContactKey::Phone)
}

impl<S: CustomerStore> Customers for Service<S> {
    async fn list(&self, query: ListQuery) -> Result<Page<Customer>> {
        self.store.list(query).await
    }

    async fn get(&self, id: Uuid) -> Result<Customer> {
        self.store.get(id).await
    }

    async fn create(&self, new: NewCustomer) -> Result<Customer> {
        let customer = new.into_customer(Uuid::new_v4(), self.clock.now())?;
        self.store.insert(customer.clone()).await?;
        Ok(customer)
    }

    async fn update(
        &self,
        id: Uuid,
        patch: CustomerPatch,
        expected_version: Option<i64>,
    ) -> Result<Customer> {
        let now = self.clock.now();
        self.store
            .update(id, expected_version, move |current| {
                let next = patch.clone().apply(current, now)?;
                Ok(if next == *current {
                    Change::Unchanged
                } else {
                    Change::Save(Box::new(Customer {
                        updated_at: now,
                        ..next
                    }))
                })
            })
            .await
    }

    async fn delete(&self, id: Uuid, expected_version: Option<i64>) -> Result<()> {
        self.store.delete(id, expected_version).await
    }

    async fn add_note(&self, id: Uuid, text: String, by: String) -> Result<Customer> {
        let now = self.clock.now();
        let note = model::new_note(text, by, now)?;
        self.store
            .update(id, None, move |current| {
                let mut next = current.clone();
                next.notes.push(note.clone());
                next.updated_at = now;
                Ok(Change::Save(Box::new(next)))
            })
            .await
    }

    async fn add_contact(&self, id: Uuid, contact: ContactInput) -> Result<Customer> {
        let now = self.clock.now();
        let contact = model::new_contact(contact)?;
        self.store
            .update(id, None, move |current| {
                let key = contact.normalized();
                let same_kind = |k: ContactType| match contact.kind {
                    ContactType::Phone | ContactType::Whatsapp => {
                        matches!(k, ContactType::Phone | ContactType::Whatsapp)
                    }
                    kind => k == kind,
                };
                if current
                    .contacts
                    .iter()
                    .any(|c| same_kind(c.kind) && c.normalized() == key)
                {
                    return Ok(Change::Unchanged);
                }
                let mut next = current.clone();
                next.contacts.push(contact.clone());
                next.updated_at = now;
                Ok(Change::Save(Box::new(next)))
            })
            .await
    }

    async fn find_by_contact(&self, value: &str) -> Result<Option<Customer>> {
        match contact_key(value) {
            Some(key) => self.store.find_by_contact(key).await,
            None => Ok(None),
        }
    }

    async fn duplicates(&self, limit: usize) -> Result<Vec<crate::merge::DuplicatePair>> {
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let page = self.store.scan(after, SCAN_PAGE).await?;
            let full = page.len() == SCAN_PAGE as usize;
            after = page.last().map(|c| c.id);
            all.extend(page);
            if !full {
                break;
            }
        }
        let mut pairs = crate::merge::suggest(&all);
        pairs.truncate(limit);
        Ok(pairs)
    }
}

#[cfg(test)]
mod tests;

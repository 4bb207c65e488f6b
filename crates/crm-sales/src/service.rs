//! The public face of the sales pipeline: the [`Sales`] trait and its implementation
//! [`Service`], generic over the [`SalesStore`], and the ports a conversion needs.
//!
//! Every write that changes a lead names its `actor` (the username its stage moves and
//! assignments record) and takes `expected_version` (`If-Match`; `Error::Stale` when it is not
//! the stored one, and nothing changes).
//!
//! # Conversion
//!
//! Only a won lead converts (else `Error::Conflict` naming its status). Its customer is the
//! one it names; for a prospect, the customer [`CustomerPort::find_by_contacts`] matches by
//! the prospect's normalised contacts, else a new one [`CustomerPort::create`] makes. With
//! [`ConvertRequest::create_draft_order`] a draft order is opened from the quoted lines
//! (`Error::Invalid` on `lines` when there are none). Both ids are recorded on the lead.
//! Converting again returns the same ids and creates nothing (it only opens the draft order
//! when the first conversion did not and this one asks for it). The ports run outside the
//! lead's transaction: if recording fails after a customer was created, converting again
//! finds that customer by its contacts rather than creating a second one.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use crm_core::{Clock, Money};
use uuid::Uuid;

use crate::error::{Error, Result, conflict};
use crate::model::{
    Assignment, ContactKey, Conversion, ConvertRequest, CursorPage, Lead, LeadPatch, LeadStatus,
    ListQuery, NewLead, OwnerSummary, Pipeline, PipelineInput, PipelineView, Prospect, QuotedLine,
    StageMove, StageMoveRecord, StageSummary, add, default_pipeline, weighted,
};
use crate::store::SalesStore;

/// The customers context as a conversion needs it (the gateway answers it with the customers
/// service). A port, so that sales never depend on the customers crate.
pub trait CustomerPort: Send + Sync {
    /// The customer having any of `keys` among its normalised contacts, if one does.
    fn find_by_contacts(
        &self,
        keys: &[ContactKey],
    ) -> impl Future<Output = Result<Option<Uuid>>> + Send;

    /// A new customer made from the prospect (name, organisation, contacts); its id.
    fn create(&self, prospect: &Prospect) -> impl Future<Output = Result<Uuid>> + Send;
}

/// The orders context as a conversion needs it (the gateway answers it with the orders
/// service): a draft order of `customer_id` with the quoted lines.
pub trait DraftOrderPort: Send + Sync {
    fn create_draft(
        &self,
        customer_id: Uuid,
        lines: &[QuotedLine],
    ) -> impl Future<Output = Result<Uuid>> + Send;
}

/// What the rest of the CRM can do with pipelines and leads.
pub trait Sales: Send + Sync {
    /// The default pipeline, seeded the first time (see [`default_pipeline`]); idempotent.
    fn ensure_default_pipeline(&self) -> impl Future<Output = Result<Pipeline>> + Send;

    /// Every pipeline, the default first.
    fn pipelines(&self) -> impl Future<Output = Result<Vec<Pipeline>>> + Send;

    fn pipeline(&self, id: Uuid) -> impl Future<Output = Result<Pipeline>> + Send;

    /// Validates and stores a new pipeline (see [`crate::model`] for the rules).
    fn create_pipeline(
        &self,
        input: PipelineInput,
    ) -> impl Future<Output = Result<Pipeline>> + Send;

    /// Replaces a pipeline's name and stages: stages keep their ids when sent with them, the
    /// list's order is the board order; removing a stage that holds leads, or changing whether
    /// it is won or lost, is `Error::InUse` naming how many leads it holds.
    fn update_pipeline(
        &self,
        id: Uuid,
        input: PipelineInput,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<Pipeline>> + Send;

    /// Validates and stores a new lead (default pipeline and its first open stage unless
    /// given); records its first stage and owner.
    fn create_lead(&self, new: NewLead, actor: &str) -> impl Future<Output = Result<Lead>> + Send;

    /// [`Sales::create_lead`] at most once per `origin_key` (a workflow output's idempotency
    /// key, never a client's): the key is stored with the lead in the creating transaction, and
    /// creating again with it answers the lead it created and `false` (`true`: created now).
    fn create_lead_once(
        &self,
        new: NewLead,
        actor: &str,
        origin_key: &str,
    ) -> impl Future<Output = Result<(Lead, bool)>> + Send;

    fn lead(&self, id: Uuid) -> impl Future<Output = Result<Lead>> + Send;

    /// One page of leads, newest first, with the filters of [`ListQuery`].
    fn list(&self, query: ListQuery) -> impl Future<Output = Result<CursorPage<Lead>>> + Send;

    /// Changes fields; a new owner is recorded as an assignment.
    fn update_lead(
        &self,
        id: Uuid,
        patch: LeadPatch,
        expected_version: Option<i64>,
        actor: &str,
    ) -> impl Future<Output = Result<Lead>> + Send;

    /// Moves the lead to another stage of its pipeline (`Error::Invalid` on `stage_id`
    /// otherwise); a lost stage needs a lost reason. Records the move; moving to the stage it
    /// is in changes nothing.
    fn move_lead(
        &self,
        id: Uuid,
        to: StageMove,
        expected_version: Option<i64>,
        actor: &str,
    ) -> impl Future<Output = Result<Lead>> + Send;

    /// The lead's stage moves, oldest first.
    fn stage_moves(&self, id: Uuid) -> impl Future<Output = Result<Vec<StageMoveRecord>>> + Send;

    /// Who owned the lead when, oldest first.
    fn assignments(&self, id: Uuid) -> impl Future<Output = Result<Vec<Assignment>>> + Send;

    /// The normal forms of the lead's prospect contacts, to find its comms before it is a
    /// customer (none for a lead about a customer).
    fn contact_keys(&self, id: Uuid) -> impl Future<Output = Result<Vec<ContactKey>>> + Send;

    /// Per stage: count, sum of values, weighted value; per owner: the same of open leads.
    fn pipeline_view(&self, pipeline_id: Uuid)
    -> impl Future<Output = Result<PipelineView>> + Send;

    /// Converts a won lead; see the module documentation.
    fn convert<C, O>(
        &self,
        id: Uuid,
        request: ConvertRequest,
        customers: &C,
        orders: &O,
    ) -> impl Future<Output = Result<Conversion>> + Send
    where
        C: CustomerPort,
        O: DraftOrderPort;
}

/// [`Sales`] over a store, with the time taken from a clock.
#[derive(Debug, Clone)]
pub struct Service<S> {
    store: S,
    clock: Arc<dyn Clock>,
}

impl<S: SalesStore> Service<S> {
    pub fn new(store: S, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    pub fn store(&self) -> &S {
        &self.store
    }
}

impl<S: SalesStore> Sales for Service<S> {
    async fn ensure_default_pipeline(&self) -> Result<Pipeline> {
        let (name, stages) = default_pipeline().validate(&[], Uuid::new_v4)?;
        self.store
            .ensure_default_pipeline(name, stages, self.clock.now())
            .await
    }

    async fn pipelines(&self) -> Result<Vec<Pipeline>> {
        self.store.pipelines().await
    }

    async fn pipeline(&self, id: Uuid) -> Result<Pipeline> {
        self.store.pipeline(id).await
    }

    async fn create_pipeline(&self, input: PipelineInput) -> Result<Pipeline> {
        let (name, stages) = input.validate(&[], Uuid::new_v4)?;
        self.store
            .insert_pipeline(Uuid::new_v4(), name, stages, self.clock.now())
            .await
    }

    async fn update_pipeline(
        &self,
        id: Uuid,
        input: PipelineInput,
        expected_version: Option<i64>,
    ) -> Result<Pipeline> {
        self.store
            .update_pipeline(id, expected_version, self.clock.now(), move |current| {
                let known: Vec<Uuid> = current.stages.iter().map(|s| s.id).collect();
                input.validate(&known, Uuid::new_v4)
            })
            .await
    }

    async fn create_lead(&self, new: NewLead, actor: &str) -> Result<Lead> {
        let now = self.clock.now();
        let pipeline_id = new.pipeline_id;
        let (lead, _) = self
            .store
            .insert_lead(pipeline_id, actor.to_owned(), None, move |pipeline| {
                new.into_lead(Uuid::new_v4(), pipeline, now)
            })
            .await?;
        Ok(lead)
    }

    async fn create_lead_once(
        &self,
        new: NewLead,
        actor: &str,
        origin_key: &str,
    ) -> Result<(Lead, bool)> {
        let now = self.clock.now();
        let pipeline_id = new.pipeline_id;
        self.store
            .insert_lead(
                pipeline_id,
                actor.to_owned(),
                Some(origin_key.to_owned()),
                move |pipeline| new.into_lead(Uuid::new_v4(), pipeline, now),
            )
            .await
    }

    async fn lead(&self, id: Uuid) -> Result<Lead> {
        self.store.lead(id).await
    }

    async fn list(&self, query: ListQuery) -> Result<CursorPage<Lead>> {
        self.store.list(query).await
    }

    async fn update_lead(
        &self,
        id: Uuid,
        patch: LeadPatch,
        expected_version: Option<i64>,
        actor: &str,
    ) -> Result<Lead> {
        self.store
            .update_lead(
                id,
                expected_version,
                actor.to_owned(),
                self.clock.now(),
                move |lead, _| {
                    let mut next = lead.clone();
                    patch.apply(&mut next)?;
                    Ok(next)
                },
            )
            .await
    }

    async fn move_lead(
        &self,
        id: Uuid,
        to: StageMove,
        expected_version: Option<i64>,
        actor: &str,
    ) -> Result<Lead> {
        self.store
            .update_lead(
                id,
                expected_version,
                actor.to_owned(),
                self.clock.now(),
                move |lead, pipeline| {
                    let stage = pipeline.stage(to.stage_id).ok_or_else(|| {
                        Error::invalid("stage_id", "is not a stage of the lead's pipeline")
                    })?;
                    let mut next = lead.clone();
                    next.enter(stage, to.lost_reason)?;
                    Ok(next)
                },
            )
            .await
    }

    async fn stage_moves(&self, id: Uuid) -> Result<Vec<StageMoveRecord>> {
        self.store.stage_moves(id).await
    }

    async fn assignments(&self, id: Uuid) -> Result<Vec<Assignment>> {
        self.store.assignments(id).await
    }

    async fn contact_keys(&self, id: Uuid) -> Result<Vec<ContactKey>> {
        Ok(self.store.lead(id).await?.contact_keys())
    }

    async fn pipeline_view(&self, pipeline_id: Uuid) -> Result<PipelineView> {
        let rows = self.store.view_rows(pipeline_id).await?;
        let mut stages: Vec<StageSummary> = rows
            .pipeline
            .stages
            .iter()
            .map(|s| StageSummary {
                stage_id: s.id,
                name: s.name.clone(),
                probability: s.probability,
                status: s.status(),
                count: 0,
                value: Money::ZERO,
                weighted_value: Money::ZERO,
            })
            .collect();
        let mut owners: BTreeMap<(bool, String), OwnerSummary> = BTreeMap::new();
        for (stage_id, owner, value) in rows.leads {
            let Some(stage) = stages.iter_mut().find(|s| s.stage_id == stage_id) else {
                continue;
            };
            let value = value.unwrap_or(Money::ZERO);
            let w = weighted(value, stage.probability)?;
            stage.count += 1;
            stage.value = add(stage.value, value)?;
            stage.weighted_value = add(stage.weighted_value, w)?;
            if stage.status != LeadStatus::Open {
                continue;
            }
            let key = (owner.is_none(), owner.clone().unwrap_or_default());
            let o = owners.entry(key).or_insert_with(|| OwnerSummary {
                owner,
                count: 0,
                value: Money::ZERO,
                weighted_value: Money::ZERO,
            });
            o.count += 1;
            o.value = add(o.value, value)?;
            o.weighted_value = add(o.weighted_value, w)?;
        }
        Ok(PipelineView {
            pipeline_id,
            stages,
            owners: owners.into_values().collect(),
        })
    }

    async fn convert<C, O>(
        &self,
        id: Uuid,
        request: ConvertRequest,
        customers: &C,
        orders: &O,
    ) -> Result<Conversion>
    where
        C: CustomerPort,
        O: DraftOrderPort,
    {
        let lead = self.store.lead(id).await?;
        if lead.status != LeadStatus::Won {
            return Err(conflict(format!(
                "the lead is {}: only a won lead can be converted",
                lead.status
            )));
        }
        let wants_order = request.create_draft_order && lead.converted_order_id.is_none();
        if wants_order && lead.lines.is_empty() {
            return Err(Error::invalid(
                "lines",
                "a draft order needs the lead's quoted lines",
            ));
        }
        if let Some(customer_id) = lead.converted_customer_id
            && !wants_order
        {
            return Ok(Conversion {
                customer_id,
                customer_created: false,
                order_id: lead.converted_order_id,
                lead,
            });
        }
        let mut customer_created = false;
        let customer_id = match (lead.converted_customer_id, lead.customer_id, &lead.prospect) {
            (Some(c), _, _) | (None, Some(c), _) => c,
            (None, None, Some(p)) => match customers.find_by_contacts(&p.contact_keys()).await? {
                Some(c) => c,
                None => {
                    customer_created = true;
                    customers.create(p).await?
                }
            },
            (None, None, None) => {
                return Err(conflict("the lead names neither a customer nor a prospect"));
            }
        };
        let order_id = if wants_order {
            Some(orders.create_draft(customer_id, &lead.lines).await?)
        } else {
            None
        };
        let lead = self
            .store
            .record_conversion(id, customer_id, order_id, self.clock.now())
            .await?;
        Ok(Conversion {
            customer_id: lead.converted_customer_id.unwrap_or(customer_id),
            customer_created,
            order_id: lead.converted_order_id,
            lead,
        })
    }
}

#[cfg(test)]
mod tests;

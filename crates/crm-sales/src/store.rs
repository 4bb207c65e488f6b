//! Where pipelines and leads are kept: the storage trait the service is generic over.
//!
//! Each method is one atomic operation: what only the database can check (the pipeline and
//! stage a lead names, the leads a stage holds, the customer a lead names) is checked inside
//! the transaction that writes, so concurrent writers can neither break those rules nor see
//! half of an operation. A stale caller changes nothing. Stage moves and assignments are
//! written by the store, from the difference between the stored lead and the new one — never
//! from a client's data.
//!
//! One implementation, [`sqlite::SqliteSalesStore`]: leads live in SQLite only.

pub mod sqlite;

use std::future::Future;

use crm_core::{Money, Timestamp};
use uuid::Uuid;

use crate::error::Result;
use crate::model::{Assignment, CursorPage, Lead, ListQuery, Pipeline, Stage, StageMoveRecord};

/// What the pipeline view is computed from: the pipeline and, for each of its leads, its
/// stage, owner, status and estimated value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewRows {
    pub pipeline: Pipeline,
    pub leads: Vec<(Uuid, Option<String>, Option<Money>)>,
}

pub trait SalesStore: Send + Sync + 'static {
    /// The default pipeline; when there is none, first stores `name` and `stages` as it (one
    /// transaction: calling it again, or concurrently, seeds nothing more).
    fn ensure_default_pipeline(
        &self,
        name: String,
        stages: Vec<Stage>,
        now: Timestamp,
    ) -> impl Future<Output = Result<Pipeline>> + Send;

    /// Stores a new, validated pipeline (not the default one); a name taken (ignoring case
    /// and accents) is `Error::Conflict`.
    fn insert_pipeline(
        &self,
        id: Uuid,
        name: String,
        stages: Vec<Stage>,
        now: Timestamp,
    ) -> impl Future<Output = Result<Pipeline>> + Send;

    /// Every pipeline, the default first, then by name.
    fn pipelines(&self) -> impl Future<Output = Result<Vec<Pipeline>>> + Send;

    /// The pipeline with its stages, or `Error::NotFound`.
    fn pipeline(&self, id: Uuid) -> impl Future<Output = Result<Pipeline>> + Send;

    /// Loads the pipeline (`Error::NotFound`), checks `expected_version` (`Error::Stale`), lets
    /// `change` give its new name and stages, and writes them: kept stages updated, new ones
    /// inserted, missing ones deleted — `Error::InUse` naming the count when a deleted stage
    /// holds leads, or a stage holding leads would change between open, won and lost.
    fn update_pipeline<F>(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        now: Timestamp,
        change: F,
    ) -> impl Future<Output = Result<Pipeline>> + Send
    where
        F: FnOnce(&Pipeline) -> Result<(String, Vec<Stage>)> + Send + 'static;

    /// Stores a new lead that `build` makes in the pipeline `pipeline_id` (the default one when
    /// absent; `Error::Invalid` on `pipeline_id` when there is none such), and records its first
    /// stage and its owner (when it has one) by `actor`, in one transaction. An unknown
    /// customer is `Error::Invalid` on `customer_id`.
    ///
    /// With `origin_key` (a workflow output's idempotency key) the key is stored with the lead
    /// in that transaction, and when a lead already has it nothing is written: the answer is
    /// that lead and `false` (`true`: this call created it).
    fn insert_lead<F>(
        &self,
        pipeline_id: Option<Uuid>,
        actor: String,
        origin_key: Option<String>,
        build: F,
    ) -> impl Future<Output = Result<(Lead, bool)>> + Send
    where
        F: FnOnce(&Pipeline) -> Result<Lead> + Send + 'static;

    /// The lead, or `Error::NotFound`.
    fn lead(&self, id: Uuid) -> impl Future<Output = Result<Lead>> + Send;

    /// One page of leads, newest first, and the number of matches in all pages.
    fn list(&self, query: ListQuery) -> impl Future<Output = Result<CursorPage<Lead>>> + Send;

    /// Loads the lead (`Error::NotFound`) and its pipeline, checks `expected_version`
    /// (`Error::Stale`), lets `change` make the new lead and writes it with `version + 1` and
    /// `updated_at` = now when anything differs; a new stage is recorded as a stage move and
    /// a new owner as an assignment, by `actor`. The id, pipeline, creation time and
    /// conversion links are kept.
    fn update_lead<F>(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        actor: String,
        now: Timestamp,
        change: F,
    ) -> impl Future<Output = Result<Lead>> + Send
    where
        F: FnOnce(&Lead, &Pipeline) -> Result<Lead> + Send + 'static;

    /// Records the conversion's customer and order on the lead (bumping its version) unless
    /// they are already there: a link once set is never replaced.
    fn record_conversion(
        &self,
        id: Uuid,
        customer_id: Uuid,
        order_id: Option<Uuid>,
        now: Timestamp,
    ) -> impl Future<Output = Result<Lead>> + Send;

    /// The lead's stage moves, oldest first (`Error::NotFound` for an unknown lead).
    fn stage_moves(&self, id: Uuid) -> impl Future<Output = Result<Vec<StageMoveRecord>>> + Send;

    /// The lead's owners, oldest first, each until the next one.
    fn assignments(&self, id: Uuid) -> impl Future<Output = Result<Vec<Assignment>>> + Send;

    /// The pipeline and what its view needs of every lead in it.
    fn view_rows(&self, pipeline_id: Uuid) -> impl Future<Output = Result<ViewRows>> + Send;
}

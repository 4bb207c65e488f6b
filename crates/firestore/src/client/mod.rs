//! The I/O: [`Client`] over reqwest, one method per REST call, and [`Transaction`].

mod config;
mod retry;
mod transaction;

use std::fmt;
use std::sync::Arc;

use gcp_auth::TokenProvider;
use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use config::{Config, DEFAULT_DATABASE};
pub use transaction::Transaction;

use crate::error::{Error, Result};
use crate::proto::document::{
    AggregationItem, BatchGetItem, BatchWriteResponse, BeginTransactionResponse, RunQueryItem,
};
use crate::proto::path::{check_path, url_path};
use crate::proto::request::{
    BatchGetRequest, BatchWriteRequest, BeginTransactionRequest, CommitRequest, CountAggregation,
    CountQuery, CountRequest, Empty, ReadWrite, RollbackRequest, RunQueryRequest,
    TransactionOptions,
};
use crate::proto::status::parse_error;
use crate::proto::{Code, WriteResult};
use crate::proto::{CommitResponse, Document, Fields, Precondition, Query, Value, Write, WriteOp};
use retry::{Backoff, Retry};

/// The environment variable Google's client libraries read for the emulator's `host:port`.
pub const EMULATOR_HOST_ENV: &str = "FIRESTORE_EMULATOR_HOST";

/// OAuth scope of Firestore's API.
const SCOPES: &[&str] = &["https://www.googleapis.com/auth/datastore"];

/// The writes per commit or batch write to split larger sets into: Firestore's long-standing
/// batch limit (`batchWrite` enforces it; a larger commit is refused or slow).
pub const MAX_WRITES_PER_COMMIT: usize = 500;

/// A Firestore client for one database. Cheap to clone (one connection pool, one token cache).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    auth: Auth,
    /// `{origin}/v1/`
    base: String,
    project_id: String,
    database_id: String,
    /// `projects/{p}/databases/{d}/documents`
    documents_root: String,
    max_attempts: u32,
    transaction_attempts: u32,
    backoff: Backoff,
}

enum Auth {
    /// The emulator's admin bearer.
    Emulator,
    /// Google OAuth tokens (cached and refreshed by gcp_auth).
    Google(Arc<dyn TokenProvider>),
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.inner.base)
            .field("database", &self.database_name())
            .field("emulator", &self.is_emulator())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client as `config` says (see [`Config`] for where credentials come from). Asks the
    /// credentials for the project when `project_id` is empty. Makes no request to Firestore.
    pub async fn new(config: Config) -> Result<Client> {
        let emulator = config.emulator_host.clone().or_else(|| {
            std::env::var(EMULATOR_HOST_ENV)
                .ok()
                .filter(|h| !h.trim().is_empty())
        });
        if let Some(host) = emulator {
            tracing::info!(%host, "Firestore: using the emulator");
            return Self::build(config, emulator_origin(&host)?, Auth::Emulator);
        }
        let provider: Arc<dyn TokenProvider> = if let Some(json) = &config.credentials_json {
            Arc::new(
                gcp_auth::CustomServiceAccount::from_json(json.expose_secret())
                    .map_err(Error::Auth)?,
            )
        } else if let Some(path) = &config.credentials_file {
            Arc::new(gcp_auth::CustomServiceAccount::from_file(path).map_err(Error::Auth)?)
        } else {
            gcp_auth::provider().await.map_err(Error::Auth)?
        };
        Self::with_token_provider(config, provider).await
    }

    /// A client that takes its tokens from `provider` (any gcp_auth source, or a test double).
    pub async fn with_token_provider(
        mut config: Config,
        provider: Arc<dyn TokenProvider>,
    ) -> Result<Client> {
        if config.project_id.is_empty() {
            config.project_id = provider
                .project_id()
                .await
                .map_err(Error::Auth)?
                .to_string();
        }
        let origin = config.endpoint.trim_end_matches('/').to_owned();
        if !(origin.starts_with("https://") || origin.starts_with("http://")) {
            return Err(Error::Config(format!(
                "endpoint {origin:?} is not an http(s) URL"
            )));
        }
        Self::build(config, origin, Auth::Google(provider))
    }

    /// A client on the emulator at `host` (`127.0.0.1:8080`) for `project_id`, with the other
    /// defaults of [`Config`].
    pub fn emulator(project_id: &str, host: &str) -> Result<Client> {
        Self::new_emulator(Config::emulator(project_id, host))
    }

    /// A client on the emulator of `config.emulator_host`, else of `FIRESTORE_EMULATOR_HOST`
    /// ([`Error::Config`] when neither is set). Unlike [`Client::new`], needs no runtime.
    pub fn new_emulator(config: Config) -> Result<Client> {
        let host = config
            .emulator_host
            .clone()
            .or_else(|| std::env::var(EMULATOR_HOST_ENV).ok())
            .filter(|h| !h.trim().is_empty())
            .ok_or_else(|| Error::Config(format!("no emulator_host and no {EMULATOR_HOST_ENV}")))?;
        let origin = emulator_origin(&host)?;
        Self::build(config, origin, Auth::Emulator)
    }

    /// The same client on another project of the same emulator or server (the emulator keeps
    /// each project apart: a fresh project is an empty database).
    pub fn with_project(&self, project_id: &str) -> Result<Client> {
        let i = &self.inner;
        check_id("project_id", project_id)?;
        Ok(Client {
            inner: Arc::new(Inner {
                http: i.http.clone(),
                auth: match &i.auth {
                    Auth::Emulator => Auth::Emulator,
                    Auth::Google(p) => Auth::Google(p.clone()),
                },
                base: i.base.clone(),
                project_id: project_id.to_owned(),
                database_id: i.database_id.clone(),
                documents_root: format!(
                    "projects/{project_id}/databases/{}/documents",
                    i.database_id
                ),
                max_attempts: i.max_attempts,
                transaction_attempts: i.transaction_attempts,
                backoff: Backoff::new(i.backoff_initial(), i.backoff_max()),
            }),
        })
    }

    fn build(config: Config, origin: String, auth: Auth) -> Result<Client> {
        check_id("project_id", &config.project_id)?;
        check_id("database_id", &config.database_id)?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("bellsystems-firestore/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                auth,
                base: format!("{origin}/v1/"),
                documents_root: format!(
                    "projects/{}/databases/{}/documents",
                    config.project_id, config.database_id
                ),
                project_id: config.project_id,
                database_id: config.database_id,
                max_attempts: config.max_attempts.max(1),
                transaction_attempts: config.transaction_attempts.max(1),
                backoff: Backoff::new(config.retry_backoff, config.max_backoff),
            }),
        })
    }

    /// The project.
    pub fn project_id(&self) -> &str {
        &self.inner.project_id
    }

    /// The database id.
    pub fn database_id(&self) -> &str {
        &self.inner.database_id
    }

    /// `projects/{p}/databases/{d}`.
    pub fn database_name(&self) -> String {
        format!(
            "projects/{}/databases/{}",
            self.inner.project_id, self.inner.database_id
        )
    }

    /// Whether this client talks to the emulator.
    pub fn is_emulator(&self) -> bool {
        matches!(self.inner.auth, Auth::Emulator)
    }

    /// A document's full name from its relative path.
    pub fn document_name(&self, path: &str) -> String {
        format!("{}/{path}", self.inner.documents_root)
    }

    /// A `referenceValue` to the document at `path` (for cursors and filters on
    /// [`NAME_FIELD`](crate::NAME_FIELD), or to store a reference).
    pub fn reference(&self, path: &str) -> Value {
        Value::Reference(self.document_name(path))
    }

    // --- documents --------------------------------------------------------------------------

    /// The document at `path` (`crm_customers/{id}`), or `None` when there is none.
    pub async fn get(&self, path: &str) -> Result<Option<Document>> {
        check_path(path, true)?;
        let url = self.document_url(path);
        match self
            .call(Method::GET, &url, &[], None::<&()>, Retry::Read)
            .await
        {
            Ok(d) => Ok(Some(d)),
            Err(Error::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates the document `{collection}/{id}` (`collection` may be a subcollection path,
    /// `crm_customers/{c}/notes`). [`Error::AlreadyExists`] when it exists.
    pub async fn create(&self, collection: &str, id: &str, fields: &Fields) -> Result<Document> {
        check_path(collection, false)?;
        check_path(&format!("{collection}/{id}"), true)?;
        let url = format!(
            "{}{}/{}",
            self.inner.base,
            self.inner.documents_root,
            url_path(collection)
        );
        let query = [("documentId", id.to_owned())];
        self.call(
            Method::POST,
            &url,
            &query,
            Some(&FieldsBody { fields }),
            Retry::Write,
        )
        .await
    }

    /// Writes `fields` to the document at `path`: with `mask`, only the masked fields change
    /// (a masked field absent from `fields` is deleted); without, the document is replaced.
    /// Creates the document when missing, unless `precondition` says otherwise:
    /// `Exists(true)` → [`Error::NotFound`]; `UpdateTime(t)` with `t` stale →
    /// [`Error::PreconditionFailed`]. Answers the new update time.
    ///
    /// Sent as a one-write commit: the precondition travels in the JSON body (the emulator
    /// ignores `currentDocument.updateTime` as a query parameter of the REST `PATCH`).
    pub async fn patch(
        &self,
        path: &str,
        fields: &Fields,
        mask: Option<&[&str]>,
        precondition: Option<Precondition>,
    ) -> Result<WriteResult> {
        let write = Write {
            path: path.to_owned(),
            op: WriteOp::Update {
                fields: fields.clone(),
                mask: mask.map(|m| m.iter().map(|f| (*f).to_owned()).collect()),
            },
            precondition,
            transforms: Vec::new(),
        };
        self.write_one(write).await
    }

    /// Deletes the document at `path` (no error when it is missing, unless `precondition`
    /// says `Exists(true)` → [`Error::NotFound`], or a stale `UpdateTime` →
    /// [`Error::PreconditionFailed`]). A one-write commit, like [`Client::patch`].
    pub async fn delete(&self, path: &str, precondition: Option<Precondition>) -> Result<()> {
        let mut write = Write::delete(path);
        write.precondition = precondition;
        self.write_one(write).await.map(drop)
    }

    async fn write_one(&self, write: Write) -> Result<WriteResult> {
        let response = self.commit(std::slice::from_ref(&write)).await?;
        response
            .write_results
            .into_iter()
            .next()
            .ok_or_else(|| Error::Protocol("a commit without its write's result".into()))
    }

    /// The documents at `paths`, in the same order (`None` for a missing one).
    pub async fn batch_get(&self, paths: &[&str]) -> Result<Vec<Option<Document>>> {
        self.batch_get_in(paths, None, Retry::Read).await
    }

    pub(crate) async fn batch_get_in(
        &self,
        paths: &[&str],
        transaction: Option<&str>,
        retry: Retry,
    ) -> Result<Vec<Option<Document>>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let names = paths
            .iter()
            .map(|p| check_path(p, true).map(|()| self.document_name(p)))
            .collect::<Result<Vec<_>, _>>()?;
        let url = self.method_url("batchGet");
        let items: Vec<BatchGetItem> = self
            .call(
                Method::POST,
                &url,
                &[],
                Some(&BatchGetRequest {
                    documents: &names,
                    transaction,
                }),
                retry,
            )
            .await?;
        let mut found: std::collections::HashMap<String, Document> = items
            .into_iter()
            .filter_map(|i| i.found)
            .map(|d| (d.name.clone(), d))
            .collect();
        Ok(names.iter().map(|n| found.remove(n)).collect())
    }

    // --- queries ----------------------------------------------------------------------------

    /// The documents `query` selects, in its order.
    pub async fn run_query(&self, query: &Query) -> Result<Vec<Document>> {
        self.run_query_in(query, None, Retry::Read).await
    }

    pub(crate) async fn run_query_in(
        &self,
        query: &Query,
        transaction: Option<&str>,
        retry: Retry,
    ) -> Result<Vec<Document>> {
        let url = self.query_url(query, "runQuery")?;
        let items: Vec<RunQueryItem> = self
            .call_query(
                &url,
                &RunQueryRequest {
                    structured_query: query,
                    transaction,
                },
                retry,
            )
            .await?;
        Ok(items.into_iter().filter_map(|i| i.document).collect())
    }

    /// How many documents `query` selects (its order, cursors and limit apply), counted by
    /// the server (`runAggregationQuery`).
    pub async fn count(&self, query: &Query) -> Result<i64> {
        self.count_in(query, None, Retry::Read).await
    }

    pub(crate) async fn count_in(
        &self,
        query: &Query,
        transaction: Option<&str>,
        retry: Retry,
    ) -> Result<i64> {
        let url = self.query_url(query, "runAggregationQuery")?;
        let body = CountRequest {
            structured_aggregation_query: CountQuery {
                structured_query: query,
                aggregations: [CountAggregation {
                    alias: "count",
                    count: Empty {},
                }],
            },
            transaction,
        };
        let items: Vec<AggregationItem> = self.call_query(&url, &body, retry).await?;
        items
            .into_iter()
            .filter_map(|i| i.result)
            .find_map(|r| r.aggregate_fields.get("count").and_then(Value::as_i64))
            .ok_or_else(|| Error::Protocol("a count without its result".into()))
    }

    // --- writes -----------------------------------------------------------------------------

    /// Applies `writes` atomically, in order: all or none (split larger sets into commits of
    /// [`MAX_WRITES_PER_COMMIT`]). A failed precondition fails the whole commit.
    pub async fn commit(&self, writes: &[Write]) -> Result<CommitResponse> {
        self.commit_in(writes, None, Retry::Write).await
    }

    pub(crate) async fn commit_in(
        &self,
        writes: &[Write],
        transaction: Option<&str>,
        retry: Retry,
    ) -> Result<CommitResponse> {
        for w in writes {
            check_path(&w.path, true)?;
        }
        let root = &self.inner.documents_root;
        let body = CommitRequest {
            writes: writes.iter().map(|w| w.to_wire(root)).collect(),
            transaction,
        };
        let url = self.method_url("commit");
        self.call(Method::POST, &url, &[], Some(&body), retry).await
    }

    /// Applies `writes` each on its own (not atomically; at most [`MAX_WRITES_PER_COMMIT`],
    /// one per document): one result per write, in order. Writes that fail with a transient
    /// status (contention, unavailability) are sent again, up to the attempts allowed; the
    /// others keep their error.
    pub async fn batch_write(&self, writes: &[Write]) -> Result<Vec<Result<WriteResult>>> {
        for w in writes {
            check_path(&w.path, true)?;
        }
        let root = &self.inner.documents_root;
        let url = self.method_url("batchWrite");
        let mut results: Vec<Option<Result<WriteResult>>> =
            (0..writes.len()).map(|_| None).collect();
        let mut pending: Vec<usize> = (0..writes.len()).collect();
        let mut attempt = 1;
        while !pending.is_empty() {
            let body = BatchWriteRequest {
                writes: pending.iter().map(|&i| writes[i].to_wire(root)).collect(),
            };
            let answer: BatchWriteResponse = self
                .call(Method::POST, &url, &[], Some(&body), Retry::Write)
                .await?;
            let mut again = Vec::new();
            for (k, &i) in pending.iter().enumerate() {
                let status = answer.status.get(k).cloned().unwrap_or_default();
                let code = Code::from_number(status.code);
                let outcome = if code == Code::Ok {
                    Ok(answer.write_results.get(k).cloned().unwrap_or_default())
                } else {
                    Err(Error::from_status(code, 200, status.message, false))
                };
                match outcome {
                    Err(e) if attempt < self.inner.max_attempts && Retry::Write.allows(&e) => {
                        again.push(i)
                    }
                    outcome => results[i] = Some(outcome),
                }
            }
            if !again.is_empty() {
                tokio::time::sleep(self.inner.backoff.delay(attempt)).await;
            }
            pending = again;
            attempt += 1;
        }
        Ok(results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(Error::Protocol("a write without a result".into()))))
            .collect())
    }

    // --- transactions -----------------------------------------------------------------------

    /// Begins a transaction: read-write (reads lock what they read until the commit) or
    /// read-only. Prefer [`Client::run_transaction`], which also starts over on contention.
    pub async fn begin_transaction(&self, read_only: bool) -> Result<Transaction> {
        self.begin(read_only, None).await
    }

    pub(crate) async fn begin(
        &self,
        read_only: bool,
        retrying: Option<&str>,
    ) -> Result<Transaction> {
        let options = if read_only {
            TransactionOptions::ReadOnly(Empty {})
        } else {
            TransactionOptions::ReadWrite(ReadWrite {
                retry_transaction: retrying,
            })
        };
        let url = self.method_url("beginTransaction");
        let r: BeginTransactionResponse = self
            .call(
                Method::POST,
                &url,
                &[],
                Some(&BeginTransactionRequest { options }),
                Retry::Read,
            )
            .await?;
        Ok(Transaction::new(self.clone(), r.transaction))
    }

    pub(crate) async fn rollback_id(&self, transaction: &str) -> Result<()> {
        let url = self.method_url("rollback");
        self.call::<_, serde_json::Value>(
            Method::POST,
            &url,
            &[],
            Some(&RollbackRequest { transaction }),
            Retry::Read,
        )
        .await
        .map(drop)
    }

    /// Runs `f` in a read-write transaction and commits the writes it returns, starting over
    /// (with back-off, up to [`Config::transaction_attempts`] times) when the transaction
    /// loses to contention — `ABORTED` or unavailability at the commit, or `ABORTED` on one
    /// of its reads. `f` reads through the [`Transaction`] it is given and must not have other
    /// side effects: it may run several times. When `f` fails, the transaction is rolled back
    /// and its error returned (started over first if a read of it saw contention).
    ///
    /// Answers `f`'s value and the commit's answer.
    pub async fn run_transaction<T, E, F, Fut>(&self, mut f: F) -> Result<(T, CommitResponse), E>
    where
        F: FnMut(Transaction) -> Fut,
        Fut: Future<Output = Result<(T, Vec<Write>), E>>,
        E: From<Error>,
    {
        let attempts = self.inner.transaction_attempts;
        let mut previous: Option<String> = None;
        let mut attempt = 1;
        loop {
            let tx = self.begin(false, previous.as_deref()).await?;
            let last = attempt >= attempts;
            match f(tx.clone()).await {
                Ok((value, writes)) => {
                    match self.commit_in(&writes, Some(tx.id()), Retry::Never).await {
                        Ok(response) => return Ok((value, response)),
                        Err(e) if !last && restarts_transaction(&e) => {
                            tracing::debug!(attempt, error = %e, "Firestore transaction lost: starting over");
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
                Err(e) => {
                    let contended = tx.saw_contention();
                    if let Err(rb) = self.rollback_id(tx.id()).await {
                        tracing::debug!(error = %rb, "Firestore rollback failed (the transaction expires by itself)");
                    }
                    if last || !contended {
                        return Err(e);
                    }
                    tracing::debug!(attempt, "Firestore transaction read lost: starting over");
                }
            }
            previous = Some(tx.id().to_owned());
            tokio::time::sleep(self.inner.backoff.delay(attempt)).await;
            attempt += 1;
        }
    }

    // --- HTTP ------------------------------------------------------------------------------

    fn document_url(&self, path: &str) -> String {
        format!(
            "{}{}/{}",
            self.inner.base,
            self.inner.documents_root,
            url_path(path)
        )
    }

    fn method_url(&self, method: &str) -> String {
        format!("{}{}:{method}", self.inner.base, self.inner.documents_root)
    }

    fn query_url(&self, query: &Query, method: &str) -> Result<String> {
        match &query.parent {
            None => Ok(self.method_url(method)),
            Some(parent) => {
                check_path(parent, true)?;
                Ok(format!(
                    "{}{}/{}:{method}",
                    self.inner.base,
                    self.inner.documents_root,
                    url_path(parent)
                ))
            }
        }
    }

    async fn call_query<B: Serialize, R: DeserializeOwned>(
        &self,
        url: &str,
        body: &B,
        retry: Retry,
    ) -> Result<R> {
        self.request(Method::POST, url, &[], Some(body), retry, true)
            .await
    }

    async fn call<B: Serialize, R: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        query: &[(&str, String)],
        body: Option<&B>,
        retry: Retry,
    ) -> Result<R> {
        self.request(method, url, query, body, retry, false).await
    }

    /// One REST call, repeated as `retry` allows.
    async fn request<B: Serialize, R: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        query: &[(&str, String)],
        body: Option<&B>,
        retry: Retry,
        is_query: bool,
    ) -> Result<R> {
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| Error::Protocol(format!("encoding the request: {e}")))?;
        let mut attempt = 1;
        loop {
            let (err, wait) = match self
                .attempt(&method, url, query, body.as_deref(), is_query)
                .await
            {
                Ok(bytes) => {
                    return serde_json::from_slice(&bytes).map_err(|e| {
                        Error::Protocol(format!("unreadable answer from {url}: {e}"))
                    });
                }
                Err(e) => e,
            };
            if attempt >= self.inner.max_attempts || !retry.allows(&err) {
                return Err(err);
            }
            let delay = wait.unwrap_or_else(|| self.inner.backoff.delay(attempt));
            tracing::debug!(%method, url, attempt, ?delay, error = %err, "Firestore: retrying");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// One attempt: the answer's body, or the error and the server's `Retry-After`.
    async fn attempt(
        &self,
        method: &Method,
        url: &str,
        query: &[(&str, String)],
        body: Option<&[u8]>,
        is_query: bool,
    ) -> Result<Vec<u8>, (Error, Option<std::time::Duration>)> {
        let authorization = self.authorization().await.map_err(|e| (e, None))?;
        let mut req = self
            .inner
            .http
            .request(method.clone(), url)
            .header(reqwest::header::AUTHORIZATION, authorization);
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(b) = body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(b.to_vec());
        }
        let resp = req.send().await.map_err(|e| (Error::Transport(e), None))?;
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|s| std::time::Duration::from_secs(s.min(60)));
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| (Error::Transport(e), None))?;
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        let (code, message) = parse_error(status.as_u16(), &bytes);
        let code = if status == StatusCode::TOO_MANY_REQUESTS && code == Code::Unknown {
            Code::ResourceExhausted
        } else {
            code
        };
        Err((
            Error::from_status(code, status.as_u16(), message, is_query),
            retry_after,
        ))
    }

    async fn authorization(&self) -> Result<String> {
        match &self.inner.auth {
            Auth::Emulator => Ok("Bearer owner".to_owned()),
            Auth::Google(p) => {
                let token = p.token(SCOPES).await.map_err(Error::Auth)?;
                Ok(format!("Bearer {}", token.as_str()))
            }
        }
    }
}

impl Inner {
    fn backoff_initial(&self) -> std::time::Duration {
        self.backoff.initial()
    }
    fn backoff_max(&self) -> std::time::Duration {
        self.backoff.max()
    }
}

/// Whether a transaction's failed commit is worth starting over: contention, or a refusal
/// that says nothing was applied.
fn restarts_transaction(e: &Error) -> bool {
    match e {
        Error::Aborted(_) => true,
        Error::Unavailable { code, .. } => {
            matches!(code, Code::Unavailable | Code::ResourceExhausted)
        }
        Error::Transport(t) => t.is_connect(),
        _ => false,
    }
}

#[derive(Serialize)]
struct FieldsBody<'a> {
    fields: &'a Fields,
}

/// `http://host:port` of the emulator from `host:port` (or an `http://` URL).
fn emulator_origin(host: &str) -> Result<String> {
    let given = host.trim();
    let (scheme, rest) = match given.split_once("://") {
        Some((scheme @ ("http" | "https"), rest)) => (scheme, rest),
        Some(_) => {
            return Err(Error::Config(format!(
                "emulator host {host:?} is not host:port"
            )));
        }
        None => ("http", given),
    };
    let rest = rest.trim_end_matches('/');
    if rest.is_empty() || rest.contains('/') || rest.contains(char::is_whitespace) {
        return Err(Error::Config(format!(
            "emulator host {host:?} is not host:port"
        )));
    }
    Ok(format!("{scheme}://{rest}"))
}

/// A project or database id: non-empty, no `/`, nothing that needs escaping in a URL.
fn check_id(what: &str, id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '(' | ')'));
    if ok {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "{what} {id:?} is missing or not an id"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emulator_addresses() {
        // (input, origin)
        let table = [
            ("127.0.0.1:8080", Some("http://127.0.0.1:8080")),
            ("localhost:8080/", Some("http://localhost:8080")),
            ("http://127.0.0.1:9", Some("http://127.0.0.1:9")),
            ("", None),
            ("http://", None),
            ("a b:1", None),
            ("h:1/path", None),
            ("ftp://h:1", None),
        ];
        for (input, expected) in table {
            assert_eq!(
                emulator_origin(input).ok().as_deref(),
                expected,
                "{input:?}"
            );
        }
    }

    #[test]
    fn names_and_urls() {
        let c = Client::emulator("demo-p", "127.0.0.1:8080").unwrap();
        assert!(c.is_emulator());
        assert_eq!(c.database_name(), "projects/demo-p/databases/(default)");
        assert_eq!(
            c.document_name("c/a"),
            "projects/demo-p/databases/(default)/documents/c/a"
        );
        assert_eq!(
            c.document_url("c/a b"),
            "http://127.0.0.1:8080/v1/projects/demo-p/databases/(default)/documents/c/a%20b"
        );
        assert_eq!(
            c.method_url("commit"),
            "http://127.0.0.1:8080/v1/projects/demo-p/databases/(default)/documents:commit"
        );
        assert_eq!(
            c.query_url(&Query::subcollection("c/a", "notes"), "runQuery")
                .unwrap(),
            "http://127.0.0.1:8080/v1/projects/demo-p/databases/(default)/documents/c/a:runQuery"
        );
        assert!(
            c.query_url(&Query::subcollection("c", "notes"), "runQuery")
                .is_err()
        );
        let other = c.with_project("demo-q").unwrap();
        assert_eq!(
            other.document_name("c/a"),
            "projects/demo-q/databases/(default)/documents/c/a"
        );
        assert!(Client::emulator("", "127.0.0.1:1").is_err());
        assert!(Client::emulator("a/b", "127.0.0.1:1").is_err());
    }

    #[tokio::test]
    async fn bad_paths_are_refused_before_any_request() {
        // nothing listens on port 9: a request would be a transport error, not a path error
        let c = Client::emulator("demo-p", "127.0.0.1:9").unwrap();
        assert!(matches!(c.get("c").await, Err(Error::Path(_))));
        assert!(matches!(c.get("c/a/b").await, Err(Error::Path(_))));
        assert!(matches!(
            c.create("c/a", "x", &Fields::new()).await,
            Err(Error::Path(_))
        ));
        assert!(matches!(c.delete("", None).await, Err(Error::Path(_))));
        assert!(matches!(
            c.commit(&[Write::delete("c")]).await,
            Err(Error::Path(_))
        ));
    }
}

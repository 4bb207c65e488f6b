//! [`SalesStore`] on the shared SQLite database (migration `20-sales`). Leads have no other
//! store: when customers and orders live in Firestore, the database's foreign keys are off and
//! a lead's customer and order are not checked here.
//!
//! - `sales_pipelines` (one default, names unique by their fold) and `sales_stages` with
//!   their board `position`.
//! - `leads`: one row per lead; the prospect, tags and quoted lines as JSON; `status` copied
//!   from the stage (a stage holding leads never changes between open, won and lost, so it
//!   stays true); `search_key` the folded title and prospect name for the free-text filter,
//!   `tag_keys` the folded tags for the tag filter; `origin_key` (migration `26-origin-keys`,
//!   unique when set) the workflow output that created it, written in the creating write.
//! - `lead_stage_moves` and `lead_assignments`: append-only (triggers refuse UPDATE and
//!   DELETE). An assignment lasts until the next one's `at`, computed when read.
//! - [`reassign_customer`] moves every lead of one customer to another inside a caller's
//!   transaction (the customer merge).

use crm_core::store::check_version;
use crm_core::{Db, Timestamp, is_constraint_violation};
use rusqlite::types::{Type, Value};
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use uuid::Uuid;

use crate::error::{Error, Result, conflict, in_use, lead_not_found, pipeline_not_found};
use crate::model::{
    Assignment, Before, CursorPage, Lead, LeadStatus, ListQuery, PAGE_SIZE, Pipeline, Source,
    Stage, StageMoveRecord, format_date, parse_date,
};
use crate::store::{SalesStore, ViewRows};

const LEAD_COLUMNS: &str = "id, title, customer_id, prospect, source, estimated_value, currency, \
     expected_close, pipeline_id, stage_id, status, owner, lost_reason, tags, lines, \
     converted_customer_id, converted_order_id, created_at, updated_at, version";

/// Leads and pipelines in the CRM's SQLite database.
#[derive(Debug, Clone)]
pub struct SqliteSalesStore {
    db: Db,
}

impl SqliteSalesStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }
}

fn conversion_failure(
    i: usize,
    e: impl Into<Box<dyn std::error::Error + Send + Sync>>,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, Type::Text, e.into())
}

fn uuid_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Uuid> {
    let s: String = r.get(i)?;
    Uuid::parse_str(&s).map_err(|e| conversion_failure(i, e))
}

fn opt_uuid_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<Uuid>> {
    r.get::<_, Option<String>>(i)?
        .map(|s| Uuid::parse_str(&s).map_err(|e| conversion_failure(i, e)))
        .transpose()
}

fn name_at<T>(r: &Row<'_>, i: usize, parse: fn(&str) -> Option<T>) -> rusqlite::Result<T> {
    let s: String = r.get(i)?;
    parse(&s).ok_or_else(|| conversion_failure(i, format!("unknown value `{s}`")))
}

fn json_at<T: serde::de::DeserializeOwned>(r: &Row<'_>, i: usize) -> rusqlite::Result<T> {
    let s: String = r.get(i)?;
    serde_json::from_str(&s).map_err(|e| conversion_failure(i, e))
}

fn lead_from_row(r: &Row<'_>) -> rusqlite::Result<Lead> {
    Ok(Lead {
        id: uuid_at(r, 0)?,
        title: r.get(1)?,
        customer_id: opt_uuid_at(r, 2)?,
        prospect: match r.get::<_, Option<String>>(3)? {
            None => None,
            Some(s) => Some(serde_json::from_str(&s).map_err(|e| conversion_failure(3, e))?),
        },
        source: name_at(r, 4, Source::parse)?,
        estimated_value: r.get(5)?,
        currency: r.get(6)?,
        expected_close: match r.get::<_, Option<String>>(7)? {
            None => None,
            Some(s) => Some(parse_date(&s).ok_or_else(|| conversion_failure(7, "not a date"))?),
        },
        pipeline_id: uuid_at(r, 8)?,
        stage_id: uuid_at(r, 9)?,
        status: name_at(r, 10, LeadStatus::parse)?,
        owner: r.get(11)?,
        lost_reason: r.get(12)?,
        tags: json_at(r, 13)?,
        lines: json_at(r, 14)?,
        converted_customer_id: opt_uuid_at(r, 15)?,
        converted_order_id: opt_uuid_at(r, 16)?,
        created_at: r.get(17)?,
        updated_at: r.get(18)?,
        version: r.get(19)?,
    })
}

fn load_lead(conn: &Connection, id: Uuid) -> Result<Lead> {
    conn.prepare_cached(&format!("SELECT {LEAD_COLUMNS} FROM leads WHERE id = ?1"))?
        .query_row([id.to_string()], lead_from_row)
        .optional()?
        .ok_or_else(|| lead_not_found(id))
}

fn stages_of(conn: &Connection, pipeline: &str) -> Result<Vec<Stage>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, name, probability, won, lost FROM sales_stages WHERE pipeline_id = ?1 \
             ORDER BY position",
        )?
        .query_map([pipeline], |r| {
            Ok(Stage {
                id: uuid_at(r, 0)?,
                name: r.get(1)?,
                probability: r.get(2)?,
                won: r.get(3)?,
                lost: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

fn pipeline_where(conn: &Connection, condition: &str, arg: &str) -> Result<Option<Pipeline>> {
    let Some(mut p) = conn
        .prepare_cached(&format!(
            "SELECT id, name, is_default, created_at, updated_at, version FROM sales_pipelines \
             WHERE {condition}"
        ))?
        .query_row([arg], |r| {
            Ok(Pipeline {
                id: uuid_at(r, 0)?,
                name: r.get(1)?,
                is_default: r.get(2)?,
                stages: Vec::new(),
                created_at: r.get(3)?,
                updated_at: r.get(4)?,
                version: r.get(5)?,
            })
        })
        .optional()?
    else {
        return Ok(None);
    };
    p.stages = stages_of(conn, &p.id.to_string())?;
    Ok(Some(p))
}

fn load_pipeline(conn: &Connection, id: Uuid) -> Result<Pipeline> {
    pipeline_where(conn, "id = ?1", &id.to_string())?.ok_or_else(|| pipeline_not_found(id))
}

fn insert_stage(conn: &Connection, pipeline: &str, position: usize, s: &Stage) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sales_stages (id, pipeline_id, position, name, probability, won, lost) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        s.id.to_string(),
        pipeline,
        i64::try_from(position).unwrap_or(i64::MAX),
        s.name,
        s.probability,
        s.won,
        s.lost
    ])?;
    Ok(())
}

fn write_pipeline(conn: &Connection, p: &Pipeline) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sales_pipelines (id, name, name_key, is_default, created_at, updated_at, \
         version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        p.id.to_string(),
        p.name,
        crm_core::text::fold(&p.name),
        p.is_default,
        p.created_at,
        p.updated_at,
        p.version
    ])
    .map_err(|e| name_taken(e, &p.name))?;
    let id = p.id.to_string();
    for (i, s) in p.stages.iter().enumerate() {
        insert_stage(conn, &id, i, s)?;
    }
    Ok(())
}

fn name_taken(e: rusqlite::Error, name: &str) -> Error {
    if is_constraint_violation(&e, "sales_pipelines.name_key") {
        conflict(format!("a pipeline named {name} exists"))
    } else {
        Error::from(e)
    }
}

fn leads_in_stage(conn: &Connection, stage: Uuid) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM leads WHERE stage_id = ?1")?
        .query_row([stage.to_string()], |r| r.get(0))?)
}

fn leads_word(n: i64) -> String {
    if n == 1 {
        "1 lead".to_owned()
    } else {
        format!("{n} leads")
    }
}

/// Writes `lead` as a new row or over the stored one.
fn save_lead(conn: &Connection, l: &Lead, insert: bool) -> Result<()> {
    let sql = if insert {
        "INSERT INTO leads (id, title, customer_id, prospect, source, estimated_value, currency, \
         expected_close, pipeline_id, stage_id, status, owner, lost_reason, tags, lines, \
         converted_customer_id, converted_order_id, created_at, updated_at, version, search_key, \
         tag_keys) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, \
         ?17, ?18, ?19, ?20, ?21, ?22)"
    } else {
        "UPDATE leads SET title = ?2, customer_id = ?3, prospect = ?4, source = ?5, \
         estimated_value = ?6, currency = ?7, expected_close = ?8, pipeline_id = ?9, \
         stage_id = ?10, status = ?11, owner = ?12, lost_reason = ?13, tags = ?14, lines = ?15, \
         converted_customer_id = ?16, converted_order_id = ?17, created_at = ?18, \
         updated_at = ?19, version = ?20, search_key = ?21, tag_keys = ?22 WHERE id = ?1"
    };
    let prospect = l.prospect.as_ref().map(serde_json::to_string).transpose()?;
    let tag_keys: Vec<String> = l.tags.iter().map(|t| crm_core::text::fold(t)).collect();
    conn.prepare_cached(sql)?
        .execute(params![
            l.id.to_string(),
            l.title,
            l.customer_id.map(|c| c.to_string()),
            prospect,
            l.source.as_str(),
            l.estimated_value,
            l.currency,
            l.expected_close.map(format_date),
            l.pipeline_id.to_string(),
            l.stage_id.to_string(),
            l.status.as_str(),
            l.owner,
            l.lost_reason,
            serde_json::to_string(&l.tags)?,
            serde_json::to_string(&l.lines)?,
            l.converted_customer_id.map(|c| c.to_string()),
            l.converted_order_id.map(|c| c.to_string()),
            l.created_at,
            l.updated_at,
            l.version,
            l.search_key(),
            serde_json::to_string(&tag_keys)?
        ])
        .map_err(|e| {
            if is_constraint_violation(&e, "FOREIGN KEY") {
                Error::invalid("customer_id", "no such customer")
            } else {
                Error::from(e)
            }
        })?;
    Ok(())
}

fn record_move(
    conn: &Connection,
    lead: Uuid,
    from: Option<Uuid>,
    to: Uuid,
    actor: &str,
    at: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO lead_stage_moves (lead_id, from_stage_id, to_stage_id, actor, at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        lead.to_string(),
        from.map(|f| f.to_string()),
        to.to_string(),
        actor,
        at
    ])?;
    Ok(())
}

fn record_assignment(
    conn: &Connection,
    lead: Uuid,
    owner: Option<&str>,
    actor: &str,
    at: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO lead_assignments (lead_id, owner, assigned_by, at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![lead.to_string(), owner, actor, at])?;
    Ok(())
}

/// `%` and `_` taken literally in a LIKE pattern escaped with `\`.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The WHERE clause of a list's filters and its arguments (without the cursor).
fn list_filter(q: &ListQuery) -> (String, Vec<Value>) {
    let mut terms: Vec<String> = vec!["1".to_owned()];
    let mut args: Vec<Value> = Vec::new();
    let mut add = |term: &str, v: Value| {
        args.push(v);
        terms.push(term.replace('?', &format!("?{}", args.len())));
    };
    if let Some(p) = q.pipeline_id {
        add("pipeline_id = ?", Value::Text(p.to_string()));
    }
    if let Some(s) = q.stage_id {
        add("stage_id = ?", Value::Text(s.to_string()));
    }
    if let Some(o) = &q.owner {
        add("owner = ?", Value::Text(o.trim().to_owned()));
    }
    if let Some(s) = q.status {
        add("status = ?", Value::Text(s.as_str().to_owned()));
    }
    if let Some(s) = q.source {
        add("source = ?", Value::Text(s.as_str().to_owned()));
    }
    if let Some(t) = &q.tag {
        add(
            "EXISTS (SELECT 1 FROM json_each(leads.tag_keys) WHERE json_each.value = ?)",
            Value::Text(crm_core::text::fold(t.trim())),
        );
    }
    if let Some(c) = q.customer_id {
        add(
            "(customer_id = ? OR converted_customer_id = ?)",
            Value::Text(c.to_string()),
        );
    }
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        for word in crm_core::text::fold(text).split_whitespace() {
            add(
                "search_key LIKE ? ESCAPE '\\'",
                Value::Text(format!("%{}%", like_escape(word))),
            );
        }
    }
    (terms.join(" AND "), args)
}

/// Moves every lead of customer `from` — named as its customer or as the customer it was
/// converted into — to customer `to`, bumping each one's version and `updated_at`; the number
/// of leads moved. Runs on the caller's connection, inside the caller's transaction (a
/// [`Db::write`] closure), so that a customer merge moves leads with everything else or not
/// at all. Moving a customer's leads to itself changes nothing.
pub fn reassign_customer(conn: &Connection, from: Uuid, to: Uuid, now: Timestamp) -> Result<u64> {
    if from == to {
        return Ok(0);
    }
    let moved = conn
        .prepare_cached(
            "UPDATE leads SET \
             customer_id = CASE WHEN customer_id = ?1 THEN ?2 ELSE customer_id END, \
             converted_customer_id = CASE WHEN converted_customer_id = ?1 THEN ?2 \
                 ELSE converted_customer_id END, \
             version = version + 1, updated_at = ?3 \
             WHERE customer_id = ?1 OR converted_customer_id = ?1",
        )?
        .execute(params![from.to_string(), to.to_string(), now])?;
    Ok(u64::try_from(moved).unwrap_or(0))
}

impl SalesStore for SqliteSalesStore {
    async fn ensure_default_pipeline(
        &self,
        name: String,
        stages: Vec<Stage>,
        now: Timestamp,
    ) -> Result<Pipeline> {
        self.db
            .write(move |conn| {
                if let Some(p) = pipeline_where(conn, "is_default = ?1", "1")? {
                    return Ok(p);
                }
                let p = Pipeline {
                    id: Uuid::new_v4(),
                    name,
                    is_default: true,
                    stages,
                    created_at: now,
                    updated_at: now,
                    version: 1,
                };
                write_pipeline(conn, &p)?;
                load_pipeline(conn, p.id)
            })
            .await
    }

    async fn insert_pipeline(
        &self,
        id: Uuid,
        name: String,
        stages: Vec<Stage>,
        now: Timestamp,
    ) -> Result<Pipeline> {
        self.db
            .write(move |conn| {
                let p = Pipeline {
                    id,
                    name,
                    is_default: false,
                    stages,
                    created_at: now,
                    updated_at: now,
                    version: 1,
                };
                write_pipeline(conn, &p)?;
                load_pipeline(conn, id)
            })
            .await
    }

    async fn pipelines(&self) -> Result<Vec<Pipeline>> {
        self.db
            .snapshot(|conn| {
                let ids = conn
                    .prepare_cached(
                        "SELECT id FROM sales_pipelines ORDER BY is_default DESC, name_key, id",
                    )?
                    .query_map([], |r| uuid_at(r, 0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                ids.into_iter().map(|id| load_pipeline(conn, id)).collect()
            })
            .await
    }

    async fn pipeline(&self, id: Uuid) -> Result<Pipeline> {
        self.db.snapshot(move |conn| load_pipeline(conn, id)).await
    }

    async fn update_pipeline<F>(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        now: Timestamp,
        change: F,
    ) -> Result<Pipeline>
    where
        F: FnOnce(&Pipeline) -> Result<(String, Vec<Stage>)> + Send + 'static,
    {
        self.db
            .write(move |conn| {
                let current = load_pipeline(conn, id)?;
                check_version(current.version, expected_version)?;
                let (name, stages) = change(&current)?;
                if name == current.name && stages == current.stages {
                    return Ok(current);
                }
                for old in &current.stages {
                    let n = match stages.iter().find(|s| s.id == old.id) {
                        Some(new) if new.status() == old.status() => continue,
                        Some(_) => {
                            let n = leads_in_stage(conn, old.id)?;
                            if n == 0 {
                                continue;
                            }
                            return Err(in_use(format!(
                                "the stage {} holds {}: it cannot change between open, won \
                                 and lost until they are moved",
                                old.name,
                                leads_word(n)
                            )));
                        }
                        None => leads_in_stage(conn, old.id)?,
                    };
                    if n > 0 {
                        return Err(in_use(format!(
                            "the stage {} holds {}: move them before removing it",
                            old.name,
                            leads_word(n)
                        )));
                    }
                    conn.prepare_cached("DELETE FROM sales_stages WHERE id = ?1")?
                        .execute([old.id.to_string()])?;
                }
                let key = id.to_string();
                for (i, s) in stages.iter().enumerate() {
                    if current.stage(s.id).is_some() {
                        conn.prepare_cached(
                            "UPDATE sales_stages SET position = ?2, name = ?3, probability = ?4, \
                             won = ?5, lost = ?6 WHERE id = ?1",
                        )?
                        .execute(params![
                            s.id.to_string(),
                            i64::try_from(i).unwrap_or(i64::MAX),
                            s.name,
                            s.probability,
                            s.won,
                            s.lost
                        ])?;
                    } else {
                        insert_stage(conn, &key, i, s)?;
                    }
                }
                conn.prepare_cached(
                    "UPDATE sales_pipelines SET name = ?2, name_key = ?3, updated_at = ?4, \
                     version = version + 1 WHERE id = ?1",
                )?
                .execute(params![key, name, crm_core::text::fold(&name), now])
                .map_err(|e| name_taken(e, &name))?;
                load_pipeline(conn, id)
            })
            .await
    }

    async fn insert_lead<F>(
        &self,
        pipeline_id: Option<Uuid>,
        actor: String,
        origin_key: Option<String>,
        build: F,
    ) -> Result<(Lead, bool)>
    where
        F: FnOnce(&Pipeline) -> Result<Lead> + Send + 'static,
    {
        self.db
            .write(move |conn| {
                if let Some(key) = &origin_key
                    && let Some(first) = conn
                        .prepare_cached(&format!(
                            "SELECT {LEAD_COLUMNS} FROM leads WHERE origin_key = ?1"
                        ))?
                        .query_row([key], lead_from_row)
                        .optional()?
                {
                    return Ok((first, false));
                }
                let pipeline = match pipeline_id {
                    Some(id) => pipeline_where(conn, "id = ?1", &id.to_string())?,
                    None => pipeline_where(conn, "is_default = ?1", "1")?,
                }
                .ok_or_else(|| Error::invalid("pipeline_id", "no such pipeline"))?;
                let lead = build(&pipeline)?;
                save_lead(conn, &lead, true)?;
                record_move(conn, lead.id, None, lead.stage_id, &actor, lead.created_at)?;
                if let Some(owner) = &lead.owner {
                    record_assignment(conn, lead.id, Some(owner), &actor, lead.created_at)?;
                }
                if let Some(key) = &origin_key {
                    conn.prepare_cached("UPDATE leads SET origin_key = ?2 WHERE id = ?1")?
                        .execute(params![lead.id.to_string(), key])?;
                }
                Ok((load_lead(conn, lead.id)?, true))
            })
            .await
    }

    async fn lead(&self, id: Uuid) -> Result<Lead> {
        self.db.snapshot(move |conn| load_lead(conn, id)).await
    }

    async fn list(&self, query: ListQuery) -> Result<CursorPage<Lead>> {
        self.db
            .snapshot(move |conn| {
                let (filter, mut args) = list_filter(&query);
                let total: i64 = conn
                    .prepare_cached(&format!("SELECT count(*) FROM leads WHERE {filter}"))?
                    .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
                let mut page_filter = filter;
                if let Some(b) = query.before {
                    args.push(Value::Text(b.at.to_string()));
                    args.push(Value::Text(b.id.to_string()));
                    let (a, i) = (args.len() - 1, args.len());
                    page_filter.push_str(&format!(
                        " AND (created_at < ?{a} OR (created_at = ?{a} AND id < ?{i}))"
                    ));
                }
                let limit = PAGE_SIZE.of(query.limit);
                args.push(Value::Integer(i64::from(limit) + 1));
                let mut items = conn
                    .prepare_cached(&format!(
                        "SELECT {LEAD_COLUMNS} FROM leads WHERE {page_filter} \
                         ORDER BY created_at DESC, id DESC LIMIT ?{}",
                        args.len()
                    ))?
                    .query_map(params_from_iter(args.iter()), lead_from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let more = items.len() > limit as usize;
                items.truncate(limit as usize);
                let next_cursor = more.then(|| items.last()).flatten().map(|l| {
                    Before {
                        at: l.created_at,
                        id: l.id,
                    }
                    .to_string()
                });
                Ok(CursorPage {
                    items,
                    total: u64::try_from(total).unwrap_or(0),
                    next_cursor,
                })
            })
            .await
    }

    async fn update_lead<F>(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        actor: String,
        now: Timestamp,
        change: F,
    ) -> Result<Lead>
    where
        F: FnOnce(&Lead, &Pipeline) -> Result<Lead> + Send + 'static,
    {
        self.db
            .write(move |conn| {
                let current = load_lead(conn, id)?;
                check_version(current.version, expected_version)?;
                let pipeline = load_pipeline(conn, current.pipeline_id)?;
                let mut next = change(&current, &pipeline)?;
                next.id = current.id;
                next.pipeline_id = current.pipeline_id;
                next.created_at = current.created_at;
                next.converted_customer_id = current.converted_customer_id;
                next.converted_order_id = current.converted_order_id;
                next.updated_at = current.updated_at;
                next.version = current.version;
                if next == current {
                    return Ok(current);
                }
                next.updated_at = now;
                next.version = current.version + 1;
                save_lead(conn, &next, false)?;
                if next.stage_id != current.stage_id {
                    record_move(conn, id, Some(current.stage_id), next.stage_id, &actor, now)?;
                }
                if next.owner != current.owner {
                    record_assignment(conn, id, next.owner.as_deref(), &actor, now)?;
                }
                load_lead(conn, id)
            })
            .await
    }

    async fn record_conversion(
        &self,
        id: Uuid,
        customer_id: Uuid,
        order_id: Option<Uuid>,
        now: Timestamp,
    ) -> Result<Lead> {
        self.db
            .write(move |conn| {
                let mut lead = load_lead(conn, id)?;
                let before = (lead.converted_customer_id, lead.converted_order_id);
                lead.converted_customer_id = before.0.or(Some(customer_id));
                lead.converted_order_id = before.1.or(order_id);
                if (lead.converted_customer_id, lead.converted_order_id) == before {
                    return Ok(lead);
                }
                lead.updated_at = now;
                lead.version += 1;
                save_lead(conn, &lead, false)?;
                load_lead(conn, id)
            })
            .await
    }

    async fn stage_moves(&self, id: Uuid) -> Result<Vec<StageMoveRecord>> {
        self.db
            .snapshot(move |conn| {
                load_lead(conn, id)?;
                Ok(conn
                    .prepare_cached(
                        "SELECT from_stage_id, to_stage_id, actor, at FROM lead_stage_moves \
                         WHERE lead_id = ?1 ORDER BY seq",
                    )?
                    .query_map([id.to_string()], |r| {
                        Ok(StageMoveRecord {
                            from_stage_id: opt_uuid_at(r, 0)?,
                            to_stage_id: uuid_at(r, 1)?,
                            actor: r.get(2)?,
                            at: r.get(3)?,
                        })
                    })?
                    .collect::<rusqlite::Result<_>>()?)
            })
            .await
    }

    async fn assignments(&self, id: Uuid) -> Result<Vec<Assignment>> {
        self.db
            .snapshot(move |conn| {
                load_lead(conn, id)?;
                let rows: Vec<(Option<String>, String, Timestamp)> = conn
                    .prepare_cached(
                        "SELECT owner, assigned_by, at FROM lead_assignments WHERE lead_id = ?1 \
                         ORDER BY seq",
                    )?
                    .query_map([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect::<rusqlite::Result<_>>()?;
                let untils: Vec<Option<Timestamp>> = rows
                    .iter()
                    .skip(1)
                    .map(|r| Some(r.2))
                    .chain([None])
                    .collect();
                Ok(rows
                    .into_iter()
                    .zip(untils)
                    .map(|((owner, assigned_by, from), until)| Assignment {
                        owner,
                        assigned_by,
                        from,
                        until,
                    })
                    .collect())
            })
            .await
    }

    async fn view_rows(&self, pipeline_id: Uuid) -> Result<ViewRows> {
        self.db
            .snapshot(move |conn| {
                let pipeline = load_pipeline(conn, pipeline_id)?;
                let leads = conn
                    .prepare_cached(
                        "SELECT stage_id, owner, estimated_value FROM leads WHERE pipeline_id = ?1",
                    )?
                    .query_map([pipeline_id.to_string()], |r| {
                        Ok((uuid_at(r, 0)?, r.get(1)?, r.get(2)?))
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                Ok(ViewRows { pipeline, leads })
            })
            .await
    }
}

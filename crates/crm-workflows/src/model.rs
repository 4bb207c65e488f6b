//! Workflows, their versions and runs, and the rules a definition must keep.
//!
//! A workflow has an id, a name, an `enabled` flag and numbered versions. A version's
//! [`Definition`] — a [`Trigger`] and a list of [`Node`]s — is immutable: saving an edited
//! definition adds version n + 1, and a run keeps the version it started on. A definition is
//! validated as a whole when saved ([`Definition::validate`]): an unknown node kind, a `next`
//! or branch naming no node, a missing or malformed config field or an expression that does
//! not parse is `Invalid` naming the field's JSON path (`nodes[2].config.condition`). An event
//! trigger names one of the known [`EVENTS`] (`trigger.name`); a schedule is either
//! `every_minutes` or a `cron` with an optional `timezone` (`trigger.cron`,
//! `trigger.timezone` say what is wrong). An effect node's config is checked against its
//! kind's row of the [`catalogue`](mod@crate::catalogue): required fields, "one of" groups
//! (exactly one of `to`/`customer_id`), choices (`method`), number ranges
//! (`timeout_seconds`), objects of text (`headers.<name>`), lists of text
//! (`parameters[0]`); every string in it, nested ones too, is a template that must parse.
//!
//! Execution starts at the first node and follows `next`; `if`, `switch` and `loop` choose
//! among their `branches`; a chain that ends inside a loop's body returns to the loop. Any node
//! may name an `on_error` node: when it fails, the run continues there with `error` set to
//! the failure's message, instead of failing.

use std::collections::{BTreeMap, HashSet};

use crm_core::{Error, Result, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::catalogue::{self, EVENTS, KindSpec, NODE_KINDS, Need, Shape};
use crate::expr;
use crate::schedule::{Cron, Schedule};

/// What starts a workflow's runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// From the console or the API, with the caller's data.
    Manual,
    /// While enabled, every `every_minutes` minutes (the first one period after enabling), or
    /// at the times of a 5-field `cron` read in `timezone` (default Europe/Athens; see
    /// [`crate::schedule`]) — exactly one of the two. The trigger data is
    /// `{"scheduled_at": "<RFC 3339>"}`.
    Schedule {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        every_minutes: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cron: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timezone: Option<String>,
    },
    /// When the CRM emits the event `name` (`call.missed`, `ticket.created`, …).
    Event { name: String },
}

impl Trigger {
    /// Every `n` minutes.
    pub fn every(minutes: u32) -> Self {
        Trigger::Schedule {
            every_minutes: Some(minutes),
            cron: None,
            timezone: None,
        }
    }

    /// At the times of `cron` in the default zone.
    pub fn cron(cron: &str) -> Self {
        Trigger::Schedule {
            every_minutes: None,
            cron: Some(cron.to_owned()),
            timezone: None,
        }
    }

    /// A schedule trigger's schedule, checked (`Invalid` naming `trigger.<field>`); `None`
    /// for another trigger.
    pub fn schedule(&self) -> Result<Option<Schedule>> {
        let Trigger::Schedule {
            every_minutes,
            cron,
            timezone,
        } = self
        else {
            return Ok(None);
        };
        let schedule = match (every_minutes, cron) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "trigger.cron".into(),
                    "give either every_minutes or cron, not both",
                ));
            }
            (None, None) => {
                return Err(invalid(
                    "trigger.cron".into(),
                    "a schedule needs every_minutes or a cron (e.g. `0 9 * * 1-5`)",
                ));
            }
            (Some(_), None) if timezone.is_some() => {
                return Err(invalid(
                    "trigger.timezone".into(),
                    "a timezone goes with a cron, not with every_minutes",
                ));
            }
            (Some(0), None) => {
                return Err(invalid(
                    "trigger.every_minutes".into(),
                    "must be at least 1",
                ));
            }
            (Some(minutes), None) => Schedule::Every { minutes: *minutes },
            (None, Some(cron)) => Schedule::Cron(Box::new(
                Cron::parse(cron, timezone.as_deref())
                    .map_err(|(field, reason)| invalid(format!("trigger.{field}"), reason))?,
            )),
        };
        Ok(Some(schedule))
    }
}

/// One step of a definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// Unique within the definition: letters, digits, `_` (expressions read `nodes.<key>`).
    pub key: String,
    /// One of the catalogue's [`NODE_KINDS`].
    pub kind: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub config: Map<String, Value>,
    /// The node after this one; none: the chain ends (the run, or a loop's iteration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// `if`: `then`, `else`; `switch`: one per case value, and `default`; `loop`: `body`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub branches: BTreeMap<String, String>,
    /// Where the run goes when this node fails (the error handler branch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_error: Option<String>,
}

/// A version's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    pub trigger: Trigger,
    pub nodes: Vec<Node>,
}

/// Nodes that choose the way: `if`, `switch`, `wait`, `loop`, `stop`.
pub const LOGIC_KINDS: &[&str] = &["if", "switch", "wait", "loop", "stop"];
/// Nodes that compute: `set` (a variable), `json_parse`, `assert`.
pub const UTILITY_KINDS: &[&str] = &["set", "json_parse", "assert"];

/// The units of a `wait`, and the most of each (about two years).
pub const WAIT_UNITS: &[(&str, i64)] = &[
    ("minutes", 60 * 24 * 366 * 2),
    ("hours", 24 * 366 * 2),
    ("days", 366 * 2),
    ("weeks", 53 * 2),
    ("months", 24),
];

/// The most elements a loop may iterate over, whatever its `max`.
pub const MAX_LOOP_ITEMS: i64 = 10_000;

fn invalid(field: String, reason: impl Into<String>) -> Error {
    Error::invalid(field, reason)
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

impl Node {
    /// The catalogue's row of an effect node (output or AI: through [`crate::Outputs`]), or
    /// `None` for another kind.
    pub fn effect(&self) -> Option<&'static KindSpec> {
        catalogue::kind(&self.kind).filter(|k| k.is_effect())
    }

    /// A config field as text, if present.
    pub fn text(&self, field: &str) -> Option<&str> {
        self.config.get(field).and_then(Value::as_str)
    }
}

impl Definition {
    /// The node `key`.
    pub fn node(&self, key: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.key == key)
    }

    /// Checks the whole definition; see the module docs.
    pub fn validate(&self) -> Result<()> {
        match &self.trigger {
            Trigger::Manual => {}
            Trigger::Schedule { .. } => {
                self.trigger.schedule()?;
            }
            Trigger::Event { name } => {
                if catalogue::event(name).is_none() {
                    let known: Vec<&str> = EVENTS.iter().map(|e| e.name).collect();
                    return Err(invalid(
                        "trigger.name".into(),
                        format!("unknown event `{name}`: one of {}", known.join(", ")),
                    ));
                }
            }
        }
        if self.nodes.is_empty() {
            return Err(invalid(
                "nodes".into(),
                "a workflow needs at least one node",
            ));
        }
        if self.nodes.len() > 500 {
            return Err(invalid("nodes".into(), "at most 500 nodes"));
        }
        let keys: Vec<&str> = self.nodes.iter().map(|n| n.key.as_str()).collect();
        let mut seen = HashSet::new();
        for (i, node) in self.nodes.iter().enumerate() {
            if !valid_name(&node.key) {
                return Err(invalid(
                    format!("nodes[{i}].key"),
                    "letters, digits and `_`, not starting with a digit, at most 64",
                ));
            }
            if !seen.insert(node.key.as_str()) {
                return Err(invalid(
                    format!("nodes[{i}].key"),
                    format!("`{}` is already the key of another node", node.key),
                ));
            }
        }
        for (i, node) in self.nodes.iter().enumerate() {
            let target = |field: String, to: &str| {
                if keys.contains(&to) {
                    Ok(())
                } else {
                    Err(invalid(field, format!("no node has the key `{to}`")))
                }
            };
            if let Some(next) = &node.next {
                target(format!("nodes[{i}].next"), next)?;
            }
            if let Some(to) = &node.on_error {
                target(format!("nodes[{i}].on_error"), to)?;
            }
            for (name, to) in &node.branches {
                target(format!("nodes[{i}].branches.{name}"), to)?;
            }
            validate_config(i, node, &keys)?;
        }
        Ok(())
    }
}

/// The checks of one node's kind and config.
fn validate_config(i: usize, node: &Node, keys: &[&str]) -> Result<()> {
    let field = |name: &str| format!("nodes[{i}].config.{name}");
    let required = |name: &str| -> Result<&str> {
        match node.config.get(name) {
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(invalid(field(name), "must be text")),
            None => Err(invalid(field(name), "is required")),
        }
    };
    let expression = |name: &str| -> Result<()> {
        let source = required(name)?;
        expr::check(source, keys).map_err(|reason| invalid(field(name), reason))
    };
    let template = |name: &str, source: &str| -> Result<()> {
        expr::check_template(source, keys).map_err(|reason| invalid(field(name), reason))
    };
    let branches = |allowed: &[&str]| -> Result<()> {
        match node
            .branches
            .keys()
            .find(|b| !allowed.contains(&b.as_str()))
        {
            Some(b) => Err(invalid(
                format!("nodes[{i}].branches.{b}"),
                format!(
                    "a {} node has the branches {}",
                    node.kind,
                    allowed.join(", ")
                ),
            )),
            None => Ok(()),
        }
    };
    match node.kind.as_str() {
        "if" => {
            expression("condition")?;
            branches(&["then", "else"])?;
        }
        "switch" => expression("value")?,
        "wait" => {
            let unit = required("unit")?;
            let Some((_, most)) = WAIT_UNITS.iter().find(|(u, _)| *u == unit) else {
                let units: Vec<&str> = WAIT_UNITS.iter().map(|(u, _)| *u).collect();
                return Err(invalid(
                    field("unit"),
                    format!("one of {}", units.join(", ")),
                ));
            };
            match node.config.get("amount").and_then(Value::as_i64) {
                Some(n) if (1..=*most).contains(&n) => {}
                Some(_) => return Err(invalid(field("amount"), format!("from 1 to {most}"))),
                None => return Err(invalid(field("amount"), "a whole number is required")),
            }
        }
        "loop" => {
            expression("items")?;
            if let Some(max) = node.config.get("max") {
                match max.as_i64() {
                    Some(n) if (1..=MAX_LOOP_ITEMS).contains(&n) => {}
                    _ => {
                        return Err(invalid(
                            field("max"),
                            format!("a whole number from 1 to {MAX_LOOP_ITEMS}"),
                        ));
                    }
                }
            }
            branches(&["body"])?;
            if !node.branches.contains_key("body") {
                return Err(invalid(
                    format!("nodes[{i}].branches.body"),
                    "a loop needs a body",
                ));
            }
        }
        "stop" => branches(&[])?,
        "set" => {
            let name = required("name")?;
            if !valid_name(name) {
                return Err(invalid(field("name"), "letters, digits and `_`"));
            }
            expression("value")?;
        }
        "json_parse" => expression("source")?,
        "assert" => {
            expression("condition")?;
            if let Some(message) = node.config.get("message") {
                let Some(message) = message.as_str() else {
                    return Err(invalid(field("message"), "must be text"));
                };
                template("message", message)?;
            }
        }
        kind => {
            let Some(spec) = node.effect() else {
                let kinds: Vec<&str> = NODE_KINDS.iter().map(|k| k.kind).collect();
                return Err(invalid(
                    format!("nodes[{i}].kind"),
                    format!("unknown node kind `{kind}`: one of {}", kinds.join(", ")),
                ));
            };
            validate_effect(i, node, spec, keys)?;
            branches(&[])?;
        }
    }
    if node.kind != "if" && node.kind != "loop" && node.kind != "switch" {
        branches(&[])?;
    }
    Ok(())
}

/// The checks of an effect node's config against its kind's row of the catalogue: required
/// fields, "one of" groups (exactly one given), each field's shape, and every string, nested
/// ones included, a template that parses.
fn validate_effect(i: usize, node: &Node, spec: &KindSpec, keys: &[&str]) -> Result<()> {
    let field = |name: &str| format!("nodes[{i}].config.{name}");
    let given = |name: &str| node.config.get(name).is_some_and(|v| !v.is_null());
    let mut groups: Vec<&str> = Vec::new();
    for f in spec.fields {
        match f.need {
            Need::Required if !given(f.name) => {
                return Err(invalid(field(f.name), "is required"));
            }
            Need::OneOf(group) if !groups.contains(&group) => {
                groups.push(group);
                let members: Vec<&str> = spec
                    .fields
                    .iter()
                    .filter(|g| g.need == Need::OneOf(group))
                    .map(|g| g.name)
                    .collect();
                let present: Vec<&str> = members.iter().copied().filter(|m| given(m)).collect();
                match present.as_slice() {
                    [_] => {}
                    [] => {
                        return Err(invalid(
                            field(members[0]),
                            format!("one of {} is required", members.join(", ")),
                        ));
                    }
                    [_, second, ..] => {
                        return Err(invalid(
                            field(second),
                            format!("give only one of {}", members.join(", ")),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    for (name, value) in &node.config {
        let path = field(name);
        let shape = spec.fields.iter().find(|f| f.name == name);
        match (shape.map(|f| f.shape), value) {
            (_, Value::Null) => {}
            (Some(Shape::Choice), v) => {
                let choices = shape.map(|f| f.choices).unwrap_or_default();
                if !v.as_str().is_some_and(|s| choices.contains(&s)) {
                    return Err(invalid(path, format!("one of {}", choices.join(", "))));
                }
            }
            (Some(Shape::Number { min, max }), v) => match v.as_i64() {
                Some(n) if (min..=max).contains(&n) => {}
                _ => {
                    return Err(invalid(path, format!("a whole number from {min} to {max}")));
                }
            },
            (Some(Shape::ObjectOfTemplates), v) => {
                let Some(object) = v.as_object() else {
                    return Err(invalid(path, "must be an object of text values"));
                };
                for (key, v) in object {
                    let Some(text) = v.as_str() else {
                        return Err(invalid(format!("{path}.{key}"), "must be text"));
                    };
                    expr::check_template(text, keys)
                        .map_err(|reason| invalid(format!("{path}.{key}"), reason))?;
                }
            }
            (Some(Shape::ListOfTemplates), v) => {
                let Some(list) = v.as_array() else {
                    return Err(invalid(path, "must be a list of text"));
                };
                for (n, v) in list.iter().enumerate() {
                    let Some(text) = v.as_str() else {
                        return Err(invalid(format!("{path}[{n}]"), "must be text"));
                    };
                    expr::check_template(text, keys)
                        .map_err(|reason| invalid(format!("{path}[{n}]"), reason))?;
                }
            }
            (Some(Shape::Url), v) => {
                let Some(text) = v.as_str() else {
                    return Err(invalid(path, "must be text"));
                };
                expr::check_template(text, keys).map_err(|reason| invalid(path.clone(), reason))?;
                let literal = text.trim_start();
                if !literal.starts_with("{{")
                    && !literal.starts_with("http://")
                    && !literal.starts_with("https://")
                {
                    return Err(invalid(path, "an http:// or https:// address"));
                }
            }
            (Some(_), v) if !v.is_string() => return Err(invalid(path, "must be text")),
            (_, v) => templates_in(&path, v, keys)?,
        }
    }
    Ok(())
}

/// Checks every string inside `value` (objects and lists too) as a template.
fn templates_in(path: &str, value: &Value, keys: &[&str]) -> Result<()> {
    match value {
        Value::String(s) => {
            expr::check_template(s, keys).map_err(|reason| invalid(path.to_owned(), reason))
        }
        Value::Array(list) => list
            .iter()
            .enumerate()
            .try_for_each(|(n, v)| templates_in(&format!("{path}[{n}]"), v, keys)),
        Value::Object(object) => object
            .iter()
            .try_for_each(|(k, v)| templates_in(&format!("{path}.{k}"), v, keys)),
        _ => Ok(()),
    }
}

/// A workflow with its current version's definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Workflow {
    pub id: Uuid,
    pub name: String,
    pub enabled: bool,
    pub version: i64,
    pub definition: Definition,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Waiting,
    Succeeded,
    Failed,
    Cancelled,
}

crm_core::names!(RunStatus {
    Running = "running",
    Waiting = "waiting",
    Succeeded = "succeeded",
    Failed = "failed",
    Cancelled = "cancelled",
});

/// One run of a workflow version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Run {
    pub id: Uuid,
    pub workflow_id: Uuid,
    pub version: i64,
    pub status: RunStatus,
    /// How many runs caused this one (0: a person, a schedule or a CRM event).
    pub depth: u32,
    #[schema(value_type = Object)]
    pub trigger: Value,
    /// The node the run executes next (when running or waiting), or failed at.
    pub cursor: Option<String>,
    /// How many steps it has taken (its per-node log has them).
    #[serde(rename = "step_count")]
    pub steps: i64,
    pub failed_node: Option<String>,
    pub error: Option<String>,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

/// One node executed by a run: the per-node log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Step {
    pub seq: i64,
    pub node: String,
    pub kind: String,
    pub succeeded: bool,
    #[schema(value_type = Option<Object>)]
    pub input: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub output: Option<Value>,
    pub error: Option<String>,
    /// An output node's key, as the [`crate::Outputs`] port received it.
    pub idempotency_key: Option<String>,
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    pub duration_us: i64,
}

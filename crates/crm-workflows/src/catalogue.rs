//! The catalogue of what a definition may contain: the triggers, the events the CRM emits
//! ([`EVENTS`], with the data each carries) and every node kind with its config fields
//! ([`NODE_KINDS`]).
//!
//! **One source of truth.** [`Definition::validate`](crate::Definition::validate) checks an
//! effect node's config against its kind's row here (required fields, "one of" groups, the
//! shape of each field), and [`catalogue`] serves the same rows to the console, which builds
//! its forms from them. Logic and utility nodes have rules of their own in [`crate::model`];
//! their rows here describe them for the forms.
//!
//! Every string in an effect node's config is a `{{ }}` template, nested objects and lists
//! included (an `http_request`'s `headers`); a `choice` field must be one of its choices as
//! written, and a `number` field a whole number in its range.

use serde::Serialize;
use utoipa::ToSchema;

/// An event the CRM emits: its name, what it means, and the fields of its trigger data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub data: &'static [&'static str],
}

const ENTRY_DATA: &[&str] = &["entry_id", "customer_id", "sender", "subject", "body"];

/// The events a workflow's trigger may name (`trigger.name`); any other is refused.
pub const EVENTS: &[EventSpec] = &[
    EventSpec {
        name: "call.missed",
        description: "A call to the company was not answered.",
        data: ENTRY_DATA,
    },
    EventSpec {
        name: "whatsapp.received",
        description: "A WhatsApp message arrived (customer_id is null for an unknown sender).",
        data: ENTRY_DATA,
    },
    EventSpec {
        name: "email.received",
        description: "An e-mail arrived (customer_id is null for an unknown sender).",
        data: ENTRY_DATA,
    },
    EventSpec {
        name: "ticket.created",
        description: "A service ticket was opened.",
        data: &[
            "ticket_id",
            "number",
            "customer_id",
            "title",
            "priority",
            "kind",
            "assignee",
        ],
    },
    EventSpec {
        name: "lead.created",
        description: "A sales lead was opened.",
        data: &["lead_id", "customer_id", "title"],
    },
    EventSpec {
        name: "order.delivered",
        description: "An order's status became delivered.",
        data: &["order_id", "number", "customer_id"],
    },
];

/// The event `name`, if the CRM emits it.
pub fn event(name: &str) -> Option<&'static EventSpec> {
    EVENTS.iter().find(|e| e.name == name)
}

/// Where a node kind sits in the console's palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// Chooses the way: `if`, `switch`, `wait`, `loop`, `stop`.
    Logic,
    /// Computes: `set`, `json_parse`, `assert`.
    Utility,
    /// Acts on the CRM or the world through [`crate::Outputs`].
    Output,
    /// Asks the language model, through [`crate::Outputs`].
    Ai,
}

/// Whether a field must be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Required,
    Optional,
    /// Exactly one of the fields sharing this group name.
    OneOf(&'static str),
}

/// What a field holds, and what is checked when a definition is saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Plain text (a name), not a template.
    Text,
    /// Text with `{{ }}` holes.
    Template,
    /// An expression (conditions, values).
    Expression,
    /// A whole number from `min` to `max`.
    Number { min: i64, max: i64 },
    /// One of the field's choices, as written.
    Choice,
    /// An object whose values are templates.
    ObjectOfTemplates,
    /// A list of templates.
    ListOfTemplates,
    /// The http(s) address of a request: a template, checked when it is written out.
    Url,
}

impl Shape {
    /// The form control the console shows.
    fn kind(self) -> FieldKind {
        match self {
            Shape::Text => FieldKind::Text,
            Shape::Template | Shape::Url => FieldKind::Template,
            Shape::Expression => FieldKind::Expression,
            Shape::Number { .. } => FieldKind::Number,
            Shape::Choice => FieldKind::Choice,
            Shape::ObjectOfTemplates | Shape::ListOfTemplates => FieldKind::Object,
        }
    }
}

/// One config field of a node kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub need: Need,
    pub shape: Shape,
    pub choices: &'static [&'static str],
    pub help: &'static str,
}

/// A node kind: its palette group, labels and fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindSpec {
    pub kind: &'static str,
    pub group: Group,
    pub label_el: &'static str,
    pub description: &'static str,
    pub fields: &'static [FieldSpec],
}

impl KindSpec {
    /// An effect node: through [`crate::Outputs::perform`].
    pub fn is_effect(&self) -> bool {
        matches!(self.group, Group::Output | Group::Ai)
    }
}

const fn f(name: &'static str, need: Need, shape: Shape, help: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        need,
        shape,
        choices: &[],
        help,
    }
}

use Need::{OneOf, Optional, Required};
use Shape::{Expression, ListOfTemplates, ObjectOfTemplates, Template};

/// The HTTP methods an `http_request` may use.
pub const HTTP_METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Every node kind, in palette order.
pub const NODE_KINDS: &[KindSpec] = &[
    KindSpec {
        kind: "if",
        group: Group::Logic,
        label_el: "Συνθήκη",
        description: "Goes to the `then` branch when the condition holds, else to `else`.",
        fields: &[f(
            "condition",
            Required,
            Expression,
            "e.g. trigger.priority == \"urgent\"",
        )],
    },
    KindSpec {
        kind: "switch",
        group: Group::Logic,
        label_el: "Επιλογή",
        description: "Goes to the branch named by the value, or `default`.",
        fields: &[f(
            "value",
            Required,
            Expression,
            "its text names the branch",
        )],
    },
    KindSpec {
        kind: "wait",
        group: Group::Logic,
        label_el: "Αναμονή",
        description: "Waits, then goes on; survives restarts.",
        fields: &[
            f(
                "amount",
                Required,
                Shape::Number {
                    min: 1,
                    max: 1_054_080,
                },
                "how many units",
            ),
            FieldSpec {
                name: "unit",
                need: Required,
                shape: Shape::Choice,
                choices: &["minutes", "hours", "days", "weeks", "months"],
                help: "calendar months keep the day of the month",
            },
        ],
    },
    KindSpec {
        kind: "loop",
        group: Group::Logic,
        label_el: "Επανάληψη",
        description: "Runs the `body` branch once per element of a list (`item`, `index`).",
        fields: &[
            f(
                "items",
                Required,
                Expression,
                "a list, e.g. nodes.lookup.orders",
            ),
            f(
                "max",
                Optional,
                Shape::Number {
                    min: 1,
                    max: crate::model::MAX_LOOP_ITEMS,
                },
                "the most elements",
            ),
        ],
    },
    KindSpec {
        kind: "stop",
        group: Group::Logic,
        label_el: "Τέλος",
        description: "Ends the run successfully.",
        fields: &[],
    },
    KindSpec {
        kind: "set",
        group: Group::Utility,
        label_el: "Μεταβλητή",
        description: "Stores a value as `vars.<name>`.",
        fields: &[
            f("name", Required, Shape::Text, "letters, digits and _"),
            f("value", Required, Expression, "the value to store"),
        ],
    },
    KindSpec {
        kind: "json_parse",
        group: Group::Utility,
        label_el: "Ανάγνωση JSON",
        description: "Parses text as JSON; the output is the value.",
        fields: &[f("source", Required, Expression, "text holding JSON")],
    },
    KindSpec {
        kind: "assert",
        group: Group::Utility,
        label_el: "Έλεγχος",
        description: "Fails the node with the message unless the condition holds.",
        fields: &[
            f("condition", Required, Expression, "what must hold"),
            f("message", Optional, Template, "the failure's message"),
        ],
    },
    KindSpec {
        kind: "send_whatsapp",
        group: Group::Output,
        label_el: "Αποστολή WhatsApp",
        description: "Sends a WhatsApp message: text, or an approved template. Output {entry_id, message_id}.",
        fields: &[
            f("to", OneOf("recipient"), Template, "a phone number"),
            f(
                "customer_id",
                OneOf("recipient"),
                Template,
                "the customer's WhatsApp or mobile number",
            ),
            f(
                "text",
                OneOf("message"),
                Template,
                "the message (inside the 24-hour window)",
            ),
            f(
                "template",
                OneOf("message"),
                Template,
                "an approved template's name",
            ),
            f(
                "language",
                Optional,
                Template,
                "the template's language, default el",
            ),
            f(
                "parameters",
                Optional,
                ListOfTemplates,
                "a list of the template's parameters",
            ),
        ],
    },
    KindSpec {
        kind: "send_email",
        group: Group::Output,
        label_el: "Αποστολή e-mail",
        description: "Sends a plain-text e-mail. Output {entry_id, message_id}.",
        fields: &[
            f("to", OneOf("recipient"), Template, "an e-mail address"),
            f(
                "customer_id",
                OneOf("recipient"),
                Template,
                "the customer's first e-mail address",
            ),
            f("subject", Required, Template, "the subject"),
            f("body", Required, Template, "the text"),
            f(
                "account",
                Optional,
                Template,
                "the mail account to send from",
            ),
        ],
    },
    KindSpec {
        kind: "create_ticket",
        group: Group::Output,
        label_el: "Νέο ticket",
        description: "Opens a service ticket. Output {ticket_id, number, assignee}.",
        fields: &[
            f("title", Required, Template, "the subject"),
            f(
                "customer_id",
                Optional,
                Template,
                "the customer (a ticket needs one)",
            ),
            f("description", Optional, Template, "the details"),
            f(
                "kind",
                Optional,
                Template,
                "repair, installation, maintenance, question (default) or complaint",
            ),
            f(
                "priority",
                Optional,
                Template,
                "low, normal, high or urgent",
            ),
            f("assignee", Optional, Template, "a user name"),
        ],
    },
    KindSpec {
        kind: "create_lead",
        group: Group::Output,
        label_el: "Νέο lead",
        description: "Opens a sales lead, for a customer or a prospect. Output {lead_id}.",
        fields: &[
            f("title", Required, Template, "the subject"),
            f("customer_id", Optional, Template, "the customer, if known"),
            f("name", Optional, Template, "a prospect's name"),
            f("phone", Optional, Template, "a prospect's phone"),
            f(
                "source",
                Optional,
                Template,
                "phone, email, whatsapp, web, fair, referral or other",
            ),
            f("owner", Optional, Template, "a user name"),
        ],
    },
    KindSpec {
        kind: "assign_user",
        group: Group::Output,
        label_el: "Ανάθεση χρήστη",
        description: "Picks a user; a comma-separated list is taken in turn. Output {user}.",
        fields: &[f(
            "user",
            Required,
            Template,
            "a user name, or names separated by commas",
        )],
    },
    KindSpec {
        kind: "get_ticket",
        group: Group::Output,
        label_el: "Στοιχεία ticket",
        description: "Reads a ticket. Output {ticket_id, number, status, priority, assignee, customer_id, created_at, updated_at, touched}.",
        fields: &[f(
            "ticket_id",
            Required,
            Template,
            "e.g. {{ trigger.ticket_id }}",
        )],
    },
    KindSpec {
        kind: "http_request",
        group: Group::Output,
        label_el: "Κλήση HTTP",
        description: "Calls a web address; fails on status 400 or more. Output {status, body, json}.",
        fields: &[
            f("url", Required, Shape::Url, "http:// or https://"),
            FieldSpec {
                name: "method",
                need: Optional,
                shape: Shape::Choice,
                choices: HTTP_METHODS,
                help: "default GET",
            },
            f(
                "headers",
                Optional,
                ObjectOfTemplates,
                "an object of header names and text values",
            ),
            f("body", Optional, Template, "the request body"),
            f(
                "timeout_seconds",
                Optional,
                Shape::Number { min: 1, max: 60 },
                "default 10",
            ),
        ],
    },
    KindSpec {
        kind: "ai_intent",
        group: Group::Ai,
        label_el: "Πρόθεση (AI)",
        description: "Classifies text into one of the intents, or other. Output {intent}.",
        fields: &[
            f("text", Required, Template, "the text to classify"),
            f(
                "intents",
                Required,
                Template,
                "comma-separated, e.g. repair, order, question, complaint",
            ),
        ],
    },
    KindSpec {
        kind: "ai_sentiment",
        group: Group::Ai,
        label_el: "Διάθεση (AI)",
        description: "Positive, neutral or negative. Output {sentiment}.",
        fields: &[f("text", Required, Template, "the text to judge")],
    },
    KindSpec {
        kind: "ai_extract",
        group: Group::Ai,
        label_el: "Εξαγωγή στοιχείων (AI)",
        description: "Finds the named fields in text. Output {fields: {name: value or null}}.",
        fields: &[
            f("text", Required, Template, "the text to read"),
            f(
                "fields",
                Required,
                Template,
                "comma-separated names, e.g. serial_number, parish, phone",
            ),
        ],
    },
    KindSpec {
        kind: "ai_agent",
        group: Group::Ai,
        label_el: "Οδηγία σε AI",
        description: "Follows an instruction over optional material. Output {reply}.",
        fields: &[
            f("prompt", Required, Template, "the instruction"),
            f("text", Optional, Template, "the material"),
            f("system", Optional, Template, "the system message"),
        ],
    },
];

/// The kind `kind`, if there is one.
pub fn kind(kind: &str) -> Option<&'static KindSpec> {
    NODE_KINDS.iter().find(|k| k.kind == kind)
}

/// The form control of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Template,
    Expression,
    Number,
    Object,
    Choice,
}

/// A trigger kind, for the console's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TriggerInfo {
    /// `manual`, `schedule` or `event`.
    pub kind: String,
    pub description: String,
    pub fields: Vec<FieldInfo>,
}

/// An event, for the console's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EventInfo {
    pub name: String,
    pub description: String,
    /// The fields of its trigger data.
    pub data: Vec<String>,
}

/// A config field, for the console's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldInfo {
    pub name: String,
    pub required: bool,
    /// The group's name when exactly one of several fields is required.
    pub one_of: Option<String>,
    pub kind: FieldKind,
    pub choices: Vec<String>,
    pub help: String,
}

/// A node kind, for the console's palette.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct NodeInfo {
    pub kind: String,
    pub group: Group,
    /// The Greek label the console shows.
    pub label_el: String,
    pub description: String,
    pub fields: Vec<FieldInfo>,
}

/// What the console builds workflow forms from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Catalogue {
    pub triggers: Vec<TriggerInfo>,
    pub events: Vec<EventInfo>,
    pub nodes: Vec<NodeInfo>,
}

fn info(f: &FieldSpec) -> FieldInfo {
    FieldInfo {
        name: f.name.into(),
        required: f.need == Required,
        one_of: match f.need {
            OneOf(group) => Some(group.into()),
            _ => None,
        },
        kind: f.shape.kind(),
        choices: f.choices.iter().map(|c| (*c).into()).collect(),
        help: f.help.into(),
    }
}

const TRIGGERS: &[(&str, &str, &[FieldSpec])] = &[
    (
        "manual",
        "Started from the console or the API, with the caller's data.",
        &[],
    ),
    (
        "schedule",
        "Every N minutes, or at the times of a 5-field cron in a timezone (DST-aware); data {scheduled_at}.",
        &[
            f(
                "every_minutes",
                OneOf("schedule"),
                Shape::Number {
                    min: 1,
                    max: 527_040,
                },
                "every N minutes",
            ),
            f(
                "cron",
                OneOf("schedule"),
                Shape::Text,
                "minute hour day-of-month month day-of-week, e.g. 0 9 * * 1-5",
            ),
            f(
                "timezone",
                Optional,
                Shape::Text,
                "an IANA zone, default Europe/Athens",
            ),
        ],
    ),
    (
        "event",
        "When the CRM emits the event.",
        &[FieldSpec {
            name: "name",
            need: Required,
            shape: Shape::Choice,
            choices: &[
                "call.missed",
                "whatsapp.received",
                "email.received",
                "ticket.created",
                "lead.created",
                "order.delivered",
            ],
            help: "the event",
        }],
    ),
];

/// The triggers, events and node kinds, with their fields.
pub fn catalogue() -> Catalogue {
    Catalogue {
        triggers: TRIGGERS
            .iter()
            .map(|(kind, description, fields)| TriggerInfo {
                kind: (*kind).into(),
                description: (*description).into(),
                fields: fields.iter().map(info).collect(),
            })
            .collect(),
        events: EVENTS
            .iter()
            .map(|e| EventInfo {
                name: e.name.into(),
                description: e.description.into(),
                data: e.data.iter().map(|d| (*d).into()).collect(),
            })
            .collect(),
        nodes: NODE_KINDS
            .iter()
            .map(|k| NodeInfo {
                kind: k.kind.into(),
                group: k.group,
                label_el: k.label_el.into(),
                description: k.description.into(),
                fields: k.fields.iter().map(info).collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_trigger_offers_exactly_the_known_events() {
        let c = catalogue();
        let event = c.triggers.iter().find(|t| t.kind == "event").unwrap();
        let names: Vec<&str> = EVENTS.iter().map(|e| e.name).collect();
        assert_eq!(event.fields[0].choices, names);
        assert_eq!(c.events.len(), EVENTS.len());
    }

    #[test]
    fn the_logic_rows_agree_with_the_rules_of_the_model() {
        let wait = kind("wait").unwrap();
        let units: Vec<&str> = crate::model::WAIT_UNITS.iter().map(|(u, _)| *u).collect();
        assert_eq!(wait.fields[1].choices, units);
        let most = crate::model::WAIT_UNITS.iter().map(|(_, m)| *m).max();
        assert_eq!(
            wait.fields[0].shape,
            Shape::Number {
                min: 1,
                max: most.unwrap()
            }
        );
        let mut kinds: Vec<&str> = crate::model::LOGIC_KINDS.to_vec();
        kinds.extend(crate::model::UTILITY_KINDS);
        let described: Vec<&str> = NODE_KINDS
            .iter()
            .filter(|k| !k.is_effect())
            .map(|k| k.kind)
            .collect();
        assert_eq!(described, kinds);
    }

    #[test]
    fn the_catalogue_describes_every_kind_with_its_groups_and_fields() {
        let c = catalogue();
        let json = serde_json::to_value(&c).unwrap();
        let email = json["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["kind"] == "send_email")
            .unwrap();
        assert_eq!(email["group"], "output");
        assert_eq!(email["label_el"], "Αποστολή e-mail");
        assert_eq!(email["fields"][0]["one_of"], "recipient");
        assert_eq!(email["fields"][2]["required"], true);
        let http = c.nodes.iter().find(|n| n.kind == "http_request").unwrap();
        let method = http.fields.iter().find(|f| f.name == "method").unwrap();
        assert_eq!(method.kind, FieldKind::Choice);
        assert_eq!(method.choices, HTTP_METHODS);
        let ai: Vec<&str> = c
            .nodes
            .iter()
            .filter(|n| n.group == Group::Ai)
            .map(|n| n.kind.as_str())
            .collect();
        assert_eq!(ai, ["ai_intent", "ai_sentiment", "ai_extract", "ai_agent"]);
    }
}

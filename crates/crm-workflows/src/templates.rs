//! The ready-made workflows: the office's five routines of issue 21, as definitions the CRM
//! installs once, disabled ([`crate::Engine::install_templates`]), for the office to review,
//! adapt (the user on duty, the manager's address) and enable.
//!
//! Each is known by a slug kept in the workflow's `template` column: a template is installed
//! only when no workflow carries its slug, so one the office edited or deleted is never put
//! back beside it. Each must pass [`Definition::validate`] and name a known event (a test
//! says so).

use serde_json::{Value, json};

use crate::model::{Definition, Node, Trigger};

/// A ready-made workflow: (slug, name, definition).
pub type Template = (&'static str, &'static str, Definition);

fn node(key: &str, kind: &str, config: Value, next: Option<&str>) -> Node {
    Node {
        key: key.into(),
        kind: kind.into(),
        config: config.as_object().cloned().unwrap_or_default(),
        next: next.map(Into::into),
        branches: Default::default(),
        on_error: None,
    }
}

fn branch(mut n: Node, name: &str, to: &str) -> Node {
    n.branches.insert(name.into(), to.into());
    n
}

fn on(event: &str, nodes: Vec<Node>) -> Definition {
    Definition {
        trigger: Trigger::Event { name: event.into() },
        nodes,
    }
}

/// The five ready-made workflows, in the order the issue lists them.
pub fn templates() -> Vec<Template> {
    vec![
        (
            "missed-call-callback",
            "Αναπάντητη κλήση → ticket επανάκλησης",
            on(
                "call.missed",
                vec![
                    node(
                        "duty",
                        "assign_user",
                        json!({"user": "admin"}),
                        Some("known"),
                    ),
                    branch(
                        branch(
                            node(
                                "known",
                                "if",
                                json!({"condition": "trigger.customer_id != ()"}),
                                None,
                            ),
                            "then",
                            "ticket",
                        ),
                        "else",
                        "lead",
                    ),
                    node(
                        "ticket",
                        "create_ticket",
                        json!({
                            "title": "Επανάκληση: {{ trigger.sender }}",
                            "description": "Αναπάντητη κλήση από {{ trigger.sender }}.",
                            "customer_id": "{{ trigger.customer_id }}",
                            "kind": "question",
                            "assignee": "{{ nodes.duty.user }}",
                        }),
                        None,
                    ),
                    node(
                        "lead",
                        "create_lead",
                        json!({
                            "title": "Επανάκληση: {{ trigger.sender }}",
                            "name": "{{ trigger.sender }}",
                            "phone": "{{ trigger.sender }}",
                            "source": "phone",
                            "owner": "{{ nodes.duty.user }}",
                        }),
                        None,
                    ),
                ],
            ),
        ),
        (
            "whatsapp-unknown-lead",
            "WhatsApp από άγνωστο → lead",
            on(
                "whatsapp.received",
                vec![
                    branch(
                        node(
                            "unknown",
                            "if",
                            json!({"condition": "trigger.customer_id == ()"}),
                            None,
                        ),
                        "then",
                        "lead",
                    ),
                    node(
                        "lead",
                        "create_lead",
                        json!({
                            "title": "WhatsApp: {{ trigger.sender }}",
                            "name": "{{ trigger.sender }}",
                            "phone": "{{ trigger.sender }}",
                            "source": "whatsapp",
                        }),
                        None,
                    ),
                ],
            ),
        ),
        (
            "order-delivered-thanks",
            "Παράδοση παραγγελίας → ευχαριστήριο e-mail",
            on(
                "order.delivered",
                vec![node(
                    "thanks",
                    "send_email",
                    json!({
                        "customer_id": "{{ trigger.customer_id }}",
                        "subject": "Ευχαριστούμε για την παραγγελία {{ trigger.number }}",
                        "body": "Σας ευχαριστούμε που μας εμπιστευτήκατε. Η παραγγελία \
                                 {{ trigger.number }} παραδόθηκε· για οτιδήποτε χρειαστείτε \
                                 είμαστε στη διάθεσή σας.",
                    }),
                    None,
                )],
            ),
        ),
        (
            "delivery-maintenance-reminder",
            "Ένα χρόνο μετά την παράδοση → υπενθύμιση συντήρησης",
            on(
                "order.delivered",
                vec![
                    node(
                        "year",
                        "wait",
                        json!({"amount": 12, "unit": "months"}),
                        Some("remind"),
                    ),
                    node(
                        "remind",
                        "send_email",
                        json!({
                            "customer_id": "{{ trigger.customer_id }}",
                            "subject": "Ετήσια συντήρηση — παραγγελία {{ trigger.number }}",
                            "body": "Συμπληρώθηκε ένας χρόνος από την παράδοση της παραγγελίας \
                                     {{ trigger.number }}. Σας προτείνουμε την ετήσια συντήρηση· \
                                     απαντήστε σε αυτό το μήνυμα για να κλείσουμε ραντεβού.",
                        }),
                        Some("visit"),
                    ),
                    node(
                        "visit",
                        "create_ticket",
                        json!({
                            "title": "Ετήσια συντήρηση — παραγγελία {{ trigger.number }}",
                            "customer_id": "{{ trigger.customer_id }}",
                            "kind": "maintenance",
                        }),
                        None,
                    ),
                ],
            ),
        ),
        (
            "urgent-ticket-untouched",
            "Επείγον ticket χωρίς ενέργεια 4 ώρες → ειδοποίηση υπευθύνου",
            on(
                "ticket.created",
                vec![
                    branch(
                        node(
                            "urgent",
                            "if",
                            json!({"condition": "trigger.priority == \"urgent\""}),
                            None,
                        ),
                        "then",
                        "hold",
                    ),
                    node(
                        "hold",
                        "wait",
                        json!({"amount": 4, "unit": "hours"}),
                        Some("check"),
                    ),
                    node(
                        "check",
                        "get_ticket",
                        json!({"ticket_id": "{{ trigger.ticket_id }}"}),
                        Some("untouched"),
                    ),
                    branch(
                        node(
                            "untouched",
                            "if",
                            json!({"condition": "nodes.check.touched == false"}),
                            None,
                        ),
                        "then",
                        "notify",
                    ),
                    node(
                        "notify",
                        "send_email",
                        json!({
                            "to": "manager@example.com",
                            "subject": "Επείγον ticket {{ trigger.number }} χωρίς ενέργεια 4 ώρες",
                            "body": "Το επείγον ticket {{ trigger.number }} «{{ trigger.title }}» \
                                     άνοιξε πριν από 4 ώρες και δεν έχει καμία ενέργεια.",
                        }),
                        None,
                    ),
                ],
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::catalogue;

    #[test]
    fn five_templates_each_valid_on_a_known_event_with_a_unique_slug() {
        let all = templates();
        assert_eq!(all.len(), 5);
        let slugs: HashSet<&str> = all.iter().map(|(s, _, _)| *s).collect();
        assert_eq!(slugs.len(), 5);
        for (slug, name, d) in &all {
            assert!(!name.is_empty());
            if let Err(e) = d.validate() {
                panic!("{slug}: {e:?}");
            }
            let Trigger::Event { name } = &d.trigger else {
                panic!("{slug} is not started by an event");
            };
            let event = catalogue::event(name);
            assert!(event.is_some(), "{slug}: {name}");
            // every `trigger.<field>` read is a field of the event's data
            let text = serde_json::to_string(&d.nodes).unwrap();
            for read in text.split("trigger.").skip(1) {
                let field: String = read
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                assert!(
                    event.unwrap().data.contains(&field.as_str()),
                    "{slug} reads trigger.{field}"
                );
            }
        }
    }
}

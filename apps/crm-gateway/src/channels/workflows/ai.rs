//! The AI nodes through the OpenAI-compatible endpoint of `[llm]` (`crate llm-client`):
//! `ai_intent`, `ai_sentiment`, `ai_extract`, `ai_agent`.
//!
//! **Prompts.** The CRM's messages are mostly Greek (sometimes Greeklish or English), so every
//! prompt says so, asks the model to keep values in the text's own language and spelling, and —
//! but for `ai_agent` — asks for one JSON object (with `response_format: json_object`, at
//! temperature 0). The customer's text always goes as the user message, never inside the
//! instructions.
//!
//! **Answers are clamped** to what the contract promises, whatever the model says: an intent
//! not in the node's list (compared without case or Greek accents) is `other`; a sentiment is
//! `positive`, `neutral` or `negative` (Greek words too, anything else `neutral`); an
//! extraction has exactly the node's fields, each a value or `null`. An answer wrapped in
//! prose or a ```json fence is still read; one with no JSON at all is read as the bare value.
//!
//! **Rules.** Saving a workflow with an AI node on a CRM without `[llm]` is refused
//! ([`refuse`]); a run of one saved before fails on that node with the same reason. The
//! endpoint's failures (unreachable, timeout, an HTTP error with the server's message, a
//! malformed answer) fail the node with that message.

use crm_core::{Error, Result};
use llm_client::{Chat, Message};
use serde_json::{Map, Value, json};

use crate::state::AppState;

/// The AI node kinds.
pub const KINDS: [&str; 4] = ["ai_intent", "ai_sentiment", "ai_extract", "ai_agent"];

/// Why AI nodes cannot be saved or run here.
pub const NOT_CONFIGURED: &str = "AI nodes need CRM_LLM_URL and CRM_LLM_MODEL (an \
    OpenAI-compatible endpoint such as Ollama's http://127.0.0.1:11434/v1, and a model it \
    serves); this server has none configured";

/// Longest text sent to the model, in characters; the rest is cut (a long e-mail thread).
const MAX_TEXT_CHARS: usize = 20_000;

const LANGUAGE: &str = "The text comes from a customer of BellSystems, a Greek company that \
    makes, installs and services church bells, bell towers and their automation. It is usually \
    in Greek, sometimes in Greeklish (Greek in Latin letters) or English.";

/// Why the node `kind` cannot be saved on this CRM, for the port's `refuse`.
pub fn refuse(state: &AppState, kind: &str) -> Option<String> {
    (KINDS.contains(&kind) && state.llm.is_none()).then(|| NOT_CONFIGURED.to_owned())
}

/// Performs the AI node `kind` with its rendered config `input`.
pub async fn perform(state: &AppState, kind: &str, input: &Value) -> Result<Value> {
    let client = state.llm.as_ref().ok_or_else(|| Error::Conflict {
        message: NOT_CONFIGURED.into(),
    })?;
    let task = Task::parse(kind, input)?;
    let answer = client.chat(&task.chat()).await.map_err(|e| match e {
        llm_client::Error::Invalid { field, reason } => Error::invalid(field, reason),
        other => Error::Conflict {
            message: format!("{kind}: {other}"),
        },
    })?;
    task.output(&answer)
}

/// One AI node's request, read from its rendered config.
#[derive(Debug, Clone, PartialEq)]
enum Task {
    Intent {
        text: String,
        intents: Vec<String>,
    },
    Sentiment {
        text: String,
    },
    Extract {
        text: String,
        fields: Vec<String>,
    },
    Agent {
        prompt: String,
        text: Option<String>,
        system: Option<String>,
    },
}

impl Task {
    fn parse(kind: &str, input: &Value) -> Result<Self> {
        Ok(match kind {
            "ai_intent" => Task::Intent {
                text: material(required(input, "text")?),
                intents: list(input, "intents", false)?,
            },
            "ai_sentiment" => Task::Sentiment {
                text: material(required(input, "text")?),
            },
            "ai_extract" => Task::Extract {
                text: material(required(input, "text")?),
                fields: list(input, "fields", true)?,
            },
            "ai_agent" => Task::Agent {
                prompt: required(input, "prompt")?.to_owned(),
                text: text(input, "text").map(material),
                system: text(input, "system").map(str::to_owned),
            },
            other => {
                return Err(Error::invalid(
                    "kind",
                    format!("`{other}` is not an AI node"),
                ));
            }
        })
    }

    /// The conversation sent to the model.
    fn chat(&self) -> Chat {
        let (system, user, json) = match self {
            Task::Intent { text, intents } => (
                format!(
                    "{LANGUAGE}\nClassify why the customer writes. The possible intents are: {}. \
                     If none of them fits, the intent is \"other\". Answer with one JSON object \
                     and nothing else: {{\"intent\": \"<one of the intents, written exactly as \
                     listed, or other>\"}}",
                    quoted(intents)
                ),
                text.clone(),
                true,
            ),
            Task::Sentiment { text } => (
                format!(
                    "{LANGUAGE}\nJudge the customer's sentiment: positive, neutral or negative \
                     (a complaint or an angry reminder is negative; a plain question is \
                     neutral). Answer with one JSON object and nothing else: \
                     {{\"sentiment\": \"positive\" | \"neutral\" | \"negative\"}}"
                ),
                text.clone(),
                true,
            ),
            Task::Extract { text, fields } => (
                format!(
                    "{LANGUAGE}\nExtract these fields from the text: {}. Copy each value as \
                     it is written in the text, in its own language and spelling (do not \
                     translate or transliterate Greek); a field the text does not give is \
                     null, never a guess. Answer with one JSON object and nothing else: \
                     {{\"fields\": {{{}}}}}",
                    quoted(fields),
                    fields
                        .iter()
                        .map(|f| format!("\"{f}\": <value or null>"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                text.clone(),
                true,
            ),
            Task::Agent {
                prompt,
                text,
                system,
            } => (
                system.clone().unwrap_or_else(|| {
                    format!(
                        "You are an assistant of BellSystems, a Greek company that makes, \
                         installs and services church bells. Answer in the language of the \
                         instruction (usually Greek), politely and briefly, with the answer's \
                         text only. {LANGUAGE}"
                    )
                }),
                match text {
                    Some(text) => format!("{prompt}\n\n---\n{text}"),
                    None => prompt.clone(),
                },
                false,
            ),
        };
        Chat {
            messages: vec![Message::system(system), Message::user(user)],
            temperature: if json { 0.0 } else { 0.3 },
            json,
        }
    }

    /// The node's output from the model's answer, clamped to the allowed values.
    fn output(&self, answer: &str) -> Result<Value> {
        let object = json_object(answer);
        Ok(match self {
            Task::Intent { intents, .. } => {
                let said = answered(object.as_ref(), "intent", answer);
                let said = fold(&said);
                let intent = intents
                    .iter()
                    .find(|i| fold(i) == said)
                    .map_or("other", String::as_str);
                json!({ "intent": intent })
            }
            Task::Sentiment { .. } => {
                let said = fold(&answered(object.as_ref(), "sentiment", answer));
                let sentiment = if said.starts_with("pos") || said.starts_with("θετικ") {
                    "positive"
                } else if said.starts_with("neg") || said.starts_with("αρνητικ") {
                    "negative"
                } else {
                    "neutral"
                };
                json!({ "sentiment": sentiment })
            }
            Task::Extract { fields, .. } => {
                let found = object.as_ref().map(|o| match o.get("fields") {
                    Some(Value::Object(inner)) => inner,
                    _ => o,
                });
                let values: Map<String, Value> = fields
                    .iter()
                    .map(|name| {
                        let value = found
                            .and_then(|o| {
                                o.get(name).or_else(|| {
                                    o.iter()
                                        .find(|(k, _)| fold(k) == fold(name))
                                        .map(|(_, v)| v)
                                })
                            })
                            .map_or(Value::Null, clean);
                        (name.clone(), value)
                    })
                    .collect();
                json!({ "fields": values })
            }
            Task::Agent { .. } => {
                let reply = answer.trim();
                if reply.is_empty() {
                    return Err(Error::Conflict {
                        message: "ai_agent: the model gave an empty answer".into(),
                    });
                }
                json!({ "reply": reply })
            }
        })
    }
}

/// A text field of the config, trimmed; empty reads as absent.
fn text<'a>(input: &'a Value, field: &str) -> Option<&'a str> {
    input
        .get(field)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn required<'a>(input: &'a Value, field: &str) -> Result<&'a str> {
    text(input, field).ok_or_else(|| Error::invalid(field, "is required (it came out empty)"))
}

/// The material for the model, cut at [`MAX_TEXT_CHARS`].
fn material(text: &str) -> String {
    match text.char_indices().nth(MAX_TEXT_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// A comma-separated list (`repair, order, question`), each item once; `names`: each must be
/// usable after `nodes.<key>.fields.` in a template (letters, digits, `_`).
fn list(input: &Value, field: &str, names: bool) -> Result<Vec<String>> {
    let mut items: Vec<String> = Vec::new();
    for item in required(input, field)?
        .split(',')
        .map(str::trim)
        .filter(|i| !i.is_empty())
    {
        if names
            && (item.starts_with(|c: char| c.is_numeric())
                || !item.chars().all(|c| c.is_alphanumeric() || c == '_'))
        {
            return Err(Error::invalid(
                field,
                format!("`{item}` is not a field name (letters, digits and _)"),
            ));
        }
        if !items.iter().any(|i| fold(i) == fold(item)) {
            items.push(item.to_owned());
        }
    }
    if items.is_empty() {
        return Err(Error::invalid(field, "names nothing"));
    }
    Ok(items)
}

fn quoted(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("\"{i}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The JSON object in an answer: the whole answer, a ```json fence, or the first `{` to the
/// last `}`.
fn json_object(answer: &str) -> Option<Map<String, Value>> {
    let trimmed = answer.trim();
    let candidates = [
        Some(trimmed),
        trimmed
            .strip_prefix("```json")
            .or_else(|| trimmed.strip_prefix("```"))
            .and_then(|s| s.strip_suffix("```")),
        trimmed
            .find('{')
            .zip(trimmed.rfind('}'))
            .filter(|(a, b)| a < b)
            .map(|(a, b)| &trimmed[a..=b]),
    ];
    candidates
        .into_iter()
        .flatten()
        .find_map(|c| match serde_json::from_str(c.trim()) {
            Ok(Value::Object(o)) => Some(o),
            _ => None,
        })
}

/// The text the model gave for `key`: the object's field, else the bare answer.
fn answered(object: Option<&Map<String, Value>>, key: &str, answer: &str) -> String {
    match object.and_then(|o| o.get(key)) {
        Some(Value::String(s)) => s.clone(),
        Some(_) => String::new(),
        None if object.is_some() => String::new(),
        None => answer.to_owned(),
    }
}

/// An extracted value: text trimmed (empty, `null`, `none`, `n/a`, `-` are null), numbers and
/// booleans kept, anything else as its JSON text.
fn clean(value: &Value) -> Value {
    match value {
        Value::String(s) => {
            let s = s.trim();
            if matches!(fold(s).as_str(), "" | "null" | "none" | "n/a") {
                Value::Null
            } else {
                Value::String(s.to_owned())
            }
        }
        Value::Number(_) | Value::Bool(_) | Value::Null => value.clone(),
        other => Value::String(other.to_string()),
    }
}

/// Lower case without Greek accents or surrounding quotes and punctuation, for comparing what
/// the model said with what the node lists (`Επισκευή` = `επισκευη`).
fn fold(s: &str) -> String {
    s.trim()
        .trim_matches(|c: char| {
            c.is_ascii_punctuation() || c.is_whitespace() || c == '«' || c == '»'
        })
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'ά' => 'α',
            'έ' => 'ε',
            'ή' => 'η',
            'ί' | 'ϊ' | 'ΐ' => 'ι',
            'ό' => 'ο',
            'ύ' | 'ϋ' | 'ΰ' => 'υ',
            'ώ' => 'ω',
            'ς' => 'σ',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(kind: &str, input: Value) -> Task {
        Task::parse(kind, &input).unwrap()
    }

    /// The output of `kind` with `config` when the model answers `answer`.
    fn check(kind: &str, config: Value, answer: &str, expected: Value) {
        let got = task(kind, config).output(answer).unwrap();
        assert_eq!(got, expected, "{kind} answering {answer:?}");
    }

    #[test]
    fn an_intent_is_one_of_the_list_or_other() {
        let config =
            json!({"text": "Ράγισε η καμπάνα", "intents": "Επισκευή, order, question, complaint"});
        for (answer, intent) in [
            (r#"{"intent": "Επισκευή"}"#, "Επισκευή"),
            (r#"{"intent": "επισκευη"}"#, "Επισκευή"),
            ("```json\n{\"intent\": \"ORDER\"}\n```", "order"),
            (
                "Sure! {\"intent\": \"complaint\"} Hope this helps.",
                "complaint",
            ),
            ("question.", "question"),
            (r#"{"intent": "refund"}"#, "other"),
            (r#"{"intent": 3}"#, "other"),
            (r#"{"label": "order"}"#, "other"),
            ("I cannot tell", "other"),
        ] {
            check(
                "ai_intent",
                config.clone(),
                answer,
                json!({"intent": intent}),
            );
        }
    }

    #[test]
    fn a_sentiment_is_positive_neutral_or_negative() {
        let config = json!({"text": "Ευχαριστούμε πολύ!"});
        for (answer, sentiment) in [
            (r#"{"sentiment": "positive"}"#, "positive"),
            (r#"{"sentiment": "Negative"}"#, "negative"),
            (r#"{"sentiment": "θετικό"}"#, "positive"),
            (r#"{"sentiment": "Αρνητικό"}"#, "negative"),
            (r#"{"sentiment": "mixed"}"#, "neutral"),
            ("neutral", "neutral"),
            ("", "neutral"),
        ] {
            check(
                "ai_sentiment",
                config.clone(),
                answer,
                json!({"sentiment": sentiment}),
            );
        }
    }

    #[test]
    fn an_extraction_has_exactly_the_fields_asked() {
        let config = json!({"text": "…", "fields": "serial_number, parish, phone"});
        check(
            "ai_extract",
            config.clone(),
            r#"{"fields": {"serial_number": " B-1204 ", "parish": "Άγιος Νικόλαος Πειραιά", "phone": null, "extra": 1}}"#,
            json!({"fields": {"serial_number": "B-1204", "parish": "Άγιος Νικόλαος Πειραιά", "phone": null}}),
        );
        // a flat object, a number, "N/A" and a key in another case
        check(
            "ai_extract",
            config.clone(),
            r#"{"Serial_Number": 1204, "parish": "N/A"}"#,
            json!({"fields": {"serial_number": 1204, "parish": null, "phone": null}}),
        );
        check(
            "ai_extract",
            config,
            "no idea",
            json!({"fields": {"serial_number": null, "parish": null, "phone": null}}),
        );
    }

    #[test]
    fn an_agent_replies_with_the_text() {
        let t = task(
            "ai_agent",
            json!({"prompt": "Γράψε μια ευγενική απάντηση", "text": "Πότε έρχεστε;"}),
        );
        assert_eq!(
            t.output("  Θα είμαστε εκεί την Τρίτη.\n").unwrap(),
            json!({"reply": "Θα είμαστε εκεί την Τρίτη."})
        );
        assert!(t.output(" ").is_err());
        let chat = t.chat();
        assert!(!chat.json);
        assert_eq!(
            chat.messages[1].content,
            "Γράψε μια ευγενική απάντηση\n\n---\nΠότε έρχεστε;"
        );
        let own = task(
            "ai_agent",
            json!({"prompt": "p", "system": "Είσαι ο Νίκος."}),
        );
        assert_eq!(own.chat().messages[0].content, "Είσαι ο Νίκος.");
    }

    #[test]
    fn prompts_ask_for_json_name_the_choices_and_keep_the_text_apart() {
        let t = task(
            "ai_intent",
            json!({"text": "Θέλω να παραγγείλω καμπάνα", "intents": "repair, order, order"}),
        );
        let chat = t.chat();
        assert!(chat.json);
        assert_eq!(chat.temperature, 0.0);
        let system = &chat.messages[0].content;
        assert!(system.contains(r#""repair", "order"."#), "{system}");
        assert!(system.contains("Greek"), "{system}");
        assert_eq!(chat.messages[1].content, "Θέλω να παραγγείλω καμπάνα");
        let extract = task("ai_extract", json!({"text": "x", "fields": "parish"})).chat();
        assert!(extract.messages[0].content.contains("do not translate"));
    }

    #[test]
    fn a_config_missing_its_text_or_with_bad_names_is_refused_naming_the_field() {
        for (kind, config, field) in [
            ("ai_intent", json!({"text": "x"}), "intents"),
            ("ai_intent", json!({"text": " ", "intents": "a"}), "text"),
            (
                "ai_intent",
                json!({"text": "x", "intents": " , "}),
                "intents",
            ),
            ("ai_sentiment", json!({}), "text"),
            (
                "ai_extract",
                json!({"text": "x", "fields": "serial number"}),
                "fields",
            ),
            (
                "ai_extract",
                json!({"text": "x", "fields": "1st"}),
                "fields",
            ),
            ("ai_agent", json!({"text": "x"}), "prompt"),
        ] {
            match Task::parse(kind, &config) {
                Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field, "{kind} {config}"),
                other => panic!("{kind} {config}: {other:?}"),
            }
        }
    }

    #[test]
    fn long_material_is_cut() {
        let long = "α".repeat(MAX_TEXT_CHARS + 10);
        let Task::Sentiment { text } = task("ai_sentiment", json!({ "text": long })) else {
            panic!("not a sentiment task");
        };
        assert_eq!(text.chars().count(), MAX_TEXT_CHARS + 1);
    }
}

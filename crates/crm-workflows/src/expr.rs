//! Expressions and templates of workflow nodes, in [evalexpr]'s small language: arithmetic,
//! comparison, boolean logic, string functions, tuples. No statements, no loops, no I/O: an
//! expression is evaluated against an immutable context, so an assignment (`a = 1`) fails.
//!
//! An expression reads the run's data by dotted paths from five roots: `trigger` (the trigger's
//! data), `vars` (what `set` nodes stored), `nodes` (each earlier node's output, by key:
//! `nodes.lookup.email`), `item` and `index` (the innermost loop's current element), and
//! `error` (the message of the failure an error handler branch caught). A path that leads
//! nowhere reads as empty (`()`), so `trigger.phone == ""` is false rather than an error. An
//! array is a tuple; an object read as a whole is its JSON text.
//!
//! A template is text with `{{ expression }}` holes, each replaced by its value (a string as
//! it is, anything else as JSON). Both are parsed when a workflow is saved ([`check`],
//! [`check_template`]), which names the field of the node that does not parse or reads an
//! unknown root or node.

use evalexpr::{
    ContextWithMutableVariables, DefaultNumericTypes, HashMapContext, Node, Operator,
    Value as EValue,
};
use serde_json::{Map, Number, Value};

/// The roots an expression may read.
pub const ROOTS: &[&str] = &["trigger", "vars", "nodes", "item", "index", "error"];

/// Why an expression does not parse or cannot be evaluated; the caller names the field.
pub type ExprError = String;

fn parse(source: &str) -> Result<Node<DefaultNumericTypes>, ExprError> {
    evalexpr::build_operator_tree::<DefaultNumericTypes>(source).map_err(|e| e.to_string())
}

/// Checks that `source` parses and reads only known roots; `nodes.<key>` must name one of
/// `node_keys`.
pub fn check(source: &str, node_keys: &[&str]) -> Result<(), ExprError> {
    if source.trim().is_empty() {
        return Err("an expression is required".into());
    }
    let tree = parse(source)?;
    complete(&tree)?;
    for ident in tree.iter_variable_identifiers() {
        let mut parts = ident.split('.');
        let root = parts.next().unwrap_or_default();
        if !ROOTS.contains(&root) {
            return Err(format!(
                "`{ident}` is unknown: a path starts with one of {}",
                ROOTS.join(", ")
            ));
        }
        if root == "nodes" {
            match parts.next() {
                Some(key) if node_keys.contains(&key) => {}
                Some(key) => return Err(format!("`{ident}` names no node `{key}`")),
                None => return Err(format!("`{ident}`: name a node, as in nodes.<key>")),
            }
        }
    }
    Ok(())
}

/// Checks what the parser lets through and evaluation would refuse: an operator missing an
/// operand (`a ==`), and assignments and `;` chains, which expressions may not contain.
fn complete(node: &Node<DefaultNumericTypes>) -> Result<(), ExprError> {
    use Operator::*;
    let arity = match node.operator() {
        Add | Sub | Mul | Div | Mod | Exp | Eq | Neq | Gt | Lt | Geq | Leq | And | Or => Some(2),
        Not | Neg | FunctionIdentifier { .. } => Some(1),
        Assign | AddAssign | SubAssign | MulAssign | DivAssign | ModAssign | ExpAssign
        | AndAssign | OrAssign | Chain => {
            return Err("an expression computes a value: no assignments or `;`".into());
        }
        _ => None,
    };
    if let Some(n) = arity
        && node.children().len() != n
    {
        return Err(format!("`{}` is missing an operand", node.operator()));
    }
    node.children().iter().try_for_each(complete)
}

/// Splits a template into its literal text and its `{{ … }}` expressions.
fn pieces(template: &str) -> Result<Vec<(bool, &str)>, ExprError> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push((false, &rest[..open]));
        let after = &rest[open + 2..];
        let close = after
            .find("}}")
            .ok_or_else(|| "a `{{` is not closed by `}}`".to_string())?;
        out.push((true, after[..close].trim()));
        rest = &after[close + 2..];
    }
    out.push((false, rest));
    Ok(out)
}

/// Checks every `{{ … }}` of a template as [`check`] does.
pub fn check_template(template: &str, node_keys: &[&str]) -> Result<(), ExprError> {
    for (is_expr, piece) in pieces(template)? {
        if is_expr {
            check(piece, node_keys)?;
        }
    }
    Ok(())
}

/// The evalexpr value of a JSON value.
fn to_eval(v: &Value) -> EValue {
    match v {
        Value::Null => EValue::Empty,
        Value::Bool(b) => EValue::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => EValue::Int(i),
            None => EValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => EValue::String(s.clone()),
        Value::Array(a) => EValue::Tuple(a.iter().map(to_eval).collect()),
        Value::Object(_) => EValue::String(v.to_string()),
    }
}

/// The JSON value of an evalexpr value (a non-finite float becomes `null`).
pub fn to_json(v: &EValue) -> Value {
    match v {
        EValue::Empty => Value::Null,
        EValue::Boolean(b) => Value::Bool(*b),
        EValue::Int(i) => Value::from(*i),
        EValue::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
        EValue::String(s) => Value::String(s.clone()),
        EValue::Tuple(t) => Value::Array(t.iter().map(to_json).collect()),
    }
}

/// Follows a dotted path (`trigger.items.0.name`) through `scope`, an object of the roots.
fn lookup<'a>(scope: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut at = scope.get(parts.next()?)?;
    for part in parts {
        at = match at {
            Value::Object(m) => m.get(part)?,
            Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(at)
}

/// Evaluates `source` over `scope` (an object whose keys are the [`ROOTS`]).
pub fn eval(source: &str, scope: &Map<String, Value>) -> Result<Value, ExprError> {
    let tree = parse(source)?;
    let mut context = HashMapContext::<DefaultNumericTypes>::new();
    for ident in tree.iter_read_variable_identifiers() {
        let value = lookup(scope, ident).map_or(EValue::Empty, to_eval);
        context
            .set_value(ident.to_string(), value)
            .map_err(|e| e.to_string())?;
    }
    // an immutable context: assignments fail
    let context = context;
    tree.eval_with_context(&context)
        .map(|v| to_json(&v))
        .map_err(|e| e.to_string())
}

/// Evaluates a condition: its value must be a boolean.
pub fn eval_bool(source: &str, scope: &Map<String, Value>) -> Result<bool, ExprError> {
    match eval(source, scope)? {
        Value::Bool(b) => Ok(b),
        other => Err(format!("the condition gave {other}, not true or false")),
    }
}

/// The text of a value inside a template.
pub fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Fills a template's holes.
pub fn render(template: &str, scope: &Map<String, Value>) -> Result<String, ExprError> {
    let mut out = String::with_capacity(template.len());
    for (is_expr, piece) in pieces(template)? {
        if is_expr {
            out.push_str(&text_of(&eval(piece, scope)?));
        } else {
            out.push_str(piece);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn scope() -> Map<String, Value> {
        json!({
            "trigger": {"name": "Παπαδόπουλος", "items": [1, 2, 3], "urgent": true, "hours": 5},
            "vars": {}, "nodes": {"lookup": {"email": "a@b.gr"}}
        })
        .as_object()
        .cloned()
        .unwrap()
    }

    #[test]
    fn conditions_read_the_trigger_and_earlier_nodes() {
        let s = scope();
        assert!(eval_bool("trigger.urgent && trigger.hours >= 4", &s).unwrap());
        assert!(eval_bool("nodes.lookup.email == \"a@b.gr\"", &s).unwrap());
        assert!(!eval_bool("trigger.missing == \"x\"", &s).unwrap());
        assert_eq!(eval("len(trigger.items)", &s).unwrap(), json!(3));
        assert!(eval_bool("trigger.hours", &s).is_err());
    }

    #[test]
    fn assignments_are_refused() {
        assert!(eval("vars.x = 5", &scope()).is_err());
    }

    #[test]
    fn templates_fill_their_holes() {
        let s = scope();
        assert_eq!(
            render(
                "Καλησπέρα {{ trigger.name }}, {{trigger.hours * 2}} ώρες",
                &s
            )
            .unwrap(),
            "Καλησπέρα Παπαδόπουλος, 10 ώρες"
        );
        assert!(check_template("{{ trigger.name ", &[]).is_err());
    }

    #[test]
    fn check_names_unknown_roots_and_nodes() {
        assert!(check("trigger.a == 1", &[]).is_ok());
        assert!(
            check("nodes.other.x", &["lookup"])
                .unwrap_err()
                .contains("other")
        );
        assert!(
            check("customer.name", &[])
                .unwrap_err()
                .contains("customer.name")
        );
        assert!(check("1 +", &[]).is_err());
        assert!(check("", &[]).is_err());
        assert!(
            check("vars.x = 5", &[])
                .unwrap_err()
                .contains("assignments")
        );
        assert!(check("trigger.a == 1; 2", &[]).is_err());
    }
}

//! Structured queries: a collection (or collection group), filters, order, cursors, limit —
//! built with [`Query`], sent as `structuredQuery`.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::document::Document;
use super::value::Value;

/// The field path of a document's name, for ordering and cursors.
pub const NAME_FIELD: &str = "__name__";

/// A comparison of a field with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldOp {
    /// `<`
    LessThan,
    /// `<=`
    LessThanOrEqual,
    /// `>`
    GreaterThan,
    /// `>=`
    GreaterThanOrEqual,
    /// `==`
    Equal,
    /// `!=` (also excludes documents without the field)
    NotEqual,
    /// The array field contains the value.
    ArrayContains,
    /// The field equals one of the values (an array value, at most 30).
    In,
    /// The array field contains one of the values (an array value, at most 30).
    ArrayContainsAny,
    /// The field equals none of the values.
    NotIn,
}

impl FieldOp {
    fn name(self) -> &'static str {
        match self {
            FieldOp::LessThan => "LESS_THAN",
            FieldOp::LessThanOrEqual => "LESS_THAN_OR_EQUAL",
            FieldOp::GreaterThan => "GREATER_THAN",
            FieldOp::GreaterThanOrEqual => "GREATER_THAN_OR_EQUAL",
            FieldOp::Equal => "EQUAL",
            FieldOp::NotEqual => "NOT_EQUAL",
            FieldOp::ArrayContains => "ARRAY_CONTAINS",
            FieldOp::In => "IN",
            FieldOp::ArrayContainsAny => "ARRAY_CONTAINS_ANY",
            FieldOp::NotIn => "NOT_IN",
        }
    }
}

/// A test on a field alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// The field is NaN.
    IsNan,
    /// The field is null.
    IsNull,
    /// The field exists and is not NaN.
    IsNotNan,
    /// The field exists and is not null.
    IsNotNull,
}

impl UnaryOp {
    fn name(self) -> &'static str {
        match self {
            UnaryOp::IsNan => "IS_NAN",
            UnaryOp::IsNull => "IS_NULL",
            UnaryOp::IsNotNan => "IS_NOT_NAN",
            UnaryOp::IsNotNull => "IS_NOT_NULL",
        }
    }
}

/// A query filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `field op value`.
    Field {
        /// The field path.
        field: String,
        /// The comparison.
        op: FieldOp,
        /// The value compared with.
        value: Value,
    },
    /// `field is …`.
    Unary {
        /// The field path.
        field: String,
        /// The test.
        op: UnaryOp,
    },
    /// All of these (`AND`) or any (`OR`).
    Composite {
        /// `true` for AND, `false` for OR.
        all: bool,
        /// The filters combined.
        filters: Vec<Filter>,
    },
}

impl Filter {
    fn field(field: impl Into<String>, op: FieldOp, value: impl Into<Value>) -> Self {
        Filter::Field {
            field: field.into(),
            op,
            value: value.into(),
        }
    }

    /// `field == value`.
    pub fn eq(field: impl Into<String>, value: impl Into<Value>) -> Self {
        Self::field(field, FieldOp::Equal, value)
    }
    /// `field != value`.
    pub fn ne(field: impl Into<String>, value: impl Into<Value>) -> Self {
        Self::field(field, FieldOp::NotEqual, value)
    }
    /// `field < value`.
    pub fn lt(field: impl Into<String>, value: impl Into<Value>) -> Self {
        Self::field(field, FieldOp::LessThan, value)
    }
    /// `field <= value`.
    pub fn le(field: impl Into<String>, value: impl Into<Value>) -> Self {
        Self::field(field, FieldOp::LessThanOrEqual, value)
    }
    /// `field > value`.
    pub fn gt(field: impl Into<String>, value: impl Into<Value>) -> Self {
        Self::field(field, FieldOp::GreaterThan, value)
    }
    /// `field >= value`.
    pub fn ge(field: impl Into<String>, value: impl Into<Value>) -> Self {
        Self::field(field, FieldOp::GreaterThanOrEqual, value)
    }
    /// The array `field` contains `value`.
    pub fn array_contains(field: impl Into<String>, value: impl Into<Value>) -> Self {
        Self::field(field, FieldOp::ArrayContains, value)
    }
    /// The array `field` contains one of `values`.
    pub fn array_contains_any(field: impl Into<String>, values: Vec<Value>) -> Self {
        Self::field(field, FieldOp::ArrayContainsAny, Value::Array(values))
    }
    /// `field` is one of `values`.
    pub fn is_in(field: impl Into<String>, values: Vec<Value>) -> Self {
        Self::field(field, FieldOp::In, Value::Array(values))
    }
    /// `field` is none of `values`.
    pub fn not_in(field: impl Into<String>, values: Vec<Value>) -> Self {
        Self::field(field, FieldOp::NotIn, Value::Array(values))
    }
    /// `field` is null.
    pub fn is_null(field: impl Into<String>) -> Self {
        Filter::Unary {
            field: field.into(),
            op: UnaryOp::IsNull,
        }
    }
    /// `field` exists and is not null.
    pub fn is_not_null(field: impl Into<String>) -> Self {
        Filter::Unary {
            field: field.into(),
            op: UnaryOp::IsNotNull,
        }
    }
    /// All of `filters`.
    pub fn and(filters: Vec<Filter>) -> Self {
        Filter::Composite { all: true, filters }
    }
    /// Any of `filters`.
    pub fn or(filters: Vec<Filter>) -> Self {
        Filter::Composite {
            all: false,
            filters,
        }
    }
}

#[derive(Serialize)]
struct FieldRef<'a> {
    #[serde(rename = "fieldPath")]
    field_path: &'a str,
}

impl Serialize for Filter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct FieldFilter<'a> {
            field: FieldRef<'a>,
            op: &'static str,
            value: &'a Value,
        }
        #[derive(Serialize)]
        struct UnaryFilter<'a> {
            op: &'static str,
            field: FieldRef<'a>,
        }
        #[derive(Serialize)]
        struct CompositeFilter<'a> {
            op: &'static str,
            filters: &'a [Filter],
        }
        let mut m = s.serialize_map(Some(1))?;
        match self {
            Filter::Field { field, op, value } => m.serialize_entry(
                "fieldFilter",
                &FieldFilter {
                    field: FieldRef { field_path: field },
                    op: op.name(),
                    value,
                },
            )?,
            Filter::Unary { field, op } => m.serialize_entry(
                "unaryFilter",
                &UnaryFilter {
                    op: op.name(),
                    field: FieldRef { field_path: field },
                },
            )?,
            Filter::Composite { all, filters } => m.serialize_entry(
                "compositeFilter",
                &CompositeFilter {
                    op: if *all { "AND" } else { "OR" },
                    filters,
                },
            )?,
        }
        m.end()
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Smallest first.
    Ascending,
    /// Largest first.
    Descending,
}

/// An ordering on one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// The field path.
    pub field: String,
    /// The direction.
    pub direction: Direction,
}

impl Serialize for Order {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry(
            "field",
            &FieldRef {
                field_path: &self.field,
            },
        )?;
        m.serialize_entry(
            "direction",
            match self.direction {
                Direction::Ascending => "ASCENDING",
                Direction::Descending => "DESCENDING",
            },
        )?;
        m.end()
    }
}

/// A position in the query's order: values of the order-by fields, in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cursor {
    /// One value per order-by field (a prefix is allowed).
    pub values: Vec<Value>,
    /// `true`: the position is just before the values (start at / end before); `false`: just
    /// after them (start after / end at).
    pub before: bool,
}

/// A structured query over one collection (or every collection of that id, for a collection
/// group), under the database root or under a parent document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    /// The parent document's path for a subcollection (`crm_customers/{id}`), `None` for a
    /// top-level collection.
    pub parent: Option<String>,
    /// The collection id.
    pub collection: String,
    /// Every collection with this id under the parent (a collection-group query).
    pub all_descendants: bool,
    /// Fields to return (`None`: all of them; `Some(vec![])`: only names).
    pub select: Option<Vec<String>>,
    /// The filter (several calls to [`Query::filter`] are combined with AND).
    pub filter: Option<Filter>,
    /// The order.
    pub order_by: Vec<Order>,
    /// Where results start.
    pub start_at: Option<Cursor>,
    /// Where results end.
    pub end_at: Option<Cursor>,
    /// Results to skip (they are still read, and billed).
    pub offset: Option<u32>,
    /// Most results.
    pub limit: Option<u32>,
}

impl Query {
    /// All documents of a top-level collection.
    pub fn collection(id: impl Into<String>) -> Self {
        Self {
            collection: id.into(),
            ..Self::default()
        }
    }

    /// A subcollection of the document at `parent` (`crm_customers/{id}`, relative).
    pub fn subcollection(parent: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            parent: Some(parent.into()),
            ..Self::collection(id)
        }
    }

    /// Every collection with this id, anywhere in the database.
    pub fn collection_group(id: impl Into<String>) -> Self {
        Self {
            all_descendants: true,
            ..Self::collection(id)
        }
    }

    /// Adds a filter (AND with any before).
    pub fn filter(mut self, f: Filter) -> Self {
        self.filter = Some(match self.filter.take() {
            None => f,
            Some(Filter::Composite {
                all: true,
                mut filters,
            }) => {
                filters.push(f);
                Filter::and(filters)
            }
            Some(prev) => Filter::and(vec![prev, f]),
        });
        self
    }

    /// Adds an ordering.
    pub fn order_by(mut self, field: impl Into<String>, direction: Direction) -> Self {
        self.order_by.push(Order {
            field: field.into(),
            direction,
        });
        self
    }

    /// Returns only these fields.
    pub fn select<I: IntoIterator<Item = S>, S: Into<String>>(mut self, fields: I) -> Self {
        self.select = Some(fields.into_iter().map(Into::into).collect());
        self
    }

    /// At most `n` results.
    pub fn limit(mut self, n: u32) -> Self {
        self.limit = Some(n);
        self
    }

    /// Skips `n` results.
    pub fn offset(mut self, n: u32) -> Self {
        self.offset = Some(n);
        self
    }

    /// Starts at these order-by values (inclusive).
    pub fn start_at(mut self, values: Vec<Value>) -> Self {
        self.start_at = Some(Cursor {
            values,
            before: true,
        });
        self
    }

    /// Starts after these order-by values.
    pub fn start_after(mut self, values: Vec<Value>) -> Self {
        self.start_at = Some(Cursor {
            values,
            before: false,
        });
        self
    }

    /// Ends at these order-by values (inclusive).
    pub fn end_at(mut self, values: Vec<Value>) -> Self {
        self.end_at = Some(Cursor {
            values,
            before: false,
        });
        self
    }

    /// Ends before these order-by values.
    pub fn end_before(mut self, values: Vec<Value>) -> Self {
        self.end_at = Some(Cursor {
            values,
            before: true,
        });
        self
    }

    /// Starts after `doc` (the last result of the previous page), the way Google's client
    /// libraries do it: orders by `__name__` last when the order does not already (in the
    /// direction of the last ordering, as Firestore itself would), and takes the cursor's
    /// values from the document (a missing field counts as null).
    pub fn start_after_document(mut self, doc: &Document) -> Self {
        if !self.order_by.iter().any(|o| o.field == NAME_FIELD) {
            let direction = self
                .order_by
                .last()
                .map_or(Direction::Ascending, |o| o.direction);
            self.order_by.push(Order {
                field: NAME_FIELD.to_owned(),
                direction,
            });
        }
        let values = self
            .order_by
            .iter()
            .map(|o| {
                if o.field == NAME_FIELD {
                    Value::Reference(doc.name.clone())
                } else {
                    doc.get(&o.field).cloned().unwrap_or(Value::Null)
                }
            })
            .collect();
        self.start_after(values)
    }
}

impl Serialize for Query {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct From<'a> {
            collection_id: &'a str,
            #[serde(skip_serializing_if = "std::ops::Not::not")]
            all_descendants: bool,
        }
        #[derive(Serialize)]
        struct Projection<'a> {
            fields: Vec<FieldRef<'a>>,
        }
        let mut m = s.serialize_map(None)?;
        m.serialize_entry(
            "from",
            &[From {
                collection_id: &self.collection,
                all_descendants: self.all_descendants,
            }],
        )?;
        if let Some(select) = &self.select {
            let fields = select.iter().map(|f| FieldRef { field_path: f }).collect();
            m.serialize_entry("select", &Projection { fields })?;
        }
        if let Some(f) = &self.filter {
            m.serialize_entry("where", f)?;
        }
        if !self.order_by.is_empty() {
            m.serialize_entry("orderBy", &self.order_by)?;
        }
        if let Some(c) = &self.start_at {
            m.serialize_entry("startAt", c)?;
        }
        if let Some(c) = &self.end_at {
            m.serialize_entry("endAt", c)?;
        }
        if let Some(n) = self.offset {
            m.serialize_entry("offset", &n)?;
        }
        if let Some(n) = self.limit {
            m.serialize_entry("limit", &n)?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn queries_on_the_wire() {
        // (query, structuredQuery)
        let table = [
            (
                Query::collection("c"),
                json!({"from": [{"collectionId": "c"}]}),
            ),
            (
                Query::collection_group("notes")
                    .select(["a", "b.c"])
                    .limit(5)
                    .offset(2),
                json!({
                    "from": [{"collectionId": "notes", "allDescendants": true}],
                    "select": {"fields": [{"fieldPath": "a"}, {"fieldPath": "b.c"}]},
                    "offset": 2, "limit": 5
                }),
            ),
            (
                Query::collection("crm_customers")
                    .filter(Filter::array_contains("search_keys", "nik"))
                    .filter(Filter::eq("language", "el"))
                    .filter(Filter::is_not_null("name"))
                    .order_by("name", Direction::Ascending)
                    .order_by(NAME_FIELD, Direction::Descending)
                    .start_after(vec![
                        Value::from("M"),
                        Value::Reference(
                            "projects/p/databases/(default)/documents/crm_customers/x".into(),
                        ),
                    ])
                    .end_before(vec![Value::from("N")]),
                json!({
                    "from": [{"collectionId": "crm_customers"}],
                    "where": {"compositeFilter": {"op": "AND", "filters": [
                        {"fieldFilter": {"field": {"fieldPath": "search_keys"}, "op": "ARRAY_CONTAINS", "value": {"stringValue": "nik"}}},
                        {"fieldFilter": {"field": {"fieldPath": "language"}, "op": "EQUAL", "value": {"stringValue": "el"}}},
                        {"unaryFilter": {"op": "IS_NOT_NULL", "field": {"fieldPath": "name"}}}
                    ]}},
                    "orderBy": [
                        {"field": {"fieldPath": "name"}, "direction": "ASCENDING"},
                        {"field": {"fieldPath": "__name__"}, "direction": "DESCENDING"}
                    ],
                    "startAt": {"values": [{"stringValue": "M"}, {"referenceValue": "projects/p/databases/(default)/documents/crm_customers/x"}], "before": false},
                    "endAt": {"values": [{"stringValue": "N"}], "before": true}
                }),
            ),
            (
                Query::collection("o").filter(Filter::or(vec![
                    Filter::is_in(
                        "status",
                        vec![Value::from("draft"), Value::from("confirmed")],
                    ),
                    Filter::lt("total", 10.5),
                ])),
                json!({
                    "from": [{"collectionId": "o"}],
                    "where": {"compositeFilter": {"op": "OR", "filters": [
                        {"fieldFilter": {"field": {"fieldPath": "status"}, "op": "IN", "value": {"arrayValue": {"values": [{"stringValue": "draft"}, {"stringValue": "confirmed"}]}}}},
                        {"fieldFilter": {"field": {"fieldPath": "total"}, "op": "LESS_THAN", "value": {"doubleValue": 10.5}}}
                    ]}}
                }),
            ),
        ];
        for (q, wire) in table {
            assert_eq!(serde_json::to_value(&q).unwrap(), wire, "{q:?}");
        }
    }

    #[test]
    fn start_after_a_document_adds_the_name_order() {
        let doc = Document {
            name: "projects/p/databases/(default)/documents/c/d7".into(),
            fields: crate::to_fields(&json!({"rank": 3, "m": {"x": "a"}})).unwrap(),
            ..Document::default()
        };
        let q = Query::collection("c")
            .order_by("rank", Direction::Descending)
            .order_by("m.x", Direction::Ascending)
            .order_by("absent", Direction::Descending)
            .start_after_document(&doc);
        assert_eq!(q.order_by.len(), 4);
        assert_eq!(
            q.order_by[3],
            Order {
                field: NAME_FIELD.into(),
                direction: Direction::Descending
            }
        );
        assert_eq!(
            q.start_at,
            Some(Cursor {
                values: vec![
                    Value::Integer(3),
                    Value::from("a"),
                    Value::Null,
                    Value::Reference(doc.name.clone())
                ],
                before: false
            })
        );
        // a query already ordered by name keeps its order
        let q = Query::collection("c")
            .order_by(NAME_FIELD, Direction::Ascending)
            .start_after_document(&doc);
        assert_eq!(q.order_by.len(), 1);
        assert_eq!(
            q.start_at.unwrap().values,
            vec![Value::Reference(doc.name.clone())]
        );
    }
}

//! Documents, writes, preconditions and transforms, and the wire form of the requests and
//! answers that carry them.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize, Serializer};

use super::path::field_path_segments;
use super::status::Status;
use super::timestamp::Timestamp;
use super::value::{Fields, Value, ValueError, from_fields};

/// A stored document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// The full name: `projects/{p}/databases/{d}/documents/{path}`.
    #[serde(default)]
    pub name: String,
    /// Its fields.
    #[serde(default)]
    pub fields: Fields,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<Timestamp>,
    /// When it last changed: the version to give [`Precondition::UpdateTime`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<Timestamp>,
}

impl Document {
    /// The path relative to the database's documents (`crm_customers/{id}`).
    pub fn path(&self) -> &str {
        match self.name.find("/documents/") {
            Some(i) => &self.name[i + "/documents/".len()..],
            None => &self.name,
        }
    }

    /// The document's id (the name's last segment).
    pub fn id(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or(&self.name)
    }

    /// The value at a field path (`a.b`), if there.
    pub fn get(&self, field_path: &str) -> Option<&Value> {
        let mut segments = field_path_segments(field_path).into_iter();
        let first = segments.next()?;
        let mut cur = self.fields.get(&first)?;
        for segment in segments {
            match cur {
                Value::Map(m) => cur = m.get(&segment)?,
                _ => return None,
            }
        }
        Some(cur)
    }

    /// The fields decoded into `T` (see [`from_fields`]).
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, ValueError> {
        from_fields(&self.fields)
    }
}

/// A condition on the document's current state, checked by the server atomically with the
/// write (sent in the write's `currentDocument`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precondition {
    /// The document must exist (`true`) or must not (`false`).
    Exists(bool),
    /// The document must exist and have last changed at exactly this time (its
    /// [`Document::update_time`]): optimistic concurrency.
    UpdateTime(Timestamp),
}

impl Serialize for Precondition {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        match self {
            Precondition::Exists(b) => m.serialize_entry("exists", b)?,
            Precondition::UpdateTime(t) => m.serialize_entry("updateTime", &t.to_string())?,
        }
        m.end()
    }
}

/// A server-side change to one field, applied after the write's update.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldTransform {
    /// The field path (`count`, `stats.total`).
    pub field_path: String,
    /// What to do.
    pub kind: TransformKind,
}

/// The transforms Firestore offers.
#[derive(Debug, Clone, PartialEq)]
pub enum TransformKind {
    /// Set to the commit's time.
    ServerTime,
    /// Add (integer or double; a missing field counts as 0).
    Increment(Value),
    /// Keep the larger.
    Maximum(Value),
    /// Keep the smaller.
    Minimum(Value),
    /// Append the elements not already in the array.
    AppendMissing(Vec<Value>),
    /// Remove every occurrence of these elements.
    RemoveAll(Vec<Value>),
}

impl FieldTransform {
    /// `field += by`.
    pub fn increment(field_path: impl Into<String>, by: impl Into<Value>) -> Self {
        Self {
            field_path: field_path.into(),
            kind: TransformKind::Increment(by.into()),
        }
    }

    /// `field = commit time`.
    pub fn server_time(field_path: impl Into<String>) -> Self {
        Self {
            field_path: field_path.into(),
            kind: TransformKind::ServerTime,
        }
    }

    /// `field ∪= values` (array union).
    pub fn append_missing(field_path: impl Into<String>, values: Vec<Value>) -> Self {
        Self {
            field_path: field_path.into(),
            kind: TransformKind::AppendMissing(values),
        }
    }

    /// `field -= values` (array remove).
    pub fn remove_all(field_path: impl Into<String>, values: Vec<Value>) -> Self {
        Self {
            field_path: field_path.into(),
            kind: TransformKind::RemoveAll(values),
        }
    }
}

impl Serialize for FieldTransform {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        #[derive(Serialize)]
        struct Values<'a> {
            values: &'a [Value],
        }
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("fieldPath", &self.field_path)?;
        match &self.kind {
            TransformKind::ServerTime => m.serialize_entry("setToServerValue", "REQUEST_TIME")?,
            TransformKind::Increment(v) => m.serialize_entry("increment", v)?,
            TransformKind::Maximum(v) => m.serialize_entry("maximum", v)?,
            TransformKind::Minimum(v) => m.serialize_entry("minimum", v)?,
            TransformKind::AppendMissing(v) => {
                m.serialize_entry("appendMissingElements", &Values { values: v })?
            }
            TransformKind::RemoveAll(v) => {
                m.serialize_entry("removeAllFromArray", &Values { values: v })?
            }
        }
        m.end()
    }
}

/// What a [`Write`] does to its document.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOp {
    /// Write these fields: all of them, replacing the document (no mask), or only the fields
    /// of the mask (a field in the mask but not in `fields` is deleted).
    Update {
        /// Fields to write.
        fields: Fields,
        /// Field paths to touch; `None` replaces the whole document.
        mask: Option<Vec<String>>,
    },
    /// Delete the document.
    Delete,
}

/// One write of a commit: a document path (relative, `crm_orders/{id}`), what to do, an
/// optional precondition and transforms.
#[derive(Debug, Clone, PartialEq)]
pub struct Write {
    /// The document, relative to the database's documents.
    pub path: String,
    /// The operation.
    pub op: WriteOp,
    /// Checked atomically with the write.
    pub precondition: Option<Precondition>,
    /// Applied after the update, in order (only with [`WriteOp::Update`]).
    pub transforms: Vec<FieldTransform>,
}

impl Write {
    /// Creates or replaces the whole document.
    pub fn set(path: impl Into<String>, fields: Fields) -> Self {
        Self {
            path: path.into(),
            op: WriteOp::Update { fields, mask: None },
            precondition: None,
            transforms: Vec::new(),
        }
    }

    /// Creates the document; fails with `AlreadyExists` when it exists.
    pub fn create(path: impl Into<String>, fields: Fields) -> Self {
        Self::set(path, fields).with_precondition(Precondition::Exists(false))
    }

    /// Writes only the fields named in `mask` (a masked field absent from `fields` is
    /// deleted); other fields stay. Creates the document when missing unless a precondition
    /// says otherwise.
    pub fn update<I, S>(path: impl Into<String>, fields: Fields, mask: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            path: path.into(),
            op: WriteOp::Update {
                fields,
                mask: Some(mask.into_iter().map(Into::into).collect()),
            },
            precondition: None,
            transforms: Vec::new(),
        }
    }

    /// Only transforms (an update with an empty mask): `Write::transform(p, vec![
    /// FieldTransform::increment("n", 1)])` creates the document when missing.
    pub fn transform(path: impl Into<String>, transforms: Vec<FieldTransform>) -> Self {
        Self {
            transforms,
            ..Self::update(path, Fields::new(), Vec::<String>::new())
        }
    }

    /// Deletes the document (no error when it is already gone, unless a precondition says so).
    pub fn delete(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            op: WriteOp::Delete,
            precondition: None,
            transforms: Vec::new(),
        }
    }

    /// Adds (replaces) the precondition.
    pub fn with_precondition(mut self, p: Precondition) -> Self {
        self.precondition = Some(p);
        self
    }

    /// Adds a transform.
    pub fn with_transform(mut self, t: FieldTransform) -> Self {
        self.transforms.push(t);
        self
    }

    /// The wire form, with the document's full name under `documents_root`
    /// (`projects/{p}/databases/{d}/documents`).
    pub fn to_wire<'a>(&'a self, documents_root: &str) -> WireWrite<'a> {
        let name = format!("{documents_root}/{}", self.path);
        let (update, delete, update_mask) = match &self.op {
            WriteOp::Update { fields, mask } => (
                Some(WireDocumentOut { name, fields }),
                None,
                mask.as_deref().map(|field_paths| WireMask { field_paths }),
            ),
            WriteOp::Delete => (None, Some(name), None),
        };
        WireWrite {
            update,
            delete,
            update_mask,
            update_transforms: &self.transforms,
            current_document: self.precondition.as_ref(),
        }
    }
}

/// A [`Write`] as sent.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WireWrite<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    update: Option<WireDocumentOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delete: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    update_mask: Option<WireMask<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    update_transforms: &'a [FieldTransform],
    #[serde(skip_serializing_if = "Option::is_none")]
    current_document: Option<&'a Precondition>,
}

/// A document as sent (name and fields).
#[derive(Debug, Serialize)]
pub struct WireDocumentOut<'a> {
    /// Full name.
    pub name: String,
    /// Fields.
    pub fields: &'a Fields,
}

/// A field mask.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WireMask<'a> {
    /// Field paths.
    pub field_paths: &'a [String],
}

/// The outcome of one write.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WriteResult {
    /// The document's new update time (absent when the write changed nothing, e.g. deleting
    /// a missing document).
    #[serde(default)]
    pub update_time: Option<Timestamp>,
    /// One value per transform, in order (the value after an increment, …).
    #[serde(default)]
    pub transform_results: Vec<Value>,
}

/// The answer to a commit.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitResponse {
    /// One per write, in order.
    #[serde(default)]
    pub write_results: Vec<WriteResult>,
    /// When the commit happened.
    #[serde(default)]
    pub commit_time: Option<Timestamp>,
}

/// The answer to a `batchWrite`: per-write results and statuses.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchWriteResponse {
    /// One per write.
    #[serde(default)]
    pub write_results: Vec<WriteResult>,
    /// One per write; code 0 is success.
    #[serde(default)]
    pub status: Vec<Status>,
}

/// One element of a `batchGet` answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchGetItem {
    /// The document, when it exists.
    #[serde(default)]
    pub found: Option<Document>,
    /// The name asked for, when it does not.
    #[serde(default)]
    pub missing: Option<String>,
    /// A transaction started by the request (unused here).
    #[serde(default)]
    pub transaction: Option<String>,
}

/// One element of a `runQuery` answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunQueryItem {
    /// A result, in order (absent in progress-only elements).
    #[serde(default)]
    pub document: Option<Document>,
}

/// One element of a `runAggregationQuery` answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AggregationItem {
    /// The aggregates by alias.
    #[serde(default)]
    pub result: Option<AggregationResult>,
}

/// Aggregate values by alias.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AggregationResult {
    /// By alias.
    #[serde(default)]
    pub aggregate_fields: Fields,
}

/// The answer to `beginTransaction`.
#[derive(Debug, Clone, Deserialize)]
pub struct BeginTransactionResponse {
    /// The transaction id (base64).
    pub transaction: String,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const ROOT: &str = "projects/p/databases/(default)/documents";

    fn fields(j: serde_json::Value) -> Fields {
        crate::to_fields(&j).unwrap()
    }

    #[test]
    fn writes_on_the_wire() {
        let t = Timestamp::parse("2026-01-02T03:04:05.123456Z").unwrap();
        // (write, wire form)
        let table = [
            (
                Write::set("c/a", fields(json!({"n": 1}))),
                json!({"update": {"name": format!("{ROOT}/c/a"), "fields": {"n": {"integerValue": "1"}}}}),
            ),
            (
                Write::create("c/a", Fields::new()),
                json!({"update": {"name": format!("{ROOT}/c/a"), "fields": {}}, "currentDocument": {"exists": false}}),
            ),
            (
                Write::update("c/a", fields(json!({"x": "y"})), ["x", "gone"])
                    .with_precondition(Precondition::UpdateTime(t)),
                json!({
                    "update": {"name": format!("{ROOT}/c/a"), "fields": {"x": {"stringValue": "y"}}},
                    "updateMask": {"fieldPaths": ["x", "gone"]},
                    "currentDocument": {"updateTime": "2026-01-02T03:04:05.123456Z"}
                }),
            ),
            (
                Write::delete("c/a").with_precondition(Precondition::Exists(true)),
                json!({"delete": format!("{ROOT}/c/a"), "currentDocument": {"exists": true}}),
            ),
            (
                Write::transform(
                    "c/a",
                    vec![
                        FieldTransform::increment("n", 1),
                        FieldTransform::server_time("at"),
                        FieldTransform::append_missing("tags", vec![Value::from("x")]),
                        FieldTransform::remove_all("tags", vec![Value::from("y")]),
                    ],
                ),
                json!({
                    "update": {"name": format!("{ROOT}/c/a"), "fields": {}},
                    "updateMask": {"fieldPaths": []},
                    "updateTransforms": [
                        {"fieldPath": "n", "increment": {"integerValue": "1"}},
                        {"fieldPath": "at", "setToServerValue": "REQUEST_TIME"},
                        {"fieldPath": "tags", "appendMissingElements": {"values": [{"stringValue": "x"}]}},
                        {"fieldPath": "tags", "removeAllFromArray": {"values": [{"stringValue": "y"}]}}
                    ]
                }),
            ),
        ];
        for (write, wire) in table {
            assert_eq!(
                serde_json::to_value(write.to_wire(ROOT)).unwrap(),
                wire,
                "{write:?}"
            );
        }
    }

    #[test]
    fn documents_as_the_server_sends_them() {
        let wire = json!({
            "name": "projects/p/databases/(default)/documents/crm_customers/c1/notes/n1",
            "fields": {"a": {"mapValue": {"fields": {"b": {"integerValue": "2"}}}}},
            "createTime": "2026-12-06T00:48:07.846597Z",
            "updateTime": "2026-12-06T00:48:07.846597Z"
        });
        let d: Document = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(d.path(), "crm_customers/c1/notes/n1");
        assert_eq!(d.id(), "n1");
        assert_eq!(d.get("a.b"), Some(&Value::Integer(2)));
        assert_eq!(d.get("a.c"), None);
        assert_eq!(
            d.update_time.unwrap().to_string(),
            "2026-12-06T00:48:07.846597Z"
        );
        assert_eq!(serde_json::to_value(&d).unwrap(), wire);
        // a document without fields (all fields deleted) is still a document
        let empty: Document =
            serde_json::from_value(json!({"name": "projects/p/databases/(default)/documents/c/x"}))
                .unwrap();
        assert!(empty.fields.is_empty());
    }

    #[test]
    fn answers_as_the_server_sends_them() {
        let c: CommitResponse = serde_json::from_value(json!({
            "writeResults": [{"updateTime": "2026-12-06T00:58:46.518884Z", "transformResults": [{"integerValue": "3"}]}, {}],
            "commitTime": "2026-12-06T00:58:46.518884Z"
        }))
        .unwrap();
        assert_eq!(c.write_results.len(), 2);
        assert_eq!(
            c.write_results[0].transform_results,
            vec![Value::Integer(3)]
        );
        assert_eq!(c.write_results[1].update_time, None);
        let items: Vec<BatchGetItem> = serde_json::from_value(json!([
            {"found": {"name": "projects/p/databases/(default)/documents/c/a", "fields": {}}, "readTime": "2026-12-06T00:58:44.309690Z"},
            {"missing": "projects/p/databases/(default)/documents/c/b", "readTime": "2026-12-06T00:58:44.309690Z"}
        ]))
        .unwrap();
        assert!(items[0].found.is_some());
        assert_eq!(
            items[1].missing.as_deref(),
            Some("projects/p/databases/(default)/documents/c/b")
        );
        let b: BatchWriteResponse = serde_json::from_value(json!({
            "writeResults": [{"updateTime": "2026-12-06T00:58:46.518884Z"}, {}],
            "status": [{}, {"code": 6, "message": "already exists"}]
        }))
        .unwrap();
        assert_eq!(b.status[0].code, 0);
        assert_eq!(b.status[1].code, 6);
    }
}

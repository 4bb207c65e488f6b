//! The JSON bodies of the POST methods (`:commit`, `:batchGet`, `:runQuery`, …).

use serde::Serialize;

use super::document::WireWrite;
use super::query::Query;

/// `:commit` — atomic; inside a transaction when `transaction` is set.
#[derive(Debug, Serialize)]
pub struct CommitRequest<'a> {
    /// The writes, in order.
    pub writes: Vec<WireWrite<'a>>,
    /// The transaction to commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction: Option<&'a str>,
}

/// `:batchWrite` — not atomic, each write on its own.
#[derive(Debug, Serialize)]
pub struct BatchWriteRequest<'a> {
    /// The writes (no two on the same document).
    pub writes: Vec<WireWrite<'a>>,
}

/// `:batchGet`.
#[derive(Debug, Serialize)]
pub struct BatchGetRequest<'a> {
    /// Full names.
    pub documents: &'a [String],
    /// Read inside this transaction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction: Option<&'a str>,
}

/// `:runQuery`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunQueryRequest<'a> {
    /// The query.
    pub structured_query: &'a Query,
    /// Read inside this transaction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction: Option<&'a str>,
}

/// `:runAggregationQuery` with one `count` aggregation.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CountRequest<'a> {
    /// The query and its aggregation.
    pub structured_aggregation_query: CountQuery<'a>,
    /// Read inside this transaction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction: Option<&'a str>,
}

/// The aggregation part of [`CountRequest`].
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CountQuery<'a> {
    /// The query counted.
    pub structured_query: &'a Query,
    /// `[{"alias": "count", "count": {}}]`.
    pub aggregations: [CountAggregation; 1],
}

/// One `count` aggregation.
#[derive(Debug, Serialize)]
pub struct CountAggregation {
    /// The result's name.
    pub alias: &'static str,
    /// `{}` (no upper bound).
    pub count: Empty,
}

/// `{}`.
#[derive(Debug, Serialize)]
pub struct Empty {}

/// `:beginTransaction`.
#[derive(Debug, Serialize)]
pub struct BeginTransactionRequest<'a> {
    /// Read-only or read-write.
    pub options: TransactionOptions<'a>,
}

/// The kind of transaction to begin.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TransactionOptions<'a> {
    /// Reads and writes; `retryTransaction` names the attempt this one retries.
    ReadWrite(ReadWrite<'a>),
    /// Reads only (no locks).
    ReadOnly(Empty),
}

/// Options of a read-write transaction.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadWrite<'a> {
    /// The transaction this one retries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_transaction: Option<&'a str>,
}

/// `:rollback`.
#[derive(Debug, Serialize)]
pub struct RollbackRequest<'a> {
    /// The transaction.
    pub transaction: &'a str,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn bodies() {
        let begin = BeginTransactionRequest {
            options: TransactionOptions::ReadWrite(ReadWrite {
                retry_transaction: Some("EQg="),
            }),
        };
        assert_eq!(
            serde_json::to_value(&begin).unwrap(),
            json!({"options": {"readWrite": {"retryTransaction": "EQg="}}})
        );
        let ro = BeginTransactionRequest {
            options: TransactionOptions::ReadOnly(Empty {}),
        };
        assert_eq!(
            serde_json::to_value(&ro).unwrap(),
            json!({"options": {"readOnly": {}}})
        );
        let q = Query::collection("c");
        let count = CountRequest {
            structured_aggregation_query: CountQuery {
                structured_query: &q,
                aggregations: [CountAggregation {
                    alias: "count",
                    count: Empty {},
                }],
            },
            transaction: None,
        };
        assert_eq!(
            serde_json::to_value(&count).unwrap(),
            json!({"structuredAggregationQuery": {
                "structuredQuery": {"from": [{"collectionId": "c"}]},
                "aggregations": [{"alias": "count", "count": {}}]
            }})
        );
    }
}

//! Google's error statuses: the canonical codes, the JSON error body
//! (`{"error": {"code": 409, "message": "…", "status": "ALREADY_EXISTS"}}`) and the per-write
//! statuses of `batchWrite`.

use std::fmt;

use serde::Deserialize;

/// The canonical status codes (`google.rpc.Code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// 0.
    Ok,
    /// 1: the client went away.
    Cancelled,
    /// 2.
    Unknown,
    /// 3: a malformed request.
    InvalidArgument,
    /// 4: the deadline passed before the operation finished (it may have happened).
    DeadlineExceeded,
    /// 5.
    NotFound,
    /// 6.
    AlreadyExists,
    /// 7.
    PermissionDenied,
    /// 8: quota or rate limit (HTTP 429).
    ResourceExhausted,
    /// 9: a precondition (`exists`, `updateTime`) did not hold, or a query needs an index.
    FailedPrecondition,
    /// 10: contention (a transaction lost, a lock timed out).
    Aborted,
    /// 11.
    OutOfRange,
    /// 12.
    Unimplemented,
    /// 13.
    Internal,
    /// 14: the service is briefly unavailable.
    Unavailable,
    /// 15.
    DataLoss,
    /// 16: no or bad credentials.
    Unauthenticated,
}

const CODES: [(Code, &str); 17] = [
    (Code::Ok, "OK"),
    (Code::Cancelled, "CANCELLED"),
    (Code::Unknown, "UNKNOWN"),
    (Code::InvalidArgument, "INVALID_ARGUMENT"),
    (Code::DeadlineExceeded, "DEADLINE_EXCEEDED"),
    (Code::NotFound, "NOT_FOUND"),
    (Code::AlreadyExists, "ALREADY_EXISTS"),
    (Code::PermissionDenied, "PERMISSION_DENIED"),
    (Code::ResourceExhausted, "RESOURCE_EXHAUSTED"),
    (Code::FailedPrecondition, "FAILED_PRECONDITION"),
    (Code::Aborted, "ABORTED"),
    (Code::OutOfRange, "OUT_OF_RANGE"),
    (Code::Unimplemented, "UNIMPLEMENTED"),
    (Code::Internal, "INTERNAL"),
    (Code::Unavailable, "UNAVAILABLE"),
    (Code::DataLoss, "DATA_LOSS"),
    (Code::Unauthenticated, "UNAUTHENTICATED"),
];

impl Code {
    /// From the numeric code (`batchWrite` statuses); unknown numbers are [`Code::Unknown`].
    pub fn from_number(n: i32) -> Code {
        usize::try_from(n)
            .ok()
            .and_then(|i| CODES.get(i))
            .map_or(Code::Unknown, |(c, _)| *c)
    }

    /// From the name in an error body (`"ALREADY_EXISTS"`).
    pub fn from_name(name: &str) -> Option<Code> {
        CODES.iter().find(|(_, n)| *n == name).map(|(c, _)| *c)
    }

    /// The name (`ALREADY_EXISTS`).
    pub fn name(self) -> &'static str {
        CODES
            .iter()
            .find(|(c, _)| *c == self)
            .map_or("UNKNOWN", |(_, n)| n)
    }

    /// The code an HTTP status stands for when the body names none (a proxy's 502, …).
    pub fn from_http(status: u16) -> Code {
        match status {
            200..=299 => Code::Ok,
            400 => Code::InvalidArgument,
            401 => Code::Unauthenticated,
            403 => Code::PermissionDenied,
            404 => Code::NotFound,
            409 => Code::Aborted,
            412 => Code::FailedPrecondition,
            416 => Code::OutOfRange,
            429 => Code::ResourceExhausted,
            499 => Code::Cancelled,
            501 => Code::Unimplemented,
            502 | 503 => Code::Unavailable,
            504 => Code::DeadlineExceeded,
            500..=599 => Code::Internal,
            _ => Code::Unknown,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A per-write status (`google.rpc.Status`, numeric code; 0 or absent is success).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Status {
    /// The numeric code.
    #[serde(default)]
    pub code: i32,
    /// What went wrong.
    #[serde(default)]
    pub message: String,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    status: String,
}

/// The code and message of an error answer: from the JSON body when there is one (also as the
/// first element of a streamed array), else from the HTTP status.
pub fn parse_error(http_status: u16, body: &[u8]) -> (Code, String) {
    // a streamed method (runQuery, batchGet) may send its error as an array's element
    let streamed = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let envelope = if streamed {
        serde_json::from_slice::<Vec<ErrorEnvelope>>(body)
            .ok()
            .and_then(|v| v.into_iter().next())
    } else {
        serde_json::from_slice::<ErrorEnvelope>(body).ok()
    };
    match envelope {
        Some(ErrorEnvelope { error }) => {
            let code = Code::from_name(&error.status).unwrap_or(Code::from_http(http_status));
            (code, error.message)
        }
        None => {
            let text = String::from_utf8_lossy(body);
            let text: String = text.trim().chars().take(300).collect();
            (
                Code::from_http(http_status),
                format!("HTTP {http_status}: {text}"),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_by_number_and_name() {
        for (i, (code, name)) in CODES.iter().enumerate() {
            assert_eq!(Code::from_number(i as i32), *code);
            assert_eq!(Code::from_name(name), Some(*code));
            assert_eq!(code.name(), *name);
        }
        assert_eq!(Code::from_number(99), Code::Unknown);
        assert_eq!(Code::from_number(-1), Code::Unknown);
        assert_eq!(Code::from_name("NOPE"), None);
    }

    #[test]
    fn error_bodies() {
        // (HTTP status, body, code, message)
        let table: [(u16, &str, Code, &str); 6] = [
            (
                409,
                r#"{"error":{"code":409,"message":"entity already exists","status":"ALREADY_EXISTS"}}"#,
                Code::AlreadyExists,
                "entity already exists",
            ),
            (
                409,
                r#"{"error":{"code":409,"message":"Transaction lock timeout.","status":"ABORTED"}}"#,
                Code::Aborted,
                "Transaction lock timeout.",
            ),
            (
                400,
                r#"{"error":{"code":400,"message":"the stored version (1) does not match the required base version (0)","status":"FAILED_PRECONDITION"}}"#,
                Code::FailedPrecondition,
                "the stored version (1) does not match the required base version (0)",
            ),
            (
                400,
                r#"[{"error":{"code":400,"message":"bad query","status":"INVALID_ARGUMENT"}}]"#,
                Code::InvalidArgument,
                "bad query",
            ),
            (
                503,
                "upstream connect error",
                Code::Unavailable,
                "HTTP 503: upstream connect error",
            ),
            (
                429,
                r#"{"error":{"code":429,"message":"slow down"}}"#,
                Code::ResourceExhausted,
                "slow down",
            ),
        ];
        for (http, body, code, message) in table {
            assert_eq!(
                parse_error(http, body.as_bytes()),
                (code, message.to_owned()),
                "{body}"
            );
        }
    }
}

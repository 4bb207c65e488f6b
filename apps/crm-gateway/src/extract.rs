//! Request extractors that answer bad input with the API's JSON errors: a malformed body is a
//! 400, a well-formed body with a wrong field is a 422 naming the field, an oversized one 413.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body, parsed with the failing field's path kept for the error.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req.app_data::<BodyLimit>().map(|l| l.0);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes.await.map_err(|e| {
                if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::payload_too_large(limit)
                } else {
                    ApiError::bad_request("malformed_body", format!("cannot read the body: {e}"))
                }
            })?;
            parse_json(&bytes).map(Json)
        })
    }
}

/// The configured body limit, kept so 413 answers can say what it is.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// Parses a JSON document; see the module doc for which error is which.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        None => {
            return Err(ApiError::bad_request(
                "malformed_json",
                "the request body is empty; expected a JSON object",
            ));
        }
        // every body of this API is an object; serde would read a struct from an array too
        Some(b) if *b != b'{' => {
            return Err(ApiError::bad_request(
                "malformed_body",
                "expected a JSON object",
            ));
        }
        Some(_) => {}
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(json_error)?;
    de.end()
        .map_err(|e| ApiError::bad_request("malformed_json", format!("malformed JSON: {e}")))?;
    Ok(value)
}

fn json_error(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    let inner = e.inner();
    if !inner.is_data() {
        return ApiError::bad_request("malformed_json", format!("malformed JSON: {inner}"));
    }
    // serde reports a missing field at the struct that lacks it
    let message = inner.to_string();
    let message = strip_position(&message);
    if let Some(missing) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        return ApiError::invalid_field(join_path(&path, missing), "is required");
    }
    if path == "." {
        return ApiError::bad_request("malformed_body", format!("unexpected body: {message}"));
    }
    ApiError::invalid_field(path, message)
}

fn join_path(parent: &str, field: &str) -> String {
    if parent == "." || parent.is_empty() {
        field.to_owned()
    } else {
        format!("{parent}.{field}")
    }
}

/// serde_json appends " at line 1 column 17"; the field path says more.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    }
}

/// A query string, parsed with the failing parameter named in a 422.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = form_urlencoded_parse(req.query_string()).map(Query);
        std::future::ready(parsed)
    }
}

fn form_urlencoded_parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        if let Some(missing) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
        {
            return ApiError::invalid_field(missing, "query parameter is required");
        }
        let field = if path == "." {
            "query".to_owned()
        } else {
            path
        };
        ApiError::invalid_field(field, message)
    })
}

/// What an `If-Match` header asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMatch {
    /// No header, or `*`: change whatever version is current.
    Any,
    /// Change only if the record is still at this version.
    Version(i64),
}

impl IfMatch {
    pub fn expected_version(self) -> Option<i64> {
        match self {
            IfMatch::Any => None,
            IfMatch::Version(v) => Some(v),
        }
    }

    fn parse(value: &HeaderValue) -> Self {
        let Ok(text) = value.to_str() else {
            return IfMatch::Version(0);
        };
        let first = text.split(',').next().unwrap_or("").trim();
        if first == "*" {
            return IfMatch::Any;
        }
        let tag = first.strip_prefix("W/").unwrap_or(first);
        match tag
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .and_then(|t| t.parse::<i64>().ok())
        {
            Some(v) => IfMatch::Version(v),
            // An entity tag we never issued matches no version: versions start at 1.
            None => IfMatch::Version(0),
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let v = req
            .headers()
            .get(header::IF_MATCH)
            .map_or(IfMatch::Any, IfMatch::parse);
        std::future::ready(Ok(v))
    }
}

/// The `ETag` of a record at `version`.
pub fn etag(version: i64) -> header::EntityTag {
    header::EntityTag::new_strong(version.to_string())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        costs: Option<Costs>,
        items: Option<Vec<Item>>,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Costs {
        pcb: u32,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        quantity: u32,
    }

    fn check(input: &str, status: u16, field: Option<&str>) {
        let err = parse_json::<Body>(input.as_bytes()).unwrap_err();
        let resp = actix_web::ResponseError::error_response(&err);
        assert_eq!(resp.status().as_u16(), status, "{input}: {err}");
        if let Some(field) = field {
            assert!(
                err.to_string()
                    .starts_with(&format!("422 invalid_field: {field}:")),
                "{err}"
            );
        }
    }

    #[test]
    fn body_errors_are_classified() {
        check("", 400, None);
        check("{", 400, None);
        check("{\"name\": \"x\"} trailing", 400, None);
        check("[1,2]", 400, None);
        check("{}", 422, Some("name"));
        check(r#"{"name": 5}"#, 422, Some("name"));
        check(
            r#"{"name": "x", "costs": {"pcb": "a"}}"#,
            422,
            Some("costs.pcb"),
        );
        check(r#"{"name": "x", "costs": {}}"#, 422, Some("costs.pcb"));
        check(
            r#"{"name": "x", "items": [{"quantity": 1}, {"quantity": -1}]}"#,
            422,
            Some("items[1].quantity"),
        );
    }

    #[test]
    fn if_match_forms() {
        let p = |s: &str| IfMatch::parse(&HeaderValue::from_str(s).unwrap());
        assert_eq!(p("\"3\""), IfMatch::Version(3));
        assert_eq!(p("W/\"3\""), IfMatch::Version(3));
        assert_eq!(p("*"), IfMatch::Any);
        assert_eq!(p("\"abc\""), IfMatch::Version(0));
        assert_eq!(p("3"), IfMatch::Version(0));
    }
}

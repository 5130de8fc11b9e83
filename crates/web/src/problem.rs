//! Errors as `application/problem+json` (RFC 9457), with every invalid field
//! listed at once.

use axum::Json;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use resettle_domain::TransitionError;
use resettle_domain::import::ImportProblem;
use resettle_domain::rule::{FieldProblem, Rule};
use resettle_store::StoreError;
use resettle_store::workflow::ActionError;
use serde::Serialize;
use utoipa::ToSchema;

/// One invalid field.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// Path of the field, e.g. `members[1].dateOfBirth`.
    pub field: String,
    pub detail: String,
    /// For imports: index of the record in `submissions`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_number: Option<String>,
    /// The rule the field breaks, where the domain names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<Rule>,
    /// The values the detail names, for the pages' translations.
    #[serde(skip)]
    pub values: Vec<(&'static str, String)>,
}

/// An error response (RFC 9457).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Seconds after which the same request may succeed (`Retry-After`).
    #[serde(skip)]
    pub retry_after: Option<u32>,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: vec![],
            retry_after: None,
        }
    }

    pub fn bad_request(detail: impl Into<String>, errors: Vec<FieldError>) -> Self {
        Self {
            errors,
            ..Self::new(StatusCode::BAD_REQUEST, detail)
        }
    }

    pub fn field(field: &str, detail: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            detail: detail.into(),
            record: None,
            case_number: None,
            rule: None,
            values: Vec::new(),
        }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry_after = self.retry_after;
        let mut response = (status, Json(self)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
        }
        response
    }
}

impl From<ImportProblem> for FieldError {
    fn from(p: ImportProblem) -> Self {
        FieldError {
            field: p.field,
            detail: p.message,
            record: p.record,
            case_number: p.case_number,
            rule: None,
            values: Vec::new(),
        }
    }
}

impl From<FieldProblem> for FieldError {
    fn from(p: FieldProblem) -> Self {
        FieldError {
            rule: Some(p.rule),
            values: p.values,
            ..Problem::field(&p.field, p.message)
        }
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::ImportRejected(problems) => Problem::bad_request(
                "the import was refused; nothing was stored",
                problems.into_iter().map(FieldError::from).collect(),
            ),
            StoreError::Conflict { .. } => Problem::new(StatusCode::CONFLICT, e.to_string()),
            StoreError::NotFound(_)
            | StoreError::MissionNotFound(_)
            | StoreError::HoldNotFound(_)
            | StoreError::ApplicationNotFound(_) => {
                Problem::new(StatusCode::NOT_FOUND, e.to_string())
            }
            StoreError::MissionConflict { .. } | StoreError::ApplicationConflict { .. } => {
                Problem::new(StatusCode::CONFLICT, e.to_string())
            }
            StoreError::PlacesExhausted { .. }
            | StoreError::MissionNotOpen { .. }
            | StoreError::DepartureOnHold { .. } => {
                let field = blocked_field(&e);
                let detail = e.to_string();
                Problem {
                    errors: vec![Problem::field(field, detail.clone())],
                    ..Problem::new(StatusCode::CONFLICT, detail)
                }
            }
            StoreError::PageTooDeep(deep) => {
                Problem::bad_request(deep.to_string(), vec![crate::filters::too_deep(deep)])
            }
            StoreError::Invalid { field, message } => Problem::bad_request(
                format!("{field}: {message}"),
                vec![Problem::field(&field, message)],
            ),
            StoreError::Refused(p) => Problem::bad_request(p.to_string(), vec![p.into()]),
            other if other.is_unavailable() => {
                tracing::warn!(error = %other, "the database is not available");
                Problem {
                    retry_after: Some(RETRY_AFTER_SECONDS),
                    ..Problem::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "the database is not available at the moment; nothing was stored; try again in a few seconds",
                    )
                }
            }
            other => {
                // The detail of a database failure is for the operator's log, not the client.
                tracing::error!(error = %other, "store failure");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the database could not complete the request",
                )
            }
        }
    }
}

/// What a client is told to wait while the database is away: about the time
/// a PostgreSQL restart or a fail-over takes.
pub(crate) const RETRY_AFTER_SECONDS: u32 = 5;

/// The request field a refusal of the pipeline is about.
pub(crate) fn blocked_field(e: &StoreError) -> &'static str {
    match e {
        StoreError::PlacesExhausted { .. } => "action.placeOverride",
        StoreError::DepartureOnHold { .. } => "occurredOn",
        _ => "action",
    }
}

impl From<TransitionError> for Problem {
    fn from(e: TransitionError) -> Self {
        match e {
            TransitionError::NotAllowed { .. } => Problem::new(StatusCode::CONFLICT, e.to_string()),
            other => {
                let field = other.field();
                Problem::bad_request(
                    other.to_string(),
                    vec![Problem::field(field, other.to_string())],
                )
            }
        }
    }
}

impl From<ActionError> for Problem {
    fn from(e: ActionError) -> Self {
        match e {
            ActionError::NotFound(_) => Problem::new(StatusCode::NOT_FOUND, e.to_string()),
            ActionError::Conflict { .. } => Problem::new(StatusCode::CONFLICT, e.to_string()),
            ActionError::Refused(t) => t.into(),
            ActionError::Blocked(s) => s.into(),
            ActionError::Store(s) => s.into(),
        }
    }
}

/// Answer for any path that does not exist (a trailing slash included).
pub async fn not_found(uri: Uri) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        format!("there is no resource at {}", uri.path()),
    )
}

/// The longest error body of a lower layer that is read to become a problem's detail.
const DETAIL_LIMIT: usize = 4096;

/// Makes every error answer of the server a problem document: the refusals
/// that axum gives before any handler runs (405 with its `Allow`, a path that
/// is not UTF-8, a body too large …) come as plain text or empty. Pages'
/// own HTML error pages and problem documents pass unchanged.
pub async fn everywhere(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let status = response.status();
    let kind = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !(status.is_client_error() || status.is_server_error())
        || kind.starts_with("application/problem+json")
        || kind.starts_with("text/html")
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, DETAIL_LIMIT)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let allow = parts
        .headers
        .get(header::ALLOW)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
        .map_or_else(|| allowed_methods(&path), str::to_string);
    let detail = if status == StatusCode::METHOD_NOT_ALLOWED {
        format!("{method} is not allowed on {path}; allowed: {allow}")
    } else if text.is_empty() {
        status.canonical_reason().unwrap_or("Error").to_string()
    } else {
        text
    };
    let mut problem = Problem::new(status, detail).into_response();
    for name in [header::WWW_AUTHENTICATE, header::RETRY_AFTER] {
        if let Some(v) = parts.headers.get(&name) {
            problem.headers_mut().insert(name, v.clone());
        }
    }
    if status == StatusCode::METHOD_NOT_ALLOWED
        && let Ok(v) = header::HeaderValue::from_str(&allow)
    {
        problem.headers_mut().insert(header::ALLOW, v);
    }
    problem
}

/// The methods the server answers on `path`, from the declared access matrix
/// (which a test keeps equal to the routes).
fn allowed_methods(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').collect();
    let matches = |template: &str| {
        let t: Vec<&str> = template.split('/').collect();
        t.len() == segments.len()
            && t.iter()
                .zip(&segments)
                .all(|(t, s)| t.starts_with('{') || t == s)
    };
    let mut methods: Vec<&str> = crate::access::ROUTES
        .iter()
        .filter(|r| matches(r.path))
        .map(|r| r.method)
        .collect();
    methods.sort_unstable();
    methods.dedup();
    methods.join(", ")
}

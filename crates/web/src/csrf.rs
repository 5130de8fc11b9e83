//! CSRF protection for every page form, in one place: a POST to a page must
//! carry the session's token in its `csrf` field (the login form: the token of
//! its pre-session cookie). The API is not affected: it takes no cookies.

use crate::auth::{LOGIN_CSRF_COOKIE, SESSION_COOKIE, secrets};
use crate::pages::T;
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Largest page form accepted.
const MAX_FORM: usize = 1 << 20;

fn cookie(request: &Request, name: &str) -> Option<String> {
    crate::auth::cookie_value(request.headers(), name)
}

pub async fn check(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let expected = if request.uri().path() == "/login" {
        cookie(&request, LOGIN_CSRF_COOKIE)
    } else {
        match cookie(&request, SESSION_COOKIE) {
            Some(token) => match state
                .store
                .session(
                    &secrets::token_hash(&token),
                    state.now(),
                    state.session_idle,
                )
                .await
            {
                Ok(found) => found.map(|s| s.csrf),
                Err(e) => return crate::problem::Problem::from(e).into_response(),
            },
            None => None,
        }
    };
    let (parts, body) = request.into_parts();
    let t = T::of(&parts);
    let Ok(bytes) = to_bytes(body, MAX_FORM).await else {
        return crate::pages::forbidden_page(t, &t.t("refused-form-too-large"), None);
    };
    // A file upload (multipart) carries the token as a part of its own.
    let multipart = parts
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.starts_with("multipart/form-data"));
    let given = match multipart {
        Some(kind) => multipart_field(kind, &bytes, "csrf").and_then(|v| String::from_utf8(v).ok()),
        None => url::form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.into_owned()),
    };
    match (expected, given) {
        (Some(e), Some(g)) if !e.is_empty() && e == g => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => crate::pages::forbidden_page(t, &t.t("refused-form-expired"), None),
    }
}

/// The content of field `name` of a `multipart/form-data` body whose
/// content type is `kind` (as a browser sends a form with a file).
pub(crate) fn multipart_field(kind: &str, body: &[u8], name: &str) -> Option<Vec<u8>> {
    let boundary = kind.split("boundary=").nth(1)?.trim_matches('"');
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let find = |hay: &[u8], needle: &[u8], from: usize| {
        hay.get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|i| i + from)
    };
    let wanted = format!("name=\"{name}\"");
    let mut at = find(body, d, 0)?;
    loop {
        let start = at + d.len();
        let next = find(body, d, start)?;
        let part = &body[start..next];
        if let Some(split) = find(part, b"\r\n\r\n", 0) {
            let head = String::from_utf8_lossy(&part[..split]);
            if head.contains(&wanted) {
                let content = &part[split + 4..];
                return Some(content.strip_suffix(b"\r\n").unwrap_or(content).to_vec());
            }
        }
        at = next;
    }
}

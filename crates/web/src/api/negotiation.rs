//! Content negotiation: the API answers JSON (or, for reports and the norms,
//! the file format asked for); a request whose `Accept` admits none of what
//! it would get is refused with 406 instead of answered in a type it refused.

use crate::problem::Problem;
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn accept(request: Request, next: Next) -> Response {
    let Some(accept) = header_text(request.headers(), header::ACCEPT) else {
        return next.run(request).await;
    };
    // A write answers JSON, always: refuse it before anything is written.
    let reads = request.method() == Method::GET || request.method() == Method::HEAD;
    if !reads && !admits(&accept, "application/json") {
        return refuse(&accept, "application/json");
    }
    let response = next.run(request).await;
    if !response.status().is_success() {
        // Errors are problem documents whatever was asked for.
        return response;
    }
    let kind = header_text(response.headers(), header::CONTENT_TYPE).unwrap_or_default();
    let media = kind.split(';').next().unwrap_or("").trim().to_string();
    if media.is_empty() || admits(&accept, &media) {
        response
    } else {
        refuse(&accept, &media)
    }
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn refuse(accept: &str, media: &str) -> Response {
    Problem::new(
        StatusCode::NOT_ACCEPTABLE,
        format!("this answer is {media}, which 'Accept: {accept}' does not admit"),
    )
    .into_response()
}

/// Whether the `Accept` header admits `media` (`type/subtype`), with a weight above 0.
pub fn admits(accept: &str, media: &str) -> bool {
    let (kind, _) = media.split_once('/').unwrap_or((media, ""));
    accept.split(',').any(|range| {
        let mut parts = range.split(';').map(str::trim);
        let name = parts.next().unwrap_or("").to_ascii_lowercase();
        let refused = parts.any(|p| {
            p.split_once('=').is_some_and(|(k, v)| {
                k.trim().eq_ignore_ascii_case("q")
                    && v.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
            })
        });
        !refused
            && (name == "*/*"
                || name == media.to_ascii_lowercase()
                || name
                    .strip_suffix("/*")
                    .is_some_and(|t| t.eq_ignore_ascii_case(kind)))
    })
}

#[cfg(test)]
mod tests {
    use super::admits;

    #[test]
    fn accept_ranges_and_weights() {
        assert!(admits("application/json", "application/json"));
        assert!(admits("text/html, */*;q=0.8", "application/json"));
        assert!(admits("application/*", "application/json"));
        assert!(admits("text/csv", "text/csv"));
        assert!(!admits("application/xml", "application/json"));
        assert!(!admits("application/json;q=0", "application/json"));
        assert!(!admits("text/*", "application/json"));
    }
}

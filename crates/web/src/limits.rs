//! Timeouts and limits of connections and requests, so that slow or idle
//! clients cannot hold the server: a client sends a request's headers within
//! `header_read` (this is also how long a kept-alive connection may stay idle),
//! its body within `body_read`; at most `max_connections` connections are
//! served at once (further ones wait in the operating system's queue), and
//! request bodies have a size limit per route.

use crate::problem::Problem;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

/// The limits a server keeps (defaults in [`Limits::default`], documented in
/// docs/operations.md).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time to send a request's headers, and to keep a connection idle.
    pub header_read: Duration,
    /// Time to send a request's body.
    pub body_read: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Largest body of `POST /api/v1/submission-imports` (a file of submissions).
    pub import_body: usize,
    /// Largest body of any other request (JSON documents and page forms).
    pub body: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            body_read: Duration::from_secs(30),
            max_connections: 512,
            import_body: 16 * 1024 * 1024,
            body: 1024 * 1024,
        }
    }
}

/// The route that takes large bodies.
const IMPORT_PATH: &str = "/api/v1/submission-imports";

/// Reads the request body within the time and size limits, before any
/// handler sees it: 413 for a body too large, 408 for one too slow.
pub async fn bodies(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limits = state.limits;
    let limit = if request.uri().path() == IMPORT_PATH {
        limits.import_body
    } else {
        limits.body
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = || {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than {limit} bytes"),
        )
        .into_response()
    };
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large();
    }
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(limits.body_read, axum::body::to_bytes(body, limit)).await;
    let bytes = match read {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => return too_large(),
        Err(_) => {
            return Problem::new(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request body did not arrive within {} seconds",
                    limits.body_read.as_secs()
                ),
            )
            .into_response();
        }
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes,
/// then lets the open connections finish their requests.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (close, closing) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::error!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let mut closing = closing.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
                let mut request = request.map(Body::new);
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(peer));
                app.clone().oneshot(request)
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read);
            let mut connection = pin!(builder.serve_connection(TokioIo::new(stream), service));
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "connection ended");
                    }
                }
                _ = closing.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    drop(closing);
    let _ = close.send(());
    close.closed().await;
    Ok(())
}

//! Metrics in the Prometheus text format, served on an address of their own
//! (`serve --metrics-listen`), never on the public port. Labels hold route
//! templates, methods and status codes only: no case ids, no names, no
//! personal data.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Router, http::header};
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// Latency buckets in seconds: from a cached page to a slow report.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Jobs per group commit.
const BATCH_BUCKETS: [f64; 9] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's metrics recorder (once; later calls return the
/// same handle, so several servers in one test process share it).
pub fn install() -> Result<PrometheusHandle, BuildError> {
    if let Some(h) = HANDLE.get() {
        return Ok(h.clone());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &LATENCY_BUCKETS)?
        .set_buckets_for_metric(
            Matcher::Full("resettle_group_commit_batch_jobs".into()),
            &BATCH_BUCKETS,
        )?
        .install_recorder()?;
    Ok(HANDLE.get_or_init(|| handle).clone())
}

/// Counts every routed request by route template, method and status, and
/// times it. Added as a route layer, so the route is the template
/// (`/api/v1/cases/{id}`), never the path a client typed.
pub(crate) async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().as_str().to_string();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!("http_request_duration_seconds", "route" => route.clone(), "method" => method.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("http_requests_total", "route" => route, "method" => method, "status" => status)
        .increment(1);
    response
}

/// What the metrics page reads at each scrape besides the recorded values.
pub trait Gauges: Send + Sync + 'static {
    /// Sets the gauges that are read rather than counted (pool use, queues).
    fn refresh(&self);
}

#[derive(Clone)]
struct Page {
    handle: PrometheusHandle,
    gauges: std::sync::Arc<dyn Gauges>,
}

/// The router of the metrics address: `GET /metrics`.
pub fn router(handle: PrometheusHandle, gauges: std::sync::Arc<dyn Gauges>) -> Router {
    Router::new()
        .route("/metrics", get(render))
        .with_state(Page { handle, gauges })
}

async fn render(State(page): State<Page>) -> impl IntoResponse {
    page.gauges.refresh();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        page.handle.render(),
    )
}

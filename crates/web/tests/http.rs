//! HTTP tests against a real server on a free port: the API and the pages as a
//! client sees them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use reqwest::StatusCode;
use reqwest::redirect::Policy;
use resettle_store::SqlStore;
use resettle_store::testing::{ScratchPostgres, postgres_url};
use serde_json::{Value, json};
use std::sync::Arc;

const EXAMPLE: &str = include_str!("../../../docs/import-example.json");

struct App {
    base: String,
    client: reqwest::Client,
    store: Arc<SqlStore>,
    _dir: Option<tempfile::TempDir>,
    scratch: Option<ScratchPostgres>,
}

impl App {
    /// A server on a free port over a fresh SQLite file.
    async fn sqlite() -> App {
        let dir = tempfile::tempdir().unwrap();
        let store = SqlStore::connect(dir.path().join("web.db").to_str().unwrap())
            .await
            .unwrap();
        App::start(store, Some(dir), None).await
    }

    /// A server over a fresh PostgreSQL database, when one is configured.
    async fn postgres() -> Option<App> {
        let admin = postgres_url().unwrap()?;
        let scratch = ScratchPostgres::create(&admin)
            .await
            .expect("cannot reach PostgreSQL");
        let store = SqlStore::connect(&scratch.url).await.unwrap();
        Some(App::start(store, None, Some(scratch)).await)
    }

    async fn start(
        store: SqlStore,
        dir: Option<tempfile::TempDir>,
        scratch: Option<ScratchPostgres>,
    ) -> App {
        let store = Arc::new(store);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = resettle_web::AppState::new(store.clone(), "officer.test");
        tokio::spawn(resettle_web::serve(listener, state, std::future::pending()));
        let client = reqwest::Client::builder()
            .redirect(Policy::none())
            .build()
            .unwrap();
        App {
            base,
            client,
            store,
            _dir: dir,
            scratch,
        }
    }

    async fn finish(self) {
        self.store.close().await;
        if let Some(s) = self.scratch {
            s.drop_database().await.unwrap();
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let r = self.client.get(self.url(path)).send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn post(
        &self,
        path: &str,
        body: &Value,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let r = self
            .client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap();
        let (status, headers) = (r.status(), r.headers().clone());
        (status, headers, r.json().await.unwrap_or(Value::Null))
    }

    async fn total(&self) -> i64 {
        self.get("/api/v1/cases").await.1["total"].as_i64().unwrap()
    }

    async fn import_example(&self) -> Value {
        let (status, _, body) = self
            .post(
                "/api/v1/submission-imports",
                &serde_json::from_str(EXAMPLE).unwrap(),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// Takes an action on the case at its current version.
    async fn act(&self, id: &str, action: Value, on: &str) -> (StatusCode, Value) {
        let version = self.get(&format!("/api/v1/cases/{id}")).await.1["version"]
            .as_i64()
            .unwrap();
        let body = json!({ "expectedVersion": version, "occurredOn": on, "reason": format!("step {on}"), "action": action });
        let (status, _, body) = self
            .post(&format!("/api/v1/cases/{id}/transitions"), &body)
            .await;
        (status, body)
    }
}

fn assert_problem(headers: &reqwest::header::HeaderMap, body: &Value, status: StatusCode) {
    assert_eq!(
        headers["content-type"], "application/problem+json",
        "{body}"
    );
    assert_eq!(body["status"], status.as_u16(), "{body}");
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
}

async fn pipeline(app: &App) {
    let imported = app.import_example().await;
    assert_eq!(
        (imported["imported"].as_i64(), imported["persons"].as_i64()),
        (Some(3), Some(4))
    );
    let id = imported["cases"][1]["id"].as_str().unwrap().to_string();

    let steps = [
        (json!({ "type": "accept" }), "2024-11-20"),
        (
            json!({ "type": "start-pre-departure", "training": "digital" }),
            "2024-11-25",
        ),
        (json!({ "type": "depart" }), "2024-12-10"),
        (
            json!({ "type": "arrive", "permit": { "validUntil": "2029-12-10" } }),
            "2024-12-11",
        ),
        (
            json!({ "type": "house", "housing": { "type": "coa-reception", "location": "Budel", "reason": "no dwelling yet" } }),
            "2024-12-11",
        ),
        (
            json!({ "type": "house", "housing": { "type": "municipality", "municipality": "Zwolle" } }),
            "2025-02-01",
        ),
        (
            json!({ "type": "start-integration-guidance", "guidance": { "organisation": "VluchtelingenWerk", "until": "2027-02-01" } }),
            "2025-02-03",
        ),
        (json!({ "type": "close" }), "2025-11-01"),
    ];
    for (action, on) in steps {
        let (status, body) = app.act(&id, action.clone(), on).await;
        assert_eq!(status, StatusCode::CREATED, "{action}: {body}");
        assert_eq!(body["transition"]["to"], body["case"]["state"]);
    }
    let (status, case) = app.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(case["state"], "closed");
    assert_eq!(case["arrivedOn"], "2024-12-11");
    assert_eq!(case["housing"]["municipality"], "Zwolle");
    assert_eq!(case["members"].as_array().unwrap().len(), 1);
    assert_eq!(case["allowedActions"], json!([]));

    let (_, history) = app.get(&format!("/api/v1/cases/{id}/transitions")).await;
    let history = history.as_array().unwrap();
    let path: Vec<&str> = history.iter().map(|h| h["to"].as_str().unwrap()).collect();
    assert_eq!(
        path,
        [
            "submitted",
            "under-assessment",
            "accepted",
            "pre-departure",
            "departed",
            "arrived",
            "housed",
            "housed",
            "integration-guidance",
            "closed"
        ]
    );
    for (i, h) in history.iter().enumerate() {
        assert_eq!(h["seq"], i as i64 + 1);
        assert_eq!(h["previousVersion"], i as i64);
        assert!(h["actor"].is_string() && h["recordedAt"].is_string());
    }
    assert_eq!(history[9]["actor"], "officer.test");
    assert_eq!(history[9]["reason"], "step 2025-11-01");
    let (status, one) = app.get(&format!("/api/v1/cases/{id}/transitions/3")).await;
    assert_eq!(
        (status, one["to"].as_str()),
        (StatusCode::OK, Some("accepted"))
    );
}

#[tokio::test]
async fn import_then_the_whole_pipeline_then_the_history_on_every_backend() {
    let app = App::sqlite().await;
    pipeline(&app).await;
    app.finish().await;
    if let Some(app) = App::postgres().await {
        pipeline(&app).await;
        app.finish().await;
    }
}

#[tokio::test]
async fn a_bad_import_lists_every_problem_and_changes_nothing() {
    let app = App::sqlite().await;
    let mut file: Value = serde_json::from_str(EXAMPLE).unwrap();
    file["submissions"][0]["hostCountry"] = "XYZ".into();
    file["submissions"][1]["members"][0]["dateOfBirth"] = "2999-01-01".into();
    file["submissions"][2]["programme"] = "quota".into();
    let (status, headers, body) = app.post("/api/v1/submission-imports", &file).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_problem(&headers, &body, status);
    let errors: Vec<(i64, &str)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["record"].as_i64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        vec![
            (0, "hostCountry"),
            (1, "members[0].dateOfBirth"),
            (2, "programme")
        ]
    );
    assert_eq!(app.total().await, 0);

    // A valid file whose case numbers exist already is refused whole, too.
    app.import_example().await;
    let (status, _, body) = app
        .post(
            "/api/v1/submission-imports",
            &serde_json::from_str(EXAMPLE).unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"].as_array().unwrap().len(), 3, "{body}");
    assert_eq!(app.total().await, 3);

    // Malformed JSON is a 400 problem too, never 422.
    let r = app
        .client
        .post(app.url("/api/v1/submission-imports"))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    app.finish().await;
}

#[tokio::test]
async fn a_concurrent_edit_is_refused_with_409() {
    let app = App::sqlite().await;
    let id = app.import_example().await["cases"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let version = app.get(&format!("/api/v1/cases/{id}")).await.1["version"]
        .as_i64()
        .unwrap();
    let accept = json!({ "expectedVersion": version, "occurredOn": "2024-11-20", "action": { "type": "accept" } });
    let reject = json!({ "expectedVersion": version, "occurredOn": "2024-11-20", "action": { "type": "reject", "grounds": ["exclusion"] } });
    let path = format!("/api/v1/cases/{id}/transitions");
    let (first, _, _) = app.post(&path, &accept).await;
    let (second, headers, body) = app.post(&path, &reject).await;
    assert_eq!((first, second), (StatusCode::CREATED, StatusCode::CONFLICT));
    assert_problem(&headers, &body, StatusCode::CONFLICT);
    assert_eq!(
        app.get(&format!("/api/v1/cases/{id}")).await.1["state"],
        "accepted"
    );
    app.finish().await;
}

#[tokio::test]
async fn refused_and_invalid_requests_get_clear_problems() {
    let app = App::sqlite().await;
    let id = app.import_example().await["cases"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Not allowed from the current state: 409, naming the states it is allowed from.
    let (status, body) = app
        .act(
            &id,
            json!({ "type": "arrive", "permit": { "validUntil": "2030-01-01" } }),
            "2024-11-20",
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("allowed from: departed"),
        "{body}"
    );
    // Invalid field: 400 naming the field.
    let (status, body) = app
        .act(
            &id,
            json!({ "type": "reject", "grounds": [] }),
            "2024-11-20",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["field"], "grounds");
    let (status, body) = app
        .act(&id, json!({ "type": "accept" }), "2999-01-01")
        .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("occurredOn"))
    );
    // Unknown action type and unknown field: 400.
    let (status, _) = app
        .act(&id, json!({ "type": "teleport" }), "2024-11-20")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Unknown case, malformed id, trailing slash: 404 problems.
    for path in [
        "/api/v1/cases/00000000-0000-4000-8000-000000000000",
        "/api/v1/cases/not-an-id",
        "/api/v1/cases/",
        "/api/v1/nothing",
    ] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            r.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
    }
    // Every bad filter at once.
    let (status, body) = app
        .get("/api/v1/cases?state=lost&hostCountry=XX&year=abc&pageSize=9999")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["state", "hostCountry", "year", "pageSize"]);
    app.finish().await;
}

#[tokio::test]
async fn every_response_carries_the_required_headers_and_the_openapi_document_is_public() {
    let app = App::sqlite().await;
    for path in [
        "/api/v1/health",
        "/api/v1/cases",
        "/api/v1/nothing",
        "/cases",
        "/api/v1/openapi.json",
    ] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        let h = r.headers();
        assert_eq!(h["api-version"], "1.0.0", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(h["cache-control"], "no-store", "{path}");
    }
    let (status, health) = app.get("/api/v1/health").await;
    assert_eq!(
        (
            status,
            health["status"].as_str(),
            health["database"].as_str()
        ),
        (StatusCode::OK, Some("ok"), Some("sqlite"))
    );

    let r = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let doc: Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["info"]["contact"]["email"].is_string());
    for path in [
        "/health",
        "/cases",
        "/cases/{id}",
        "/cases/{id}/transitions",
        "/cases/{id}/transitions/{seq}",
        "/submission-imports",
    ] {
        assert!(doc["paths"][path].is_object(), "OpenAPI lacks {path}");
    }
    assert!(doc["components"]["schemas"]["Action"].is_object());
    app.finish().await;
}

#[tokio::test]
async fn pages_list_show_and_move_a_case_in_both_languages() {
    let app = App::sqlite().await;
    let id = app.import_example().await["cases"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let html = |r: reqwest::Response| async move { (r.status(), r.text().await.unwrap()) };
    let (status, list) = html(
        app.client
            .get(app.url("/cases?hostCountry=EGY"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.contains(r#"<html lang="nl">"#) && list.contains("3 zaken gevonden"),
        "{list}"
    );
    assert!(list.contains("EGY-24C00102"));

    let (_, english) = html(
        app.client
            .get(app.url("/cases"))
            .header("cookie", "lang=en")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(english.contains(r#"<html lang="en">"#) && english.contains("3 cases found"));

    let (status, bad) = html(
        app.client
            .get(app.url("/cases?year=soon"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        bad.contains("error-summary") && bad.contains(r##"href="#filter-year""##),
        "{bad}"
    );

    let (status, page) = html(
        app.client
            .get(app.url(&format!("/cases/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Yusuf Example") && page.contains("Accepteren (selecteren)"),
        "{page}"
    );

    // A form without grounds is refused with the error at the field.
    let form = [
        ("action", "reject"),
        ("expectedVersion", "2"),
        ("occurredOn", "2024-11-20"),
    ];
    let (status, page) = html(
        app.client
            .post(app.url(&format!("/cases/{id}/transitions")))
            .form(&form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains(r##"href="#reject-grounds""##) && page.contains("reject-grounds-error"),
        "{page}"
    );

    let form = [
        ("action", "accept"),
        ("expectedVersion", "2"),
        ("occurredOn", "2024-11-20"),
        ("reason", "mission Cairo"),
    ];
    let r = app
        .client
        .post(app.url(&format!("/cases/{id}/transitions")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = html(
        app.client
            .get(app.url(&format!("/cases/{id}?done=1")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("De handeling is vastgelegd") && page.contains("mission Cairo"));
    assert_eq!(
        app.get(&format!("/api/v1/cases/{id}")).await.1["state"],
        "accepted"
    );

    // The same stale form again is a conflict, shown on the page.
    let (status, _) = html(
        app.client
            .post(app.url(&format!("/cases/{id}/transitions")))
            .form(&form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (status, missing) = html(
        app.client
            .get(app.url("/cases/not-a-case"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(missing.contains("Pagina niet gevonden"));
    app.finish().await;
}

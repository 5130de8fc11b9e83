//! HTTP tests against a real server on a free port: the API and the pages as a
//! client sees them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use reqwest::StatusCode;
use resettle_domain::Role;
use serde_json::{Value, json};
use support::App;

const IND: Role = Role::IndOfficer;
const COA: Role = Role::CoaOfficer;

/// Takes an action on the case at its current version, as `role`.
async fn act(app: &App, role: Role, id: &str, action: Value, on: &str) -> (StatusCode, Value) {
    let version = app.get(role, &format!("/api/v1/cases/{id}")).await.1["version"]
        .as_i64()
        .unwrap();
    let body = json!({ "expectedVersion": version, "occurredOn": on, "reason": format!("step {on}"), "action": action });
    let (status, _, body) = app
        .post(role, &format!("/api/v1/cases/{id}/transitions"), &body)
        .await;
    (status, body)
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
        (IND, json!({ "type": "accept" }), "2024-11-20"),
        (
            COA,
            json!({ "type": "start-pre-departure", "training": "digital" }),
            "2024-11-25",
        ),
        (COA, json!({ "type": "depart" }), "2024-12-10"),
        (
            COA,
            json!({ "type": "arrive", "permit": { "validUntil": "2029-12-10" } }),
            "2024-12-11",
        ),
        (
            COA,
            json!({ "type": "house", "housing": { "type": "coa-reception", "location": "Budel", "reason": "no dwelling yet" } }),
            "2024-12-11",
        ),
        (
            COA,
            json!({ "type": "house", "housing": { "type": "municipality", "municipality": "Zwolle" } }),
            "2025-02-01",
        ),
        (
            COA,
            json!({ "type": "start-integration-guidance", "guidance": { "organisation": "VluchtelingenWerk", "until": "2027-02-01" } }),
            "2025-02-03",
        ),
        (COA, json!({ "type": "close" }), "2025-11-01"),
    ];
    for (role, action, on) in steps {
        let (status, body) = act(app, role, &id, action.clone(), on).await;
        assert_eq!(status, StatusCode::CREATED, "{action}: {body}");
        assert_eq!(body["transition"]["to"], body["case"]["state"]);
    }
    let (status, case) = app.get(COA, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(case["state"], "closed");
    assert_eq!(case["arrivedOn"], "2024-12-11");
    assert_eq!(case["housing"]["municipality"], "Zwolle");
    assert_eq!(case["members"].as_array().unwrap().len(), 1);
    assert_eq!(case["allowedActions"], json!([]));

    let (_, history) = app
        .get(COA, &format!("/api/v1/cases/{id}/transitions"))
        .await;
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
    assert_eq!(history[2]["actor"], "t-ind-officer");
    assert_eq!(history[9]["actor"], "t-coa-officer");
    assert_eq!(history[9]["reason"], "step 2025-11-01");
    let (status, one) = app
        .get(COA, &format!("/api/v1/cases/{id}/transitions/3"))
        .await;
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
    let mut file = support::example_submissions();
    file["submissions"][0]["hostCountry"] = "XYZ".into();
    file["submissions"][1]["members"][0]["dateOfBirth"] = "2999-01-01".into();
    file["submissions"][2]["programme"] = "quota".into();
    let (status, headers, body) = app.post(COA, "/api/v1/submission-imports", &file).await;
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
    assert_eq!(app.total(COA).await, 0);

    // A valid file whose case numbers exist already is refused whole, too.
    app.import_example().await;
    let (status, _, body) = app
        .post(
            COA,
            "/api/v1/submission-imports",
            &support::example_submissions(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let taken = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["field"] == "caseNumber")
        .count();
    assert_eq!(taken, 3, "{body}");
    assert_eq!(app.total(COA).await, 3);

    // Malformed JSON is a 400 problem too, never 422.
    let r = app
        .api(reqwest::Method::POST, COA, "/api/v1/submission-imports")
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
    let version = app.get(IND, &format!("/api/v1/cases/{id}")).await.1["version"]
        .as_i64()
        .unwrap();
    let accept = json!({ "expectedVersion": version, "occurredOn": "2024-11-20", "action": { "type": "accept" } });
    let reject = json!({ "expectedVersion": version, "occurredOn": "2024-11-20", "action": { "type": "reject", "grounds": ["exclusion"] } });
    let path = format!("/api/v1/cases/{id}/transitions");
    let (first, _, _) = app.post(IND, &path, &accept).await;
    let (second, headers, body) = app.post(IND, &path, &reject).await;
    assert_eq!((first, second), (StatusCode::CREATED, StatusCode::CONFLICT));
    assert_problem(&headers, &body, StatusCode::CONFLICT);
    assert_eq!(
        app.get(IND, &format!("/api/v1/cases/{id}")).await.1["state"],
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
    let (status, body) = act(
        &app,
        COA,
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
    let (status, body) = act(
        &app,
        IND,
        &id,
        json!({ "type": "reject", "grounds": [] }),
        "2024-11-20",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["field"], "grounds");
    let (status, body) = act(&app, IND, &id, json!({ "type": "accept" }), "2999-01-01").await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("occurredOn"))
    );
    // Unknown action type: 400.
    let (status, _) = act(&app, IND, &id, json!({ "type": "teleport" }), "2024-11-20").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Unknown case, malformed id, trailing slash, unknown path: 404 problems.
    for path in [
        "/api/v1/cases/00000000-0000-4000-8000-000000000000",
        "/api/v1/cases/not-an-id",
        "/api/v1/cases/",
        "/api/v1/nothing",
    ] {
        let r = app
            .api(reqwest::Method::GET, COA, path)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            r.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
    }
    // Every bad filter at once.
    let (status, body) = app
        .get(
            COA,
            "/api/v1/cases?state=lost&hostCountry=XX&year=abc&pageSize=9999",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["state", "hostCountry", "year", "pageSize"]);
    // A cursor that is not one of the list's, and a page counted too deep.
    let (status, body) = app
        .get(
            COA,
            "/api/v1/cases?cursor=x.2025-01-01.EGY-24C00102&page=201",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["cursor", "page"], "{body}");
    // The next page is reached by its link, which keeps the filters and
    // carries the cursor, and knows its way back.
    let (_, first) = app.get(COA, "/api/v1/cases?pageSize=2").await;
    assert_eq!(
        (first["total"].as_i64(), first["totalExact"].as_bool()),
        (Some(3), Some(true))
    );
    assert!(first.get("previous").is_none(), "{first}");
    let next = first["next"].as_str().unwrap();
    assert!(
        next.starts_with("/api/v1/cases?pageSize=2&page=2&cursor=a."),
        "{next}"
    );
    let (status, second) = app.get(COA, next).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert!(
        second.get("next").is_none() && second["previous"].is_string(),
        "{second}"
    );
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
        "/login",
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
    let r = app
        .client
        .get(app.url("/api/v1/health"))
        .send()
        .await
        .unwrap();
    let health: Value = r.json().await.unwrap();
    assert_eq!(
        (health["status"].as_str(), health["database"].as_str()),
        (Some("ok"), Some("sqlite"))
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
    // Vocabularies are documented with their wire values, as the API sends them.
    let states = doc["components"]["schemas"]["CaseState"]["enum"]
        .as_array()
        .unwrap();
    assert!(states.contains(&json!("under-assessment")), "{states:?}");
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    app.finish().await;
}

#[tokio::test]
async fn pages_list_show_and_move_a_case_in_both_languages() {
    let app = App::sqlite().await;
    let id = app.import_example().await["cases"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let (status, list) = app.page(IND, "/cases?hostCountry=EGY").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.contains(r#"<html lang="nl">"#) && list.contains("3 zaken gevonden"),
        "{list}"
    );
    assert!(list.contains("EGY-24C00102"));
    // The pager's link carries the cursor and leads to the rest of the list.
    let (_, paged) = app.page(IND, "/cases?hostCountry=EGY&pageSize=2").await;
    let start =
        paged.find(r#"rel="next" href=""#).expect("a next link") + r#"rel="next" href=""#.len();
    let link = paged[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert!(
        link.contains("cursor=a.") && link.contains("page=2"),
        "{link}"
    );
    let (status, rest) = app.page(IND, &link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        rest.contains("Pagina 2 van 2") && rest.contains(r#"rel="prev""#),
        "{rest}"
    );

    let cookie = format!("resettle_session={}; lang=en", app.sessions[&IND].cookie);
    let english = app
        .client
        .get(app.url("/cases"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains(r#"<html lang="en">"#) && english.contains("3 cases found"));

    let (status, bad) = app.page(IND, "/cases?year=soon").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        bad.contains("error-summary") && bad.contains(r##"href="#filter-year""##),
        "{bad}"
    );

    let (status, page) = app.page(IND, &format!("/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Yusuf Example") && page.contains("Accepteren (selecteren)"),
        "{page}"
    );

    // A form without grounds is refused with the error at the field.
    let path = format!("/cases/{id}/transitions");
    let (status, page) = app
        .form(
            IND,
            &path,
            &[
                ("action", "reject"),
                ("expectedVersion", "2"),
                ("occurredOn", "2024-11-20"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains(r##"href="#reject-grounds""##) && page.contains("reject-grounds-error"),
        "{page}"
    );
    // The domain's refusal and a mistyped date are in the reader's language (Dutch here).
    assert!(
        page.contains("een afwijzing vraagt ten minste één grond"),
        "{page}"
    );
    let (status, page) = app
        .form(
            IND,
            &path,
            &[
                ("action", "accept"),
                ("expectedVersion", "2"),
                ("occurredOn", "20-11-2024"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("is geen datum in de vorm JJJJ-MM-DD")
            && page.contains("accept-occurredOn-error"),
        "{page}"
    );

    let accept = [
        ("action", "accept"),
        ("expectedVersion", "2"),
        ("occurredOn", "2024-11-20"),
        ("reason", "mission Cairo"),
    ];
    let (status, _) = app.form(IND, &path, &accept).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = app.page(IND, &format!("/cases/{id}?done=1")).await;
    assert!(page.contains("De handeling is vastgelegd") && page.contains("mission Cairo"));
    assert_eq!(
        app.get(COA, &format!("/api/v1/cases/{id}")).await.1["state"],
        "accepted"
    );

    // The same stale form again is a conflict, shown on the page.
    let (status, page) = app.form(IND, &path, &accept).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        page.contains("iemand anders heeft deze zaak gewijzigd nadat u haar opende"),
        "{page}"
    );
    // An action the state does not allow, read in English, names the states in English.
    let session = &app.sessions[&IND];
    let r = app
        .client
        .post(app.url(&path))
        .header("cookie", format!("resettle_session={}", session.cookie))
        .header("accept-language", "en")
        .form(&[
            ("csrf", session.csrf.as_str()),
            ("action", "start-assessment"),
            ("expectedVersion", "3"),
            ("occurredOn", "2024-11-21"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("is not possible while the case is")
            && page.contains("Accepted")
            && page.contains("it is possible from: Submitted"),
        "{page}"
    );

    let (status, missing) = app.page(IND, "/cases/not-a-case").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(missing.contains("Pagina niet gevonden"));
    app.finish().await;
}

//! The forecast from live data equals the forecast from the same cases in
//! memory, answers through the API and shows as a page with a fan chart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use reqwest::StatusCode;
use resettle_domain::Role;
use resettle_domain::forecast::{Scenario, forecast, input_from_history, relatives_from_history};
use resettle_domain::policy::PolicySet;
use resettle_store::policy::PolicyStore;
use resettle_store::{NewAuditEntry, Reunification};
use serde_json::{Value, json};
use support::App;
use time::OffsetDateTime;

const POLICY: &str = include_str!("../../../docs/policy-nl.json");

async fn check(app: &App) {
    let cases = app.import_demo().await;
    let now = OffsetDateTime::now_utc();
    let policy: PolicySet = serde_json::from_str(POLICY).unwrap();
    app.store
        .save_policy(&policy, None, "t", now, "t")
        .await
        .unwrap();

    // The relatives the demo families left behind, as the demo server records them.
    let left = resettle_demo::reunification::left_behind(&cases, now.date());
    for (case, list) in &left {
        let entry = NewAuditEntry {
            at: now,
            actor: "t".into(),
            action: "record-relatives-left-behind".into(),
            object: format!("case {case}"),
            result: resettle_domain::audit::AuditResult::Ok,
            origin: "t".into(),
        };
        app.store
            .set_relatives_left_behind(*case, 0, list, &entry)
            .await
            .unwrap();
    }

    // Live input (SQL aggregates, the stored relatives and applications) and
    // in-memory input (histories) give the same forecast.
    let live = resettle_web::forecasts::live_input(app.store.as_ref(), &policy, now.date(), 24)
        .await
        .unwrap();
    let mut pure = input_from_history(&cases, &policy, now.date(), 24);
    pure.relatives = Some(relatives_from_history(
        &cases,
        &left,
        &[],
        policy.reunification_terms_on(now.date()),
        now.date().next_day().unwrap(),
    ));
    assert_eq!(live.relatives, pure.relatives);
    let a = forecast(&live, &policy, &Scenario::default(), 300, 5);
    let b = forecast(&pure, &policy, &Scenario::default(), 300, 5);
    assert_eq!(a, b);

    let (status, _, body) = app
        .post(
            Role::PolicyAnalyst,
            "/api/v1/forecasts",
            &json!({ "runs": 500, "seed": 3 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["runs"], 500);
    assert_eq!(body["months"].as_array().unwrap().len(), 24);
    // The API answers the forecast of the live input with the request's runs and seed.
    let expected = forecast(&live, &policy, &Scenario::default(), 500, 3);
    assert_eq!(body, serde_json::to_value(&expected).unwrap());
    let fw = &body["frameworks"][0];
    let band = |p: &str| {
        fw["total"][p]
            .as_u64()
            .unwrap_or_else(|| panic!("{p} missing: {fw}"))
    };
    assert!(
        band("p10") <= band("p50") && band("p50") <= band("p90"),
        "{fw}"
    );
    let met = fw["probabilityMet"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&met), "{fw}");
    // The expected later-arriving relatives, with what their odds were learnt from.
    assert!(fw["expectedRelatives"]["p50"].is_u64(), "{fw}");
    let r = &body["relatives"];
    assert!(r["awaitedExpectedToApply"].as_u64().unwrap() > 0, "{r}");
    assert_eq!(r["expectedToApply"]["basis"], "data", "{r}");
    assert!(
        r["expectedToApply"]["sponsors"].as_u64().unwrap() > 0,
        "{r}"
    );
    let (status, _, body) = app
        .post(
            Role::PolicyAnalyst,
            "/api/v1/forecasts",
            &json!({ "runs": 0, "horizonMonths": 99 }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
    let (status, _, _) = app
        .post(Role::MunicipalityOfficer, "/api/v1/forecasts", &json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_live_forecast_equals_the_pure_one_and_answers_through_the_api_on_every_backend() {
    let app = App::sqlite().await;
    check(&app).await;
    app.finish().await;
    if let Some(app) = App::postgres().await {
        check(&app).await;
        app.finish().await;
    }
}

#[tokio::test]
async fn the_forecast_page_shows_a_fan_chart_and_takes_a_scenario() {
    let app = App::sqlite().await;
    let body = json!({ "reason": "t", "document": serde_json::from_str::<Value>(POLICY).unwrap() });
    let r = app
        .api(reqwest::Method::PUT, Role::Administrator, "/api/v1/policy")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let (status, page) = app
        .page(
            Role::PolicyAnalyst,
            "/forecast?runs=200&cancel=EGY&pauseFrom=2027-01-01&pauseMonths=2",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<polygon") && page.contains("<polyline") && page.contains("Kans gehaald"),
        "{page}"
    );
    // No relatives recorded yet: the table says the odds are an assumption.
    assert!(
        page.contains("id=\"forecast-relatives\"")
            && page.contains("Waarvan verwachte nareizigers")
            && page.contains("te weinig gegevens, een aanname"),
        "{page}"
    );
    let (_, bad) = app.page(Role::PolicyAnalyst, "/forecast?cancel=XYZ").await;
    assert!(bad.contains("error-summary") && bad.contains("#forecast-cancel"));
    app.finish().await;
}

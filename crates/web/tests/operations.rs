//! The operational pipeline over HTTP, on SQLite and PostgreSQL: a mission
//! from plan to housed families; a postponement and a cancellation (places back
//! to the plan); an emergency dossier case; a hold and its release; a
//! family-reunification arrival; the request for submissions with exactly the
//! policy valid on the mission's day; and the norms dashboard on a fixed day.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use reqwest::{Method, StatusCode};
use resettle_domain::Role;
use resettle_store::{AuditLog, AuditQuery, PageRequest};
use serde_json::{Value, json};
use support::App;

const IND: Role = Role::IndOfficer;
const COA: Role = Role::CoaOfficer;

/// A synthetic submission of `persons` Syrian refugees in Lebanon (or as given), under assessment.
fn submission(number: &str, priority: &str, track: &str, submitted: &str, persons: usize) -> Value {
    let members: Vec<Value> = (0..persons)
        .map(|i| {
            json!({
                "givenName": format!("Sample{i}"),
                "familyName": "Testfamily",
                "dateOfBirth": if i == 0 { "1980-05-01".to_string() } else { format!("{}-05-01", 2010 + i) },
                "sex": if i % 2 == 0 { "female" } else { "male" },
                "nationality": "SYR",
                "relationship": if i == 0 { "principal-applicant" } else { "child" },
            })
        })
        .collect();
    json!({
        "caseNumber": number,
        "unhcrReference": format!("RRF-{number}"),
        "hostCountry": &number[..3],
        "submissionPriority": priority,
        "primaryCategory": "legal-physical-protection",
        "programme": "national-quota",
        "track": track,
        "submittedOn": submitted,
        "milestones": [{ "state": "under-assessment", "on": submitted }],
        "submittingOffice": "UNHCR",
        "members": members,
    })
}

/// Imports submissions with their milestones (the operator's import); returns their ids in order.
async fn import(app: &App, submissions: Vec<Value>) -> Vec<String> {
    let body = json!({ "format": "resettle-submissions/1", "submissions": submissions });
    let body = app.import_as_operator(&body).await;
    body["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

async fn act(app: &App, role: Role, id: &str, action: Value, on: &str) -> (StatusCode, Value) {
    let version = app.get(role, &format!("/api/v1/cases/{id}")).await.1["version"]
        .as_i64()
        .unwrap();
    let body = json!({ "expectedVersion": version, "occurredOn": on, "action": action });
    let (status, _, body) = app
        .post(role, &format!("/api/v1/cases/{id}/transitions"), &body)
        .await;
    (status, body)
}

async fn ok(app: &App, role: Role, id: &str, action: Value, on: &str) {
    let (status, body) = act(app, role, id, action.clone(), on).await;
    assert_eq!(status, StatusCode::CREATED, "{action}: {body}");
}

async fn plan(app: &App, body: Value) -> Value {
    let (status, _, m) = app.post(IND, "/api/v1/missions", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    assert_eq!(m["status"], "planned");
    m
}

async fn change(app: &App, m: &str, change: Value) -> (StatusCode, Value) {
    let version = app.get(IND, &format!("/api/v1/missions/{m}")).await.1["version"]
        .as_i64()
        .unwrap();
    let (s, _, b) = app
        .post(
            IND,
            &format!("/api/v1/missions/{m}/changes"),
            &json!({ "expectedVersion": version, "change": change }),
        )
        .await;
    (s, b)
}

async fn link(app: &App, m: &str, case: &str) -> (StatusCode, Value) {
    let (s, _, b) = app
        .post(
            IND,
            &format!("/api/v1/missions/{m}/cases"),
            &json!({ "caseId": case }),
        )
        .await;
    (s, b)
}

fn lebanon(places: i64) -> Value {
    json!({
        "kind": "selection", "name": "Beirut 2025", "hostCountry": "LBN", "populations": ["SYR"],
        "startsOn": "2025-03-03", "endsOn": "2025-03-14", "team": ["IND", "COA", "BZ"], "places": places,
    })
}

fn field_named(body: &Value, field: &str) -> bool {
    body["errors"]
        .as_array()
        .is_some_and(|e| e.iter().any(|e| e["field"] == field))
}

async fn mission_to_housed_families(app: &App) {
    let ids = import(
        app,
        vec![
            submission(
                "LBN-25C00001",
                "normal",
                "selection-mission",
                "2025-01-06",
                3,
            ),
            submission(
                "LBN-25C00002",
                "normal",
                "selection-mission",
                "2025-01-06",
                2,
            ),
            submission(
                "LBN-25C00003",
                "normal",
                "selection-mission",
                "2025-01-06",
                1,
            ),
        ],
    )
    .await;
    let m = plan(app, lebanon(5)).await;
    let mid = m["id"].as_str().unwrap().to_string();
    // Only a mission's own roles plan it; analysts read it; UNHCR does not see missions.
    let (s, _, _) = app
        .post(Role::PolicyAnalyst, "/api/v1/missions", &lebanon(5))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(Role::PolicyAnalyst, &format!("/api/v1/missions/{mid}"))
            .await
            .0,
        StatusCode::OK
    );
    assert!(
        app.get(Role::PolicyAnalyst, &format!("/api/v1/missions/{mid}"))
            .await
            .1["cases"]
            .is_null()
    );
    assert_eq!(
        app.get(Role::UnhcrLiaison, "/api/v1/missions").await.0,
        StatusCode::FORBIDDEN
    );

    for id in &ids {
        assert_eq!(link(app, &mid, id).await.0, StatusCode::CREATED);
    }
    assert_eq!(
        change(app, &mid, json!({ "type": "confirm" })).await.0,
        StatusCode::CREATED
    );
    // Not from confirmed straight to closed.
    let (s, b) = change(app, &mid, json!({ "type": "close" })).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(
        change(app, &mid, json!({ "type": "hold" })).await.0,
        StatusCode::CREATED
    );

    // Interviews: each organisation its own kind.
    for (role, kind) in [(IND, "ind"), (IND, "medical"), (COA, "coa-intake")] {
        let (s, _, b) = app
            .post(
                role,
                &format!("/api/v1/cases/{}/interviews", ids[0]),
                &json!({ "kind": kind, "heldOn": "2025-03-05", "outcome": "completed" }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    let (s, _, _) = app
        .post(
            COA,
            &format!("/api/v1/cases/{}/interviews", ids[0]),
            &json!({ "kind": "ind", "heldOn": "2025-03-05", "outcome": "completed" }),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The COA profile; a bad one names every field.
    let profile = |bedrooms: i64, school: i64| json!({ "integrationFactors": ["education"], "dwellingBedrooms": bedrooms, "accessibleDwelling": true, "schoolAgeChildren": school });
    let r = app
        .api(
            Method::PUT,
            COA,
            &format!("/api/v1/cases/{}/profile", ids[0]),
        )
        .json(&profile(40, 9))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let b: Value = r.json().await.unwrap();
    assert!(
        field_named(&b, "dwellingBedrooms") && field_named(&b, "schoolAgeChildren"),
        "{b}"
    );
    let r = app
        .api(
            Method::PUT,
            COA,
            &format!("/api/v1/cases/{}/profile", ids[0]),
        )
        .json(&profile(4, 1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // The IND decides: 3 + 2 persons fill the 5 places; the third case needs an override.
    ok(
        app,
        IND,
        &ids[0],
        json!({ "type": "accept", "policyBasis": "risk profile: conscription" }),
        "2025-03-20",
    )
    .await;
    ok(app, IND, &ids[1], json!({ "type": "accept" }), "2025-03-20").await;
    let (s, b) = act(app, IND, &ids[2], json!({ "type": "accept" }), "2025-03-20").await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert!(field_named(&b, "action.placeOverride"), "{b}");
    assert_eq!(
        app.get(IND, &format!("/api/v1/cases/{}", ids[2])).await.1["state"],
        "under-assessment"
    );
    ok(
        app,
        IND,
        &ids[2],
        json!({ "type": "accept", "placeOverride": "medical evacuation agreed with the ministry" }),
        "2025-03-20",
    )
    .await;
    let (_, m) = app.get(IND, &format!("/api/v1/missions/{mid}")).await;
    assert_eq!(
        (m["places"].as_i64(), m["placesUsed"].as_i64()),
        (Some(5), Some(6))
    );
    assert_eq!(m["cases"].as_array().unwrap().len(), 3);

    // Preparation, travel, departure, arrival, housing, guidance.
    for (i, id) in ids.iter().enumerate() {
        ok(
            app,
            COA,
            id,
            json!({ "type": "start-pre-departure", "training": "in-person" }),
            "2025-04-01",
        )
        .await;
        let (s, _, b) = app
            .post(COA, &format!("/api/v1/cases/{id}/orientation-sessions"), &json!({ "heldOn": "2025-04-02", "mode": "in-person", "training": 1, "attended": [0] }))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let travel = json!({ "plan": { "documents": [{ "member": 0, "kind": "laissez-passer", "number": format!("LP-{i}"), "validUntil": "2025-12-31" }], "departsOn": "2025-05-20", "bookingReference": format!("IOM-{i}") } });
        let r = app
            .api(Method::PUT, COA, &format!("/api/v1/cases/{id}/travel"))
            .json(&travel)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        ok(app, COA, id, json!({ "type": "depart" }), "2025-05-20").await;
        ok(
            app,
            COA,
            id,
            json!({ "type": "arrive", "permit": { "validUntil": "2030-05-20" } }),
            "2025-05-21",
        )
        .await;
    }
    ok(
        app,
        COA,
        &ids[0],
        json!({ "type": "house", "housing": { "type": "municipality", "municipality": "Zwolle" } }),
        "2025-05-21",
    )
    .await;
    ok(app, COA, &ids[1], json!({ "type": "house", "housing": { "type": "coa-reception", "location": "Budel", "reason": "no dwelling for a family of two yet" } }), "2025-05-21").await;
    ok(app, COA, &ids[2], json!({ "type": "house", "housing": { "type": "municipality", "municipality": "Tilburg" } }), "2025-05-22").await;
    ok(app, COA, &ids[0], json!({ "type": "start-integration-guidance", "guidance": { "organisation": "VluchtelingenWerk", "until": "2027-05-21", "sponsorGroup": "Samen Zwolle" } }), "2025-06-01").await;
    let (_, c) = app.get(COA, &format!("/api/v1/cases/{}", ids[0])).await;
    assert_eq!(c["guidance"]["sponsorGroup"], "Samen Zwolle");
    assert_eq!(c["permit"]["validUntil"], "2030-05-20");
    let (_, prep) = app
        .get(IND, &format!("/api/v1/cases/{}/preparation", ids[0]))
        .await;
    assert_eq!(prep["missionId"], mid.as_str());
    assert_eq!(prep["interviews"].as_array().unwrap().len(), 3);
    assert_eq!(prep["profile"]["dwellingBedrooms"], 4);
    assert_eq!(prep["orientation"][0]["attended"], json!([0]));
    assert_eq!(prep["travel"]["bookingReference"], "IOM-0");
    assert_eq!(
        change(app, &mid, json!({ "type": "close" })).await.0,
        StatusCode::CREATED
    );
    let states = [
        ("integration-guidance", &ids[0]),
        ("housed", &ids[1]),
        ("housed", &ids[2]),
    ];
    for (state, id) in states {
        assert_eq!(
            app.get(COA, &format!("/api/v1/cases/{id}")).await.1["state"],
            state
        );
    }
    // Every write is in the audit trail.
    for action in [
        "create-mission",
        "link-case",
        "change-mission:held",
        "record-interview:medical",
        "set-profile",
        "record-orientation",
        "set-travel",
    ] {
        let q = AuditQuery {
            action: Some(action.into()),
            ..Default::default()
        };
        let found = app
            .store
            .search_audit(&q, PageRequest::default())
            .await
            .unwrap();
        assert!(found.total >= 1, "{action} is not audited");
    }
    // The mission pages, in Dutch.
    let (s, html) = app.page(IND, &format!("/cases/{}", ids[0])).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("Medische keuring") && html.contains("IOM-0"),
        "{html}"
    );
    let (s, html) = app.page(COA, &format!("/missions/{mid}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("Afgesloten") && html.contains("LBN-25C00001"),
        "{html}"
    );
}

#[tokio::test]
async fn a_mission_runs_from_plan_to_housed_families() {
    let app = App::sqlite().await;
    mission_to_housed_families(&app).await;
    app.finish().await;
    if let Some(app) = App::postgres().await {
        mission_to_housed_families(&app).await;
        app.finish().await;
    }
}

async fn postpone_and_cancel(app: &App) {
    let policy: resettle_domain::policy::PolicySet =
        serde_json::from_str(include_str!("../../../docs/policy-nl.json")).unwrap();
    use resettle_store::policy::PolicyStore;
    app.store
        .save_policy(&policy, None, "t", time::OffsetDateTime::now_utc(), "test")
        .await
        .unwrap();
    let egypt = json!({ "kind": "selection", "name": "Cairo 2025", "hostCountry": "EGY", "populations": ["SDN", "SSD"], "startsOn": "2025-04-01", "endsOn": "2025-04-12", "places": 120 });
    let m = plan(app, egypt).await;
    let mid = m["id"].as_str().unwrap().to_string();
    let line = |p: &Value| {
        p["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["hostCountry"] == "EGY")
            .unwrap()
            .clone()
    };
    let (_, p) = app
        .get(Role::PolicyAnalyst, "/api/v1/mission-plans/2025")
        .await;
    assert_eq!(
        (
            line(&p)["planned"].as_i64(),
            line(&p)["onMissions"].as_i64(),
            line(&p)["unallocated"].as_i64()
        ),
        (Some(140), Some(120), Some(20))
    );

    // A postponement needs new, later dates and a reason; every problem is named.
    let (s, b) = change(app, &mid, json!({ "type": "postpone", "startsOn": "2025-06-01", "endsOn": "2025-06-12", "reason": " " })).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(field_named(&b, "change.reason"), "{b}");
    let (s, b) = change(app, &mid, json!({ "type": "postpone", "startsOn": "2025-06-01", "endsOn": "2025-06-12", "reason": "elections in the host country" })).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(
        (b["status"].as_str(), b["startsOn"].as_str()),
        (Some("postponed"), Some("2025-06-01"))
    );
    // A stale version is refused.
    let (s, _, _) = app
        .post(
            IND,
            &format!("/api/v1/missions/{mid}/changes"),
            &json!({ "expectedVersion": 1, "change": { "type": "confirm" } }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    let (s, b) = change(
        app,
        &mid,
        json!({ "type": "cancel", "reason": "security situation" }),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["statusReason"], "security situation");
    let (_, p) = app.get(IND, "/api/v1/mission-plans/2025").await;
    let l = line(&p);
    assert_eq!(
        (
            l["onMissions"].as_i64(),
            l["returned"].as_i64(),
            l["unallocated"].as_i64()
        ),
        (Some(0), Some(120), Some(140)),
        "{p}"
    );
    // A cancelled mission takes no cases.
    let ids = import(
        app,
        vec![submission(
            "EGY-25C00031",
            "normal",
            "selection-mission",
            "2025-02-01",
            1,
        )],
    )
    .await;
    let (s, b) = link(app, &mid, &ids[0]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(field_named(&b, "missionId"), "{b}");
    let (s, html) = app.page(IND, "/missions").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Geannuleerd") && html.contains("Terug van geannuleerde missies"));
}

#[tokio::test]
async fn a_postponement_and_a_cancellation_put_the_places_back_in_the_plan() {
    let app = App::sqlite().await;
    postpone_and_cancel(&app).await;
    app.finish().await;
    if let Some(app) = App::postgres().await {
        postpone_and_cancel(&app).await;
        app.finish().await;
    }
}

async fn emergency_dossier_hold_and_reunification(app: &App) {
    let dossier = plan(app, json!({ "kind": "dossier", "name": "Dossier 2025", "startsOn": "2025-01-01", "endsOn": "2025-12-31", "places": 60 })).await;
    let did = dossier["id"].as_str().unwrap().to_string();
    let ids = import(
        app,
        vec![
            submission("SDN-25C00001", "emergency", "dossier", "2025-02-01", 2),
            submission(
                "LBN-25C00009",
                "urgent",
                "selection-mission",
                "2025-02-01",
                1,
            ),
        ],
    )
    .await;
    assert_eq!(link(app, &did, &ids[0]).await.0, StatusCode::CREATED);
    for other in &ids[1..] {
        let (s, b) = link(app, &did, other).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
        assert!(field_named(&b, "caseId"), "{b}");
    }
    ok(app, IND, &ids[0], json!({ "type": "accept" }), "2025-02-03").await;
    assert_eq!(
        app.get(IND, &format!("/api/v1/missions/{did}")).await.1["placesUsed"],
        2
    );
    ok(
        app,
        COA,
        &ids[0],
        json!({ "type": "start-pre-departure", "training": "digital" }),
        "2025-02-04",
    )
    .await;

    // The programme is put on hold: no departure, with a clear error; messages are logged.
    let (s, _, hold) = app.post(COA, "/api/v1/holds", &json!({ "scope": { "type": "programme", "programme": "national-quota" }, "startsOn": "2025-02-05", "reason": "reception crisis" })).await;
    assert_eq!(s, StatusCode::CREATED, "{hold}");
    let hid = hold["id"].as_str().unwrap().to_string();
    assert_eq!(
        app.post(IND, "/api/v1/holds", &json!({})).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, b) = act(app, COA, &ids[0], json!({ "type": "depart" }), "2025-02-07").await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert!(b["detail"].as_str().unwrap().contains("on hold"), "{b}");
    assert!(field_named(&b, "occurredOn"));
    let (s, _, b) = app.post(COA, &format!("/api/v1/holds/{hid}/messages"), &json!({ "sentOn": "2025-02-10", "channel": "UNHCR office Khartoum", "text": "Your departure is delayed; we will tell you the new date." })).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, _, b) = app
        .post(
            COA,
            &format!("/api/v1/holds/{hid}/messages"),
            &json!({ "sentOn": "2025-02-01", "channel": "", "text": "" }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        field_named(&b, "channel") && field_named(&b, "text") && field_named(&b, "sentOn"),
        "{b}"
    );
    let (s, _, b) = app
        .post(
            COA,
            &format!("/api/v1/holds/{hid}/release"),
            &json!({ "releasedOn": "2025-03-01" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (_, holds) = app.get(Role::PolicyAnalyst, "/api/v1/holds").await;
    let hold = &holds["items"][0];
    assert_eq!(hold["messages"].as_array().unwrap().len(), 1);
    assert_eq!(hold["releasedOn"], "2025-03-01");
    // Brought forward travel needs a reason.
    let put = |body: Value| {
        app.api(
            Method::PUT,
            COA,
            &format!("/api/v1/cases/{}/travel", ids[0]),
        )
        .json(&body)
        .send()
    };
    assert_eq!(
        put(json!({ "plan": { "departsOn": "2025-03-20", "bookingReference": "IOM-9" } }))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let r = put(json!({ "expectedDepartsOn": "2025-03-20", "plan": { "departsOn": "2025-03-02", "bookingReference": "IOM-9" } })).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = put(json!({ "expectedDepartsOn": "2025-03-20", "plan": { "departsOn": "2025-03-02", "bookingReference": "IOM-9", "broughtForwardReason": "security situation" } })).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    ok(app, COA, &ids[0], json!({ "type": "depart" }), "2025-03-02").await;
    ok(
        app,
        COA,
        &ids[0],
        json!({ "type": "arrive", "permit": { "validUntil": "2030-03-02" } }),
        "2025-03-03",
    )
    .await;

    // Family reunification: a later-arriving relative of the arrived case, with its own arrival.
    let mut relative = submission("SDN-25C00077", "normal", "dossier", "2025-04-01", 1);
    relative["familyReunificationOf"] = json!("SDN-25C00001");
    relative["primaryCategory"] = json!("family-reunification");
    let rid = import(app, vec![relative]).await.remove(0);
    ok(app, IND, &rid, json!({ "type": "accept" }), "2025-04-10").await;
    ok(
        app,
        COA,
        &rid,
        json!({ "type": "start-pre-departure", "training": "digital" }),
        "2025-04-11",
    )
    .await;
    ok(app, COA, &rid, json!({ "type": "depart" }), "2025-05-01").await;
    ok(
        app,
        COA,
        &rid,
        json!({ "type": "arrive", "permit": { "validUntil": "2030-05-01" } }),
        "2025-05-02",
    )
    .await;
    let (_, prep) = app
        .get(COA, &format!("/api/v1/cases/{}/preparation", ids[0]))
        .await;
    let relatives = prep["relatives"].as_array().unwrap();
    assert_eq!(relatives.len(), 1, "{prep}");
    assert_eq!(
        (
            relatives[0]["caseNumber"].as_str(),
            relatives[0]["arrivedOn"].as_str()
        ),
        (Some("SDN-25C00077"), Some("2025-05-02"))
    );
    assert_eq!(
        app.get(IND, &format!("/api/v1/missions/{did}")).await.1["placesUsed"],
        2,
        "a relative takes no mission place"
    );
}

#[tokio::test]
async fn an_emergency_dossier_case_a_hold_and_its_release_and_a_family_reunification_arrival() {
    let app = App::sqlite().await;
    emergency_dossier_hold_and_reunification(&app).await;
    app.finish().await;
    if let Some(app) = App::postgres().await {
        emergency_dossier_hold_and_reunification(&app).await;
        app.finish().await;
    }
}

#[tokio::test]
async fn the_request_for_submissions_holds_exactly_the_policy_valid_on_the_mission_day() {
    let app = App::sqlite().await;
    let m = plan(&app, json!({ "kind": "selection", "name": "Cairo 2025", "hostCountry": "EGY", "populations": ["SDN", "ERI"], "startsOn": "2025-04-01", "endsOn": "2025-04-12", "places": 140 })).await;
    let mid = m["id"].as_str().unwrap().to_string();
    let note = |nat: &str,
                group: Option<&str>,
                kind: &str,
                summary: &str,
                from: &str,
                until: Option<&str>| {
        json!({ "nationality": nat, "group": group, "kind": kind, "summary": summary, "particularAttention": group == Some("Christians"), "validFrom": from, "validUntil": until })
    };
    let notes = [
        (
            note(
                "SDN",
                Some("Christians"),
                "risk-profile",
                "VALID-christians-sudan",
                "2024-01-01",
                None,
            ),
            true,
        ),
        (
            note(
                "SDN",
                None,
                "article-29-1-b",
                "VALID-serious-harm-sudan",
                "2025-04-01",
                Some("2025-10-01"),
            ),
            true,
        ),
        (
            note(
                "SDN",
                None,
                "article-29-1-b",
                "OLD-ended-the-day-before",
                "2023-01-01",
                Some("2025-04-01"),
            ),
            false,
        ),
        (
            note(
                "ERI",
                None,
                "group-persecution",
                "LATER-from-next-day",
                "2025-04-02",
                None,
            ),
            false,
        ),
        (
            note(
                "SYR",
                Some("Christians"),
                "risk-profile",
                "OTHER-population",
                "2020-01-01",
                None,
            ),
            false,
        ),
    ];
    for (n, _) in &notes {
        let (s, _, b) = app.post(IND, "/api/v1/country-policy-notes", n).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    let (s, _, b) = app
        .post(COA, "/api/v1/country-policy-notes", &notes[0].0)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, _, b) = app.post(IND, "/api/v1/country-policy-notes", &json!({ "nationality": "XXX", "kind": "risk-profile", "summary": "", "particularAttention": true, "validFrom": "2025-01-01", "validUntil": "2024-01-01" })).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    for f in ["nationality", "summary", "validUntil", "group"] {
        assert!(field_named(&b, f), "{f}: {b}");
    }

    let (s, r) = app
        .get(
            Role::UnhcrLiaison,
            &format!("/api/v1/missions/{mid}/submission-request"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let got: Vec<&str> = r["policyNotes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["summary"].as_str().unwrap())
        .collect();
    let mut want: Vec<&str> = notes
        .iter()
        .filter(|(_, v)| *v)
        .map(|(n, _)| n["summary"].as_str().unwrap())
        .collect();
    let mut got_sorted = got.clone();
    got_sorted.sort();
    want.sort();
    assert_eq!(got_sorted, want);
    assert_eq!(r["particularAttention"], json!(["Christians"]));
    assert!(
        r["freedomOfChoice"]
            .as_str()
            .unwrap()
            .contains("without limiting UNHCR's freedom")
    );
    assert_eq!(
        (r["places"].as_i64(), r["policyDate"].as_str()),
        (Some(140), Some("2025-04-01"))
    );
    assert_eq!(
        app.get(
            Role::MunicipalityOfficer,
            &format!("/api/v1/missions/{mid}/submission-request")
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );

    // The printable page says the same, in Dutch and English.
    let (s, html) = app
        .page(
            Role::UnhcrLiaison,
            &format!("/missions/{mid}/submission-request"),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    for (n, valid) in &notes {
        assert_eq!(
            html.contains(n["summary"].as_str().unwrap()),
            *valid,
            "{}",
            n["summary"]
        );
    }
    assert!(
        html.contains("bijzondere aandacht") || html.contains("particular attention"),
        "{html}"
    );
    app.finish().await;
}

#[tokio::test]
async fn the_norms_dashboard_lists_exactly_the_right_cases_per_mission_on_a_fixed_day() {
    let app = App::sqlite().await;
    let m = plan(&app, lebanon(20)).await;
    let mid = m["id"].as_str().unwrap().to_string();
    let ids = import(
        &app,
        vec![
            submission(
                "LBN-24C00101",
                "normal",
                "selection-mission",
                "2024-10-01",
                1,
            ),
            submission(
                "LBN-24C00102",
                "normal",
                "selection-mission",
                "2024-10-01",
                1,
            ),
            submission(
                "LBN-24C00103",
                "normal",
                "selection-mission",
                "2024-10-01",
                1,
            ),
            submission(
                "LBN-24C00104",
                "normal",
                "selection-mission",
                "2024-10-01",
                1,
            ),
            submission(
                "LBN-24C00105",
                "normal",
                "selection-mission",
                "2024-10-01",
                1,
            ),
        ],
    )
    .await;
    for id in &ids[..4] {
        assert_eq!(link(&app, &mid, id).await.0, StatusCode::CREATED);
    }
    // Selected on: deadline six months later. On 2025-06-01 with 30 days at risk:
    // 101 overdue (2025-05-01), 102 at risk (2025-06-20), 103 on track (2025-07-05),
    // 104 arrived (met), 105 at risk but on no mission.
    for (id, on) in [
        (&ids[0], "2024-11-01"),
        (&ids[1], "2024-12-20"),
        (&ids[2], "2025-01-05"),
        (&ids[3], "2024-11-01"),
        (&ids[4], "2024-12-20"),
    ] {
        ok(&app, IND, id, json!({ "type": "accept" }), on).await;
    }
    ok(
        &app,
        COA,
        &ids[3],
        json!({ "type": "start-pre-departure", "training": "digital" }),
        "2025-01-01",
    )
    .await;
    ok(
        &app,
        COA,
        &ids[3],
        json!({ "type": "depart" }),
        "2025-02-01",
    )
    .await;
    ok(
        &app,
        COA,
        &ids[3],
        json!({ "type": "arrive", "permit": { "validUntil": "2030-02-01" } }),
        "2025-02-02",
    )
    .await;

    let numbers = |d: &Value| -> Vec<String> {
        d["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                format!(
                    "{}:{}",
                    c["caseNumber"].as_str().unwrap(),
                    c["status"].as_str().unwrap()
                )
            })
            .collect()
    };
    let (s, d) = app
        .get(
            IND,
            &format!("/api/v1/norms?asOf=2025-06-01&norm=selection-to-arrival&mission={mid}"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(
        numbers(&d),
        ["LBN-24C00101:overdue", "LBN-24C00102:at-risk"]
    );
    assert_eq!(d["asOf"], "2025-06-01");
    let by_mission = d["byMission"].as_array().unwrap();
    assert_eq!(by_mission.len(), 1);
    assert_eq!(
        (
            by_mission[0]["overdue"].as_i64(),
            by_mission[0]["atRisk"].as_i64(),
            by_mission[0]["onTrack"].as_i64()
        ),
        (Some(1), Some(1), Some(4)),
        "{d}"
    );
    let (_, d) = app
        .get(
            IND,
            "/api/v1/norms?asOf=2025-06-01&norm=selection-to-arrival&mission=none",
        )
        .await;
    assert_eq!(numbers(&d), ["LBN-24C00105:at-risk"]);
    let (_, d) = app
        .get(
            IND,
            "/api/v1/norms?asOf=2025-06-01&norm=selection-to-arrival&status=all",
        )
        .await;
    assert_eq!(
        numbers(&d),
        [
            "LBN-24C00101:overdue",
            "LBN-24C00102:at-risk",
            "LBN-24C00105:at-risk",
            "LBN-24C00103:on-track"
        ]
    );
    assert_eq!(d["byMission"].as_array().unwrap().len(), 2);
    let (s, html) = app
        .page(
            COA,
            &format!("/norms?asOf=2025-06-01&norm=selection-to-arrival&mission={mid}"),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("LBN-24C00101")
            && html.contains("Beirut 2025")
            && !html.contains("LBN-24C00105"),
        "{html}"
    );
    let (s, d) = app.get(IND, "/api/v1/norms?asOf=june&mission=x").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(field_named(&d, "asOf") && field_named(&d, "mission"), "{d}");
    app.finish().await;
}

#[tokio::test]
async fn the_case_page_records_interviews_profiles_orientation_and_travel_with_field_errors() {
    let app = App::sqlite().await;
    let ids = import(
        &app,
        vec![submission(
            "LBN-25C00051",
            "normal",
            "selection-mission",
            "2025-01-06",
            2,
        )],
    )
    .await;
    let path = format!("/cases/{}/preparation", ids[0]);
    let (s, html) = app
        .form(
            COA,
            &path,
            &[
                ("op", "profile"),
                ("dwellingBedrooms", "40"),
                ("schoolAgeChildren", "x"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{html}");
    assert!(
        html.contains(r##"href="#profile-schoolAgeChildren""##),
        "{html}"
    );
    let (s, html) = app
        .form(
            COA,
            &path,
            &[
                ("op", "profile"),
                ("dwellingBedrooms", "40"),
                ("schoolAgeChildren", "1"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        html.contains(r##"href="#profile-dwellingBedrooms""##),
        "{html}"
    );
    // The domain's rule is said in the reader's language (Dutch by default),
    // and the API names it beside its English detail.
    assert!(html.contains("geef 0 tot 20 slaapkamers"), "{html}");
    let r = app
        .api(
            reqwest::Method::PUT,
            COA,
            &format!("/api/v1/cases/{}/profile", ids[0]),
        )
        .json(&json!({ "dwellingBedrooms": 40, "schoolAgeChildren": 5 }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let problem: serde_json::Value = r.json().await.unwrap();
    assert_eq!(problem["errors"][0]["rule"], "bedrooms-range", "{problem}");
    assert_eq!(
        problem["errors"][0]["detail"], "must be 0 to 20",
        "{problem}"
    );
    assert_eq!(
        problem["errors"][1]["rule"], "school-age-children-range",
        "{problem}"
    );
    let (s, html) = app
        .form(
            COA,
            &path,
            &[
                ("op", "orientation"),
                ("heldOn", "2025-02-01"),
                ("training", "1"),
                ("mode", "digital"),
                ("attended", "7"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("de zaak heeft 2 gezinsleden (posities 0 tot en met 1)"),
        "{html}"
    );
    let steps: [&[(&str, &str)]; 4] = [
        &[
            ("op", "profile"),
            ("dwellingBedrooms", "2"),
            ("schoolAgeChildren", "1"),
            ("accessibleDwelling", "yes"),
        ],
        &[
            ("op", "orientation"),
            ("heldOn", "2025-02-01"),
            ("training", "1"),
            ("mode", "digital"),
            ("attended", "0"),
            ("attended", "1"),
        ],
        &[
            ("op", "travel"),
            ("departsOn", "2025-05-01"),
            ("bookingReference", "IOM-77"),
        ],
        &[
            ("op", "interview"),
            ("kind", "coa-intake"),
            ("heldOn", "2025-01-20"),
            ("outcome", "completed"),
        ],
    ];
    for fields in steps {
        let (s, html) = app.form(COA, &path, fields).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{fields:?}: {html}");
    }
    // The IND holds interviews but does not prepare travel.
    let (s, _) = app
        .form(IND, &path, &[("op", "travel"), ("departsOn", "2025-05-01")])
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .form(
            IND,
            &path,
            &[
                ("op", "interview"),
                ("kind", "medical"),
                ("heldOn", "2025-01-21"),
                ("outcome", "follow-up-needed"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, prep) = app
        .get(COA, &format!("/api/v1/cases/{}/preparation", ids[0]))
        .await;
    assert_eq!(prep["profile"]["dwellingBedrooms"], 2);
    assert_eq!(prep["orientation"][0]["attended"], json!([0, 1]));
    assert_eq!(prep["travel"]["bookingReference"], "IOM-77");
    assert_eq!(prep["interviews"].as_array().unwrap().len(), 2);

    // A travel document on the page: a missing number is named, then it is kept
    // beside the booking.
    let (s, html) = app
        .form(
            COA,
            &path,
            &[
                ("op", "document"),
                ("member", "1"),
                ("kind", "laissez-passer"),
                ("validUntil", "2026-01-31"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(html.contains(r##"href="#document-number""##), "{html}");
    let (s, html) = app
        .form(
            COA,
            &path,
            &[
                ("op", "document"),
                ("member", "1"),
                ("kind", "laissez-passer"),
                ("number", "LP-2025-001"),
                ("validUntil", "2026-01-31"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let (_, prep) = app
        .get(COA, &format!("/api/v1/cases/{}/preparation", ids[0]))
        .await;
    assert_eq!(prep["travel"]["documents"][0]["number"], "LP-2025-001");
    assert_eq!(prep["travel"]["documents"][0]["member"], 1);
    assert_eq!(prep["travel"]["bookingReference"], "IOM-77");
    app.finish().await;
}

#[tokio::test]
async fn the_ind_records_country_policy_on_its_page_and_unhcr_reads_it() {
    let app = App::sqlite().await;
    let (s, html) = app
        .form(
            IND,
            "/country-policy-notes",
            &[
                ("nationality", "XXX"),
                ("kind", "risk-profile"),
                ("summary", ""),
                ("validFrom", "2025-01-01"),
                ("particularAttention", "yes"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    for f in ["nationality", "summary", "group"] {
        assert!(
            html.contains(&format!(r##"href="#note-{f}""##)),
            "{f}: {html}"
        );
    }
    let fields = [
        ("nationality", "ERI"),
        ("group", "Christians"),
        ("kind", "group-persecution"),
        ("summary", "PAGE-NOTE-eritrean-christians"),
        ("validFrom", "2025-01-01"),
        ("particularAttention", "yes"),
    ];
    assert_eq!(
        app.form(COA, "/country-policy-notes", &fields).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.form(IND, "/country-policy-notes", &fields).await.0,
        StatusCode::SEE_OTHER
    );
    let (s, html) = app.page(Role::UnhcrLiaison, "/country-policy-notes").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("PAGE-NOTE-eritrean-christians")
            && !html.contains(r#"action="/country-policy-notes""#)
    );
    app.finish().await;
}

#[tokio::test]
async fn a_mission_form_s_refusals_are_in_the_reader_s_language() {
    let app = App::sqlite().await;
    let fields = [
        ("kind", "selection"),
        ("name", "Beirut 2025"),
        ("hostCountry", "XYZ"),
        ("populations", "SYR"),
        ("startsOn", "2025-03-14"),
        ("endsOn", "2025-03-03"),
        ("places", "0"),
    ];
    let (s, html) = app.form(IND, "/missions", &fields).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{html}");
    for dutch in [
        "is geen landcode van drie letters",
        "de missie moet op of na haar begin eindigen",
        "geef 1 tot 100000 plaatsen",
    ] {
        assert!(html.contains(dutch), "{dutch}: {html}");
    }
    // The form comes back as the officer filled it in.
    for typed in [
        r#"value="Beirut 2025""#,
        r#"value="XYZ""#,
        r#"value="2025-03-14""#,
        r#"<option value="selection" selected"#,
    ] {
        assert!(html.contains(typed), "{typed} kept: {html}");
    }
    // A name that reads otherwise than it is stored, and an unknown programme.
    let hostile = [
        ("kind", "selection"),
        ("programme", "bogus"),
        ("name", "Beirut\u{202e}2025"),
        ("hostCountry", "LBN"),
        ("startsOn", "2025-03-03"),
        ("endsOn", "2025-03-14"),
        ("places", "10"),
    ];
    let (s, html) = app.form(IND, "/missions", &hostile).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains(r##"href="#mission-programme""##), "{html}");
    let without_programme: Vec<(&str, &str)> = hostile
        .iter()
        .filter(|(k, _)| *k != "programme")
        .copied()
        .collect();
    let (s, html) = app.form(IND, "/missions", &without_programme).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("zonder stuur- of richtingstekens"), "{html}");
    let (s, html) = app.form(IND, "/missions", &[("name", "Beirut 2025")]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(html.contains("vul dit in"), "{html}");
    app.finish().await;
}

/// The part of a page from `from` to the end of the next table.
fn table_after<'a>(html: &'a str, from: &str) -> &'a str {
    let start = html.find(from).unwrap_or_else(|| panic!("{from}: {html}"));
    let rest = &html[start..];
    &rest[..rest.find("</table>").unwrap()]
}

async fn programmes_apart(app: &App) {
    let year = time::OffsetDateTime::now_utc().year();
    let mission = |name: &str, host: &str, places: i64, programme: Option<&str>| {
        let mut m = json!({
            "kind": "selection", "name": name, "hostCountry": host, "populations": ["SYR"],
            "startsOn": format!("{year}-03-02"), "endsOn": format!("{year}-03-13"), "places": places,
        });
        if let Some(p) = programme {
            m["programme"] = json!(p);
        }
        m
    };
    // The API round-trips the programme; a mission without one is national quota.
    let turkey = plan(
        app,
        mission("EU-Turkey selection", "TUR", 110, Some("eu-turkey")),
    )
    .await;
    assert_eq!(turkey["programme"], "eu-turkey", "{turkey}");
    let tid = turkey["id"].as_str().unwrap().to_string();
    let (s, read) = app.get(IND, &format!("/api/v1/missions/{tid}")).await;
    assert_eq!(
        (s, &read["programme"]),
        (StatusCode::OK, &json!("eu-turkey"))
    );
    let cairo = plan(app, mission("Cairo", "EGY", 40, None)).await;
    assert_eq!(cairo["programme"], "national-quota", "{cairo}");
    let cid = cairo["id"].as_str().unwrap().to_string();
    let (s, _, b) = app
        .post(
            IND,
            "/api/v1/missions",
            &mission("X", "TUR", 1, Some("relocation")),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");

    // The plan counts the national mission only; the EU-Turkey one is apart.
    let (_, p) = app.get(IND, &format!("/api/v1/mission-plans/{year}")).await;
    let lines = p["lines"].as_array().unwrap();
    assert!(lines.iter().all(|l| l["hostCountry"] != "TUR"), "{p}");
    assert!(lines.iter().any(|l| l["hostCountry"] == "EGY"), "{p}");
    assert_eq!(
        p["outsidePlan"],
        json!([{ "programme": "eu-turkey", "missions": 1, "places": 110, "used": 0 }]),
        "{p}"
    );
    let (s, html) = app.page(IND, "/missions").await;
    assert_eq!(s, StatusCode::OK);
    let plan_table = table_after(&html, &format!("<caption>Plan {year}</caption>"));
    assert!(
        plan_table.contains("Egypte")
            && !plan_table.contains("Turkije")
            && !plan_table.contains("110"),
        "{plan_table}"
    );
    assert!(
        html.contains(&format!(
            "EU-Turkije Verklaring, {year}: één missie met 110 plaatsen, 0 bezet — buiten het plan van het nationale quotum."
        )),
        "{html}"
    );
    // The list says each mission's programme, under its year.
    let list = table_after(&html, &format!("<caption>Missies {year}</caption>"));
    assert!(
        list.contains("EU-Turkije Verklaring") && list.contains("Nationaal quotum"),
        "{list}"
    );

    // A case is selected only on a mission of its own programme.
    let mut eu = submission(
        "TUR-25C00001",
        "normal",
        "selection-mission",
        "2025-02-01",
        2,
    );
    eu["programme"] = json!("eu-turkey");
    let national = submission(
        "EGY-25C00002",
        "normal",
        "selection-mission",
        "2025-02-01",
        1,
    );
    let ids = import(app, vec![eu, national]).await;
    let (s, b) = link(app, &cid, &ids[0]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(field_named(&b, "caseId"), "{b}");
    assert_eq!(b["errors"][0]["rule"], "programme-differs", "{b}");
    assert_eq!(link(app, &tid, &ids[0]).await.0, StatusCode::CREATED);
    assert_eq!(link(app, &cid, &ids[1]).await.0, StatusCode::CREATED);
    // The page says why in the reader's language, naming both programmes.
    let (s, html) = app
        .form(
            IND,
            &format!("/missions/{tid}/cases"),
            &[("caseNumber", "EGY-25C00002")],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("het programma van de zaak (Nationaal quotum) verschilt van dat van de missie (EU-Turkije Verklaring)"),
        "{html}"
    );
    let (_, html) = app.page(IND, &format!("/missions/{tid}")).await;
    assert!(
        html.contains("<dt>Programma</dt><dd>EU-Turkije Verklaring</dd>"),
        "{html}"
    );
}

#[tokio::test]
async fn an_eu_turkey_mission_stays_outside_the_national_plan() {
    let app = App::sqlite().await;
    programmes_apart(&app).await;
    app.finish().await;
    if let Some(app) = App::postgres().await {
        programmes_apart(&app).await;
        app.finish().await;
    }
}

#[tokio::test]
async fn the_planning_form_records_the_programme_and_keeps_it_when_refused() {
    let app = App::sqlite().await;
    let year = time::OffsetDateTime::now_utc().year().to_string();
    let (starts, ends) = (format!("{year}-05-04"), format!("{year}-05-15"));
    let mut fields = vec![
        ("kind", "selection"),
        ("programme", "eu-turkey"),
        ("name", "EU-Turkey selection"),
        ("hostCountry", "TUR"),
        ("populations", "SYR"),
        ("startsOn", starts.as_str()),
        ("endsOn", ends.as_str()),
        ("places", "0"),
    ];
    let (s, html) = app.form(IND, "/missions", &fields).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{html}");
    assert!(
        html.contains(r#"<option value="eu-turkey" selected"#),
        "{html}"
    );
    fields.retain(|(k, _)| *k != "places");
    fields.push(("places", "60"));
    let (s, to) = app.form_redirect(IND, "/missions", &fields).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let id = to
        .as_deref()
        .and_then(|to| to.strip_prefix("/missions/"))
        .and_then(|r| r.split('?').next())
        .unwrap()
        .to_string();
    let (_, m) = app.get(IND, &format!("/api/v1/missions/{id}")).await;
    assert_eq!(m["programme"], "eu-turkey", "{m}");
    app.finish().await;
}

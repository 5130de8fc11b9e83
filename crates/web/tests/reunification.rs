//! Family reunification over HTTP, on SQLite and PostgreSQL: the IND
//! registers a sponsor's application and decides per relative, COA arranges
//! travel and records the arrival; the arrived relative counts in the
//! framework of the arrival day and never for the EU; the municipality that
//! houses the sponsor's family sees the relative coming, no other
//! municipality does, and UNHCR is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use reqwest::StatusCode;
use resettle_domain::Role;
use serde_json::{Value, json};
use support::App;

const IND: Role = Role::IndOfficer;
const COA: Role = Role::CoaOfficer;
/// The test municipality account belongs to Tilburg (see `support::organisation`).
const TILBURG: Role = Role::MunicipalityOfficer;
const UNHCR: Role = Role::UnhcrLiaison;
const LIST: &str = "/api/v1/family-reunification-applications";

async fn load_policy(app: &App) {
    use resettle_store::policy::PolicyStore;
    let policy: resettle_domain::policy::PolicySet =
        serde_json::from_str(include_str!("../../../docs/policy-nl.json")).unwrap();
    app.store
        .save_policy(&policy, None, "t", time::OffsetDateTime::now_utc(), "test")
        .await
        .unwrap();
}

/// The example file with a second resettled family, housed in Breda.
async fn import(app: &App) -> (String, String) {
    let mut file: Value = serde_json::from_str(support::EXAMPLE).unwrap();
    let mut breda = file["submissions"][0].clone();
    breda["caseNumber"] = json!("EGY-24C00555");
    breda["unhcrReference"] = json!("RRF-EGY-24C00555");
    for m in breda["milestones"].as_array_mut().unwrap() {
        if m["state"] == "housed" {
            m["municipality"] = json!("Breda");
        }
    }
    file["submissions"].as_array_mut().unwrap().push(breda);
    let imported = app.import_as_operator(&file).await;
    let cases = imported["cases"].as_array().unwrap();
    let id = |n: &str| {
        cases.iter().find(|c| c["caseNumber"] == n).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    (id("EGY-24C00101"), id("EGY-24C00555"))
}

fn relative(name: &str, relationship: &str) -> Value {
    json!({ "givenName": name, "familyName": "Testfamily", "dateOfBirth": "1990-04-02",
            "sex": "male", "nationality": "SDN", "relationship": relationship })
}

async fn apply(app: &App, sponsor: &str, permit: &str, on: &str, relatives: Vec<Value>) -> Value {
    let (s, _, a) = app
        .post(
            IND,
            LIST,
            &json!({ "sponsorCaseId": sponsor, "permitIssuedOn": permit, "appliedOn": on, "relatives": relatives }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    a
}

async fn step(
    app: &App,
    role: Role,
    a: &Value,
    route: &str,
    change: Value,
    on: &str,
    reason: Option<&str>,
) -> Value {
    let (s, _, b) = app
        .post(
            role,
            &format!("{LIST}/{}/{route}", a["id"].as_str().unwrap()),
            &json!({ "expectedVersion": a["version"], "occurredOn": on, "reason": reason, "change": change }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{route} {change}: {b}");
    b
}

fn a_id(a: &Value) -> String {
    a["id"].as_str().unwrap().to_string()
}

fn ids(list: &Value) -> Vec<&str> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect()
}

/// Sum of family-reunification arrivals the frameworks report gives for `framework`.
async fn reunification_arrivals(app: &App, framework: &str) -> u64 {
    let (_, r) = app
        .get(Role::PolicyAnalyst, "/api/v1/reports/frameworks")
        .await;
    r["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == framework)
        .unwrap()["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["familyReunificationArrivals"].as_u64().unwrap())
        .sum()
}

async fn story(app: &App) {
    load_policy(app).await;
    let (tilburg, breda) = import(app).await;

    // The legacy family-reunification case of the example came with its application.
    let (s, list) = app.get(IND, LIST).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["items"][0]["relatives"][0]["status"], "applied");

    // The IND registers an application; the permit came on arrival (2024-08-21).
    let a = apply(
        app,
        &tilburg,
        "2024-08-21",
        "2024-10-01",
        vec![
            relative("Husband", "spouse"),
            relative("Brother", "sibling"),
        ],
    )
    .await;
    assert_eq!(a["late"], false);
    assert_eq!(a["windowEnds"], "2024-11-21");
    assert_eq!(a["decisionDue"], "2024-12-30");
    assert_eq!(a["sponsorCaseNumber"], "EGY-24C00101");
    // A late one (the window ended on 2024-11-21) is registered and flagged.
    let late = apply(
        app,
        &breda,
        "2024-08-21",
        "2024-11-22",
        vec![relative("Mother", "parent")],
    )
    .await;
    assert_eq!(late["late"], true);

    // The IND's evidence, decision and rejection with grounds.
    let a = step(
        app,
        IND,
        &a,
        "decisions",
        json!({ "type": "record-evidence", "relative": 0, "kind": "dna-offered", "note": "no marriage certificate" }),
        "2024-10-15",
        None,
    )
    .await;
    let a = step(
        app,
        IND,
        &a,
        "decisions",
        json!({ "type": "decide", "relative": 0, "decision": "grant" }),
        "2024-11-20",
        None,
    )
    .await;
    // A rejection needs grounds and a motivation.
    let (s, _, b) = app
        .post(
            IND,
            &format!("{LIST}/{}/decisions", a["id"].as_str().unwrap()),
            &json!({ "expectedVersion": a["version"], "occurredOn": "2024-11-20", "change": { "type": "decide", "relative": 1, "decision": "reject", "grounds": [] } }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["errors"][0]["field"], "grounds", "{b}");
    let a = step(
        app,
        IND,
        &a,
        "decisions",
        json!({ "type": "decide", "relative": 1, "decision": "reject", "grounds": ["not-an-eligible-relative"] }),
        "2024-11-20",
        Some("an adult brother who is not dependent"),
    )
    .await;
    assert_eq!(a["relatives"][1]["status"], "rejected");
    assert_eq!(a["relatives"][1]["grounds"][0], "not-an-eligible-relative");

    // Travel is COA's, decisions the IND's, on their own routes.
    let travel = json!({ "type": "arrange-travel", "relative": 0, "visaIssuedOn": "2025-02-01", "departsOn": "2025-03-09", "bookingReference": "IOM-2025-7" });
    let path = |route: &str| format!("{LIST}/{}/{route}", a["id"].as_str().unwrap());
    let body = |change: &Value| json!({ "expectedVersion": a["version"], "occurredOn": "2025-02-01", "change": change });
    assert_eq!(
        app.post(IND, &path("travel"), &body(&travel)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(COA, &path("decisions"), &body(&travel)).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, _, b) = app
        .post(
            IND,
            &path("decisions"),
            &body(&json!({ "type": "arrive", "relative": 0, "permitValidUntil": "2030-03-10" })),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let stale = json!({ "expectedVersion": 1, "occurredOn": "2025-02-01", "change": travel });
    assert_eq!(
        app.post(COA, &path("travel"), &stale).await.0,
        StatusCode::CONFLICT
    );

    let before = reunification_arrivals(app, "2025").await;
    let a = step(app, COA, &a, "travel", travel.clone(), "2025-02-01", None).await;
    let a = step(
        app,
        COA,
        &a,
        "travel",
        json!({ "type": "arrive", "relative": 0, "permitValidUntil": "2030-03-10" }),
        "2025-03-10",
        None,
    )
    .await;
    let arrived = &a["relatives"][0];
    assert_eq!(arrived["status"], "arrived");
    let number = arrived["arrivalCase"].as_str().unwrap().to_string();
    assert_eq!(number, "EGY-25C900000");
    assert_eq!(
        a["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["change"]["type"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [
            "apply",
            "record-evidence",
            "decide",
            "decide",
            "arrange-travel",
            "arrive"
        ]
    );
    // Counted in 2025 (the arrival's framework), never for the EU.
    assert_eq!(reunification_arrivals(app, "2025").await, before + 1);
    let (_, eu) = app.get(Role::PolicyAnalyst, "/api/v1/reports/eu").await;
    assert_eq!(
        eu["programmes"][0]["familyReunificationExcluded"], 1,
        "{eu}"
    );

    // The municipality of the sponsor's family sees the relative coming.
    let (s, seen) = app
        .get(TILBURG, &format!("{LIST}/{}", a["id"].as_str().unwrap()))
        .await;
    assert_eq!(s, StatusCode::OK, "{seen}");
    assert_eq!(seen["relatives"][0]["status"], "arrived");
    assert!(
        seen["relatives"][1]["grounds"]
            .as_array()
            .unwrap()
            .is_empty()
            && seen["relatives"][1]["motivation"].is_null(),
        "not the IND's grounds: {seen}"
    );
    // Named once granted (coming to live there); the rejected relative not.
    assert_ne!(seen["relatives"][0]["givenName"], "", "{seen}");
    assert_eq!(seen["relatives"][1]["givenName"], "", "{seen}");
    assert_eq!(seen["relatives"][1]["familyName"], "", "{seen}");
    assert_eq!(seen["relatives"][1]["identityWithheld"], true, "{seen}");
    assert!(
        seen["history"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["reason"].is_null()
                && e["change"]["grounds"]
                    .as_array()
                    .is_none_or(|g| g.is_empty())),
        "no motivation or grounds in the history: {seen}"
    );
    let (_, mine) = app.get(TILBURG, LIST).await;
    assert!(ids(&mine).contains(&a["id"].as_str().unwrap()), "{mine}");
    assert!(
        !ids(&mine).contains(&late["id"].as_str().unwrap()),
        "{mine}"
    );
    let (_, cases) = app.get(TILBURG, "/api/v1/cases?pageSize=500").await;
    let case = cases["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["caseNumber"] == number.as_str())
        .unwrap_or_else(|| panic!("Tilburg sees the arrived relative's case: {cases}"));
    assert_eq!(case["state"], "arrived");
    assert_eq!(case["familyReunification"], true);

    // No other municipality: Breda's family's application is not Tilburg's to see.
    let (s, _) = app
        .get(TILBURG, &format!("{LIST}/{}", late["id"].as_str().unwrap()))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Nor is the arrival of a Breda relative.
    let mut l = late.clone();
    for (change, on) in [
        (
            json!({ "type": "record-evidence", "relative": 0, "kind": "documents" }),
            "2024-12-01",
        ),
        (
            json!({ "type": "decide", "relative": 0, "decision": "grant" }),
            "2024-12-20",
        ),
    ] {
        l = step(app, IND, &l, "decisions", change, on, None).await;
    }
    l = step(
        app,
        COA,
        &l,
        "travel",
        json!({ "type": "arrange-travel", "relative": 0, "visaIssuedOn": "2025-01-10", "departsOn": "2025-01-20", "bookingReference": "IOM-8" }),
        "2025-01-10",
        None,
    )
    .await;
    l = step(
        app,
        COA,
        &l,
        "travel",
        json!({ "type": "arrive", "relative": 0, "permitValidUntil": "2030-01-21" }),
        "2025-01-21",
        None,
    )
    .await;
    let breda_number = l["relatives"][0]["arrivalCase"].as_str().unwrap();
    assert_eq!(breda_number, "EGY-25C900001");
    let (_, cases) = app.get(TILBURG, "/api/v1/cases?pageSize=500").await;
    assert!(
        cases["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["caseNumber"] != breda_number),
        "{cases}"
    );
    let (_, all) = app.get(COA, LIST).await;
    assert_eq!(all["total"], 3);

    // UNHCR has no part in family reunification.
    assert_eq!(app.get(UNHCR, LIST).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(UNHCR, &format!("{LIST}/{}", a["id"].as_str().unwrap()))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(UNHCR, LIST, &json!({})).await.0,
        StatusCode::FORBIDDEN
    );

    // Relatives left behind, recorded by the IND at selection.
    let left = format!("/api/v1/cases/{tilburg}/relatives-left-behind");
    let sister = json!({ "givenName": "Amal", "familyName": "Testfamily", "relationship": "sibling",
        "whereabouts": "Cairo, Egypt", "reasonStays": "married, stays with her husband", "expectedToApply": false });
    let r = app
        .api(reqwest::Method::PUT, IND, &left)
        .json(&json!({ "expectedVersion": 0, "relatives": [sister] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (s, got) = app.get(TILBURG, &left).await;
    assert_eq!((s, got["version"].as_i64()), (StatusCode::OK, Some(1)));
    // The municipality plans for a sibling who may follow; who she is, where
    // she is and why she stayed are the IND's and COA's to know.
    assert_eq!(got["relatives"][0]["relationship"], "sibling", "{got}");
    assert_eq!(got["relatives"][0]["expectedToApply"], false, "{got}");
    for field in ["givenName", "familyName", "whereabouts", "reasonStays"] {
        assert!(got["relatives"][0].get(field).is_none(), "{field}: {got}");
    }
    let (_, whole) = app.get(COA, &left).await;
    assert_eq!(whole["relatives"][0]["whereabouts"], "Cairo, Egypt");
    assert_eq!(whole["relatives"][0]["givenName"], "Amal");
    assert_eq!(app.get(UNHCR, &left).await.0, StatusCode::FORBIDDEN);
    let r = app
        .api(reqwest::Method::PUT, TILBURG, &left)
        .json(&json!({ "expectedVersion": 1, "relatives": [] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// Relatives left behind on pages: COA records them on their own page (a
/// refused form keeps what was typed; a stale form is refused, not lost);
/// the case page, COA's profile and the municipality's worklist show them,
/// the municipality without names, whereabouts or reasons; the reports show
/// the open applications as numbers.
async fn left_behind_pages(app: &App) {
    let (_, cases) = app.get(COA, "/api/v1/cases?pageSize=500").await;
    let tilburg = cases["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["caseNumber"] == "EGY-24C00101")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let page = format!("/cases/{tilburg}/relatives-left-behind");
    let (s, html) = app.page(COA, &page).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Amal"), "the sister recorded by the IND");
    let add = |version: &'static str, whereabouts: &'static str| {
        vec![
            ("op", "add"),
            ("expectedVersion", version),
            ("givenName", "Karim"),
            ("familyName", "Testfamily"),
            ("relationship", "child"),
            ("whereabouts", whereabouts),
            ("reasonStays", "finishing school"),
            ("expectedToApply", "yes"),
        ]
    };
    // A missing field: named, and the typed values kept.
    let (s, html) = app.form(COA, &page, &add("1", "")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("error-summary") && html.contains("href=\"#lb-whereabouts\""),
        "{html}"
    );
    assert!(html.contains("value=\"Karim\"") && html.contains("value=\"finishing school\""));
    let (s, to) = app
        .form_redirect(COA, &page, &add("1", "Amman, Jordan"))
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(to.as_deref(), Some(format!("{page}?done=1").as_str()));
    // The same form again (a replay, or a second officer's stale page).
    let (s, html) = app.form(COA, &page, &add("1", "Amman, Jordan")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("value=\"Karim\""), "the typed values survive");
    let (_, got) = app
        .get(
            COA,
            &format!("/api/v1/cases/{tilburg}/relatives-left-behind"),
        )
        .await;
    assert_eq!(got["version"], 2, "{got}");
    assert_eq!(
        got["relatives"].as_array().unwrap().len(),
        2,
        "not added twice"
    );
    // Those who may not record them cannot open the page or post to it.
    for role in [TILBURG, UNHCR] {
        let (s, html) = app.page(role, &page).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // Refused, but still signed in: the header says who, and offers to log out.
        assert!(
            html.contains(r#"action="/logout""#) && !html.contains(r#"href="/login""#),
            "{html}"
        );
        let (s, _) = app.form(role, &page, &add("2", "x")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }

    // COA's case page: the list whole, and the count in the profile.
    let (_, html) = app.page(COA, &format!("/cases/{tilburg}")).await;
    assert!(html.contains("Karim Testfamily") && html.contains("Amman, Jordan"));
    assert!(html.contains("id=\"prep-left-behind\""), "in the profile");
    assert!(
        html.contains("2, van wie 1 naar verwachting nareis aanvraagt"),
        "{html}"
    );
    // The municipality: relationship and expectation, nothing else.
    let (s, html) = app.page(TILBURG, &format!("/cases/{tilburg}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Achtergebleven gezinsleden"));
    for secret in ["Karim", "Amal", "Amman", "finishing school", "Cairo"] {
        assert!(!html.contains(secret), "{secret} shown to the municipality");
    }
    let (_, home) = app.page(TILBURG, "/").await;
    assert!(
        home.contains("2, van wie 1 naar verwachting nareis aanvraagt"),
        "{home}"
    );
    for secret in ["Karim", "Amman"] {
        assert!(
            !home.contains(secret),
            "{secret} on the municipality's worklist"
        );
    }

    // A refused application form comes back as the IND officer filled it in.
    let (s, html) = app
        .form(
            IND,
            "/family-reunification",
            &[
                ("sponsor", "EGY-24C00101"),
                ("permitIssuedOn", "2024-06-01"),
                ("appliedOn", "2024-07-01"),
                ("givenName", "Rania"),
                ("familyName", "Testfamily"),
                ("dateOfBirth", "1994-02-03"),
                ("nationality", ""),
                ("relationship", "spouse"),
                ("sex", "female"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{html}");
    for typed in [
        r#"value="Rania""#,
        r#"value="1994-02-03""#,
        r#"<option value="spouse" selected"#,
        r#"<option value="female" selected"#,
    ] {
        assert!(html.contains(typed), "{typed} kept: {html}");
    }

    // The domain's refusal, in the page's language and at its field.
    let (s, html) = app
        .form(
            IND,
            "/family-reunification",
            &[
                ("sponsor", "EGY-24C00101"),
                ("permitIssuedOn", "2000-01-01"),
                ("appliedOn", "2000-02-01"),
                ("givenName", "Rania"),
                ("familyName", "Testfamily"),
                ("dateOfBirth", "1994-02-03"),
                ("nationality", "SYR"),
                ("relationship", "spouse"),
                ("sex", "female"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{html}");
    assert!(
        html.contains("href=\"#reun-permitIssuedOn\"")
            && html.contains("ligt vóór de aankomst van het gezin"),
        "{html}"
    );
    assert!(!html.contains("lies before"), "no English on a Dutch page");

    // The IND's decision form, refused: named in Dutch, and as it was filled in.
    let yusuf = apply(
        app,
        &tilburg,
        "2024-08-21",
        "2024-12-01",
        vec![relative("Yusuf", "child")],
    )
    .await;
    let path = format!("/family-reunification/{}", yusuf["id"].as_str().unwrap());
    let version = yusuf["version"].to_string();
    let (s, html) = app
        .form(
            IND,
            &format!("{path}/decisions"),
            &[
                ("expectedVersion", version.as_str()),
                ("relative", "0"),
                ("op", "reject"),
                ("reason", "geen bewijs van de gezinsband"),
                ("occurredOn", "2024-12-10"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{html}");
    assert!(
        html.contains("een afwijzing vraagt ten minste één grond"),
        "{html}"
    );
    // The summary's link leads to the grounds on the page.
    assert!(
        html.contains(r##"href="#dec-0-grounds""##) && html.contains(r#"id="dec-0-grounds""#),
        "{html}"
    );
    assert!(
        html.contains(r#"value="geen bewijs van de gezinsband""#),
        "{html}"
    );
    assert!(
        html.contains(r#"<option value="reject" selected"#),
        "{html}"
    );
    // With a ground it is recorded, and the page is reached by a redirect.
    let (s, to) = app
        .form_redirect(
            IND,
            &format!("{path}/decisions"),
            &[
                ("expectedVersion", version.as_str()),
                ("relative", "0"),
                ("op", "reject"),
                ("grounds", "family-ties-not-established"),
                ("reason", "geen bewijs van de gezinsband"),
                ("occurredOn", "2024-12-10"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(to.as_deref(), Some(format!("{path}?done=1").as_str()));

    // Reading an application (it names relatives) is audited, page and API.
    let (s, _) = app.page(COA, &path).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app.get(TILBURG, &format!("{LIST}/{}", a_id(&yusuf))).await;
    assert_eq!(s, StatusCode::OK);
    for actor in ["t-coa-officer", "t-municipality-officer"] {
        use resettle_store::{AuditLog, AuditQuery};
        let q = AuditQuery {
            actor: Some(actor.into()),
            action: Some("read-family-reunification-application".into()),
            object: Some(a_id(&yusuf)),
            ..Default::default()
        };
        let found = app
            .store
            .search_audit(&q, resettle_store::PageRequest::default())
            .await
            .unwrap();
        assert!(
            found.items.iter().any(|e| e.result.as_str() == "ok"),
            "{actor}: {found:?}"
        );
    }

    // The audit page names the application by its sponsor's case.
    let (s, html) = app
        .page(
            Role::Administrator,
            "/admin/audit?action=read-family-reunification-application",
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("nareisaanvraag van zaak EGY-24C00101"),
        "{html}"
    );

    // The IND's worklist names the applications waiting for its decision;
    // COA's has its own list for travel and arrival.
    let (_, pending) = app.get(IND, &format!("{LIST}?pending=true")).await;
    let (_, home) = app.page(IND, "/").await;
    assert!(home.contains("Nareis: beslissing nodig"), "{home}");
    // The legacy application (applied in 2024, 90 days to decide) is overdue.
    assert!(home.contains("<strong>Verlopen</strong>"), "{home}");
    let (_, list) = app.page(IND, "/family-reunification").await;
    assert!(list.contains("<strong>Verlopen</strong>"), "{list}");
    assert!(!ids(&pending).is_empty());
    for id in ids(&pending) {
        assert!(
            home.contains(&format!("/family-reunification/{id}")),
            "{id}: {home}"
        );
    }
    let (_, home) = app.page(COA, "/").await;
    assert!(
        home.contains("Nareis: reis regelen of aankomst vastleggen"),
        "{home}"
    );

    // The reports: open applications as numbers, for the analyst too.
    let (s, html) = app.page(Role::PolicyAnalyst, "/reports/frameworks").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Nareis in behandeling op"), "{html}");
    assert!(html.contains("Lopende aanvragen"));
}

#[tokio::test]
async fn ind_decides_coa_arranges_travel_and_only_the_sponsor_s_municipality_sees_the_arrival() {
    let app = App::sqlite().await;
    story(&app).await;
    left_behind_pages(&app).await;
    app.finish().await;
    if let Some(app) = App::postgres().await {
        story(&app).await;
        left_behind_pages(&app).await;
        app.finish().await;
    }
}

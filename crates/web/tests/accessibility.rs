//! axe-core (the npm package, installed by .ci/run into crates/web/tests/axe)
//! in a real Chromium on every page route for every role that may see it,
//! in Dutch and in English: no WCAG 2.0/2.1 A or AA violation. The routes come
//! from the declared route table (`resettle_web::access::ROUTES`), so a new
//! page is scanned without changing this test; closed disclosures are opened
//! before a scan, so the forms inside them are checked too. Forms are also
//! submitted with mistakes and the page with the error summary is scanned.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use fantoccini::Client;
use reqwest::StatusCode;
use resettle_domain::Role;
use resettle_web::access::ROUTES;
use resettle_web::reports::ReportName;
use serde_json::{Value, json};
use std::time::Instant;
use support::App;
use support::browser::{
    axe_run, axe_source, browser, driver, mark_page, switch_language, use_session,
    wait_for_new_page,
};
use time::OffsetDateTime;

const POLICY: &str = include_str!("../../../docs/policy-nl.json");

#[tokio::test]
async fn every_page_in_dutch_has_no_wcag_2_1_aa_violation() {
    scan("nl").await;
}

#[tokio::test]
async fn every_page_in_english_has_no_wcag_2_1_aa_violation() {
    scan("en").await;
}

/// The ids the scanned pages are about.
struct Data {
    cases: Vec<String>,
    mission: String,
    /// A family-reunification application of the Tilburg family, one
    /// relative granted (so COA's travel form shows) and one still waiting.
    application: String,
}

/// Something on every page: the documented example's three families (one
/// housed in Tilburg and guided by VluchtelingenWerk, one under assessment,
/// one accepted and waiting for placement), the policy, a mission, a hold and
/// a country-policy note.
async fn seed(app: &App) -> Data {
    let imported = app.import_example().await;
    let cases: Vec<String> = imported["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    let r = app
        .api(reqwest::Method::PUT, Role::Administrator, "/api/v1/policy")
        .json(&json!({ "reason": "the letter's frameworks", "document": serde_json::from_str::<Value>(POLICY).unwrap() }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let today = OffsetDateTime::now_utc().date();
    let post = async |role: Role, path: &str, body: Value| {
        let (status, _, answer) = app.post(role, path, &body).await;
        assert!(status.is_success(), "{path}: {status} {answer}");
        answer
    };
    // A dossier mission with the urgent dossier case selected on it.
    let mission = post(
        Role::IndOfficer,
        "/api/v1/missions",
        json!({
            "kind": "dossier", "name": "Dossier 2026",
            "startsOn": today.to_string(), "endsOn": (today + time::Duration::days(60)).to_string(),
            "team": ["IND"], "places": 10
        }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    post(
        Role::IndOfficer,
        &format!("/api/v1/missions/{mission}/cases"),
        json!({ "caseId": cases[1] }),
    )
    .await;
    post(
        Role::CoaOfficer,
        "/api/v1/holds",
        json!({ "scope": { "type": "programme", "programme": "eu-turkey" }, "startsOn": today.to_string(), "reason": "reception crisis" }),
    )
    .await;
    post(
        Role::IndOfficer,
        "/api/v1/country-policy-notes",
        json!({ "nationality": "SDN", "group": "Christians", "kind": "risk-profile", "summary": "Christians from Sudan", "particularAttention": true, "validFrom": "2024-01-01", "validUntil": null }),
    )
    .await;
    let waiting = &cases[2];
    for action in ["start-assessment", "accept"] {
        let version = app
            .get(Role::IndOfficer, &format!("/api/v1/cases/{waiting}"))
            .await
            .1["version"]
            .as_i64()
            .unwrap();
        post(
            Role::IndOfficer,
            &format!("/api/v1/cases/{waiting}/transitions"),
            json!({ "expectedVersion": version, "action": { "type": action } }),
        )
        .await;
    }
    let application = post(
        Role::IndOfficer,
        "/api/v1/family-reunification-applications",
        json!({ "sponsorCaseId": cases[0], "permitIssuedOn": "2024-08-21", "appliedOn": "2024-10-01",
                "relatives": [
                    { "givenName": "Karim", "familyName": "Testfamily", "dateOfBirth": "1988-01-01", "sex": "male", "nationality": "SDN", "relationship": "spouse" },
                    { "givenName": "Lina", "familyName": "Testfamily", "dateOfBirth": "2010-01-01", "sex": "female", "nationality": "SDN", "relationship": "child" }
                ] }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/family-reunification-applications/{application}/decisions");
    for (version, change) in [
        (
            1,
            json!({ "type": "record-evidence", "relative": 0, "kind": "documents" }),
        ),
        (
            2,
            json!({ "type": "decide", "relative": 0, "decision": "grant" }),
        ),
    ] {
        post(
            Role::IndOfficer,
            &path,
            json!({ "expectedVersion": version, "occurredOn": "2024-11-01", "change": change }),
        )
        .await;
    }
    Data {
        cases,
        mission,
        application,
    }
}

/// The pages `role` may open (`None`: not signed in), from the route table,
/// with the examples' ids for the path parameters.
fn pages(role: Option<Role>, data: &Data) -> Vec<String> {
    let mut out = Vec::new();
    for r in ROUTES {
        let skipped = r.method != "GET"
            || r.path.starts_with("/api/")
            || r.path == "/language"
            || r.path.starts_with("/assets/");
        if skipped {
            continue;
        }
        let allowed = match role {
            Some(role) => r.rule.allows(role),
            None => r.rule == resettle_web::access::Rule::Public,
        };
        if !allowed {
            continue;
        }
        if r.path.contains("{id}") && r.path.starts_with("/cases/") {
            // Each family: in scope the case page, out of scope the 404 page.
            for id in &data.cases {
                out.push(r.path.replace("{id}", id));
            }
        } else if r.path.contains("{id}") && r.path.starts_with("/family-reunification/") {
            out.push(r.path.replace("{id}", &data.application));
        } else if r.path.contains("{id}") && r.path.starts_with("/missions/") {
            out.push(r.path.replace("{id}", &data.mission));
        } else if r.path.contains("{name}") {
            for name in ReportName::ALL {
                out.push(r.path.replace("{name}", name.as_str()));
            }
        } else {
            assert!(
                !r.path.contains('{'),
                "a new page route with a parameter: give {} an example here",
                r.path
            );
            out.push(r.path.to_string());
        }
    }
    // Filters with a mistake show their error summary.
    for (filter, wrong) in [
        ("/cases", "/cases?year=abc"),
        ("/norms", "/norms?asOf=abc"),
        ("/forecast", "/forecast?runs=abc"),
        ("/admin/audit", "/admin/audit?from=abc"),
    ] {
        if out.iter().any(|p| p == filter) {
            out.push(wrong.to_string());
        }
    }
    // The placement with room kept for families on their way.
    if out.iter().any(|p| p == "/placement") {
        out.push("/placement?keep=1".to_string());
    }
    if role.is_none() {
        out.push("/no-such-page".to_string());
    }
    out
}

/// Whether `page` is meant to answer "not found" to `role`: an address that
/// does not exist, or a family outside a municipality's or integration
/// organisation's scope (only the first example family is inside it).
fn missing(role: Option<Role>, page: &str, data: &Data) -> bool {
    let scoped = matches!(
        role,
        Some(Role::MunicipalityOfficer | Role::IntegrationOrganisation)
    );
    page == "/no-such-page"
        || (scoped && page.starts_with("/cases/") && !page.contains(&data.cases[0]))
}

/// A form submitted with a mistake (or, for the placement review, as it is):
/// (role, page, form selector, script that fills it, error summary expected).
fn forms(data: &Data) -> Vec<(Option<Role>, String, &'static str, &'static str, bool)> {
    let case = |i: usize| format!("/cases/{}", data.cases[i]);
    let mission = format!("/missions/{}", data.mission);
    vec![
        (
            None,
            "/login".into(),
            "form.login",
            "f.username.value = 't-coa-officer'; f.password.value = 'not the password';",
            true,
        ),
        (
            Some(Role::CoaOfficer),
            case(2),
            "form:has(input[name=action][value=withdraw])",
            "",
            true,
        ),
        (
            Some(Role::CoaOfficer),
            case(2),
            "form[action$='/consents']",
            "",
            true,
        ),
        (
            Some(Role::CoaOfficer),
            case(2),
            "form:has(input[name=op][value=profile])",
            "f.dwellingBedrooms.value = ''; f.schoolAgeChildren.value = '';",
            true,
        ),
        (
            Some(Role::IndOfficer),
            case(1),
            "form:has(input[name=op][value=interview])",
            "",
            true,
        ),
        (
            Some(Role::IndOfficer),
            "/missions".into(),
            "form[action='/missions']",
            "",
            true,
        ),
        (
            Some(Role::CoaOfficer),
            mission,
            "form[action$='/cases']",
            "f.caseNumber.value = 'XXX-00X00000';",
            true,
        ),
        (
            Some(Role::CoaOfficer),
            "/holds".into(),
            "form:has(input[name=op][value=create])",
            "",
            true,
        ),
        (
            Some(Role::IndOfficer),
            "/country-policy-notes".into(),
            "form[action='/country-policy-notes']",
            "",
            true,
        ),
        (
            Some(Role::Administrator),
            "/policy".into(),
            "form[action='/policy']",
            "f.document.value = '{ not json';",
            true,
        ),
        (
            Some(Role::Administrator),
            "/admin/users".into(),
            "form[action='/admin/users']",
            "",
            true,
        ),
        (
            Some(Role::PolicyAnalyst),
            "/account/password".into(),
            "form[action='/account/password']",
            "",
            true,
        ),
        (
            Some(Role::CoaOfficer),
            "/placement".into(),
            "form[action='/placement/review']",
            "",
            false,
        ),
    ]
}

/// Scans the shown page; returns its violations as report lines.
async fn check(c: &Client, axe: &str, lang: &str, who: &str, page: &str) -> Vec<String> {
    // What a user can open is scanned too: the forms in closed disclosures.
    c.execute(
        "document.querySelectorAll('details').forEach(d => d.open = true);",
        vec![],
    )
    .await
    .unwrap();
    let shown = support::browser::page_language(c).await;
    let h1 = c
        .execute(
            "const h = document.querySelector('h1'); return h ? h.textContent : '';",
            vec![],
        )
        .await
        .unwrap();
    let h1 = h1.as_str().unwrap_or_default();
    // Every page is in `lang`, the refusal (403) too.
    assert!(
        shown == lang,
        "{page} as {who} ({h1}) is in '{shown}', not '{lang}'"
    );
    axe_run(c, axe)
        .await
        .into_iter()
        .map(|v| {
            format!(
                "{} ({}) on {page} as {who} in {lang}: {} — {}",
                v.rule,
                v.impact,
                v.targets.join(" | "),
                v.help
            )
        })
        .collect()
}

async fn scan(lang: &str) {
    let Some(axe) = axe_source() else { return };
    let Some(driver) = driver().await else { return };
    let started = Instant::now();
    let app = App::sqlite().await;
    let data = seed(&app).await;
    let b = browser(&driver).await;
    let c: &Client = &b;
    c.goto(&app.url("/login")).await.unwrap();
    switch_language(c, lang).await;

    // The scan can fail: a page broken on purpose shows its violations.
    c.execute(
        "document.documentElement.removeAttribute('lang'); \
         document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text name=unlabelled>');",
        vec![],
    )
    .await
    .unwrap();
    let broken: Vec<String> = axe_run(c, &axe).await.into_iter().map(|v| v.rule).collect();
    assert!(
        broken.contains(&"html-has-lang".to_string()) && broken.contains(&"label".to_string()),
        "axe-core did not see the broken page's violations: {broken:?}"
    );

    let not_found = if lang == "nl" {
        "Pagina niet gevonden"
    } else {
        "Page not found"
    };
    let mut violations: Vec<String> = Vec::new();
    let mut scanned = 0;
    let mut per_role: Vec<String> = Vec::new();
    let roles: Vec<Option<Role>> = std::iter::once(None)
        .chain(Role::ALL.iter().copied().map(Some))
        .collect();
    for role in &roles {
        let who = role.map_or("nobody".to_string(), |r| r.to_string());
        use_session(c, &app, *role).await;
        for page in pages(*role, &data) {
            c.goto(&app.url(&page)).await.unwrap();
            let h1 = c
                .execute(
                    "const h = document.querySelector('h1'); return h ? h.textContent : '';",
                    vec![],
                )
                .await
                .unwrap();
            let h1 = h1.as_str().unwrap_or_default();
            assert!(
                !h1.ends_with("(403)"),
                "{page} is allowed for {who} but answered 403"
            );
            // A page that is not there, or fails, must not pass as scanned:
            // only the pages meant to be "not found" may answer so.
            let meant_missing = missing(*role, &page, &data);
            let status = match role {
                Some(r) => app.page(*r, &page).await.0,
                None => app
                    .client
                    .get(app.url(&page))
                    .send()
                    .await
                    .unwrap()
                    .status(),
            };
            assert!(
                !status.is_server_error() && (status == StatusCode::NOT_FOUND) == meant_missing,
                "{page} as {who} answered {status}"
            );
            assert_eq!(
                h1 == not_found,
                meant_missing,
                "{page} as {who} shows '{h1}'"
            );
            if page.contains("=abc") {
                assert!(
                    c.find(fantoccini::Locator::Css(".error-summary"))
                        .await
                        .is_ok(),
                    "{page}: no error summary"
                );
            }
            violations.extend(check(c, &axe, lang, &who, &page).await);
            scanned += 1;
        }
        per_role.push(format!("{who} {}", pages(*role, &data).len()));
    }
    // A refused page (403).
    use_session(c, &app, Some(Role::PolicyAnalyst)).await;
    c.goto(&app.url("/cases")).await.unwrap();
    let refused = c
        .find(fantoccini::Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        refused.ends_with("(403)"),
        "/cases as policy-analyst: '{refused}'"
    );
    violations.extend(check(c, &axe, lang, "policy-analyst", "/cases (403)").await);
    scanned += 1;

    for (role, page, form, fill, expect_errors) in forms(&data) {
        let who = role.map_or("nobody".to_string(), |r| r.to_string());
        use_session(c, &app, role).await;
        c.goto(&app.url(&page)).await.unwrap();
        let found = c
            .execute(
                &format!(
                    "const f = document.querySelector(arguments[0]); if (!f) return false; {fill} return true;"
                ),
                vec![json!(form)],
            )
            .await
            .unwrap();
        assert_eq!(
            found,
            json!(true),
            "no {form} on {page} as {who}:\n{}",
            c.source().await.unwrap()
        );
        mark_page(c).await;
        // Submitted as the browser does, without its own checks of required
        // fields, so the server's error summary is shown.
        c.execute(
            "HTMLFormElement.prototype.submit.call(document.querySelector(arguments[0]));",
            vec![json!(form)],
        )
        .await
        .unwrap();
        wait_for_new_page(c).await;
        if expect_errors {
            assert!(
                c.find(fantoccini::Locator::Css(".error-summary"))
                    .await
                    .is_ok(),
                "{form} on {page} as {who}: no error summary:\n{}",
                c.source().await.unwrap()
            );
        }
        let label = format!("{page} ({form} submitted)");
        violations.extend(check(c, &axe, lang, &who, &label).await);
        scanned += 1;
    }
    b.close().await;
    app.finish().await;
    eprintln!(
        "axe-core: {scanned} pages in {lang} scanned in {:.1} s ({}; one 403 page; {} forms with mistakes), {} violations",
        started.elapsed().as_secs_f64(),
        per_role.join(", "),
        forms(&data).len(),
        violations.len()
    );
    assert!(
        violations.is_empty(),
        "{} WCAG 2.1 AA violations in {lang}:\n{}",
        violations.len(),
        violations.join("\n")
    );
    assert!(scanned > 60, "only {scanned} pages scanned");
}

//! Attacks on a running server, each answered: an import cannot take other
//! roles' actions or probe cases out of scope, free text reaches only its
//! audience, redirects stay on this site, passwords and second-factor codes
//! cannot be guessed or replayed, nobody can lock another out, the proxy's
//! client address counts, slow clients are cut off, exports hold no formulas.
//! Storage-backed attacks run on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use reqwest::StatusCode;
use resettle_domain::Role;
use resettle_store::{Accounts, Store};
use resettle_web::AppState;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::App;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PASSWORD: &str = "a long test password";

/// Runs `test` on SQLite and, when configured, on PostgreSQL.
macro_rules! on_both_engines {
    ($test:ident) => {{
        let app = App::sqlite().await;
        $test(&app).await;
        app.finish().await;
        if let Some(app) = App::postgres().await {
            $test(&app).await;
            app.finish().await;
        }
    }};
}

/// A second server on the same store, with its own settings.
async fn serve(app: &App, settings: impl FnOnce(AppState) -> AppState) -> String {
    let store: Arc<dyn Store> = app.store.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = settings(AppState::new(store));
    tokio::spawn(resettle_web::serve(listener, state, std::future::pending()));
    base
}

struct Answer {
    status: StatusCode,
    session: Option<String>,
    body: String,
}

/// Logs in at `base` through the form, as a client at `forwarded_for` (sent
/// as `X-Forwarded-For`) when given.
async fn login(
    app: &App,
    base: &str,
    user: &str,
    password: &str,
    code: &str,
    forwarded_for: Option<&str>,
) -> Answer {
    let page = app
        .client
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap();
    let csrf_cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = csrf_cookie.split_once('=').unwrap().1.to_string();
    let form = [
        ("csrf", csrf.as_str()),
        ("username", user),
        ("password", password),
        ("code", code),
        ("next", "/"),
    ];
    let mut request = app
        .client
        .post(format!("{base}/login"))
        .header("cookie", &csrf_cookie)
        .form(&form);
    if let Some(a) = forwarded_for {
        request = request.header("x-forwarded-for", a);
    }
    let r = request.send().await.unwrap();
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("resettle_session=") && !v.starts_with("resettle_session=;"))
        .map(|v| v.split(';').next().unwrap().to_string());
    Answer {
        status: r.status(),
        session,
        body: r.text().await.unwrap(),
    }
}

/// The messages of a page's error summary.
fn refusal(body: &str) -> String {
    body.split("error-summary-title")
        .nth(1)
        .and_then(|s| s.split("</ul>").next())
        .unwrap_or_default()
        .to_string()
}

fn import_body(submissions: Vec<Value>) -> Value {
    json!({ "format": "resettle-submissions/1", "submissions": submissions })
}

/// One submission of the example, renumbered, without history.
fn submission(number: &str, office: &str) -> Value {
    let mut s = support::example_submissions()["submissions"][0].clone();
    s["caseNumber"] = json!(number);
    s["unhcrReference"] = json!(format!("RRF-{number}"));
    s["linkedCases"] = json!([]);
    s["submittingOffice"] = json!(office);
    s
}

// 1. Import milestones bypass the role matrix.

async fn import_takes_submissions_only(app: &App) {
    let file: Value = serde_json::from_str(support::EXAMPLE).unwrap();
    for role in [Role::UnhcrLiaison, Role::CoaOfficer] {
        let (status, _, body) = app.post(role, "/api/v1/submission-imports", &file).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{role}: {body}");
        let refused: Vec<(i64, &str)> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["record"].as_i64().unwrap(), e["field"].as_str().unwrap()))
            .collect();
        assert_eq!(refused, [(0, "milestones"), (1, "milestones")], "{body}");
        assert_eq!(app.total(Role::CoaOfficer).await, 0, "nothing was stored");
    }
    // Submissions alone are imported, as submitted, and nothing more (the
    // example's third, family reunification, waits for an arrival).
    let mut file = support::example_submissions();
    file["submissions"].as_array_mut().unwrap().truncate(2);
    let (status, _, body) = app
        .post(Role::UnhcrLiaison, "/api/v1/submission-imports", &file)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for c in body["cases"].as_array().unwrap() {
        let path = format!("/api/v1/cases/{}", c["id"].as_str().unwrap());
        let (_, case) = app.get(Role::CoaOfficer, &path).await;
        assert_eq!(case["state"], "submitted");
        assert_eq!(case["history"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn an_api_import_creates_submitted_cases_and_takes_no_other_role_s_actions() {
    on_both_engines!(import_takes_submissions_only);
}

// 2. Free-text reasons reach municipalities.

const HEALTH_REASON: &str = "HIV-positive, needs specialist care";
const OVERRIDE_REASON: &str = "PTSD after torture";
const POLICY_BASIS: &str = "persecuted as a gay man";

async fn free_text_reaches_its_audience_only(app: &App) {
    // Housed first at a COA location for a health reason, then in Tilburg.
    let mut housed = submission("EGY-24C00901", "UNHCR");
    let milestones = json!([
        { "state": "under-assessment", "on": "2024-03-04" },
        { "state": "accepted", "on": "2024-03-15" },
        { "state": "pre-departure", "on": "2024-05-06" },
        { "state": "departed", "on": "2024-08-20" },
        { "state": "arrived", "on": "2024-08-21", "permitValidUntil": "2029-08-20" },
        { "state": "housed", "on": "2024-08-21", "coaLocation": "Ter Apel", "reason": HEALTH_REASON },
        { "state": "housed", "on": "2024-10-01", "municipality": "Tilburg" },
    ]);
    housed["milestones"] = milestones;
    housed["consents"] = json!([]);
    let mut assessed = submission("EGY-24C00902", "UNHCR");
    assessed["milestones"] = json!([{ "state": "under-assessment", "on": "2024-03-04" }]);
    let ids = app
        .import_as_operator(&import_body(vec![housed, assessed]))
        .await;
    let id = |i: usize| ids["cases"][i]["id"].as_str().unwrap().to_string();
    let (housed, assessed) = (id(0), id(1));
    // An override recorded for another municipality, with a special-category reason.
    let consent = json!({ "recipient": "Utrecht", "overrideReason": OVERRIDE_REASON });
    let path = format!("/api/v1/cases/{housed}/consents");
    assert_eq!(
        app.post(Role::CoaOfficer, &path, &consent).await.0,
        StatusCode::CREATED
    );
    // The IND's acceptance names a special category in its basis.
    let (_, case) = app
        .get(Role::IndOfficer, &format!("/api/v1/cases/{assessed}"))
        .await;
    let accept = json!({ "expectedVersion": case["version"], "action": { "type": "accept", "policyBasis": POLICY_BASIS } });
    let path = format!("/api/v1/cases/{assessed}/transitions");
    let (status, _, body) = app.post(Role::IndOfficer, &path, &accept).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let seen = |role: Role, id: String| async move {
        let api = app.get(role, &format!("/api/v1/cases/{id}")).await.1;
        let history = app
            .get(role, &format!("/api/v1/cases/{id}/transitions"))
            .await
            .1;
        let (_, page) = app.page(role, &format!("/cases/{id}")).await;
        format!("{api}{history}{page}")
    };
    for role in [Role::MunicipalityOfficer, Role::UnhcrLiaison] {
        let text = seen(role, housed.clone()).await;
        assert!(text.contains("Ter Apel"), "{role} sees the case");
        assert!(
            !text.contains(HEALTH_REASON),
            "{role} reads the housing reason"
        );
        assert!(!text.contains(OVERRIDE_REASON), "{role} reads the override");
    }
    let municipality = seen(Role::MunicipalityOfficer, housed.clone()).await;
    assert!(
        !municipality.contains("Utrecht"),
        "another municipality's consent is none of Tilburg's business"
    );
    let coa = seen(Role::CoaOfficer, housed.clone()).await;
    assert!(coa.contains(HEALTH_REASON) && coa.contains(OVERRIDE_REASON));
    assert!(
        !seen(Role::CoaOfficer, assessed.clone())
            .await
            .contains(POLICY_BASIS)
    );
    assert!(
        !seen(Role::UnhcrLiaison, assessed.clone())
            .await
            .contains(POLICY_BASIS)
    );
    assert!(
        seen(Role::IndOfficer, assessed)
            .await
            .contains(POLICY_BASIS)
    );
}

#[tokio::test]
async fn free_text_reaches_only_the_roles_that_may_read_it() {
    on_both_engines!(free_text_reaches_its_audience_only);
}

// 3. Open redirects.

#[tokio::test]
async fn redirects_stay_on_this_site_and_odd_input_gives_no_500() {
    let app = App::sqlite().await;
    let location = |r: &reqwest::Response| {
        r.headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
    };
    for (back, expected) in [
        ("/%5Cevil.com", "/cases"),
        ("/%09/evil.com", "/cases"),
        ("//evil.com", "/cases"),
        ("https://evil.com", "/cases"),
        ("/%0d%0aSet-Cookie:%20x=y", "/cases"),
        ("/norms?x=1", "/norms?x=1"),
    ] {
        let r = app
            .client
            .get(app.url(&format!("/language?lang=en&back={back}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{back}");
        assert_eq!(location(&r).as_deref(), Some(expected), "{back}");
    }
    let session = &app.sessions[&Role::CoaOfficer];
    for (next, expected) in [
        ("/%09/evil.com", "/"),
        ("/%5C/evil.com", "/"),
        ("/%0d%0aX:%20y", "/"),
        ("/cases", "/cases"),
    ] {
        let r = app
            .client
            .get(app.url(&format!("/login?next={next}")))
            .header("cookie", format!("resettle_session={}", session.cookie))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next}");
        assert_eq!(location(&r).as_deref(), Some(expected), "{next}");
    }
    app.finish().await;
}

// 4. The password change allows unlimited guessing.

#[tokio::test]
async fn the_current_password_cannot_be_guessed_at_the_password_change() {
    let owned = App::sqlite().await;
    let app = &owned;
    let change = |current: &'static str| async move {
        let fields = [
            ("current", current),
            ("new", "a brand new passphrase"),
            ("repeat", "a brand new passphrase"),
        ];
        app.form(Role::CoaOfficer, "/account/password", &fields)
            .await
    };
    for _ in 0..5 {
        assert_eq!(change("a wrong guess!!").await.0, StatusCode::BAD_REQUEST);
    }
    // From now on even the right password is not checked: the guesser learns nothing.
    let (status, page) = change(PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{page}");
    let creds = app
        .store
        .credentials(&resettle_domain::Username::parse("t-coa-officer").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(
        resettle_web::auth::secrets::verify_password(PASSWORD, &creds.password_hash),
        "the password was not changed"
    );
    owned.finish().await;
}

// 5 and 8. Enumeration, locking others out, the limit behind a proxy.

#[tokio::test]
async fn known_and_unknown_names_are_answered_alike_and_nobody_locks_out_another() {
    let app = App::sqlite().await;
    let proxied = serve(&app, |s| {
        s.with_trusted_proxies(vec![
            resettle_web::client::parse_proxy("127.0.0.1").unwrap(),
        ])
    })
    .await;
    let attacker = Some("198.51.100.7");
    let mut answers = Vec::new();
    for name in ["t-coa-officer", "no-such-account"] {
        for _ in 0..5 {
            let a = login(&app, &proxied, name, "a wrong guess!!", "", attacker).await;
            assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        }
        let a = login(&app, &proxied, name, "a wrong guess!!", "", attacker).await;
        answers.push((a.status, refusal(&a.body)));
    }
    assert_eq!(answers[0], answers[1], "a real account looks like any name");
    assert!(!answers[0].1.is_empty());
    // The real user, at its own address, logs in.
    let user = login(
        &app,
        &proxied,
        "t-coa-officer",
        PASSWORD,
        "",
        Some("203.0.113.5"),
    )
    .await;
    assert_eq!(
        user.status,
        StatusCode::SEE_OTHER,
        "{}",
        refusal(&user.body)
    );
    assert!(user.session.is_some());
    app.finish().await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit_and_strangers_cannot_forge_it() {
    let app = App::sqlite().await;
    let proxied = serve(&app, |s| {
        s.with_trusted_proxies(vec![
            resettle_web::client::parse_proxy("127.0.0.0/8").unwrap(),
        ])
    })
    .await;
    for i in 0..11 {
        let name = format!("guess-{i}");
        let a = login(&app, &proxied, &name, "x", "", Some("198.51.100.7")).await;
        assert_ne!(a.status, StatusCode::SEE_OTHER);
    }
    let blocked = login(
        &app,
        &proxied,
        "t-ind-officer",
        PASSWORD,
        "",
        Some("198.51.100.7"),
    )
    .await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    let other = login(
        &app,
        &proxied,
        "t-ind-officer",
        PASSWORD,
        "",
        Some("203.0.113.5"),
    )
    .await;
    assert_eq!(
        other.status,
        StatusCode::SEE_OTHER,
        "{}",
        refusal(&other.body)
    );
    // Without a trusted proxy the header is the client's word, and ignored.
    for i in 0..11 {
        let forged = format!("192.0.2.{i}");
        login(
            &app,
            &app.base,
            &format!("nobody-{i}"),
            "x",
            "",
            Some(&forged),
        )
        .await;
    }
    let a = login(
        &app,
        &app.base,
        "t-ind-officer",
        PASSWORD,
        "",
        Some("192.0.2.200"),
    )
    .await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    // Rate-limited attempts are counted, not each written to the audit trail.
    use resettle_store::{AuditLog, AuditQuery, PageRequest};
    let q = AuditQuery {
        action: Some("login".into()),
        result: Some(resettle_domain::audit::AuditResult::Denied),
        ..Default::default()
    };
    let denied = app
        .store
        .search_audit(&q, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(denied.total, 2, "one per block");
    app.finish().await;
}

// 6. Import errors reveal cases outside the importer's scope.

async fn import_errors_reveal_no_case_out_of_scope(app: &App) {
    // Another office's cases: one arrived, one not, one itself reunification.
    let mut arrived = submission("EGY-24C00801", "Other office");
    arrived["milestones"] = json!([
        { "state": "under-assessment", "on": "2024-03-04" },
        { "state": "accepted", "on": "2024-03-15" },
        { "state": "pre-departure", "on": "2024-05-06" },
        { "state": "departed", "on": "2024-08-20" },
        { "state": "arrived", "on": "2024-08-21", "permitValidUntil": "2029-08-20" },
    ]);
    let waiting = submission("EGY-24C00802", "Other office");
    let mut joined = submission("EGY-24C00803", "Other office");
    joined["familyReunificationOf"] = json!("EGY-24C00801");
    app.import_as_operator(&import_body(vec![arrived, waiting, joined]))
        .await;
    let targets = [
        "EGY-24C00801",
        "EGY-24C00802",
        "EGY-24C00803",
        "EGY-24C00899",
    ];
    let probes: Vec<Value> = targets
        .iter()
        .enumerate()
        .map(|(i, target)| {
            let mut s = submission(&format!("EGY-24C0071{i}"), "UNHCR");
            s["familyReunificationOf"] = json!(target);
            s
        })
        .collect();
    let (status, _, body) = app
        .post(
            Role::UnhcrLiaison,
            "/api/v1/submission-imports",
            &import_body(probes),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let details: Vec<String> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .zip(targets)
        .map(|(e, target)| {
            assert_eq!(e["field"], "familyReunificationOf");
            e["detail"].as_str().unwrap().replace(target, "X")
        })
        .collect();
    assert_eq!(details.len(), 4, "{body}");
    assert!(
        details.iter().all(|d| *d == details[3]),
        "absent and invisible are alike: {details:?}"
    );
}

#[tokio::test]
async fn import_errors_do_not_reveal_cases_outside_the_importer_s_scope() {
    on_both_engines!(import_errors_reveal_no_case_out_of_scope);
}

// 7. A second-factor code works twice.

async fn a_code_works_once(app: &App) {
    let secret = app
        .admin_with_second_factor("root-admin", "a long admin password")
        .await;
    let now = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap();
    let code = resettle_web::auth::secrets::totp_code(&secret, now).unwrap();
    let first = login(
        app,
        &app.base,
        "root-admin",
        "a long admin password",
        &code,
        None,
    )
    .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let again = login(
        app,
        &app.base,
        "root-admin",
        "a long admin password",
        &code,
        None,
    )
    .await;
    assert_eq!(
        again.status,
        StatusCode::UNAUTHORIZED,
        "a code is used once"
    );
    assert!(again.session.is_none());
}

#[tokio::test]
async fn a_second_factor_code_works_once() {
    on_both_engines!(a_code_works_once);
}

// 9. No timeouts on slow or idle connections.

fn tight() -> resettle_web::Limits {
    resettle_web::Limits {
        header_read: Duration::from_millis(800),
        body_read: Duration::from_millis(800),
        max_connections: 2,
        ..resettle_web::Limits::default()
    }
}

/// Whether the server closes `stream` within `wait` (reads to its end).
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = Vec::new();
    tokio::time::timeout(wait, stream.read_to_end(&mut buf))
        .await
        .is_ok()
}

#[tokio::test]
async fn slow_and_idle_connections_are_cut_off_and_connections_are_limited() {
    let app = App::sqlite().await;
    let base = serve(&app, |s| s.with_limits(tight())).await;
    let addr = base.trim_start_matches("http://").to_string();

    // Headers sent slowly: the connection is closed.
    let mut slow = TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    assert!(closed_within(&mut slow, Duration::from_secs(5)).await);

    // A body that never finishes: 408, and the connection is let go.
    let mut body = TcpStream::connect(&addr).await.unwrap();
    body.write_all(b"POST /api/v1/forecasts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        .await
        .unwrap();
    let mut answer = vec![0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(5), body.read(&mut answer))
        .await
        .expect("an answer within the body timeout")
        .unwrap();
    assert!(
        String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&answer[..n])
    );

    // Two idle connections take both places; a third waits until they are cut off.
    let _idle: Vec<TcpStream> = vec![
        TcpStream::connect(&addr).await.unwrap(),
        TcpStream::connect(&addr).await.unwrap(),
    ];
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let r = app
        .client
        .get(format!("{base}/api/v1/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "served at once: no connection limit ({:?})",
        started.elapsed()
    );

    // Bodies have a size limit.
    let big = "x".repeat(2 * 1024 * 1024);
    let r = app
        .api(reqwest::Method::POST, Role::IndOfficer, "/api/v1/forecasts")
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    app.finish().await;
}

// 10. CSV formula injection.

#[tokio::test]
async fn exported_texts_never_become_spreadsheet_formulas() {
    let app = App::sqlite().await;
    let mut policy = support::letter_policy();
    let formula = "=HYPERLINK(\"http://evil.example\",\"details\")";
    // In both languages of the policy text: the export picks one.
    for lang in ["note", "noteEn"] {
        policy["euProgrammes"][0]["pledges"][0][lang] = json!(formula);
        policy["euProgrammes"][0]["pledges"][1][lang] = json!("@SUM(1+1)");
    }
    let r = app
        .api(reqwest::Method::PUT, Role::Administrator, "/api/v1/policy")
        .json(&json!({ "reason": "a hostile note", "document": policy }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let r = app
        .api(
            reqwest::Method::GET,
            Role::PolicyAnalyst,
            "/api/v1/reports/eu?format=csv",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut cells = 0;
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            cells += 1;
            let numeric = cell.parse::<f64>().is_ok();
            assert!(
                numeric || !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a formula cell: {cell}"
            );
        }
    }
    assert!(
        text.contains("'=HYPERLINK") && text.contains("'@SUM"),
        "{text}"
    );
    assert!(cells > 10);
    app.finish().await;
}

// 11. HSTS behind TLS; small cells in the composition report.

#[tokio::test]
async fn hsts_is_sent_when_served_behind_tls() {
    let app = App::sqlite().await;
    let tls = serve(&app, |s| s.with_secure_cookies(true)).await;
    let r = app
        .client
        .get(format!("{tls}/api/v1/health"))
        .send()
        .await
        .unwrap();
    let hsts = r.headers().get("strict-transport-security").unwrap();
    assert!(hsts.to_str().unwrap().starts_with("max-age=31536000"));
    let r = app
        .client
        .get(app.url("/api/v1/health"))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers().get("strict-transport-security").is_none(),
        "not over plain HTTP"
    );
    app.finish().await;
}

#[tokio::test]
async fn the_composition_report_shows_no_cell_of_fewer_than_five_persons() {
    let app = App::sqlite().await;
    app.import_demo().await;
    app.load_letter_policy().await;
    let (status, report) = app
        .get(Role::PolicyAnalyst, "/api/v1/reports/composition")
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut suppressed = 0;
    for f in report["frameworks"].as_array().unwrap() {
        let total = f["persons"].as_u64().unwrap();
        for by in ["byHostCountry", "byNationality", "byCategory", "byPriority"] {
            let cells = f[by].as_array().unwrap();
            let sum: u64 = cells.iter().map(|c| c["persons"].as_u64().unwrap()).sum();
            assert_eq!(sum, total, "{by}: totals stay exact");
            for c in cells {
                let persons = c["persons"].as_u64().unwrap();
                if c["key"] == "suppressed" {
                    suppressed += 1;
                }
                assert!(
                    persons >= 5 || total < 5,
                    "{} {by} {}: {persons} persons",
                    f["framework"],
                    c["key"]
                );
            }
        }
    }
    assert!(suppressed > 0, "the demo has small cells to suppress");
    app.finish().await;
}

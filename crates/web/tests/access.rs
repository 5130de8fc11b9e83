//! The access matrix, walked: every API route (taken from the generated OpenAPI
//! document, so a new route without a rule fails here) and every page route,
//! for every role, on SQLite and PostgreSQL. Plus the protections around it:
//! scopes answer 404 (and are audited), read-only tokens, CSRF, lockout, the
//! second factor, and special-category data shown only by need and consent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use reqwest::{Method, StatusCode};
use resettle_domain::access::case_scope;
use resettle_domain::{ActionKind, Permission, Role, TokenId, TokenScope, Username};
use resettle_store::{Accounts, AuditLog, AuditQuery, PageRequest};
use resettle_web::access::{ROUTES, Rule};
use resettle_web::auth::secrets::{random_token, token_hash, totp_code};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use support::App;
use time::{Duration, OffsetDateTime};

/// Fills a route template with ids that exist, so a refusal cannot hide behind a 404.
fn concrete(path: &str, case: &str, name: &str) -> String {
    path.replace("{id}", case)
        .replace("{seq}", "1")
        .replace("{name}", name)
}

/// A request body that passes authorisation for `role` (validation may still refuse it).
fn api_body(path: &str, role: Role) -> Value {
    if path.ends_with("/transitions") {
        let action = role
            .actions()
            .first()
            .copied()
            .unwrap_or(ActionKind::Accept);
        json!({ "expectedVersion": 999, "action": { "type": action.as_str() } })
    } else if path.ends_with("/consents") {
        json!({ "consentGiven": true, "recipient": "Tilburg" })
    } else {
        json!({ "format": "resettle-submissions/1", "submissions": [] })
    }
}

async fn walk(app: &App) {
    let imported = app.import_example().await;
    // Case 0 is housed in Tilburg and guided by VluchtelingenWerk: inside every scope.
    let case = imported["cases"][0]["id"].as_str().unwrap().to_string();

    // 1. Every route of the OpenAPI document has a rule, and every API rule a route.
    let doc: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), format!("/api/v1{path}")));
        }
    }
    documented.insert(("GET".into(), "/api/v1/openapi.json".into()));
    let declared: BTreeSet<(String, String)> = ROUTES
        .iter()
        .filter(|r| r.path.starts_with("/api/"))
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    assert_eq!(
        documented, declared,
        "every API route needs exactly one rule in resettle_web::access::ROUTES"
    );

    // 2. Every route for every role: allowed means neither 401 nor 403 nor a
    // server error (a handler that fails is no proof of access); denied means 403.
    for route in ROUTES {
        for role in Role::ALL {
            let path = concrete(route.path, &case, "nobody-here");
            let status = if route.path.starts_with("/api/") {
                let mut req = app.api(
                    Method::from_bytes(route.method.as_bytes()).unwrap(),
                    *role,
                    &path,
                );
                if route.method == "POST" {
                    req = req.json(&api_body(route.path, *role));
                }
                req.send().await.unwrap().status()
            } else if route.method == "GET" {
                app.page(*role, &path).await.0
            } else if route.path == "/login" || route.path == "/logout" {
                continue; // exercised below: they change sessions
            } else {
                let action = role.actions().first().map_or("accept", |a| a.as_str());
                app.form(
                    *role,
                    &path,
                    &[("action", action), ("expectedVersion", "999")],
                )
                .await
                .0
            };
            let allowed = route.rule.allows(*role);
            let what = format!("{} {} as {role}: {status}", route.method, route.path);
            if allowed {
                assert!(
                    status != StatusCode::FORBIDDEN
                        && status != StatusCode::UNAUTHORIZED
                        && !status.is_server_error(),
                    "{what} should be allowed"
                );
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{what} should be refused");
            }
        }
        // Without credentials only public routes answer.
        if route.rule != Rule::Public && route.method == "GET" {
            let status = app
                .client
                .get(app.url(&concrete(route.path, &case, "x")))
                .send()
                .await
                .unwrap()
                .status();
            let expected = if route.path.starts_with("/api/") {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::SEE_OTHER
            };
            assert_eq!(status, expected, "GET {} without credentials", route.path);
        }
    }
}

#[tokio::test]
async fn every_route_for_every_role_matches_the_declared_matrix_on_every_backend() {
    let app = App::sqlite().await;
    walk(&app).await;
    app.finish().await;
    if let Some(app) = App::postgres().await {
        walk(&app).await;
        app.finish().await;
    }
}

#[tokio::test]
async fn another_organisation_s_family_is_a_404_and_is_audited() {
    let app = App::sqlite().await;
    let imported = app.import_example().await;
    let tilburg = imported["cases"][0]["id"].as_str().unwrap().to_string();
    let elsewhere = imported["cases"][1]["id"].as_str().unwrap().to_string();
    let muni = Role::MunicipalityOfficer;
    assert_eq!(
        case_scope(muni, Some("Tilburg")),
        resettle_domain::CaseScope::Municipality("Tilburg".into())
    );

    assert_eq!(
        app.total(muni).await,
        1,
        "the municipality sees only its own family"
    );
    assert_eq!(
        app.get(muni, &format!("/api/v1/cases/{tilburg}")).await.0,
        StatusCode::OK
    );
    let (status, body) = app.get(muni, &format!("/api/v1/cases/{elsewhere}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(
        app.page(muni, &format!("/cases/{elsewhere}")).await.0,
        StatusCode::NOT_FOUND
    );
    let q = AuditQuery {
        actor: Some("t-municipality-officer".into()),
        object: Some(elsewhere.clone()),
        ..Default::default()
    };
    let denied = app
        .store
        .search_audit(&q, PageRequest::default())
        .await
        .unwrap();
    assert!(
        denied.items.iter().all(|e| e.result.as_str() == "denied") && denied.total == 2,
        "{denied:?}"
    );
    // Analysts and administrators see no case at all.
    for role in [Role::PolicyAnalyst, Role::Administrator] {
        assert_eq!(
            app.get(role, &format!("/api/v1/cases/{tilburg}")).await.0,
            StatusCode::FORBIDDEN
        );
    }
    app.finish().await;
}

#[tokio::test]
async fn special_categories_are_shown_by_need_and_consent_and_every_showing_is_audited() {
    let app = App::sqlite().await;
    let imported = app.import_example().await;
    let id = imported["cases"][0]["id"].as_str().unwrap().to_string();
    let categories = |case: &Value| -> Vec<String> {
        case["special"].as_array().map_or(vec![], |a| {
            a.iter()
                .map(|i| i["category"].as_str().unwrap().to_string())
                .collect()
        })
    };
    let path = format!("/api/v1/cases/{id}");
    assert_eq!(
        categories(&app.get(Role::IndOfficer, &path).await.1),
        ["religion", "health"]
    );
    assert_eq!(
        categories(&app.get(Role::CoaOfficer, &path).await.1),
        ["health"]
    );
    assert_eq!(
        categories(&app.get(Role::UnhcrLiaison, &path).await.1),
        Vec::<String>::new()
    );
    // Tilburg has the family's consent; the guiding organisation does not yet.
    let tilburg = app.get(Role::MunicipalityOfficer, &path).await.1;
    assert_eq!(categories(&tilburg), ["health"]);
    assert_eq!(
        tilburg["members"][0]["documents"],
        json!([]),
        "no identity documents for placement"
    );
    assert_eq!(
        categories(&app.get(Role::IntegrationOrganisation, &path).await.1),
        Vec::<String>::new()
    );

    // An override without consent needs a reason; with it, sharing is recorded and opens.
    let consents = format!("/api/v1/cases/{id}/consents");
    let (status, _, _) = app
        .post(
            Role::CoaOfficer,
            &consents,
            &json!({ "recipient": "VluchtelingenWerk" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let body = json!({ "recipient": "VluchtelingenWerk", "overrideReason": "medication must continue on arrival" });
    assert_eq!(
        app.post(Role::CoaOfficer, &consents, &body).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        categories(&app.get(Role::IntegrationOrganisation, &path).await.1),
        ["health"]
    );

    let q = AuditQuery {
        action: Some("show-special:religion".into()),
        ..Default::default()
    };
    let shown = app
        .store
        .search_audit(&q, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(shown.total, 1);
    assert_eq!(shown.items[0].actor, "t-ind-officer");
    // The audit holds ids, never the values.
    let all = app
        .store
        .search_audit(&AuditQuery::default(), PageRequest::new(1, 500))
        .await
        .unwrap();
    let text = serde_json::to_string(&all.items).unwrap();
    assert!(!text.contains("Christian") && !text.contains("asthma"));
    assert!(app.store.verify_audit().await.unwrap().is_ok());
    app.finish().await;
}

#[tokio::test]
async fn read_only_tokens_cannot_write_and_revoked_or_expired_tokens_do_not_work() {
    let app = App::sqlite().await;
    let creds = app
        .store
        .credentials(&Username::parse("t-coa-officer").unwrap())
        .await
        .unwrap()
        .unwrap();
    let now = OffsetDateTime::now_utc();
    let mk = |scope, until| {
        let store = app.store.clone();
        let user = creds.user.id;
        async move {
            let (token, id) = (random_token(), TokenId::generate());
            store
                .create_token(id, user, &token_hash(&token), scope, now, until)
                .await
                .unwrap();
            (token, id)
        }
    };
    let (read, _) = mk(TokenScope::Read, now + Duration::hours(1)).await;
    let (expired, _) = mk(TokenScope::Write, now - Duration::seconds(1)).await;
    let (revoked, revoked_id) = mk(TokenScope::Write, now + Duration::hours(1)).await;
    app.store.revoke_token(revoked_id, now).await.unwrap();
    let send = |token: String, method: Method| {
        let req = app
            .client
            .request(method.clone(), app.url("/api/v1/submission-imports"))
            .bearer_auth(token);
        async move { req.json(&json!({})).send().await.unwrap().status() }
    };
    assert_eq!(
        send(read.clone(), Method::POST).await,
        StatusCode::FORBIDDEN
    );
    let listed = app
        .client
        .get(app.url("/api/v1/cases"))
        .bearer_auth(&read)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(listed, StatusCode::OK);
    assert_eq!(send(expired, Method::POST).await, StatusCode::UNAUTHORIZED);
    assert_eq!(send(revoked, Method::POST).await, StatusCode::UNAUTHORIZED);
    // The API ignores session cookies: it keeps no session state.
    let cookie = format!(
        "resettle_session={}",
        app.sessions[&Role::CoaOfficer].cookie
    );
    let r = app
        .client
        .get(app.url("/api/v1/cases"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    app.finish().await;
}

#[tokio::test]
async fn forms_without_the_session_s_csrf_token_are_refused() {
    let app = App::sqlite().await;
    let id = app.import_example().await["cases"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let cookie = format!(
        "resettle_session={}",
        app.sessions[&Role::IndOfficer].cookie
    );
    for csrf in ["", "forged"] {
        let form = [
            ("csrf", csrf),
            ("action", "accept"),
            ("expectedVersion", "2"),
        ];
        let r = app
            .client
            .post(app.url(&format!("/cases/{id}/transitions")))
            .header("cookie", &cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "csrf '{csrf}'");
    }
    assert_eq!(
        app.get(Role::IndOfficer, &format!("/api/v1/cases/{id}"))
            .await
            .1["state"],
        "under-assessment"
    );
    app.finish().await;
}

#[tokio::test]
async fn a_page_session_ends_after_the_server_s_idle_limit() {
    let app = App::sqlite().await;
    let user = app
        .store
        .credentials(&Username::parse("t-coa-officer").unwrap())
        .await
        .unwrap()
        .unwrap()
        .user
        .id;
    // A session started 20 minutes ago and not used since.
    let cookie = random_token();
    let now = OffsetDateTime::now_utc();
    app.store
        .create_session(
            &token_hash(&cookie),
            user,
            "csrf",
            now - Duration::minutes(20),
            now + Duration::hours(1),
        )
        .await
        .unwrap();
    // A second server on the same database, whose sessions end after 10 minutes.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let strict = format!("http://{}", listener.local_addr().unwrap());
    let state =
        resettle_web::AppState::new(app.store.clone()).with_session_idle(Duration::minutes(10));
    tokio::spawn(resettle_web::serve(listener, state, std::future::pending()));
    let home = |base: &str| {
        app.client
            .get(format!("{base}/cases"))
            .header("cookie", format!("resettle_session={cookie}"))
            .send()
    };
    let r = home(&strict).await.unwrap();
    assert!(
        r.status().is_redirection()
            && r.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/login"),
        "a session idle for 20 minutes is over on a server with a 10-minute limit: {}",
        r.status()
    );
    // The default limit (30 minutes) still lets it in, and that use counts.
    assert_eq!(home(&app.base).await.unwrap().status(), StatusCode::OK);
    assert_eq!(home(&strict).await.unwrap().status(), StatusCode::OK);
    app.finish().await;
}

/// Logs in through the form; returns the status and the session cookie, if any.
async fn login(app: &App, user: &str, password: &str, code: &str) -> (StatusCode, Option<String>) {
    let page = app.client.get(app.url("/login")).send().await.unwrap();
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
    let r = app
        .client
        .post(app.url("/login"))
        .header("cookie", &csrf_cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("resettle_session=") && !v.starts_with("resettle_session=;"))
        .map(|v| {
            assert!(
                v.contains("HttpOnly") && v.contains("SameSite=Strict"),
                "{v}"
            );
            v.split(';').next().unwrap().to_string()
        });
    (r.status(), session)
}

#[tokio::test]
async fn login_needs_the_second_factor_where_required_and_locks_after_failures() {
    let app = App::sqlite().await;
    let now = OffsetDateTime::now_utc();
    let secret = app
        .admin_with_second_factor("root-admin", "a long admin password")
        .await;
    let code = totp_code(&secret, u64::try_from(now.unix_timestamp()).unwrap()).unwrap();

    assert_eq!(
        login(&app, "root-admin", "a long admin password", "")
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let (status, session) = login(&app, "root-admin", "a long admin password", &code).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let session = session.expect("a session cookie");
    let users = app
        .client
        .get(app.url("/admin/users"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(users.status(), StatusCode::OK);
    let review = users.text().await.unwrap();
    assert!(review.contains("t-coa-officer"));
    // The access review shows who never logged in; the login was remembered.
    assert!(review.contains("Laatst ingelogd") && review.contains("nog nooit"));
    let root = Username::parse("root-admin").unwrap();
    let last = app
        .store
        .credentials(&root)
        .await
        .unwrap()
        .unwrap()
        .user
        .last_login_at;
    assert!(
        last.is_some_and(|l| (now - l).abs() < Duration::minutes(5)),
        "{last:?}"
    );
    // An account created 100 days ago that never logged in is marked dormant.
    let old = resettle_domain::User {
        id: resettle_domain::UserId::generate(),
        username: Username::parse("p.dormant").unwrap(),
        display_name: "P. Dormant".into(),
        role: Role::PolicyAnalyst,
        organisation: None,
        second_factor: false,
        created_at: now - Duration::days(100),
        created_by: "test".into(),
        removed_at: None,
        last_login_at: None,
    };
    app.store.create_user(&old, "x", None).await.unwrap();
    let (_, review) = app.page(Role::Administrator, "/admin/users").await;
    let row = |name: &str| {
        review
            .split(name)
            .nth(1)
            .unwrap()
            .split("</tr>")
            .next()
            .unwrap()
            .to_string()
    };
    assert!(row("p.dormant").contains("langer dan 90 dagen niet gebruikt"));
    assert!(!row("t-coa-officer").contains("langer dan"));

    // Five wrong passwords lock the account, even for the right password afterwards.
    for _ in 0..5 {
        assert_eq!(
            login(&app, "t-coa-officer", "wrong password!!", "").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, session) = login(&app, "t-coa-officer", "a long test password", "").await;
    assert_eq!((status, session), (StatusCode::UNAUTHORIZED, None));
    let q = AuditQuery {
        actor: Some("t-coa-officer".into()),
        action: Some("login".into()),
        ..Default::default()
    };
    let attempts = app
        .store
        .search_audit(&q, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(attempts.total, 6);
    assert!(attempts.items[0].result.as_str() == "denied");
    // A second client address is not involved here; the per-address limit stops a flood.
    let mut limited = false;
    for _ in 0..12 {
        if login(&app, "nobody-at-all", "whatever password", "")
            .await
            .0
            == StatusCode::TOO_MANY_REQUESTS
        {
            limited = true;
        }
    }
    assert!(limited, "the login rate limit applies");
    app.finish().await;
}

#[test]
fn the_matrix_is_printable_for_the_documentation() {
    let table = resettle_web::access::matrix_markdown();
    assert!(table.contains("| `POST /api/v1/submission-imports` |"));
    assert_eq!(table.lines().count(), ROUTES.len() + 2);
    assert!(Role::PolicyAnalyst.allows(Permission::ReadReports));
}

#[tokio::test]
async fn a_coa_officer_records_an_override_on_the_case_page() {
    let app = App::sqlite().await;
    let id = app.import_example().await["cases"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/cases/{id}/consents");
    let (status, page) = app
        .form(Role::CoaOfficer, &path, &[("recipient", "Zwolle")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains(r##"href="#consent-overrideReason""##),
        "the error summary links to the field"
    );
    let (status, _) = app
        .form(
            Role::CoaOfficer,
            &path,
            &[
                ("recipient", "Zwolle"),
                ("overrideReason", "dialysis must continue"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let case = app
        .get(Role::CoaOfficer, &format!("/api/v1/cases/{id}"))
        .await
        .1;
    assert_eq!(
        case["consents"][0]["overrideReason"],
        "dialysis must continue"
    );
    assert_eq!(case["consents"][0]["recordedBy"], "t-coa-officer");
    app.finish().await;
}

#[test]
fn the_documented_matrix_is_the_implemented_one() {
    let doc = include_str!("../../../docs/access-control.md");
    assert!(
        doc.contains(&resettle_web::access::matrix_markdown()),
        "docs/access-control.md must hold the table of resettle_web::access::matrix_markdown(); regenerate it"
    );
}

#[tokio::test]
async fn a_refusal_is_in_the_reader_s_language_on_a_page_and_in_english_on_the_api() {
    let app = App::sqlite().await;
    let cookie = format!(
        "resettle_session={}",
        app.sessions[&Role::PolicyAnalyst].cookie
    );
    for (language, title, text) in [
        ("nl", "Geen toegang (403)", "mag u niet: zaken inzien"),
        ("en", "Not allowed (403)", "may not read cases"),
    ] {
        let r = app
            .client
            .get(app.url("/cases"))
            .header("cookie", &cookie)
            .header("accept-language", language)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let page = r.text().await.unwrap();
        assert!(
            page.contains(&format!("lang=\"{language}\"")),
            "{language}: {page}"
        );
        assert!(
            page.contains(title) && page.contains(text),
            "{language}: {page}"
        );
    }
    let (status, problem) = app.get(Role::PolicyAnalyst, "/api/v1/cases").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        problem["detail"],
        "your role (Policy analyst) may not read cases"
    );
    app.finish().await;
}

/// A page with a session cookie: status, `Location` (if any) and body.
async fn visit(app: &App, session: &str, path: &str) -> (StatusCode, String, String) {
    let r = app
        .client
        .get(app.url(path))
        .header("cookie", session)
        .send()
        .await
        .unwrap();
    let to = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (r.status(), to, r.text().await.unwrap())
}

/// Submits the password form of a session (its CSRF token read from the page).
async fn change_password(
    app: &App,
    session: &str,
    current: &str,
    new: &str,
    repeat: &str,
) -> (StatusCode, String) {
    let (_, _, page) = visit(app, session, "/account/password").await;
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let form = [
        ("csrf", csrf.as_str()),
        ("current", current),
        ("new", new),
        ("repeat", repeat),
    ];
    let r = app
        .client
        .post(app.url("/account/password"))
        .header("cookie", session)
        .form(&form)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn accounts_change_their_password_and_an_administrator_s_reset_forces_a_new_one() {
    let app = App::sqlite().await;
    let user = "t-municipality-officer";
    let old = "a long test password";
    let (_, a) = login(&app, user, old, "").await;
    let (_, b) = login(&app, user, old, "").await;
    let (a, b) = (a.unwrap(), b.unwrap());

    // Every refusal at once, in Dutch, and nothing changes.
    let (status, page) = change_password(&app, &a, "not it", "kort", "anders").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for said in [
        "het huidige wachtwoord is onjuist",
        "ten minste 12 tekens",
        "de twee nieuwe wachtwoorden zijn niet gelijk",
    ] {
        assert!(page.contains(said), "lacks «{said}»: {page}");
    }
    let (status, page) = change_password(&app, &a, old, "Welkom123456", "Welkom123456").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("dit is een bekend wachtwoord"), "{page}");
    let mine = "tulpen langs de waal 2026";
    let (status, page) = change_password(&app, &a, old, mine, mine).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Uw wachtwoord is gewijzigd"));
    // This session stays; the other one has ended; only the new password logs in.
    assert_eq!(visit(&app, &a, "/cases").await.0, StatusCode::OK);
    assert_eq!(visit(&app, &b, "/cases").await.1, "/login?next=/cases");
    assert_eq!(login(&app, user, old, "").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(login(&app, user, mine, "").await.0, StatusCode::SEE_OTHER);

    // Reset by an administrator: every session ends (and the waits after
    // failed logins, which are kept per client address: see security.rs),
    // and the temporary password is shown once.
    let (status, page) = app
        .form(
            Role::Administrator,
            &format!("/admin/users/{user}/password-reset"),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let temporary = page
        .split("<code>")
        .nth(1)
        .and_then(|s| s.split("</code>").next())
        .unwrap()
        .to_string();
    assert_eq!(temporary.len(), 19, "{temporary}");
    assert_eq!(visit(&app, &a, "/cases").await.1, "/login?next=/cases");
    let (status, c) = login(&app, user, &temporary, "").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let c = c.unwrap();
    // Until the account has chosen its own password, every page leads to the form.
    for path in ["/", "/cases", "/norms"] {
        let (status, to, _) = visit(&app, &c, path).await;
        assert_eq!(
            (status, to.as_str()),
            (StatusCode::SEE_OTHER, "/account/password"),
            "{path}"
        );
    }
    let (status, _, page) = visit(&app, &c, "/account/password").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Een beheerder heeft een tijdelijk wachtwoord voor u ingesteld"));
    let own = "fietsen door de polder 7";
    let (status, page) = change_password(&app, &c, &temporary, own, own).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(visit(&app, &c, "/cases").await.0, StatusCode::OK);
    // Both changes and the reset are in the audit trail.
    for (actor, action) in [
        (user, "change-password"),
        ("t-administrator", "reset-password"),
    ] {
        let q = AuditQuery {
            actor: Some(actor.into()),
            action: Some(action.into()),
            result: Some(resettle_domain::audit::AuditResult::Ok),
            ..Default::default()
        };
        let found = app
            .store
            .search_audit(&q, PageRequest::default())
            .await
            .unwrap();
        let expected = if action == "change-password" { 2 } else { 1 };
        assert_eq!(found.total, expected, "{actor} {action}");
    }
    app.finish().await;
}

#[tokio::test]
async fn the_audit_page_shows_spikes_of_failed_logins_and_logins_from_new_addresses() {
    use resettle_domain::audit::AuditResult;
    use resettle_store::NewAuditEntry;
    let app = App::sqlite().await;
    let (_, page) = app.page(Role::Administrator, "/admin/audit").await;
    assert!(
        page.contains("Geen pieken van mislukte aanmeldingen"),
        "{page}"
    );

    let now = OffsetDateTime::now_utc();
    let login = |at, actor: &str, result, origin: &str| NewAuditEntry {
        at,
        actor: actor.into(),
        action: "login".into(),
        object: "session".into(),
        result,
        origin: origin.into(),
    };
    let mut entries = vec![
        login(
            now - Duration::days(10),
            "t-coa-officer",
            AuditResult::Ok,
            "10.0.0.1",
        ),
        login(
            now - Duration::minutes(1),
            "t-coa-officer",
            AuditResult::Ok,
            "198.51.100.4",
        ),
    ];
    // Twelve failures in one moment: at least ten, and three times the usual (none, so one).
    entries.extend((0..12).map(|i| {
        login(
            now,
            &format!("guess{i}"),
            AuditResult::Failed,
            "203.0.113.9",
        )
    }));
    app.store.append_audit_batch(&entries).await.unwrap();
    let (status, page) = app.page(Role::Administrator, "/admin/audit").await;
    assert_eq!(status, StatusCode::OK);
    // The same report through the API, for monitoring.
    let (status, report) = app
        .get(Role::Administrator, "/api/v1/login-watch?hours=24")
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (report["succeeded"].as_u64(), report["failed"].as_u64()),
        (Some(1), Some(12))
    );
    assert_eq!(report["spikes"][0]["origins"][0], "203.0.113.9");
    assert_eq!(report["newOrigins"][0]["origin"], "198.51.100.4");
    let (status, bad) = app
        .get(Role::Administrator, "/api/v1/login-watch?hours=0")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["errors"][0]["rule"], "number-range");
    for said in [
        "1 geslaagde en 12 mislukte of geweigerde aanmeldingen",
        "Pieken van mislukte aanmeldingen",
        "203.0.113.9",
        "Aanmeldingen vanaf een nieuw adres",
        "198.51.100.4",
    ] {
        assert!(page.contains(said), "lacks «{said}»: {page}");
    }
    app.finish().await;
}

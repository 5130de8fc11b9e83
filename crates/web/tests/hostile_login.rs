//! User names an attacker types into the real login form (a NUL, 3,000
//! random characters, 200 KB) while officers work: every officer's change
//! and its audit entry are kept, the hostile names reach the audit trail
//! escaped and bounded, and the chain stays intact. On SQLite and, when
//! RESETTLE_TEST_POSTGRES_URL is set, PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use reqwest::StatusCode;
use resettle_domain::audit::{AuditResult, MAX_LABEL_CHARS};
use resettle_domain::{Case, CaseId, Role, sample};
use resettle_store::Store;
use resettle_store::{AuditLog, AuditQuery, PageRequest};
use serde_json::json;
use support::App;
use time::macros::date;

/// `n` characters that no compression shortens much (CJK ideographs from a
/// fixed pseudo-random sequence).
fn incompressible(n: usize) -> String {
    let mut x: u32 = 0x9e37_79b9;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            char::from_u32(0x4e00 + x % 0x5000).unwrap()
        })
        .collect()
}

/// A failed login through the form, as a script would send it (it reads the
/// CSRF cookie first); returns the status.
async fn hostile_login(client: reqwest::Client, base: String, user: String) -> StatusCode {
    let page = client.get(format!("{base}/login")).send().await.unwrap();
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = cookie.split_once('=').unwrap().1.to_string();
    let form = [
        ("csrf", csrf.as_str()),
        ("username", user.as_str()),
        ("password", "not the password"),
        ("code", ""),
        ("next", "/"),
    ];
    client
        .post(format!("{base}/login"))
        .header("cookie", &cookie)
        .form(&form)
        .send()
        .await
        .unwrap()
        .status()
}

/// An IND officer starts assessing case `id` through the API; returns the status and body.
async fn assess(client: reqwest::Client, base: String, token: String, id: String) -> String {
    let case: serde_json::Value = client
        .get(format!("{base}/api/v1/cases/{id}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let body = json!({
        "expectedVersion": case["version"],
        "occurredOn": "2025-02-03",
        "action": { "type": "start-assessment" },
    });
    let r = client
        .post(format!("{base}/api/v1/cases/{id}/transitions"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    format!("{} {}", r.status().as_u16(), r.text().await.unwrap())
}

async fn story(app: App) {
    // Submitted cases, for the IND officer to start assessing.
    let now = time::OffsetDateTime::now_utc();
    let ctx = resettle_domain::Context {
        occurred_on: date!(2025 - 01 - 06),
        recorded_at: now,
        actor: "test".into(),
        reason: None,
    };
    let cases: Vec<_> = (0..6)
        .map(|i| {
            let s = sample::submission(&format!("SYR-25C{i:05}"), 2, ctx.occurred_on).unwrap();
            Case::submit(CaseId::generate(), s, &ctx).unwrap()
        })
        .collect();
    app.store.import_cases(&cases, &|_| {}).await.unwrap();
    let ids: Vec<String> = cases.iter().map(|c| c.case.id.to_string()).collect();
    let names = [
        "officer\0.jansen".to_string(),
        incompressible(3_000),
        "x".repeat(200_000),
    ];
    let hostile: Vec<String> = names.iter().cycle().take(ids.len()).cloned().collect();
    // The officers' changes and the hostile logins are sent at once, so the
    // writer commits them in the same batches.
    let mut changes = tokio::task::JoinSet::new();
    let mut logins = tokio::task::JoinSet::new();
    for (id, name) in ids.iter().zip(&hostile) {
        let token = app.tokens[&Role::IndOfficer].clone();
        changes.spawn(assess(
            app.client.clone(),
            app.base.clone(),
            token,
            id.clone(),
        ));
        logins.spawn(hostile_login(
            app.client.clone(),
            app.base.clone(),
            name.clone(),
        ));
    }
    while let Some(answer) = changes.join_next().await {
        let answer = answer.unwrap();
        assert!(answer.starts_with("201 "), "{answer}");
    }
    while let Some(status) = logins.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::UNAUTHORIZED);
    }

    let store = &app.store;
    for id in &ids {
        let q = AuditQuery {
            actor: Some(format!("t-{}", Role::IndOfficer)),
            action: Some("start-assessment".into()),
            object: Some(id.clone()),
            ..AuditQuery::default()
        };
        let found = store
            .search_audit(&q, PageRequest::new(1, 10))
            .await
            .unwrap();
        assert_eq!(found.items.len(), 1, "the assessment of {id} is audited");
    }
    let q = AuditQuery {
        action: Some("login".into()),
        result: Some(AuditResult::Failed),
        ..AuditQuery::default()
    };
    let failed = store
        .search_audit(&q, PageRequest::new(1, 10))
        .await
        .unwrap();
    assert_eq!(failed.items.len(), hostile.len());
    for e in &failed.items {
        assert!(e.actor.chars().count() <= MAX_LABEL_CHARS, "{}", e.actor);
        assert!(!e.actor.chars().any(char::is_control), "{}", e.actor);
    }
    assert!(store.verify_audit().await.unwrap().is_ok());
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_user_names_leave_other_officers_writes_and_audit_intact() {
    story(App::sqlite().await).await;
    if let Some(app) = App::postgres().await {
        story(app).await;
    }
}

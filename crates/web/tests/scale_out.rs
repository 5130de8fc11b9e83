//! Two servers on one PostgreSQL database, as a hosting party scales out:
//! the same cases moved through both at the same moment. Exactly one
//! transition per case wins, every loser is told 409 (never a 500 from a
//! deadlock between the two group writers), and the audit trail stays one
//! verifiable chain.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use reqwest::StatusCode;
use resettle_domain::Role;
use resettle_store::AuditLog;
use serde_json::{Value, json};
use support::App;

const IND: Role = Role::IndOfficer;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_database_answer_every_loser_with_409() {
    let Some(app) = App::postgres().await else {
        return; // no PostgreSQL configured (outside CI)
    };
    app.import_demo().await;
    let (second, second_store) = app.second_server().await;
    let (_, list) = app
        .get(IND, "/api/v1/cases?state=submitted&pageSize=100")
        .await;
    let cases: Vec<(String, i64)> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_string(), c["version"].as_i64().unwrap()))
        .collect();
    assert!(cases.len() >= 50, "the demo has submitted cases: {}", cases.len());

    // Every case rejected through both servers at once; each server sees the
    // cases in the opposite order, so their writers lock rows crosswise.
    let send = |base: String, id: String, version: i64| {
        let client = app.client.clone();
        let token = app.tokens[&IND].clone();
        async move {
            let body = json!({
                "expectedVersion": version,
                "occurredOn": "2025-06-02",
                "reason": "Synthetic test: not within the country policy.",
                "action": { "type": "reject", "grounds": ["exclusion"] }
            });
            let r = client
                .post(format!("{base}/api/v1/cases/{id}/transitions"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = r.status();
            (id, status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let mut tasks = Vec::new();
    for (i, (id, version)) in cases.iter().enumerate() {
        let (a, b) = (app.base.clone(), second.clone());
        let (first, other) = if i % 2 == 0 { (a, b) } else { (b, a) };
        tasks.push(tokio::spawn(send(first, id.clone(), *version)));
        tasks.push(tokio::spawn(send(other, id.clone(), *version)));
    }
    let mut won = std::collections::HashMap::<String, usize>::new();
    let mut lost = 0;
    for t in tasks {
        let (id, status, body) = t.await.unwrap();
        match status {
            StatusCode::CREATED => *won.entry(id).or_default() += 1,
            StatusCode::CONFLICT => lost += 1,
            other => panic!("case {id}: {other} {body}"),
        }
    }
    assert_eq!(won.len(), cases.len(), "every case moved once");
    assert!(won.values().all(|n| *n == 1), "exactly one winner per case");
    assert_eq!(lost, cases.len(), "every loser got 409");

    // One chain, whichever writer appended.
    let entries = app.store.verify_audit().await.unwrap();
    assert!(entries.is_ok_and(|n| n > 0), "the audit chain verifies: {entries:?}");
    second_store.close().await;
    app.finish().await;
}

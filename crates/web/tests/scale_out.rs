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
    // Sixty submitted cases, made from the documented example.
    let mut file: Value = serde_json::from_str(support::EXAMPLE).unwrap();
    let template = file["submissions"][1].clone();
    let submissions: Vec<Value> = (0..60)
        .map(|i| {
            let mut s = template.clone();
            s["caseNumber"] = json!(format!("EGY-24C2{i:04}"));
            s["unhcrReference"] = json!(format!("RRF-EGY-2024-2{i:04}"));
            s["linkedCases"] = json!([]);
            s["milestones"] = json!([]);
            for m in s["members"].as_array_mut().unwrap() {
                for d in m
                    .get_mut("documents")
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    d["number"] = json!(format!("UNHCR-EGY-2{i:06}"));
                }
            }
            s
        })
        .collect();
    file["submissions"] = json!(submissions);
    let (status, _, body) = app
        .post(Role::CoaOfficer, "/api/v1/submission-imports", &file)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (second, second_store) = app.second_server().await;
    let (_, list) = app
        .get(IND, "/api/v1/cases?state=submitted&pageSize=100")
        .await;
    let mut cases: Vec<(String, i64)> = Vec::new();
    for c in list["items"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap().to_string();
        let (_, case) = app.get(IND, &format!("/api/v1/cases/{id}")).await;
        let version = case["version"].as_i64().unwrap();
        let start = json!({
            "expectedVersion": version,
            "occurredOn": "2025-06-01",
            "action": { "type": "start-assessment" }
        });
        let (status, _, body) = app
            .post(IND, &format!("/api/v1/cases/{id}/transitions"), &start)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        cases.push((id, version + 1));
    }
    assert_eq!(cases.len(), 60);

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
    let mut refusals = Vec::new();
    for t in tasks {
        let (id, status, body) = t.await.unwrap();
        match status {
            StatusCode::CREATED => *won.entry(id).or_default() += 1,
            StatusCode::CONFLICT => {
                lost += 1;
                refusals.push((id, body));
            }
            other => panic!("case {id}: {other} {body}"),
        }
    }
    let unmoved: Vec<_> = refusals
        .iter()
        .filter(|(id, _)| !won.contains_key(id))
        .collect();
    assert!(unmoved.is_empty(), "every case moved once: {unmoved:?}");
    assert_eq!(won.len(), cases.len(), "every case moved once");
    assert!(won.values().all(|n| *n == 1), "exactly one winner per case");
    assert_eq!(lost, cases.len(), "every loser got 409");

    // One chain, whichever writer appended.
    let entries = app.store.verify_audit().await.unwrap();
    assert!(
        entries.as_ref().is_ok_and(|n| *n > 0),
        "the audit chain verifies: {entries:?}"
    );
    second_store.close().await;
    app.finish().await;
}

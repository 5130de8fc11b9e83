//! The API keeps the word of its OpenAPI document: every request the document
//! describes is one the server accepts. For every operation, a valid instance
//! is generated from the document alone — for a body, one per variant of every
//! tagged enum and per value of every enumeration in its schema; for a query,
//! every documented parameter — and sent to the server, which must not refuse
//! it for its shape. A refusal for its content (a date in the future, a case
//! in the wrong state) is fine: it names the field and the rule.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use reqwest::{Method, StatusCode};
use resettle_domain::Role;
use serde_json::{Map, Value, json};
use support::App;

/// Generates valid instances of the schemas of one OpenAPI document.
struct Instances<'a> {
    doc: &'a Value,
}

impl Instances<'_> {
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        match schema["$ref"].as_str() {
            Some(r) => self
                .doc
                .pointer(r.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("the document has no {r}")),
            None => schema,
        }
    }

    /// At least one instance; together they take every variant and enum value.
    fn of(&self, schema: &Value, depth: usize) -> Vec<Value> {
        assert!(depth < 24, "the schema nests too deep: {schema}");
        let schema = self.resolve(schema);
        if let Some(v) = schema.get("const") {
            return vec![v.clone()];
        }
        if let Some(values) = schema["enum"].as_array() {
            let values: Vec<Value> = values.iter().filter(|v| !v.is_null()).cloned().collect();
            if !values.is_empty() {
                return values;
            }
        }
        // An example the document gives is a valid value (a pattern alone is not
        // something to build one from).
        let example = schema["examples"].get(0).or(schema.get("example"));
        if let Some(example) = example.filter(|_| schema.get("properties").is_none()) {
            return vec![example.clone()];
        }
        if let Some(variants) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
            let non_null: Vec<&Value> = variants
                .iter()
                .filter(|v| self.resolve(v)["type"] != "null")
                .collect();
            return non_null
                .into_iter()
                .flat_map(|v| self.of(v, depth + 1))
                .collect();
        }
        if let Some(parts) = schema["allOf"].as_array() {
            let each: Vec<Vec<Value>> = parts.iter().map(|p| self.of(p, depth + 1)).collect();
            let n = each.iter().map(Vec::len).max().unwrap_or(1);
            return (0..n)
                .map(|i| {
                    let mut merged = Map::new();
                    for instances in &each {
                        if let Value::Object(o) = &instances[i % instances.len()] {
                            merged.extend(o.clone());
                        }
                    }
                    Value::Object(merged)
                })
                .collect();
        }
        let types: Vec<&str> = match &schema["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let kind = types.iter().copied().find(|t| *t != "null").unwrap_or(
            if schema.get("properties").is_some() {
                "object"
            } else {
                ""
            },
        );
        match kind {
            "object" => self.object(schema, depth),
            "array" => {
                let items = self.of(&schema["items"], depth + 1);
                let min = schema["minItems"].as_u64().unwrap_or(1).max(1) as usize;
                items.into_iter().map(|i| json!(vec![i; min])).collect()
            }
            "string" => vec![json!(string(schema))],
            "integer" => vec![json!(
                schema["minimum"].as_i64().unwrap_or(1).max(
                    schema["exclusiveMinimum"]
                        .as_i64()
                        .map_or(i64::MIN, |m| m + 1)
                )
            )],
            "number" => vec![json!(schema["minimum"].as_f64().unwrap_or(1.0))],
            "boolean" => vec![json!(true)],
            "null" => vec![Value::Null],
            // No type: anything goes; an empty object is a value.
            _ => vec![json!({})],
        }
    }

    /// Every documented property, the optional ones too: a client may send them.
    fn object(&self, schema: &Value, depth: usize) -> Vec<Value> {
        let Some(properties) = schema["properties"].as_object() else {
            return vec![json!({})];
        };
        let each: Vec<(&String, Vec<Value>)> = properties
            .iter()
            .map(|(name, p)| (name, self.of(p, depth + 1)))
            .collect();
        let n = each.iter().map(|(_, v)| v.len()).max().unwrap_or(1);
        (0..n)
            .map(|i| {
                Value::Object(
                    each.iter()
                        .map(|(name, v)| ((*name).clone(), v[i % v.len()].clone()))
                        .collect(),
                )
            })
            .collect()
    }
}

fn string(schema: &Value) -> String {
    match schema["format"].as_str() {
        Some("date") => "2025-06-01".into(),
        Some("date-time") => "2025-06-01T10:00:00Z".into(),
        Some("uuid") => uuid::Uuid::new_v4().to_string(),
        Some("uri") => "https://example.org/".into(),
        _ => {
            let min = schema["minLength"].as_u64().unwrap_or(1) as usize;
            "x".repeat(min.max(1))
        }
    }
}

/// Ids of records the operations can address.
struct Ids {
    case: String,
    mission: String,
    hold: String,
}

impl Ids {
    fn path(&self, template: &str) -> String {
        let id = if template.starts_with("/cases/") {
            &self.case
        } else if template.starts_with("/missions/") {
            &self.mission
        } else {
            &self.hold
        };
        format!(
            "/api/v1{}",
            template
                .replace("{id}", id)
                .replace("{seq}", "1")
                .replace("{year}", "2025")
                .replace("{name}", "frameworks")
        )
    }
}

/// Why the server refused a request for its shape, if it did: the body or a
/// parameter could not be read as documented (400 naming `body`, or listing
/// no field at all), or a media type the document names was refused.
fn shape_refusal(status: StatusCode, body: &Value) -> Option<String> {
    let refused = match status {
        StatusCode::BAD_REQUEST => {
            let fields: Vec<&str> = body["errors"]
                .as_array()
                .map(|e| e.iter().filter_map(|e| e["field"].as_str()).collect())
                .unwrap_or_default();
            fields.is_empty() || fields.contains(&"body")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE
        | StatusCode::UNPROCESSABLE_ENTITY
        | StatusCode::NOT_ACCEPTABLE
        | StatusCode::METHOD_NOT_ALLOWED => true,
        _ => false,
    };
    refused.then(|| format!("{status}: {body}"))
}

/// Sends as the first role the operation lets through (not 401/403).
async fn send(
    app: &App,
    method: &Method,
    url: &str,
    body: Option<&Value>,
) -> Option<(Role, StatusCode, Value)> {
    for role in Role::ALL {
        let mut request = app.api(method.clone(), *role, url);
        if let Some(b) = body {
            request = request.json(b);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        if status == StatusCode::FORBIDDEN || status == StatusCode::UNAUTHORIZED {
            continue;
        }
        return Some((*role, status, response.json().await.unwrap_or(Value::Null)));
    }
    None
}

async fn setup(app: &App) -> Ids {
    let imported = app.import_example().await;
    let case = imported["cases"][0]["id"].as_str().unwrap().to_string();
    let (status, _, mission) = app
        .post(
            Role::IndOfficer,
            "/api/v1/missions",
            &json!({
                "kind": "dossier", "name": "Dossier 2025",
                "startsOn": "2025-03-01", "endsOn": "2025-05-01", "team": ["IND"], "places": 10
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{mission}");
    let (status, _, hold) = app
        .post(
            Role::CoaOfficer,
            "/api/v1/holds",
            &json!({ "scope": { "type": "programme", "programme": "eu-turkey" }, "startsOn": "2025-02-05", "reason": "reception crisis" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{hold}");
    Ids {
        case,
        mission: mission["id"].as_str().unwrap().to_string(),
        hold: hold["id"].as_str().unwrap().to_string(),
    }
}

#[tokio::test]
async fn every_documented_request_is_one_the_server_accepts() {
    let app = App::sqlite().await;
    let ids = setup(&app).await;
    let doc: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let instances = Instances { doc: &doc };
    let mut refused = Vec::new();
    let mut sent = 0;
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            operations += 1;
            let mut url = ids.path(path);
            // Every documented query parameter, with a value of its schema.
            let query: Vec<(String, String)> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query")
                .map(|p| {
                    let v = instances.of(&p["schema"], 0).remove(0);
                    let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    (p["name"].as_str().unwrap().to_string(), text)
                })
                .collect();
            if !query.is_empty() {
                let pairs: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
                url = format!("{url}?{}", pairs.join("&"));
            }
            let bodies: Vec<Option<Value>> =
                match op["requestBody"]["content"]["application/json"]["schema"].as_object() {
                    Some(_) => instances
                        .of(
                            &op["requestBody"]["content"]["application/json"]["schema"],
                            0,
                        )
                        .into_iter()
                        .map(Some)
                        .collect(),
                    None => {
                        assert!(
                            op["requestBody"].is_null(),
                            "{method} {path}: a body that is not JSON"
                        );
                        vec![None]
                    }
                };
            for body in &bodies {
                let Some((role, status, answer)) = send(&app, &method, &url, body.as_ref()).await
                else {
                    // A housing assignment is recorded only by confirming a
                    // placement (which also takes the room); the API refuses
                    // it to every role, as the access matrix says.
                    let confirmed_only = body
                        .as_ref()
                        .is_some_and(|b| b["action"]["type"] == "assign-housing");
                    if !confirmed_only {
                        refused.push(format!("{method} {url}: no role may call it"));
                    }
                    continue;
                };
                sent += 1;
                if let Some(why) = shape_refusal(status, &answer) {
                    refused.push(format!(
                        "{method} {url} as {role}\n  sent {}\n  got {why}",
                        body.as_ref().map_or(String::new(), Value::to_string)
                    ));
                }
                let documented = op["responses"].get(status.as_str()).is_some();
                if !documented {
                    refused.push(format!(
                        "{method} {url} as {role}: answered {status}, which the document does not list: {answer}"
                    ));
                }
            }
        }
    }
    assert!(operations >= 30, "only {operations} operations documented");
    assert!(
        sent >= operations,
        "sent {sent} requests for {operations} operations"
    );
    assert!(
        refused.is_empty(),
        "{} documented requests were refused:\n{}",
        refused.len(),
        refused.join("\n")
    );
    app.finish().await;
}

#[tokio::test]
async fn the_served_document_is_the_one_generated_from_the_code() {
    let app = App::sqlite().await;
    let served: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        served,
        serde_json::to_value(resettle_web::api::document()).unwrap()
    );
    app.finish().await;
}

fn is_problem(headers: &reqwest::header::HeaderMap) -> bool {
    headers
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap().starts_with("application/problem+json"))
}

#[tokio::test]
async fn refusals_before_any_handler_are_problem_documents() {
    let app = App::sqlite().await;
    let coa = Role::CoaOfficer;
    // 405, with the methods the path does allow.
    for method in [Method::OPTIONS, Method::DELETE] {
        let r = app
            .api(method.clone(), coa, "/api/v1/cases")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert!(is_problem(r.headers()), "{method}: {:?}", r.headers());
        let allow = r.headers()["allow"].to_str().unwrap().to_string();
        assert!(allow.contains("GET"), "{allow}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["status"], 405);
        assert!(body["detail"].as_str().unwrap().contains("GET"), "{body}");
    }
    // 415 for a body that is not JSON; nothing is stored.
    let r = app
        .api(Method::POST, coa, "/api/v1/holds")
        .header("content-type", "text/plain")
        .body(r#"{"scope":{"type":"programme","programme":"eu-turkey"},"startsOn":"2025-02-05","reason":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(is_problem(r.headers()));
    // 406 for an Accept the API cannot serve, for reads and for writes (before anything is written).
    let r = app
        .api(Method::GET, coa, "/api/v1/cases")
        .header("accept", "application/xml")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_ACCEPTABLE);
    assert!(is_problem(r.headers()));
    let r = app
        .api(Method::POST, coa, "/api/v1/holds")
        .header("accept", "application/xml")
        .json(&json!({ "scope": { "type": "programme", "programme": "eu-turkey" }, "startsOn": "2025-02-05", "reason": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_ACCEPTABLE);
    assert!(is_problem(r.headers()));
    assert_eq!(app.get(coa, "/api/v1/holds").await.1["total"], 0);
    // What clients usually send is served.
    for accept in [
        "application/json",
        "*/*",
        "application/*",
        "text/html, */*;q=0.1",
    ] {
        let r = app
            .api(Method::GET, coa, "/api/v1/cases")
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{accept}");
    }
    // A path that is not UTF-8, in the API and on the pages.
    for path in ["/api/v1/cases/%FF", "/api/v1/cases/%C3%28/transitions"] {
        let r = app.api(Method::GET, coa, path).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        assert!(is_problem(r.headers()), "{path}: {:?}", r.headers());
        assert_eq!(r.headers()["api-version"], "1.0.0");
    }
    app.finish().await;
}

/// Follows `next` to the end and `previous` back: every item once, in order.
async fn walk(app: &App, role: Role, first: &str) -> Vec<Value> {
    let (status, mut page) = app.get(role, first).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.get("previous").is_none(), "{page}");
    let mut seen: Vec<Value> = page["items"].as_array().unwrap().clone();
    let mut pages = vec![page.clone()];
    while let Some(next) = page["next"].as_str().map(str::to_string) {
        page = app.get(role, &next).await.1;
        seen.extend(page["items"].as_array().unwrap().clone());
        pages.push(page.clone());
    }
    // And back: each page's previous link leads to the page before it.
    for pair in pages.windows(2).rev() {
        let back = app.get(role, pair[1]["previous"].as_str().unwrap()).await.1;
        assert_eq!(back["items"], pair[0]["items"]);
    }
    seen
}

#[tokio::test]
async fn every_list_is_paged_with_next_and_previous_links() {
    let app = App::sqlite().await;
    let (ind, coa) = (Role::IndOfficer, Role::CoaOfficer);
    for i in 1..=5 {
        let (s, _, m) = app
            .post(
                ind,
                "/api/v1/missions",
                &json!({ "kind": "dossier", "name": format!("Dossier {i}"),
                    "startsOn": format!("2025-0{i}-01"), "endsOn": format!("2025-0{i}-20"), "team": ["IND"], "places": 10 }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{m}");
        let (s, _, h) = app
            .post(
                coa,
                "/api/v1/holds",
                &json!({ "scope": { "type": "programme", "programme": "eu-turkey" }, "startsOn": format!("2025-0{i}-05"), "reason": "reception crisis" }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{h}");
        let (s, _, n) = app
            .post(
                ind,
                "/api/v1/country-policy-notes",
                &json!({ "nationality": "SDN", "group": format!("Group {i}"), "kind": "risk-profile", "summary": "Synthetic note", "particularAttention": false, "validFrom": "2024-01-01", "validUntil": null }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{n}");
    }
    for (role, list) in [
        (ind, "/api/v1/missions"),
        (coa, "/api/v1/holds"),
        (ind, "/api/v1/country-policy-notes"),
        (Role::Administrator, "/api/v1/audit-entries"),
    ] {
        let whole = app.get(role, &format!("{list}?pageSize=500")).await.1;
        let all = whole["items"].as_array().unwrap().clone();
        assert!(all.len() >= 5, "{list}: {whole}");
        assert!(whole.get("next").is_none(), "{whole}");
        let walked = walk(&app, role, &format!("{list}?pageSize=2")).await;
        if list.ends_with("audit-entries") {
            // Reading the trail adds to it, on top: a walk sees every entry
            // there was, each once, newest first.
            let seqs: Vec<i64> = walked.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
            assert!(seqs.windows(2).all(|w| w[0] > w[1]), "{seqs:?}");
            assert!(all.iter().all(|e| walked.contains(e)), "{seqs:?}");
        } else {
            assert_eq!(walked, all, "{list}");
        }
    }
    // A cursor that is not one of the list's is named.
    let (s, body) = app.get(ind, "/api/v1/missions?cursor=a.nothing").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["field"], "cursor", "{body}");
    app.finish().await;
}

#[tokio::test]
async fn the_reference_page_shows_the_document_and_the_menu_links_to_it() {
    let app = App::sqlite().await;
    // Public, like the document it shows.
    let r = app
        .client
        .get(app.url("/api-reference"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let doc = serde_json::to_value(resettle_web::api::document()).unwrap();
    // Every operation and every schema of the document is on the page.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let heading = format!("{} {path}</code>", method.to_uppercase());
            assert!(html.contains(&heading), "the page lacks {heading}");
        }
    }
    for name in doc["components"]["schemas"].as_object().unwrap().keys() {
        assert!(
            html.contains(&format!("id=\"schema-{name}\"")),
            "the page lacks {name}"
        );
    }
    // The fields as the server reads them, e.g. a hold's mission.
    assert!(html.contains("<code>missionId</code>"));
    assert!(!html.contains("<script"));
    // Both languages; the menu links to the page, not to the raw JSON.
    let (_, nl) = app.page(Role::CoaOfficer, "/cases").await;
    assert!(nl.contains(r#"href="/api-reference""#), "{nl}");
    assert!(!nl.contains(r#"href="/api/v1/openapi.json""#));
    assert!(html.contains("<h1>API-referentie</h1>"));
    let r = app
        .client
        .get(app.url("/api-reference"))
        .header("cookie", "lang=en")
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("<h1>API reference</h1>"));
    app.finish().await;
}

#[tokio::test]
async fn a_number_beyond_its_documented_range_is_refused() {
    let app = App::sqlite().await;
    // The document can state int64 only: a larger seed is refused, not used.
    let (status, _, body) = app
        .post(
            Role::PolicyAnalyst,
            "/api/v1/forecasts",
            &json!({ "seed": 9_223_372_036_854_775_808_u64 }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["errors"][0]["field"], "seed", "{body}");
    app.finish().await;
}

//! The API reference for people: the OpenAPI document the API serves,
//! rendered as one HTML page on the server (no script, nothing from elsewhere).

use super::i18n::T;
use super::layout;
use crate::auth::MaybeSignedIn;
use maud::{Markup, html};
use serde_json::{Map, Value};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

pub async fn show(t: T, MaybeSignedIn(who): MaybeSignedIn) -> Markup {
    let doc = serde_json::to_value(crate::api::document()).unwrap_or(Value::Null);
    let empty = Map::new();
    let paths = doc["paths"].as_object().unwrap_or(&empty);
    let schemas = doc["components"]["schemas"].as_object().unwrap_or(&empty);
    let tags = doc["tags"].as_array().cloned().unwrap_or_default();
    let title = t.t("api-title");
    let body = html! {
        h1 { (title) }
        p { (t.with("api-intro", &[("version", doc["info"]["version"].as_str().unwrap_or("").to_string().into())])) }
        (text(doc["info"]["description"].as_str().unwrap_or("")))
        p { a href="/api/v1/openapi.json" { (t.t("api-document")) } }
        nav aria-labelledby="api-contents" {
            h2 #api-contents { (t.t("api-contents")) }
            @for tag in &tags {
                @let name = tag["name"].as_str().unwrap_or("");
                h3 { a href={ "#tag-" (name) } { (name) } }
                ul {
                    @for (path, method, op) in operations(paths, name) {
                        li { a href={ "#" (anchor(method, path)) } { code { (method.to_uppercase()) " " (path) } } " " (op["summary"].as_str().unwrap_or("")) }
                    }
                }
            }
            p { a href="#schemas" { (t.t("api-schemas")) } }
        }
        @for tag in &tags {
            @let name = tag["name"].as_str().unwrap_or("");
            section aria-labelledby={ "tag-" (name) } {
                h2 #{ "tag-" (name) } { (name) }
                p { (tag["description"].as_str().unwrap_or("")) }
                @for (path, method, op) in operations(paths, name) {
                    (operation(t, path, method, op))
                }
            }
        }
        section aria-labelledby="schemas" {
            h2 #schemas { (t.t("api-schemas")) }
            @for (name, schema) in schemas {
                (schema_section(t, name, schema))
            }
        }
    };
    layout::page(t, &title, "/api-reference", who.as_ref(), body)
}

/// The operations of one tag, in the document's path order.
fn operations<'a>(
    paths: &'a Map<String, Value>,
    tag: &str,
) -> Vec<(&'a str, &'static str, &'a Value)> {
    let mut out = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            let op = &item[method];
            let tagged = op["tags"]
                .as_array()
                .is_some_and(|tags| tags.iter().any(|t| t == tag));
            if tagged {
                out.push((path.as_str(), method, op));
            }
        }
    }
    out
}

fn anchor(method: &str, path: &str) -> String {
    let slug: String = path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("op-{method}{slug}")
}

/// A description: paragraphs split at blank lines.
fn text(raw: &str) -> Markup {
    html! {
        @for paragraph in raw.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            p { (paragraph) }
        }
    }
}

fn operation(t: T, path: &str, method: &str, op: &Value) -> Markup {
    let public = op["security"].as_array().is_some_and(Vec::is_empty);
    let params = op["parameters"].as_array().cloned().unwrap_or_default();
    let body = &op["requestBody"];
    let responses = op["responses"].as_object().cloned().unwrap_or_default();
    html! {
        section.api-operation aria-labelledby=(anchor(method, path)) {
            h3 #(anchor(method, path)) { code { (method.to_uppercase()) " " (path) } }
            p { strong { (op["summary"].as_str().unwrap_or("")) } }
            (text(op["description"].as_str().unwrap_or("")))
            p { (if public { t.t("api-public") } else { t.t("api-token") }) }
            @if !params.is_empty() {
                div.table-scroll tabindex="0" role="region" aria-label=(t.t("api-parameters")) { table {
                    caption { (t.t("api-parameters")) }
                    thead { tr {
                        th scope="col" { (t.t("api-name")) }
                        th scope="col" { (t.t("api-in")) }
                        th scope="col" { (t.t("api-type")) }
                        th scope="col" { (t.t("api-description")) }
                    } }
                    tbody { @for p in &params {
                        tr {
                            th scope="row" { code { (p["name"].as_str().unwrap_or("")) } @if p["required"] == true { " " (t.t("api-required")) } }
                            td { (p["in"].as_str().unwrap_or("")) }
                            td { (type_of(&p["schema"])) }
                            td { (p["description"].as_str().unwrap_or("")) }
                        }
                    } }
                } }
            }
            @if let Some(content) = body["content"].as_object() {
                p {
                    (t.t("api-request-body")) " "
                    @for (media, c) in content { code { (media) } " " (type_of(&c["schema"])) }
                }
            }
            div.table-scroll tabindex="0" role="region" aria-label=(t.t("api-responses")) { table {
                caption { (t.t("api-responses")) }
                thead { tr {
                    th scope="col" { (t.t("api-status")) }
                    th scope="col" { (t.t("api-description")) }
                    th scope="col" { (t.t("api-type")) }
                } }
                tbody { @for (status, r) in &responses {
                    tr {
                        th scope="row" { (status) }
                        td { (r["description"].as_str().unwrap_or("")) }
                        td { @if let Some(content) = r["content"].as_object() {
                            @for (media, c) in content { code { (media) } " " (type_of(&c["schema"])) " " }
                        } }
                    }
                } }
            } }
        }
    }
}

fn schema_section(t: T, name: &str, schema: &Value) -> Markup {
    html! {
        section aria-labelledby={ "schema-" (name) } {
            h3 #{ "schema-" (name) } { (name) }
            (text(schema["description"].as_str().unwrap_or("")))
            (shape(t, name, schema))
        }
    }
}

/// An object's properties as a table; each variant of a `oneOf` in turn.
fn shape(t: T, name: &str, schema: &Value) -> Markup {
    let variants = schema["oneOf"].as_array().or(schema["anyOf"].as_array());
    let properties = schema["properties"].as_object();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    html! {
        @if let Some(variants) = variants {
            p { (t.t("api-one-of")) }
            ul { @for v in variants {
                li { (type_of(v)) (shape(t, name, v)) }
            } }
        }
        @if let Some(all) = schema["allOf"].as_array() {
            @for part in all { (shape(t, name, part)) }
        }
        @if let Some(properties) = properties {
            @let caption = t.with("api-fields", &[("name", name.to_string().into())]);
            div.table-scroll tabindex="0" role="region" aria-label=(caption) { table {
                caption { (caption) }
                thead { tr {
                    th scope="col" { (t.t("api-name")) }
                    th scope="col" { (t.t("api-type")) }
                    th scope="col" { (t.t("api-description")) }
                } }
                tbody { @for (field, p) in properties {
                    tr {
                        th scope="row" { code { (field) } @if required.contains(&field.as_str()) { " " (t.t("api-required")) } }
                        td { (type_of(p)) }
                        td { (p["description"].as_str().unwrap_or("")) }
                    }
                } }
            } }
        }
    }
}

/// A short name of a schema's type, linking to named schemas.
fn type_of(schema: &Value) -> Markup {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or(r);
        return html! { a href={ "#schema-" (name) } { (name) } };
    }
    let kinds: Vec<&str> = match &schema["type"] {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let format = schema["format"].as_str();
    let values: Vec<String> = schema["enum"]
        .as_array()
        .map(|e| e.iter().map(|v| v.to_string()).collect())
        .unwrap_or_default();
    html! {
        @if kinds.contains(&"array") {
            "array of " (type_of(&schema["items"]))
        } @else if let Some(variants) = schema["oneOf"].as_array().or(schema["allOf"].as_array()) {
            @for (i, v) in variants.iter().enumerate() {
                @if i > 0 { " | " }
                (type_of(v))
            }
        } @else {
            (kinds.join(" or "))
            @if let Some(f) = format { " (" (f) ")" }
        }
        @if !values.is_empty() { " " code { (values.join(" | ")) } }
    }
}

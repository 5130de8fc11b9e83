//! Prints the OpenAPI document the server serves at `/api/v1/openapi.json`
//! (the same function builds both), for the linter in CI.
#![allow(clippy::expect_used)]

fn main() {
    let doc = serde_json::to_string_pretty(resettle_web::api::document())
        .expect("the OpenAPI document serialises");
    println!("{doc}");
}

//! In a real Chromium: the IND records evidence and grants a relative on the
//! application's page, COA arranges the relative's travel and records the
//! arrival, and the municipality of the sponsor's family sees the relative
//! arrived. Each step checks the status the page then shows.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use fantoccini::{Client, Locator};
use resettle_domain::Role;
use serde_json::json;
use support::App;
use support::browser::{browser, driver, mark_page, use_session, wait_for_new_page};

async fn source(c: &Client) -> String {
    c.source().await.unwrap()
}

/// Sets a field's value (dates and selects by script, as a date picker would).
async fn set(c: &Client, id: &str, value: &str) {
    if c.find(Locator::Id(id)).await.is_err() {
        panic!("no field {id}:\n{}", source(c).await);
    }
    c.execute(
        "document.getElementById(arguments[0]).value = arguments[1];",
        vec![json!(id), json!(value)],
    )
    .await
    .unwrap();
}

/// Opens the form `details#form`, fills `fields`, submits, and checks it was recorded.
async fn record(c: &Client, form: &str, fields: &[(&str, &str)]) {
    let details = match c.find(Locator::Id(form)).await {
        Ok(d) => d,
        Err(_) => panic!("no form {form}:\n{}", source(c).await),
    };
    details
        .find(Locator::Css("summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for (id, value) in fields {
        set(c, id, value).await;
    }
    let button = details
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap();
    mark_page(c).await;
    button.click().await.unwrap();
    wait_for_new_page(c).await;
    assert!(
        c.find(Locator::Css("div.notice")).await.is_ok(),
        "{form} was not recorded:\n{}",
        source(c).await
    );
}

async fn status(c: &Client) -> String {
    c.find(Locator::Id("rel-0-status"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_ind_decides_and_coa_arranges_travel_on_the_application_page() {
    let Some(driver) = driver().await else { return };
    let app = App::sqlite().await;
    {
        use resettle_store::policy::PolicyStore;
        let policy: resettle_domain::policy::PolicySet =
            serde_json::from_str(include_str!("../../../docs/policy-nl.json")).unwrap();
        app.store
            .save_policy(&policy, None, "t", time::OffsetDateTime::now_utc(), "test")
            .await
            .unwrap();
    }
    let imported = app.import_example().await;
    // Housed in Tilburg, arrived (and permitted) on 2024-08-21.
    let sponsor = imported["cases"][0]["id"].as_str().unwrap();
    let (s, _, a) = app
        .post(
            Role::IndOfficer,
            "/api/v1/family-reunification-applications",
            &json!({ "sponsorCaseId": sponsor, "permitIssuedOn": "2024-08-21", "appliedOn": "2024-10-01",
                     "relatives": [{ "givenName": "Karim", "familyName": "Testfamily", "dateOfBirth": "1988-01-01",
                                     "sex": "male", "nationality": "SDN", "relationship": "spouse" }] }),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{a}");
    let path = format!("/family-reunification/{}", a["id"].as_str().unwrap());
    let c = browser(&driver).await;
    let open = |role: Role| {
        let (c, app, path) = (&c, &app, &path);
        async move {
            use_session(c, app, Some(role)).await;
            c.goto(&app.url(&format!("/language?lang=en&back={path}")))
                .await
                .unwrap();
        }
    };

    // The IND: evidence, then the grant.
    open(Role::IndOfficer).await;
    assert_eq!(status(&c).await, "Applied");
    record(
        &c,
        "dec-0",
        &[
            ("dec-0-op", "evidence:documents"),
            ("dec-0-occurredOn", "2024-10-15"),
        ],
    )
    .await;
    assert_eq!(status(&c).await, "Evidence being assessed");
    record(
        &c,
        "dec-0",
        &[("dec-0-op", "grant"), ("dec-0-occurredOn", "2024-11-20")],
    )
    .await;
    assert_eq!(status(&c).await, "Granted");
    assert!(
        c.find(Locator::Id("trv-0")).await.is_err(),
        "travel is COA's, not the IND's"
    );

    // COA: the travel, then the arrival.
    open(Role::CoaOfficer).await;
    assert!(
        c.find(Locator::Id("dec-0")).await.is_err(),
        "decisions are the IND's, not COA's"
    );
    record(
        &c,
        "trv-0",
        &[
            ("trv-0-visaIssuedOn", "2025-02-01"),
            ("trv-0-departsOn", "2025-03-09"),
            ("trv-0-bookingReference", "IOM-2025-7"),
        ],
    )
    .await;
    assert_eq!(status(&c).await, "Travel arranged");
    record(
        &c,
        "trv-0",
        &[
            ("trv-0-occurredOn", "2025-03-10"),
            ("trv-0-permitValidUntil", "2030-03-10"),
        ],
    )
    .await;
    assert_eq!(status(&c).await, "Arrived");
    assert!(source(&c).await.contains("EGY-25C900000"));

    // The municipality of the sponsor's family sees the relative arrived.
    open(Role::MunicipalityOfficer).await;
    assert_eq!(status(&c).await, "Arrived");
    assert!(c.find(Locator::Id("dec-0")).await.is_err());
    assert!(c.find(Locator::Id("trv-0")).await.is_err());

    c.close().await;
    app.finish().await;
}

//! In a real Chromium: one family handed on from organisation to
//! organisation through the pages each role works from. UNHCR submits it on
//! the submission page; the IND finds it on its worklist and decides; COA
//! prepares it and places it in a municipality; the municipality sees the
//! incoming family on its home page; COA records the arrival and houses it;
//! the municipality sees it housed and the integration organisation sees it
//! to guide. Each step checks what the next role sees. One browser and one
//! server for the whole file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use fantoccini::{Client, Locator};
use resettle_domain::Role;
use resettle_store::placement::{Municipality, PlacementStore};
use serde_json::json;
use support::App;
use support::browser::{
    browser, click_and_wait, driver, mark_page, switch_language, use_session, wait_for_new_page,
};
use time::{Duration, OffsetDateTime};

const CASE: &str = "LBN-26C00901";

async fn source(c: &Client) -> String {
    c.source().await.unwrap()
}

/// The text of the section of the page whose heading starts with `heading`.
async fn section(c: &Client, heading: &str) -> String {
    let xpath = format!("//section[h2[starts-with(normalize-space(.), '{heading}')]]");
    match c.find(Locator::XPath(&xpath)).await {
        Ok(s) => s.text().await.unwrap(),
        Err(_) => panic!("no section {heading}:\n{}", source(c).await),
    }
}

async fn home(c: &Client, app: &App, role: Role) {
    use_session(c, app, Some(role)).await;
    c.goto(&app.url("/")).await.unwrap();
}

async fn fill(c: &Client, id: &str, value: &str) {
    let field = c.find(Locator::Id(id)).await.unwrap();
    if field.attr("type").await.unwrap().as_deref() == Some("date") {
        c.execute(
            "document.getElementById(arguments[0]).value = arguments[1];",
            vec![json!(id), json!(value)],
        )
        .await
        .unwrap();
    } else {
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }
}

async fn submit(c: &Client, css: &str) {
    let button = c.find(Locator::Css(css)).await.unwrap();
    mark_page(c).await;
    button.click().await.unwrap();
    wait_for_new_page(c).await;
}

/// Takes `action` on the open case page with `fields`, and checks it was recorded.
async fn take(c: &Client, action: &str, fields: &[(&str, &str)]) {
    let xpath = format!("//details[.//input[@name='action' and @value='{action}']]");
    let details = match c.find(Locator::XPath(&xpath)).await {
        Ok(d) => d,
        Err(_) => panic!("no form for {action}:\n{}", source(c).await),
    };
    details
        .find(Locator::Css("summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for (id, value) in fields {
        fill(c, id, value).await;
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
        "{action} was not recorded:\n{}",
        source(c).await
    );
}

/// Opens the case from the link on the shown page.
async fn open_case(c: &Client) {
    click_and_wait(c, Locator::LinkText(CASE)).await;
}

#[tokio::test]
async fn a_family_is_handed_on_from_unhcr_to_the_integration_organisation() {
    let Some(driver) = driver().await else { return };
    let app = App::sqlite().await;
    let b = browser(&driver).await;
    let c = &b.c;
    let town = support::organisation(Role::MunicipalityOfficer).unwrap();
    let guide = support::organisation(Role::IntegrationOrganisation).unwrap();
    let today = OffsetDateTime::now_utc().date();
    app.store
        .save_municipalities(&[{
            let m = resettle_demo::municipalities::municipalities(1, [100, 10, 40])
                .into_iter()
                .find(|m| m.name == town)
                .unwrap();
            Municipality {
                code: m.code.into(),
                name: m.name.into(),
                partner: m.partner,
                room: [10, 2, 4],
                features: m.features,
            }
        }])
        .await
        .unwrap();

    // UNHCR submits the family on its submission page, found from its home page.
    home(c, &app, Role::UnhcrLiaison).await;
    switch_language(c, "nl").await;
    click_and_wait(c, Locator::Css("main a[href='/submissions']")).await;
    for (id, value) in [
        ("one-caseNumber", CASE),
        ("one-unhcrReference", "RRF-LBN-2026-0901"),
        ("one-hostCountry", "LBN"),
        ("one-submittedOn", &today.to_string()),
        ("one-members-0--givenName", "Rana"),
        ("one-members-0--familyName", "Example"),
        ("one-members-0--dateOfBirth", "1988-05-01"),
        ("one-members-0--nationality", "SYR"),
        ("one-members-1--givenName", "Omar"),
        ("one-members-1--familyName", "Example"),
        ("one-members-1--dateOfBirth", "2016-02-03"),
        ("one-members-1--nationality", "SYR"),
    ] {
        fill(c, id, value).await;
    }
    c.find(Locator::Id("one-members-1--relationship"))
        .await
        .unwrap()
        .select_by_value("child")
        .await
        .unwrap();
    c.find(Locator::Id("one-members-1--sex"))
        .await
        .unwrap()
        .select_by_value("male")
        .await
        .unwrap();
    submit(c, "form[action='/submissions/case'] button[type=submit]").await;
    assert!(
        source(c).await.contains(&format!("Zaak {CASE}")),
        "{}",
        source(c).await
    );
    home(c, &app, Role::UnhcrLiaison).await;
    assert!(
        section(c, "Uw voordrachten")
            .await
            .contains("Voorgedragen: 1")
    );

    // The IND finds it on its worklist, assesses and accepts it.
    home(c, &app, Role::IndOfficer).await;
    assert!(section(c, "Te beoordelen").await.contains(CASE));
    open_case(c).await;
    take(c, "start-assessment", &[]).await;
    take(c, "accept", &[]).await;
    home(c, &app, Role::IndOfficer).await;
    assert!(!section(c, "Te beoordelen").await.contains(CASE));

    // COA finds it waiting for orientation, prepares it and places it.
    home(c, &app, Role::CoaOfficer).await;
    assert!(
        section(c, "Wachten op culturele oriëntatie")
            .await
            .contains(CASE)
    );
    open_case(c).await;
    take(c, "start-pre-departure", &[]).await;
    c.goto(&app.url("/placement")).await.unwrap();
    c.find(Locator::Id(&format!("m-{CASE}")))
        .await
        .unwrap()
        .select_by_value("GM0855")
        .await
        .unwrap();
    submit(c, "button[formaction='/placement/confirm']").await;
    assert!(
        source(c).await.contains("Plaatsing bevestigen"),
        "{}",
        source(c).await
    );
    submit(
        c,
        "form[action='/placement/confirmations'] button[type=submit]:not([formaction])",
    )
    .await;
    assert!(
        source(c)
            .await
            .contains("1 huisvestingsbesluiten vastgelegd"),
        "{}",
        source(c).await
    );

    // The municipality sees the incoming family at once, with its make-up.
    home(c, &app, Role::MunicipalityOfficer).await;
    let header = c
        .find(Locator::Css("li.account"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(header.contains(town), "{header}");
    let incoming = section(c, "Komende gezinnen").await;
    assert!(
        incoming.contains(CASE) && incoming.contains("2 personen"),
        "{incoming}"
    );

    // COA records departure and arrival, and houses it where it was assigned.
    home(c, &app, Role::CoaOfficer).await;
    c.goto(&app.url("/cases")).await.unwrap();
    open_case(c).await;
    take(c, "depart", &[]).await;
    take(
        c,
        "arrive",
        &[(
            "arrive-permitValidUntil",
            &(today + Duration::days(5 * 365)).to_string(),
        )],
    )
    .await;
    take(c, "house", &[]).await;
    assert!(
        source(c).await.contains(&format!("Gemeente {town}")),
        "housed where it was assigned:\n{}",
        source(c).await
    );

    // The municipality sees it housed; COA starts the guidance.
    home(c, &app, Role::MunicipalityOfficer).await;
    assert!(section(c, "Gehuisveste gezinnen").await.contains(CASE));
    assert!(!section(c, "Komende gezinnen").await.contains(CASE));
    home(c, &app, Role::CoaOfficer).await;
    c.goto(&app.url("/cases")).await.unwrap();
    open_case(c).await;
    take(
        c,
        "start-integration-guidance",
        &[
            ("start-integration-guidance-organisation", guide),
            (
                "start-integration-guidance-until",
                &(today + Duration::days(365)).to_string(),
            ),
        ],
    )
    .await;

    // The integration organisation finds the family to guide.
    home(c, &app, Role::IntegrationOrganisation).await;
    assert!(section(c, "Gezinnen in begeleiding").await.contains(CASE));

    b.close().await;
    app.finish().await;
}

//! In a real Chromium (Debian's chromium and chromium-driver): one family from
//! UNHCR's submission to its arrival in the framework report, through the
//! pages each role clicks, once with the interface in Dutch and once in
//! English (switched with the header's language link).
//!
//! Not through pages, because no page exists for them: the import of UNHCR's
//! submissions (the documented `POST /api/v1/submission-imports`, as the UNHCR
//! liaison; the command line has `resettle import submissions` too), and the
//! set-up of the policy and of the selection mission (their pages are tested
//! elsewhere; here they are only the ground the journey stands on).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use fantoccini::{Client, Locator};
use reqwest::StatusCode;
use resettle_domain::Role;
use serde_json::{Value, json};
use support::browser::{
    Browser, Driver, browser, click_and_wait, driver, log_in, log_out, switch_language,
};
use support::{App, EXAMPLE};
use time::OffsetDateTime;

const POLICY: &str = include_str!("../../../docs/policy-nl.json");
const PASSWORD: &str = "a long test password";
const CASE_NUMBER: &str = "EGY-26C00421";
const MISSION: &str = "Cairo journey";
/// The persons of the family: the framework report must move by exactly this.
const PERSONS: u64 = 3;
/// The persons of another family that arrived in the same framework before.
const ARRIVED_BEFORE: u64 = 2;

/// What the pages say, in the language of the run.
struct Words {
    lang: &'static str,
    login_title: &'static str,
    one_case: &'static str,
    two_cases: &'static str,
    case_title: &'static str,
    done: &'static str,
    under_assessment: &'static str,
    accepted: &'static str,
    pre_departure: &'static str,
    departed: &'static str,
    arrived: &'static str,
    housed: &'static str,
    housing: &'static str,
    report_title: &'static str,
    counted_total: &'static str,
}

const DUTCH: Words = Words {
    lang: "nl",
    login_title: "Inloggen",
    one_case: "Eén zaak gevonden",
    two_cases: "2 zaken gevonden",
    case_title: "Zaak EGY-26C00421",
    done: "De handeling is vastgelegd.",
    under_assessment: "In beoordeling",
    accepted: "Geaccepteerd",
    pre_departure: "Voorbereiding vertrek",
    departed: "Vertrokken",
    arrived: "Aangekomen",
    housed: "Gehuisvest",
    housing: "Gemeente Tilburg",
    report_title: "Beleidskaders: aankomsten tegenover toezeggingen",
    counted_total: "totaal geteld",
};

const ENGLISH: Words = Words {
    lang: "en",
    login_title: "Log in",
    one_case: "One case found",
    two_cases: "2 cases found",
    case_title: "Case EGY-26C00421",
    done: "The action was recorded.",
    under_assessment: "Under assessment",
    accepted: "Accepted",
    pre_departure: "Pre-departure",
    departed: "Departed",
    arrived: "Arrived",
    housed: "Housed",
    housing: "Municipality Tilburg",
    report_title: "Frameworks: arrivals against commitments",
    counted_total: "counted total",
};

#[tokio::test]
async fn a_family_goes_from_submission_to_the_framework_report_in_dutch() {
    let Some(driver) = driver().await else { return };
    let app = App::sqlite().await;
    journey(&DUTCH, &app, &driver).await;
    app.finish().await;
}

#[tokio::test]
async fn a_family_goes_from_submission_to_the_framework_report_in_english() {
    let Some(driver) = driver().await else { return };
    let app = App::sqlite().await;
    journey(&ENGLISH, &app, &driver).await;
    app.finish().await;
}

/// The same way on PostgreSQL (when RESETTLE_TEST_POSTGRES_URL is set; CI sets it).
#[tokio::test]
async fn a_family_goes_from_submission_to_the_framework_report_on_postgresql() {
    let Some(driver) = driver().await else { return };
    let Some(app) = App::postgres().await else {
        return;
    };
    journey(&DUTCH, &app, &driver).await;
    app.finish().await;
}

/// The letter's policy, with a one-year framework for the current year added
/// when the letter's frameworks have run out; and the framework of today.
fn policy_for_today() -> (Value, String) {
    let mut policy: Value = serde_json::from_str(POLICY).unwrap();
    let today = OffsetDateTime::now_utc().date().to_string();
    let covering = |p: &Value| {
        p["frameworks"].as_array().unwrap().iter().find_map(|f| {
            let (start, end) = (f["start"].as_str().unwrap(), f["end"].as_str().unwrap());
            (start <= today.as_str() && today.as_str() <= end)
                .then(|| f["id"].as_str().unwrap().to_string())
        })
    };
    if covering(&policy).is_none() {
        let year = &today[..4];
        policy["frameworks"].as_array_mut().unwrap().push(json!({
            "id": year, "name": format!("Test framework {year}"), "kind": "one-year",
            "start": format!("{year}-01-01"), "end": format!("{year}-12-31"), "commitment": 200
        }));
    }
    let id = covering(&policy).unwrap();
    (policy, id)
}

/// A synthetic family of three, submitted by UNHCR and not yet assessed.
fn submission() -> Value {
    let example: Value = serde_json::from_str(EXAMPLE).unwrap();
    let mut family = example["submissions"][0].clone();
    family["caseNumber"] = json!(CASE_NUMBER);
    family["unhcrReference"] = json!("RRF-EGY-2026-0421");
    family["submittedOn"] = json!("2026-10-01");
    family["linkedCases"] = json!([]);
    family["milestones"] = json!([]);
    let members = family["members"].as_array_mut().unwrap();
    let mut third = members[1].clone();
    third["givenName"] = json!("Noor");
    third["sex"] = json!("female");
    third["dateOfBirth"] = json!("2019-06-11");
    members.push(third);
    for m in members.iter_mut() {
        m["familyName"] = json!("Journey");
    }
    members[0]["documents"][0]["number"] = json!("UNHCR-EGY-0000421");
    assert_eq!(members.len() as u64, PERSONS);
    json!({ "format": example["format"], "submissions": [family] })
}

/// The example's first family (two persons), arrived today and housed in
/// Zwolle: the framework report counts it before the journey starts.
fn arrived_today() -> Value {
    let example: Value = serde_json::from_str(EXAMPLE).unwrap();
    let mut family = example["submissions"][0].clone();
    let today = OffsetDateTime::now_utc().date();
    let permit = (today + time::Duration::days(5 * 365)).to_string();
    let today = today.to_string();
    family["caseNumber"] = json!("EGY-26C00422");
    family["unhcrReference"] = json!("RRF-EGY-2026-0422");
    family["submittedOn"] = json!(today);
    family["linkedCases"] = json!([]);
    family["consents"] = json!([]);
    family["milestones"] = json!([
        { "state": "under-assessment", "on": today },
        { "state": "accepted", "on": today },
        { "state": "pre-departure", "on": today, "training": "in-person" },
        { "state": "departed", "on": today },
        { "state": "arrived", "on": today, "permitValidUntil": permit },
        { "state": "housed", "on": today, "municipality": "Zwolle" },
    ]);
    family
}

async fn set_up(app: &App) -> (String, String) {
    let (policy, framework) = policy_for_today();
    let r = app
        .api(reqwest::Method::PUT, Role::Administrator, "/api/v1/policy")
        .json(&json!({ "reason": "the letter's frameworks", "document": policy }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let today = OffsetDateTime::now_utc().date();
    let (status, _, mission) = app
        .post(
            Role::IndOfficer,
            "/api/v1/missions",
            &json!({
                "kind": "selection", "name": MISSION, "hostCountry": "EGY", "populations": ["SDN"],
                "startsOn": today.to_string(), "endsOn": (today + time::Duration::days(14)).to_string(),
                "team": ["IND", "COA"], "places": 10
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{mission}");
    // A family with its history, as the operator migrates it.
    app.import_as_operator(
        &json!({ "format": "resettle-submissions/1", "submissions": [arrived_today()] }),
    )
    .await;
    // No page imports submissions: UNHCR's liaison uses the documented API.
    let (status, _, imported) = app
        .post(
            Role::UnhcrLiaison,
            "/api/v1/submission-imports",
            &submission(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{imported}");
    (
        framework,
        imported["cases"][0]["id"].as_str().unwrap().to_string(),
    )
}

/// The text of the element `css`, trimmed.
async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("no {css} on the page"))
        .text()
        .await
        .unwrap()
        .trim()
        .to_string()
}

/// Fills the field `id` as a user would. A date control takes its value as
/// the picker sets it (typing into one depends on the browser's locale).
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

/// Opens the case from the case list by its number.
async fn open_case(c: &Client, app: &App, w: &Words) {
    c.goto(&app.url("/cases")).await.unwrap();
    click_and_wait(c, Locator::LinkText(CASE_NUMBER)).await;
    assert!(
        text(c, "h1").await.starts_with(w.case_title),
        "the case page: {}",
        text(c, "h1").await
    );
}

/// Takes `action` on the open case page: opens its form (a closed
/// disclosure), fills `fields`, submits, and checks the new state.
async fn take(c: &Client, w: &Words, action: &str, fields: &[(&str, &str)], state: &str) {
    let form = format!("//details[.//input[@name='action' and @value='{action}']]");
    let details = match c.find(Locator::XPath(&form)).await {
        Ok(d) => d,
        Err(_) => panic!("no form for {action}:\n{}", c.source().await.unwrap()),
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
    support::browser::mark_page(c).await;
    button.click().await.unwrap();
    support::browser::wait_for_new_page(c).await;
    let notice = c.find(Locator::Css("div.notice")).await;
    assert!(
        notice.is_ok(),
        "{action} was not recorded:\n{}",
        c.source().await.unwrap()
    );
    assert_eq!(text(c, "div.notice").await, w.done, "{action}");
    assert_eq!(text(c, "h1 span.state").await, state, "after {action}");
}

/// The framework's counted total on the frameworks report, opened from the
/// reports page as the analyst does.
async fn counted_total(c: &Client, app: &App, w: &Words, framework: &str) -> u64 {
    c.goto(&app.url("/reports")).await.unwrap();
    click_and_wait(c, Locator::LinkText(w.report_title)).await;
    assert_eq!(text(c, "h1").await, w.report_title);
    let cell = c
        .execute(
            r"const [header, key] = arguments;
              for (const table of document.querySelectorAll('table')) {
                const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
                const col = heads.indexOf(header);
                if (col < 0) continue;
                for (const tr of table.querySelectorAll('tbody tr')) {
                  const cells = tr.querySelectorAll('th, td');
                  if (cells[0].textContent.trim() === key) return cells[col].textContent.trim();
                }
              }
              return null;",
            vec![json!(w.counted_total), json!(framework)],
        )
        .await
        .unwrap();
    let cell = cell.as_str().unwrap_or_else(|| {
        panic!(
            "no '{}' for framework {framework} on the report",
            w.counted_total
        )
    });
    cell.chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("not a count: {cell}"))
}

async fn journey(w: &Words, app: &App, driver: &Driver) {
    let (framework, case_id) = set_up(app).await;
    let b: Browser = browser(driver).await;
    let c: &Client = &b;

    // The language through the header's switch, on the login page.
    c.goto(&app.url("/login")).await.unwrap();
    switch_language(c, w.lang).await;
    assert_eq!(text(c, "h1").await, w.login_title);

    // The analyst's figure before the family arrives.
    log_in(c, app, "t-policy-analyst", PASSWORD, None).await;
    let before = counted_total(c, app, w, &framework).await;
    assert_eq!(
        before, ARRIVED_BEFORE,
        "framework {framework} before the journey"
    );
    log_out(c, app).await;

    // IND starts the assessment.
    log_in(c, app, "t-ind-officer", PASSWORD, None).await;
    c.goto(&app.url("/cases")).await.unwrap();
    assert_eq!(text(c, "p.count").await, w.two_cases);
    open_case(c, app, w).await;
    take(c, w, "start-assessment", &[], w.under_assessment).await;
    log_out(c, app).await;

    // COA selects the family on the selection mission.
    log_in(c, app, "t-coa-officer", PASSWORD, None).await;
    c.goto(&app.url("/missions")).await.unwrap();
    click_and_wait(
        c,
        Locator::XPath(&format!("//main//a[contains(., '{MISSION}')]")),
    )
    .await;
    let link = c
        .find(Locator::XPath("//details[.//input[@name='caseNumber']]"))
        .await
        .unwrap();
    link.find(Locator::Css("summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(c, "link-caseId", CASE_NUMBER).await;
    let button = link
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap();
    support::browser::mark_page(c).await;
    button.click().await.unwrap();
    support::browser::wait_for_new_page(c).await;
    assert_eq!(
        text(c, "div.notice").await,
        w.done,
        "selected on the mission"
    );
    assert_eq!(
        text(c, "#mission-cases-title + div table tbody th").await,
        CASE_NUMBER
    );
    log_out(c, app).await;

    // IND accepts: the family is selected, on the mission's places.
    log_in(c, app, "t-ind-officer", PASSWORD, None).await;
    open_case(c, app, w).await;
    take(
        c,
        w,
        "accept",
        &[(
            "accept-policyBasis",
            "national quota, selection mission Cairo",
        )],
        w.accepted,
    )
    .await;
    log_out(c, app).await;

    // COA prepares the departure, records departure, arrival with the permit,
    // and the housing in Tilburg.
    log_in(c, app, "t-coa-officer", PASSWORD, None).await;
    open_case(c, app, w).await;
    take(c, w, "start-pre-departure", &[], w.pre_departure).await;
    take(c, w, "depart", &[], w.departed).await;
    let permit_on = OffsetDateTime::now_utc().date() + time::Duration::days(5 * 365);
    let permit = permit_on.to_string();
    // The page writes the date as its language does ("7 dec 2031").
    let lang = resettle_web::Lang::parse(w.lang).unwrap();
    let permit_shown = resettle_web::format::date(lang, permit_on);
    take(
        c,
        w,
        "arrive",
        &[("arrive-permitValidUntil", &permit)],
        w.arrived,
    )
    .await;
    take(
        c,
        w,
        "house",
        &[("house-municipality", "Tilburg")],
        w.housed,
    )
    .await;
    let page = c.source().await.unwrap();
    assert!(page.contains(w.housing), "the housing on the case page");
    assert!(page.contains(&permit_shown), "the permit on the case page");
    log_out(c, app).await;

    // Tilburg now sees the family it houses (and not Zwolle's).
    log_in(c, app, "t-municipality-officer", PASSWORD, None).await;
    c.goto(&app.url("/cases")).await.unwrap();
    assert_eq!(text(c, "p.count").await, w.one_case);
    open_case(c, app, w).await;
    assert!(c.source().await.unwrap().contains(w.housing));
    log_out(c, app).await;

    // The analyst's framework report counts the family's persons, no more.
    log_in(c, app, "t-policy-analyst", PASSWORD, None).await;
    let after = counted_total(c, app, w, &framework).await;
    eprintln!(
        "framework {framework} in {}: {before} counted before, {after} after",
        w.lang
    );
    assert_eq!(
        after,
        before + PERSONS,
        "framework {framework}: {before} before, {after} after the arrival"
    );
    log_out(c, app).await;

    // The whole way went through the pages: the history has each step.
    let (_, history) = app
        .get(
            Role::CoaOfficer,
            &format!("/api/v1/cases/{case_id}/transitions"),
        )
        .await;
    let steps: Vec<(&str, &str)> = history
        .as_array()
        .unwrap_or_else(|| panic!("history: {history}"))
        .iter()
        .map(|t| {
            (
                t["action"]["type"].as_str().unwrap(),
                t["actor"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("submit", "t-unhcr-liaison"),
            ("start-assessment", "t-ind-officer"),
            ("accept", "t-ind-officer"),
            ("start-pre-departure", "t-coa-officer"),
            ("depart", "t-coa-officer"),
            ("arrive", "t-coa-officer"),
            ("house", "t-coa-officer"),
        ]
    );
    b.close().await;
}

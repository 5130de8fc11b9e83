//! In a real Chromium: every page of every role's menu (and the page of a
//! case, of a mission and of each report), in Dutch and in English, fits a window 1366, 1024 and 390 pixels
//! wide without the page scrolling sideways (a wide table scrolls inside its
//! own box), shows no missing translation (the "⟦key⟧" the translator shows
//! for one) and no raw code of the domain's vocabularies ("under-assessment",
//! "read-case", "unearmarked") as text. One server and one browser for the
//! file; each page is loaded once per language and the window resized.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use fantoccini::{Client, Locator};
use reqwest::StatusCode;
use resettle_domain::Role;
use serde_json::{Value, json};
use std::time::Instant;
use support::App;
use support::browser::{browser, driver, switch_language, use_session};

const POLICY: &str = include_str!("../../../docs/policy-nl.json");
const WIDTHS: [u32; 3] = [1366, 1024, 390];

/// The codes of the vocabularies that must never show as text: every code
/// with a hyphen (a plain word such as "urgent" or "dossier" is also a
/// word of the language), and the ledger's and audit trail's own codes.
fn raw_codes() -> Vec<String> {
    use resettle_domain::country_policy::PolicyNoteKind;
    use resettle_domain::mission::{MissionKind, MissionStatus, Modality};
    use resettle_domain::operations::{InterviewKind, InterviewOutcome};
    use resettle_domain::person::DocumentKind;
    use resettle_domain::*;
    let mut codes: Vec<String> = vec![];
    codes.extend(CaseState::ALL.iter().map(|v| v.as_str().to_string()));
    codes.extend(ActionKind::ALL.iter().map(|v| v.as_str().to_string()));
    codes.extend(Programme::ALL.iter().map(|v| v.as_str().to_string()));
    codes.extend(Track::ALL.iter().map(|v| v.as_str().to_string()));
    codes.extend(
        SubmissionCategory::ALL
            .iter()
            .map(|v| v.as_str().to_string()),
    );
    codes.extend(RejectionGround::ALL.iter().map(|v| v.as_str().to_string()));
    codes.extend(Relationship::ALL.iter().map(|v| v.as_str().to_string()));
    codes.extend(DocumentKind::ALL.iter().map(|v| v.as_str().to_string()));
    codes.extend(MissionStatus::ALL.iter().map(|v| v.as_str().to_string()));
    codes.extend(MissionKind::ALL.iter().map(|v| v.as_str().to_string()));
    codes.extend(Modality::ALL.iter().map(|v| v.as_str().to_string()));
    codes.extend(PolicyNoteKind::ALL.iter().map(|v| v.as_str().to_string()));
    codes.extend(InterviewKind::ALL.iter().map(|v| v.as_str().to_string()));
    codes.extend(InterviewOutcome::ALL.iter().map(|v| v.as_str().to_string()));
    codes.retain(|c| c.contains('-'));
    for c in [
        "unearmarked",
        "other-missions",
        "read-case",
        "list-cases",
        "show-special",
        "export-report",
        "read-report",
        "search-audit",
        "working-age",
    ] {
        codes.push(c.to_string());
    }
    codes.sort();
    codes.dedup();
    codes
}

const EN_FTL: &str = include_str!("../locales/en.ftl");
const NL_FTL: &str = include_str!("../locales/nl.ftl");

/// The codes to look for on a page in `lang`: those that are not also words
/// of that language's own texts ("pre-departure" and "unearmarked" are
/// English words; on a Dutch page they are codes).
fn codes_for(lang: &str, codes: &[String]) -> Vec<String> {
    let texts: String = (if lang == "en" { EN_FTL } else { NL_FTL })
        .lines()
        .filter_map(|l| l.split_once(" = ").map(|(_, v)| v.to_lowercase()))
        .collect::<Vec<_>>()
        .join("\n");
    codes
        .iter()
        .filter(|c| codes_in(&texts, std::slice::from_ref(c)).is_empty())
        .cloned()
        .collect()
}

/// Pages that show codes on purpose: the API's reference for developers.
const CODES_ALLOWED: &[&str] = &["/api-reference"];

/// The raw codes in `text` as whole words.
fn codes_in(text: &str, codes: &[String]) -> Vec<String> {
    let word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let mut found = vec![];
    for code in codes {
        for (at, _) in text.match_indices(code.as_str()) {
            let before = text[..at].chars().next_back();
            let after = text[at + code.len()..].chars().next();
            if !before.is_some_and(word) && !after.is_some_and(word) {
                found.push(code.clone());
                break;
            }
        }
    }
    found
}

#[test]
fn the_code_finder_finds_whole_codes_only() {
    let codes = vec!["under-assessment".to_string(), "unearmarked".to_string()];
    assert_eq!(
        codes_in("state: under-assessment.", &codes),
        vec!["under-assessment"]
    );
    assert!(codes_in("not-under-assessment-yet, Unearmarked", &codes).is_empty());
}

/// Everything on the pages: the demo caseload, the documented example
/// (a family housed in Tilburg for the municipality), the policy and a mission.
async fn seed(app: &App) {
    app.import_demo().await;
    app.import_example().await;
    let r = app
        .api(reqwest::Method::PUT, Role::Administrator, "/api/v1/policy")
        .json(&json!({ "reason": "the letter's frameworks", "document": serde_json::from_str::<Value>(POLICY).unwrap() }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let today = time::OffsetDateTime::now_utc().date();
    let (status, _, answer) = app
        .post(
            Role::IndOfficer,
            "/api/v1/missions",
            &json!({
                "kind": "selection", "name": "Missie Libanon 2026", "hostCountry": "LBN",
                "startsOn": today.to_string(), "endsOn": (today + time::Duration::days(30)).to_string(),
                "team": ["IND", "COA"], "places": 120, "populations": ["SYR"]
            }),
        )
        .await;
    assert!(status.is_success(), "mission: {status} {answer}");
}

/// The pages of the shown page's menu, without the language switch.
async fn menu(c: &Client) -> Vec<String> {
    let mut out = vec![];
    for a in c.find_all(Locator::Css("header nav a")).await.unwrap() {
        let href = a.attr("href").await.unwrap().unwrap_or_default();
        if !href.starts_with("/language") && !out.contains(&href) {
            out.push(href);
        }
    }
    out
}

/// The first page of one case or mission (`/cases/{id}`, `/missions/{id}`)
/// linked from the shown page, if any.
async fn first_detail(c: &Client) -> Option<String> {
    for a in c.find_all(Locator::Css("main a")).await.unwrap() {
        let href = a.attr("href").await.unwrap().unwrap_or_default();
        let id = href
            .strip_prefix("/cases/")
            .or_else(|| href.strip_prefix("/missions/"))
            .unwrap_or_default();
        if id.len() == 36 && !id.contains('/') {
            return Some(href);
        }
    }
    None
}

/// The reports linked from the reports page (each report and the printable one).
async fn reports(c: &Client) -> Vec<String> {
    let mut out = vec![];
    for a in c.find_all(Locator::Css("main a")).await.unwrap() {
        let href = a.attr("href").await.unwrap().unwrap_or_default();
        if href.starts_with("/reports/") && !href.contains('?') {
            out.push(href);
        }
    }
    out
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

#[tokio::test]
async fn every_page_fits_every_width_in_both_languages_without_raw_codes() {
    let Some(driver) = driver().await else { return };
    let app = App::sqlite().await;
    seed(&app).await;
    let codes = raw_codes();
    let b = browser(&driver).await;
    let c = &b.c;
    let started = Instant::now();
    let mut problems: Vec<String> = vec![];
    let mut visits = 0;
    for role in Role::ALL {
        use_session(c, &app, Some(*role)).await;
        for lang in ["nl", "en"] {
            let codes = codes_for(lang, &codes);
            c.goto(&app.url("/")).await.unwrap();
            switch_language(c, lang).await;
            let mut pages = menu(c).await;
            let mut i = 0;
            while i < pages.len() {
                let path = pages[i].clone();
                i += 1;
                c.set_window_size(WIDTHS[0], 900).await.unwrap();
                c.goto(&app.url(&path)).await.unwrap();
                visits += 1;
                if (path == "/cases" || path == "/missions")
                    && let Some(detail) = first_detail(c).await
                    && !pages.contains(&detail)
                {
                    pages.push(detail);
                }
                if path == "/reports" {
                    for report in reports(c).await {
                        if !pages.contains(&report) {
                            pages.push(report);
                        }
                    }
                }
                let text = js(c, "return document.body.innerText;").await;
                let text = text.as_str().unwrap_or_default();
                let at = format!("{role} {lang} {path}");
                if let Some(from) = text.find('\u{27e6}') {
                    let missing: String = text[from..].chars().take(60).collect();
                    problems.push(format!("{at}: missing translation {missing}"));
                }
                if !CODES_ALLOWED.contains(&path.as_str()) {
                    let found = codes_in(text, &codes);
                    if !found.is_empty() {
                        problems.push(format!("{at}: raw codes {found:?}"));
                    }
                }
                for width in WIDTHS {
                    c.set_window_size(width, 900).await.unwrap();
                    let sizes = js(
                        c,
                        "return [document.documentElement.scrollWidth, window.innerWidth, \
                         [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 \
                           && !e.closest('.table-scroll')).slice(0, 3).map(e => e.tagName + '.' + e.className).join(' ')];",
                    )
                    .await;
                    let (scroll, inner) = (sizes[0].as_u64().unwrap(), sizes[1].as_u64().unwrap());
                    if scroll > inner {
                        problems.push(format!(
                            "{at} at {width} px: the page is {scroll} px wide in a window of {inner} ({})",
                            sizes[2].as_str().unwrap_or_default()
                        ));
                    }
                }
            }
        }
    }
    b.close().await;
    app.finish().await;
    eprintln!(
        "{visits} page loads, each at {} widths, in {:?}",
        WIDTHS.len(),
        started.elapsed()
    );
    assert!(visits > 60, "only {visits} pages visited");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

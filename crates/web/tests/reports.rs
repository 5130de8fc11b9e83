//! The ledger's reports through the API and the pages, on the demo caseload
//! and the letter's policy file: Parliament's figures, live from case data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use reqwest::StatusCode;
use resettle_domain::ledger::{self, groups_from_cases};
use resettle_domain::policy::PolicySet;
use resettle_domain::{Programme, Role};
use serde_json::{Value, json};
use support::App;

const POLICY: &str = include_str!("../../../docs/policy-nl.json");

async fn demo_app() -> App {
    let app = App::sqlite().await;
    app.import_demo().await;
    app
}

async fn load_policy(app: &App) {
    let body = json!({ "reason": "the letter's frameworks", "document": serde_json::from_str::<Value>(POLICY).unwrap() });
    let r = app
        .api(reqwest::Method::PUT, Role::Administrator, "/api/v1/policy")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn the_frameworks_report_gives_the_letter_s_figures_from_case_data() {
    let app = demo_app().await;
    let (status, body) = app
        .get(Role::PolicyAnalyst, "/api/v1/reports/frameworks")
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "no policy yet: {body}");
    load_policy(&app).await;

    let (status, r) = app
        .get(Role::PolicyAnalyst, "/api/v1/reports/frameworks")
        .await;
    assert_eq!(status, StatusCode::OK);
    let f = &r["frameworks"][0];
    assert_eq!(
        (f["id"].as_str(), f["start"].as_str(), f["end"].as_str()),
        (Some("2020-2023"), Some("2020-01-01"), Some("2023-12-31"))
    );
    let years: Vec<(i64, i64)> = f["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| {
            (
                y["year"].as_i64().unwrap(),
                y["countedNational"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        years,
        vec![(2020, 300), (2021, 90), (2022, 730), (2023, 800)]
    );
    assert_eq!(
        (f["commitment"].as_i64(), f["adjustedCommitment"].as_i64()),
        (Some(2000), Some(1900))
    );
    assert_eq!(f["deductions"][0]["places"], 100);
    assert!(
        f["deductions"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("Griekenland")
    );
    assert_eq!(
        (
            f["countedTotal"].as_i64(),
            f["excess"].as_i64(),
            f["carriedOutTo"].as_str()
        ),
        (Some(1920), Some(20), Some("2024"))
    );
    assert_eq!(r["frameworks"][1]["carriedIn"], 20);
    assert_eq!(r["frameworks"][2]["quotaPerYear"], 200);
    for key in [
        "resettledArrivals",
        "familyReunificationArrivals",
        "countedNational",
    ] {
        assert!(f["years"][0][key].is_u64(), "{key}");
    }

    let (_, eu) = app.get(Role::CoaOfficer, "/api/v1/reports/eu").await;
    let p = &eu["programmes"][0];
    assert!(p["familyReunificationExcluded"].as_u64().unwrap() > 0);
    assert_eq!(
        p["fundingEur"].as_u64().unwrap(),
        p["realisedTotal"].as_u64().unwrap() * 10_000
    );

    let (_, rounded) = app
        .get(Role::PolicyAnalyst, "/api/v1/reports/eu?roundToTens=true")
        .await;
    let q = &rounded["programmes"][0];
    assert_eq!(q["realisedTotal"].as_u64().unwrap() % 10, 0);
    assert_eq!(
        q["fundingEur"].as_u64().unwrap(),
        q["realisedTotal"].as_u64().unwrap() * 10_000
    );

    assert_eq!(
        app.get(Role::PolicyAnalyst, "/api/v1/reports/nothing")
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    app.finish().await;
}

/// Composition and allocation from the store's SQL projection equal the
/// ledger's rules over the imported cases (the demo tests check those against
/// a count of the cases, the domain tests against a worked example).
#[tokio::test]
async fn composition_and_allocation_equal_a_recomputation_from_the_imported_cases() {
    let app = App::sqlite().await;
    let imported = app.import_demo().await;
    load_policy(&app).await;
    let policy: PolicySet = serde_json::from_str(POLICY).unwrap();
    let groups = groups_from_cases(imported.iter().map(|n| &n.case));

    let (status, composition) = app
        .get(Role::IndOfficer, "/api/v1/reports/composition")
        .await;
    assert_eq!(status, StatusCode::OK, "{composition}");
    let expected = ledger::composition(&policy, &groups);
    assert_eq!(composition, serde_json::to_value(&expected).unwrap());
    // The letter's framework: 300 + 90 + 730 + 800 arrivals, from several host countries.
    let letter = &composition["frameworks"][0];
    assert_eq!(
        (letter["framework"].as_str(), letter["persons"].as_u64()),
        (Some("2020-2023"), Some(1920))
    );
    assert!(letter["byHostCountry"].as_array().unwrap().len() > 1);

    let (status, allocation) = app
        .get(Role::CoaOfficer, "/api/v1/reports/allocation")
        .await;
    assert_eq!(status, StatusCode::OK, "{allocation}");
    let expected = ledger::allocation(&policy, &groups);
    assert_eq!(allocation, serde_json::to_value(&expected).unwrap());
    // Counted straight from the cases: persons of the national quota selected
    // in 2024, family reunification aside.
    let selected_2024: u64 = imported
        .iter()
        .map(|n| &n.case)
        .filter(|c| c.submission.programme == Programme::NationalQuota)
        .filter(|c| c.submission.family_reunification_of.is_none())
        .filter(|c| c.selected_on.is_some_and(|d| d.year() == 2024))
        .map(|c| c.persons() as u64)
        .sum();
    let plan_2024 = &allocation["plans"][1];
    assert_eq!(plan_2024["year"], 2024);
    assert_eq!(plan_2024["selectedTotal"].as_u64(), Some(selected_2024));
    assert!(selected_2024 > 0);

    let (_, rounded) = app
        .get(
            Role::CoaOfficer,
            "/api/v1/reports/allocation?roundToTens=true",
        )
        .await;
    assert_eq!(
        rounded["plans"][1]["selectedTotal"].as_u64(),
        Some(ledger::round_to_tens(selected_2024))
    );
    assert_eq!(
        app.get(Role::PolicyAnalyst, "/api/v1/reports/nothing")
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    app.finish().await;
}

#[tokio::test]
async fn reports_download_as_files_and_show_as_pages_with_a_chart_and_a_table() {
    let app = demo_app().await;
    load_policy(&app).await;
    let csv = app
        .api(
            reqwest::Method::GET,
            Role::PolicyAnalyst,
            "/api/v1/reports/frameworks?format=csv",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    assert!(
        text.contains("2020-2023,2000,100,1900,0,1920,20,2024,Yes,500"),
        "{text}"
    );
    // A download follows the language of the page it came from (its link
    // carries `lang`), and the API's `?lang=`: headings, words and, where
    // the file is for people (Markdown), numbers.
    let (_, page_nl) = app.page(Role::PolicyAnalyst, "/reports/frameworks").await;
    assert!(page_nl.contains("?format=csv&amp;lang=nl"), "{page_nl}");
    let (_, csv_nl) = app
        .page(
            Role::PolicyAnalyst,
            "/reports/frameworks?format=csv&lang=nl",
        )
        .await;
    assert!(
        csv_nl.contains("2020-2023,2000,100,1900,0,1920,20,2024,Ja,500")
            && csv_nl.contains("beleidskader,toezegging"),
        "{csv_nl}"
    );
    let (_, md_en) = app
        .page(Role::PolicyAnalyst, "/reports/frameworks?format=md&lang=en")
        .await;
    assert!(
        md_en.contains("| 2020-2023 | 2,000 | 100 | 1,900 | 0 | 1,920 | 20 | 2024 | Yes | 500 |"),
        "{md_en}"
    );
    let composition_nl = app
        .api(
            reqwest::Method::GET,
            Role::PolicyAnalyst,
            "/api/v1/reports/composition?format=md&lang=nl",
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        composition_nl.contains("Personen per gastland en beleidskader")
            && composition_nl.contains("| Syrië |")
            && !composition_nl.contains("SYR"),
        "{composition_nl}"
    );
    let xlsx = app
        .api(
            reqwest::Method::GET,
            Role::PolicyAnalyst,
            "/api/v1/reports/composition?format=xlsx",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(
        xlsx.bytes().await.unwrap().starts_with(b"PK"),
        "an XLSX file is a zip"
    );

    let (status, page) = app.page(Role::PolicyAnalyst, "/reports/frameworks").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<svg") && page.contains("role=\"img\"") && page.contains("<table"),
        "chart and table"
    );
    assert!(
        page.contains("1.920") && page.contains("geteld: 1.920"),
        "bars carry their values as text, grouped as Dutch groups"
    );
    let (_, print) = app
        .page(Role::PolicyAnalyst, "/reports/frameworks/print")
        .await;
    assert!(
        print.contains(
            "In beleidskader 2020-2023 zijn 1.920 hervestigde vluchtelingen en nareizigers geteld"
        ),
        "{print}"
    );
    assert!(
        print
            .contains("De 20 aankomsten boven de toezegging worden meegeteld in beleidskader 2024")
    );
    // The analyst sees reports and the policy, never a case.
    let (_, home) = app.page(Role::PolicyAnalyst, "/reports").await;
    assert!(home.contains("href=\"/policy\"") && !home.contains("href=\"/cases\""));
    app.finish().await;
}

#[tokio::test]
async fn policy_changes_are_versioned_validated_and_refused_when_stale() {
    let app = App::sqlite().await;
    load_policy(&app).await;
    let mut doc: Value = serde_json::from_str(POLICY).unwrap();
    doc["frameworks"][0]["end"] = "2019-01-01".into();
    doc["format"] = "x".into();
    let bad = json!({ "expectedVersion": 1, "reason": " ", "document": doc });
    let (status, _, body) = app.post(Role::Administrator, "/api/v1/policy", &bad).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    let r = app
        .api(reqwest::Method::PUT, Role::Administrator, "/api/v1/policy")
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"document.format")
            && fields.contains(&"document.frameworks[0].end")
            && fields.contains(&"reason"),
        "{fields:?}"
    );

    let mut cut: Value = serde_json::from_str(POLICY).unwrap();
    cut["frameworks"][2]["commitment"] = 150.into();
    let stale = json!({ "reason": "cut", "document": cut });
    let r = app
        .api(reqwest::Method::PUT, Role::Administrator, "/api/v1/policy")
        .json(&stale)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CONFLICT,
        "a change without the current version is stale"
    );
    let ok = json!({ "expectedVersion": 1, "reason": "cut", "document": cut });
    let r = app
        .api(reqwest::Method::PUT, Role::Administrator, "/api/v1/policy")
        .json(&ok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let (_, versions) = app
        .get(Role::PolicyAnalyst, "/api/v1/policy/versions")
        .await;
    let v: Vec<(i64, &str)> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["version"].as_i64().unwrap(),
                v["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(v, vec![(2, "cut"), (1, "the letter's frameworks")]);
    assert_eq!(versions[0]["changedBy"], "t-administrator");
    // Only administrators change policy.
    let r = app
        .api(reqwest::Method::PUT, Role::PolicyAnalyst, "/api/v1/policy")
        .json(&ok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    app.finish().await;
}

#[tokio::test]
async fn the_norms_dashboard_lists_cases_at_risk_within_the_reader_s_scope() {
    let app = App::sqlite().await;
    let ids = app.import_example().await;
    // EGY-24C00102 (urgent, dossier) was submitted in November 2024 and is still under assessment:
    // its six-week target passed long ago.
    let (status, d) = app.get(Role::IndOfficer, "/api/v1/norms").await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let overdue: Vec<&str> = d["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["caseNumber"].as_str().unwrap())
        .collect();
    assert!(overdue.contains(&"EGY-24C00102"), "{d}");
    assert_eq!(d["cases"][0]["status"], "overdue");
    assert!(d["total"]["overdue"].as_u64().unwrap() >= 1);
    let id = ids["cases"][1]["id"].as_str().unwrap();
    assert!(d["cases"].as_array().unwrap().iter().any(|c| c["id"] == id));
    // The municipality sees none of these families (none housed with it in the pipeline).
    let (_, m) = app.get(Role::MunicipalityOfficer, "/api/v1/norms").await;
    assert_eq!(m["cases"].as_array().unwrap().len(), 0);
    let (status, bad) = app
        .get(Role::IndOfficer, "/api/v1/norms?status=soon&hostCountry=XX")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["errors"].as_array().unwrap().len(), 2);
    let csv = app
        .api(
            reqwest::Method::GET,
            Role::CoaOfficer,
            "/api/v1/norms?format=csv",
        )
        .send()
        .await
        .unwrap();
    assert!(csv.text().await.unwrap().contains("EGY-24C00102"));
    let (status, page) = app.page(Role::CoaOfficer, "/norms").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("EGY-24C00102") && page.contains("Verlopen"));
    app.finish().await;
}

/// Asserts that a Dutch page names each refusal in Dutch and none in English.
fn says_in_dutch(page: &str, dutch: &[&str], english: &[&str]) {
    for d in dutch {
        assert!(page.contains(d), "lacks «{d}»: {page}");
    }
    for e in english {
        assert!(!page.contains(e), "English «{e}» on a Dutch page: {page}");
    }
}

#[tokio::test]
async fn filters_the_policy_editor_and_the_account_form_refuse_in_dutch() {
    let app = App::sqlite().await;
    load_policy(&app).await;
    // The case list's filters.
    let (status, page) = app
        .page(
            Role::CoaOfficer,
            "/cases?state=lost&year=abc&pageSize=9999&cursor=x",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    says_in_dutch(
        &page,
        &[
            "is geen van: submitted",
            "is geen jaar van 1984 tot en met 2100",
            "is geen heel getal van 1 tot en met 500",
            "deze vervolgverwijzing is onleesbaar",
        ],
        &["is not one of", "is not a year", "whole number"],
    );
    let (_, page) = app
        .page(Role::CoaOfficer, "/cases?page=201&pageSize=50")
        .await;
    says_in_dutch(
        &page,
        &["pagina 201 ligt voorbij de eerste 10000 treffers"],
        &["lies beyond"],
    );
    // The norms dashboard, the forecast and the audit search.
    let (_, page) = app
        .page(Role::IndOfficer, "/norms?asOf=juni&status=soon&mission=x")
        .await;
    says_in_dutch(
        &page,
        &[
            "is geen datum in de vorm JJJJ-MM-DD",
            "is geen van: at-risk-or-overdue",
            "is geen missie-id",
        ],
        &["is not"],
    );
    let (_, page) = app
        .page(Role::PolicyAnalyst, "/forecast?cancel=XYZ&runs=0")
        .await;
    says_in_dutch(
        &page,
        &[
            "is geen landcode van drie letters",
            "is geen heel getal van 1 tot en met 20000",
        ],
        &["is not"],
    );
    let (_, page) = app
        .page(
            Role::Administrator,
            "/admin/audit?from=gisteren&result=x&page=999&pageSize=veel",
        )
        .await;
    says_in_dutch(
        &page,
        &[
            "is geen datum in de vorm JJJJ-MM-DD",
            "is geen van: ok",
            "is geen heel getal van 1 tot en met 500",
            "pagina 999 ligt voorbij",
        ],
        &["is not", "lies beyond"],
    );
    // The policy editor: a document that is not JSON, then one that breaks the rules.
    let (status, page) = app
        .form(
            Role::Administrator,
            "/policy",
            &[("expectedVersion", "1"), ("document", "{"), ("reason", "x")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    says_in_dutch(
        &page,
        &["geen geldige JSON voor het beleid (regel 1, kolom 1"],
        &["not valid"],
    );
    let mut doc: Value = serde_json::from_str(POLICY).unwrap();
    doc["frameworks"][0]["end"] = "2019-01-01".into();
    doc["allocationPlans"][0]["framework"] = "nergens".into();
    let (status, page) = app
        .form(
            Role::Administrator,
            "/policy",
            &[
                ("expectedVersion", "1"),
                ("document", &doc.to_string()),
                ("reason", " "),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    says_in_dutch(
        &page,
        &[
            "frameworks[0].end: het einde 1 jan 2019 ligt vóór het begin 1 jan 2020",
            "er is geen beleidskader",
            "zeg waarom het beleid verandert",
        ],
        &["lies before", "say why", "there is no"],
    );
    // A stale version: someone else saved first.
    let (status, page) = app
        .form(
            Role::Administrator,
            "/policy",
            &[
                ("expectedVersion", "0"),
                ("document", POLICY),
                ("reason", "again"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    says_in_dutch(&page, &["iemand anders heeft dit gewijzigd"], &["changed"]);
    // The account form.
    let (status, page) = app
        .form(
            Role::Administrator,
            "/admin/users",
            &[
                ("username", "A B"),
                ("display_name", "Anna de Boer"),
                ("role", "municipality-officer"),
                ("password", "kort"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    says_in_dutch(&page, &["is geen gebruikersnaam"], &["is not a user name"]);
    let (_, page) = app
        .form(
            Role::Administrator,
            "/admin/users",
            &[
                ("username", "aboer"),
                ("display_name", "Anna de Boer"),
                ("role", "municipality-officer"),
                ("password", "kort"),
            ],
        )
        .await;
    says_in_dutch(
        &page,
        &[
            "het wachtwoord moet ten minste 12 tekens hebben",
            "vraagt een organisatie",
        ],
        &["must have", "needs an organisation"],
    );
    app.finish().await;
}

/// The page as Chromium prints it (`--print-to-pdf`), as text (`pdftotext
/// -layout`, one string per page). The page is fetched with the analyst's
/// session and printed from a file whose `<base>` is the server, so the
/// style sheet is the served one.
async fn printed(app: &App, role: Role, lang: &str, path: &str) -> Vec<String> {
    use support::browser::CHROMIUM;
    for needed in [CHROMIUM, "/usr/bin/pdftotext"] {
        if !std::path::Path::new(needed).exists() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install chromium and poppler-utils: {needed} is missing"
            );
            panic!("{needed} is missing (apt-get install chromium poppler-utils)");
        }
    }
    let html = page_in(app, role, lang, path).await;
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    let base = format!("<head><base href=\"{}\">", app.url("/"));
    std::fs::write(&page, html.replacen("<head>", &base, 1)).unwrap();
    let pdf = dir.path().join("page.pdf");
    // On a blocking thread: the server runs on this test's runtime and must
    // answer the browser's request for the style sheet meanwhile.
    let mut chromium = std::process::Command::new(CHROMIUM);
    chromium
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            // Chromium's own header and footer (date, address) are off: the
            // page numbers must come from the style sheet.
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()));
    let out = tokio::task::spawn_blocking(move || chromium.output())
        .await
        .unwrap()
        .unwrap();
    assert!(
        pdf.exists(),
        "no PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(text.status.success());
    String::from_utf8(text.stdout)
        .unwrap()
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn the_printed_report_for_parliament_has_only_the_report_and_numbered_pages() {
    let app = demo_app().await;
    load_policy(&app).await;
    for (lang, title, menu, running) in [
        (
            "nl",
            "Beleidskaders hervestiging",
            [
                "Uitloggen",
                "Naar de inhoud",
                "Wachtwoord wijzigen",
                "Geen echte personen",
            ],
            "loopt nog tot en met",
        ),
        (
            "en",
            "Resettlement frameworks",
            [
                "Log out",
                "Skip to content",
                "Change password",
                "No real persons",
            ],
            "runs until",
        ),
    ] {
        let pages = printed(&app, Role::PolicyAnalyst, lang, "/reports/frameworks/print").await;
        let all = pages.join("\n");
        assert!(all.contains(title), "{lang}: {all}");
        // The framework still running on the business day is not "not met".
        assert!(all.contains(running), "{lang}: {all}");
        for word in menu {
            assert!(
                !all.contains(word),
                "{lang}: the menu's {word:?} is printed: {all}"
            );
        }
        assert!(
            !all.contains("Test policy-analyst"),
            "{lang}: the user's name is printed"
        );
        let n = pages.len();
        assert!(n >= 2, "{lang}: {n} pages");
        for (i, p) in pages.iter().enumerate() {
            // "1 / 2" at the foot (pdftotext may close up the spaces).
            let number = format!("{}/{n}", i + 1);
            let last = p.lines().rev().find(|l| !l.trim().is_empty());
            assert!(
                last.is_some_and(|l| l.split_whitespace().collect::<String>() == number),
                "{lang}: page {} does not end with its number {number:?}: {p}",
                i + 1
            );
        }
    }
    app.finish().await;
}

/// A page links only where its reader may go: the reports page (COA reads
/// reports but not the policy) and the norms dashboard (UNHCR reads norms
/// of its cases but not missions). Found by walking every page as each role.
#[tokio::test]
async fn report_and_norm_pages_link_only_to_pages_the_reader_may_open() {
    let app = demo_app().await;
    load_policy(&app).await;
    for role in [
        Role::CoaOfficer,
        Role::IndOfficer,
        Role::PolicyAnalyst,
        Role::UnhcrLiaison,
    ] {
        for page in ["/reports", "/norms"] {
            let (status, html) = app.page(role, page).await;
            if status != StatusCode::OK {
                continue;
            }
            let links: std::collections::BTreeSet<&str> = html
                .split("href=\"")
                .skip(1)
                .filter_map(|rest| rest.split('"').next())
                .filter(|h| h.starts_with("/policy") || h.starts_with("/missions/"))
                .collect();
            for link in links.into_iter().take(5) {
                let (status, _) = app.page(role, &link.replace("&amp;", "&")).await;
                assert_eq!(status, StatusCode::OK, "{role} on {page} is sent to {link}");
            }
        }
    }
    app.finish().await;
}

/// A page as `role` sees it in `lang` (the language cookie).
async fn page_in(app: &App, role: Role, lang: &str, path: &str) -> String {
    let r = app
        .client
        .get(app.url(path))
        .header(
            "cookie",
            format!(
                "resettle_session={}; lang={lang}",
                app.sessions[&role].cookie
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.unwrap()
}

/// The policy's texts are Dutch, with English beside them (`nameEn`,
/// `reasonEn`, `noteEn`): English pages and exports show the English,
/// Dutch ones the Dutch.
#[tokio::test]
async fn policy_texts_follow_the_language_of_the_page() {
    let app = App::sqlite().await;
    load_policy(&app).await;
    let (dutch, english) = (
        [
            "Beleidskader hervestiging 2020-2023",
            "Relocatie van 100 kwetsbare mensen uit Griekenland",
        ],
        [
            "Resettlement policy framework 2020-2023",
            "Relocation of 100 vulnerable people from Greece",
        ],
    );
    let print = "/reports/frameworks/print";
    let nl = page_in(&app, Role::PolicyAnalyst, "nl", print).await;
    let en = page_in(&app, Role::PolicyAnalyst, "en", print).await;
    for (d, e) in dutch.iter().zip(&english) {
        assert!(nl.contains(d) && !nl.contains(e), "nl lacks {d}: {nl}");
        assert!(en.contains(e) && !en.contains(d), "en lacks {e}: {en}");
    }
    // The page as read, without the editor (which holds the whole document).
    let shown = |page: String| page.split("action=\"/policy\"").next().unwrap().to_string();
    let nl = shown(page_in(&app, Role::Administrator, "nl", "/policy").await);
    let en = shown(page_in(&app, Role::Administrator, "en", "/policy").await);
    assert!(
        nl.contains("Quotum verlaagd van 500 naar 200") && !nl.contains("Quota lowered"),
        "{nl}"
    );
    assert!(en.contains("Quota lowered from 500 to 200") && !en.contains("Quotum verlaagd"));
    assert!(en.contains("because of the reception crisis"), "{en}");
    let csv = |lang: &'static str| {
        let path = format!("/reports/eu?format=csv&lang={lang}");
        let app = &app;
        async move { app.page(Role::PolicyAnalyst, &path).await.1 }
    };
    assert!(
        csv("en")
            .await
            .contains("500 a year under the EU-Turkey Statement")
    );
    assert!(
        csv("nl")
            .await
            .contains("500 per jaar onder de EU-Turkije Verklaring")
    );
    app.finish().await;
}

//! In a real Chromium (Debian's chromium and chromium-driver): every role logs
//! in through the form, sees exactly its own menu and data, and a municipality
//! officer fails to open another municipality's family.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use fantoccini::Locator;
use resettle_domain::Role;
use resettle_web::auth::secrets::totp_code;
use support::App;
use support::browser::{browser, driver, log_in, log_out};
use time::OffsetDateTime;

/// Every link of the page's menu, as paths (the language switch's return
/// address left out: it is the page's own).
async fn menu(c: &fantoccini::Client) -> Vec<String> {
    let mut out = Vec::new();
    for a in c.find_all(Locator::Css("header nav a")).await.unwrap() {
        let href = a.attr("href").await.unwrap().unwrap_or_default();
        out.push(href.split('?').next().unwrap_or_default().to_string());
    }
    out
}

/// The links every signed-in menu ends with.
const EVERYONE: [&str; 3] = ["/api-reference", "/language", "/account/password"];

/// The page's main heading.
async fn h1(c: &fantoccini::Client) -> String {
    c.find(Locator::Css("main h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn every_role_logs_in_and_sees_exactly_its_menu_and_data() {
    let Some(driver) = driver().await else { return };
    let app = App::sqlite().await;
    let imported = app.import_example().await;
    let other_family = imported["cases"][1]["id"].as_str().unwrap().to_string();

    // The test accounts of App have no second factor; an administrator must have one.
    let secret = app
        .admin_with_second_factor("browser-admin", "a long test password")
        .await;

    // Each role's menu in full, in the order shown (then the links of EVERYONE).
    let expectations: &[(Role, &str, &[&str], Option<&str>)] = &[
        (
            Role::UnhcrLiaison,
            "t-unhcr-liaison",
            &[
                "/cases",
                "/norms",
                "/submissions",
                "/submission-requests",
                "/country-policy-notes",
            ],
            Some("3 zaken gevonden"),
        ),
        (
            Role::IndOfficer,
            "t-ind-officer",
            &[
                "/cases",
                "/norms",
                "/family-reunification",
                "/missions",
                "/holds",
                "/country-policy-notes",
                "/reports",
                "/forecast",
                "/policy",
            ],
            Some("3 zaken gevonden"),
        ),
        (
            Role::CoaOfficer,
            "t-coa-officer",
            &[
                "/cases",
                "/norms",
                "/family-reunification",
                "/missions",
                "/holds",
                "/country-policy-notes",
                "/reports",
                "/forecast",
                "/placement",
            ],
            Some("3 zaken gevonden"),
        ),
        (
            Role::MunicipalityOfficer,
            "t-municipality-officer",
            &["/cases", "/norms", "/family-reunification"],
            Some("Eén zaak gevonden"),
        ),
        (
            Role::IntegrationOrganisation,
            "t-integration-organisation",
            &["/cases", "/norms"],
            Some("Eén zaak gevonden"),
        ),
        (
            Role::PolicyAnalyst,
            "t-policy-analyst",
            &[
                "/missions",
                "/holds",
                "/country-policy-notes",
                "/reports",
                "/forecast",
                "/policy",
            ],
            None,
        ),
        (
            Role::Administrator,
            "browser-admin",
            &[
                "/missions",
                "/holds",
                "/country-policy-notes",
                "/policy",
                "/admin/users",
                "/admin/audit",
            ],
            None,
        ),
    ];
    let c = browser(&driver).await;
    // Dutch through the language switch (the browser's own language is English).
    c.goto(&app.url("/language?lang=nl&back=/login"))
        .await
        .unwrap();
    for (role, user, expected_menu, cases) in expectations {
        let code = (*role == Role::Administrator).then(|| {
            totp_code(
                &secret,
                u64::try_from(OffsetDateTime::now_utc().unix_timestamp()).unwrap(),
            )
            .unwrap()
        });
        log_in(&c, &app, user, "a long test password", code.as_deref()).await;
        let full: Vec<&str> = expected_menu.iter().chain(&EVERYONE).copied().collect();
        assert_eq!(menu(&c).await, full, "{role}: menu");
        match cases {
            Some(count) => {
                c.goto(&app.url("/cases")).await.unwrap();
                let page = c.source().await.unwrap();
                assert!(page.contains(count), "{role}: expected '{count}'");
            }
            None => {
                c.goto(&app.url("/cases")).await.unwrap();
                assert_eq!(
                    h1(&c).await,
                    "Geen toegang (403)",
                    "{role} must not see cases"
                );
            }
        }
        if *role == Role::MunicipalityOfficer {
            c.goto(&app.url(&format!("/cases/{other_family}")))
                .await
                .unwrap();
            let page = c.source().await.unwrap();
            assert_eq!(
                h1(&c).await,
                "Pagina niet gevonden",
                "another municipality's family"
            );
            assert!(!page.contains("Yusuf"), "another municipality's family");
        }
        if *role == Role::Administrator {
            c.goto(&app.url("/admin/audit")).await.unwrap();
            assert!(
                c.source().await.unwrap().contains("Zaak ingezien"),
                "the audit page lists case reads"
            );
        }
        log_out(&c, &app).await;
    }
    c.close().await;
    app.finish().await;
}

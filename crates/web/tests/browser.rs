//! In a real Chromium (Debian's chromium and chromium-driver): every role logs
//! in through the form, sees exactly its own menu and data, and a municipality
//! officer fails to open another municipality's family.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use fantoccini::{ClientBuilder, Locator};
use resettle_domain::Role;
use resettle_web::auth::secrets::totp_code;
use std::process::{Child, Command, Stdio};
use support::App;
use time::OffsetDateTime;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn driver() -> Option<Driver> {
    if !std::path::Path::new(CHROMEDRIVER).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium-driver: {CHROMEDRIVER} is missing"
        );
        eprintln!(
            "SKIPPED browser test: {CHROMEDRIVER} is not installed (apt-get install chromium chromium-driver)"
        );
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Owned by the guard at once, so the process is reaped on every path.
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Some(driver);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("chromedriver did not start");
}

async fn browser(driver: &Driver) -> fantoccini::Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--lang=nl"]
        }),
    );
    ClientBuilder::native()
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("cannot start Chromium")
}

/// The menu links of the page, as paths.
async fn menu(c: &fantoccini::Client) -> Vec<String> {
    let mut out = Vec::new();
    for a in c.find_all(Locator::Css("header nav a")).await.unwrap() {
        let href = a.attr("href").await.unwrap().unwrap_or_default();
        if href.starts_with("/cases") || href.starts_with("/admin") {
            out.push(href);
        }
    }
    out
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

    let expectations: &[(Role, &str, &[&str], Option<&str>)] = &[
        (
            Role::UnhcrLiaison,
            "t-unhcr-liaison",
            &["/cases"],
            Some("3 zaken gevonden"),
        ),
        (
            Role::IndOfficer,
            "t-ind-officer",
            &["/cases"],
            Some("3 zaken gevonden"),
        ),
        (
            Role::CoaOfficer,
            "t-coa-officer",
            &["/cases"],
            Some("3 zaken gevonden"),
        ),
        (
            Role::MunicipalityOfficer,
            "t-municipality-officer",
            &["/cases"],
            Some("Eén zaak gevonden"),
        ),
        (
            Role::IntegrationOrganisation,
            "t-integration-organisation",
            &["/cases"],
            Some("Eén zaak gevonden"),
        ),
        (Role::PolicyAnalyst, "t-policy-analyst", &[], None),
        (
            Role::Administrator,
            "browser-admin",
            &["/admin/users", "/admin/audit"],
            None,
        ),
    ];
    let c = browser(&driver).await;
    // Dutch through the language switch (the browser's own language is English).
    c.goto(&app.url("/language?lang=nl&back=/login"))
        .await
        .unwrap();
    for (role, user, expected_menu, cases) in expectations {
        c.goto(&app.url("/login")).await.unwrap();
        c.find(Locator::Id("username"))
            .await
            .unwrap()
            .send_keys(user)
            .await
            .unwrap();
        c.find(Locator::Id("password"))
            .await
            .unwrap()
            .send_keys("a long test password")
            .await
            .unwrap();
        if *role == Role::Administrator {
            let code = totp_code(
                &secret,
                u64::try_from(OffsetDateTime::now_utc().unix_timestamp()).unwrap(),
            )
            .unwrap();
            c.find(Locator::Id("code"))
                .await
                .unwrap()
                .send_keys(&code)
                .await
                .unwrap();
        }
        c.find(Locator::Css("form.login button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let waited = c
            .wait()
            .at_most(std::time::Duration::from_secs(10))
            .for_element(Locator::Css("li.account"))
            .await;
        assert!(
            waited.is_ok(),
            "{role}: not logged in:\n{}",
            c.source().await.unwrap()
        );
        assert_eq!(menu(&c).await, *expected_menu, "{role}: menu");
        match cases {
            Some(count) => {
                c.goto(&app.url("/cases")).await.unwrap();
                let page = c.source().await.unwrap();
                assert!(page.contains(count), "{role}: expected '{count}'");
            }
            None => {
                c.goto(&app.url("/cases")).await.unwrap();
                assert!(
                    c.source().await.unwrap().contains("403"),
                    "{role} must not see cases"
                );
            }
        }
        if *role == Role::MunicipalityOfficer {
            c.goto(&app.url(&format!("/cases/{other_family}")))
                .await
                .unwrap();
            let page = c.source().await.unwrap();
            assert!(
                page.contains("Pagina niet gevonden") && !page.contains("Yusuf"),
                "another municipality's family"
            );
        }
        if *role == Role::Administrator {
            c.goto(&app.url("/admin/audit")).await.unwrap();
            assert!(
                c.source().await.unwrap().contains("read-case"),
                "the audit page lists case reads"
            );
        }
        c.goto(&app.url("/")).await.unwrap();
        c.find(Locator::Css("li.account button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let out = c
            .wait()
            .at_most(std::time::Duration::from_secs(10))
            .for_element(Locator::Css("form.login"))
            .await;
        assert!(out.is_ok(), "{role}: logged out");
    }
    c.close().await.unwrap();
    app.finish().await;
}

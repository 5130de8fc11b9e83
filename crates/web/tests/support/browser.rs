//! Shared helpers of the real-browser tests: chromedriver on a free port, a
//! headless Chromium with a fresh profile, logging in through the form or
//! with a role's prepared session, the language switch, and axe-core.

use super::App;
use fantoccini::{Client, ClientBuilder, Locator};
use resettle_domain::Role;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// axe.min.js as `npm ci --prefix crates/web/tests/axe` installs it (.ci/run).
pub const AXE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/axe/node_modules/axe-core/axe.min.js"
);

/// How long a page may take to answer an action in the browser.
pub const WAIT: Duration = Duration::from_secs(20);

/// chromedriver on a free port, stopped when dropped.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts chromedriver; without it the test is skipped, except under `CI`,
/// where a missing browser fails the test.
pub async fn driver() -> Option<Driver> {
    for needed in [CHROMEDRIVER, CHROMIUM] {
        if !std::path::Path::new(needed).exists() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install chromium and chromium-driver: {needed} is missing"
            );
            eprintln!(
                "SKIPPED browser test: {needed} is not installed (apt-get install chromium chromium-driver)"
            );
            return None;
        }
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
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Some(driver);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("chromedriver did not start");
}

/// A headless Chromium with a fresh profile (removed when dropped). The
/// machine's network is closed: nothing in the browser may call out.
pub struct Browser {
    pub c: Client,
    _profile: tempfile::TempDir,
}

impl std::ops::Deref for Browser {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.c
    }
}

impl Browser {
    pub async fn close(self) {
        self.c.close().await.unwrap();
    }
}

pub async fn browser(driver: &Driver) -> Browser {
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--lang=nl", "--window-size=1280,900",
                     format!("--user-data-dir={}", profile.path().display())]
        }),
    );
    let c = ClientBuilder::native()
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("cannot start Chromium");
    Browser {
        c,
        _profile: profile,
    }
}

/// Logs in through the login form (username, password and, for an account
/// with a second factor, the code) and waits for the signed-in header.
pub async fn log_in(c: &Client, app: &App, user: &str, password: &str, code: Option<&str>) {
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
        .send_keys(password)
        .await
        .unwrap();
    if let Some(code) = code {
        c.find(Locator::Id("code"))
            .await
            .unwrap()
            .send_keys(code)
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
        .at_most(WAIT)
        .for_element(Locator::Css("li.account"))
        .await;
    assert!(
        waited.is_ok(),
        "{user}: not logged in:\n{}",
        c.source().await.unwrap()
    );
}

/// Logs out with the header's button and waits for the login form.
pub async fn log_out(c: &Client, app: &App) {
    c.goto(&app.url("/accessibility")).await.unwrap();
    c.find(Locator::Css("li.account button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let out = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("form.login"))
        .await;
    assert!(out.is_ok(), "not logged out");
}

/// Uses the page session that `App` prepared for `role` (no login form), or
/// none at all.
pub async fn use_session(c: &Client, app: &App, role: Option<Role>) {
    // A cookie can only be set on a page of its site.
    c.goto(&app.url("/accessibility")).await.unwrap();
    c.delete_cookie("resettle_session").await.unwrap();
    if let Some(role) = role {
        // Set by the page: WebDriver's "add cookie" is refused by Chromium
        // for a site on 127.0.0.1.
        c.execute(
            "document.cookie = 'resettle_session=' + arguments[0] + '; path=/; SameSite=Strict';",
            vec![serde_json::json!(app.sessions[&role].cookie)],
        )
        .await
        .unwrap();
    }
}

/// The language of the shown page (`<html lang>`).
pub async fn page_language(c: &Client) -> String {
    c.execute("return document.documentElement.lang;", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Switches the interface to `lang` ("nl" or "en") with the header's language
/// link, as a user does, unless the page is in that language already.
pub async fn switch_language(c: &Client, lang: &str) {
    if page_language(c).await == lang {
        return;
    }
    c.find(Locator::Css(&format!("header nav a[hreflang='{lang}']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..200 {
        if page_language(c).await == lang {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the language switch did not show the page in {lang}");
}

/// Waits until the page that was shown when `mark_page` ran has been replaced
/// by a new, fully loaded one (after a click or a form submission).
pub async fn wait_for_new_page(c: &Client) {
    for _ in 0..400 {
        let r = c
            .execute(
                "return window.__resettleOld === undefined && document.readyState === 'complete';",
                vec![],
            )
            .await;
        if matches!(r, Ok(serde_json::Value::Bool(true))) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "no new page after the submission:\n{}",
        c.source().await.unwrap()
    );
}

/// Marks the current page, so `wait_for_new_page` can tell when it is gone.
pub async fn mark_page(c: &Client) {
    c.execute("window.__resettleOld = true;", vec![])
        .await
        .unwrap();
}

/// The axe-core script, read once per test; `None` skips the test outside CI.
pub fn axe_source() -> Option<String> {
    match std::fs::read_to_string(AXE) {
        Ok(s) => Some(s),
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install axe-core (npm ci --prefix crates/web/tests/axe): {AXE}: {e}"
            );
            eprintln!(
                "SKIPPED accessibility test: {AXE} is missing ({e}); run npm ci --prefix crates/web/tests/axe"
            );
            None
        }
    }
}

/// One WCAG violation axe found on a page.
#[derive(Debug)]
pub struct Violation {
    pub rule: String,
    pub impact: String,
    pub help: String,
    pub targets: Vec<String>,
}

/// Runs axe-core on the shown page with the WCAG 2.0 and 2.1 A and AA rules.
pub async fn axe_run(c: &Client, axe: &str) -> Vec<Violation> {
    let script = format!(
        "{axe}\n;const done = arguments[arguments.length - 1];\n\
         axe.run(document, {{ runOnly: {{ type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }}, \
           resultTypes: ['violations'] }})\n\
           .then(r => done({{ ok: r.violations.map(v => ({{ id: v.id, impact: v.impact || '', help: v.help, \
              targets: v.nodes.map(n => n.target.join(' ')) }})) }}))\n\
           .catch(e => done({{ error: String(e) }}));"
    );
    let r = c.execute_async(&script, vec![]).await.unwrap();
    if let Some(e) = r.get("error") {
        panic!("axe-core failed: {e}");
    }
    r["ok"]
        .as_array()
        .expect("axe-core answered")
        .iter()
        .map(|v| Violation {
            rule: v["id"].as_str().unwrap_or_default().to_string(),
            impact: v["impact"].as_str().unwrap_or_default().to_string(),
            help: v["help"].as_str().unwrap_or_default().to_string(),
            targets: v["targets"]
                .as_array()
                .map(|t| {
                    t.iter()
                        .map(|x| x.as_str().unwrap_or_default().to_string())
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// Clicks what `locator` finds and waits for the page it leads to.
pub async fn click_and_wait(c: &Client, locator: Locator<'_>) {
    let target = match c.find(locator).await {
        Ok(t) => t,
        Err(e) => panic!("nothing to click ({e}):\n{}", c.source().await.unwrap()),
    };
    mark_page(c).await;
    target.click().await.unwrap();
    wait_for_new_page(c).await;
}

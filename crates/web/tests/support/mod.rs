//! A server on a free port with one account, API token and page session per
//! role, over a fresh SQLite file or a fresh PostgreSQL database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

pub mod browser;

use reqwest::StatusCode;
use reqwest::redirect::Policy;
use resettle_domain::{Role, TokenId, TokenScope, User, UserId, Username};
use resettle_store::crypto::DataKeys;
use resettle_store::testing::{ScratchPostgres, postgres_url};
use resettle_store::{Accounts, SqlStore};
use resettle_web::auth::secrets::{hash_password, random_token, token_hash};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

pub const EXAMPLE: &str = include_str!("../../../../docs/import-example.json");
/// The policy of the government's letter.
pub const LETTER_POLICY: &str = include_str!("../../../../docs/policy-nl.json");

/// The letter's policy as a JSON value, to send or to change first.
pub fn letter_policy() -> Value {
    serde_json::from_str(LETTER_POLICY).unwrap()
}

/// The documented example as the API takes it: submissions without milestones.
pub fn example_submissions() -> Value {
    let mut file: Value = serde_json::from_str(EXAMPLE).unwrap();
    for s in file["submissions"].as_array_mut().unwrap() {
        s.as_object_mut().unwrap().remove("milestones");
    }
    file
}

/// The organisation each scoped test account belongs to.
pub fn organisation(role: Role) -> Option<&'static str> {
    match role {
        Role::UnhcrLiaison => Some("UNHCR"),
        Role::MunicipalityOfficer => Some("Tilburg"),
        Role::IntegrationOrganisation => Some("VluchtelingenWerk"),
        _ => None,
    }
}

pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

pub struct App {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Arc<SqlStore>,
    pub tokens: HashMap<Role, String>,
    pub sessions: HashMap<Role, Session>,
    pub data_file: Option<std::path::PathBuf>,
    /// The data keys of the store, for a second server on the same database.
    key_spec: String,
    _dir: Option<tempfile::TempDir>,
    scratch: Option<ScratchPostgres>,
}

impl App {
    pub async fn sqlite() -> App {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("web.db");
        let store = SqlStore::connect(path.to_str().unwrap()).await.unwrap();
        let mut app = App::start(store, Some(dir), None).await;
        app.data_file = Some(path);
        app
    }

    pub async fn postgres() -> Option<App> {
        let admin = postgres_url().unwrap()?;
        let scratch = ScratchPostgres::create(&admin)
            .await
            .expect("cannot reach PostgreSQL");
        let store = SqlStore::connect(&scratch.url).await.unwrap();
        Some(App::start(store, None, Some(scratch)).await)
    }

    async fn start(
        store: SqlStore,
        dir: Option<tempfile::TempDir>,
        scratch: Option<ScratchPostgres>,
    ) -> App {
        let key_spec = DataKeys::generate_spec("t1");
        let store = Arc::new(store.with_data_keys(DataKeys::parse(&key_spec).unwrap()));
        let now = OffsetDateTime::now_utc();
        let mut tokens = HashMap::new();
        let mut sessions = HashMap::new();
        for role in Role::ALL {
            let user = User {
                id: UserId::generate(),
                username: Username::parse(&format!("t-{role}")).unwrap(),
                display_name: format!("Test {role}"),
                role: *role,
                organisation: organisation(*role).map(str::to_string),
                second_factor: false,
                created_at: now,
                created_by: "test".into(),
                removed_at: None,
                last_login_at: None,
            };
            store
                .create_user(&user, &hash_password("a long test password").unwrap(), None)
                .await
                .unwrap();
            let token = random_token();
            let later = now + Duration::hours(1);
            store
                .create_token(
                    TokenId::generate(),
                    user.id,
                    &token_hash(&token),
                    TokenScope::Write,
                    now,
                    later,
                )
                .await
                .unwrap();
            tokens.insert(*role, token);
            let (cookie, csrf) = (random_token(), random_token());
            store
                .create_session(&token_hash(&cookie), user.id, &csrf, now, later)
                .await
                .unwrap();
            sessions.insert(*role, Session { cookie, csrf });
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = resettle_web::AppState::new(store.clone());
        tokio::spawn(resettle_web::serve(listener, state, std::future::pending()));
        let client = reqwest::Client::builder()
            .redirect(Policy::none())
            .build()
            .unwrap();
        App {
            base,
            client,
            store,
            tokens,
            sessions,
            data_file: None,
            key_spec,
            _dir: dir,
            scratch,
        }
    }

    /// A second server on the same PostgreSQL database, with a store (and a
    /// group writer) of its own, as a second process would have; its base URL.
    pub async fn second_server(&self) -> (String, Arc<SqlStore>) {
        let url = &self.scratch.as_ref().expect("a PostgreSQL app").url;
        let store = Arc::new(
            SqlStore::connect(url)
                .await
                .unwrap()
                .with_data_keys(DataKeys::parse(&self.key_spec).unwrap()),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = resettle_web::AppState::new(store.clone());
        tokio::spawn(resettle_web::serve(listener, state, std::future::pending()));
        (base, store)
    }

    pub async fn finish(self) {
        self.store.close().await;
        if let Some(s) = self.scratch {
            s.drop_database().await.unwrap();
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn api(&self, method: reqwest::Method, role: Role, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(&self.tokens[&role])
    }

    pub async fn get(&self, role: Role, path: &str) -> (StatusCode, Value) {
        let r = self
            .api(reqwest::Method::GET, role, path)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(
        &self,
        role: Role,
        path: &str,
        body: &Value,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let r = self
            .api(reqwest::Method::POST, role, path)
            .json(body)
            .send()
            .await
            .unwrap();
        let (status, headers) = (r.status(), r.headers().clone());
        (status, headers, r.json().await.unwrap_or(Value::Null))
    }

    /// A page as `role` sees it (session cookie).
    pub async fn page(&self, role: Role, path: &str) -> (StatusCode, String) {
        let s = &self.sessions[&role];
        let r = self
            .client
            .get(self.url(path))
            .header("cookie", format!("resettle_session={}", s.cookie))
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    /// Submits a page form as `role`, with the session's CSRF token.
    pub async fn form(
        &self,
        role: Role,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let s = &self.sessions[&role];
        let mut all: Vec<(&str, &str)> = vec![("csrf", s.csrf.as_str())];
        all.extend_from_slice(fields);
        let r = self
            .client
            .post(self.url(path))
            .header("cookie", format!("resettle_session={}", s.cookie))
            .form(&all)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    /// Submits a page form as `role` and returns the status and where it
    /// redirects to (the `Location` header), without following it.
    pub async fn form_redirect(
        &self,
        role: Role,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, Option<String>) {
        let s = &self.sessions[&role];
        let mut all: Vec<(&str, &str)> = vec![("csrf", s.csrf.as_str())];
        all.extend_from_slice(fields);
        let r = self
            .client
            .post(self.url(path))
            .header("cookie", format!("resettle_session={}", s.cookie))
            .form(&all)
            .send()
            .await
            .unwrap();
        let location = r
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        (r.status(), location)
    }

    pub async fn total(&self, role: Role) -> i64 {
        self.get(role, "/api/v1/cases").await.1["total"]
            .as_i64()
            .unwrap()
    }

    /// Creates an administrator with a second factor; returns its secret.
    pub async fn admin_with_second_factor(&self, name: &str, password: &str) -> String {
        let secret = resettle_web::auth::secrets::new_totp_secret();
        let admin = User {
            id: UserId::generate(),
            username: Username::parse(name).unwrap(),
            display_name: format!("Admin {name}"),
            role: Role::Administrator,
            organisation: None,
            second_factor: true,
            created_at: OffsetDateTime::now_utc(),
            created_by: "test".into(),
            removed_at: None,
            last_login_at: None,
        };
        self.store
            .create_user(&admin, &hash_password(password).unwrap(), Some(&secret))
            .await
            .unwrap();
        secret
    }

    /// Stores the letter's policy as the first policy version.
    pub async fn load_letter_policy(&self) {
        use resettle_store::policy::PolicyStore;
        let policy: resettle_domain::policy::PolicySet =
            serde_json::from_str(LETTER_POLICY).unwrap();
        self.store
            .save_policy(&policy, None, "t", OffsetDateTime::now_utc(), "the letter")
            .await
            .unwrap();
    }

    /// Imports the synthetic demo caseload directly into the store.
    pub async fn import_demo(&self) -> Vec<resettle_domain::NewCase> {
        use resettle_store::Store;
        let now = OffsetDateTime::now_utc();
        let ctx = resettle_domain::Context {
            occurred_on: now.date(),
            recorded_at: now,
            actor: "demo".into(),
            reason: None,
        };
        let cases = resettle_demo::generate(2026, &ctx).unwrap();
        self.store.import_cases(&cases, &|_| {}).await.unwrap();
        cases
    }

    /// Imports the documented example (with its histories) as an operator
    /// on the command line does; returns the cases as the API would.
    pub async fn import_example(&self) -> Value {
        self.import_as_operator(&serde_json::from_str(EXAMPLE).unwrap())
            .await
    }

    /// Imports a `resettle-submissions/1` file with its milestones, as the
    /// operator's command does (the API takes submissions only); returns
    /// `{"cases": [{"id", "caseNumber"}]}` in file order.
    pub async fn import_as_operator(&self, file: &Value) -> Value {
        use resettle_store::Store;
        let file: resettle_domain::import::ImportFile =
            serde_json::from_value(file.clone()).unwrap();
        let now = OffsetDateTime::now_utc();
        let ctx = resettle_domain::Context {
            occurred_on: now.date(),
            recorded_at: now,
            actor: "import".into(),
            reason: None,
        };
        let cases = resettle_domain::import::validate_file(&file, &ctx).unwrap();
        self.store.import_cases(&cases, &|_| {}).await.unwrap();
        let persons: usize = cases.iter().map(|c| c.case.persons()).sum();
        let cases: Vec<Value> = cases
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.case.id.to_string(),
                    "caseNumber": c.case.submission.case_number.to_string(),
                })
            })
            .collect();
        serde_json::json!({ "imported": cases.len(), "persons": persons, "cases": cases })
    }
}

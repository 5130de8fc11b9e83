//! The case list at scale: the real `resettle serve` on a database of a
//! million cases (the ledger benchmark's generator), its resident memory, and
//! the database's size, the latency of the case-list page and API (first page,
//! filters, deep pages) and of the ledger's reports, one client at a time and
//! then 16 at once:
//! `cargo run --release -p resettle-bench --bin scale -- --sqlite-file /tmp/scale.db \
//!     --postgres-db postgres://postgres@127.0.0.1:5432/resettle_scale`
//! A database that already holds cases is reused as it is (to compare a change).

use anyhow::{Context as _, Result, bail};
use clap::Parser;
use resettle_bench::fill;
use resettle_domain::policy::PolicySet;
use resettle_domain::{Role, TokenId, TokenScope, User, UserId, Username};
use resettle_store::policy::PolicyStore;
use resettle_store::{Accounts, SqlStore, Store};
use resettle_web::auth::secrets::{hash_password, random_token, token_hash};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// Cases to generate when the database is empty.
    #[arg(long, default_value_t = 1_000_000)]
    cases: u64,
    /// The resettle binary to serve with.
    #[arg(long, default_value = "target/release/resettle")]
    resettle: PathBuf,
    /// SQLite file (generated when missing or empty).
    #[arg(long)]
    sqlite_file: Option<PathBuf>,
    /// PostgreSQL database (generated when empty); it must exist.
    #[arg(long)]
    postgres_db: Option<String>,
    /// Timed requests per kind.
    #[arg(long, default_value_t = 200)]
    requests: usize,
    #[arg(long, default_value_t = 18094)]
    port: u16,
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    v.get(((v.len().saturating_sub(1)) as f64 * p).round() as usize)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// Resident and peak resident memory of a process, in MiB (Linux).
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The letter's policy, so that the reports have frameworks to count against.
const POLICY: &str = include_str!("../../../docs/policy-nl.json");

/// The organisation of each scoped bench account.
fn organisation(role: Role) -> Option<&'static str> {
    match role {
        Role::UnhcrLiaison => Some("UNHCR"),
        Role::MunicipalityOfficer => Some("Utrecht"),
        Role::IntegrationOrganisation => Some("VluchtelingenWerk"),
        _ => None,
    }
}

/// Fills the database when it is empty; an API token of COA's bench account
/// and a page session for every role (its home page is its worklist).
async fn prepare(url: &str, n: u64) -> Result<(String, Vec<(Role, String)>)> {
    let store = SqlStore::connect(url).await?;
    let have = store.count_cases().await?;
    if have == 0 {
        let t = Instant::now();
        fill(&store, n).await?;
        println!("generated {n} cases in {:.1} s", t.elapsed().as_secs_f64());
    } else {
        println!("reusing {have} cases");
    }
    let now = time::OffsetDateTime::now_utc();
    if store.policy().await?.is_none() {
        let policy: PolicySet = serde_json::from_str(POLICY)?;
        let t = Instant::now();
        store
            .save_policy(&policy, None, "bench", now, "bench")
            .await?;
        println!(
            "policy stored and buckets built in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    let mut token = None;
    let mut sessions = Vec::new();
    for role in Role::ALL {
        // COA's account keeps the name earlier runs gave it.
        let name = match role {
            Role::CoaOfficer => "scale-coa".to_string(),
            r => format!("scale-{r}"),
        };
        let username = Username::parse(&name)?;
        let id = match store.credentials(&username).await? {
            Some(c) => c.user.id,
            None => {
                let user = User {
                    id: UserId::generate(),
                    username,
                    display_name: format!("Scale {role}"),
                    role: *role,
                    organisation: organisation(*role).map(str::to_string),
                    second_factor: false,
                    created_at: now,
                    created_by: "bench".into(),
                    removed_at: None,
                    last_login_at: None,
                };
                store
                    .create_user(
                        &user,
                        &hash_password("a long bench password").map_err(anyhow::Error::msg)?,
                        None,
                    )
                    .await?;
                user.id
            }
        };
        if *role == Role::CoaOfficer {
            let t = random_token();
            store
                .create_token(
                    TokenId::generate(),
                    id,
                    &token_hash(&t),
                    TokenScope::Read,
                    now,
                    now + time::Duration::hours(2),
                )
                .await?;
            token = Some(t);
        }
        let session = random_token();
        store
            .create_session(
                &token_hash(&session),
                id,
                "csrf",
                now,
                now + time::Duration::hours(2),
            )
            .await?;
        sessions.push((*role, session));
    }
    store.close().await;
    Ok((token.context("no COA account")?, sessions))
}

/// The database's size on disk, in MiB (SQLite: the file and its WAL).
async fn size_mib(url: &str) -> Result<f64> {
    let bytes = if let Some(file) = url.strip_prefix("sqlite:") {
        let wal = std::fs::metadata(format!("{file}-wal")).map_or(0, |m| m.len());
        std::fs::metadata(file)?.len() + wal
    } else {
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(url).await?;
        let n: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
            .fetch_one(&mut conn)
            .await?;
        u64::try_from(n)?
    };
    Ok(bytes as f64 / (1024.0 * 1024.0))
}

/// Sends `n` requests one at a time (after five untimed ones) and prints
/// their median and 99th percentile; an error answer stops the run.
async fn timed(
    label: &str,
    name: &str,
    n: usize,
    request: impl Fn() -> reqwest::RequestBuilder,
) -> Result<()> {
    let mut times = Vec::new();
    for i in 0..n + 5 {
        let t = Instant::now();
        let r = request().send().await?;
        let status = r.status();
        let body = r.bytes().await?;
        if !status.is_success() {
            bail!(
                "{label} {name}: {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        if i >= 5 {
            times.push(t.elapsed());
        }
    }
    println!(
        "{label}: {name:<24} p50 {:>7.1} ms  p99 {:>7.1} ms  ({} requests, one at a time)",
        pct(&mut times, 0.5),
        pct(&mut times, 0.99),
        times.len()
    );
    Ok(())
}

async fn run(label: &str, url: &str, args: &Args, bin: &Path) -> Result<()> {
    let (token, sessions) = prepare(url, args.cases).await?;
    let session_of = |role: Role| {
        sessions
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
    };
    let session = session_of(Role::CoaOfficer);
    println!("{label}: database size {:.0} MiB", size_mib(url).await?);
    let dir = tempfile::tempdir()?;
    let log = std::fs::File::create(dir.path().join("serve.log"))?;
    let child = Command::new(bin)
        .args([
            "serve",
            "--database",
            url,
            "--data-key-file",
            "scale.key",
            "--listen",
            &format!("127.0.0.1:{}", args.port),
        ])
        .current_dir(dir.path())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()?;
    let server = Server(child);
    let pid = server.0.id();
    let base = format!("http://127.0.0.1:{}", args.port);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let t = Instant::now();
    loop {
        if client
            .get(format!("{base}/api/v1/health"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        if t.elapsed() > Duration::from_secs(120) {
            bail!("the server did not start");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (rss, _) = memory(pid);
    println!(
        "{label}: server up in {:.1} s, resident {rss:.1} MiB",
        t.elapsed().as_secs_f64()
    );
    // A cursor deep in the list (any position in list order will do): pages
    // past the first 10,000 cases are reached along cursors only.
    let deep = "page=2&cursor=a.2019-03-01.AAA-00C00000";
    let kinds: Vec<(String, String, bool)> = vec![
        ("API first page".into(), "/api/v1/cases".into(), true),
        (
            "API state+host filter".into(),
            "/api/v1/cases?state=arrived&hostCountry=EGY".into(),
            true,
        ),
        (
            "API year filter".into(),
            "/api/v1/cases?year=2024".into(),
            true,
        ),
        ("API page 100".into(), "/api/v1/cases?page=100".into(), true),
        (
            "API deep page (cursor)".into(),
            format!("/api/v1/cases?{deep}"),
            true,
        ),
        (
            "API 500 per page".into(),
            "/api/v1/cases?pageSize=500".into(),
            true,
        ),
        ("page first".into(), "/cases".into(), false),
        (
            "page state+host filter".into(),
            "/cases?state=arrived&hostCountry=EGY".into(),
            false,
        ),
        ("page 100".into(), "/cases?page=100".into(), false),
        ("page deep (cursor)".into(), format!("/cases?{deep}"), false),
        (
            "API report frameworks".into(),
            "/api/v1/reports/frameworks".into(),
            true,
        ),
        ("API report eu".into(), "/api/v1/reports/eu".into(), true),
        (
            "API report composition".into(),
            "/api/v1/reports/composition".into(),
            true,
        ),
        (
            "API report allocation".into(),
            "/api/v1/reports/allocation".into(),
            true,
        ),
        (
            "page report frameworks".into(),
            "/reports/frameworks".into(),
            false,
        ),
    ];
    let get = |path: &str, api: bool| {
        let r = client.get(format!("{base}{path}"));
        if api {
            r.bearer_auth(&token)
        } else {
            r.header("cookie", format!("resettle_session={session}"))
        }
    };
    // Each role's home page is its worklist.
    for role in Role::ALL {
        let session = session_of(*role);
        let request = || {
            client
                .get(format!("{base}/"))
                .header("cookie", format!("resettle_session={session}"))
        };
        let name = format!("worklist {role}");
        timed(label, &name, args.requests, request).await?;
    }
    for (name, path, api) in &kinds {
        timed(label, name, args.requests, || get(path, *api)).await?;
    }
    // 16 clients at once over the case-list requests (the reports are timed
    // above, one at a time).
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..16 {
        let (client, base, token, session) =
            (client.clone(), base.clone(), token.clone(), session.clone());
        let kinds: Vec<_> = kinds
            .iter()
            .filter(|(name, _, _)| !name.contains("report"))
            .cloned()
            .collect();
        let n = args.requests / 4;
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            for i in 0..n {
                let (_, path, api) = &kinds[(c + i) % kinds.len()];
                let r = client.get(format!("{base}{path}"));
                let r = if *api {
                    r.bearer_auth(&token)
                } else {
                    r.header("cookie", format!("resettle_session={session}"))
                };
                let t = Instant::now();
                if let Ok(resp) = r.send().await
                    && resp.status().is_success()
                    && resp.bytes().await.is_ok()
                {
                    times.push(t.elapsed());
                }
            }
            times
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.context("a client failed")?);
    }
    let (rss, peak) = memory(pid);
    println!(
        "{label}: 16 clients, mixed case-list requests: {} in {:.1} s, p50 {:.1} ms, p99 {:.1} ms",
        all.len(),
        started.elapsed().as_secs_f64(),
        pct(&mut all, 0.5),
        pct(&mut all, 0.99)
    );
    println!("{label}: server resident now {rss:.1} MiB, peak {peak:.1} MiB");
    drop(server);
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let bin = std::fs::canonicalize(&args.resettle)
        .with_context(|| format!("no binary at {}", args.resettle.display()))?;
    if let Some(file) = &args.sqlite_file {
        let url = format!("sqlite:{}", file.display());
        run("sqlite", &url, &args, &bin).await?;
    }
    if let Some(url) = &args.postgres_db {
        run("postgres", url, &args, &bin).await?;
    }
    if args.sqlite_file.is_none() && args.postgres_db.is_none() {
        bail!("give --sqlite-file and/or --postgres-db");
    }
    Ok(())
}

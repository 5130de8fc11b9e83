//! A loopback load test: 50 concurrent clients against a server on this
//! machine, mixing page loads, API reads and case transitions (COA re-housing
//! families, a transition that can repeat), on SQLite and PostgreSQL; and, in
//! the same run, the raw database's single-row transaction rate:
//! `cargo run --release -p resettle-bench --bin load -- --postgres postgres://postgres@127.0.0.1:5432/test`
//!
//! Only answers that succeed are timed; every other answer is counted as an
//! error of its kind (request, status, body), printed, and the run fails
//! when errors exceed `--max-errors-percent` of the requests.

use anyhow::Result;
use clap::Parser;
use resettle_bench::{Target, fill, fill_history};
use resettle_domain::{Role, TokenId, TokenScope, User, UserId, Username};
use resettle_store::{Accounts, SqlStore, Store};
use resettle_web::auth::secrets::{hash_password, random_token, token_hash};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// Cases in the database.
    #[arg(long, default_value_t = 20_000)]
    cases: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 50)]
    clients: usize,
    /// Rounds per client; each round is one page load, one API read and one transition.
    #[arg(long, default_value_t = 40)]
    rounds: usize,
    #[arg(long)]
    postgres: Option<String>,
    /// Errors (failed requests, unexpected statuses, unreadable bodies), in
    /// percent of the requests, above which the run fails.
    #[arg(long, default_value_t = 0.1)]
    max_errors_percent: f64,
    /// Record metrics as `serve --metrics-listen` does (the Prometheus
    /// recorder, installed before the run) and scrape the page at the end.
    #[arg(long)]
    metrics: bool,
    /// Servers on the one database, each with its own pool and group writer
    /// (as separate processes would have); clients are spread over them.
    /// More than one needs `--postgres` (SQLite has one writer per file).
    #[arg(long, default_value_t = 1)]
    servers: usize,
}

#[derive(Default)]
struct Times {
    page: Vec<Duration>,
    read: Vec<Duration>,
    write: Vec<Duration>,
    conflicts: usize,
    /// Requests that did not succeed, per kind ("page: status 500", …).
    errors: BTreeMap<String, usize>,
    /// Requests sent, whatever their answer.
    sent: usize,
}

impl Times {
    fn error(&mut self, kind: String) {
        *self.errors.entry(kind).or_default() += 1;
    }
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    v.get(((v.len().saturating_sub(1)) as f64 * p).round() as usize)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// Single-row transactions in the raw rate: enough for about a second, so
/// that one slow flush to disk does not swing the figure.
const RAW_TRANSACTIONS: usize = 6000;

async fn raw_rate(store: &SqlStore, ids: &[Vec<u8>]) -> Result<f64> {
    // The same single-row write a transition makes, without the application,
    // one after another, round the cases.
    let t = Instant::now();
    let mut n = 0usize;
    for id in ids.iter().cycle().take(RAW_TRANSACTIONS) {
        n += 1;
        let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
        let sql = match store.backend() {
            resettle_store::Backend::Sqlite => {
                format!("UPDATE cases SET version = version + 1 WHERE id = X'{hex}'")
            }
            resettle_store::Backend::Postgres => {
                format!("UPDATE cases SET version = version + 1 WHERE id = '{hex}'::uuid")
            }
        };
        store.execute_raw(&sql).await?;
    }
    Ok(n as f64 / t.elapsed().as_secs_f64())
}

async fn run(label: &str, store: SqlStore, url: Option<&str>, args: &Args) -> Result<()> {
    fill(&store, args.cases).await?;
    fill_history(&store, args.cases).await?;
    let now = time::OffsetDateTime::now_utc();
    let user = User {
        id: UserId::generate(),
        username: Username::parse("load-coa")?,
        display_name: "Load COA".into(),
        role: Role::CoaOfficer,
        organisation: None,
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
    let token = random_token();
    store
        .create_token(
            TokenId::generate(),
            user.id,
            &token_hash(&token),
            TokenScope::Write,
            now,
            now + time::Duration::hours(2),
        )
        .await?;
    let session = random_token();
    store
        .create_session(
            &token_hash(&session),
            user.id,
            "csrf",
            now,
            now + time::Duration::hours(2),
        )
        .await?;
    let ids: Vec<String> = store
        .list_cases(
            &resettle_store::CaseFilter::default(),
            resettle_store::PageRequest::new(1, 500),
        )
        .await?
        .items
        .iter()
        .map(|c| c.id.to_string())
        .collect();
    let raw_ids: Vec<Vec<u8>> = ids
        .iter()
        .filter_map(|i| i.parse::<uuid_like::Id>().ok())
        .map(|i| i.0)
        .collect();

    let store = Arc::new(store);
    let metrics = if args.metrics {
        Some(resettle_web::metrics::install()?)
    } else {
        None
    };
    let mut bases = Vec::new();
    let mut servers = Vec::new();
    for i in 0..args.servers.max(1) {
        let store = match (i, url) {
            (0, _) => store.clone(),
            (_, Some(url)) => Arc::new(SqlStore::connect(url).await?),
            (_, None) => anyhow::bail!("--servers {} needs --postgres", args.servers),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        bases.push(format!("http://{}", listener.local_addr()?));
        let state = resettle_web::AppState::new(store);
        servers.push(tokio::spawn(resettle_web::serve(
            listener,
            state,
            std::future::pending(),
        )));
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .build()?;

    // The clients run on a runtime of their own, on threads named `load-client`,
    // so the CPU the load generator takes from the two cores can be measured
    // apart from the server's (both share one process and the machine).
    let clients = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("load-client")
        .enable_all()
        .build()?;
    let cpu_before = thread_cpu()?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..args.clients {
        let (client, base, token, session) = (
            client.clone(),
            bases[c % bases.len()].clone(),
            token.clone(),
            session.clone(),
        );
        // Each client works on its own cases, so conflicts come only from the system.
        let mine: Vec<String> = ids.iter().skip(c).step_by(args.clients).cloned().collect();
        let rounds = args.rounds;
        tasks.push(clients.spawn(async move {
            let mut times = Times::default();
            for r in 0..rounds {
                let Some(id) = mine.get(r % mine.len().max(1)) else { break };
                let t = Instant::now();
                times.sent += 1;
                match client.get(format!("{base}/cases/{id}")).header("cookie", format!("resettle_session={session}")).send().await {
                    Ok(p) if p.status().is_success() => match p.text().await {
                        Ok(_) => times.page.push(t.elapsed()),
                        Err(_) => times.error("page: body".into()),
                    },
                    Ok(p) => times.error(format!("page: status {}", p.status().as_u16())),
                    Err(_) => times.error("page: request".into()),
                }
                let t = Instant::now();
                times.sent += 1;
                let case: Value = match client.get(format!("{base}/api/v1/cases/{id}")).bearer_auth(&token).send().await {
                    Ok(r) if r.status().is_success() => match r.json().await {
                        Ok(v) => {
                            times.read.push(t.elapsed());
                            v
                        }
                        Err(_) => {
                            times.error("API read: body".into());
                            continue;
                        }
                    },
                    Ok(r) => {
                        times.error(format!("API read: status {}", r.status().as_u16()));
                        continue;
                    }
                    Err(_) => {
                        times.error("API read: request".into());
                        continue;
                    }
                };
                let version = case["version"].as_i64().unwrap_or(0);
                let municipality = if r % 2 == 0 { "Utrecht" } else { "Zwolle" };
                let action = if case["state"] == "arrived" || case["state"] == "housed" {
                    json!({ "type": "house", "housing": { "type": "municipality", "municipality": municipality } })
                } else {
                    times.error(format!("API read: a case in state {}", case["state"]));
                    continue;
                };
                let body = json!({ "expectedVersion": version, "action": action });
                let t = Instant::now();
                times.sent += 1;
                match client.post(format!("{base}/api/v1/cases/{id}/transitions")).bearer_auth(&token).json(&body).send().await {
                    Ok(resp) if resp.status().as_u16() == 201 => times.write.push(t.elapsed()),
                    // Each client has its own cases: a conflict is an error of the system.
                    Ok(resp) if resp.status().as_u16() == 409 => {
                        times.conflicts += 1;
                        times.error("transition: status 409".into());
                    }
                    Ok(resp) => times.error(format!("transition: status {}", resp.status().as_u16())),
                    Err(_) => times.error("transition: request".into()),
                }
            }
            times
        }));
    }
    let mut all = Times::default();
    for t in tasks {
        let t = t.await?;
        all.page.extend(t.page);
        all.read.extend(t.read);
        all.write.extend(t.write);
        all.conflicts += t.conflicts;
        all.sent += t.sent;
        for (kind, n) in t.errors {
            *all.errors.entry(kind).or_default() += n;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu_after = thread_cpu()?;
    for server in servers {
        server.abort();
    }
    clients.shutdown_background();
    // Requests answered successfully (only those are timed).
    let requests = all.page.len() + all.read.len() + all.write.len();
    let transitions_per_s = all.write.len() as f64 / elapsed;
    println!(
        "{label}: {} server(s), metrics {}",
        bases.len(),
        if metrics.is_some() { "recorded" } else { "off" }
    );
    if let Some(handle) = &metrics {
        let scraped = Instant::now();
        let page = handle.render();
        println!(
            "{label}: metrics page {} bytes, {} samples, rendered in {:.2} ms",
            page.len(),
            page.lines()
                .filter(|l| !l.starts_with('#') && !l.is_empty())
                .count(),
            scraped.elapsed().as_secs_f64() * 1000.0
        );
    }
    println!(
        "{label}: {} clients, {requests} successful requests in {elapsed:.1} s ({:.0} req/s); transitions {} ({transitions_per_s:.0}/s), conflicts {}",
        args.clients,
        requests as f64 / elapsed,
        all.write.len(),
        all.conflicts
    );
    println!(
        "{label}: latency p50/p99 ms — page {:.1}/{:.1}, API read {:.1}/{:.1}, transition {:.1}/{:.1}",
        pct(&mut all.page, 0.5),
        pct(&mut all.page, 0.99),
        pct(&mut all.read, 0.5),
        pct(&mut all.read, 0.99),
        pct(&mut all.write, 0.5),
        pct(&mut all.write, 0.99)
    );
    let (client_cpu, process_cpu) = (cpu_after.0 - cpu_before.0, cpu_after.1 - cpu_before.1);
    println!(
        "{label}: CPU in this process {process_cpu:.1} s over {elapsed:.1} s ({:.0}% of 2 cores); load generator {client_cpu:.1} s ({:.0}% of the process, {:.0}% of 2 cores)",
        100.0 * process_cpu / (2.0 * elapsed),
        100.0 * client_cpu / process_cpu.max(f64::EPSILON),
        100.0 * client_cpu / (2.0 * elapsed),
    );
    let errors: usize = all.errors.values().sum();
    let error_percent = 100.0 * errors as f64 / all.sent.max(1) as f64;
    println!(
        "{label}: errors {errors} of {} requests ({error_percent:.2}%){}",
        all.sent,
        all.errors
            .iter()
            .map(|(kind, n)| format!("; {kind}: {n}"))
            .collect::<String>()
    );
    if error_percent > args.max_errors_percent {
        anyhow::bail!(
            "{label}: {error_percent:.2}% of the requests failed (more than {}%): the figures above are not valid",
            args.max_errors_percent
        );
    }
    let raw = raw_rate(&store, &raw_ids).await?;
    println!(
        "{label}: raw single-row update transactions {raw:.0}/s; ratio transitions/raw {:.2}",
        transitions_per_s / raw
    );
    Ok(())
}

/// CPU seconds (user + system) used so far by the load generator's threads
/// and by the whole process, from /proc (Linux; clock ticks of 1/100 s).
fn thread_cpu() -> Result<(f64, f64)> {
    let mut client = 0u64;
    for task in std::fs::read_dir("/proc/self/task")? {
        let dir = task?.path();
        let (Ok(comm), Ok(stat)) = (
            std::fs::read_to_string(dir.join("comm")),
            std::fs::read_to_string(dir.join("stat")),
        ) else {
            continue; // the thread ended meanwhile
        };
        // Fields after the command (which is in parentheses): state is the
        // first, utime and stime the 12th and 13th.
        if comm.starts_with("load-client") {
            client += cpu_ticks(&stat);
        }
    }
    // The process's own line counts threads that have ended too.
    let all = cpu_ticks(&std::fs::read_to_string("/proc/self/stat")?);
    Ok((client as f64 / 100.0, all as f64 / 100.0))
}

/// utime + stime of a /proc stat line: after the command (in parentheses)
/// the state is the first field, utime and stime the 12th and 13th.
fn cpu_ticks(stat: &str) -> u64 {
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i).and_then(|f| f.parse::<u64>().ok()))
        .sum()
}

/// Parses a UUID's text into its 16 bytes (for the raw statements).
mod uuid_like {
    pub struct Id(pub Vec<u8>);
    impl std::str::FromStr for Id {
        type Err = ();
        fn from_str(s: &str) -> Result<Self, ()> {
            let hex: String = s.chars().filter(|c| *c != '-').collect();
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(hex.get(i..i + 2).ok_or(())?, 16).map_err(|_| ()))
                .collect::<Result<Vec<u8>, ()>>()
                .map(Id)
        }
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let (target, store) = Target::sqlite().await?;
    if args.servers <= 1 {
        run("sqlite", store.clone(), None, &args).await?;
    }
    target.finish(store).await?;
    if let Some(url) = &args.postgres {
        let (target, store) = Target::postgres(url).await?;
        run("postgres", store.clone(), target.url(), &args).await?;
        target.finish(store).await?;
    }
    Ok(())
}

//! Crash safety: runs the real `resettle serve` on a SQLite demo database,
//! drives case transitions and case reads through the API with two officers'
//! tokens, kills the server with SIGKILL at random moments, restarts it, and
//! checks after every restart that
//!
//! * every acknowledged (201) transition is in the history, with its state,
//!   and its case is at that version or later;
//! * every case's version and state agree with the last entry of its history;
//! * every transition taken through the API has its audit entry (same
//!   transaction), and every acknowledged read has its `read-case` entry;
//! * `resettle audit verify` passes (the hash chain is whole);
//! * the ledger's projection equals a recomputation from cases and members,
//!   its buckets equal a regrouping of the projection under the policy in
//!   force, and every report computed from the buckets equals the same report
//!   computed on the fly.
//!
//! `scripts/crash-safety.sh` builds and runs it:
//! `target/release/crash --resettle target/release/resettle --kills 50`

use anyhow::{Context as _, Result, bail, ensure};
use clap::Parser;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use resettle_store::SqlStore;
use resettle_store::policy::PolicyStore;
use resettle_web::reports::{self, ReportName};
use serde_json::{Value, json};
use sqlx::sqlite::SqlitePoolOptions;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(Parser)]
struct Args {
    /// The resettle binary to crash.
    #[arg(long, default_value = "target/release/resettle")]
    resettle: PathBuf,
    /// How many times the server is killed.
    #[arg(long, default_value_t = 50)]
    kills: usize,
    /// Concurrent API clients.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Longest time between a start and its kill, in milliseconds (the
    /// moment is drawn uniformly from 50 ms to this).
    #[arg(long, default_value_t = 1500)]
    max_delay_ms: u64,
    /// Seed of the moments and of the clients' choices.
    #[arg(long, default_value_t = 8)]
    seed: u64,
    /// Port to listen on.
    #[arg(long, default_value_t = 18093)]
    port: u16,
    /// Control run: record one acknowledgement that never happened after the
    /// first kill, to show that the checks catch a lost write (must fail).
    #[arg(long)]
    inject_lost: bool,
    /// Keep the working directory (database, key, server logs) here instead of a temporary one.
    #[arg(long)]
    keep: Option<PathBuf>,
}

/// The officers whose tokens drive the writes.
const ACTORS: [&str; 2] = ["demo-ind", "demo-coa"];

/// An acknowledged transition.
#[derive(Debug, Clone)]
struct Ack {
    case: String,
    seq: i64,
    to: String,
}

#[derive(Default)]
struct Tally {
    acks: Vec<Ack>,
    reads: u64,
}

fn resettle(bin: &Path, dir: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new(bin)
        .args(args)
        .args([
            "--database",
            "sqlite:crash.db",
            "--data-key-file",
            "crash.key",
        ])
        .current_dir(dir)
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("cannot run {}", bin.display()))?;
    ensure!(
        out.status.success(),
        "resettle {} failed: {}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn start(bin: &Path, dir: &Path, port: u16, round: usize) -> Result<Child> {
    let log = std::fs::File::create(dir.join(format!("serve-{round}.log")))?;
    Command::new(bin)
        .args([
            "serve",
            "--database",
            "sqlite:crash.db",
            "--data-key-file",
            "crash.key",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .current_dir(dir)
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("cannot start the server")
}

async fn wait_healthy(client: &reqwest::Client, base: &str, server: &mut Child) -> Result<()> {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(60) {
        if let Some(status) = server.try_wait()? {
            bail!("the server stopped by itself at start ({status})");
        }
        if let Ok(r) = client.get(format!("{base}/api/v1/health")).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    bail!("the server did not answer within 60 s")
}

/// The body of an action the officer may take, or None for the actions that
/// end a case or lead only to its end (integration guidance), so that cases
/// stay in play: a housed family can be re-housed again and again.
fn body_for(kind: &str, rng: &mut StdRng) -> Option<Value> {
    let town = ["Utrecht", "Zwolle", "Tilburg", "Groningen"].choose(rng)?;
    Some(match kind {
        "start-assessment" | "accept" | "depart" => json!({ "type": kind }),
        "start-pre-departure" => json!({ "type": kind, "training": "digital" }),
        "arrive" => json!({ "type": kind, "permit": { "validUntil": "2031-12-31" } }),
        "house" => {
            json!({ "type": kind, "housing": { "type": "municipality", "municipality": town } })
        }
        _ => return None,
    })
}

/// One client: reads a random case with a random officer's token and takes
/// one of the actions that officer may take, until aborted.
async fn drive(
    client: reqwest::Client,
    base: String,
    tokens: Arc<Vec<String>>,
    ids: Arc<Vec<String>>,
    tally: Arc<Mutex<Tally>>,
    seed: u64,
    errors: Arc<AtomicU64>,
) {
    let mut rng = StdRng::seed_from_u64(seed);
    loop {
        let (Some(id), Some(token)) = (ids.choose(&mut rng), tokens.choose(&mut rng)) else {
            return;
        };
        let read = client
            .get(format!("{base}/api/v1/cases/{id}"))
            .bearer_auth(token)
            .send()
            .await;
        let case: Value = match read {
            Ok(r) if r.status().as_u16() == 200 => match r.json().await {
                Ok(v) => {
                    tally.lock().await.reads += 1;
                    v
                }
                Err(_) => continue,
            },
            Ok(_) => continue,
            Err(_) => {
                errors.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let choices: Vec<Value> = case["allowedActions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| body_for(a.as_str()?, &mut rng))
            .collect();
        let Some(action) = choices.choose(&mut rng) else {
            continue;
        };
        let body = json!({ "expectedVersion": case["version"], "action": action });
        let sent = client
            .post(format!("{base}/api/v1/cases/{id}/transitions"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await;
        if let Ok(r) = sent
            && r.status().as_u16() == 201
            && let Ok(v) = r.json::<Value>().await
            && let (Some(seq), Some(to)) = (
                v["transition"]["seq"].as_i64(),
                v["transition"]["to"].as_str(),
            )
        {
            tally.lock().await.acks.push(Ack {
                case: id.clone(),
                seq,
                to: to.to_string(),
            });
        }
    }
}

/// Sorted debug lines of person groups, to compare two groupings.
fn canonical(groups: &[resettle_domain::ledger::PersonGroup]) -> Vec<String> {
    let mut lines: Vec<String> = groups.iter().map(|g| format!("{g:?}")).collect();
    lines.sort();
    lines
}

/// Every check of one restart; returns a one-line summary.
async fn check(bin: &Path, dir: &Path, tally: &Tally) -> Result<String> {
    let db = dir.join("crash.db");
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect(&format!("sqlite:{}?mode=ro", db.display()))
        .await?;

    // Every acknowledged transition is in the history.
    let rows: Vec<(String, i64, String)> =
        sqlx::query_as("SELECT lower(hex(case_id)), seq, to_state FROM case_transitions")
            .fetch_all(&pool)
            .await?;
    let history: HashMap<(String, i64), String> =
        rows.into_iter().map(|(c, s, t)| ((c, s), t)).collect();
    let versions: HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>("SELECT lower(hex(id)), version FROM cases")
            .fetch_all(&pool)
            .await?
            .into_iter()
            .collect();
    for a in &tally.acks {
        let key = a.case.replace('-', "");
        match history.get(&(key.clone(), a.seq)) {
            Some(to) if *to == a.to => {}
            found => bail!(
                "LOST: acknowledged transition {} #{} to {} is missing (found {found:?})",
                a.case,
                a.seq,
                a.to
            ),
        }
        let v = versions.get(&key).copied().unwrap_or(-1);
        ensure!(
            v >= a.seq,
            "LOST: case {} is at version {v}, below acknowledged {}",
            a.case,
            a.seq
        );
    }

    // Version and state agree with the last history entry.
    let torn: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM cases c WHERE c.version <> (SELECT MAX(seq) FROM case_transitions t WHERE t.case_id = c.id) \
         OR c.state <> (SELECT to_state FROM case_transitions t WHERE t.case_id = c.id ORDER BY seq DESC LIMIT 1)",
    )
    .fetch_one(&pool)
    .await?;
    ensure!(
        torn == 0,
        "{torn} case(s) disagree with their last history entry"
    );

    // Transitions through the API and their audit entries (one transaction).
    let actors = "('demo-ind', 'demo-coa')";
    let taken: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM case_transitions WHERE actor IN {actors}"
    )))
    .fetch_one(&pool)
    .await?;
    let audited: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM audit_log WHERE actor IN {actors} AND result = 'ok' AND action IN \
         ('start-assessment', 'accept', 'start-pre-departure', 'depart', 'arrive', 'house', 'start-integration-guidance')"
    )))
    .fetch_one(&pool)
    .await?;
    ensure!(
        taken == audited,
        "{taken} transitions by the officers but {audited} audit entries of them"
    );
    ensure!(
        taken >= tally.acks.len() as i64,
        "fewer transitions ({taken}) than acknowledged ({})",
        tally.acks.len()
    );
    let reads: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM audit_log WHERE actor IN {actors} AND action = 'read-case' AND result = 'ok'"
    )))
    .fetch_one(&pool)
    .await?;
    ensure!(
        reads >= tally.reads as i64,
        "{} reads acknowledged but only {reads} read-case audit entries",
        tally.reads
    );

    // The projection equals a recomputation from cases and members.
    let recomputed = "SELECT c.id, m.nationality, c.programme, c.family_reunification_of IS NOT NULL, c.selected_on, \
         c.arrived_on, c.host_country, c.primary_category, c.priority, c.track, COUNT(*) \
         FROM cases c JOIN members m ON m.case_id = c.id GROUP BY c.id, m.nationality";
    let projection = "SELECT case_id, nationality, programme, family_reunification, selected_on, arrived_on, \
         host_country, primary_category, priority, track, persons FROM ledger_facts";
    for (a, b) in [(recomputed, projection), (projection, recomputed)] {
        let diff: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM ({a} EXCEPT {b})"
        )))
        .fetch_one(&pool)
        .await?;
        ensure!(
            diff == 0,
            "the ledger projection differs from the cases in {diff} row(s)"
        );
    }
    let facts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger_facts")
        .fetch_one(&pool)
        .await?;
    pool.close().await;

    // Buckets and reports, through the store as the server reads them.
    let store = SqlStore::connect(&format!("sqlite:{}", db.display())).await?;
    let policy = store.policy().await?.context("the demo has a policy")?;
    let kept = store.person_groups().await?;
    let fresh = store
        .person_groups_for(&policy.document.boundaries())
        .await?;
    store.close().await;
    ensure!(
        canonical(&kept) == canonical(&fresh),
        "the ledger buckets ({} groups) differ from a regrouping of the projection ({} groups)",
        kept.len(),
        fresh.len()
    );
    for name in ReportName::ALL {
        let a = reports::build(*name, &policy.document, &kept).json(false);
        let b = reports::build(*name, &policy.document, &fresh).json(false);
        ensure!(
            a == b,
            "report {} from the buckets differs from the same report on the fly",
            name.as_str()
        );
    }

    let verified = resettle(bin, dir, &["audit", "verify"])?;
    Ok(format!(
        "{} acknowledged transitions present ({taken} by the officers, {audited} audited), \
         {reads} read entries for {} acknowledged reads, projection {facts} rows = cases, \
         {} buckets = regrouping, {}",
        tally.acks.len(),
        tally.reads,
        kept.len(),
        verified
    ))
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let bin = std::fs::canonicalize(&args.resettle)
        .with_context(|| format!("no binary at {}", args.resettle.display()))?;
    let temp = tempfile::tempdir()?;
    let dir = match &args.keep {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            std::fs::canonicalize(d)?
        }
        None => temp.path().to_path_buf(),
    };
    ensure!(
        !dir.join("crash.db").exists(),
        "{} holds a crash.db already",
        dir.display()
    );
    let started = Instant::now();
    resettle(&bin, &dir, &["demo"])?;
    let tokens: Vec<String> = ACTORS
        .iter()
        .map(|u| resettle(&bin, &dir, &["tokens", "create", "--user", u]))
        .collect::<Result<_>>()?;
    let tokens = Arc::new(tokens);
    let ids = {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect(&format!("sqlite:{}", dir.join("crash.db").display()))
            .await?;
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT lower(substr(hex(id),1,8)||'-'||substr(hex(id),9,4)||'-'||substr(hex(id),13,4)||'-'||substr(hex(id),17,4)||'-'||substr(hex(id),21)) \
             FROM cases WHERE state NOT IN ('closed', 'rejected', 'withdrawn')",
        )
        .fetch_all(&pool)
        .await?;
        pool.close().await;
        Arc::new(ids)
    };
    println!(
        "demo database with {} open cases in {}; {} clients; {} kills between 50 and {} ms after start",
        ids.len(),
        dir.display(),
        args.clients,
        args.kills,
        args.max_delay_ms
    );
    let base = format!("http://127.0.0.1:{}", args.port);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let tally = Arc::new(Mutex::new(Tally::default()));
    let errors = Arc::new(AtomicU64::new(0));
    let mut rng = StdRng::seed_from_u64(args.seed);
    // Round 0 checks the fresh demo; rounds 1..=kills each follow a kill.
    for round in 0..=args.kills {
        let mut server = start(&bin, &dir, args.port, round)?;
        wait_healthy(&client, &base, &mut server).await?;
        let summary = {
            let t = tally.lock().await;
            check(&bin, &dir, &t).await
        };
        match summary {
            Ok(s) => println!("round {round}: OK — {s}"),
            Err(e) => {
                let _ = server.kill();
                let _ = server.wait();
                println!("round {round}: FAILED — {e:#}");
                bail!("crash safety failed after {round} kill(s): {e:#}");
            }
        }
        if round == args.kills {
            server.kill()?;
            server.wait()?;
            break;
        }
        let mut tasks = Vec::new();
        for _ in 0..args.clients {
            tasks.push(tokio::spawn(drive(
                client.clone(),
                base.clone(),
                tokens.clone(),
                ids.clone(),
                tally.clone(),
                rng.random(),
                errors.clone(),
            )));
        }
        let delay = rng.random_range(50..=args.max_delay_ms.max(50));
        tokio::time::sleep(Duration::from_millis(delay)).await;
        server.kill()?; // SIGKILL on Unix
        server.wait()?;
        for t in &tasks {
            t.abort();
        }
        for t in tasks {
            let _ = t.await;
        }
        if args.inject_lost && round == 0 {
            let mut t = tally.lock().await;
            let case = ids.first().cloned().unwrap_or_default();
            println!("control: recording a transition of case {case} that never happened");
            t.acks.push(Ack {
                case,
                seq: 9_999,
                to: "housed".into(),
            });
        }
    }
    let t = tally.lock().await;
    println!(
        "crash safety: {} kills survived; {} acknowledged transitions and {} acknowledged reads all present; \
         {} requests cut off by the kills; {:.0} s",
        args.kills,
        t.acks.len(),
        t.reads,
        errors.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

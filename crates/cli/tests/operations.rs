//! The server as an operations team runs it: the real `resettle` binary on a
//! throw-away PostgreSQL cluster that accepts only TLS, stopped with SIGTERM
//! under load, and kept running while its database restarts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use resettle_store::{AuditLog, SqlStore};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use support::cluster::Cluster;

const BIN: &str = env!("CARGO_BIN_EXE_resettle");
const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/import-example.json"
);

/// Runs `resettle ARGS --database URL` in `dir`; its standard output.
fn resettle(dir: &Path, url: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(BIN)
        .args(args)
        .args(["--database", url])
        .current_dir(dir)
        .output()
        .expect("the binary runs");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).to_string())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// An IND officer's API token on a database with the documented example cases.
fn prepare(dir: &Path, url: &str) -> String {
    resettle(
        dir,
        url,
        &[
            "users",
            "add",
            "ops-ind",
            "--role",
            "ind-officer",
            "--display-name",
            "Ops IND",
        ],
    )
    .unwrap();
    resettle(dir, url, &["import", "submissions", EXAMPLE]).unwrap();
    let out = resettle(dir, url, &["tokens", "create", "--user", "ops-ind"]).unwrap();
    out.lines().last().unwrap().trim().to_string()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(dir: &Path, url: &str, extra: &[&str]) -> Server {
        let port = free_port();
        let log = std::fs::File::create(dir.join(format!("serve-{port}.log"))).unwrap();
        let child = Command::new(BIN)
            .args([
                "serve",
                "--database",
                url,
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .args(extra)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn terminate(&self) {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the clients saw.
#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    unavailable: AtomicU64,
    unavailable_without_retry_after: AtomicU64,
    other: AtomicU64,
    refused_connections: AtomicU64,
    /// Milliseconds since the start of the run of the last answer other than 200.
    last_failure_ms: AtomicU64,
    /// Milliseconds since the start of the run of the last 200.
    last_ok_ms: AtomicU64,
}

/// Clients reading the cases (every acknowledged read appends an audit entry
/// through the group writer, so each read is also a write) until `stop`.
fn load(
    base: &str,
    token: &str,
    ids: &[String],
    clients: usize,
    stop: Arc<AtomicBool>,
    tally: Arc<Tally>,
    began: Instant,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..clients)
        .map(|c| {
            let (base, token, ids) = (base.to_string(), token.to_string(), ids.to_vec());
            let (stop, tally) = (stop.clone(), tally.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_secs(30))
                    .build()
                    .unwrap();
                let mut i = c;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let id = &ids[i % ids.len()];
                    let answer = client
                        .get(format!("{base}/api/v1/cases/{id}"))
                        .bearer_auth(&token)
                        .send()
                        .await;
                    let ms = u64::try_from(began.elapsed().as_millis()).unwrap();
                    match answer {
                        Ok(r) if r.status() == 200 => {
                            tally.ok.fetch_add(1, Ordering::Relaxed);
                            tally.last_ok_ms.fetch_max(ms, Ordering::Relaxed);
                        }
                        Ok(r) if r.status() == 503 => {
                            tally.unavailable.fetch_add(1, Ordering::Relaxed);
                            if !r.headers().contains_key("retry-after") {
                                tally
                                    .unavailable_without_retry_after
                                    .fetch_add(1, Ordering::Relaxed);
                            }
                            tally.last_failure_ms.fetch_max(ms, Ordering::Relaxed);
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                        Ok(r) => {
                            eprintln!("unexpected answer {}: {:?}", r.status(), r.text().await);
                            tally.other.fetch_add(1, Ordering::Relaxed);
                            tally.last_failure_ms.fetch_max(ms, Ordering::Relaxed);
                        }
                        Err(_) => {
                            // The server no longer takes connections (stopping).
                            tally.refused_connections.fetch_add(1, Ordering::Relaxed);
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                }
            })
        })
        .collect()
}

async fn case_ids(base: &str, token: &str) -> Vec<String> {
    let list: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/api/v1/cases"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!ids.is_empty());
    ids
}

/// The audit trail's length, after checking its chain.
async fn audit_entries(url: &str, dir: &Path) -> u64 {
    let key = std::fs::read_to_string(dir.join("resettle.key")).unwrap();
    let store = SqlStore::connect(url)
        .await
        .unwrap()
        .with_data_keys(resettle_store::crypto::DataKeys::parse(key.trim()).unwrap());
    let n = store
        .verify_audit()
        .await
        .unwrap()
        .expect("the audit chain verifies");
    store.close().await;
    n
}

#[test]
fn postgres_is_reached_over_verified_tls_only() {
    let cluster = Cluster::start();
    cluster.create_database("tls");
    let dir = tempfile::tempdir().unwrap();
    // The right authority: connected (the cluster refuses anything but TLS).
    resettle(
        dir.path(),
        &cluster.url("tls", &cluster.ca),
        &["users", "list"],
    )
    .unwrap();
    // Another authority: refused, saying why.
    let wrong = resettle(
        dir.path(),
        &cluster.url("tls", &cluster.wrong_ca),
        &["users", "list"],
    )
    .unwrap_err();
    assert!(
        wrong.contains("cannot open the database") && wrong.to_lowercase().contains("certificate"),
        "{wrong}"
    );
    // A name the certificate does not carry: refused under verify-full.
    let url = cluster
        .url("tls", &cluster.ca)
        .replace("localhost", "127.0.0.2");
    assert!(resettle(dir.path(), &url, &["users", "list"]).is_err());
    // Without TLS: refused by the server.
    let plain = format!(
        "postgres://postgres@localhost:{}/tls?sslmode=disable",
        cluster.port
    );
    let refused = resettle(dir.path(), &plain, &["users", "list"]).unwrap_err();
    assert!(
        refused.contains("no encryption") || refused.contains("pg_hba"),
        "{refused}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_load_finishes_every_request_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let url = "sqlite:ops.db";
    let token = prepare(dir.path(), url);
    let server = Server::start(dir.path(), url, &["--shutdown-seconds", "20"]);
    let ids = case_ids(&server.base, &token).await;
    let before = audit_entries(
        &format!("sqlite:{}", dir.path().join("ops.db").display()),
        dir.path(),
    )
    .await;

    let (stop, tally, began) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(Tally::default()),
        Instant::now(),
    );
    let clients = load(
        &server.base,
        &token,
        &ids,
        16,
        stop.clone(),
        tally.clone(),
        began,
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let acked_before_stop = tally.ok.load(Ordering::Relaxed);
    server.terminate();
    let signalled = Instant::now();
    let mut server = server;
    let status = tokio::task::spawn_blocking(move || {
        let s = server.child.wait().unwrap();
        (s, server)
    })
    .await
    .unwrap()
    .0;
    let stop_time = signalled.elapsed();
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    assert!(status.success(), "exit status after SIGTERM: {status}");
    assert!(acked_before_stop > 0, "the load ran");
    assert_eq!(
        tally.other.load(Ordering::Relaxed),
        0,
        "no request answered 5xx or other"
    );
    assert_eq!(
        tally.unavailable.load(Ordering::Relaxed),
        0,
        "no 503 from the stop"
    );
    let acked = tally.ok.load(Ordering::Relaxed);
    let after = audit_entries(
        &format!("sqlite:{}", dir.path().join("ops.db").display()),
        dir.path(),
    )
    .await;
    // Every acknowledged read has its audit entry: nothing answered was lost.
    assert!(
        after - before >= acked,
        "{acked} reads acknowledged, {} audit entries",
        after - before
    );
    eprintln!(
        "SIGTERM under load (16 clients): stopped in {} ms; {acked} reads acknowledged, {} audit entries written, 0 errors",
        stop_time.as_millis(),
        after - before
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_restart_under_load_is_answered_503_and_recovered() {
    let cluster = Cluster::start();
    cluster.create_database("restart");
    let url = cluster.url("restart", &cluster.ca);
    let dir = tempfile::tempdir().unwrap();
    let token = prepare(dir.path(), &url);
    let server = Server::start(dir.path(), &url, &[]);
    let ids = case_ids(&server.base, &token).await;
    let before = audit_entries(&url, dir.path()).await;

    let (stop, tally, began) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(Tally::default()),
        Instant::now(),
    );
    let clients = load(
        &server.base,
        &token,
        &ids,
        8,
        stop.clone(),
        tally.clone(),
        began,
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    let cluster = tokio::task::spawn_blocking(move || {
        cluster.stop();
        cluster
    })
    .await
    .unwrap();
    // While the database is away the process is alive (an orchestrator must
    // not restart it) but not ready (a load balancer sends no one to it).
    let status = |path: &'static str| {
        let base = server.base.clone();
        async move {
            reqwest::get(format!("{base}{path}"))
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(status("/api/v1/health").await, 200, "liveness");
    assert_eq!(status("/api/v1/health/ready").await, 503, "readiness");
    let cluster = tokio::task::spawn_blocking(move || {
        std::thread::sleep(Duration::from_secs(2));
        cluster.restart_after_stop();
        cluster
    })
    .await
    .unwrap();
    let back = u64::try_from(began.elapsed().as_millis()).unwrap();
    tokio::time::sleep(Duration::from_secs(6)).await;
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    let (ok, unavailable) = (
        tally.ok.load(Ordering::Relaxed),
        tally.unavailable.load(Ordering::Relaxed),
    );
    assert_eq!(
        tally.other.load(Ordering::Relaxed),
        0,
        "only 200 or 503, never a 500"
    );
    assert_eq!(
        tally
            .unavailable_without_retry_after
            .load(Ordering::Relaxed),
        0,
        "every 503 says Retry-After"
    );
    assert!(unavailable > 0, "the outage was seen");
    let last_failure = tally.last_failure_ms.load(Ordering::Relaxed);
    let recovered = last_failure.saturating_sub(back);
    assert!(
        tally.last_ok_ms.load(Ordering::Relaxed) > last_failure,
        "served again after the outage"
    );
    assert!(
        recovered < 5_000,
        "recovered {recovered} ms after the database came back"
    );
    let after = audit_entries(&url, dir.path()).await;
    assert!(
        after - before >= ok,
        "{ok} reads acknowledged, {} audit entries",
        after - before
    );
    eprintln!(
        "database restart under load (8 clients, 2 s down): {ok} reads acknowledged, {unavailable} answered 503, \
         last failure {recovered} ms after the database was back, {} audit entries",
        after - before
    );
    drop(server);
    drop(cluster);
}

/// The container image's command, read from deploy/Containerfile: its ENV,
/// ENTRYPOINT, CMD, WORKDIR, VOLUME and EXPOSE, with the volume replaced by a
/// temporary folder and the exposed ports by free ones on loopback.
struct ImageCommand {
    entrypoint: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

fn image_command(volume: &Path, ports: &[(u16, u16)]) -> ImageCommand {
    let file = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/Containerfile"
    ))
    .unwrap();
    // Instructions of the last stage (the image that runs), continuation lines joined.
    let joined = file.replace("\\\n", " ");
    let last_stage = joined.rsplit("\nFROM ").next().unwrap();
    let instruction = |name: &str| -> Vec<String> {
        last_stage
            .lines()
            .filter_map(|l| l.strip_prefix(&format!("{name} ")))
            .map(str::to_string)
            .collect()
    };
    let json = |name: &str| -> Vec<String> {
        serde_json::from_str(instruction(name).last().unwrap()).unwrap()
    };
    let data = json("VOLUME").pop().unwrap();
    assert_eq!(
        instruction("WORKDIR").last(),
        Some(&data),
        "works in its volume"
    );
    let local = |v: &str| {
        let mut v = v.replace(&data, &volume.display().to_string());
        for (inside, outside) in ports {
            v = v.replace(
                &format!("0.0.0.0:{inside}"),
                &format!("127.0.0.1:{outside}"),
            );
        }
        v
    };
    let env = instruction("ENV")
        .iter()
        .flat_map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_string(), local(v))
        })
        .collect();
    let mut entry = json("ENTRYPOINT");
    assert_eq!(entry.len(), 1);
    ImageCommand {
        entrypoint: entry.remove(0),
        args: json("CMD").iter().map(|a| local(a)).collect(),
        env,
    }
}

/// What the image runs, run without the image (no base image can be pulled on
/// this machine): the same command, environment and data folder; it starts
/// on a fresh volume, makes its key private, logs JSON, answers readiness and
/// metrics, and stops with exit 0 on its STOPSIGNAL.
#[tokio::test]
async fn the_image_s_command_runs_on_a_fresh_volume_and_stops_cleanly() {
    let volume = tempfile::tempdir().unwrap();
    let (web, metrics) = (free_port(), free_port());
    let image = image_command(volume.path(), &[(8080, web), (9090, metrics)]);
    assert!(
        image.entrypoint.ends_with("/resettle"),
        "{}",
        image.entrypoint
    );
    let log = volume.path().join("stderr.log");
    let mut command = Command::new(BIN);
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("RESETTLE_")) {
        command.env_remove(k);
    }
    let child = command
        .args(&image.args)
        .envs(image.env.iter().map(|(k, v)| (k, v)))
        .current_dir(volume.path())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut server = Server {
        child,
        base: format!("http://127.0.0.1:{web}"),
    };
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        match client
            .get(format!("{}/api/v1/health/ready", server.base))
            .send()
            .await
        {
            Ok(r) if r.status().is_success() => break,
            _ => {
                let ended = server.child.try_wait().unwrap();
                assert!(
                    ended.is_none() && started.elapsed() < Duration::from_secs(60),
                    "not ready ({ended:?}): {}",
                    std::fs::read_to_string(&log).unwrap()
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    let page = client
        .get(format!("http://127.0.0.1:{metrics}/metrics"))
        .send()
        .await
        .unwrap();
    assert!(page.status().is_success());
    assert!(page.text().await.unwrap().contains("http_requests_total"));
    // The database and the key are in the volume; the key is private.
    use std::os::unix::fs::PermissionsExt;
    let key = volume.path().join("resettle.key");
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the key file is the service's alone");
    assert!(volume.path().join("resettle.db").exists());

    server.terminate();
    let stopped = Instant::now();
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(stopped.elapsed() < Duration::from_secs(40), "no stop");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}");
    let lines = std::fs::read_to_string(&log).unwrap();
    assert!(!lines.trim().is_empty());
    for line in lines.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_ok_and(|v| v.is_object()),
            "not a JSON log line: {line}"
        );
    }
}

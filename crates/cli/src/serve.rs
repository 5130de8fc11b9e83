//! `resettle serve`, and the demo behind `--demo`: a fresh database with the
//! synthetic caseload and one account per role.

use crate::database::{DatabaseArgs, write_secret};
use crate::text::tr;
use anyhow::{Context as _, Result, bail};
use resettle_domain::{Context, Role, User, UserId, Username};
use resettle_store::placement::PlacementStore;
use resettle_store::{Accounts, SqlStore, Store};
use resettle_web::auth::secrets::{hash_password, new_totp_secret, random_token, totp_code};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use time::OffsetDateTime;

/// The files `serve --demo` creates anew at every start.
const DEMO_FILE: &str = "resettle-demo.db";
const DEMO_KEY_FILE: &str = "resettle-demo.key";
/// The policy of the government's letter, loaded with the demo as data.
const DEMO_POLICY: &str = include_str!("../../../docs/policy-nl.json");

#[derive(clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[arg(long)]
    demo: bool,
    #[arg(long, env = "RESETTLE_SECURE_COOKIES")]
    secure_cookies: bool,
    #[arg(long, env = "RESETTLE_SESSION_IDLE_MINUTES", default_value_t = 30,
          value_parser = clap::value_parser!(u16).range(5..=480))]
    session_idle_minutes: u16,
    #[arg(long, env = "RESETTLE_SHUTDOWN_SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u16).range(1..=600))]
    shutdown_seconds: u16,
    #[arg(long, env = "RESETTLE_METRICS_LISTEN")]
    metrics_listen: Option<SocketAddr>,
    #[arg(long = "trusted-proxy", value_name = "CIDR", env = "RESETTLE_TRUSTED_PROXIES",
          value_delimiter = ',', value_parser = resettle_web::client::parse_proxy)]
    trusted_proxies: Vec<resettle_web::IpNet>,
    #[arg(long, env = "RESETTLE_MAX_CONNECTIONS", default_value_t = 512,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    max_connections: u32,
}

/// Opens a database without data keys (for tools that never touch encrypted data).
pub async fn open(url: &str) -> Result<SqlStore> {
    SqlStore::connect(url).await.with_context(|| {
        tr!(
            "cannot-open-database",
            database = crate::database::shown(url)
        )
    })
}

/// Fills an empty store with the demo caseload and one account per role,
/// printing the accounts.
/// Demo municipalities with room for about the families waiting for one.
async fn fill_municipalities(store: &SqlStore, seed: u64, today: time::Date) -> Result<()> {
    let waiting = resettle_web::placement::plan(store, None, today, false).await?;
    let mut need = [0u32; 3];
    for f in &waiting.families {
        for (k, n) in need.iter_mut().enumerate() {
            *n += f.room[k];
        }
    }
    let list: Vec<resettle_store::placement::Municipality> =
        resettle_demo::municipalities::municipalities(seed, need)
            .into_iter()
            .map(|m| resettle_store::placement::Municipality {
                code: m.code.to_string(),
                name: m.name.to_string(),
                partner: m.partner,
                room: m.room,
                features: m.features,
            })
            .collect();
    store.save_municipalities(&list).await?;
    println!(
        "{}",
        tr!(
            "demo-municipalities",
            municipalities = list.len(),
            families = waiting.families.len()
        )
    );
    Ok(())
}

pub async fn fill_demo(store: &SqlStore, seed: u64) -> Result<()> {
    if store.count_cases().await? > 0 {
        bail!(tr!("demo-not-empty"));
    }
    let now = OffsetDateTime::now_utc();
    let ctx = Context {
        occurred_on: now.date(),
        recorded_at: now,
        actor: "demo".into(),
        reason: None,
    };
    let resettle_demo::Demo { cases, missions } =
        resettle_demo::generate_with_missions(seed, &ctx)?;
    let persons: usize = cases.iter().map(|c| c.case.persons()).sum();
    store.import_cases(&cases, &|_| {}).await?;
    println!(
        "{}",
        tr!("demo-caseload", cases = cases.len(), persons = persons)
    );
    let version = crate::report::load_policy(
        store,
        DEMO_POLICY,
        "the frameworks of the letter to Parliament",
    )
    .await?;
    println!("{}", tr!("demo-policy", version = version.to_string()));
    let version = crate::report::load_policy(
        store,
        &demo_policy_2026()?,
        "the demo's allocation plan for 2026 (synthetic figures)",
    )
    .await?;
    println!("{}", tr!("demo-plan", version = version.to_string()));
    fill_municipalities(store, seed, now.date()).await?;
    fill_demo_operations(store, &missions, now).await?;
    fill_demo_reunification(store, &cases, now).await?;

    // The municipality that houses most demo families, so its officer has work to see.
    let mut counts = std::collections::HashMap::<&str, usize>::new();
    for c in &cases {
        if let Some(m) = c.case.housed_municipality() {
            *counts.entry(m).or_default() += 1;
        }
    }
    let municipality = counts
        .into_iter()
        .max_by_key(|(m, n)| (*n, *m))
        .map_or("Utrecht", |(m, _)| m)
        .to_string();
    let accounts = [
        (
            "demo-unhcr",
            "Demo UNHCR liaison",
            Role::UnhcrLiaison,
            Some(resettle_demo::DEMO_OFFICE.to_string()),
        ),
        ("demo-ind", "Demo IND officer", Role::IndOfficer, None),
        ("demo-coa", "Demo COA officer", Role::CoaOfficer, None),
        (
            "demo-municipality",
            "Demo municipality officer",
            Role::MunicipalityOfficer,
            Some(municipality),
        ),
        (
            "demo-integration",
            "Demo integration organisation",
            Role::IntegrationOrganisation,
            Some("VluchtelingenWerk".into()),
        ),
        (
            "demo-analyst",
            "Demo policy analyst",
            Role::PolicyAnalyst,
            None,
        ),
        (
            "demo-admin",
            "Demo administrator",
            Role::Administrator,
            None,
        ),
    ];
    println!("{}", tr!("demo-accounts"));
    for (name, display, role, organisation) in accounts {
        let password = random_token();
        let secret = role.requires_second_factor().then(new_totp_secret);
        let user = User {
            id: UserId::generate(),
            username: Username::parse(name)?,
            display_name: display.into(),
            role,
            organisation: organisation.clone(),
            second_factor: secret.is_some(),
            created_at: now,
            created_by: "demo".into(),
            removed_at: None,
            last_login_at: None,
        };
        let hash = hash_password(&password).map_err(anyhow::Error::msg)?;
        store.create_user(&user, &hash, secret.as_deref()).await?;
        let org = organisation.map(|o| format!(" ({o})")).unwrap_or_default();
        println!("  {:<18} {password}   {role}{org}", user.username.as_str());
        if let Some(s) = secret {
            let code =
                totp_code(&s, u64::try_from(now.unix_timestamp()).unwrap_or(0)).unwrap_or_default();
            println!(
                "  {:<18} {}",
                "",
                tr!("demo-second-factor", secret = s, code = code)
            );
        }
    }
    Ok(())
}

fn remove_demo_files() -> Result<()> {
    for path in [
        DEMO_FILE.to_string(),
        format!("{DEMO_FILE}-wal"),
        format!("{DEMO_FILE}-shm"),
        DEMO_KEY_FILE.into(),
    ] {
        if Path::new(&path).exists() {
            std::fs::remove_file(&path)
                .with_context(|| tr!("cannot-remove", file = path.as_str()))?;
        }
    }
    Ok(())
}

pub async fn run(mut args: ServeArgs) -> Result<()> {
    if args.demo && args.db.database == crate::database::DEFAULT_DATABASE {
        remove_demo_files()?;
        args.db.database = format!("sqlite:{DEMO_FILE}");
        if args.db.data_key.is_none() {
            write_secret(
                Path::new(DEMO_KEY_FILE),
                &resettle_store::crypto::DataKeys::generate_spec("demo"),
            )?;
            args.db.data_key_file = DEMO_KEY_FILE.into();
        }
    }
    let store = args.db.open().await?;
    if args.demo {
        fill_demo(&store, crate::DEMO_SEED).await?;
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| tr!("cannot-listen", address = args.listen.to_string()))?;
    let addr = listener.local_addr()?;
    if let Some(at) = args.metrics_listen {
        serve_metrics(at, &store).await?;
    }
    println!(
        "{}",
        tr!(
            "serving",
            address = addr.to_string(),
            backend = format!("{:?}", store.backend())
        )
    );
    let state = resettle_web::AppState::new(Arc::new(store.clone()))
        .with_secure_cookies(args.secure_cookies)
        .with_trusted_proxies(args.trusted_proxies.clone())
        .with_limits(resettle_web::Limits {
            max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
            ..resettle_web::Limits::default()
        })
        .with_session_idle(time::Duration::minutes(i64::from(
            args.session_idle_minutes,
        )));
    let stop = Arc::new(tokio::sync::Notify::new());
    let server = resettle_web::serve(listener, state, {
        let stop = stop.clone();
        async move { stop.notified().await }
    });
    tokio::pin!(server);
    tokio::select! {
        ended = &mut server => ended?,
        () = stop_signal() => {
            let limit = std::time::Duration::from_secs(u64::from(args.shutdown_seconds));
            tracing::info!(seconds = limit.as_secs(), "stopping: no new connections; finishing the requests in flight");
            // A permit is stored if the server has not started waiting yet.
            stop.notify_one();
            if tokio::time::timeout(limit, &mut server).await.is_err() {
                tracing::warn!(seconds = limit.as_secs(), "requests were still in flight at the time limit; stopping anyway");
            }
        }
    }
    // Every answered write was committed before its answer; this closes the
    // writer and the connections.
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves at Ctrl-C or SIGTERM (how containers and systemd stop a service).
async fn stop_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot watch for SIGTERM; only Ctrl-C stops the server");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
}

/// The gauges read at each scrape of the metrics page.
struct StoreGauges(SqlStore);

impl resettle_web::metrics::Gauges for StoreGauges {
    fn refresh(&self) {
        let (open, idle) = self.0.pool_use();
        metrics::gauge!("resettle_db_pool_connections").set(f64::from(open));
        metrics::gauge!("resettle_db_pool_idle_connections").set(idle as f64);
        metrics::gauge!("resettle_group_commit_queue_jobs").set(self.0.writer_queue() as f64);
    }
}

/// Serves `/metrics` on an address of its own, in the background.
async fn serve_metrics(at: SocketAddr, store: &SqlStore) -> Result<()> {
    let handle = resettle_web::metrics::install().context(tr!("cannot-start-metrics"))?;
    let listener = tokio::net::TcpListener::bind(at)
        .await
        .with_context(|| tr!("cannot-listen-metrics", address = at.to_string()))?;
    let addr = listener.local_addr()?;
    let app = resettle_web::metrics::router(handle, Arc::new(StoreGauges(store.clone())));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the metrics address stopped");
        }
    });
    println!("{}", tr!("metrics-at", address = addr.to_string()));
    Ok(())
}

/// The letter's policy with the demo's allocation plan for 2026 added.
fn demo_policy_2026() -> Result<String> {
    let mut policy: resettle_domain::policy::PolicySet = serde_json::from_str(DEMO_POLICY)?;
    let plan: resettle_domain::policy::AllocationPlan =
        serde_json::from_str(resettle_demo::missions::ALLOCATION_PLAN_2026)
            .context(tr!("demo-plan-invalid"))?;
    policy.allocation_plans.retain(|p| p.year != plan.year);
    policy.allocation_plans.push(plan);
    Ok(serde_json::to_string(&policy)?)
}

/// Relatives left behind by some demo families, and pending
/// family-reunification applications in every state before arrival.
async fn fill_demo_reunification(
    store: &SqlStore,
    cases: &[resettle_domain::NewCase],
    now: OffsetDateTime,
) -> Result<()> {
    use resettle_store::{NewAuditEntry, Reunification};
    let entry = |action: &str, object: String| NewAuditEntry {
        at: now,
        actor: "demo".into(),
        action: action.into(),
        object,
        result: resettle_domain::audit::AuditResult::Ok,
        origin: "cli".into(),
    };
    let ctx = Context {
        occurred_on: now.date(),
        recorded_at: now,
        actor: "demo".into(),
        reason: None,
    };
    for (case, list) in resettle_demo::reunification::left_behind(cases, now.date()) {
        store
            .set_relatives_left_behind(
                case,
                0,
                &list,
                &entry("record-relatives-left-behind", format!("case {case}")),
            )
            .await?;
    }
    let policy: resettle_domain::policy::PolicySet = serde_json::from_str(DEMO_POLICY)?;
    let plans = resettle_demo::reunification::applications(cases, &policy, &ctx)?;
    for snapshots in &plans {
        let mut previous: Option<i64> = None;
        for (a, event) in snapshots {
            let object = format!("application {}", a.id);
            match previous {
                None => {
                    store
                        .create_application(a, event, &entry("apply-family-reunification", object))
                        .await?
                }
                Some(expected) => {
                    store
                        .save_application_change(
                            a,
                            expected,
                            event,
                            &entry(event.change.name(), object),
                        )
                        .await?
                }
            }
            previous = Some(a.version);
        }
    }
    println!("{}", tr!("demo-reunification", applications = plans.len()));
    Ok(())
}

/// Stores the demo's missions (with their cases and status changes) and
/// country-policy notes.
async fn fill_demo_operations(
    store: &SqlStore,
    missions: &[resettle_demo::missions::DemoMission],
    now: OffsetDateTime,
) -> Result<()> {
    use resettle_store::{NewAuditEntry, Operations};
    let entry = |action: &str, object: String| NewAuditEntry {
        at: now,
        actor: "demo".into(),
        action: action.into(),
        object,
        result: resettle_domain::audit::AuditResult::Ok,
        origin: "cli".into(),
    };
    for demo in missions {
        let mut m = demo.mission.clone();
        store
            .create_mission(&m, &entry("create-mission", format!("mission {}", m.id)))
            .await?;
        if !demo.cases.is_empty() {
            store
                .record_selections(
                    m.id,
                    &demo.cases,
                    &entry("record-selections", format!("mission {}", m.id)),
                )
                .await?;
        }
        for c in &demo.changes {
            let expected = m.version;
            m.apply(c)?;
            let action = format!("change-mission:{}", c.target());
            store
                .save_mission_change(
                    &m,
                    expected,
                    c,
                    &entry(&action, format!("mission {}", m.id)),
                )
                .await?;
        }
    }
    let notes = resettle_demo::operations::policy_notes();
    for n in &notes {
        store
            .add_policy_note(
                n,
                &entry("add-policy-note", format!("policy-note {}", n.id)),
            )
            .await?;
    }
    println!(
        "{}",
        tr!(
            "demo-operations",
            missions = missions.len(),
            notes = notes.len()
        )
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use resettle_domain::mission::{MissionStatus, plan_status};
    use resettle_domain::{Action, CaseState, Programme, Track};
    use resettle_store::Operations;
    use resettle_store::crypto::DataKeys;
    use resettle_store::policy::PolicyStore;
    use std::collections::{HashMap, HashSet};

    /// The demo looks alive: its cases belong to its missions, each mission's
    /// places used are the persons of its accepted families, missions that
    /// ended are closed (or held while a case on them is undecided), and a
    /// plan of 2026 exists with missions on it.
    #[tokio::test]
    async fn the_demo_missions_hold_their_families() {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("demo.db").display().to_string();
        let keys = DataKeys::parse(&DataKeys::generate_spec("k1")).unwrap();
        let store = SqlStore::connect(&url).await.unwrap().with_data_keys(keys);
        fill_demo(&store, crate::DEMO_SEED).await.unwrap();
        let now = OffsetDateTime::now_utc();
        let today = now.date();

        let missions = store.missions().await.unwrap();
        let mut linked = HashSet::new();
        let mut programme_of = HashMap::new();
        let mut used_somewhere = false;
        for m in &missions {
            let cases = store.mission_cases(m.id).await.unwrap();
            let mut held = 0;
            for c in &cases {
                linked.insert(c.id);
                programme_of.insert(c.id, (m.programme, m.name.clone()));
                let history = store.history(c.id).await.unwrap();
                let accepted = history.iter().rev().find_map(|t| match t.action {
                    Action::Accept { .. } => Some(true),
                    Action::Withdraw => Some(false),
                    _ => None,
                });
                if accepted == Some(true) {
                    held += c.persons;
                }
            }
            assert_eq!(m.places_used, held, "{}: places used", m.name);
            assert!(m.places_used <= m.places, "{}: over its places", m.name);
            used_somewhere |= held > 0;
            if m.ends_on < today {
                let undecided = cases
                    .iter()
                    .any(|c| matches!(c.state, CaseState::Submitted | CaseState::UnderAssessment));
                let expected: &[MissionStatus] = if undecided {
                    &[MissionStatus::Held]
                } else {
                    &[MissionStatus::Closed, MissionStatus::Cancelled]
                };
                assert!(
                    expected.contains(&m.status),
                    "{} ended on {} but is {}",
                    m.name,
                    m.ends_on,
                    m.status
                );
            }
        }
        assert!(used_somewhere, "no mission holds a family");

        let ctx = Context {
            occurred_on: today,
            recorded_at: now,
            actor: "t".into(),
            reason: None,
        };
        let cases = resettle_demo::generate(crate::DEMO_SEED, &ctx).unwrap();
        let selected: Vec<_> = cases
            .iter()
            .filter(|c| c.case.submission.track == Track::SelectionMission)
            .collect();
        assert!(!selected.is_empty());
        // Every case is on a mission of its own programme (EU-Turkey batches
        // are EU-Turkey missions).
        for c in &cases {
            if let Some((programme, mission)) = programme_of.get(&c.case.id) {
                assert_eq!(
                    *programme, c.case.submission.programme,
                    "{} on {mission}",
                    c.case.submission.case_number
                );
            }
        }
        for c in selected {
            assert!(
                linked.contains(&c.case.id),
                "{} is on the selection-mission track but on no mission",
                c.case.submission.case_number
            );
        }

        let policy = store.policy().await.unwrap().unwrap();
        let plan = policy
            .document
            .allocation_plans
            .iter()
            .find(|p| p.year == 2026)
            .expect("an allocation plan for 2026");
        let status = plan_status(2026, Some(plan), &missions);
        assert!(
            status
                .lines
                .iter()
                .any(|l| l.planned > 0 && l.on_missions > 0),
            "the plan of 2026 has missions on it: {status:?}"
        );
        // The EU-Turkey selection of 2026 stays outside the national plan:
        // no line of the plan goes below nothing for it.
        let tur = resettle_domain::CountryCode::parse("TUR").unwrap();
        assert!(
            status
                .lines
                .iter()
                .all(|l| l.host_country != Some(tur) || l.planned > 0),
            "{status:?}"
        );
        assert!(
            status
                .outside_plan
                .iter()
                .any(|o| o.programme == Programme::EuTurkey && o.places > 0),
            "{status:?}"
        );
    }
}

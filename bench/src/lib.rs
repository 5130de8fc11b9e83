//! Shared parts of the benchmarks: a database of a given size, made fast with
//! set-based SQL in the database itself (the import path is measured apart).

use anyhow::Result;
use resettle_store::testing::ScratchPostgres;
use resettle_store::{AuditLog, SqlStore, Store};

/// The product's allocator (see the `resettle` binary), so that servers the
/// benchmarks start in-process run as the product does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Where a benchmark runs.
pub enum Target {
    Sqlite(tempfile::TempDir),
    Postgres(ScratchPostgres),
}

impl Target {
    pub async fn sqlite() -> Result<(Target, SqlStore)> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("bench.db");
        let store = SqlStore::connect(&path.display().to_string()).await?;
        Ok((Target::Sqlite(dir), store))
    }

    pub async fn postgres(admin_url: &str) -> Result<(Target, SqlStore)> {
        let scratch = ScratchPostgres::create(admin_url).await?;
        let store = SqlStore::connect(&scratch.url).await?;
        Ok((Target::Postgres(scratch), store))
    }

    /// The database's address, for a second store on it (PostgreSQL only).
    pub fn url(&self) -> Option<&str> {
        match self {
            Target::Sqlite(_) => None,
            Target::Postgres(s) => Some(&s.url),
        }
    }

    pub async fn finish(self, store: SqlStore) -> Result<()> {
        store.close().await;
        if let Target::Postgres(s) = self {
            s.drop_database().await?;
        }
        Ok(())
    }
}

pub const HOSTS: &[&str] = &[
    "EGY", "LBN", "JOR", "KEN", "MYS", "RWA", "NER", "TUR", "UGA", "ETH",
];
pub const NATIONALITIES: &[&str] = &[
    "SYR", "COD", "SDN", "SSD", "ERI", "YEM", "AFG", "SOM", "ETH", "IRQ", "BDI", "CAF", "MMR",
    "PSE", "XXA", "PAK", "LBY", "NGA", "TCD", "MLI",
];
pub const CATEGORIES: &[&str] = &[
    "legal-physical-protection",
    "women-girls-at-risk",
    "children-adolescents-at-risk",
    "survivors-of-violence-torture",
    "medical-needs",
    "family-reunification",
    "lack-of-alternative-durable-solutions",
];

/// `CASE (expr) % len WHEN 0 THEN 'a' … END`: the same SQL on both engines.
fn pick(list: &[&str], expr: &str) -> String {
    let whens: String = list
        .iter()
        .enumerate()
        .map(|(i, v)| format!(" WHEN {i} THEN '{v}'"))
        .collect();
    format!("(CASE ({expr}) % {}{whens} END)", list.len())
}

/// Fills `store` with `n` (at most 1,000,000) arrived cases of four persons
/// each, spread over 2019-2026: 70% national quota, 1% family reunification,
/// 10% dossier.
pub async fn fill(store: &SqlStore, n: u64) -> Result<()> {
    let sqlite = matches!(store.backend(), resettle_store::Backend::Sqlite);
    let day = |base: &str, offset: &str| {
        if sqlite {
            format!("date('{base}', '+' || ({offset}) || ' days')")
        } else {
            format!("(DATE '{base}' + ({offset})::int)")
        }
    };
    let (seq, uuid, empty, number) = if sqlite {
        (
            format!(
                "WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {})",
                n - 1
            ),
            "randomblob(16)",
            "'[]'",
            "printf('BEN-%02dC%06d', n % 90 + 10, n)",
        )
    } else {
        (
            format!("WITH seq(n) AS (SELECT generate_series(0, {}) AS n)", n - 1),
            "gen_random_uuid()",
            "'[]'::jsonb",
            "'BEN-' || lpad(((n % 90) + 10)::text, 2, '0') || 'C' || lpad(n::text, 6, '0')",
        )
    };
    let cases = format!(
        "{seq} INSERT INTO cases (id, case_number, unhcr_reference, host_country, priority, primary_category, \
         secondary_category, programme, track, family_reunification_of, linked_cases, submitted_on, state, version, \
         last_event_on, selected_on, departed_on, arrived_on, permit, housing, guidance, closed_on, persons, \
         submitted_by_org, housed_municipality, guidance_organisation) \
         SELECT {uuid}, {number}, 'bench', {host}, \
         CASE WHEN n % 10 = 9 THEN 'urgent' ELSE 'normal' END, {category}, NULL, \
         CASE WHEN n % 10 < 7 THEN 'national-quota' ELSE 'eu-turkey' END, \
         CASE WHEN n % 10 = 9 THEN 'dossier' ELSE 'selection-mission' END, \
         CASE WHEN n % 100 = 1 THEN 'BEN-10C000000' ELSE NULL END, {empty}, {submitted}, 'arrived', 6, \
         {arrived}, {selected}, {arrived}, {arrived}, NULL, NULL, NULL, NULL, 4, 'UNHCR', NULL, NULL FROM seq",
        host = pick(HOSTS, "n"),
        category = pick(CATEGORIES, "n"),
        submitted = day("2019-01-01", "n % 2700"),
        selected = day("2019-02-01", "n % 2700"),
        arrived = day("2019-03-01", "n % 2700 + n % 120"),
    );
    store.execute_raw(&cases).await?;
    let members = format!(
        "INSERT INTO members (id, case_id, position, given_name, family_name, date_of_birth, sex, nationality, \
         relationship, documents) \
         SELECT {uuid}, c.id, k, 'Bench', 'Person', {born}, CASE WHEN k % 2 = 0 THEN 'female' ELSE 'male' END, \
         {nat}, CASE WHEN k = 0 THEN 'principal-applicant' ELSE 'child' END, {empty} \
         FROM cases c CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) ks",
        born = day("1980-01-01", "k * 3000"),
        nat = pick(
            NATIONALITIES,
            "k * 7 + CAST(substr(c.case_number, 8) AS INTEGER)"
        ),
    );
    store.execute_raw(&members).await?;
    // The ledger's projection, as import maintains it (same statement as migration 0006).
    store
        .execute_raw(
            "INSERT INTO ledger_facts SELECT c.id, m.nationality, c.programme, c.family_reunification_of IS NOT NULL, \
             c.selected_on, c.arrived_on, c.host_country, c.primary_category, c.priority, c.track, COUNT(*) \
             FROM cases c JOIN members m ON m.case_id = c.id \
             GROUP BY c.id, m.nationality, c.programme, c.family_reunification_of, c.selected_on, c.arrived_on, \
             c.host_country, c.primary_category, c.priority, c.track",
        )
        .await?;
    store.execute_raw("ANALYZE").await?;
    Ok(())
}

/// Puts a fifth of the cases back into the pipeline (under assessment,
/// selected, departed), so that a forecast has work: for the forecast benchmark.
pub async fn open_pipeline(store: &SqlStore) -> Result<()> {
    let n = "CAST(substr(case_number, 8) AS INTEGER) % 20";
    store
        .execute_raw(&format!(
            "UPDATE cases SET state = 'under-assessment', selected_on = NULL, departed_on = NULL, arrived_on = NULL \
             WHERE {n} IN (0, 1)"
        ))
        .await?;
    store
        .execute_raw(&format!("UPDATE cases SET state = 'pre-departure', departed_on = NULL, arrived_on = NULL WHERE {n} = 2"))
        .await?;
    store
        .execute_raw(&format!(
            "UPDATE cases SET state = 'departed', arrived_on = NULL WHERE {n} = 3"
        ))
        .await?;
    Ok(())
}

/// Gives every case [`fill`] made the history and the audit trail an arrived
/// case has in the product: its six transitions (submitted … arrived, which
/// is why its version is 6) and an audit entry for each case. Without them
/// the two tables start empty, and on PostgreSQL a pooled connection keeps
/// the plan it made while they were nearly empty (a sequential scan) until
/// autovacuum next analyses them, which a production database, whose tables
/// are never empty, does not see.
pub async fn fill_history(store: &SqlStore, n: u64) -> Result<()> {
    use resettle_domain::{Action, Permit, TrainingMode};
    let sqlite = matches!(store.backend(), resettle_store::Backend::Sqlite);
    let json = |action: &Action| -> Result<String> {
        let text = serde_json::to_string(action)?.replace('\'', "''");
        Ok(if sqlite {
            format!("'{text}'")
        } else {
            format!("CAST('{text}' AS jsonb)")
        })
    };
    let permit = Action::Arrive {
        permit: Permit {
            valid_until: time::macros::date!(2031 - 01 - 01),
        },
    };
    // seq, from, to, action, the day it happened (a column of the case)
    let steps = [
        (
            1,
            "NULL",
            "'submitted'",
            json(&Action::Submit)?,
            "submitted_on",
        ),
        (
            2,
            "'submitted'",
            "'under-assessment'",
            json(&Action::StartAssessment)?,
            "submitted_on",
        ),
        (
            3,
            "'under-assessment'",
            "'accepted'",
            json(&Action::Accept {
                policy_basis: None,
                place_override: None,
            })?,
            "selected_on",
        ),
        (
            4,
            "'accepted'",
            "'pre-departure'",
            json(&Action::StartPreDeparture {
                training: TrainingMode::Digital,
            })?,
            "selected_on",
        ),
        (
            5,
            "'pre-departure'",
            "'departed'",
            json(&Action::Depart)?,
            "departed_on",
        ),
        (6, "'departed'", "'arrived'", json(&permit)?, "arrived_on"),
    ];
    let recorded = if sqlite {
        "'2026-01-01T12:00:00Z'"
    } else {
        "TIMESTAMPTZ '2026-01-01 12:00:00+00'"
    };
    for (seq, from, to, action, day) in steps {
        store
            .execute_raw(&format!(
                "INSERT INTO case_transitions (case_id, seq, from_state, to_state, action, occurred_on, \
                 recorded_at, actor, reason, previous_version) \
                 SELECT id, {seq}, {from}, {to}, {action}, {day}, {recorded}, 'bench', NULL, {} FROM cases",
                seq - 1
            ))
            .await?;
    }
    let at = time::OffsetDateTime::now_utc();
    for start in (0..n).step_by(5_000) {
        let entries: Vec<resettle_store::NewAuditEntry> = (start..n.min(start + 5_000))
            .map(|i| resettle_store::NewAuditEntry {
                at,
                actor: "bench".into(),
                action: "case.import".into(),
                object: format!("bench case {i}"),
                result: resettle_domain::audit::AuditResult::Ok,
                origin: "bench".into(),
            })
            .collect();
        store.append_audit_batch(&entries).await?;
    }
    store.execute_raw("ANALYZE").await?;
    Ok(())
}

//! Policy versions and the projection the ledger counts over.

use crate::error::StoreError;
use crate::sql::{BeginWrite, LedgerLock, SqlStore, on_pool};
use async_trait::async_trait;
use resettle_domain::ledger::PersonGroup;
use resettle_domain::policy::PolicySet;
use resettle_domain::{
    CountryCode, Nationality, Programme, SubmissionCategory, SubmissionPriority, Track,
};
use serde::Serialize;
use sqlx::AssertSqlSafe;
use sqlx::types::Json;
use time::{Date, OffsetDateTime};

/// One stored version of the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyVersion {
    pub version: i64,
    pub changed_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub changed_at: OffsetDateTime,
    pub reason: String,
    pub document: PolicySet,
}

#[async_trait]
pub trait PolicyStore: Send + Sync {
    /// The policy in force (the newest version).
    async fn policy(&self) -> Result<Option<PolicyVersion>, StoreError>;
    /// Every version, newest first.
    async fn policy_versions(&self) -> Result<Vec<PolicyVersion>, StoreError>;
    /// Stores a new version, if the newest is still `expected` (None: no policy yet).
    async fn save_policy(
        &self,
        document: &PolicySet,
        expected: Option<i64>,
        changed_by: &str,
        changed_at: OffsetDateTime,
        reason: &str,
    ) -> Result<i64, StoreError>;
    /// Persons grouped by every fact the reports count by, for cases that
    /// were selected or arrived, with dates bucketed by `boundaries` and
    /// years (`resettle_domain::ledger::bucket`): the same reports, far fewer rows.
    async fn person_groups_for(&self, boundaries: &[Date]) -> Result<Vec<PersonGroup>, StoreError>;

    /// The same, read from the buckets kept for the policy in force (fast at any size).
    async fn person_groups(&self) -> Result<Vec<PersonGroup>, StoreError>;
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    version: i64,
    document: Json<PolicySet>,
    changed_by: String,
    changed_at: OffsetDateTime,
    reason: String,
}

impl From<VersionRow> for PolicyVersion {
    fn from(r: VersionRow) -> Self {
        PolicyVersion {
            version: r.version,
            changed_by: r.changed_by,
            changed_at: r.changed_at,
            reason: r.reason,
            document: r.document.0,
        }
    }
}

#[derive(sqlx::FromRow)]
struct GroupRow {
    programme: String,
    family_reunification: bool,
    selected_on: Option<Date>,
    arrived_on: Option<Date>,
    host_country: String,
    nationality: String,
    primary_category: String,
    priority: String,
    track: String,
    persons: i64,
}

impl GroupRow {
    fn into_group(self) -> Result<PersonGroup, StoreError> {
        let bad = |column: &'static str, message: String| StoreError::Corrupt {
            table: "cases",
            key: "ledger projection".into(),
            column,
            message,
        };
        Ok(PersonGroup {
            programme: Programme::parse(&self.programme)
                .map_err(|e| bad("programme", e.to_string()))?,
            family_reunification: self.family_reunification,
            selected_on: self.selected_on,
            arrived_on: self.arrived_on,
            host_country: CountryCode::parse(&self.host_country)
                .map_err(|e| bad("host_country", e.to_string()))?,
            nationality: Nationality::parse(&self.nationality)
                .map_err(|e| bad("nationality", e.to_string()))?,
            primary_category: SubmissionCategory::parse(&self.primary_category)
                .map_err(|e| bad("primary_category", e.to_string()))?,
            priority: SubmissionPriority::parse(&self.priority)
                .map_err(|e| bad("priority", e.to_string()))?,
            track: Track::parse(&self.track).map_err(|e| bad("track", e.to_string()))?,
            persons: u64::try_from(self.persons).unwrap_or(0),
        })
    }
}

/// The grouping query with dates bucketed: the latest of the first day of the
/// year and the latest boundary on or before the date. Boundaries are dates
/// from the policy, written as literals (they come from parsed `Date`s, not text).
fn grouping_sql(sqlite: bool, boundaries: &[Date]) -> String {
    let bucket = |column: &str| crate::ledger::bucket_expr(sqlite, column, boundaries);
    let (sel, arr) = (bucket("selected_on"), bucket("arrived_on"));
    format!(
        "SELECT programme, family_reunification, {sel} AS selected_on, {arr} AS arrived_on, host_country, \
         nationality, primary_category, priority, track, CAST(SUM(persons) AS BIGINT) AS persons FROM ledger_facts \
         WHERE selected_on IS NOT NULL OR arrived_on IS NOT NULL \
         GROUP BY programme, family_reunification, {sel}, {arr}, host_country, nationality, primary_category, \
         priority, track"
    )
}

#[async_trait]
impl PolicyStore for SqlStore {
    async fn policy(&self) -> Result<Option<PolicyVersion>, StoreError> {
        let row: Option<VersionRow> = on_pool!(self, pool => {
            sqlx::query_as("SELECT * FROM policy_versions ORDER BY version DESC LIMIT 1").fetch_optional(pool).await?
        });
        Ok(row.map(PolicyVersion::from))
    }

    async fn policy_versions(&self) -> Result<Vec<PolicyVersion>, StoreError> {
        let rows: Vec<VersionRow> = on_pool!(self, pool => {
            sqlx::query_as("SELECT * FROM policy_versions ORDER BY version DESC").fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(PolicyVersion::from).collect())
    }

    async fn save_policy(
        &self,
        document: &PolicySet,
        expected: Option<i64>,
        changed_by: &str,
        changed_at: OffsetDateTime,
        reason: &str,
    ) -> Result<i64, StoreError> {
        let sqlite = matches!(self.pool, crate::sql::Pool::Sqlite(_));
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM policy_versions")
                .fetch_one(&mut *tx)
                .await?;
            if newest != expected {
                return Err(StoreError::PolicyConflict { expected, newest });
            }
            let version = newest.unwrap_or(0) + 1;
            sqlx::query(
                "INSERT INTO policy_versions (version, document, changed_by, changed_at, reason) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(version)
            .bind(Json(document))
            .bind(changed_by)
            .bind(changed_at)
            .bind(reason)
            .execute(&mut *tx)
            .await?;
            tx.lock_ledger(true).await?;
            sqlx::query("DELETE FROM ledger_buckets").execute(&mut *tx).await?;
            sqlx::query(AssertSqlSafe(crate::ledger::rebuild_sql(sqlite, &document.boundaries()))).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(version)
        })
    }

    async fn person_groups(&self) -> Result<Vec<PersonGroup>, StoreError> {
        let sqlite = matches!(self.pool, crate::sql::Pool::Sqlite(_));
        let none = crate::ledger::NO_DATE;
        let date = |c: &str| {
            if sqlite {
                format!("CASE WHEN {c} = '{none}' THEN NULL ELSE {c} END")
            } else {
                format!("CASE WHEN {c} = DATE '{none}' THEN NULL ELSE {c} END")
            }
        };
        let sql = format!(
            "SELECT programme, family_reunification, {} AS selected_on, {} AS arrived_on, host_country, nationality, \
             primary_category, priority, track, persons FROM ledger_buckets WHERE persons > 0",
            date("selected_bucket"),
            date("arrived_bucket")
        );
        let rows: Vec<GroupRow> = on_pool!(self, pool => {
            sqlx::query_as(AssertSqlSafe(sql.clone())).fetch_all(pool).await?
        });
        rows.into_iter().map(GroupRow::into_group).collect()
    }

    async fn person_groups_for(&self, boundaries: &[Date]) -> Result<Vec<PersonGroup>, StoreError> {
        let sqlite = matches!(self.pool, crate::sql::Pool::Sqlite(_));
        let sql = grouping_sql(sqlite, boundaries);
        let rows: Vec<GroupRow> = on_pool!(self, pool => {
            sqlx::query_as(AssertSqlSafe(sql.clone())).fetch_all(pool).await?
        });
        rows.into_iter().map(GroupRow::into_group).collect()
    }
}

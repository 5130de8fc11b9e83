//! Family reunification in the database: the relatives each case left
//! behind, and the sponsors' applications with their history. Every write is
//! one transaction with its audit entry; a relative's arrival also writes the
//! family-reunification case the relative becomes, so the ledger counts them
//! in the same transaction (see `SqlStore::save_arrival` in `sql.rs`).

use crate::NewAuditEntry;
use crate::audit::{AuditLock, append_in_tx};
use crate::error::StoreError;
use crate::sql::{BeginWrite, SqlStore, on_pool};
use async_trait::async_trait;
use resettle_domain::reunification::{
    Application, ApplicationEvent, ApplicationId, RelativeLeftBehind, ReunificationError,
};
use resettle_domain::{CaseId, CaseNumber, CaseScope, NewCase};
use serde::Serialize;
use sqlx::types::Json;
use time::Date;

/// The relatives a case left behind, with the version to change them against
/// (0: none recorded yet).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LeftBehind {
    pub version: i64,
    pub relatives: Vec<RelativeLeftBehind>,
}

/// An application as read, with the municipality responsible for the
/// sponsor's family (where it is housed, or else assigned): the one that
/// sees the relatives coming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StoredApplication {
    #[serde(flatten)]
    pub application: Application,
    pub sponsor_municipality: Option<String>,
}

/// Which applications a list holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationFilter {
    /// The reader's scope: every application, or those of families one
    /// municipality houses; any other scope sees none.
    pub scope: CaseScope,
    /// Only applications with (`true`) or without relatives waiting for a decision.
    pub pending: Option<bool>,
    pub sponsor_case: Option<CaseId>,
}

impl ApplicationFilter {
    pub fn all() -> Self {
        Self {
            scope: CaseScope::All,
            pending: None,
            sponsor_case: None,
        }
    }
}

#[async_trait]
pub trait Reunification: Send + Sync {
    /// Replaces the relatives `case` left behind, if they are still at
    /// version `expected` (0: none yet); returns the new version.
    async fn set_relatives_left_behind(
        &self,
        case: CaseId,
        expected: i64,
        relatives: &[RelativeLeftBehind],
        audit: &NewAuditEntry,
    ) -> Result<i64, StoreError>;
    async fn relatives_left_behind(&self, case: CaseId) -> Result<LeftBehind, StoreError>;

    /// Stores a new application with its first event.
    async fn create_application(
        &self,
        application: &Application,
        event: &ApplicationEvent,
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError>;
    async fn application(&self, id: ApplicationId)
    -> Result<Option<StoredApplication>, StoreError>;
    /// The history of an application, oldest first.
    async fn application_history(
        &self,
        id: ApplicationId,
    ) -> Result<Vec<ApplicationEvent>, StoreError>;
    /// The applications `filter` holds, oldest application first.
    async fn applications(
        &self,
        filter: &ApplicationFilter,
    ) -> Result<Vec<StoredApplication>, StoreError>;
    /// Saves `application` as changed by `event`, if it is still at `expected`.
    async fn save_application_change(
        &self,
        application: &Application,
        expected: i64,
        event: &ApplicationEvent,
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError>;
    /// Saves the arrival of relative `relative` (`event`) with the
    /// family-reunification case `build` makes for the number the store
    /// gives it, all or nothing; returns that case.
    async fn save_arrival(
        &self,
        application: &Application,
        expected: i64,
        event: &ApplicationEvent,
        relative: usize,
        build: &(dyn Fn(CaseNumber) -> Result<NewCase, ReunificationError> + Send + Sync),
        audit: &NewAuditEntry,
    ) -> Result<NewCase, StoreError>;
}

/// A refused change, as a store error naming its field.
pub fn refused(e: ReunificationError) -> StoreError {
    let text = e.to_string();
    let (field, message) = text.split_once(": ").unwrap_or(("", text.as_str()));
    StoreError::Invalid {
        field: field.to_string(),
        message: message.to_string(),
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ApplicationRow {
    version: i64,
    document: Json<Application>,
    sponsor_municipality: Option<String>,
}

impl ApplicationRow {
    fn into_stored(self) -> StoredApplication {
        let mut application = self.document.0;
        application.version = self.version;
        StoredApplication {
            application,
            sponsor_municipality: self.sponsor_municipality,
        }
    }
}

const APPLICATION_SELECT: &str = "SELECT a.version, a.document, c.housed_municipality AS sponsor_municipality \
     FROM reunification_applications a JOIN cases c ON c.id = a.sponsor_case_id";

#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i64,
    change: Json<resettle_domain::reunification::ApplicationChange>,
    occurred_on: Date,
    actor: String,
    reason: Option<String>,
}

/// Saves a changed application and appends its event inside transaction
/// `$tx`, if the application is still at `$expected`.
macro_rules! update_application {
    ($tx:expr, $application:expr, $expected:expr, $event:expr, $at:expr) => {{
        let a: &resettle_domain::reunification::Application = $application;
        let updated = sqlx::query(
            "UPDATE reunification_applications SET version = $1, pending = $2, document = $3 \
             WHERE id = $4 AND version = $5",
        )
        .bind(a.version)
        .bind(a.pending())
        .bind(sqlx::types::Json(a))
        .bind(a.id.as_uuid())
        .bind($expected)
        .execute(&mut *$tx)
        .await?;
        if updated.rows_affected() == 0 {
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT version FROM reunification_applications WHERE id = $1")
                    .bind(a.id.as_uuid())
                    .fetch_optional(&mut *$tx)
                    .await?;
            return Err(match exists {
                Some(_) => $crate::StoreError::ApplicationConflict {
                    application: a.id,
                    expected: $expected,
                },
                None => $crate::StoreError::ApplicationNotFound(a.id),
            });
        }
        $crate::reunification::insert_event!($tx, a.id, $event, $at);
    }};
}
pub(crate) use update_application;

macro_rules! insert_event {
    ($tx:expr, $id:expr, $event:expr, $at:expr) => {{
        let e: &resettle_domain::reunification::ApplicationEvent = $event;
        sqlx::query(
            "INSERT INTO reunification_events (application_id, seq, change, occurred_on, actor, reason, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind($id.as_uuid())
        .bind(e.seq)
        .bind(sqlx::types::Json(&e.change))
        .bind(e.occurred_on)
        .bind(e.actor.as_str())
        .bind(e.reason.as_deref())
        .bind($at)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use insert_event;

/// Inserts a new application with its events inside transaction `$tx`.
macro_rules! insert_application {
    ($tx:expr, $application:expr, $events:expr, $actor:expr, $at:expr) => {{
        let a: &resettle_domain::reunification::Application = $application;
        sqlx::query(
            "INSERT INTO reunification_applications (id, sponsor_case_id, applied_on, pending, version, \
             document, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(a.id.as_uuid())
        .bind(a.sponsor_case_id.as_uuid())
        .bind(a.applied_on)
        .bind(a.pending())
        .bind(a.version)
        .bind(sqlx::types::Json(a))
        .bind($actor)
        .bind($at)
        .execute(&mut *$tx)
        .await?;
        for e in $events {
            $crate::reunification::insert_event!($tx, a.id, e, $at);
        }
    }};
}
pub(crate) use insert_application;

#[async_trait]
impl Reunification for SqlStore {
    async fn set_relatives_left_behind(
        &self,
        case: CaseId,
        expected: i64,
        relatives: &[RelativeLeftBehind],
        audit: &NewAuditEntry,
    ) -> Result<i64, StoreError> {
        let next = expected + 1;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let found: Option<i64> = sqlx::query_scalar("SELECT version FROM cases WHERE id = $1")
                .bind(case.as_uuid())
                .fetch_optional(&mut *tx)
                .await?;
            if found.is_none() {
                return Err(StoreError::NotFound(case));
            }
            let current: Option<i64> =
                sqlx::query_scalar("SELECT version FROM relatives_left_behind WHERE case_id = $1")
                    .bind(case.as_uuid())
                    .fetch_optional(&mut *tx)
                    .await?;
            if current.unwrap_or(0) != expected {
                return Err(StoreError::Conflict { case, expected });
            }
            let written = sqlx::query(
                "INSERT INTO relatives_left_behind (case_id, document, version, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (case_id) DO UPDATE SET document = excluded.document, version = excluded.version, \
                 recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at \
                 WHERE relatives_left_behind.version = $6",
            )
            .bind(case.as_uuid())
            .bind(Json(relatives))
            .bind(next)
            .bind(audit.actor.as_str())
            .bind(audit.at)
            .bind(expected)
            .execute(&mut *tx)
            .await?;
            if written.rows_affected() == 0 {
                return Err(StoreError::Conflict { case, expected });
            }
            tx.lock_audit().await?;
            append_in_tx!(tx, std::slice::from_ref(audit));
            tx.commit().await?;
        });
        Ok(next)
    }

    async fn relatives_left_behind(&self, case: CaseId) -> Result<LeftBehind, StoreError> {
        let row: Option<(i64, Json<Vec<RelativeLeftBehind>>)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT version, document FROM relatives_left_behind WHERE case_id = $1")
                .bind(case.as_uuid())
                .fetch_optional(pool)
                .await?
        });
        Ok(row
            .map(|(version, list)| LeftBehind {
                version,
                relatives: list.0,
            })
            .unwrap_or_default())
    }

    async fn create_application(
        &self,
        application: &Application,
        event: &ApplicationEvent,
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            // The sponsor's row is locked and read again: its arrival is what
            // allows the application.
            let sponsor: Option<(Option<Date>, Option<String>)> = sqlx::query_as(
                "UPDATE cases SET version = version WHERE id = $1 RETURNING arrived_on, family_reunification_of",
            )
            .bind(application.sponsor_case_id.as_uuid())
            .fetch_optional(&mut *tx)
            .await?;
            match sponsor {
                None => return Err(StoreError::NotFound(application.sponsor_case_id)),
                Some((None, _)) | Some((_, Some(_))) => {
                    return Err(StoreError::Invalid {
                        field: "sponsorCaseId".into(),
                        message: format!(
                            "case {} is not an arrived resettlement case, so nobody can join it",
                            application.sponsor_case_number
                        ),
                    });
                }
                Some((Some(_), None)) => {}
            }
            insert_application!(tx, application, std::slice::from_ref(event), audit.actor.as_str(), audit.at);
            tx.lock_audit().await?;
            append_in_tx!(tx, std::slice::from_ref(audit));
            tx.commit().await?;
        });
        Ok(())
    }

    async fn application(
        &self,
        id: ApplicationId,
    ) -> Result<Option<StoredApplication>, StoreError> {
        let row: Option<ApplicationRow> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{APPLICATION_SELECT} WHERE a.id = $1")))
                .bind(id.as_uuid())
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(ApplicationRow::into_stored))
    }

    async fn application_history(
        &self,
        id: ApplicationId,
    ) -> Result<Vec<ApplicationEvent>, StoreError> {
        let rows: Vec<EventRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT seq, change, occurred_on, actor, reason FROM reunification_events \
                 WHERE application_id = $1 ORDER BY seq",
            )
            .bind(id.as_uuid())
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|r| ApplicationEvent {
                seq: r.seq,
                change: r.change.0,
                occurred_on: r.occurred_on,
                actor: r.actor,
                reason: r.reason,
            })
            .collect())
    }

    async fn applications(
        &self,
        filter: &ApplicationFilter,
    ) -> Result<Vec<StoredApplication>, StoreError> {
        let rows: Vec<ApplicationRow> = on_pool!(self, pool => {
            let mut q = crate::sql::builder(pool, APPLICATION_SELECT);
            q.push(" WHERE 1 = 1");
            match &filter.scope {
                CaseScope::All => {}
                CaseScope::Municipality(m) => {
                    q.push(" AND LOWER(c.housed_municipality) = ").push_bind(m.to_lowercase());
                }
                // Family reunification is not a UNHCR submission, nor guided yet.
                CaseScope::SubmittedBy(_) | CaseScope::GuidedBy(_) | CaseScope::Nothing => {
                    q.push(" AND 1 = 0");
                }
            }
            if let Some(p) = filter.pending {
                q.push(" AND a.pending = ").push_bind(p);
            }
            if let Some(s) = filter.sponsor_case {
                q.push(" AND a.sponsor_case_id = ").push_bind(s.as_uuid());
            }
            q.push(" ORDER BY a.applied_on, a.id");
            q.build_query_as().fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(ApplicationRow::into_stored).collect())
    }

    async fn save_application_change(
        &self,
        application: &Application,
        expected: i64,
        event: &ApplicationEvent,
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            update_application!(tx, application, expected, event, audit.at);
            tx.lock_audit().await?;
            append_in_tx!(tx, std::slice::from_ref(audit));
            tx.commit().await?;
        });
        Ok(())
    }

    async fn save_arrival(
        &self,
        application: &Application,
        expected: i64,
        event: &ApplicationEvent,
        relative: usize,
        build: &(dyn Fn(CaseNumber) -> Result<NewCase, ReunificationError> + Send + Sync),
        audit: &NewAuditEntry,
    ) -> Result<NewCase, StoreError> {
        self.write_arrival(application, expected, event, relative, build, audit)
            .await
    }
}

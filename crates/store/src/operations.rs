//! The operational pipeline in the database: missions and the cases selected
//! on them, country-policy notes, interviews, resettlement profiles, cultural
//! orientation, travel and holds. Every write is one transaction with its
//! audit entry.

use crate::NewAuditEntry;
use crate::audit::{AuditLock, append_in_tx};
use crate::error::StoreError;
use crate::query::CaseSummary;
use crate::rows::SummaryRow;
use crate::sql::{BeginWrite, SqlStore, on_pool};
use async_trait::async_trait;
use resettle_domain::country_policy::PolicyNote;
use resettle_domain::mission::{Mission, MissionChange, MissionStatus};
use resettle_domain::operations::{
    Hold, HoldScope, Interview, OrientationSession, ResettlementProfile, TravelPlan,
};
use resettle_domain::{
    CaseId, CaseNumber, CaseState, HoldId, MissionId, Programme, SubmissionPriority, Track,
};
use serde::Serialize;
use sqlx::types::Json;

#[async_trait]
pub trait Operations: Send + Sync {
    /// Stores a new mission (or dossier track) with its audit entry.
    async fn create_mission(&self, m: &Mission, audit: &NewAuditEntry) -> Result<(), StoreError>;
    async fn mission(&self, id: MissionId) -> Result<Option<Mission>, StoreError>;
    /// Every mission, earliest start first.
    async fn missions(&self) -> Result<Vec<Mission>, StoreError>;
    /// Saves `mission` as changed by `change`, if it is still at `expected`
    /// (otherwise [`StoreError::MissionConflict`]); history and audit in the same transaction.
    async fn save_mission_change(
        &self,
        mission: &Mission,
        expected: i64,
        change: &MissionChange,
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError>;
    /// Selects `case` on `mission`: the case must not be decided yet, and its
    /// track and priority must fit the mission.
    async fn link_case(
        &self,
        mission: MissionId,
        case: CaseId,
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError>;
    /// Records selections made before the cases came into this store (an
    /// import of past missions, as the demo's history): each case, in any
    /// state, with the places it holds on `mission` (0 once refused or
    /// withdrawn). The mission's places used become the sum of its cases'.
    async fn record_selections(
        &self,
        mission: MissionId,
        selections: &[(CaseId, i64)],
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError>;
    /// Everything recorded to assess and prepare the case `case` numbered
    /// `number`, read on one connection.
    async fn preparation(
        &self,
        case: CaseId,
        number: &CaseNumber,
    ) -> Result<Preparation, StoreError>;
    /// The cases selected on a mission.
    async fn mission_cases(&self, mission: MissionId) -> Result<Vec<CaseSummary>, StoreError>;

    async fn add_policy_note(
        &self,
        note: &PolicyNote,
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError>;
    /// Every note, oldest validity first.
    async fn policy_notes(&self) -> Result<Vec<PolicyNote>, StoreError>;

    async fn add_interview(
        &self,
        case: CaseId,
        interview: &Interview,
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError>;

    async fn set_profile(
        &self,
        case: CaseId,
        profile: &ResettlementProfile,
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError>;
    /// The profiles of the cases selected on a mission.
    async fn mission_profiles(
        &self,
        mission: MissionId,
    ) -> Result<Vec<ResettlementProfile>, StoreError>;

    async fn add_orientation(
        &self,
        case: CaseId,
        session: &OrientationSession,
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError>;

    /// Replaces the travel plan of a case, if the plan is still `previous`
    /// (so a concurrent change is not silently overwritten).
    async fn set_travel(
        &self,
        case: CaseId,
        previous: Option<&TravelPlan>,
        plan: &TravelPlan,
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError>;
    async fn travel(&self, case: CaseId) -> Result<Option<TravelPlan>, StoreError>;

    async fn create_hold(&self, hold: &Hold, audit: &NewAuditEntry) -> Result<(), StoreError>;
    /// Saves a hold's release or a new message.
    async fn save_hold(&self, hold: &Hold, audit: &NewAuditEntry) -> Result<(), StoreError>;
    async fn hold(&self, id: HoldId) -> Result<Option<Hold>, StoreError>;
    /// Every hold, newest start first.
    async fn holds(&self) -> Result<Vec<Hold>, StoreError>;
}

/// Everything recorded to assess and prepare a case.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Preparation {
    /// The mission (or dossier track) the case is selected on.
    pub mission_id: Option<MissionId>,
    /// Later-arriving relatives (family reunification) linked to this case, with their own state and arrival.
    pub relatives: Vec<CaseSummary>,
    pub interviews: Vec<Interview>,
    pub profile: Option<ResettlementProfile>,
    pub orientation: Vec<OrientationSession>,
    pub travel: Option<TravelPlan>,
}

const TRAVEL_SELECT: &str = "SELECT document FROM travel_plans WHERE case_id = $1";

/// The single-row parts of a case's preparation, and which of its lists exist.
#[derive(sqlx::FromRow)]
struct PreparationHead {
    mission_id: Option<uuid::Uuid>,
    profile: Option<Json<ResettlementProfile>>,
    travel: Option<Json<TravelPlan>>,
    has_relatives: bool,
    has_interviews: bool,
    has_orientation: bool,
}

#[derive(sqlx::FromRow)]
struct MissionRow {
    status: String,
    places: i64,
    places_used: i64,
    version: i64,
    document: Json<Mission>,
}

impl MissionRow {
    fn into_mission(self) -> Result<Mission, StoreError> {
        let mut m = self.document.0;
        m.status = MissionStatus::parse(&self.status).map_err(|e| StoreError::Corrupt {
            table: "missions",
            key: m.id.to_string(),
            column: "status",
            message: e.to_string(),
        })?;
        m.places = self.places;
        m.places_used = self.places_used;
        m.version = self.version;
        Ok(m)
    }
}

const MISSION_SELECT: &str = "SELECT status, places, places_used, version, document FROM missions";

fn audit_entries(a: &NewAuditEntry) -> &[NewAuditEntry] {
    std::slice::from_ref(a)
}

fn invalid(field: &str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

fn corrupt(table: &'static str, key: String, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        table,
        key,
        column: "value",
        message: e.to_string(),
    }
}

/// Refuses a write for a case that does not exist, and otherwise locks the
/// case's row (an update that changes nothing; SQLite's write transactions
/// are serial already) until the transaction ends: concurrent writes of one
/// case's documents run one after the other, so each numbers its document
/// after the last committed one and sees the other's plan, instead of both
/// inserting the same key and failing.
macro_rules! require_case {
    ($tx:expr, $case:expr) => {{
        let found: Option<i64> = sqlx::query_scalar(
            "UPDATE cases SET version = version WHERE id = $1 RETURNING version",
        )
        .bind($case.as_uuid())
        .fetch_optional(&mut *$tx)
        .await?;
        if found.is_none() {
            return Err(StoreError::NotFound($case));
        }
    }};
}

#[async_trait]
impl Operations for SqlStore {
    async fn create_mission(&self, m: &Mission, audit: &NewAuditEntry) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO missions (id, kind, host_country, starts_on, status, places, places_used, version, \
                 document, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(m.id.as_uuid())
            .bind(m.kind.as_str())
            .bind(m.host_country.map(|c| c.as_str().to_string()))
            .bind(m.starts_on)
            .bind(m.status.as_str())
            .bind(m.places)
            .bind(m.places_used)
            .bind(m.version)
            .bind(Json(m))
            .bind(audit.actor.as_str())
            .bind(audit.at)
            .execute(&mut *tx)
            .await?;
            tx.lock_audit().await?;
            append_in_tx!(tx, audit_entries(audit));
            tx.commit().await?;
        });
        Ok(())
    }

    async fn mission(&self, id: MissionId) -> Result<Option<Mission>, StoreError> {
        let row: Option<MissionRow> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{MISSION_SELECT} WHERE id = $1")))
                .bind(id.as_uuid())
                .fetch_optional(pool)
                .await?
        });
        row.map(MissionRow::into_mission).transpose()
    }

    async fn missions(&self) -> Result<Vec<Mission>, StoreError> {
        let rows: Vec<MissionRow> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{MISSION_SELECT} ORDER BY starts_on, id")))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(MissionRow::into_mission).collect()
    }

    async fn save_mission_change(
        &self,
        m: &Mission,
        expected: i64,
        change: &MissionChange,
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            // Places are not written here: acceptances change them under their own condition.
            let mut doc = m.clone();
            doc.places_used = 0;
            let updated = sqlx::query(
                "UPDATE missions SET status = $1, starts_on = $2, version = $3, document = $4 \
                 WHERE id = $5 AND version = $6",
            )
            .bind(m.status.as_str())
            .bind(m.starts_on)
            .bind(expected + 1)
            .bind(Json(&doc))
            .bind(m.id.as_uuid())
            .bind(expected)
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 0 {
                let exists: Option<i64> = sqlx::query_scalar("SELECT version FROM missions WHERE id = $1")
                    .bind(m.id.as_uuid())
                    .fetch_optional(&mut *tx)
                    .await?;
                return Err(match exists {
                    Some(_) => StoreError::MissionConflict { mission: m.id, expected },
                    None => StoreError::MissionNotFound(m.id),
                });
            }
            sqlx::query(
                "INSERT INTO mission_events (mission_id, seq, change, status, actor, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(m.id.as_uuid())
            .bind(expected + 1)
            .bind(Json(change))
            .bind(m.status.as_str())
            .bind(audit.actor.as_str())
            .bind(audit.at)
            .execute(&mut *tx)
            .await?;
            tx.lock_audit().await?;
            append_in_tx!(tx, audit_entries(audit));
            tx.commit().await?;
        });
        Ok(())
    }

    async fn link_case(
        &self,
        mission: MissionId,
        case: CaseId,
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            // An update that changes nothing locks the case's row (SQLite's
            // write transaction is serial already): an acceptance of the case
            // in flight commits first, and the state read here is its
            // outcome, so the places it took stay with the mission it took
            // them from.
            let row: Option<(String, String, String, String)> = sqlx::query_as(
                "UPDATE cases SET version = version WHERE id = $1 RETURNING state, track, priority, programme",
            )
            .bind(case.as_uuid())
            .fetch_optional(&mut *tx)
            .await?;
            let Some((state, track, priority, programme)) = row else {
                return Err(StoreError::NotFound(case));
            };
            let m: Option<MissionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{MISSION_SELECT} WHERE id = $1")))
                .bind(mission.as_uuid())
                .fetch_optional(&mut *tx)
                .await?;
            let m = m.ok_or(StoreError::MissionNotFound(mission))?.into_mission()?;
            let bad = |c: &'static str, e: &dyn std::fmt::Display| corrupt("cases", case.to_string(), format!("{c}: {e}"));
            let state = CaseState::parse(&state).map_err(|e| bad("state", &e))?;
            let track = Track::parse(&track).map_err(|e| bad("track", &e))?;
            let priority = SubmissionPriority::parse(&priority).map_err(|e| bad("priority", &e))?;
            let programme = Programme::parse(&programme).map_err(|e| bad("programme", &e))?;
            if !matches!(state, CaseState::Submitted | CaseState::UnderAssessment) {
                return Err(invalid("caseId", format!("the case is {state}: only a case not yet decided is selected on a mission")));
            }
            if !m.takes_cases() {
                return Err(invalid("missionId", format!("the mission is {}: it takes no more cases", m.status)));
            }
            m.admits(track, priority).map_err(|e| invalid("caseId", e))?;
            m.admits_programme(programme).map_err(StoreError::Refused)?;
            sqlx::query("DELETE FROM mission_cases WHERE case_id = $1")
                .bind(case.as_uuid())
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO mission_cases (case_id, mission_id, places_taken, linked_by, linked_at) VALUES ($1, $2, 0, $3, $4)",
            )
            .bind(case.as_uuid())
            .bind(mission.as_uuid())
            .bind(audit.actor.as_str())
            .bind(audit.at)
            .execute(&mut *tx)
            .await?;
            tx.lock_audit().await?;
            append_in_tx!(tx, audit_entries(audit));
            tx.commit().await?;
        });
        Ok(())
    }

    async fn record_selections(
        &self,
        mission: MissionId,
        selections: &[(CaseId, i64)],
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError> {
        if let Some((case, _)) = selections.iter().find(|(_, places)| *places < 0) {
            return Err(invalid(
                "placesTaken",
                format!("case {case}: a case holds no negative number of places"),
            ));
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let found: Option<i64> = sqlx::query_scalar("SELECT version FROM missions WHERE id = $1")
                .bind(mission.as_uuid())
                .fetch_optional(&mut *tx)
                .await?;
            if found.is_none() {
                return Err(StoreError::MissionNotFound(mission));
            }
            // Missions whose places change: this one, and any a case leaves.
            let mut touched = vec![mission.as_uuid()];
            for (case, places) in selections {
                require_case!(tx, *case);
                let left: Option<uuid::Uuid> = sqlx::query_scalar(
                    "DELETE FROM mission_cases WHERE case_id = $1 RETURNING mission_id",
                )
                .bind(case.as_uuid())
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(m) = left.filter(|m| !touched.contains(m)) {
                    touched.push(m);
                }
                sqlx::query(
                    "INSERT INTO mission_cases (case_id, mission_id, places_taken, linked_by, linked_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(case.as_uuid())
                .bind(mission.as_uuid())
                .bind(*places)
                .bind(audit.actor.as_str())
                .bind(audit.at)
                .execute(&mut *tx)
                .await?;
            }
            for m in touched {
                sqlx::query(
                    "UPDATE missions SET places_used = \
                     (SELECT COALESCE(SUM(places_taken), 0) FROM mission_cases WHERE mission_id = $1) WHERE id = $1",
                )
                .bind(m)
                .execute(&mut *tx)
                .await?;
            }
            tx.lock_audit().await?;
            append_in_tx!(tx, audit_entries(audit));
            tx.commit().await?;
        });
        Ok(())
    }

    async fn preparation(
        &self,
        case: CaseId,
        number: &CaseNumber,
    ) -> Result<Preparation, StoreError> {
        let id = case.as_uuid();
        // One statement reads the single-row parts and says which lists the
        // case has at all; only those are read after it.
        let (mission, relatives, interviews, profile, orientation, travel) = on_pool!(self, pool => {
            let mut conn = pool.acquire().await?;
            let head: PreparationHead = sqlx::query_as(
                "SELECT (SELECT mission_id FROM mission_cases WHERE case_id = $1) AS mission_id, \
                 (SELECT document FROM resettlement_profiles WHERE case_id = $1) AS profile, \
                 (SELECT document FROM travel_plans WHERE case_id = $1) AS travel, \
                 EXISTS (SELECT 1 FROM cases WHERE family_reunification_of = $2) AS has_relatives, \
                 EXISTS (SELECT 1 FROM interviews WHERE case_id = $1) AS has_interviews, \
                 EXISTS (SELECT 1 FROM orientation_sessions WHERE case_id = $1) AS has_orientation",
            )
            .bind(id)
            .bind(number.as_str())
            .fetch_one(&mut *conn)
            .await?;
            let relatives: Vec<SummaryRow> = if head.has_relatives {
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "{} WHERE family_reunification_of = $1 ORDER BY submitted_on, case_number",
                    crate::sql::SUMMARY_SELECT
                )))
                .bind(number.as_str())
                .fetch_all(&mut *conn)
                .await?
            } else {
                Vec::new()
            };
            let interviews: Vec<Json<Interview>> = if head.has_interviews {
                sqlx::query_scalar("SELECT document FROM interviews WHERE case_id = $1 ORDER BY seq")
                    .bind(id)
                    .fetch_all(&mut *conn)
                    .await?
            } else {
                Vec::new()
            };
            let orientation: Vec<Json<OrientationSession>> = if head.has_orientation {
                sqlx::query_scalar("SELECT document FROM orientation_sessions WHERE case_id = $1 ORDER BY seq")
                    .bind(id)
                    .fetch_all(&mut *conn)
                    .await?
            } else {
                Vec::new()
            };
            let PreparationHead { mission_id: mission, profile, travel, .. } = head;
            (mission, relatives, interviews, profile, orientation, travel)
        });
        Ok(Preparation {
            mission_id: mission.map(MissionId::from_uuid),
            relatives: relatives
                .into_iter()
                .map(SummaryRow::into_summary)
                .collect::<Result<_, _>>()?,
            interviews: interviews.into_iter().map(|j| j.0).collect(),
            profile: profile.map(|j| j.0),
            orientation: orientation.into_iter().map(|j| j.0).collect(),
            travel: travel.map(|j| j.0),
        })
    }

    async fn mission_cases(&self, mission: MissionId) -> Result<Vec<CaseSummary>, StoreError> {
        let rows: Vec<SummaryRow> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{} WHERE id IN (SELECT case_id FROM mission_cases WHERE mission_id = $1) ORDER BY case_number",
                crate::sql::SUMMARY_SELECT
            )))
            .bind(mission.as_uuid())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(SummaryRow::into_summary).collect()
    }

    async fn add_policy_note(
        &self,
        note: &PolicyNote,
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO policy_notes (id, nationality, valid_from, valid_until, document, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(note.id.as_uuid())
            .bind(note.nationality.code())
            .bind(note.valid_from)
            .bind(note.valid_until)
            .bind(Json(note))
            .bind(audit.actor.as_str())
            .bind(audit.at)
            .execute(&mut *tx)
            .await?;
            tx.lock_audit().await?;
            append_in_tx!(tx, audit_entries(audit));
            tx.commit().await?;
        });
        Ok(())
    }

    async fn policy_notes(&self) -> Result<Vec<PolicyNote>, StoreError> {
        let rows: Vec<Json<PolicyNote>> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT document FROM policy_notes ORDER BY valid_from, id")
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(|j| j.0).collect())
    }

    async fn add_interview(
        &self,
        case: CaseId,
        interview: &Interview,
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            require_case!(tx, case);
            let seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM interviews WHERE case_id = $1")
                .bind(case.as_uuid())
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO interviews (case_id, seq, document, recorded_at) VALUES ($1, $2, $3, $4)")
                .bind(case.as_uuid())
                .bind(seq + 1)
                .bind(Json(interview))
                .bind(audit.at)
                .execute(&mut *tx)
                .await?;
            tx.lock_audit().await?;
            append_in_tx!(tx, audit_entries(audit));
            tx.commit().await?;
        });
        Ok(())
    }

    async fn set_profile(
        &self,
        case: CaseId,
        profile: &ResettlementProfile,
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            require_case!(tx, case);
            sqlx::query(
                "INSERT INTO resettlement_profiles (case_id, document, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (case_id) DO UPDATE SET document = excluded.document, \
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            )
            .bind(case.as_uuid())
            .bind(Json(profile))
            .bind(audit.actor.as_str())
            .bind(audit.at)
            .execute(&mut *tx)
            .await?;
            tx.lock_audit().await?;
            append_in_tx!(tx, audit_entries(audit));
            tx.commit().await?;
        });
        Ok(())
    }

    async fn mission_profiles(
        &self,
        mission: MissionId,
    ) -> Result<Vec<ResettlementProfile>, StoreError> {
        let rows: Vec<Json<ResettlementProfile>> = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT p.document FROM resettlement_profiles p JOIN mission_cases mc ON mc.case_id = p.case_id \
                 WHERE mc.mission_id = $1",
            )
            .bind(mission.as_uuid())
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|j| j.0).collect())
    }

    async fn add_orientation(
        &self,
        case: CaseId,
        session: &OrientationSession,
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            require_case!(tx, case);
            let seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM orientation_sessions WHERE case_id = $1")
                .bind(case.as_uuid())
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO orientation_sessions (case_id, seq, document, recorded_at) VALUES ($1, $2, $3, $4)")
                .bind(case.as_uuid())
                .bind(seq + 1)
                .bind(Json(session))
                .bind(audit.at)
                .execute(&mut *tx)
                .await?;
            tx.lock_audit().await?;
            append_in_tx!(tx, audit_entries(audit));
            tx.commit().await?;
        });
        Ok(())
    }

    async fn set_travel(
        &self,
        case: CaseId,
        previous: Option<&TravelPlan>,
        plan: &TravelPlan,
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            require_case!(tx, case);
            let current: Option<Json<TravelPlan>> =
                sqlx::query_scalar(TRAVEL_SELECT)
                    .bind(case.as_uuid())
                    .fetch_optional(&mut *tx)
                    .await?;
            if current.as_ref().map(|j| &j.0) != previous {
                return Err(StoreError::Conflict { case, expected: 0 });
            }
            sqlx::query(
                "INSERT INTO travel_plans (case_id, document, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (case_id) DO UPDATE SET document = excluded.document, \
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            )
                .bind(case.as_uuid())
                .bind(Json(plan))
                .bind(audit.actor.as_str())
                .bind(audit.at)
                .execute(&mut *tx)
                .await?;
            tx.lock_audit().await?;
            append_in_tx!(tx, audit_entries(audit));
            tx.commit().await?;
        });
        Ok(())
    }

    async fn travel(&self, case: CaseId) -> Result<Option<TravelPlan>, StoreError> {
        let row: Option<Json<TravelPlan>> = on_pool!(self, pool => {
            sqlx::query_scalar(TRAVEL_SELECT)
                .bind(case.as_uuid())
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|j| j.0))
    }

    async fn create_hold(&self, hold: &Hold, audit: &NewAuditEntry) -> Result<(), StoreError> {
        let (mission, programme) = match &hold.scope {
            HoldScope::Mission { mission_id } => (Some(mission_id.as_uuid()), None),
            HoldScope::Programme { programme } => (None, Some(programme.as_str())),
        };
        if let Some(m) = mission
            && self.mission(MissionId::from_uuid(m)).await?.is_none()
        {
            return Err(invalid(
                "scope.missionId",
                format!("there is no mission {m}"),
            ));
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            tx.lock_holds().await?;
            sqlx::query(
                "INSERT INTO holds (id, mission_id, programme, starts_on, released_on, document, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(hold.id.as_uuid())
            .bind(mission)
            .bind(programme)
            .bind(hold.starts_on)
            .bind(hold.released_on)
            .bind(Json(hold))
            .bind(audit.at)
            .execute(&mut *tx)
            .await?;
            tx.lock_audit().await?;
            append_in_tx!(tx, audit_entries(audit));
            tx.commit().await?;
        });
        Ok(())
    }

    async fn save_hold(&self, hold: &Hold, audit: &NewAuditEntry) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let updated = sqlx::query("UPDATE holds SET released_on = $1, document = $2 WHERE id = $3")
                .bind(hold.released_on)
                .bind(Json(hold))
                .bind(hold.id.as_uuid())
                .execute(&mut *tx)
                .await?;
            if updated.rows_affected() == 0 {
                return Err(StoreError::HoldNotFound(hold.id));
            }
            tx.lock_audit().await?;
            append_in_tx!(tx, audit_entries(audit));
            tx.commit().await?;
        });
        Ok(())
    }

    async fn hold(&self, id: HoldId) -> Result<Option<Hold>, StoreError> {
        let row: Option<Json<Hold>> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT document FROM holds WHERE id = $1")
                .bind(id.as_uuid())
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|j| j.0))
    }

    async fn holds(&self) -> Result<Vec<Hold>, StoreError> {
        let rows: Vec<Json<Hold>> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT document FROM holds ORDER BY starts_on DESC, id")
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(|j| j.0).collect())
    }
}

/// Key of the transaction lock that departures and new holds take first, so a
/// departure never slips past a hold created at the same moment.
const HOLDS_LOCK: i64 = 0x7265_7365_7474_6c68; // "resettlh"

/// Serialises departures with new holds: on PostgreSQL a transaction-scoped
/// advisory lock; SQLite's write transactions are serial already.
pub(crate) trait HoldLock {
    async fn lock_holds(&mut self) -> Result<(), sqlx::Error>;
}

impl HoldLock for sqlx::SqliteConnection {
    async fn lock_holds(&mut self) -> Result<(), sqlx::Error> {
        Ok(())
    }
}

impl HoldLock for sqlx::PgConnection {
    async fn lock_holds(&mut self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(HOLDS_LOCK)
            .execute(self)
            .await?;
        Ok(())
    }
}

/// The places and holds of the pipeline, checked inside the transaction that
/// records a transition (see `SqlStore::record_transition`).
macro_rules! pipeline_rules {
    ($tx:expr, $case:expr, $transition:expr) => {{
        let case: &resettle_domain::Case = $case;
        let t: &resettle_domain::Transition = $transition;
        let id = case.id.as_uuid();
        // Only these actions touch a mission's places or its holds; the
        // others skip the lookup (one statement fewer on the writer).
        let mission: Option<uuid::Uuid> = if matches!(
            t.action,
            resettle_domain::Action::Accept { .. }
                | resettle_domain::Action::Withdraw
                | resettle_domain::Action::Depart
        ) {
            sqlx::query_scalar("SELECT mission_id FROM mission_cases WHERE case_id = $1")
                .bind(id)
                .fetch_optional(&mut *$tx)
                .await?
        } else {
            None
        };
        match (&t.action, mission) {
            (resettle_domain::Action::Accept { place_override, .. }, Some(mission)) => {
                let persons = case.persons() as i64;
                // The conditional update is the lock: concurrent acceptances for
                // one mission wait on its row, and each re-checks the places.
                let within = sqlx::query(
                    "UPDATE missions SET places_used = places_used + $1 WHERE id = $2 \
                     AND status NOT IN ('cancelled', 'closed') AND places_used + $1 <= places",
                )
                .bind(persons)
                .bind(mission)
                .execute(&mut *$tx)
                .await?
                .rows_affected()
                    == 1;
                let overridden = !within
                    && place_override.as_deref().is_some_and(|o| !o.trim().is_empty())
                    && sqlx::query(
                        "UPDATE missions SET places_used = places_used + $1 WHERE id = $2 \
                         AND status NOT IN ('cancelled', 'closed')",
                    )
                    .bind(persons)
                    .bind(mission)
                    .execute(&mut *$tx)
                    .await?
                    .rows_affected()
                        == 1;
                if !within && !overridden {
                    let (status, places, used): (String, i64, i64) = sqlx::query_as(
                        "SELECT status, places, places_used FROM missions WHERE id = $1",
                    )
                    .bind(mission)
                    .fetch_one(&mut *$tx)
                    .await?;
                    let mission = resettle_domain::MissionId::from_uuid(mission);
                    return Err(if status == "cancelled" || status == "closed" {
                        StoreError::MissionNotOpen { mission, status }
                    } else {
                        StoreError::PlacesExhausted {
                            mission,
                            places,
                            used,
                            requested: persons,
                        }
                    });
                }
                sqlx::query(
                    "UPDATE mission_cases SET places_taken = $1, override_reason = $2 WHERE case_id = $3",
                )
                .bind(persons)
                .bind(if overridden { place_override.clone() } else { None })
                .bind(id)
                .execute(&mut *$tx)
                .await?;
            }
            (resettle_domain::Action::Withdraw, Some(mission)) => {
                // A withdrawn acceptance gives its places back.
                let taken: i64 = sqlx::query_scalar(
                    "SELECT places_taken FROM mission_cases WHERE case_id = $1",
                )
                .bind(id)
                .fetch_one(&mut *$tx)
                .await?;
                if taken > 0 {
                    sqlx::query("UPDATE missions SET places_used = places_used - $1 WHERE id = $2")
                        .bind(taken)
                        .bind(mission)
                        .execute(&mut *$tx)
                        .await?;
                    sqlx::query("UPDATE mission_cases SET places_taken = 0 WHERE case_id = $1")
                        .bind(id)
                        .execute(&mut *$tx)
                        .await?;
                }
            }
            (resettle_domain::Action::Depart, _) => {
                // Taken before reading the holds: a hold being created waits, or is seen.
                crate::operations::HoldLock::lock_holds(&mut *$tx).await?;
                // Active on the departure's date, or on the day it is recorded:
                // a departure dated back before a hold does not slip past it.
                let holds: Vec<sqlx::types::Json<resettle_domain::operations::Hold>> = sqlx::query_scalar(
                    "SELECT document FROM holds WHERE ((starts_on <= $1 AND (released_on IS NULL OR released_on > $1)) \
                     OR (starts_on <= $4 AND (released_on IS NULL OR released_on > $4))) \
                     AND (mission_id = $2 OR programme = $3) ORDER BY starts_on",
                )
                .bind(t.occurred_on)
                .bind(mission)
                .bind(case.submission.programme.as_str())
                .bind(resettle_domain::calendar::business_day(t.recorded_at))
                .fetch_all(&mut *$tx)
                .await?;
                if let Some(h) = holds.into_iter().next() {
                    return Err(StoreError::DepartureOnHold {
                        hold: h.0.id,
                        since: h.0.starts_on,
                        reason: h.0.reason,
                    });
                }
            }
            _ => {}
        }
    }};
}
pub(crate) use pipeline_rules;

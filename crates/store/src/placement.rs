//! Municipalities with their room for resettled families, and the housing
//! assignments COA confirmed from a placement proposal.

use crate::audit::{AuditLock, NewAuditEntry, append_in_tx};
use crate::error::StoreError;
use crate::group::transition_in_tx;
use crate::ledger::{Fact, add_to_bucket, bucket_of, current_boundaries};
use crate::sql::{BeginWrite, LedgerLock, SqlStore, on_pool};
use async_trait::async_trait;
use resettle_domain::{Case, CaseId, Transition};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use std::collections::BTreeMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// Room in the three dimensions the placement counts, in this order.
pub const DIMENSIONS: [&str; 3] = ["persons", "largeDwellings", "schoolPlaces"];

/// A municipality that houses resettled families.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Municipality {
    /// CBS code, e.g. GM0363.
    pub code: String,
    pub name: String,
    /// Whether it has a partnership agreement for resettlement.
    pub partner: bool,
    /// Its room this half-year: persons (the housing task), large dwellings, school places.
    pub room: [u32; 3],
    /// What the placement model reads (jobs per 1,000, hospital nearby, …).
    pub features: BTreeMap<String, f64>,
}

/// A confirmed housing assignment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HousingAssignment {
    pub case_id: CaseId,
    pub municipality: String,
    /// The room the family takes, in [`DIMENSIONS`].
    pub room: [u32; 3],
    pub score: f64,
    pub assigned_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub assigned_at: OffsetDateTime,
}

/// One family's confirmed placement: the assignment with the room it takes,
/// and the case as the housing-assignment transition changed it.
#[derive(Debug, Clone)]
pub struct Placement {
    pub assignment: HousingAssignment,
    pub case: Case,
    pub transition: Transition,
    pub audit: NewAuditEntry,
}

#[async_trait]
pub trait PlacementStore: Send + Sync {
    async fn municipalities(&self) -> Result<Vec<Municipality>, StoreError>;
    /// Adds or replaces municipalities (by code).
    async fn save_municipalities(&self, list: &[Municipality]) -> Result<(), StoreError>;
    async fn housing_assignments(&self) -> Result<Vec<HousingAssignment>, StoreError>;
    /// Records placements all together or not at all: each assignment, its
    /// case's transition (history entry, new version) and its audit entry. A
    /// case that already has an assignment, or that changed since it was
    /// read, refuses the whole list.
    async fn assign_housing(&self, list: &[Placement]) -> Result<(), StoreError>;
}

#[derive(sqlx::FromRow)]
struct MunicipalityRow {
    code: String,
    name: String,
    partner: bool,
    persons: i64,
    large_dwellings: i64,
    school_places: i64,
    features: Json<BTreeMap<String, f64>>,
}

#[derive(sqlx::FromRow)]
struct AssignmentRow {
    case_id: Uuid,
    municipality: String,
    persons: i64,
    large_dwellings: i64,
    school_places: i64,
    score: f64,
    assigned_by: String,
    assigned_at: OffsetDateTime,
}

fn count(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

#[async_trait]
impl PlacementStore for SqlStore {
    async fn municipalities(&self) -> Result<Vec<Municipality>, StoreError> {
        let rows: Vec<MunicipalityRow> = on_pool!(self, pool => {
            sqlx::query_as("SELECT * FROM municipalities ORDER BY code").fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|r| Municipality {
                code: r.code,
                name: r.name,
                partner: r.partner,
                room: [
                    count(r.persons),
                    count(r.large_dwellings),
                    count(r.school_places),
                ],
                features: r.features.0,
            })
            .collect())
    }

    async fn save_municipalities(&self, list: &[Municipality]) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            for m in list {
                sqlx::query(
                    "INSERT INTO municipalities (code, name, partner, persons, large_dwellings, school_places, features) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, partner = excluded.partner, \
                     persons = excluded.persons, large_dwellings = excluded.large_dwellings, \
                     school_places = excluded.school_places, features = excluded.features",
                )
                .bind(&m.code)
                .bind(&m.name)
                .bind(m.partner)
                .bind(i64::from(m.room[0]))
                .bind(i64::from(m.room[1]))
                .bind(i64::from(m.room[2]))
                .bind(Json(&m.features))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    async fn housing_assignments(&self) -> Result<Vec<HousingAssignment>, StoreError> {
        let rows: Vec<AssignmentRow> = on_pool!(self, pool => {
            sqlx::query_as("SELECT * FROM housing_assignments ORDER BY assigned_at, case_id").fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|r| HousingAssignment {
                case_id: CaseId::from_uuid(r.case_id),
                municipality: r.municipality,
                room: [
                    count(r.persons),
                    count(r.large_dwellings),
                    count(r.school_places),
                ],
                score: r.score,
                assigned_by: r.assigned_by,
                assigned_at: r.assigned_at,
            })
            .collect())
    }

    async fn assign_housing(&self, list: &[Placement]) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            for Placement { assignment: a, case, transition, .. } in list {
                let taken: Option<(String,)> =
                    sqlx::query_as("SELECT municipality FROM housing_assignments WHERE case_id = $1")
                        .bind(a.case_id.as_uuid())
                        .fetch_optional(&mut *tx)
                        .await?;
                if taken.is_some() {
                    return Err(StoreError::Duplicate { what: "housing assignment for case", value: a.case_id.to_string() });
                }
                sqlx::query(
                    "INSERT INTO housing_assignments (case_id, municipality, persons, large_dwellings, school_places, \
                     score, assigned_by, assigned_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(a.case_id.as_uuid())
                .bind(&a.municipality)
                .bind(i64::from(a.room[0]))
                .bind(i64::from(a.room[1]))
                .bind(i64::from(a.room[2]))
                .bind(a.score)
                .bind(&a.assigned_by)
                .bind(a.assigned_at)
                .execute(&mut *tx)
                .await?;
                transition_in_tx!(tx, case, transition)?;
            }
            if !list.is_empty() {
                let entries: Vec<NewAuditEntry> = list.iter().map(|p| p.audit.clone()).collect();
                tx.lock_audit().await?;
                append_in_tx!(tx, &entries);
            }
            tx.commit().await?;
        });
        Ok(())
    }
}

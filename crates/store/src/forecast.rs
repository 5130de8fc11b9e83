//! What the forecast reads from the case data: the national-quota pipeline by
//! kind and stage, the stage durations and drop-outs seen so far, and the
//! relatives left behind with the applications made for them.

use crate::error::StoreError;
use crate::sql::{SqlStore, on_pool};
use async_trait::async_trait;
use resettle_domain::forecast::{Durations, SponsorRelatives, Stage, StageStats};
use resettle_domain::reunification::{Application, RelativeLeftBehind};
use resettle_domain::{CaseId, CaseState, CountryCode, SubmissionPriority, Track};
use sqlx::AssertSqlSafe;
use sqlx::types::Json;
use time::Date;

/// Pipeline cases of one kind and stage, with the day they were selected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineRow {
    pub track: Track,
    pub priority: SubmissionPriority,
    pub family_reunification: bool,
    pub host_country: CountryCode,
    pub stage: Stage,
    pub selected_on: Option<Date>,
    pub cases: u64,
    pub persons: u64,
}

#[async_trait]
pub trait ForecastStore: Send + Sync {
    /// National-quota cases not yet arrived and still in the process.
    async fn pipeline(&self) -> Result<Vec<PipelineRow>, StoreError>;
    /// Days spent in each stage and drop-outs, per track and priority (national quota).
    async fn stage_durations(&self) -> Result<Durations, StoreError>;
    /// The relatives left behind by resettled cases that arrived or are
    /// still in the process, and every application those cases made.
    async fn relatives_for_forecast(
        &self,
    ) -> Result<(Vec<SponsorRelatives>, Vec<Application>), StoreError>;
}

type LeftBehindRow = (uuid::Uuid, Option<Date>, Json<Vec<RelativeLeftBehind>>);

#[derive(sqlx::FromRow)]
struct Row {
    track: String,
    priority: String,
    family_reunification: bool,
    host_country: String,
    state: String,
    selected_on: Option<Date>,
    cases: i64,
    persons: i64,
}

#[derive(sqlx::FromRow)]
struct DurationRow {
    track: String,
    priority: String,
    a_n: i64,
    a_days: Option<f64>,
    a_drop: i64,
    b_n: i64,
    b_days: Option<f64>,
    b_drop: i64,
    c_n: i64,
    c_days: Option<f64>,
}

fn corrupt(column: &'static str, message: String) -> StoreError {
    StoreError::Corrupt {
        table: "cases",
        key: "forecast".into(),
        column,
        message,
    }
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[async_trait]
impl ForecastStore for SqlStore {
    async fn pipeline(&self) -> Result<Vec<PipelineRow>, StoreError> {
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT track, priority, (family_reunification_of IS NOT NULL) AS family_reunification, host_country, \
                 state, selected_on, COUNT(*) AS cases, CAST(SUM(persons) AS BIGINT) AS persons FROM cases \
                 WHERE programme = 'national-quota' \
                 AND state IN ('submitted', 'under-assessment', 'accepted', 'pre-departure', 'departed') \
                 GROUP BY track, priority, (family_reunification_of IS NOT NULL), host_country, state, selected_on",
            )
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                let stage = match CaseState::parse(&r.state)
                    .map_err(|e| corrupt("state", e.to_string()))?
                {
                    CaseState::Accepted | CaseState::PreDeparture => Stage::PreDeparture,
                    CaseState::Departed => Stage::Travel,
                    _ => Stage::Assessment,
                };
                Ok(PipelineRow {
                    track: Track::parse(&r.track).map_err(|e| corrupt("track", e.to_string()))?,
                    priority: SubmissionPriority::parse(&r.priority)
                        .map_err(|e| corrupt("priority", e.to_string()))?,
                    family_reunification: r.family_reunification,
                    host_country: CountryCode::parse(&r.host_country)
                        .map_err(|e| corrupt("host_country", e.to_string()))?,
                    stage,
                    selected_on: r.selected_on,
                    cases: count(r.cases),
                    persons: count(r.persons),
                })
            })
            .collect()
    }

    async fn stage_durations(&self) -> Result<Durations, StoreError> {
        let sqlite = matches!(self.pool, crate::sql::Pool::Sqlite(_));
        let diff = |a: &str, b: &str| {
            if sqlite {
                format!("julianday({a}) - julianday({b})")
            } else {
                format!("({a} - {b})")
            }
        };
        let sql = format!(
            "SELECT track, priority, \
             COUNT(CASE WHEN selected_on IS NOT NULL THEN 1 END) AS a_n, \
             CAST(AVG(CASE WHEN selected_on IS NOT NULL THEN {a} END) AS DOUBLE PRECISION) AS a_days, \
             COUNT(CASE WHEN selected_on IS NULL AND arrived_on IS NULL AND state IN ('rejected', 'withdrawn', 'closed') THEN 1 END) AS a_drop, \
             COUNT(CASE WHEN selected_on IS NOT NULL AND departed_on IS NOT NULL THEN 1 END) AS b_n, \
             CAST(AVG(CASE WHEN selected_on IS NOT NULL AND departed_on IS NOT NULL THEN {b} END) AS DOUBLE PRECISION) AS b_days, \
             COUNT(CASE WHEN selected_on IS NOT NULL AND departed_on IS NULL AND state IN ('withdrawn', 'closed') THEN 1 END) AS b_drop, \
             COUNT(CASE WHEN departed_on IS NOT NULL AND arrived_on IS NOT NULL THEN 1 END) AS c_n, \
             CAST(AVG(CASE WHEN departed_on IS NOT NULL AND arrived_on IS NOT NULL THEN {c} END) AS DOUBLE PRECISION) AS c_days \
             FROM cases WHERE programme = 'national-quota' GROUP BY track, priority",
            a = diff("selected_on", "submitted_on"),
            b = diff("departed_on", "selected_on"),
            c = diff("arrived_on", "departed_on"),
        );
        let rows: Vec<DurationRow> = on_pool!(self, pool => {
            sqlx::query_as(AssertSqlSafe(sql.clone())).fetch_all(pool).await?
        });
        let mut stats = Vec::new();
        for r in rows {
            let track = Track::parse(&r.track).map_err(|e| corrupt("track", e.to_string()))?;
            let priority = SubmissionPriority::parse(&r.priority)
                .map_err(|e| corrupt("priority", e.to_string()))?;
            for (stage, n, days, dropped) in [
                (Stage::Assessment, r.a_n, r.a_days, r.a_drop),
                (Stage::PreDeparture, r.b_n, r.b_days, r.b_drop),
                (Stage::Travel, r.c_n, r.c_days, 0),
            ] {
                let s = StageStats {
                    completed: count(n),
                    mean_days: days.unwrap_or(0.0),
                    dropped: count(dropped),
                };
                stats.push((track, priority, stage, s));
            }
        }
        Ok(Durations { stats })
    }

    async fn relatives_for_forecast(
        &self,
    ) -> Result<(Vec<SponsorRelatives>, Vec<Application>), StoreError> {
        // The sponsor's arrival, or that it is still on its way; those who
        // left the process bring nobody.
        let (rows, applications): (Vec<LeftBehindRow>, Vec<Json<Application>>) = on_pool!(self, pool => {
            let rows = sqlx::query_as(
                "SELECT l.case_id, c.arrived_on, l.document FROM relatives_left_behind l \
                 JOIN cases c ON c.id = l.case_id \
                 WHERE c.family_reunification_of IS NULL AND (c.arrived_on IS NOT NULL \
                 OR c.state IN ('submitted', 'under-assessment', 'accepted', 'pre-departure', 'departed')) \
                 ORDER BY l.case_id",
            )
            .fetch_all(pool)
            .await?;
            let applications = sqlx::query_scalar(
                "SELECT a.document FROM reunification_applications a \
                 WHERE a.sponsor_case_id IN (SELECT case_id FROM relatives_left_behind) \
                 ORDER BY a.id",
            )
            .fetch_all(pool)
            .await?;
            (rows, applications)
        });
        Ok((
            rows.into_iter()
                .map(|(id, arrived_on, list)| SponsorRelatives {
                    sponsor: CaseId::from_uuid(id),
                    arrived_on,
                    relatives: list.0,
                })
                .collect(),
            applications.into_iter().map(|a| a.0).collect(),
        ))
    }
}

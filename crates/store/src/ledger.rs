//! Keeping the ledger's buckets in step with the cases: every write that adds
//! persons, or moves their day of selection or arrival, adjusts the persons
//! per bucket of the policy in force in the same transaction; a policy change
//! rebuilds the buckets from the projection. Reports then read a few thousand
//! rows whatever the number of cases.

use resettle_domain::ledger::bucket_day;
use time::Date;

/// Stands for "no date" in the bucket key (keys hold no NULLs).
pub(crate) const NO_DATE: &str = "0001-01-01";

pub(crate) fn no_date() -> Date {
    time::macros::date!(0001 - 01 - 01)
}

/// The bucket of an optional date under `boundaries`.
pub(crate) fn bucket_of(day: Option<Date>, boundaries: &[Date]) -> Date {
    day.map_or_else(no_date, |d| bucket_day(d, boundaries))
}

/// The SQL expression bucketing `column` (the same rule as `bucket_day`).
pub(crate) fn bucket_expr(sqlite: bool, column: &str, boundaries: &[Date]) -> String {
    // Without boundaries (no policy yet) only the year counts: a CASE with no
    // WHEN is not SQL, so it becomes NULL (ignored by max/GREATEST below).
    let mut case = String::from(if boundaries.is_empty() {
        "NULL"
    } else {
        "CASE"
    });
    for b in boundaries.iter().rev() {
        if sqlite {
            case.push_str(&format!(" WHEN {column} >= '{b}' THEN '{b}'"));
        } else {
            case.push_str(&format!(" WHEN {column} >= DATE '{b}' THEN DATE '{b}'"));
        }
    }
    if !boundaries.is_empty() {
        case.push_str(" END");
    }
    if sqlite {
        let year = format!("strftime('%Y', {column}) || '-01-01'");
        format!(
            "CASE WHEN {column} IS NULL THEN NULL ELSE max({year}, COALESCE({case}, '0000-01-01')) END"
        )
    } else {
        format!("GREATEST(CAST(date_trunc('year', {column}) AS DATE), {case})")
    }
}

/// Rebuilds every bucket from the projection, for `boundaries`.
pub(crate) fn rebuild_sql(sqlite: bool, boundaries: &[Date]) -> String {
    let none = if sqlite {
        format!("'{NO_DATE}'")
    } else {
        format!("DATE '{NO_DATE}'")
    };
    let sel = bucket_expr(sqlite, "selected_on", boundaries);
    let arr = bucket_expr(sqlite, "arrived_on", boundaries);
    format!(
        "INSERT INTO ledger_buckets (programme, family_reunification, selected_bucket, arrived_bucket, host_country, \
         nationality, primary_category, priority, track, persons) \
         SELECT programme, family_reunification, COALESCE({sel}, {none}), COALESCE({arr}, {none}), host_country, \
         nationality, primary_category, priority, track, CAST(SUM(persons) AS BIGINT) FROM ledger_facts \
         WHERE selected_on IS NOT NULL OR arrived_on IS NOT NULL \
         GROUP BY programme, family_reunification, COALESCE({sel}, {none}), COALESCE({arr}, {none}), host_country, \
         nationality, primary_category, priority, track"
    )
}

/// Adds `$delta` persons to one bucket inside transaction `$tx`.
macro_rules! add_to_bucket {
    ($tx:expr, $fact:expr, $selected:expr, $arrived:expr, $delta:expr) => {{
        let f: &crate::ledger::Fact = $fact;
        sqlx::query(
            "INSERT INTO ledger_buckets (programme, family_reunification, selected_bucket, arrived_bucket, \
             host_country, nationality, primary_category, priority, track, persons) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (programme, family_reunification, selected_bucket, arrived_bucket, host_country, \
             nationality, primary_category, priority, track) \
             DO UPDATE SET persons = ledger_buckets.persons + excluded.persons",
        )
        .bind(f.programme.as_str())
        .bind(f.family_reunification)
        .bind($selected)
        .bind($arrived)
        .bind(f.host_country.as_str())
        .bind(f.nationality.as_str())
        .bind(f.primary_category.as_str())
        .bind(f.priority.as_str())
        .bind(f.track.as_str())
        .bind($delta)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use add_to_bucket;

/// Reads the boundaries of the policy in force inside transaction `$tx`.
macro_rules! current_boundaries {
    ($tx:expr) => {{
        let doc: Option<sqlx::types::Json<resettle_domain::policy::PolicySet>> =
            sqlx::query_scalar(
                "SELECT document FROM policy_versions ORDER BY version DESC LIMIT 1",
            )
            .fetch_optional(&mut *$tx)
            .await?;
        doc.map(|d| d.0.boundaries()).unwrap_or_default()
    }};
}
pub(crate) use current_boundaries;

/// One row of the projection: a case's persons of one nationality.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub(crate) struct Fact {
    pub programme: String,
    pub family_reunification: bool,
    pub selected_on: Option<Date>,
    pub arrived_on: Option<Date>,
    pub host_country: String,
    pub nationality: String,
    pub primary_category: String,
    pub priority: String,
    pub track: String,
    pub persons: i64,
}

impl Fact {
    pub fn counted(&self) -> bool {
        self.selected_on.is_some() || self.arrived_on.is_some()
    }
}

//! The case-list query (filters and paging) shared by the API and the pages,
//! parsed with every bad parameter reported at once.

use crate::problem::FieldError;
use resettle_domain::rule::{self, FieldProblem, Rule, ValueError};
use resettle_domain::{CaseState, CountryCode, Programme, SubmissionPriority, Track};
use resettle_store::{CaseFilter, Cursor, PageRequest, PageTooDeep};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Lifecycle state, e.g. `under-assessment`.
    pub state: Option<String>,
    /// Host country, ISO 3166-1 alpha-3, e.g. `EGY`.
    pub host_country: Option<String>,
    /// `emergency`, `urgent` or `normal`.
    pub priority: Option<String>,
    /// `national-quota` or `eu-turkey`.
    pub programme: Option<String>,
    /// `selection-mission` or `dossier`.
    pub track: Option<String>,
    /// Year of submission.
    pub year: Option<String>,
    /// Year of arrival in the Netherlands.
    pub arrival_year: Option<String>,
    /// Page number, from 1.
    pub page: Option<String>,
    /// Cases per page, 1 to 500 (default 50).
    pub page_size: Option<String>,
    /// The `next` or `previous` of another page: continues the list from there.
    /// Pages beyond the first 10,000 cases are reached this way only.
    pub cursor: Option<String>,
}

/// Parses an optional parameter; empty means "not given".
pub(crate) fn opt<T, E: ValueError>(
    errors: &mut Vec<FieldError>,
    name: &str,
    raw: &Option<String>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Option<T> {
    let v = raw.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    parse(v).map_err(|e| errors.push(e.at(name).into())).ok()
}

fn year(v: &str) -> Result<i32, FieldProblem> {
    rule::year(v, 1984, 2100)
}

pub(crate) fn number(max: u32) -> impl Fn(&str) -> Result<u32, FieldProblem> {
    move |v| rule::whole_number(v, 1, max.into()).map(|n| n as u32)
}

impl CaseQuery {
    pub fn parse(&self) -> Result<(CaseFilter, PageRequest), Vec<FieldError>> {
        let mut e = Vec::new();
        let filter = CaseFilter {
            state: opt(&mut e, "state", &self.state, CaseState::parse),
            host_country: opt(
                &mut e,
                "hostCountry",
                &self.host_country,
                CountryCode::parse,
            ),
            priority: opt(
                &mut e,
                "priority",
                &self.priority,
                SubmissionPriority::parse,
            ),
            programme: opt(&mut e, "programme", &self.programme, Programme::parse),
            track: opt(&mut e, "track", &self.track, Track::parse),
            year: opt(&mut e, "year", &self.year, year),
            arrival_year: opt(&mut e, "arrivalYear", &self.arrival_year, year),
            // Set by the caller from the asking account's capability.
            scope: None,
        };
        let page = opt(&mut e, "page", &self.page, number(u32::MAX)).unwrap_or(1);
        let size = opt(
            &mut e,
            "pageSize",
            &self.page_size,
            number(PageRequest::MAX_SIZE),
        )
        .unwrap_or(50);
        let cursor = opt(&mut e, "cursor", &self.cursor, |v| {
            Cursor::decode(v)
                .map_err(|c| FieldProblem::new("", Rule::Cursor, c.to_string()).with("value", v))
        });
        let request = PageRequest::new(page, size).with_cursor(cursor);
        if let Err(deep) = request.within_reach() {
            e.push(too_deep(deep));
        }
        if e.is_empty() {
            Ok((filter, request))
        } else {
            Err(e)
        }
    }
}

/// A numbered page beyond the store's reach, as the page field's problem.
pub(crate) fn too_deep(deep: PageTooDeep) -> FieldError {
    FieldProblem::new("page", Rule::PageTooDeep, deep.to_string())
        .with("page", deep.page)
        .with("limit", deep.limit)
        .into()
}

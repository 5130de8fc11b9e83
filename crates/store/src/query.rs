//! Filters and pages for listing cases.

use resettle_domain::{
    CaseId, CaseNumber, CaseScope, CaseState, CountryCode, Programme, SubmissionPriority, Track,
};
use serde::Serialize;
use time::Date;

/// Which cases to list. Every field narrows the list; `None` does not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub state: Option<CaseState>,
    pub host_country: Option<CountryCode>,
    pub priority: Option<SubmissionPriority>,
    pub programme: Option<Programme>,
    pub track: Option<Track>,
    /// Year of submission.
    pub year: Option<i32>,
    /// Year of arrival in the Netherlands.
    pub arrival_year: Option<i32>,
    /// The cases the asking account may see; `None` for operators' own tools.
    pub scope: Option<CaseScope>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// From 1.
    pub page: u32,
    pub page_size: u32,
}

impl PageRequest {
    pub const MAX_SIZE: u32 = 500;

    /// Clamps to page 1 and at most [`Self::MAX_SIZE`] per page.
    pub fn new(page: u32, page_size: u32) -> Self {
        Self {
            page: page.max(1),
            page_size: page_size.clamp(1, Self::MAX_SIZE),
        }
    }

    pub(crate) fn offset(&self) -> i64 {
        (i64::from(self.page) - 1) * i64::from(self.page_size)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::new(1, 50)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub page_size: u32,
    pub total: i64,
}

/// One line of a case list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CaseSummary {
    pub id: CaseId,
    pub case_number: CaseNumber,
    pub host_country: CountryCode,
    pub priority: SubmissionPriority,
    pub programme: Programme,
    pub track: Track,
    pub state: CaseState,
    pub submitted_on: Date,
    pub selected_on: Option<Date>,
    pub departed_on: Option<Date>,
    pub arrived_on: Option<Date>,
    pub persons: i64,
    pub family_reunification: bool,
    pub version: i64,
    /// The mission (or dossier track) the case is selected on, if linked.
    pub mission_id: Option<resettle_domain::MissionId>,
}

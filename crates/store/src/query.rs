//! Filters and pages for listing cases.

use resettle_domain::{
    CaseId, CaseNumber, CaseScope, CaseState, CountryCode, Programme, SubmissionPriority, Track,
};
use serde::Serialize;
use thiserror::Error;
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

/// Where a page of the case list starts when it follows a link from another
/// page: just after or just before one case in list order (newest submission
/// first, then case number). Such a page costs what the first page costs,
/// however deep it lies, unlike an offset that walks every case before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub direction: Direction,
    pub submitted_on: Date,
    pub case_number: CaseNumber,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    After,
    Before,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("'{0}' is not a cursor of this list: use the next or previous link of a page")]
pub struct CursorError(pub String);

/// A cursor travels as its text (see [`Cursor::encode`]).
impl Serialize for Cursor {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.encode())
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.encode())
    }
}

impl Cursor {
    pub fn after(case: &CaseSummary) -> Self {
        Self::at(Direction::After, case)
    }

    pub fn before(case: &CaseSummary) -> Self {
        Self::at(Direction::Before, case)
    }

    fn at(direction: Direction, case: &CaseSummary) -> Self {
        Self {
            direction,
            submitted_on: case.submitted_on,
            case_number: case.case_number.clone(),
        }
    }

    /// `a.2025-03-01.EGY-24C01234`: URL-safe, and readable in a log.
    pub fn encode(&self) -> String {
        let d = match self.direction {
            Direction::After => 'a',
            Direction::Before => 'b',
        };
        format!("{d}.{}.{}", self.submitted_on, self.case_number)
    }

    pub fn decode(raw: &str) -> Result<Self, CursorError> {
        let bad = || CursorError(raw.to_string());
        let mut parts = raw.splitn(3, '.');
        let direction = match parts.next() {
            Some("a") => Direction::After,
            Some("b") => Direction::Before,
            _ => return Err(bad()),
        };
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let submitted_on = parts
            .next()
            .and_then(|d| Date::parse(d, format).ok())
            .ok_or_else(bad)?;
        let case_number = parts
            .next()
            .and_then(|n| CaseNumber::parse(n).ok())
            .ok_or_else(bad)?;
        Ok(Self {
            direction,
            submitted_on,
            case_number,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// From 1; with a cursor, only the number shown to the reader.
    pub page: u32,
    pub page_size: u32,
    /// Follow a link from another page instead of counting from the start.
    pub cursor: Option<Cursor>,
}

impl PageRequest {
    pub const MAX_SIZE: u32 = 500;
    /// Pages are counted from the start only this far; deeper pages are
    /// reached by their links (cursors), so no request walks a million rows.
    pub const MAX_OFFSET: i64 = COUNT_LIMIT;

    /// Clamps to page 1 and at most [`Self::MAX_SIZE`] per page.
    pub fn new(page: u32, page_size: u32) -> Self {
        Self {
            page: page.max(1),
            page_size: page_size.clamp(1, Self::MAX_SIZE),
            cursor: None,
        }
    }

    pub fn with_cursor(mut self, cursor: Option<Cursor>) -> Self {
        self.cursor = cursor;
        self
    }

    pub fn offset(&self) -> i64 {
        (i64::from(self.page) - 1) * i64::from(self.page_size)
    }

    /// Refuses a numbered page that starts [`Self::MAX_OFFSET`] rows or more
    /// from the start; the store asks this of every list, whoever calls it.
    pub fn within_reach(&self) -> Result<(), PageTooDeep> {
        if self.cursor.is_none() && self.offset() >= Self::MAX_OFFSET {
            return Err(PageTooDeep {
                page: self.page,
                limit: Self::MAX_OFFSET,
            });
        }
        Ok(())
    }
}

/// A numbered page too far from the start of a list.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "page {page} lies beyond the first {limit} matches: follow the pages' next links (cursor) or narrow the filters"
)]
pub struct PageTooDeep {
    pub page: u32,
    pub limit: i64,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::new(1, 50)
    }
}

/// Lists count their matches up to this many: beyond it the reader learns
/// "more than 10,000", which costs a bounded index walk instead of a count of
/// every match (close to a second for 100,000 matches at a million cases).
pub const COUNT_LIMIT: i64 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub page_size: u32,
    /// The number of matches, at most [`COUNT_LIMIT`].
    pub total: i64,
    /// False when there are more matches than `total`.
    pub total_exact: bool,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub next: Option<Cursor>,
    /// Pass as `cursor` for the previous page; absent on the first page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub previous: Option<Cursor>,
}

impl<T> Page<T> {
    /// A page whose count is exact and whose neighbours are reached by number.
    pub(crate) fn counted(items: Vec<T>, request: &PageRequest, total: i64) -> Self {
        Self {
            items,
            page: request.page,
            page_size: request.page_size,
            total: total.min(COUNT_LIMIT),
            total_exact: total <= COUNT_LIMIT,
            next: None,
            previous: None,
        }
    }

    /// How many pages there are, as far as counted.
    pub fn pages(&self) -> i64 {
        ((self.total + i64::from(self.page_size) - 1) / i64::from(self.page_size)).max(1)
    }
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

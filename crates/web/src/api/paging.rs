//! One page of a list, as every list endpoint of the API answers it: the items,
//! where the page lies, and the links to the next and previous page. A link
//! repeats the request's own filters and carries a `cursor`, so following it
//! costs what the first page costs, however deep it lies.

use crate::filters::{number, opt};
use crate::problem::{FieldError, Problem};
use axum::http::Uri;
use resettle_domain::audit::AuditRecord;
use resettle_domain::country_policy::PolicyNote;
use resettle_domain::mission::Mission;
use resettle_domain::operations::Hold;
use resettle_domain::rule::{FieldProblem, Rule};
use resettle_store::{CaseSummary, Page, PageRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A page envelope per item type: a generic one would be named `Page_T` in the
/// document, and schema names are UpperCamelCase.
macro_rules! list_page {
    ($name:ident, $item:ty, $what:literal) => {
        #[doc = concat!("One page of ", $what, ".")]
        #[derive(Debug, Serialize, ToSchema)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            pub items: Vec<$item>,
            /// The number of this page, from 1.
            pub page: u32,
            pub page_size: u32,
            /// The number of matches, counted up to 10,000.
            pub total: i64,
            /// False when there are more matches than `total`.
            pub total_exact: bool,
            /// Link to the next page; absent on the last page.
            #[serde(skip_serializing_if = "Option::is_none")]
            #[schema(format = "uri-reference")]
            pub next: Option<String>,
            /// Link to the previous page; absent on the first page.
            #[serde(skip_serializing_if = "Option::is_none")]
            #[schema(format = "uri-reference")]
            pub previous: Option<String>,
        }

        impl From<Listed<$item>> for $name {
            fn from(l: Listed<$item>) -> Self {
                Self {
                    items: l.items,
                    page: l.page,
                    page_size: l.page_size,
                    total: l.total,
                    total_exact: l.total_exact,
                    next: l.next,
                    previous: l.previous,
                }
            }
        }
    };
}

list_page!(CasePage, CaseSummary, "cases");
list_page!(AuditPage, AuditRecord, "audit entries");
list_page!(MissionPage, Mission, "missions");
list_page!(HoldPage, Hold, "holds");
list_page!(PolicyNotePage, PolicyNote, "country-policy notes");

/// A page with its links, before it takes the name of its item type.
pub struct Listed<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub page_size: u32,
    pub total: i64,
    pub total_exact: bool,
    pub next: Option<String>,
    pub previous: Option<String>,
}

/// The request's URI with `page` and `cursor` replaced: the link to another page.
pub fn link(uri: &Uri, page: u32, cursor: Option<&str>) -> String {
    let kept = url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .filter(|(k, _)| k != "page" && k != "cursor")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect::<Vec<_>>();
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &kept {
        query.append_pair(k, v);
    }
    query.append_pair("page", &page.to_string());
    if let Some(c) = cursor {
        query.append_pair("cursor", c);
    }
    format!("/api/v1{}?{}", api_path(uri), query.finish())
}

/// The path below `/api/v1` (the router hands nested handlers the stripped path).
fn api_path(uri: &Uri) -> &str {
    uri.path().strip_prefix("/api/v1").unwrap_or(uri.path())
}

/// A store's page of cases, with links that carry its cursors.
pub fn cases(uri: &Uri, p: Page<CaseSummary>) -> CasePage {
    let next = p
        .next
        .as_ref()
        .map(|c| link(uri, p.page.saturating_add(1), Some(&c.encode())));
    let previous = p
        .previous
        .as_ref()
        .map(|c| link(uri, p.page.saturating_sub(1).max(1), Some(&c.encode())));
    Listed {
        items: p.items,
        page: p.page,
        page_size: p.page_size,
        total: p.total,
        total_exact: p.total_exact,
        next,
        previous,
    }
    .into()
}

/// Paging parameters of the lists read whole from the store (missions, holds,
/// country-policy notes): short lists, paged the same way as the long ones.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Page number, from 1.
    pub page: Option<String>,
    /// Items per page, 1 to 500 (default 50).
    pub page_size: Option<String>,
    /// From the `next` or `previous` link of another page: continues the list
    /// from there.
    pub cursor: Option<String>,
}

/// Where a page continues from: just after or just before one item.
enum Anchor {
    After(String),
    Before(String),
}

impl ListParams {
    fn parse(&self) -> Result<(u32, u32, Option<Anchor>), Vec<FieldError>> {
        let mut e = Vec::new();
        let page = opt(&mut e, "page", &self.page, number(u32::MAX)).unwrap_or(1);
        let size = opt(
            &mut e,
            "pageSize",
            &self.page_size,
            number(PageRequest::MAX_SIZE),
        )
        .unwrap_or(50);
        let anchor = opt(&mut e, "cursor", &self.cursor, |v| {
            match v.split_once('.') {
                Some(("a", key)) if !key.is_empty() => Ok(Anchor::After(key.to_string())),
                Some(("b", key)) if !key.is_empty() => Ok(Anchor::Before(key.to_string())),
                _ => Err(bad_cursor(v)),
            }
        });
        if e.is_empty() {
            Ok((page, size, anchor))
        } else {
            Err(e)
        }
    }

    /// One page of `items` (in list order), each known by `key`.
    pub fn page<T>(
        &self,
        uri: &Uri,
        items: Vec<T>,
        key: impl Fn(&T) -> String,
    ) -> Result<Listed<T>, Problem> {
        let (page, size, anchor) = self
            .parse()
            .map_err(|e| Problem::bad_request("the paging parameters are invalid", e))?;
        let size_us = size as usize;
        let position = |k: &str| {
            items.iter().position(|i| key(i) == k).ok_or_else(|| {
                Problem::bad_request(
                    format!("'{k}' is not in this list any more: start again from the first page"),
                    vec![bad_cursor(k).into()],
                )
            })
        };
        let start = match &anchor {
            None => (page as usize - 1).saturating_mul(size_us).min(items.len()),
            Some(Anchor::After(k)) => position(k)? + 1,
            Some(Anchor::Before(k)) => position(k)?.saturating_sub(size_us),
        };
        let end = match &anchor {
            Some(Anchor::Before(k)) => position(k)?,
            _ => start.saturating_add(size_us).min(items.len()),
        };
        let total = items.len();
        let next = items
            .get(end.wrapping_sub(1))
            .filter(|_| end < total)
            .map(|i| link(uri, page.saturating_add(1), Some(&format!("a.{}", key(i)))));
        let previous = items.get(start).filter(|_| start > 0).map(|i| {
            link(
                uri,
                page.saturating_sub(1).max(1),
                Some(&format!("b.{}", key(i))),
            )
        });
        let items: Vec<T> = items.into_iter().skip(start).take(end - start).collect();
        Ok(Listed {
            items,
            page,
            page_size: size,
            total: i64::try_from(total).unwrap_or(i64::MAX),
            total_exact: true,
            next,
            previous,
        })
    }
}

fn bad_cursor(v: &str) -> FieldProblem {
    FieldProblem::new(
        "cursor",
        Rule::Cursor,
        format!("'{v}' is not a cursor of this list: follow the next or previous link of a page"),
    )
    .with("value", v)
}

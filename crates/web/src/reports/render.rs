//! Reports as tables, and tables as text, CSV, Markdown and XLSX, in the
//! reader's language: titles, headings and vocabulary values translated,
//! numbers for people written as the language writes them.

use super::Report;
use crate::format;
use crate::pages::{Lang, T};
use resettle_domain::ledger::{SUPPRESSED, round_to_tens};
use resettle_domain::{CountryCode, Nationality};

/// A pivot's cell where a column has no one of the row's value.
const NO_ONE: &str = "–";

/// A cell: a text, a count of persons (rounded when asked) or another number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Count(u64),
    Number(i64),
    /// A calendar year: a number, but never written with a thousands separator.
    Year(i32),
    /// An amount of euros that does not follow a count.
    Euros(u64),
    /// An amount that follows a count of persons (funding), so it follows its rounding.
    PerPerson {
        persons: u64,
        amount: u64,
    },
}

impl Cell {
    /// The value as a machine reads it (CSV, XLSX): digits only.
    pub fn show(&self, round: bool) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) => (if round { round_to_tens(*n) } else { *n }).to_string(),
            Cell::Number(n) => n.to_string(),
            Cell::Year(y) => y.to_string(),
            Cell::Euros(n) => n.to_string(),
            Cell::PerPerson { .. } => self.euros(round).to_string(),
        }
    }

    fn euros(&self, round: bool) -> u64 {
        match self {
            Cell::PerPerson { persons, amount } => {
                (if round {
                    round_to_tens(*persons)
                } else {
                    *persons
                }) * amount
            }
            Cell::Euros(n) => *n,
            _ => 0,
        }
    }

    /// The value as a person reads it in `lang`: "1.208", "€ 13.040.000".
    pub fn show_for(&self, round: bool, lang: Lang) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Year(y) => y.to_string(),
            Cell::Count(n) => format::int(lang, if round { round_to_tens(*n) } else { *n }),
            Cell::Number(n) => format::int(lang, *n),
            Cell::Euros(_) | Cell::PerPerson { .. } => format::euros(lang, self.euros(round)),
        }
    }

    /// Right-aligned in a table: every cell but a text (the dash that stands
    /// for no one in a column of counts is aligned as the counts are).
    pub fn is_number(&self) -> bool {
        !matches!(self, Cell::Text(t) if t != NO_ONE)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// Headings from their translation keys (`col-` and the key).
fn h(tr: T, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| tr.t(&format!("col-{k}"))).collect()
}

/// A host country code of a report line in words, or the code if it is none.
fn country_key(tr: T, key: &str) -> String {
    match CountryCode::parse(key) {
        Ok(c) => tr.country(c),
        Err(_) => key.to_string(),
    }
}

/// A key of a composition count in words, by what it counts.
pub fn composition_value(tr: T, by: &str, key: &str) -> String {
    if key == SUPPRESSED {
        return tr.t("report-suppressed");
    }
    match by {
        "host-country" => country_key(tr, key),
        "nationality" => Nationality::parse(key)
            .map(|n| tr.nationality(n))
            .unwrap_or_else(|_| key.to_string()),
        other => tr.term(other, key),
    }
}

/// A cap's label in words: the ledger joins the priority and the category
/// it caps with " + " ("emergency + medical-needs").
fn cap_label(tr: T, label: &str) -> String {
    use resettle_domain::{SubmissionCategory, SubmissionPriority};
    label
        .split(" + ")
        .map(|part| {
            if SubmissionPriority::parse(part).is_ok() {
                tr.term("priority", part)
            } else if SubmissionCategory::parse(part).is_ok() {
                tr.term("category", part)
            } else {
                part.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// A plan line's key in words: a host country, other missions or unearmarked.
pub fn plan_key(tr: T, key: &str) -> String {
    match key {
        "other-missions" | "unearmarked" => tr.t(&format!("report-{key}")),
        other => country_key(tr, other),
    }
}

/// The composition as one table per dimension (host country, nationality,
/// category, priority): a row per value, largest first, a column per
/// framework; "–" where a framework has no one of that value (or counts them
/// under the suppressed small cells, the last row).
fn composition_pivot(r: &resettle_domain::ledger::CompositionReport, tr: T) -> Vec<Table> {
    type Pick =
        fn(&resettle_domain::ledger::CompositionLine) -> &Vec<resettle_domain::ledger::Count>;
    let dimensions: [(&str, Pick); 4] = [
        ("host-country", |f| &f.by_host_country),
        ("nationality", |f| &f.by_nationality),
        ("category", |f| &f.by_category),
        ("priority", |f| &f.by_priority),
    ];
    dimensions
        .iter()
        .map(|(by, pick)| {
            let mut keys: Vec<(String, u64)> = vec![];
            for f in &r.frameworks {
                for c in pick(f) {
                    match keys.iter_mut().find(|(k, _)| *k == c.key) {
                        Some((_, n)) => *n += c.persons,
                        None => keys.push((c.key.clone(), c.persons)),
                    }
                }
            }
            keys.sort_by(|a, b| {
                (a.0 == SUPPRESSED)
                    .cmp(&(b.0 == SUPPRESSED))
                    .then(b.1.cmp(&a.1))
                    .then(a.0.cmp(&b.0))
            });
            let mut headers = vec![tr.t(&format!("col-{by}"))];
            headers.extend(r.frameworks.iter().map(|f| f.framework.clone()));
            let rows = keys
                .iter()
                .map(|(key, _)| {
                    let mut row = vec![t(composition_value(tr, by, key))];
                    row.extend(r.frameworks.iter().map(|f| {
                        pick(f)
                            .iter()
                            .find(|c| c.key == *key)
                            .map_or(t(NO_ONE), |c| Cell::Count(c.persons))
                    }));
                    row
                })
                .collect();
            Table {
                title: tr.t(&format!("report-composition-by-{by}")),
                headers,
                rows,
            }
        })
        .collect()
}

/// The report as one or more tables.
pub fn tables(report: &Report, tr: T) -> Vec<Table> {
    match report {
        Report::Frameworks(r) => {
            let mut rows = Vec::new();
            for f in &r.frameworks {
                for y in &f.years {
                    rows.push(vec![
                        t(&f.id),
                        Cell::Year(y.year),
                        Cell::Count(y.resettled_arrivals),
                        Cell::Count(y.family_reunification_arrivals),
                        Cell::Count(y.counted_national),
                    ]);
                }
            }
            let summary = r
                .frameworks
                .iter()
                .map(|f| {
                    let deductions: u64 = f.deductions.iter().map(|d| d.places).sum();
                    vec![
                        t(&f.id),
                        Cell::Count(f.commitment),
                        Cell::Count(deductions),
                        Cell::Count(f.adjusted_commitment),
                        Cell::Count(f.carried_in),
                        Cell::Count(f.counted_total),
                        Cell::Count(f.excess),
                        t(f.carried_out_to.clone().unwrap_or_default()),
                        t(tr.yes_no(f.met)),
                        f.quota_per_year.map_or(t(""), Cell::Count),
                    ]
                })
                .collect();
            vec![
                Table {
                    title: tr.t("col-frameworks"),
                    headers: h(
                        tr,
                        &[
                            "framework",
                            "commitment",
                            "deductions",
                            "adjusted-commitment",
                            "carried-in",
                            "counted-total",
                            "excess",
                            "carried-to",
                            "met",
                            "quota-per-year",
                        ],
                    ),
                    rows: summary,
                },
                Table {
                    title: tr.t("col-arrivals-per-year"),
                    headers: h(
                        tr,
                        &[
                            "framework",
                            "year",
                            "resettled-arrivals",
                            "family-reunification-arrivals",
                            "counted-national",
                        ],
                    ),
                    rows,
                },
            ]
        }
        Report::Eu(r) => {
            let mut rows = Vec::new();
            for e in &r.programmes {
                for p in &e.pledges {
                    rows.push(vec![
                        t(&e.id),
                        t(tr.term("programme", p.programme.as_str())),
                        Cell::Count(p.pledged),
                        Cell::Count(p.realised),
                        t(tr.policy(&p.note, &p.note_en)),
                    ]);
                }
            }
            let totals = r
                .programmes
                .iter()
                .map(|e| {
                    vec![
                        t(&e.id),
                        Cell::Count(e.pledged_total),
                        Cell::Count(e.realised_total),
                        Cell::Count(e.family_reunification_excluded),
                        Cell::Euros(e.eur_per_person),
                        Cell::PerPerson {
                            persons: e.realised_total,
                            amount: e.eur_per_person,
                        },
                    ]
                })
                .collect();
            vec![
                Table {
                    title: tr.t("col-eu-programmes"),
                    headers: h(
                        tr,
                        &[
                            "programme",
                            "pledged",
                            "realised-eu-rule",
                            "family-reunification-not-counted",
                            "eur-per-person",
                            "funding-eur",
                        ],
                    ),
                    rows: totals,
                },
                Table {
                    title: tr.t("col-pledges"),
                    headers: h(tr, &["programme", "part", "pledged", "realised", "note"]),
                    rows,
                },
            ]
        }
        Report::Composition(r) => composition_pivot(r, tr),
        Report::Allocation(r) => {
            let mut rows = Vec::new();
            let mut caps = Vec::new();
            for a in &r.plans {
                for l in &a.lines {
                    rows.push(vec![
                        t(&a.framework),
                        Cell::Year(a.year),
                        t(plan_key(tr, &l.key)),
                        Cell::Count(l.planned),
                        Cell::Count(l.selected),
                    ]);
                }
                rows.push(vec![
                    t(&a.framework),
                    Cell::Year(a.year),
                    t(tr.with(
                        if a.below_unearmarked_target {
                            "report-total-unearmarked-below"
                        } else {
                            "report-total-unearmarked"
                        },
                        &[(
                            "share",
                            format::percent(tr.0, a.unearmarked_share_percent as f64, 0).into(),
                        )],
                    )),
                    Cell::Count(a.planned_total),
                    Cell::Count(a.selected_total),
                ]);
                for c in &a.caps {
                    caps.push(vec![
                        t(&a.framework),
                        Cell::Year(a.year),
                        t(cap_label(tr, &c.label)),
                        Cell::Number(i64::try_from(c.max).unwrap_or(i64::MAX)),
                        Cell::Count(c.used),
                        t(if c.exceeded {
                            tr.t("report-exceeded")
                        } else {
                            String::new()
                        }),
                    ]);
                }
            }
            vec![
                Table {
                    title: tr.t("col-allocation-plans"),
                    headers: h(tr, &["framework", "year", "line", "planned", "selected"]),
                    rows,
                },
                Table {
                    title: tr.t("col-caps"),
                    headers: h(tr, &["framework", "year", "cap", "max", "used", "exceeded"]),
                    rows: caps,
                },
            ]
        }
    }
}

/// Aligned plain text, numbers as `lang` writes them.
pub fn text(tables: &[Table], round: bool, lang: Lang) -> String {
    let mut out = String::new();
    for table in tables {
        let cells: Vec<Vec<String>> = table
            .rows
            .iter()
            .map(|r| r.iter().map(|c| c.show_for(round, lang)).collect())
            .collect();
        let widths: Vec<usize> = (0..table.headers.len())
            .map(|i| {
                cells
                    .iter()
                    .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                    .chain([table.headers[i].chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        out.push_str(&format!("{}\n", table.title));
        let line = |items: &[String]| {
            items
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        };
        out.push_str(&line(&table.headers));
        out.push('\n');
        for r in &cells {
            out.push_str(&line(r));
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// Markdown tables, numbers as `lang` writes them.
pub fn markdown(tables: &[Table], round: bool, lang: Lang) -> String {
    let mut out = String::new();
    for table in tables {
        out.push_str(&format!(
            "### {}\n\n| {} |\n|{}\n",
            table.title,
            table.headers.join(" | "),
            "---|".repeat(table.headers.len())
        ));
        for r in &table.rows {
            out.push_str(&format!(
                "| {} |\n",
                r.iter()
                    .map(|c| c.show_for(round, lang))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
        }
        out.push('\n');
    }
    out
}

/// A text for a CSV cell: one a spreadsheet would read as a formula (it
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading
/// apostrophe, so that it stays text. Policy texts are typed by people.
fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// CSV: each table after a line with its title. Texts cannot become
/// formulas (see [`inert`]); numbers stay numbers.
pub fn csv(tables: &[Table], round: bool) -> Result<String, String> {
    let mut w = ::csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for (i, table) in tables.iter().enumerate() {
        if i > 0 {
            w.write_record([""]).map_err(|e| e.to_string())?;
        }
        w.write_record([inert(&table.title)])
            .map_err(|e| e.to_string())?;
        w.write_record(table.headers.iter().map(|h| inert(h)))
            .map_err(|e| e.to_string())?;
        for r in &table.rows {
            w.write_record(r.iter().map(|c| match c {
                Cell::Text(text) => inert(text),
                other => other.show(round),
            }))
            .map_err(|e| e.to_string())?;
        }
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// An XLSX workbook with one sheet per table; counts and numbers as numbers,
/// texts always as text cells (never formulas).
pub fn xlsx(tables: &[Table], round: bool) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for table in tables {
        let sheet = book.add_worksheet();
        let name: String = table
            .title
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ')
            .take(31)
            .collect();
        sheet.set_name(name).map_err(|e| e.to_string())?;
        for (c, head) in table.headers.iter().enumerate() {
            let col = u16::try_from(c).map_err(|e| e.to_string())?;
            sheet
                .write_string_with_format(0, col, head, &bold)
                .map_err(|e| e.to_string())?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|e| e.to_string())?;
            for (c, cell) in row.iter().enumerate() {
                let col = u16::try_from(c).map_err(|e| e.to_string())?;
                match cell {
                    Cell::Text(s) => sheet.write_string(r, col, s),
                    Cell::Count(_)
                    | Cell::Number(_)
                    | Cell::Year(_)
                    | Cell::Euros(_)
                    | Cell::PerPerson { .. } => {
                        let n: f64 = cell.show(round).parse().unwrap_or(0.0);
                        sheet.write_number(r, col, n)
                    }
                }
                .map_err(|e| e.to_string())?;
            }
        }
        sheet.autofit();
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}

//! Reports as tables, and tables as text, CSV, Markdown and XLSX.

use super::Report;
use resettle_domain::ledger::round_to_tens;

/// A cell: a text, a count of persons (rounded when asked) or another number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Count(u64),
    Number(i64),
    /// An amount that follows a count of persons (funding), so it follows its rounding.
    PerPerson {
        persons: u64,
        amount: u64,
    },
}

impl Cell {
    pub fn show(&self, round: bool) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) => (if round { round_to_tens(*n) } else { *n }).to_string(),
            Cell::Number(n) => n.to_string(),
            Cell::PerPerson { persons, amount } => ((if round {
                round_to_tens(*persons)
            } else {
                *persons
            }) * amount)
                .to_string(),
        }
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

fn h(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The report as one or more tables.
pub fn tables(report: &Report) -> Vec<Table> {
    match report {
        Report::Frameworks(r) => {
            let mut rows = Vec::new();
            for f in &r.frameworks {
                for y in &f.years {
                    rows.push(vec![
                        t(&f.id),
                        Cell::Number(i64::from(y.year)),
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
                        t(if f.met { "yes" } else { "no" }),
                        t(f.quota_per_year.map(|q| q.to_string()).unwrap_or_default()),
                    ]
                })
                .collect();
            vec![
                Table {
                    title: "Frameworks".into(),
                    headers: h(&[
                        "framework",
                        "commitment",
                        "deductions",
                        "adjusted commitment",
                        "carried in",
                        "counted total",
                        "excess",
                        "carried to",
                        "met",
                        "quota per year",
                    ]),
                    rows: summary,
                },
                Table {
                    title: "Arrivals per year".into(),
                    headers: h(&[
                        "framework",
                        "year",
                        "resettled arrivals",
                        "family reunification arrivals",
                        "counted national",
                    ]),
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
                        t(p.programme.as_str()),
                        Cell::Count(p.pledged),
                        Cell::Count(p.realised),
                        t(&p.note),
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
                        Cell::Number(i64::try_from(e.eur_per_person).unwrap_or(i64::MAX)),
                        Cell::PerPerson {
                            persons: e.realised_total,
                            amount: e.eur_per_person,
                        },
                    ]
                })
                .collect();
            vec![
                Table {
                    title: "EU programmes".into(),
                    headers: h(&[
                        "programme",
                        "pledged",
                        "realised (EU rule)",
                        "family reunification not counted",
                        "EUR per person",
                        "funding EUR",
                    ]),
                    rows: totals,
                },
                Table {
                    title: "Pledges".into(),
                    headers: h(&["programme", "part", "pledged", "realised", "note"]),
                    rows,
                },
            ]
        }
        Report::Composition(r) => {
            let mut rows = Vec::new();
            for f in &r.frameworks {
                for (dimension, counts) in [
                    ("host country", &f.by_host_country),
                    ("nationality", &f.by_nationality),
                    ("category", &f.by_category),
                    ("priority", &f.by_priority),
                ] {
                    for c in counts {
                        rows.push(vec![
                            t(&f.framework),
                            t(dimension),
                            t(&c.key),
                            Cell::Count(c.persons),
                        ]);
                    }
                }
            }
            vec![Table {
                title: "Composition".into(),
                headers: h(&["framework", "by", "value", "persons"]),
                rows,
            }]
        }
        Report::Allocation(r) => {
            let mut rows = Vec::new();
            let mut caps = Vec::new();
            for a in &r.plans {
                for l in &a.lines {
                    rows.push(vec![
                        t(&a.framework),
                        Cell::Number(i64::from(a.year)),
                        t(&l.key),
                        Cell::Count(l.planned),
                        Cell::Count(l.selected),
                    ]);
                }
                rows.push(vec![
                    t(&a.framework),
                    Cell::Number(i64::from(a.year)),
                    t(format!(
                        "total (unearmarked {}%{})",
                        a.unearmarked_share_percent,
                        if a.below_unearmarked_target {
                            ", below the 10% target"
                        } else {
                            ""
                        }
                    )),
                    Cell::Count(a.planned_total),
                    Cell::Count(a.selected_total),
                ]);
                for c in &a.caps {
                    caps.push(vec![
                        t(&a.framework),
                        Cell::Number(i64::from(a.year)),
                        t(&c.label),
                        Cell::Number(i64::try_from(c.max).unwrap_or(i64::MAX)),
                        Cell::Count(c.used),
                        t(if c.exceeded { "exceeded" } else { "" }),
                    ]);
                }
            }
            vec![
                Table {
                    title: "Allocation plans".into(),
                    headers: h(&["framework", "year", "line", "planned", "selected"]),
                    rows,
                },
                Table {
                    title: "Caps".into(),
                    headers: h(&["framework", "year", "cap", "max", "used", ""]),
                    rows: caps,
                },
            ]
        }
    }
}

/// Aligned plain text.
pub fn text(tables: &[Table], round: bool) -> String {
    let mut out = String::new();
    for table in tables {
        let cells: Vec<Vec<String>> = table
            .rows
            .iter()
            .map(|r| r.iter().map(|c| c.show(round)).collect())
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

/// Markdown tables.
pub fn markdown(tables: &[Table], round: bool) -> String {
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
                    .map(|c| c.show(round))
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
                    Cell::Count(_) | Cell::Number(_) | Cell::PerPerson { .. } => {
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

//! Inline SVG bar charts. Colour is never the only signal: every bar carries
//! its series name and value as text, and every chart has a table beside it.

use crate::format;
use crate::pages::Lang;
use maud::{Markup, html};

/// One group of bars (e.g. a framework) with a value per series.
pub struct Group {
    pub label: String,
    pub bars: Vec<(String, u64)>,
}

const BAR: u32 = 18;
const GAP: u32 = 14;
/// Each group's label has a line of its own above its bars, so a long label
/// ("2026 niet-geoormerkte reservering (dossier)") never runs into them.
const LABEL_H: u32 = 18;
/// Room right of the longest bar for its text ("geselecteerd: 1.298").
const VALUE_W: u32 = 200;
const WIDTH: u32 = 720;
/// Fills per series position, with a dashed outline on every other one so
/// series differ without colour too.
const FILLS: &[&str] = &["#0b4f8a", "#b5d3f0", "#4a4a4a", "#d9d9d9"];

/// A horizontal grouped bar chart with a title (for `aria-labelledby`).
pub fn bars(id: &str, title: &str, groups: &[Group], lang: Lang) -> Markup {
    let max = groups
        .iter()
        .flat_map(|g| g.bars.iter().map(|b| b.1))
        .max()
        .unwrap_or(0)
        .max(1);
    let per_group: u32 = groups
        .iter()
        .map(|g| g.bars.len() as u32)
        .max()
        .unwrap_or(1)
        * BAR
        + LABEL_H
        + GAP;
    let height = per_group * groups.len() as u32 + 10;
    let scale =
        |v: u64| -> u32 { ((v as f64 / max as f64) * f64::from(WIDTH - VALUE_W)).round() as u32 };
    html! {
        figure.chart {
            svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby={ (id) "-title" }
                viewBox={ "0 0 " (WIDTH) " " (height) } width="100%" {
                title id={ (id) "-title" } { (title) }
                @for (gi, g) in groups.iter().enumerate() {
                    @let top = gi as u32 * per_group;
                    text x="0" y=(top + LABEL_H - 5) font-size="13" font-weight="bold" { (g.label) }
                    @for (bi, (series, value)) in g.bars.iter().enumerate() {
                        @let y = top + LABEL_H + bi as u32 * BAR;
                        @let w = scale(*value);
                        rect x="0" y=(y + 2) width=(w.max(1)) height=(BAR - 4)
                            fill=(FILLS[bi % FILLS.len()]) stroke="#1b1b1b"
                            stroke-dasharray=(if bi % 2 == 1 { "4 2" } else { "none" }) {}
                        text x=(w + 6) y=(y + BAR - 5) font-size="12" { (series) ": " (format::int(lang, *value)) }
                    }
                }
            }
            figcaption { (title) }
        }
    }
}

/// A fan chart: the band between the 10th and 90th percentile and the median
/// line, per month; each month's median is also written as text.
pub fn fan(id: &str, title: &str, months: &[(String, u64, u64, u64)], lang: Lang) -> Markup {
    let (w, h, left, bottom) = (720.0_f64, 260.0_f64, 40.0_f64, 30.0_f64);
    let max = months.iter().map(|m| m.3).max().unwrap_or(0).max(1) as f64;
    let step = if months.len() > 1 {
        (w - left - 10.0) / (months.len() - 1) as f64
    } else {
        0.0
    };
    let x = |i: usize| left + i as f64 * step;
    let y = |v: u64| h - bottom - (v as f64 / max) * (h - bottom - 10.0);
    let upper: Vec<String> = months
        .iter()
        .enumerate()
        .map(|(i, m)| format!("{:.1},{:.1}", x(i), y(m.3)))
        .collect();
    let lower: Vec<String> = months
        .iter()
        .enumerate()
        .rev()
        .map(|(i, m)| format!("{:.1},{:.1}", x(i), y(m.1)))
        .collect();
    let band = [upper, lower].concat().join(" ");
    let median: Vec<String> = months
        .iter()
        .enumerate()
        .map(|(i, m)| format!("{:.1},{:.1}", x(i), y(m.2)))
        .collect();
    html! {
        figure.chart {
            svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby={ (id) "-title" }
                viewBox={ "0 0 " (w) " " (h) } width="100%" {
                title id={ (id) "-title" } { (title) }
                line x1=(left) y1=(h - bottom) x2=(w - 10.0) y2=(h - bottom) stroke="#1b1b1b" {}
                polygon points=(band) fill="#b5d3f0" stroke="#0b4f8a" stroke-dasharray="4 2" {}
                polyline points=(median.join(" ")) fill="none" stroke="#0b4f8a" stroke-width="2.5" {}
                @for (i, m) in months.iter().enumerate() {
                    @if i % 3 == 0 {
                        text x=(x(i)) y=(h - 10.0) font-size="11" text-anchor="middle" { (m.0) }
                        text x=(x(i)) y=(y(m.2) - 6.0) font-size="11" text-anchor="middle" { (format::int(lang, m.2)) }
                    }
                }
                text x="4" y="14" font-size="11" { (format::int(lang, max as u64)) }
            }
            figcaption { (title) }
        }
    }
}

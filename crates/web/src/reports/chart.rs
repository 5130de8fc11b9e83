//! Inline SVG bar charts. Colour is never the only signal: every bar carries
//! its series name and value as text, and every chart has a table beside it.

use maud::{Markup, html};

/// One group of bars (e.g. a framework) with a value per series.
pub struct Group {
    pub label: String,
    pub bars: Vec<(String, u64)>,
}

const BAR: u32 = 18;
const GAP: u32 = 14;
const LABEL_W: u32 = 150;
const WIDTH: u32 = 720;
/// Fills per series position, with a dashed outline on every other one so
/// series differ without colour too.
const FILLS: &[&str] = &["#0b4f8a", "#b5d3f0", "#4a4a4a", "#d9d9d9"];

/// A horizontal grouped bar chart with a title (for `aria-labelledby`).
pub fn bars(id: &str, title: &str, groups: &[Group]) -> Markup {
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
        + GAP;
    let height = per_group * groups.len() as u32 + 10;
    let scale = |v: u64| -> u32 {
        ((v as f64 / max as f64) * f64::from(WIDTH - LABEL_W - 110)).round() as u32
    };
    html! {
        figure.chart {
            svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby={ (id) "-title" }
                viewBox={ "0 0 " (WIDTH) " " (height) } width="100%" {
                title id={ (id) "-title" } { (title) }
                @for (gi, g) in groups.iter().enumerate() {
                    @let top = gi as u32 * per_group;
                    text x="0" y=(top + BAR - 4) font-size="13" font-weight="bold" { (g.label) }
                    @for (bi, (series, value)) in g.bars.iter().enumerate() {
                        @let y = top + bi as u32 * BAR;
                        @let w = scale(*value);
                        rect x=(LABEL_W) y=(y + 2) width=(w.max(1)) height=(BAR - 4)
                            fill=(FILLS[bi % FILLS.len()]) stroke="#1b1b1b"
                            stroke-dasharray=(if bi % 2 == 1 { "4 2" } else { "none" }) {}
                        text x=(LABEL_W + w + 6) y=(y + BAR - 5) font-size="12" { (series) ": " (value) }
                    }
                }
            }
            figcaption { (title) }
        }
    }
}

//! Dutch places and organisations a resettled family meets after arrival:
//! municipalities that house them, COA reception locations, and the social
//! organisations that give integration guidance.

/// Municipalities that house resettled refugees (voluntarily, within their
/// housing task). Weighted toward the partner municipalities COA works with.
pub(crate) const MUNICIPALITIES: &[(&str, u32)] = &[
    ("Utrecht", 6),
    ("Tilburg", 6),
    ("Nijmegen", 5),
    ("Groningen", 6),
    ("Zwolle", 4),
    ("Almere", 4),
    ("Apeldoorn", 4),
    ("Enschede", 4),
    ("Leeuwarden", 4),
    ("Amersfoort", 3),
    ("'s-Hertogenbosch", 3),
    ("Breda", 3),
    ("Deventer", 3),
    ("Ede", 3),
    ("Arnhem", 3),
    ("Haarlem", 2),
    ("Leiden", 2),
    ("Venlo", 2),
    ("Heerlen", 2),
    ("Emmen", 2),
];

/// COA reception locations (asylum seekers' centres).
pub(crate) const COA_LOCATIONS: &[&str] = &[
    "COA Zeist",
    "COA Utrecht",
    "COA Gilze",
    "COA Budel",
    "COA Musselkanaal",
    "COA Winterswijk",
    "COA Dronten",
    "COA Assen",
    "COA Leersum",
    "COA Wageningen",
];

/// Organisations giving integration and participation guidance; mostly
/// VluchtelingenWerk, sometimes another social organisation.
pub(crate) const GUIDANCE: &[(&str, u32)] = &[
    ("VluchtelingenWerk", 17),
    ("Humanitas", 2),
    ("Gemeentelijk integratieteam", 1),
];

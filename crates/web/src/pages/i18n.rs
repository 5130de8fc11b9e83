//! Dutch and English for the pages, from Fluent files in `locales/`.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::convert::Infallible;
use std::sync::LazyLock;

pub const EN_FTL: &str = include_str!("../../locales/en.ftl");
pub const NL_FTL: &str = include_str!("../../locales/nl.ftl");

/// The mark that opens a missing translation's key on a page: "⟦key⟧".
pub const MISSING: char = '\u{27e6}';

/// The cookie that keeps the chosen language.
pub const LANG_COOKIE: &str = "lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Nl,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Nl => Lang::En,
            Lang::En => Lang::Nl,
        }
    }

    pub fn parse(raw: &str) -> Option<Lang> {
        match raw.trim().get(..2)?.to_ascii_lowercase().as_str() {
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

type Bundle = FluentBundle<FluentResource>;

/// Numbers in a message ("{ $total } zaken") as the language writes them
/// ("1.208 zaken"), through [`crate::format`]; plural selection still sees
/// the number. A year is passed as a string, so that it stays "2026".
fn number(lang: Lang, value: &FluentValue<'_>) -> Option<String> {
    let FluentValue::Number(n) = value else {
        return None;
    };
    if !n.options.use_grouping {
        return None;
    }
    if n.value.fract() == 0.0 && n.value.abs() < 1e15 {
        Some(crate::format::int(lang, n.value as i64))
    } else {
        let digits = n.options.maximum_fraction_digits.unwrap_or(2);
        Some(crate::format::decimal(lang, n.value, digits))
    }
}

fn number_nl<M>(value: &FluentValue<'_>, _: &M) -> Option<String> {
    number(Lang::Nl, value)
}

fn number_en<M>(value: &FluentValue<'_>, _: &M) -> Option<String> {
    number(Lang::En, value)
}

fn bundle(lang: Lang, source: &str) -> Option<Bundle> {
    let resource = FluentResource::try_new(source.to_string()).ok()?;
    let id = lang.code().parse().ok()?;
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Unicode isolation marks would show up in form values and tests.
    bundle.set_use_isolating(false);
    bundle.set_formatter(Some(match lang {
        Lang::Nl => number_nl,
        Lang::En => number_en,
    }));
    bundle.add_resource(resource).ok()?;
    Some(bundle)
}

/// A Dutch and an English Fluent file: the pages' own, and any other
/// interface's (the command line keeps its words in a catalog of its own).
pub struct Catalog {
    nl: Option<Bundle>,
    en: Option<Bundle>,
}

impl Catalog {
    pub fn new(nl_ftl: &str, en_ftl: &str) -> Catalog {
        Catalog {
            nl: bundle(Lang::Nl, nl_ftl),
            en: bundle(Lang::En, en_ftl),
        }
    }

    /// Whether both files parsed (a broken file would show only keys).
    pub fn parsed(&self) -> bool {
        self.nl.is_some() && self.en.is_some()
    }

    fn bundle(&self, lang: Lang) -> Option<&Bundle> {
        match lang {
            Lang::Nl => self.nl.as_ref(),
            Lang::En => self.en.as_ref(),
        }
    }

    /// The text for `key` in `lang`, if the file has it.
    pub fn lookup(&self, lang: Lang, key: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
        let bundle = self.bundle(lang)?;
        let pattern = bundle.get_message(key).and_then(|m| m.value())?;
        let mut errors = vec![];
        Some(
            bundle
                .format_pattern(pattern, args, &mut errors)
                .into_owned(),
        )
    }

    /// The text for `key` with named arguments; a missing key shows itself
    /// in brackets, so the key tests, the page test (which looks for the
    /// bracket) and a reader all notice.
    pub fn text(&self, lang: Lang, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut a = FluentArgs::new();
        for (k, v) in args {
            a.set(*k, v.clone());
        }
        let args = (!args.is_empty()).then_some(&a);
        self.lookup(lang, key, args)
            .unwrap_or_else(|| format!("{MISSING}{key}\u{27e7}"))
    }
}

/// The keys a Fluent file defines, in order: for the tests that both
/// languages of a catalog have every key.
pub fn keys(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| !l.starts_with([' ', '#']) && l.contains(" ="))
        .filter_map(|l| l.split(" =").next().map(str::to_string))
        .collect()
}

/// What one language lacks of the other's keys, and keys defined twice:
/// empty when the two files agree.
pub fn key_problems(nl_ftl: &str, en_ftl: &str) -> Vec<String> {
    let (nl, en) = (keys(nl_ftl), keys(en_ftl));
    let mut problems = vec![];
    for (lang, list, other) in [("nl", &nl, &en), ("en", &en, &nl)] {
        let mut sorted = list.clone();
        sorted.sort();
        for pair in sorted.windows(2) {
            if pair[0] == pair[1] {
                problems.push(format!("{lang} defines {} twice", pair[0]));
            }
        }
        let mut wanted = other.clone();
        wanted.sort();
        wanted.dedup();
        for k in &wanted {
            if !list.contains(k) {
                problems.push(format!("{lang} lacks {k}"));
            }
        }
    }
    problems
}

static PAGES: LazyLock<Catalog> = LazyLock::new(|| Catalog::new(NL_FTL, EN_FTL));

/// The translator handed to every page: the request's language.
#[derive(Debug, Clone, Copy)]
pub struct T(pub Lang);

impl T {
    /// The text for `key`.
    pub fn t(&self, key: &str) -> String {
        PAGES.text(self.0, key, &[])
    }

    /// The text for `key` if the translations have it: for words that may
    /// be missing on purpose (a code from an older or newer version).
    pub fn lookup(&self, key: &str) -> Option<String> {
        PAGES.lookup(self.0, key, None)
    }

    /// The text for `key` with named arguments.
    pub fn with(&self, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        PAGES.text(self.0, key, args)
    }

    /// The label of a vocabulary value, e.g. `state` + `under-assessment`.
    pub fn term(&self, prefix: &str, value: &str) -> String {
        self.t(&format!("{prefix}-{value}"))
    }

    /// A whole number as the language writes it: "1.208" or "1,208".
    pub fn n(&self, n: impl Into<i128>) -> String {
        crate::format::int(self.0, n)
    }

    /// A date as the language writes it in a table: "7 dec 2026".
    pub fn date(&self, d: time::Date) -> String {
        crate::format::date(self.0, d)
    }

    /// A country's name in the language (CLDR): "Syrië" or "Syria".
    pub fn country(&self, c: resettle_domain::CountryCode) -> String {
        crate::format::country(self.0, c)
    }

    /// A nationality: its country's name, or stateless.
    pub fn nationality(&self, n: resettle_domain::Nationality) -> String {
        crate::format::nationality(self.0, n, &self.t("nationality-stateless"))
    }

    /// A text of the policy document in the reader's language: its English
    /// beside the Dutch on English pages, the Dutch otherwise.
    pub fn policy<'a>(&self, dutch: &'a str, english: &'a Option<String>) -> &'a str {
        resettle_domain::policy::text_in(dutch, english.as_deref(), self.0 == Lang::En)
    }

    /// "Ja"/"Nee" or "Yes"/"No".
    pub fn yes_no(&self, b: bool) -> String {
        self.t(if b { "yes" } else { "no" })
    }
}

impl T {
    /// The language of a request: the `lang` cookie, else the browser's
    /// Accept-Language, else Dutch.
    pub fn of(parts: &Parts) -> T {
        let cookie = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| *k == LANG_COOKIE)
            .and_then(|(_, v)| Lang::parse(v));
        let accept = || {
            parts
                .headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').find_map(Lang::parse))
        };
        T(cookie.or_else(accept).unwrap_or(Lang::Nl))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for T {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(T::of(parts))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn both_languages_have_every_key() {
        assert!(keys(EN_FTL).len() > 100);
        assert_eq!(key_problems(NL_FTL, EN_FTL), Vec::<String>::new());
        assert!(PAGES.parsed(), "both files parse");
        assert_eq!(
            key_problems("a = 1\nb = 2\nb = 3\n", "a = 1\nc = 3\n"),
            ["nl defines b twice", "nl lacks c", "en lacks b"]
        );
    }

    #[test]
    fn plurals_and_terms() {
        let nl = T(Lang::Nl);
        assert_eq!(
            nl.with("cases-count", &[("total", 1.into())]),
            "Eén zaak gevonden"
        );
        assert_eq!(
            nl.with("cases-count", &[("total", 3.into())]),
            "3 zaken gevonden"
        );
        assert_eq!(
            T(Lang::En).term("state", "under-assessment"),
            "Under assessment"
        );
    }

    #[test]
    fn every_vocabulary_value_has_a_label_in_both_languages() {
        use resettle_domain::*;
        for t in [T(Lang::Nl), T(Lang::En)] {
            let mut pairs: Vec<(&str, &str)> = vec![];
            pairs.extend(CaseState::ALL.iter().map(|v| ("state", v.as_str())));
            pairs.extend(ActionKind::ALL.iter().map(|v| ("action", v.as_str())));
            pairs.extend(
                SubmissionPriority::ALL
                    .iter()
                    .map(|v| ("priority", v.as_str())),
            );
            pairs.extend(Programme::ALL.iter().map(|v| ("programme", v.as_str())));
            pairs.extend(Track::ALL.iter().map(|v| ("track", v.as_str())));
            pairs.extend(
                SubmissionCategory::ALL
                    .iter()
                    .map(|v| ("category", v.as_str())),
            );
            pairs.extend(RejectionGround::ALL.iter().map(|v| ("ground", v.as_str())));
            pairs.extend(TrainingMode::ALL.iter().map(|v| ("training", v.as_str())));
            pairs.extend(Sex::ALL.iter().map(|v| ("sex", v.as_str())));
            pairs.extend(
                Relationship::ALL
                    .iter()
                    .map(|v| ("relationship", v.as_str())),
            );
            use resettle_domain::country_policy::PolicyNoteKind;
            use resettle_domain::mission::{MissionKind, MissionStatus, Modality};
            pairs.extend(
                MissionStatus::ALL
                    .iter()
                    .map(|v| ("mission-status", v.as_str())),
            );
            pairs.extend(
                MissionKind::ALL
                    .iter()
                    .map(|v| ("mission-kind", v.as_str())),
            );
            pairs.extend(Modality::ALL.iter().map(|v| ("modality", v.as_str())));
            pairs.extend(
                PolicyNoteKind::ALL
                    .iter()
                    .map(|v| ("note-kind", v.as_str())),
            );
            use resettle_domain::operations::{InterviewKind, InterviewOutcome};
            pairs.extend(InterviewKind::ALL.iter().map(|v| ("interview", v.as_str())));
            pairs.extend(
                InterviewOutcome::ALL
                    .iter()
                    .map(|v| ("interview-outcome", v.as_str())),
            );
            // The rules a form's field can break, from the domain's two lists.
            use resettle_domain::rule::Rule;
            pairs.extend(Rule::ALL.iter().map(|v| ("rule", v.as_str())));
            pairs.extend(FieldRule::ALL.iter().map(|v| ("rule", v.code())));
            use resettle_domain::person::DocumentKind;
            pairs.extend(
                DocumentKind::ALL
                    .iter()
                    .map(|v| ("document-kind", v.as_str())),
            );
            for (prefix, value) in pairs {
                let key = format!("{prefix}-{value}");
                assert!(t.lookup(&key).is_some(), "{:?} lacks {key}", t.0);
            }
        }
    }

    /// Every key the code asks for by name (`t.t(KEY)`, `t.with(KEY, …)`)
    /// is in both files: a typo or a forgotten key fails here, not on a page.
    #[test]
    fn every_key_the_code_uses_exists() {
        fn sources(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    out.push((path.display().to_string(), text));
                }
            }
        }
        let mut files = vec![];
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let (en, nl) = (keys(EN_FTL), keys(NL_FTL));
        let mut used = 0;
        for (path, text) in &files {
            for marker in ["t.t(\"", "t.with(\"", "tr.t(\"", "tr.with(\""] {
                for (at, _) in text.match_indices(marker) {
                    let rest = &text[at + marker.len()..];
                    let Some(end) = rest.find('"') else { continue };
                    let key = &rest[..end];
                    if key.is_empty() || key.contains(['{', ' ']) {
                        continue;
                    }
                    used += 1;
                    assert!(en.iter().any(|k| k == key), "{path}: en.ftl lacks {key}");
                    assert!(nl.iter().any(|k| k == key), "{path}: nl.ftl lacks {key}");
                }
            }
        }
        assert!(used > 300, "only {used} keys found in the code");
    }

    #[test]
    fn a_missing_key_shows_in_brackets() {
        assert_eq!(T(Lang::Nl).t("no-such-key"), "\u{27e6}no-such-key\u{27e7}");
        assert_eq!(T(Lang::En).lookup("no-such-key"), None);
    }

    #[test]
    fn numbers_in_messages_follow_the_language() {
        assert_eq!(
            T(Lang::Nl).with("cases-count", &[("total", 1208.into())]),
            "1.208 zaken gevonden"
        );
        assert_eq!(
            T(Lang::En).with("cases-count", &[("total", 1208.into())]),
            "1,208 cases found"
        );
    }

    #[test]
    fn one_person_is_singular() {
        let family = |t: T, n: i64, ages: &str| {
            t.with(
                "work-composition",
                &[("persons", n.into()), ("ages", ages.into())],
            )
        };
        assert_eq!(family(T(Lang::Nl), 1, "60"), "1 persoon (leeftijd 60)");
        assert_eq!(
            family(T(Lang::Nl), 2, "49, 49"),
            "2 personen (leeftijden 49, 49)"
        );
        assert_eq!(family(T(Lang::En), 1, "60"), "1 person (age 60)");
        assert_eq!(
            family(T(Lang::En), 3, "30, 11, 6"),
            "3 persons (ages 30, 11, 6)"
        );
    }
}

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

fn bundle(lang: Lang, source: &str) -> Option<Bundle> {
    let resource = FluentResource::try_new(source.to_string()).ok()?;
    let id = lang.code().parse().ok()?;
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Unicode isolation marks would show up in form values and tests.
    bundle.set_use_isolating(false);
    bundle.add_resource(resource).ok()?;
    Some(bundle)
}

static BUNDLES: LazyLock<(Option<Bundle>, Option<Bundle>)> =
    LazyLock::new(|| (bundle(Lang::Nl, NL_FTL), bundle(Lang::En, EN_FTL)));

/// The translator handed to every page: the request's language.
#[derive(Debug, Clone, Copy)]
pub struct T(pub Lang);

impl T {
    fn bundle(&self) -> Option<&'static Bundle> {
        match self.0 {
            Lang::Nl => BUNDLES.0.as_ref(),
            Lang::En => BUNDLES.1.as_ref(),
        }
    }

    fn format(&self, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let Some(bundle) = self.bundle() else {
            return key.to_string();
        };
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            // A missing key shows itself, so the completeness test and a reader both notice.
            return key.to_string();
        };
        let mut errors = vec![];
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    /// The text for `key`.
    pub fn t(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// The text for `key` with named arguments.
    pub fn with(&self, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut a = FluentArgs::new();
        for (k, v) in args {
            a.set(*k, v.clone());
        }
        self.format(key, Some(&a))
    }

    /// The label of a vocabulary value, e.g. `state` + `under-assessment`.
    pub fn term(&self, prefix: &str, value: &str) -> String {
        self.t(&format!("{prefix}-{value}"))
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
    use super::*;

    fn keys(source: &str) -> Vec<String> {
        source
            .lines()
            .filter(|l| !l.starts_with([' ', '#']) && l.contains(" ="))
            .filter_map(|l| l.split(" =").next().map(str::to_string))
            .collect()
    }

    #[test]
    fn both_languages_have_every_key() {
        let (en, nl) = (keys(EN_FTL), keys(NL_FTL));
        assert!(en.len() > 100);
        for list in [&en, &nl] {
            let mut sorted = list.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), list.len(), "a key is defined twice");
        }
        for k in &en {
            assert!(nl.contains(k), "nl.ftl lacks {k}");
        }
        for k in &nl {
            assert!(en.contains(k), "en.ftl lacks {k}");
        }
        assert!(
            BUNDLES.0.is_some() && BUNDLES.1.is_some(),
            "both files parse"
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
            for (prefix, value) in pairs {
                let key = format!("{prefix}-{value}");
                assert_ne!(t.t(&key), key, "{:?} lacks {key}", t.0);
            }
        }
    }
}

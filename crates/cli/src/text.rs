//! The command line's words in Dutch and English: `locales/nl.ftl` and
//! `locales/en.ftl`, read with the web layer's [`Catalog`] (the same Fluent
//! files and number formatting the pages use), in the language of the
//! environment. Help texts are keyed by command: `help-users-add` is the
//! about text of `resettle users add`, `help-users-add--username` the help
//! of its argument; `arg-ID` is the help of an argument wherever it appears.

use clap::Command;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use resettle_web::{Catalog, FluentValue, Lang};
use std::sync::LazyLock;

pub const NL_FTL: &str = include_str!("../locales/nl.ftl");
pub const EN_FTL: &str = include_str!("../locales/en.ftl");

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| Catalog::new(NL_FTL, EN_FTL));
static LANG: LazyLock<Lang> = LazyLock::new(lang_from_env);

/// The language of the command line: `LC_ALL`, `LC_MESSAGES` or `LANG` as
/// POSIX orders them (`nl_NL.UTF-8` is Dutch), English by default.
pub fn lang_from_env() -> Lang {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.is_empty())
        .and_then(|v| Lang::parse(&v))
        .unwrap_or(Lang::En)
}

pub fn lang() -> Lang {
    *LANG
}

/// The text for `key` in the command line's language, with named arguments.
pub fn with(key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    CATALOG.text(lang(), key, args)
}

fn lookup(lang: Lang, key: &str) -> Option<String> {
    CATALOG.lookup(lang, key, None)
}

/// The text for `key` in `lang`, empty where there is none (the help test
/// finds those).
fn word(lang: Lang, key: &str) -> String {
    lookup(lang, key).unwrap_or_default()
}

/// `tr!("key")` or `tr!("key", name = value, …)`: the text for `key`. A
/// number is written as the language writes it ("1.208"); pass an id or a
/// year as a string.
macro_rules! tr {
    ($key:literal) => {
        $crate::text::with($key, &[])
    };
    ($key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::text::with(
            $key,
            &[$((stringify!($name), ::resettle_web::FluentValue::from($value))),+],
        )
    };
}
pub(crate) use tr;

/// The help text of argument `id` of the command at `path`: its own, else
/// the one the argument has wherever it appears.
fn arg_help(lang: Lang, path: &str, id: &str) -> Option<String> {
    lookup(lang, &format!("help-{path}--{id}")).or_else(|| lookup(lang, &format!("arg-{id}")))
}

/// The command line in `lang`: every about text, argument help and
/// heading from the catalog. Built (`Command::build`) so that clap's own
/// `--help`, `--version` and `help` are there to be translated too.
pub fn command(cmd: Command, lang: Lang) -> Command {
    let mut cmd = words(cmd, lang, "");
    cmd.build();
    builtins(cmd, lang)
}

fn words(cmd: Command, lang: Lang, parent: &str) -> Command {
    // `resettle` itself, its commands (`users`), theirs (`users-add`).
    let path = if parent.is_empty() || parent == "resettle" {
        cmd.get_name().to_string()
    } else {
        format!("{parent}-{}", cmd.get_name())
    };
    let about = word(lang, &format!("help-{path}"));
    let usage = word(lang, "heading-usage");
    let mut cmd = cmd
        .about(about)
        .long_about(None)
        .help_template(format!(
            "{{before-help}}{{about-with-newline}}\n{usage} {{usage}}\n\n{{all-args}}{{after-help}}"
        ))
        .subcommand_help_heading(word(lang, "heading-commands"))
        .subcommand_value_name(word(lang, "value-command"));
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        let help = arg_help(lang, &path, &id).unwrap_or_default();
        cmd = cmd.mut_arg(&id, |a| notes(heading(a, lang), lang, help).long_help(None));
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(&name, |s| words(s, lang, &path));
    }
    cmd
}

/// The help of an argument with its environment variable, default and
/// choices in the language: clap would add them in English.
fn notes(a: clap::Arg, lang: Lang, help: String) -> clap::Arg {
    let mut said = vec![help];
    let mut a = a;
    if let Some(env) = a.get_env().filter(|_| !a.is_hide_env_set()) {
        let name = env.to_string_lossy().into_owned();
        said.push(CATALOG.text(lang, "help-env", &[("name", name.into())]));
        a = a.hide_env(true);
    }
    if a.get_action().takes_values() {
        let defaults: Vec<String> = a
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        if !defaults.is_empty() && !a.is_hide_default_value_set() {
            let value = defaults.join(", ");
            said.push(CATALOG.text(lang, "help-default", &[("value", value.into())]));
        }
        let values: Vec<String> = a
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if !values.is_empty() && !a.is_hide_possible_values_set() {
            let values = values.join(", ");
            said.push(CATALOG.text(lang, "help-values", &[("values", values.into())]));
        }
        a = a.hide_default_value(true).hide_possible_values(true);
    }
    a.help(said.join(" "))
}

/// Arguments under "Arguments" or "Options" in the language: clap writes
/// those two headings in English unless an argument names its own.
fn heading(a: clap::Arg, lang: Lang) -> clap::Arg {
    let key = if a.is_positional() {
        "heading-arguments"
    } else {
        "heading-options"
    };
    a.help_heading(word(lang, key))
}

/// clap's own `--help`, `--version` and `help` subcommand, in every command.
fn builtins(mut cmd: Command, lang: Lang) -> Command {
    for (id, key) in [("help", "arg-help"), ("version", "arg-version")] {
        if cmd.get_arguments().any(|a| a.get_id() == id) {
            let help = word(lang, key);
            cmd = cmd.mut_arg(id, |a| heading(a, lang).help(help));
        }
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(&name, |s| {
            if name == "help" {
                s.about(word(lang, "help-help"))
            } else {
                builtins(s, lang)
            }
        });
    }
    cmd
}

/// A mistake on the command line in Dutch, or `None` where clap's own
/// words do (English, and the help and version, already translated): clap
/// says mistakes in English, so Dutch readers get the common ones in Dutch
/// and the rest under Dutch headings.
pub fn usage_error(e: &clap::Error) -> Option<String> {
    if lang() == Lang::En
        || matches!(
            e.kind(),
            ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        )
    {
        return None;
    }
    let value = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(s)) => s.join(", "),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let message = match e.kind() {
        ErrorKind::InvalidSubcommand => {
            tr!(
                "usage-unknown-command",
                command = value(ContextKind::InvalidSubcommand)
            )
        }
        ErrorKind::UnknownArgument => {
            tr!(
                "usage-unknown-argument",
                argument = value(ContextKind::InvalidArg)
            )
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let mut said = tr!(
                "usage-invalid-value",
                value = value(ContextKind::InvalidValue),
                argument = value(ContextKind::InvalidArg)
            );
            // The parser's reason ("0 is not in 1..=365") is clap's own.
            if let Some(why) = std::error::Error::source(e) {
                said = format!("{said}: {why}");
            }
            let valid = value(ContextKind::ValidValue);
            if !valid.is_empty() {
                said = format!("{said} {}", tr!("help-values", values = valid));
            }
            said
        }
        ErrorKind::MissingRequiredArgument => {
            tr!(
                "usage-missing-argument",
                argument = value(ContextKind::InvalidArg)
            )
        }
        _ => {
            // The rest (rare) in clap's English, under a Dutch heading.
            let text = e.render().to_string();
            return Some(
                text.replacen("error:", &tr!("error-heading"), 1)
                    .replace("Usage:", &tr!("heading-usage")),
            );
        }
    };
    let usage = value(ContextKind::Usage).replacen("Usage:", &tr!("heading-usage"), 1);
    let usage = if usage.is_empty() {
        usage
    } else {
        format!("{usage}\n\n")
    };
    Some(format!(
        "{} {message}\n\n{usage}{}\n",
        tr!("error-heading"),
        tr!("usage-more")
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn both_languages_have_every_key() {
        assert_eq!(
            resettle_web::key_problems(NL_FTL, EN_FTL),
            Vec::<String>::new()
        );
        assert!(CATALOG.parsed(), "both files parse");
    }

    /// Every command and argument has its help in both languages, and the
    /// Dutch differs from the English (no English left in the Dutch help),
    /// except for the words both languages share.
    #[test]
    fn every_command_and_argument_has_help_in_both_languages() {
        const SHARED: &[&str] = &[];
        fn walk(nl: &Command, en: &Command, path: &str, seen: &mut usize) {
            let (a_nl, a_en) = (
                nl.get_about().map(|s| s.to_string()).unwrap_or_default(),
                en.get_about().map(|s| s.to_string()).unwrap_or_default(),
            );
            assert!(!a_nl.is_empty() && !a_en.is_empty(), "{path}: no about");
            assert!(
                a_nl != a_en || SHARED.contains(&a_en.as_str()),
                "{path}: the Dutch about is the English {a_en:?}"
            );
            // clap's `help` has only the names of its siblings below it.
            if en.get_name() == "help" {
                return;
            }
            for arg in en.get_arguments() {
                let id = arg.get_id();
                let other = nl.get_arguments().find(|a| a.get_id() == id).unwrap();
                let (h_nl, h_en) = (
                    other.get_help().map(|s| s.to_string()).unwrap_or_default(),
                    arg.get_help().map(|s| s.to_string()).unwrap_or_default(),
                );
                assert!(!h_en.is_empty(), "{path} {id}: no English help");
                assert!(!h_nl.is_empty(), "{path} {id}: no Dutch help");
                assert!(
                    h_nl != h_en || SHARED.contains(&h_en.as_str()),
                    "{path} {id}: the Dutch help is the English {h_en:?}"
                );
                *seen += 1;
            }
            for sub in en.get_subcommands() {
                let other = nl.find_subcommand(sub.get_name()).unwrap();
                walk(other, sub, &format!("{path} {}", sub.get_name()), seen);
            }
        }
        let nl = command(crate::Cli::command(), Lang::Nl);
        let en = command(crate::Cli::command(), Lang::En);
        let mut seen = 0;
        walk(&nl, &en, "resettle", &mut seen);
        assert!(seen > 50, "only {seen} arguments");
    }

    /// Every key the code asks for by name (`tr!` with a literal) is in
    /// both files.
    #[test]
    fn every_key_the_code_uses_exists() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let (en, nl) = (resettle_web::keys(EN_FTL), resettle_web::keys(NL_FTL));
        let mut used = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for (at, _) in text.match_indices("tr!(\"") {
                // Not `include_str!("…")`.
                if text[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = &text[at + 5..];
                let key = &rest[..rest.find('"').unwrap()];
                if key == "key" {
                    continue;
                }
                used += 1;
                let path = path.display();
                assert!(en.iter().any(|k| k == key), "{path}: en.ftl lacks {key}");
                assert!(nl.iter().any(|k| k == key), "{path}: nl.ftl lacks {key}");
            }
        }
        assert!(used > 40, "only {used} keys found in the code");
    }
}

//! The command line speaks the language of its environment: Dutch when
//! `LC_ALL`, `LC_MESSAGES` or `LANG` (in that order) says `nl`, English
//! otherwise: the help of every command, the mistakes, the errors and the
//! messages; machine-readable output stays the same in both.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

const DUTCH: &[(&str, &str)] = &[("LANG", "nl_NL.UTF-8")];
const ENGLISH: &[(&str, &str)] = &[("LANG", "C")];
const UNSET: &[(&str, &str)] = &[];

fn resettle(locale: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_resettle"));
    for k in ["LANG", "LC_ALL", "LC_MESSAGES", "RESETTLE_DATA_KEY"] {
        cmd.env_remove(k);
    }
    cmd.envs(locale.iter().copied())
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn help(locale: &[(&str, &str)], path: &[&str]) -> String {
    let mut args = path.to_vec();
    args.push("--help");
    let out = resettle(locale, &args);
    assert!(out.status.success(), "{path:?}: {}", stderr(&out));
    stdout(&out)
}

/// The names under the "Commands:" heading of an English help.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

/// The texts of an English help: its about line and each argument's help
/// (what follows the name after two spaces, before the notes in brackets).
fn texts(help: &str) -> Vec<String> {
    help.lines()
        .filter_map(|l| l.trim().rsplit("  ").next())
        .filter_map(|t| t.split(" [").next())
        .map(str::trim)
        .filter(|t| t.len() > 12 && t.contains(' ') && !t.starts_with(['-', '<', '[']))
        .filter(|t| !t.starts_with("Usage:") && !t.starts_with("resettle "))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_top_command_s_help_follows_lang() {
    let nl = help(DUTCH, &[]);
    for word in [
        "Gebruik: resettle",
        "Opdrachten:",
        "Opties:",
        "Bied de webapplicatie en de JSON-API aan.",
        "Toon de hulp",
    ] {
        assert!(nl.contains(word), "{word}: {nl}");
    }
    for locale in [ENGLISH, UNSET] {
        let en = help(locale, &[]);
        for word in [
            "Usage: resettle",
            "Commands:",
            "Options:",
            "Serve the web application and the JSON API.",
            "Print help",
        ] {
            assert!(en.contains(word), "{locale:?} {word}: {en}");
        }
        assert!(!en.contains("Gebruik"), "{en}");
    }
}

/// Every command's help, at every level, in Dutch: nothing of its English
/// about text or argument help is left in it.
#[test]
fn no_english_help_is_left_in_any_dutch_help() {
    let mut paths: Vec<Vec<String>> = vec![vec![]];
    let (mut checked, mut texts_checked) = (0, 0);
    while let Some(path) = paths.pop() {
        let args: Vec<&str> = path.iter().map(String::as_str).collect();
        let en = help(ENGLISH, &args);
        let nl = help(DUTCH, &args);
        assert!(
            nl.contains("Gebruik:") && !nl.contains("Usage:"),
            "{path:?}: {nl}"
        );
        assert!(
            !nl.contains("[default:") && !nl.contains("[env:"),
            "{path:?}: {nl}"
        );
        let english = texts(&en);
        assert!(!english.is_empty(), "{path:?}: {en}");
        for text in english {
            texts_checked += 1;
            assert!(
                !nl.contains(&text),
                "{path:?}: English in Dutch: {text:?}\n{nl}"
            );
        }
        for sub in subcommands(&en) {
            let mut next = path.clone();
            next.push(sub);
            paths.push(next);
        }
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} commands");
    assert!(texts_checked > 100, "only {texts_checked} texts");
}

#[test]
fn lc_all_then_lc_messages_then_lang() {
    let about =
        |locale: &[(&str, &str)]| help(locale, &["serve"]).lines().next().unwrap().to_string();
    let dutch = "Bied de webapplicatie en de JSON-API aan.";
    let english = "Serve the web application and the JSON API.";
    assert_eq!(about(&[("LC_ALL", "C"), ("LANG", "nl_NL.UTF-8")]), english);
    assert_eq!(about(&[("LC_ALL", "nl_NL.UTF-8"), ("LANG", "C")]), dutch);
    assert_eq!(
        about(&[("LC_MESSAGES", "nl_BE.UTF-8"), ("LANG", "en_GB.UTF-8")]),
        dutch
    );
    assert_eq!(
        about(&[("LC_MESSAGES", "en_US.UTF-8"), ("LANG", "nl_NL.UTF-8")]),
        english
    );
    assert_eq!(about(&[("LC_ALL", ""), ("LANG", "nl")]), dutch);
}

#[test]
fn mistakes_errors_and_messages_follow_lang() {
    // A mistake on the command line (clap's), in each language.
    let out = resettle(DUTCH, &["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("fout: onbekende opdracht 'frobnicate'"),
        "{}",
        stderr(&out)
    );
    let out = resettle(ENGLISH, &["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("error: unrecognized subcommand 'frobnicate'"),
        "{}",
        stderr(&out)
    );

    // An error of the program, and the messages of a command.
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("t.db").display());
    let key = dir.path().join("t.key").display().to_string();
    let on_db = |locale, args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--database", &db, "--data-key-file", &key]);
        resettle(locale, &all)
    };
    let out = on_db(DUTCH, &["report", "frameworks"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("fout: er is nog geen beleid geladen"),
        "{}",
        stderr(&out)
    );
    let out = on_db(UNSET, &["report", "frameworks"]);
    assert!(
        stderr(&out).contains("error: no policy is loaded yet"),
        "{}",
        stderr(&out)
    );

    let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/policy-nl.json");
    let policy = policy.display().to_string();
    let out = on_db(DUTCH, &["policy", "load", &policy]);
    assert!(
        stdout(&out).starts_with("beleidsversie 1 opgeslagen uit"),
        "{}",
        stderr(&out)
    );
    let out = on_db(ENGLISH, &["policy", "load", &policy]);
    assert!(
        stdout(&out).starts_with("policy version 2 stored from"),
        "{}",
        stderr(&out)
    );

    // Machine-readable output is the same in both.
    let nl = on_db(DUTCH, &["report", "eu", "--format", "json"]);
    let en = on_db(ENGLISH, &["report", "eu", "--format", "json"]);
    assert!(nl.status.success(), "{}", stderr(&nl));
    assert_eq!(nl.stdout, en.stdout);
    let nl = on_db(DUTCH, &["policy", "show"]);
    let en = on_db(ENGLISH, &["policy", "show"]);
    assert_eq!(nl.stdout, en.stdout);
    // The table is for people: its headings are in the language.
    let nl = stdout(&on_db(DUTCH, &["report", "frameworks"]));
    let en = stdout(&on_db(ENGLISH, &["report", "frameworks"]));
    assert!(
        nl.contains("toezegging") && en.contains("commitment"),
        "{nl}\n{en}"
    );
}

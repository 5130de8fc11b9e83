//! Numbers, amounts, percentages, dates and country names as a Dutch or an
//! English reader expects them ("1.208" and "1,208", "3,39" and "3.39",
//! "€ 13.040.000" and "€13,040,000", "7 december 2026" and "7 December 2026",
//! "Egypte" and "Egypt"), from the CLDR data compiled into ICU4X
//! (`icu_decimal`, `icu_datetime`, `icu_experimental`) rather than from tables
//! of our own. Everything a page or an export shows to people goes through here.

use crate::pages::Lang;
use fixed_decimal::Decimal;
use icu_datetime::{DateTimeFormatter, fieldsets};
use icu_decimal::DecimalFormatter;
use icu_experimental::dimension::currency::formatter::CurrencyFormatter;
use icu_experimental::dimension::percent::formatter::PercentFormatter;
use icu_experimental::displaynames::{DisplayNamesOptions, multi::RegionDisplayNames};
use icu_locale_core::preferences::extensions::unicode::keywords::currency;
use icu_locale_core::subtags::Region;
use icu_locale_core::{Locale, locale};
use resettle_domain::{CountryCode, Nationality};
use std::sync::LazyLock;
use time::Date;

/// The formatters of one language, made once.
struct Formatters {
    decimal: DecimalFormatter,
    percent: PercentFormatter<DecimalFormatter>,
    money: CurrencyFormatter<DecimalFormatter>,
    date: DateTimeFormatter<fieldsets::YMD>,
    date_long: DateTimeFormatter<fieldsets::YMD>,
    regions: RegionDisplayNames,
}

impl Formatters {
    fn new(loc: &Locale) -> Option<Formatters> {
        Some(Formatters {
            decimal: DecimalFormatter::try_new(loc.into(), Default::default()).ok()?,
            percent: PercentFormatter::try_new(loc.into(), Default::default()).ok()?,
            money: CurrencyFormatter::try_new_symbol(
                loc.into(),
                currency!("EUR"),
                Default::default(),
            )
            .ok()?,
            date: DateTimeFormatter::try_new(loc.into(), fieldsets::YMD::medium()).ok()?,
            date_long: DateTimeFormatter::try_new(loc.into(), fieldsets::YMD::long()).ok()?,
            regions: RegionDisplayNames::try_new(loc.into(), DisplayNamesOptions::default())
                .ok()?,
        })
    }
}

// English pages are read in the Netherlands and in Europe: British English
// gives "7 December 2026" where plain `en` gives the American "December 7, 2026".
static NL: LazyLock<Option<Formatters>> = LazyLock::new(|| Formatters::new(&locale!("nl")));
static EN: LazyLock<Option<Formatters>> = LazyLock::new(|| Formatters::new(&locale!("en-GB")));

fn of(lang: Lang) -> Option<&'static Formatters> {
    match lang {
        Lang::Nl => NL.as_ref(),
        Lang::En => EN.as_ref(),
    }
}

/// A whole number with the language's grouping: "1.208" or "1,208".
pub fn int(lang: Lang, n: impl Into<i128>) -> String {
    let n: i128 = n.into();
    match of(lang) {
        Some(f) => f.decimal.format(&Decimal::from(n)).to_string(),
        None => n.to_string(),
    }
}

/// A number with `digits` decimals (rounded): "3,39" or "3.39".
pub fn decimal(lang: Lang, value: f64, digits: usize) -> String {
    // Rust rounds and writes the digits; ICU places separators and the comma.
    let plain = format!("{value:.digits$}");
    match (of(lang), plain.parse::<Decimal>()) {
        (Some(f), Ok(d)) => f.decimal.format(&d).to_string(),
        _ => plain,
    }
}

/// A percentage of `value` per cent, with `digits` decimals: "12,5%" or "12.5%".
pub fn percent(lang: Lang, value: f64, digits: usize) -> String {
    let plain = format!("{value:.digits$}");
    match (of(lang), plain.parse::<Decimal>()) {
        (Some(f), Ok(d)) => f.percent.format(&d).to_string(),
        _ => format!("{plain}%"),
    }
}

/// An amount of whole euros: "€ 13.040.000" or "€13,040,000". The CLDR
/// pattern always writes cents; amounts here are whole euros, so ",00" or
/// ".00" (the two languages' zero cents) is left off.
pub fn euros(lang: Lang, amount: u64) -> String {
    match of(lang) {
        Some(f) => {
            let s = f
                .money
                .format_fixed_decimal(&Decimal::from(amount))
                .to_string();
            let zero_cents = match lang {
                Lang::Nl => ",00",
                Lang::En => ".00",
            };
            s.strip_suffix(zero_cents).map(str::to_string).unwrap_or(s)
        }
        None => format!("EUR {amount}"),
    }
}

fn icu_date(d: Date) -> Option<icu_calendar::Date<icu_calendar::Iso>> {
    icu_calendar::Date::try_new_iso(d.year(), u8::from(d.month()), d.day()).ok()
}

/// A date in a table or a line: "7 dec 2026" or "7 Dec 2026".
pub fn date(lang: Lang, d: Date) -> String {
    match (of(lang), icu_date(d)) {
        (Some(f), Some(i)) => f.date.format(&i).to_string(),
        _ => d.to_string(),
    }
}

/// A date in a sentence: "7 december 2026" or "7 December 2026".
pub fn date_long(lang: Lang, d: Date) -> String {
    match (of(lang), icu_date(d)) {
        (Some(f), Some(i)) => f.date_long.format(&i).to_string(),
        _ => d.to_string(),
    }
}

/// A country's name in the language: "Syrië" or "Syria" (CLDR's names; its
/// short form where CLDR has one is not used: the full name reads better).
pub fn country(lang: Lang, c: CountryCode) -> String {
    of(lang)
        .and_then(|f| {
            let alpha2 = isocountry::CountryCode::for_alpha3(c.as_str())
                .ok()?
                .alpha2();
            let region: Region = alpha2.parse().ok()?;
            f.regions.of(region).map(str::to_string)
        })
        .unwrap_or_else(|| c.name().to_string())
}

/// A nationality. CLDR has no demonyms ("Syrisch", "Syrian"), so a
/// nationality is shown as its country's name; stateless is `stateless` of
/// the caller's translations (passed in, since this module has no texts).
pub fn nationality(lang: Lang, n: Nationality, stateless: &str) -> String {
    match n {
        Nationality::Country(c) => country(lang, c),
        Nationality::Stateless => stateless.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::date;

    #[test]
    fn dutch() {
        let nl = Lang::Nl;
        assert_eq!(int(nl, 1208), "1.208");
        assert_eq!(int(nl, -13_040_000), "-13.040.000");
        assert_eq!(int(nl, 12), "12");
        assert_eq!(decimal(nl, 3.392, 3), "3,392");
        assert_eq!(decimal(nl, 1234.5, 1), "1.234,5");
        assert_eq!(percent(nl, 12.5, 1), "12,5%");
        assert_eq!(euros(nl, 13_040_000), "€\u{a0}13.040.000");
        assert_eq!(date(nl, date!(2026 - 12 - 07)), "7 dec 2026");
        assert_eq!(date_long(nl, date!(2027 - 03 - 31)), "31 maart 2027");
        let syr = CountryCode::parse("SYR").unwrap();
        assert_eq!(country(nl, syr), "Syrië");
        assert_eq!(country(nl, CountryCode::parse("EGY").unwrap()), "Egypte");
        assert_eq!(
            nationality(nl, Nationality::Country(syr), "staatloos"),
            "Syrië"
        );
        assert_eq!(
            nationality(nl, Nationality::Stateless, "staatloos"),
            "staatloos"
        );
    }

    #[test]
    fn english() {
        let en = Lang::En;
        assert_eq!(int(en, 1208), "1,208");
        assert_eq!(int(en, -13_040_000), "-13,040,000");
        assert_eq!(decimal(en, 3.392, 3), "3.392");
        assert_eq!(decimal(en, 1234.5, 1), "1,234.5");
        assert_eq!(percent(en, 12.5, 1), "12.5%");
        assert_eq!(euros(en, 13_040_000), "€13,040,000");
        assert_eq!(date(en, date!(2026 - 12 - 07)), "7 Dec 2026");
        assert_eq!(date_long(en, date!(2027 - 03 - 31)), "31 March 2027");
        let syr = CountryCode::parse("SYR").unwrap();
        assert_eq!(country(en, syr), "Syria");
        assert_eq!(
            country(en, CountryCode::parse("SSD").unwrap()),
            "South Sudan"
        );
    }
}

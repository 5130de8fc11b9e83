//! Who lives in which host country: the nationalities UNHCR submits from each
//! host, weighted so that the caseload is plausible (Syrians in Lebanon and
//! Jordan, Congolese in Kenya and Uganda, Eritreans and Sudanese evacuated from
//! Libya to the Emergency Transit Mechanisms in Niger and Rwanda, Rohingya in
//! Malaysia, …). `XXA` is the code for stateless persons.

/// Nationalities (ISO alpha-3, or `XXA`) of refugees in `host`, with weights.
/// An unknown host yields an empty list, which the generator reports as an error.
pub(crate) fn nationalities(host: &str) -> &'static [(&'static str, u32)] {
    match host {
        // Syrians, Iraqis and stateless Kurds from Syria; Sudanese labour migrants turned refugees.
        "LBN" => &[("SYR", 80), ("IRQ", 8), ("XXA", 8), ("SDN", 4)],
        "JOR" => &[
            ("SYR", 60),
            ("IRQ", 18),
            ("YEM", 10),
            ("SDN", 7),
            ("SOM", 3),
            ("PSE", 2),
        ],
        "EGY" => &[
            ("SYR", 22),
            ("SDN", 30),
            ("SSD", 12),
            ("ERI", 12),
            ("ETH", 6),
            ("YEM", 8),
            ("SOM", 5),
            ("PSE", 5),
        ],
        "KEN" => &[
            ("SOM", 30),
            ("SSD", 25),
            ("COD", 25),
            ("ETH", 10),
            ("BDI", 10),
        ],
        // Rohingya, with or without Myanmar nationality, and smaller groups.
        "MYS" => &[
            ("MMR", 45),
            ("XXA", 25),
            ("AFG", 10),
            ("SOM", 7),
            ("YEM", 6),
            ("PAK", 7),
        ],
        // Emergency Transit Mechanism: evacuees from Libyan detention.
        "RWA" => &[
            ("ERI", 40),
            ("SDN", 35),
            ("SSD", 10),
            ("SOM", 8),
            ("ETH", 7),
        ],
        "NER" => &[
            ("SDN", 34),
            ("ERI", 24),
            ("ETH", 9),
            ("SOM", 6),
            ("CMR", 9),
            ("TCD", 9),
            ("MLI", 9),
        ],
        "TUR" => &[("SYR", 58), ("AFG", 14), ("IRQ", 11), ("IRN", 17)],
        // Dossier cases from elsewhere.
        "IRQ" => &[("SYR", 60), ("IRN", 15), ("XXA", 10), ("PSE", 15)],
        "LBY" => &[
            ("ERI", 35),
            ("SDN", 35),
            ("ETH", 10),
            ("SOM", 10),
            ("SSD", 5),
            ("PSE", 5),
        ],
        "UGA" => &[("COD", 50), ("SSD", 30), ("BDI", 15), ("SOM", 5)],
        "ETH" => &[("ERI", 50), ("SOM", 25), ("SSD", 20), ("YEM", 5)],
        "TCD" => &[("SDN", 70), ("CAF", 30)],
        "CMR" => &[("CAF", 100)],
        "PAK" => &[("AFG", 100)],
        // Mostly Pakistani Ahmadis.
        "LKA" => &[("PAK", 80), ("AFG", 20)],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resettle_domain::Nationality;

    #[test]
    fn every_listed_nationality_parses() {
        for host in [
            "LBN", "JOR", "EGY", "KEN", "MYS", "RWA", "NER", "TUR", "IRQ", "LBY", "UGA", "ETH",
            "TCD", "CMR", "PAK", "LKA",
        ] {
            let list = nationalities(host);
            assert!(!list.is_empty(), "{host}");
            for (code, _) in list {
                assert!(Nationality::parse(code).is_ok(), "{code}");
            }
        }
    }
}

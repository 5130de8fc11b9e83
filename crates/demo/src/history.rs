//! The plan of the demo history, period by period, as the government letter
//! tells it (DOMAIN.md sections 3-5). Each period says how many persons are
//! selected in it and arrive, and which selection missions and dossier
//! batches they come through. Figures live here as data; the generator only
//! follows them.
//!
//! The national-quota periods 2020-2023 select and receive their people
//! within the same calendar year, so arrivals per year are exactly the
//! letter's 300, 90, 730 and 800 (later-arriving family members included).

use crate::journey::{Schedule, selection_steps_to_arrival};
use crate::{DemoError, LAST_EVENT_ON, reasons};
use resettle_domain::{Programme, SubmissionPriority, Track};
use time::macros::date;
use time::{Date, Duration};

/// A stretch of the history with a target of arriving persons.
pub(crate) struct Period {
    pub name: &'static str,
    pub programme: Programme,
    /// Persons selected in this period who arrive: resettled refugees plus
    /// later-arriving family members (exactly this many).
    pub persons: usize,
    /// Days on which later-arriving family members of earlier arrivals come;
    /// `None` when there are none in the period.
    pub family_reunification: Option<(Date, Date)>,
    pub batches: &'static [Batch],
}

/// Cases selected together: on one selection mission, or from the dossier.
pub(crate) struct Batch {
    pub name: &'static str,
    /// Host countries with weights (one for a mission; many for dossier cases).
    pub hosts: &'static [(&'static str, u32)],
    /// Nationalities when the batch is narrower than its host's population.
    pub nationalities: Option<&'static [(&'static str, u32)]>,
    /// First day of the mission's interviews; `None` for dossier selection.
    pub mission_on: Option<Date>,
    pub select: (Date, Date),
    pub arrive: (Date, Date),
    /// Relative share of the period's persons.
    pub share: u32,
    /// Recorded on the departure, e.g. when travel was brought forward.
    pub depart_reason: Option<&'static str>,
}

impl Batch {
    pub fn track(&self) -> Track {
        if self.mission_on.is_some() {
            Track::SelectionMission
        } else {
            Track::Dossier
        }
    }

    /// Mission cases are normal priority; the dossier takes only urgent and
    /// emergency cases (the unearmarked reservation).
    pub fn priorities(&self) -> &'static [(SubmissionPriority, u32)] {
        if self.mission_on.is_some() {
            &[(SubmissionPriority::Normal, 1)]
        } else {
            &[
                (SubmissionPriority::Urgent, 7),
                (SubmissionPriority::Emergency, 3),
            ]
        }
    }

    pub fn schedule(&self) -> Schedule {
        Schedule {
            mission_on: self.mission_on,
            select: self.select,
            arrive: self.arrive,
        }
    }

    /// Every arrival day must leave a selection day for every priority the
    /// batch uses, and nothing may happen after the last event day.
    fn check(&self) -> Result<(), DemoError> {
        let fail = |why: &str| Err(DemoError::plan(format!("{}: {why}", self.name)));
        if self.select.0 > self.select.1 || self.arrive.0 > self.arrive.1 {
            return fail("a window ends before it starts");
        }
        if self.arrive.1 > LAST_EVENT_ON {
            return fail("arrivals after the last event day");
        }
        if self.mission_on.is_some_and(|m| m > self.select.0) {
            return fail("selection before the mission");
        }
        for (priority, _) in self.priorities() {
            let (fewest, most) = selection_steps_to_arrival(*priority);
            if self.arrive.0 - Duration::days(fewest) < self.select.0
                || self.arrive.1 - Duration::days(most) > self.select.1
            {
                return fail("an arrival day has no selection day within the norm");
            }
        }
        Ok(())
    }
}

/// EU-Turkey cases accepted in summer 2022 that could not travel: the
/// programme was suspended at the end of August 2022 and they were withdrawn.
pub(crate) struct Suspension {
    pub batch: Batch,
    pub cases: usize,
    pub withdrawn: (Date, Date),
    pub reason: &'static str,
}

/// Checks the whole plan before anything is generated.
pub(crate) fn validate() -> Result<(), DemoError> {
    for period in PERIODS {
        for batch in period.batches {
            batch.check()?;
        }
        if period.batches.iter().all(|b| b.share == 0) {
            return Err(DemoError::plan(format!(
                "{}: no batch has a share",
                period.name
            )));
        }
    }
    if SUSPENSION.withdrawn.0 < SUSPENSION.batch.select.1 {
        return Err(DemoError::plan(
            "EU-Turkey withdrawals before their selection",
        ));
    }
    Ok(())
}

const fn mission(
    name: &'static str,
    host: &'static [(&'static str, u32)],
    on: Date,
    select: (Date, Date),
    arrive: (Date, Date),
    share: u32,
) -> Batch {
    Batch {
        name,
        hosts: host,
        nationalities: None,
        mission_on: Some(on),
        select,
        arrive,
        share,
        depart_reason: None,
    }
}

const fn dossier(
    name: &'static str,
    select: (Date, Date),
    arrive: (Date, Date),
    share: u32,
) -> Batch {
    Batch {
        name,
        hosts: DOSSIER_HOSTS,
        nationalities: None,
        mission_on: None,
        select,
        arrive,
        share,
        depart_reason: None,
    }
}

/// Urgent and emergency cases come from anywhere in the world.
const DOSSIER_HOSTS: &[(&str, u32)] = &[
    ("TUR", 3),
    ("IRQ", 2),
    ("LBY", 3),
    ("UGA", 2),
    ("ETH", 2),
    ("TCD", 2),
    ("CMR", 2),
    ("PAK", 2),
    ("LKA", 2),
    ("LBN", 1),
    ("EGY", 1),
];

/// EU-Turkey resettlement is for Syrians in Turkey (a few stateless among them).
const EU_TURKEY_NATIONALITIES: &[(&str, u32)] = &[("SYR", 92), ("XXA", 8)];

/// The 2025 mission to Egypt was for Sudanese and South Sudanese refugees, among others.
pub(crate) const EGYPT_2025: &[(&str, u32)] = &[("SDN", 60), ("SSD", 30), ("ERI", 10)];

const LBN: &[(&str, u32)] = &[("LBN", 1)];
const JOR: &[(&str, u32)] = &[("JOR", 1)];
const EGY: &[(&str, u32)] = &[("EGY", 1)];
const KEN: &[(&str, u32)] = &[("KEN", 1)];
const MYS: &[(&str, u32)] = &[("MYS", 1)];
const RWA: &[(&str, u32)] = &[("RWA", 1)];
const NER: &[(&str, u32)] = &[("NER", 1)];
const TUR: &[(&str, u32)] = &[("TUR", 1)];

const fn eu_turkey(on: Date, select: (Date, Date), arrive: (Date, Date), share: u32) -> Batch {
    Batch {
        nationalities: Some(EU_TURKEY_NATIONALITIES),
        ..mission("EU-Turkije-selectie", TUR, on, select, arrive, share)
    }
}

pub(crate) static PERIODS: &[Period] = &[
    // 2020: missions in January, then the pandemic stopped travel from mid-March
    // until the autumn.
    Period {
        name: "national quota 2020",
        programme: Programme::NationalQuota,
        persons: 300,
        family_reunification: Some((date!(2020 - 10 - 05), date!(2020 - 12 - 15))),
        batches: &[
            mission(
                "Libanon, januari 2020",
                LBN,
                date!(2020 - 01 - 06),
                (date!(2020 - 01 - 13), date!(2020 - 01 - 31)),
                (date!(2020 - 02 - 10), date!(2020 - 03 - 12)),
                90,
            ),
            mission(
                "Jordanië, januari 2020",
                JOR,
                date!(2020 - 01 - 08),
                (date!(2020 - 01 - 15), date!(2020 - 02 - 07)),
                (date!(2020 - 02 - 17), date!(2020 - 03 - 12)),
                50,
            ),
            mission(
                "ETM Niger, januari 2020",
                NER,
                date!(2020 - 01 - 13),
                (date!(2020 - 01 - 20), date!(2020 - 02 - 14)),
                (date!(2020 - 02 - 17), date!(2020 - 03 - 12)),
                30,
            ),
            mission(
                "Egypte, september 2020",
                EGY,
                date!(2020 - 09 - 07),
                (date!(2020 - 09 - 14), date!(2020 - 10 - 09)),
                (date!(2020 - 10 - 12), date!(2020 - 12 - 15)),
                60,
            ),
            mission(
                "ETM Rwanda, september 2020",
                RWA,
                date!(2020 - 09 - 14),
                (date!(2020 - 09 - 21), date!(2020 - 10 - 16)),
                (date!(2020 - 10 - 19), date!(2020 - 12 - 15)),
                40,
            ),
            dossier(
                "dossier, begin 2020",
                (date!(2020 - 01 - 02), date!(2020 - 03 - 05)),
                (date!(2020 - 01 - 20), date!(2020 - 03 - 12)),
                15,
            ),
            dossier(
                "dossier, eind 2020",
                (date!(2020 - 09 - 15), date!(2020 - 12 - 05)),
                (date!(2020 - 10 - 01), date!(2020 - 12 - 15)),
                15,
            ),
        ],
    },
    // 2021: travel still limited; urgent cases and the transit mechanisms.
    Period {
        name: "national quota 2021",
        programme: Programme::NationalQuota,
        persons: 90,
        family_reunification: Some((date!(2021 - 06 - 01), date!(2021 - 12 - 15))),
        batches: &[
            dossier(
                "dossier 2021",
                (date!(2021 - 01 - 04), date!(2021 - 12 - 10)),
                (date!(2021 - 01 - 25), date!(2021 - 12 - 17)),
                35,
            ),
            mission(
                "ETM Rwanda, mei 2021",
                RWA,
                date!(2021 - 05 - 10),
                (date!(2021 - 05 - 17), date!(2021 - 06 - 18)),
                (date!(2021 - 07 - 01), date!(2021 - 11 - 30)),
                30,
            ),
            mission(
                "ETM Niger, augustus 2021",
                NER,
                date!(2021 - 08 - 16),
                (date!(2021 - 08 - 23), date!(2021 - 09 - 24)),
                (date!(2021 - 10 - 04), date!(2021 - 12 - 15)),
                25,
            ),
        ],
    },
    Period {
        name: "national quota 2022",
        programme: Programme::NationalQuota,
        persons: 730,
        family_reunification: Some((date!(2022 - 04 - 01), date!(2022 - 12 - 15))),
        batches: &[
            mission(
                "Libanon, februari 2022",
                LBN,
                date!(2022 - 02 - 07),
                (date!(2022 - 02 - 14), date!(2022 - 03 - 18)),
                (date!(2022 - 04 - 04), date!(2022 - 08 - 31)),
                180,
            ),
            mission(
                "Jordanië, maart 2022",
                JOR,
                date!(2022 - 03 - 14),
                (date!(2022 - 03 - 21), date!(2022 - 04 - 22)),
                (date!(2022 - 05 - 09), date!(2022 - 09 - 30)),
                110,
            ),
            mission(
                "ETM Rwanda, maart 2022",
                RWA,
                date!(2022 - 03 - 28),
                (date!(2022 - 04 - 04), date!(2022 - 05 - 06)),
                (date!(2022 - 05 - 23), date!(2022 - 10 - 28)),
                50,
            ),
            mission(
                "Egypte, april 2022",
                EGY,
                date!(2022 - 04 - 25),
                (date!(2022 - 05 - 02), date!(2022 - 06 - 03)),
                (date!(2022 - 06 - 20), date!(2022 - 11 - 25)),
                110,
            ),
            mission(
                "Kenia, juni 2022",
                KEN,
                date!(2022 - 06 - 13),
                (date!(2022 - 06 - 20), date!(2022 - 07 - 22)),
                (date!(2022 - 08 - 22), date!(2022 - 12 - 16)),
                110,
            ),
            mission(
                "ETM Niger, juli 2022",
                NER,
                date!(2022 - 07 - 04),
                (date!(2022 - 07 - 11), date!(2022 - 08 - 12)),
                (date!(2022 - 08 - 29), date!(2022 - 12 - 16)),
                50,
            ),
            mission(
                "Maleisië, september 2022",
                MYS,
                date!(2022 - 09 - 05),
                (date!(2022 - 09 - 12), date!(2022 - 10 - 14)),
                (date!(2022 - 10 - 24), date!(2022 - 12 - 16)),
                70,
            ),
            dossier(
                "dossier 2022",
                (date!(2022 - 01 - 03), date!(2022 - 12 - 09)),
                (date!(2022 - 01 - 24), date!(2022 - 12 - 16)),
                50,
            ),
        ],
    },
    // 2023: the last year of the framework, ending with vulnerable refugees in
    // Lebanon brought forward for security reasons (the ~20 over 1,900).
    Period {
        name: "national quota 2023",
        programme: Programme::NationalQuota,
        persons: 800,
        family_reunification: Some((date!(2023 - 03 - 01), date!(2023 - 12 - 15))),
        batches: &[
            mission(
                "Libanon, februari 2023",
                LBN,
                date!(2023 - 02 - 06),
                (date!(2023 - 02 - 13), date!(2023 - 03 - 17)),
                (date!(2023 - 04 - 03), date!(2023 - 08 - 31)),
                150,
            ),
            mission(
                "Egypte, maart 2023",
                EGY,
                date!(2023 - 03 - 13),
                (date!(2023 - 03 - 20), date!(2023 - 04 - 21)),
                (date!(2023 - 05 - 08), date!(2023 - 09 - 29)),
                120,
            ),
            mission(
                "Jordanië, april 2023",
                JOR,
                date!(2023 - 04 - 17),
                (date!(2023 - 04 - 24), date!(2023 - 05 - 26)),
                (date!(2023 - 06 - 12), date!(2023 - 10 - 27)),
                100,
            ),
            mission(
                "Kenia, mei 2023",
                KEN,
                date!(2023 - 05 - 15),
                (date!(2023 - 05 - 22), date!(2023 - 06 - 23)),
                (date!(2023 - 07 - 10), date!(2023 - 11 - 24)),
                100,
            ),
            mission(
                "Maleisië, mei 2023",
                MYS,
                date!(2023 - 05 - 29),
                (date!(2023 - 06 - 05), date!(2023 - 07 - 07)),
                (date!(2023 - 07 - 24), date!(2023 - 12 - 15)),
                40,
            ),
            mission(
                "ETM Rwanda, juni 2023",
                RWA,
                date!(2023 - 06 - 05),
                (date!(2023 - 06 - 12), date!(2023 - 07 - 14)),
                (date!(2023 - 07 - 31), date!(2023 - 12 - 15)),
                50,
            ),
            mission(
                "ETM Niger, september 2023",
                NER,
                date!(2023 - 09 - 04),
                (date!(2023 - 09 - 11), date!(2023 - 10 - 13)),
                (date!(2023 - 10 - 23), date!(2023 - 12 - 15)),
                50,
            ),
            Batch {
                depart_reason: Some(reasons::LEBANON_BROUGHT_FORWARD),
                ..mission(
                    "Libanon, september 2023 (vervroegd)",
                    LBN,
                    date!(2023 - 09 - 18),
                    (date!(2023 - 09 - 25), date!(2023 - 10 - 20)),
                    (date!(2023 - 10 - 30), date!(2023 - 12 - 15)),
                    150,
                )
            },
            dossier(
                "dossier 2023",
                (date!(2023 - 01 - 02), date!(2023 - 12 - 08)),
                (date!(2023 - 01 - 23), date!(2023 - 12 - 15)),
                40,
            ),
        ],
    },
    // 2024: a one-year framework of 500. People selected in 2024 who arrive
    // in early 2025 still count under 2024.
    Period {
        name: "national quota 2024",
        programme: Programme::NationalQuota,
        persons: 480,
        family_reunification: Some((date!(2024 - 03 - 01), date!(2024 - 12 - 13))),
        batches: &[
            mission(
                "Libanon, februari 2024",
                LBN,
                date!(2024 - 02 - 05),
                (date!(2024 - 02 - 12), date!(2024 - 03 - 15)),
                (date!(2024 - 04 - 02), date!(2024 - 08 - 30)),
                110,
            ),
            mission(
                "Egypte, april 2024",
                EGY,
                date!(2024 - 04 - 08),
                (date!(2024 - 04 - 15), date!(2024 - 05 - 17)),
                (date!(2024 - 06 - 03), date!(2024 - 10 - 31)),
                90,
            ),
            mission(
                "Kenia, mei 2024",
                KEN,
                date!(2024 - 05 - 13),
                (date!(2024 - 05 - 20), date!(2024 - 06 - 21)),
                (date!(2024 - 07 - 08), date!(2024 - 11 - 29)),
                80,
            ),
            mission(
                "Turkije, juni 2024",
                TUR,
                date!(2024 - 06 - 10),
                (date!(2024 - 06 - 17), date!(2024 - 07 - 19)),
                (date!(2024 - 08 - 05), date!(2024 - 12 - 13)),
                70,
            ),
            mission(
                "ETM Niger, september 2024",
                NER,
                date!(2024 - 09 - 09),
                (date!(2024 - 09 - 16), date!(2024 - 10 - 18)),
                (date!(2024 - 10 - 28), date!(2025 - 03 - 28)),
                50,
            ),
            mission(
                "Libanon, oktober 2024",
                LBN,
                date!(2024 - 10 - 07),
                (date!(2024 - 10 - 14), date!(2024 - 11 - 22)),
                (date!(2024 - 12 - 02), date!(2025 - 04 - 30)),
                50,
            ),
            dossier(
                "dossier 2024",
                (date!(2024 - 01 - 02), date!(2024 - 12 - 13)),
                (date!(2024 - 01 - 22), date!(2024 - 12 - 20)),
                40,
            ),
        ],
    },
    // 2025: the quota lowered to 200; one mission to Egypt, the rest dossier,
    // shared as the 2025 allocation plan shares them (140 and 60 places).
    Period {
        name: "national quota 2025",
        programme: Programme::NationalQuota,
        persons: 200,
        family_reunification: Some((date!(2025 - 03 - 01), date!(2025 - 12 - 12))),
        batches: &[
            Batch {
                nationalities: Some(EGYPT_2025),
                ..mission(
                    "Egypte, mei 2025",
                    EGY,
                    date!(2025 - 05 - 12),
                    (date!(2025 - 05 - 19), date!(2025 - 06 - 27)),
                    (date!(2025 - 07 - 14), date!(2025 - 12 - 12)),
                    140,
                )
            },
            dossier(
                "dossier 2025",
                (date!(2025 - 01 - 06), date!(2025 - 12 - 12)),
                (date!(2025 - 01 - 27), date!(2025 - 12 - 19)),
                60,
            ),
        ],
    },
    // 2026: the first Union plan (2026-2027); so far only urgent cases.
    Period {
        name: "national quota 2026",
        programme: Programme::NationalQuota,
        persons: 40,
        family_reunification: None,
        batches: &[dossier(
            "dossier 2026",
            (date!(2026 - 01 - 05), date!(2026 - 06 - 12)),
            (date!(2026 - 01 - 26), date!(2026 - 06 - 26)),
            1,
        )],
    },
    // EU-Turkey Statement: kept apart from the quota.
    Period {
        name: "EU-Turkey 2020",
        programme: Programme::EuTurkey,
        persons: 150,
        family_reunification: None,
        batches: &[
            eu_turkey(
                date!(2020 - 01 - 06),
                (date!(2020 - 01 - 13), date!(2020 - 02 - 07)),
                (date!(2020 - 02 - 10), date!(2020 - 03 - 12)),
                80,
            ),
            eu_turkey(
                date!(2020 - 09 - 07),
                (date!(2020 - 09 - 14), date!(2020 - 10 - 16)),
                (date!(2020 - 10 - 19), date!(2020 - 12 - 15)),
                70,
            ),
        ],
    },
    Period {
        name: "EU-Turkey 2021",
        programme: Programme::EuTurkey,
        persons: 280,
        family_reunification: None,
        batches: &[
            eu_turkey(
                date!(2021 - 02 - 08),
                (date!(2021 - 02 - 15), date!(2021 - 03 - 19)),
                (date!(2021 - 04 - 06), date!(2021 - 07 - 30)),
                140,
            ),
            eu_turkey(
                date!(2021 - 06 - 07),
                (date!(2021 - 06 - 14), date!(2021 - 07 - 16)),
                (date!(2021 - 08 - 02), date!(2021 - 12 - 15)),
                140,
            ),
        ],
    },
    // Suspended at the end of August 2022 (reception crisis): nothing arrives
    // from September 2022 through 2023.
    Period {
        name: "EU-Turkey 2022",
        programme: Programme::EuTurkey,
        persons: 220,
        family_reunification: None,
        batches: &[
            eu_turkey(
                date!(2022 - 01 - 10),
                (date!(2022 - 01 - 17), date!(2022 - 02 - 18)),
                (date!(2022 - 03 - 07), date!(2022 - 06 - 30)),
                120,
            ),
            eu_turkey(
                date!(2022 - 04 - 04),
                (date!(2022 - 04 - 11), date!(2022 - 05 - 13)),
                (date!(2022 - 05 - 30), date!(2022 - 08 - 26)),
                100,
            ),
        ],
    },
    // Resumed from 1 January 2024.
    Period {
        name: "EU-Turkey 2024",
        programme: Programme::EuTurkey,
        persons: 330,
        family_reunification: None,
        batches: &[
            eu_turkey(
                date!(2024 - 01 - 15),
                (date!(2024 - 01 - 22), date!(2024 - 02 - 23)),
                (date!(2024 - 03 - 11), date!(2024 - 07 - 31)),
                170,
            ),
            eu_turkey(
                date!(2024 - 06 - 03),
                (date!(2024 - 06 - 10), date!(2024 - 07 - 12)),
                (date!(2024 - 07 - 29), date!(2024 - 12 - 13)),
                160,
            ),
        ],
    },
    Period {
        name: "EU-Turkey 2025",
        programme: Programme::EuTurkey,
        persons: 300,
        family_reunification: None,
        batches: &[
            eu_turkey(
                date!(2025 - 01 - 13),
                (date!(2025 - 01 - 20), date!(2025 - 02 - 21)),
                (date!(2025 - 03 - 10), date!(2025 - 07 - 31)),
                150,
            ),
            eu_turkey(
                date!(2025 - 06 - 02),
                (date!(2025 - 06 - 09), date!(2025 - 07 - 11)),
                (date!(2025 - 07 - 28), date!(2025 - 12 - 12)),
                150,
            ),
        ],
    },
    Period {
        name: "EU-Turkey 2026",
        programme: Programme::EuTurkey,
        persons: 110,
        family_reunification: None,
        batches: &[eu_turkey(
            date!(2026 - 01 - 12),
            (date!(2026 - 01 - 19), date!(2026 - 02 - 20)),
            (date!(2026 - 03 - 09), date!(2026 - 06 - 26)),
            1,
        )],
    },
];

/// The EU-Turkey mission of June 2022, whose accepted cases never travelled.
pub(crate) static SUSPENSION: Suspension = Suspension {
    batch: eu_turkey(
        date!(2022 - 06 - 13),
        (date!(2022 - 06 - 20), date!(2022 - 07 - 22)),
        // The arrivals that were planned; the suspension came first.
        (date!(2022 - 09 - 12), date!(2022 - 12 - 16)),
        1,
    ),
    cases: 14,
    withdrawn: (date!(2022 - 09 - 01), date!(2022 - 09 - 30)),
    reason: reasons::EU_TURKEY_SUSPENDED,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_is_consistent() {
        assert_eq!(validate(), Ok(()));
    }

    #[test]
    fn framework_2020_2023_selects_and_receives_within_each_year() {
        for period in PERIODS.iter().take(4) {
            let year = period.batches[0].arrive.0.year();
            for b in period.batches {
                assert_eq!(b.select.0.year(), year, "{}", b.name);
                assert_eq!(b.arrive.1.year(), year, "{}", b.name);
                assert!(b.select.0 >= date!(2020 - 01 - 01));
            }
        }
        let letter: Vec<usize> = PERIODS.iter().take(4).map(|p| p.persons).collect();
        assert_eq!(letter, [300, 90, 730, 800]);
    }
}

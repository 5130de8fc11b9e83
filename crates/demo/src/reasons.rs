//! The free-text reasons recorded on history entries and housing: why a case
//! was withdrawn, why a family went to a COA location first, why travel was
//! brought forward. Kept together so the wording is consistent.

/// Why a national-quota family is housed in a COA location before a dwelling.
pub(crate) const COA_FIRST: &[&str] = &[
    "no suitable dwelling available yet in the receiving municipality",
    "large family: waiting for a dwelling of the right size",
    "medical treatment needed near a specialised hospital first",
];

/// Why an EU-Turkey family is housed in a COA location.
pub(crate) const EU_TURKEY_RECEPTION: &str = "migration cooperation arrivals are received by COA";

/// Why a case was withdrawn before departure.
pub(crate) const WITHDRAWALS: &[&str] = &[
    "the family withdrew from resettlement",
    "UNHCR withdrew the submission",
    "the family could no longer be reached by UNHCR",
    "resettled to another country in the meantime",
    "the family declined the offer after the selection interview",
    "principal applicant returned voluntarily to the country of origin",
];

/// Why EU-Turkey cases accepted in summer 2022 were withdrawn.
pub(crate) const EU_TURKEY_SUSPENDED: &str =
    "EU-Turkey resettlement suspended from September 2022 because of the reception crisis";

/// Why late-2023 departures from Lebanon were brought forward.
pub(crate) const LEBANON_BROUGHT_FORWARD: &str =
    "travel brought forward because of the security situation in Lebanon";

/// Why cultural orientation was given at a distance in 2020-2021.
pub(crate) const PANDEMIC_TRAINING: &str =
    "cultural orientation given digitally because of COVID-19 measures";

/// Why a refused or withdrawn case's file is closed.
pub(crate) const CLOSED_WITHOUT_ARRIVAL: &str = "file closed: the case will not travel";

/// Why a case is closed after arrival.
pub(crate) const GUIDANCE_ENDED: &str = "integration guidance period ended";

/// The motivation of a refusal, by its first ground (chosen without a draw,
/// so the rest of the demo stays as it was).
pub(crate) fn refusal_motivation(grounds: &[resettle_domain::RejectionGround]) -> &'static str {
    use resettle_domain::RejectionGround as G;
    match grounds.first() {
        Some(G::NoNationalPolicyBasis) => {
            "the account given does not meet the criteria of the country policy for resettlement"
        }
        Some(G::Exclusion) => {
            "serious reasons to consider that article 1F of the Refugee Convention applies"
        }
        Some(G::PublicOrderOrSecurity) => "the principal applicant poses a danger to public order",
        Some(G::ProtectionAvailableElsewhere) => {
            "effective protection is available in the host country"
        }
        Some(G::AlreadyProtectedInMemberState) => {
            "the family already holds international protection in another member state"
        }
        Some(G::EntryBan) => "a family member is subject to an entry ban",
        Some(G::Other) | None => {
            "the identity of the principal applicant could not be established with the documents submitted"
        }
    }
}

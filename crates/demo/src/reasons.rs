//! The free-text reasons recorded on history entries and housing: why a case
//! was withdrawn, why a family went to a COA location first, why travel was
//! brought forward. Kept together so the wording is consistent.

/// Why a national-quota family is housed in a COA location before a dwelling.
pub(crate) const COA_FIRST: &[&str] = &[
    "nog geen passende woning beschikbaar in de ontvangende gemeente",
    "groot gezin: wacht op een woning van de juiste grootte",
    "eerst medische behandeling nodig bij een gespecialiseerd ziekenhuis",
];

/// Why an EU-Turkey family is housed in a COA location.
pub(crate) const EU_TURKEY_RECEPTION: &str =
    "aankomsten via migratiesamenwerking worden door het COA opgevangen";

/// Why a case was withdrawn before departure.
pub(crate) const WITHDRAWALS: &[&str] = &[
    "het gezin heeft zich teruggetrokken uit hervestiging",
    "UNHCR heeft de voordracht ingetrokken",
    "UNHCR kon het gezin niet meer bereiken",
    "inmiddels hervestigd in een ander land",
    "het gezin heeft het aanbod na het selectiegesprek afgewezen",
    "de hoofdaanvrager is vrijwillig teruggekeerd naar het land van herkomst",
];

/// Why EU-Turkey cases accepted in summer 2022 were withdrawn.
pub(crate) const EU_TURKEY_SUSPENDED: &str = "hervestiging onder de EU-Turkije-verklaring opgeschort vanaf september 2022 wegens de opvangcrisis";

/// Why late-2023 departures from Lebanon were brought forward.
pub(crate) const LEBANON_BROUGHT_FORWARD: &str =
    "vertrek vervroegd wegens de veiligheidssituatie in Libanon";

/// Why cultural orientation was given at a distance in 2020-2021.
pub(crate) const PANDEMIC_TRAINING: &str =
    "culturele oriëntatie digitaal gegeven wegens de covid-19-maatregelen";

/// Why a refused or withdrawn case's file is closed.
pub(crate) const CLOSED_WITHOUT_ARRIVAL: &str = "dossier gesloten: de zaak reist niet";

/// Why a case is closed after arrival.
pub(crate) const GUIDANCE_ENDED: &str = "periode van integratiebegeleiding afgelopen";

/// The motivation of a refusal, by its first ground (chosen without a draw,
/// so the rest of the demo stays as it was).
pub(crate) fn refusal_motivation(grounds: &[resettle_domain::RejectionGround]) -> &'static str {
    use resettle_domain::RejectionGround as G;
    match grounds.first() {
        Some(G::NoNationalPolicyBasis) => {
            "het relaas voldoet niet aan de criteria van het landgebonden beleid voor hervestiging"
        }
        Some(G::Exclusion) => {
            "ernstige redenen om aan te nemen dat artikel 1F van het Vluchtelingenverdrag van toepassing is"
        }
        Some(G::PublicOrderOrSecurity) => {
            "de hoofdaanvrager vormt een gevaar voor de openbare orde"
        }
        Some(G::ProtectionAvailableElsewhere) => {
            "in het gastland is effectieve bescherming beschikbaar"
        }
        Some(G::AlreadyProtectedInMemberState) => {
            "het gezin heeft al internationale bescherming in een andere lidstaat"
        }
        Some(G::EntryBan) => "tegen een gezinslid geldt een inreisverbod",
        Some(G::Other) | None => {
            "de identiteit van de hoofdaanvrager kon met de overgelegde documenten niet worden vastgesteld"
        }
    }
}

//! The members of a case: a principal applicant, often a spouse, children,
//! sometimes a parent or a sibling. Dates of birth follow from the
//! relationships (a parent is at least 17 when a child is born; no one is born
//! after the day of submission), and names follow the tradition of the
//! nationality (inherited family names, or the father's given name).

use crate::DemoError;
use crate::dice::Dice;
use crate::names::{NameGroup, NameList};
use resettle_domain::person::DocumentKind;
use resettle_domain::{
    Case, CountryCode, DateOfBirth, IdentityDocument, Member, Nationality, PersonId, Relationship,
    Sex,
};
use time::{Date, Duration};

/// The household UNHCR submits as one case.
pub(crate) struct Household {
    pub size: usize,
    pub nationality: Nationality,
    pub host: CountryCode,
    /// Day of submission: ages are counted on it and no one is born after it.
    pub on: Date,
    /// The principal applicant's family name when the case is related to
    /// another (a linked case, an adult sibling joining later); `None` draws one.
    pub family_name: Option<String>,
}

/// Members of a freshly submitted household, principal applicant first.
pub(crate) fn household(dice: &mut Dice, h: &Household) -> Result<Vec<Member>, DemoError> {
    let mut f = Family::new(h.nationality, h.host, h.on);
    let others = h.size.saturating_sub(1);
    // Women at risk and single mothers make female principal applicants common.
    let pa_sex = if dice.chance(0.45) {
        Sex::Female
    } else {
        Sex::Male
    };
    let spouse = others >= 1 && dice.chance(if pa_sex == Sex::Female { 0.55 } else { 0.8 });
    let mut left = others - usize::from(spouse);
    let parent = left >= 2 && dice.chance(0.12);
    left -= usize::from(parent);
    let sibling = !spouse && left >= 1 && dice.chance(0.2);
    left -= usize::from(sibling);
    let children = left;

    // Old enough to be the parent of every child; young enough to have a living parent along.
    let children_years = i64::try_from(children).unwrap_or(8);
    let youngest = (17 + 2 * children_years).max(19);
    let oldest = if parent { 50 } else { 58 };
    let pa_age = dice.between(youngest, oldest.max(youngest));
    let pa_dob = f.born_aged(dice, pa_age);
    let pa_family = match &h.family_name {
        Some(name) => name.clone(),
        None => dice.pick(f.names.family)?.to_string(),
    };
    let pa_given = f.given(dice, pa_sex)?;
    f.add(
        dice,
        &pa_given,
        &pa_family,
        pa_dob,
        pa_sex,
        Relationship::PrincipalApplicant,
    )?;

    let mut father = (pa_sex == Sex::Male).then(|| (pa_given.clone(), pa_family.clone()));
    let mut youngest_parent = pa_dob;
    if spouse {
        let sex = opposite(pa_sex);
        let dob = dice
            .date_between(years_before(pa_dob, 8), years_after(pa_dob, 8))
            .min(years_before(h.on, 18));
        let given = f.given(dice, sex)?;
        // Spouses keep their own family (or father's) name.
        let family = dice.pick(f.names.family)?.to_string();
        f.add(dice, &given, &family, dob, sex, Relationship::Spouse)?;
        if sex == Sex::Male {
            father = Some((given, family));
        }
        youngest_parent = youngest_parent.max(dob);
    }
    if parent {
        f.add_parent_of(dice, pa_dob, &pa_family, Relationship::Parent)?;
    }
    if sibling {
        let sex = random_sex(dice);
        let dob = dice.date_between(years_before(pa_dob, 10), years_after(pa_dob, 10).min(h.on));
        let given = f.given(dice, sex)?;
        f.add(dice, &given, &pa_family, dob, sex, Relationship::Sibling)?;
    }
    let child_family = f.child_family_name(dice, father.as_ref(), &pa_family)?;
    f.add_children(dice, children, youngest_parent, h.on, &child_family)?;
    Ok(f.members)
}

/// Members of a family reunification case: relatives of `anchor`'s principal
/// applicant who join the family in the Netherlands. They are the spouse (with
/// children born before the anchor left) when the anchor came without one, the
/// parents when only one or two come, or else an adult sibling's household.
pub(crate) fn reunion(
    dice: &mut Dice,
    anchor: &Case,
    size: usize,
    on: Date,
) -> Result<Vec<Member>, DemoError> {
    let members = &anchor.submission.members;
    let pa = members
        .iter()
        .find(|m| m.relationship == Relationship::PrincipalApplicant)
        .ok_or_else(|| DemoError::plan("an anchor case has no principal applicant"))?;
    let host = anchor.submission.host_country;
    let pa_dob = pa.date_of_birth.date();
    let has_spouse = members
        .iter()
        .any(|m| m.relationship == Relationship::Spouse);
    let mut f = Family::new(pa.nationality, host, on);

    if !has_spouse && pa.date_of_birth.age_on(on) >= 19 {
        // Children were born before the anchor left, to parents adult by then.
        let left_on = anchor.departed_on.unwrap_or(on).min(on);
        let sex = opposite(pa.sex);
        let dob = dice
            .date_between(years_before(pa_dob, 8), years_after(pa_dob, 8))
            .min(years_before(left_on, 18));
        let given = f.given(dice, sex)?;
        let family = dice.pick(f.names.family)?.to_string();
        f.add(
            dice,
            &given,
            &family,
            dob,
            sex,
            Relationship::PrincipalApplicant,
        )?;
        let father = if sex == Sex::Male {
            (given, family)
        } else {
            (pa.given_name.clone(), pa.family_name.clone())
        };
        let child_family = f.child_family_name(dice, Some(&father), &pa.family_name)?;
        f.add_children(dice, size - 1, dob.max(pa_dob), left_on, &child_family)?;
        return Ok(f.members);
    }
    if size <= 2 && pa.date_of_birth.age_on(on) <= 48 {
        let first = f.add_parent_of(
            dice,
            pa_dob,
            &pa.family_name,
            Relationship::PrincipalApplicant,
        )?;
        if size == 2 {
            let sex = opposite(first.1);
            let dob = dice
                .date_between(years_before(first.0, 6), years_after(first.0, 6))
                .min(years_before(pa_dob, 17));
            let given = f.given(dice, sex)?;
            let family = if sex == Sex::Male && !f.names.patronymic {
                pa.family_name.clone()
            } else {
                dice.pick(f.names.family)?.to_string()
            };
            f.add(dice, &given, &family, dob, sex, Relationship::Spouse)?;
        }
        return Ok(f.members);
    }
    household(
        dice,
        &Household {
            size,
            nationality: pa.nationality,
            host,
            on,
            family_name: Some(pa.family_name.clone()),
        },
    )
}

/// A family being put together, with what every member shares.
struct Family {
    names: &'static NameList,
    nationality: Nationality,
    host: CountryCode,
    on: Date,
    members: Vec<Member>,
}

impl Family {
    fn new(nationality: Nationality, host: CountryCode, on: Date) -> Self {
        Self {
            names: NameGroup::of(nationality, host.as_str()).names(),
            nationality,
            host,
            on,
            members: Vec::new(),
        }
    }

    /// A date of birth that makes the person `age` on the day of submission.
    fn born_aged(&self, dice: &mut Dice, age: i64) -> Date {
        years_before(self.on, age) - Duration::days(dice.between(0, 364))
    }

    /// A given name not yet used in the family (families rarely repeat one).
    fn given(&self, dice: &mut Dice, sex: Sex) -> Result<String, DemoError> {
        let list = if sex == Sex::Female {
            self.names.female
        } else {
            self.names.male
        };
        let mut name = dice.pick(list)?;
        for _ in 0..5 {
            if !self.members.iter().any(|m| m.given_name == name) {
                break;
            }
            name = dice.pick(list)?;
        }
        Ok(name.to_string())
    }

    /// Children carry the father's family name, or in a patronymic tradition
    /// the father's given name (of a father who did not come, if need be).
    fn child_family_name(
        &self,
        dice: &mut Dice,
        father: Option<&(String, String)>,
        fallback: &str,
    ) -> Result<String, DemoError> {
        Ok(match (self.names.patronymic, father) {
            (true, Some((given, _))) => given.clone(),
            (true, None) => dice.pick(self.names.male)?.to_string(),
            (false, Some((_, family))) => family.clone(),
            (false, None) => fallback.to_string(),
        })
    }

    /// `count` children born after the younger parent turned 17 and no later
    /// than `until`; mostly minors, a few young adults. Oldest first.
    fn add_children(
        &mut self,
        dice: &mut Dice,
        count: usize,
        youngest_parent: Date,
        until: Date,
        family: &str,
    ) -> Result<(), DemoError> {
        let from = years_after(youngest_parent, 17).max(years_before(self.on, 24));
        let mut born: Vec<(Date, Sex)> = (0..count)
            .map(|_| (dice.date_between(from, until), random_sex(dice)))
            .collect();
        born.sort_by_key(|(dob, _)| *dob);
        for (dob, sex) in born {
            let given = self.given(dice, sex)?;
            self.add(dice, &given, family, dob, sex, Relationship::Child)?;
        }
        Ok(())
    }

    /// A parent of someone born on `child_dob` whose family name is
    /// `child_family`. Returns the parent's date of birth and sex.
    fn add_parent_of(
        &mut self,
        dice: &mut Dice,
        child_dob: Date,
        child_family: &str,
        relationship: Relationship,
    ) -> Result<(Date, Sex), DemoError> {
        let sex = random_sex(dice);
        let earliest = years_before(child_dob, 42).max(years_before(self.on, 90));
        let dob = dice.date_between(earliest, years_before(child_dob, 18));
        let (given, family) = match (sex, self.names.patronymic) {
            // The child's second name is this father's given name.
            (Sex::Male, true) => (
                child_family.to_string(),
                dice.pick(self.names.family)?.to_string(),
            ),
            (Sex::Male, false) => (self.given(dice, sex)?, child_family.to_string()),
            _ => (
                self.given(dice, sex)?,
                dice.pick(self.names.family)?.to_string(),
            ),
        };
        self.add(dice, &given, &family, dob, sex, relationship)?;
        Ok((dob, sex))
    }

    /// Adds a member; adults carry their UNHCR refugee certificate.
    fn add(
        &mut self,
        dice: &mut Dice,
        given: &str,
        family: &str,
        dob: Date,
        sex: Sex,
        relationship: Relationship,
    ) -> Result<(), DemoError> {
        let date_of_birth = DateOfBirth::new(dob, self.on).map_err(DemoError::invalid)?;
        let mut documents = Vec::new();
        if date_of_birth.age_on(self.on) >= 18 {
            documents.push(IdentityDocument {
                kind: DocumentKind::UnhcrCertificate,
                number: format!(
                    "{}-{:02}-{:07}",
                    self.host,
                    self.on.year() % 100,
                    dice.between(1, 9_999_999)
                ),
                issuing_country: Some(self.host),
                expires_on: Some(years_after(self.on, 2)),
            });
        }
        self.members.push(Member {
            id: PersonId::from_uuid(dice.uuid()),
            given_name: given.to_string(),
            family_name: family.to_string(),
            date_of_birth,
            sex,
            nationality: self.nationality,
            relationship,
            documents,
        });
        Ok(())
    }
}

fn random_sex(dice: &mut Dice) -> Sex {
    if dice.chance(0.5) {
        Sex::Female
    } else {
        Sex::Male
    }
}

fn opposite(sex: Sex) -> Sex {
    if sex == Sex::Male {
        Sex::Female
    } else {
        Sex::Male
    }
}

/// The same day `years` years earlier (28 February for 29 February).
pub(crate) fn years_before(day: Date, years: i64) -> Date {
    shift_years(day, -years)
}

/// The same day `years` years later (28 February for 29 February).
pub(crate) fn years_after(day: Date, years: i64) -> Date {
    shift_years(day, years)
}

fn shift_years(day: Date, years: i64) -> Date {
    let year = i32::try_from(i64::from(day.year()) + years).unwrap_or(day.year());
    day.replace_year(year)
        .or_else(|_| (day - Duration::days(1)).replace_year(year))
        .unwrap_or(day)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::date;

    fn household_of(seed: u64, size: usize, nationality: &str) -> Vec<Member> {
        let mut dice = Dice::new(seed);
        let h = Household {
            size,
            nationality: Nationality::parse(nationality).unwrap(),
            host: CountryCode::parse("EGY").unwrap(),
            on: date!(2024 - 02 - 29),
            family_name: None,
        };
        household(&mut dice, &h).unwrap()
    }

    #[test]
    fn households_have_the_asked_size_and_one_adult_principal_applicant() {
        for seed in 0..200 {
            let size = (seed % 8 + 1) as usize;
            let members = household_of(seed, size, if seed % 2 == 0 { "SYR" } else { "ERI" });
            assert_eq!(members.len(), size);
            let on = date!(2024 - 02 - 29);
            let pa = &members[0];
            assert_eq!(pa.relationship, Relationship::PrincipalApplicant);
            assert!(pa.date_of_birth.age_on(on) >= 18);
            for m in &members {
                assert!(m.date_of_birth.date() <= on);
                let adult = m.date_of_birth.age_on(on) >= 18;
                assert_eq!(adult, !m.documents.is_empty());
                match m.relationship {
                    Relationship::Child => {
                        assert!(m.date_of_birth.date() >= years_after(pa.date_of_birth.date(), 16))
                    }
                    Relationship::Parent => {
                        assert!(m.date_of_birth.date() <= years_before(pa.date_of_birth.date(), 17))
                    }
                    Relationship::Spouse => assert!(m.date_of_birth.age_on(on) >= 18),
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn leap_days_shift_to_the_28th() {
        assert_eq!(
            years_before(date!(2024 - 02 - 29), 1),
            date!(2023 - 02 - 28)
        );
        assert_eq!(years_after(date!(2020 - 01 - 31), 5), date!(2025 - 01 - 31));
    }
}

//! Synthetic person names: common given names and family names per naming
//! tradition, combined at random. The lists leave out family names that would
//! make a well-known person's full name (heads of state, public figures,
//! athletes), so no generated member is a real, famous person.

use resettle_domain::Nationality;

/// A naming tradition shared by several nationalities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameGroup {
    /// Syria, Iraq, Yemen, Sudan, Palestine, Chad; stateless Kurds from Syria.
    Arabic,
    /// Afghanistan and Iran.
    Persian,
    /// Pakistan.
    Urdu,
    /// Rohingya from Myanmar, many of them stateless.
    Rohingya,
    /// Eritrea and Ethiopia: the second name is the father's given name.
    Horn,
    /// Somalia: the second name is the father's given name.
    Somali,
    /// South Sudan: the second name is the father's given name.
    SouthSudanese,
    /// DR Congo, Burundi, the Central African Republic, Cameroon.
    CentralAfrican,
    /// Mali.
    Sahel,
}

/// Given names by sex and family names of one tradition.
pub(crate) struct NameList {
    pub male: &'static [&'static str],
    pub female: &'static [&'static str],
    pub family: &'static [&'static str],
    /// The second name is the father's given name rather than an inherited
    /// family name, so children carry their father's given name.
    pub patronymic: bool,
}

impl NameGroup {
    /// The tradition of a nationality; stateless persons in Malaysia are
    /// Rohingya, elsewhere in this caseload they are Kurds from Syria.
    pub fn of(nationality: Nationality, host: &str) -> Self {
        match nationality {
            Nationality::Stateless if host == "MYS" => Self::Rohingya,
            Nationality::Stateless => Self::Arabic,
            Nationality::Country(c) => match c.as_str() {
                "AFG" | "IRN" => Self::Persian,
                "PAK" => Self::Urdu,
                "MMR" => Self::Rohingya,
                "ERI" | "ETH" => Self::Horn,
                "SOM" => Self::Somali,
                "SSD" => Self::SouthSudanese,
                "COD" | "BDI" | "CAF" | "CMR" => Self::CentralAfrican,
                "MLI" => Self::Sahel,
                _ => Self::Arabic,
            },
        }
    }

    pub fn names(self) -> &'static NameList {
        match self {
            Self::Arabic => &ARABIC,
            Self::Persian => &PERSIAN,
            Self::Urdu => &URDU,
            Self::Rohingya => &ROHINGYA,
            Self::Horn => &HORN,
            Self::Somali => &SOMALI,
            Self::SouthSudanese => &SOUTH_SUDANESE,
            Self::CentralAfrican => &CENTRAL_AFRICAN,
            Self::Sahel => &SAHEL,
        }
    }
}

static ARABIC: NameList = NameList {
    male: &[
        "Ahmad", "Khaled", "Yousef", "Mahmoud", "Hassan", "Ibrahim", "Mustafa", "Tariq", "Sami",
        "Nabil", "Walid", "Rami", "Bilal", "Ziad", "Fadi", "Amer", "Hussam", "Anas", "Majd",
        "Ayham", "Karam", "Yazan", "Adnan", "Ghassan", "Hamza", "Azad", "Rezan", "Shiyar",
        "Elnour", "Mujtaba", "Ammar", "Qusay",
    ],
    female: &[
        "Fatima", "Amal", "Huda", "Layla", "Mariam", "Noor", "Rasha", "Salma", "Samar", "Yasmin",
        "Zeinab", "Dima", "Hiba", "Lina", "Reem", "Sahar", "Aya", "Bayan", "Doaa", "Israa", "Nada",
        "Ghada", "Souad", "Berivan", "Rojda", "Hevin", "Zozan", "Sara", "Maysa", "Widad",
        "Tasneem",
    ],
    family: &[
        "Al-Hamwi",
        "Haddad",
        "Khalil",
        "Najjar",
        "Sabbagh",
        "Shami",
        "Halabi",
        "Idlibi",
        "Masri",
        "Hamdan",
        "Othman",
        "Abboud",
        "Zein",
        "Barakat",
        "Mansour",
        "Awad",
        "Sweid",
        "Hijazi",
        "Rifai",
        "Jabali",
        "Shaker",
        "Dabbagh",
        "Ghanem",
        "Farhat",
        "Kassab",
        "Zoubi",
        "Hasso",
        "Sheikho",
        "Mamo",
        "Babiker",
        "Elamin",
        "Ishag",
        "Yagoub",
        "Abdelrahman",
        "Al-Obaidi",
        "Al-Jubouri",
        "Al-Ahdal",
        "Bamatraf",
    ],
    patronymic: false,
};

static PERSIAN: NameList = NameList {
    male: &[
        "Farid", "Habib", "Jawad", "Karim", "Mahmood", "Nasir", "Omid", "Reza", "Sohrab", "Wahid",
        "Zaker", "Bashir", "Hamed", "Javid", "Ehsan", "Mansour", "Sajjad", "Shafiq", "Naveed",
        "Arash", "Behnam", "Qasim",
    ],
    female: &[
        "Fatemeh", "Farzana", "Laila", "Maryam", "Nargis", "Parisa", "Roya", "Shirin", "Soraya",
        "Zahra", "Mina", "Nazanin", "Homa", "Taban", "Freshta", "Marzia", "Shabnam", "Hosai",
        "Sediqa", "Tahmina",
    ],
    family: &[
        "Ahmadi", "Rahimi", "Sadeghi", "Karimi", "Jafari", "Azizi", "Nazari", "Sultani", "Haidari",
        "Rezaei", "Noori", "Sharifi", "Amiri", "Hashemi", "Yousefi", "Safi", "Wardak", "Samadi",
        "Qaderi", "Nikzad", "Mohseni", "Faizi",
    ],
    patronymic: false,
};

static URDU: NameList = NameList {
    male: &[
        "Bilal", "Farhan", "Kashif", "Nadeem", "Usman", "Zeeshan", "Saad", "Waqas", "Adeel",
        "Tahir", "Junaid", "Asad", "Haris",
    ],
    female: &[
        "Ayesha", "Bushra", "Hina", "Mehwish", "Nida", "Rabia", "Saima", "Sana", "Amna", "Fiza",
        "Maham", "Uzma",
    ],
    family: &[
        "Butt", "Chaudhry", "Qureshi", "Siddiqui", "Rana", "Anwar", "Hashmi", "Shahzad",
        "Ahmadani", "Mahmood", "Latif", "Awan",
    ],
    patronymic: false,
};

static ROHINGYA: NameList = NameList {
    male: &[
        "Nur", "Mohammed", "Abdul", "Rashid", "Shafi", "Yasin", "Anwar", "Jubair", "Rafiq",
        "Sayed", "Ayub", "Faisal", "Hashim",
    ],
    female: &[
        "Rahima", "Jamalida", "Minara", "Rokeya", "Setara", "Kismat", "Nurjahan", "Hamida",
        "Shamima", "Tasmin", "Rashida", "Anowara", "Dildar",
    ],
    family: &[
        "Ullah", "Alam", "Amin", "Rafique", "Haque", "Jalal", "Hussain", "Kabir", "Shukur",
        "Zaman", "Hakim", "Siddique",
    ],
    patronymic: false,
};

static HORN: NameList = NameList {
    male: &[
        "Tesfay", "Yonas", "Dawit", "Mebrahtu", "Habtom", "Filmon", "Senai", "Aman", "Samuel",
        "Berhane", "Henok", "Robel", "Natnael", "Tekle", "Yohannes", "Mulugeta", "Biniam",
        "Merhawi", "Goitom", "Amanuel", "Eyob",
    ],
    female: &[
        "Selam", "Hiwet", "Saba", "Meron", "Rahwa", "Luwam", "Senait", "Winta", "Feven", "Tsega",
        "Azieb", "Freweyni", "Mekdes", "Almaz", "Eden", "Yordanos", "Ruta",
    ],
    family: &[
        "Tesfamariam",
        "Ghebremedhin",
        "Haile",
        "Kahsay",
        "Weldemichael",
        "Abraha",
        "Tekle",
        "Berhe",
        "Gebremariam",
        "Asmerom",
        "Habte",
        "Okbazghi",
        "Yemane",
        "Andemariam",
        "Kiflom",
        "Teklay",
        "Weldu",
        "Negash",
        "Tsegay",
    ],
    patronymic: true,
};

static SOMALI: NameList = NameList {
    male: &[
        "Abdirahman",
        "Hassan",
        "Mohamed",
        "Ahmed",
        "Abdikarim",
        "Yusuf",
        "Ismail",
        "Said",
        "Bashir",
        "Liban",
        "Mahad",
        "Khalid",
        "Abdiwali",
        "Abdirizak",
        "Mukhtar",
    ],
    female: &[
        "Hodan", "Ifrah", "Fardowsa", "Hibo", "Khadra", "Asha", "Sahra", "Nasteho", "Ubah",
        "Faadumo", "Deeqa", "Idil", "Sagal", "Muna", "Hamdi",
    ],
    family: &[
        "Warsame", "Jama", "Hersi", "Aden", "Nur", "Elmi", "Gedi", "Ismail", "Osman", "Guled",
        "Awale", "Abdille", "Muse", "Duale", "Roble",
    ],
    patronymic: true,
};

static SOUTH_SUDANESE: NameList = NameList {
    male: &[
        "Akech", "Majur", "Chol", "Kuol", "Manyang", "Mayen", "Atem", "Gatdet", "Gatluak", "Tut",
        "Ruai", "Jacob", "Peter", "Emmanuel", "Joseph", "Makuach", "Ngor",
    ],
    female: &[
        "Achol",
        "Abuk",
        "Nyaluak",
        "Nyakuoth",
        "Ayen",
        "Akuol",
        "Mary",
        "Grace",
        "Martha",
        "Elizabeth",
        "Nyabol",
        "Aluel",
        "Nyanchan",
        "Awut",
    ],
    family: &[
        "Deng", "Akol", "Majok", "Lual", "Ajak", "Chol", "Nyok", "Jok", "Malual", "Ater", "Makur",
        "Madut", "Kuany", "Gai", "Puok", "Mayom", "Bior", "Ayuen",
    ],
    patronymic: true,
};

static CENTRAL_AFRICAN: NameList = NameList {
    male: &[
        "Patrick",
        "Emmanuel",
        "Joseph",
        "Serge",
        "Alain",
        "Fiston",
        "Christian",
        "Didier",
        "Eric",
        "Olivier",
        "Blaise",
        "Dieudonné",
        "Espoir",
        "Prince",
        "Gloire",
        "Héritier",
        "Innocent",
        "Merveille",
        "Jonathan",
        "Bienvenu",
        "Trésor",
    ],
    female: &[
        "Chantal",
        "Esther",
        "Sifa",
        "Furaha",
        "Neema",
        "Aline",
        "Claudine",
        "Grâce",
        "Mireille",
        "Solange",
        "Françoise",
        "Rachel",
        "Josiane",
        "Nadine",
        "Odette",
        "Espérance",
        "Clarisse",
        "Divine",
        "Jolie",
        "Bora",
    ],
    family: &[
        "Mbuyi",
        "Ilunga",
        "Mulumba",
        "Kasongo",
        "Tshibanda",
        "Nsimba",
        "Ngoy",
        "Mwamba",
        "Kabeya",
        "Banza",
        "Kitenge",
        "Nzuzi",
        "Matondo",
        "Bahati",
        "Kayembe",
        "Lukusa",
        "Hakizimana",
        "Niyonkuru",
        "Irakoze",
        "Bigirimana",
        "Nzeyimana",
        "Ngaba",
        "Yakete",
        "Kossi",
        "Zoumaldé",
        "Ndzana",
    ],
    patronymic: false,
};

static SAHEL: NameList = NameList {
    male: &[
        "Moussa",
        "Boubacar",
        "Ousmane",
        "Hamidou",
        "Souleymane",
        "Mahamadou",
        "Issouf",
        "Aliou",
        "Abdoulaye",
        "Hamadoun",
    ],
    female: &[
        "Aminata",
        "Fatoumata",
        "Mariam",
        "Aïssata",
        "Kadiatou",
        "Hawa",
        "Oumou",
        "Safiatou",
        "Ramatou",
        "Assétou",
    ],
    family: &[
        "Dicko",
        "Haïdara",
        "Tamboura",
        "Guindo",
        "Samaké",
        "Ag Alhassane",
        "Walet Ahmed",
        "Bocoum",
        "Kassogué",
        "Tembely",
        "Ongoïba",
    ],
    patronymic: false,
};

#[cfg(test)]
mod tests {
    use super::*;
    use resettle_domain::CountryCode;

    const ALL: [NameGroup; 9] = [
        NameGroup::Arabic,
        NameGroup::Persian,
        NameGroup::Urdu,
        NameGroup::Rohingya,
        NameGroup::Horn,
        NameGroup::Somali,
        NameGroup::SouthSudanese,
        NameGroup::CentralAfrican,
        NameGroup::Sahel,
    ];

    #[test]
    fn every_group_has_names_of_each_kind() {
        for group in ALL {
            let n = group.names();
            assert!(n.male.len() >= 10 && n.female.len() >= 10 && n.family.len() >= 10);
        }
    }

    #[test]
    fn stateless_persons_are_named_by_where_they_live() {
        assert_eq!(
            NameGroup::of(Nationality::Stateless, "MYS"),
            NameGroup::Rohingya
        );
        assert_eq!(
            NameGroup::of(Nationality::Stateless, "LBN"),
            NameGroup::Arabic
        );
        let eri = CountryCode::parse("ERI").map(Nationality::Country);
        assert_eq!(eri.map(|n| NameGroup::of(n, "RWA")), Ok(NameGroup::Horn));
    }
}

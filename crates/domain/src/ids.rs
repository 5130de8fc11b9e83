//! Typed identifiers, so that the id of a case can never be passed where the id
//! of a person is expected. Time-ordered (UUID v7): the first 48 bits are the
//! creation time in milliseconds, then a counter seeded at random every
//! millisecond and 32 random bits, so new rows land at the end of every index
//! keyed by id instead of on a random page (a bulk import writes its index
//! pages once instead of reading and writing them back). An id is hard to
//! guess but not secret: access never rests on it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh id, later than every id this process made before.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }
            pub fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

typed_id!(
    /// Internal id of a case (never the UNHCR case number, which is personal data in a URL).
    CaseId
);
typed_id!(
    /// Internal id of a case member.
    PersonId
);
typed_id!(
    /// Id of a personal account.
    UserId
);
typed_id!(
    /// Id of an API token (not the token itself).
    TokenId
);
typed_id!(
    /// Id of a selection mission or of the dossier track.
    MissionId
);
typed_id!(
    /// Id of a country-policy note.
    PolicyNoteId
);
typed_id!(
    /// Id of a hold on departures.
    HoldId
);

//! Field-name-aware text: which kind of value a string field holds, decided from its name
//! the way the documented samples are, and a `fake` crate value of that kind.

use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use fake::Fake;
use fake::faker::address::en::{CityName, CountryCode, CountryName, PostCode, StreetName};
use fake::faker::company::en::{Buzzword, CatchPhrase, CompanyName};
use fake::faker::internet::en::{SafeEmail, Username};
use fake::faker::job::en::Title as JobTitle;
use fake::faker::lorem::en::Word;
use fake::faker::name::en::{FirstName, LastName, Name};
use fake::faker::phone_number::en::PhoneNumber;
use rand::RngExt;

use super::streams::GenRng;

/// What kind of text a string field holds, decided from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextKind {
    Email,
    Phone,
    Url,
    FirstName,
    LastName,
    FullName,
    UserName,
    City,
    Country,
    PostCode,
    Street,
    Description,
    JobTitle,
    Buzzword,
    Company,
    Word,
    /// An RFC 3339 date-time in a string the contract gives no format (`CreatedDate`).
    DateText,
    /// ISO 3166-1 alpha-2 (`NO`).
    CountryCode2,
    /// ISO 3166-1 alpha-3 (`NOR`).
    CountryCode3,
    /// Base64 of a few bytes (`format: byte`).
    Base64,
}

/// Every kind, in discriminant order (one value pool each).
pub(crate) const KINDS: [TextKind; 20] = [
    TextKind::Email,
    TextKind::Phone,
    TextKind::Url,
    TextKind::FirstName,
    TextKind::LastName,
    TextKind::FullName,
    TextKind::UserName,
    TextKind::City,
    TextKind::Country,
    TextKind::PostCode,
    TextKind::Street,
    TextKind::Description,
    TextKind::JobTitle,
    TextKind::Buzzword,
    TextKind::Company,
    TextKind::Word,
    TextKind::DateText,
    TextKind::CountryCode2,
    TextKind::CountryCode3,
    TextKind::Base64,
];

/// ISO 3166-1 alpha-3 codes of the countries the pages' samples come from and their
/// neighbours (a pool to pick from; any well-formed code will do).
const ALPHA3: [&str; 32] = [
    "NOR", "SWE", "DNK", "FIN", "ISL", "DEU", "NLD", "BEL", "LUX", "FRA", "GBR", "IRL", "ESP",
    "PRT", "ITA", "CHE", "AUT", "POL", "CZE", "EST", "LVA", "LTU", "USA", "CAN", "MEX", "BRA",
    "ARG", "JPN", "CHN", "IND", "AUS", "NZL",
];

impl TextKind {
    /// The kind a field name says (for a generic holder such as `Value`, the caller passes
    /// the name with its context: `EmailValue` for `Emails[].Value`).
    pub(crate) fn of(field: &str) -> Self {
        let f = field.to_ascii_lowercase();
        let has = |w: &str| f.contains(w);
        if has("twoletteriso") {
            TextKind::CountryCode2
        } else if has("threeletteriso") {
            TextKind::CountryCode3
        } else if is_date_name(&f) {
            TextKind::DateText
        } else if has("email") {
            TextKind::Email
        } else if has("phone") || has("fax") || has("mobile") {
            TextKind::Phone
        } else if has("url") || has("website") || has("link") || has("href") {
            TextKind::Url
        } else if has("firstname") || f == "middlename" {
            TextKind::FirstName
        } else if has("lastname") {
            TextKind::LastName
        } else if has("fullname") || has("formalname") || f == "personname" || f == "associatename"
        {
            TextKind::FullName
        } else if f == "username" || f == "nickname" {
            TextKind::UserName
        } else if has("city") {
            TextKind::City
        } else if has("country") {
            TextKind::Country
        } else if has("zip") || has("postcode") || has("postalcode") {
            TextKind::PostCode
        } else if has("street") || has("address") {
            TextKind::Street
        } else if has("description") || has("comment") || has("tooltip") || has("note") {
            TextKind::Description
        } else if f == "title" || f == "position" || f == "jobtitle" {
            TextKind::JobTitle
        } else if has("department") || has("business") || has("category") {
            TextKind::Buzzword
        } else if f == "name" || f.ends_with("name") {
            TextKind::Company
        } else {
            TextKind::Word
        }
    }

    /// Whether `field` says exactly what its value is (an address, a number, a code, a date:
    /// the name ends with what it holds), so that the name beats values merely seen in
    /// samples (`SenderEmail` is an address; `SenderEmailMode` is not).
    pub(crate) fn is_specific(field: &str) -> bool {
        let f = field.to_ascii_lowercase();
        let ends = |words: &[&str]| words.iter().any(|w| f.ends_with(w));
        match Self::of(field) {
            TextKind::CountryCode2 | TextKind::CountryCode3 | TextKind::DateText => true,
            TextKind::Email => ends(&["email", "emailaddress", "emailvalue"]),
            TextKind::Phone => ends(&["phone", "fax", "mobile", "phonenumber", "phonevalue"]),
            TextKind::Url => ends(&["url", "urlvalue", "website"]),
            _ => false,
        }
    }

    /// A value of this kind.
    pub(crate) fn sample(self, rng: &mut GenRng) -> String {
        match self {
            TextKind::DateText => date_time(rng),
            TextKind::CountryCode2 => CountryCode().fake_with_rng(rng),
            TextKind::CountryCode3 => ALPHA3[rng.random_range(0..ALPHA3.len())].to_string(),
            TextKind::Base64 => {
                let bytes: Vec<u8> = (0..rng.random_range(3..24)).map(|_| rng.random()).collect();
                base64::engine::general_purpose::STANDARD.encode(bytes)
            }
            TextKind::Email => SafeEmail().fake_with_rng(rng),
            TextKind::Phone => PhoneNumber().fake_with_rng(rng),
            TextKind::Url => {
                let word: String = Word().fake_with_rng(rng);
                format!("https://www.example.com/{word}")
            }
            TextKind::FirstName => FirstName().fake_with_rng(rng),
            TextKind::LastName => LastName().fake_with_rng(rng),
            TextKind::FullName => Name().fake_with_rng(rng),
            TextKind::UserName => Username().fake_with_rng(rng),
            TextKind::City => CityName().fake_with_rng(rng),
            TextKind::Country => CountryName().fake_with_rng(rng),
            TextKind::PostCode => PostCode().fake_with_rng(rng),
            TextKind::Street => StreetName().fake_with_rng(rng),
            TextKind::Description => CatchPhrase().fake_with_rng(rng),
            TextKind::JobTitle => JobTitle().fake_with_rng(rng),
            TextKind::Buzzword => Buzzword().fake_with_rng(rng),
            TextKind::Company => CompanyName().fake_with_rng(rng),
            TextKind::Word => Word().fake_with_rng(rng),
        }
    }
}

/// Whether a (lower-case) name says it holds a date: `...date`, `...datetime`, `created`,
/// `updated`, `registered`, `lastmodified`, `lastchanged`.
fn is_date_name(name: &str) -> bool {
    name.ends_with("date")
        || name.ends_with("datetime")
        || matches!(
            name,
            "created" | "updated" | "registered" | "modified" | "lastmodified" | "lastchanged"
        )
}

/// A plausible RFC 3339 date-time between 1995 and 2030.
pub(crate) fn date_time(rng: &mut GenRng) -> String {
    let secs = rng.random_range(788_918_400_i64..1_893_456_000);
    DateTime::<Utc>::from_timestamp(secs, 0)
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_else(|| "2020-01-01T00:00:00Z".to_string())
}

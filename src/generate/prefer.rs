//! `Prefer` as clients send it (`example=true`, `code=404`, `dynamic=true`, `slow=true`).

use super::PreferRefusal;
use crate::http::ErrorKind;

/// What the client asked for with `Prefer`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Prefer {
    /// `example=true`: the documented sample response verbatim.
    pub(crate) example: bool,
    /// `code=N`: that documented status.
    pub(crate) code: Option<u16>,
    /// `slow=true`: delay by the page's NsApiSlow threshold.
    pub(crate) slow: bool,
}

impl Prefer {
    /// Parses every `Prefer` header value (`example=true, code=404`).
    pub(crate) fn parse<'a>(values: impl Iterator<Item = &'a str>) -> Result<Self, PreferRefusal> {
        let mut prefer = Prefer::default();
        for item in values.flat_map(|v| v.split([',', ';'])) {
            let (key, value) = item.split_once('=').unwrap_or((item, "true"));
            let value = value.trim().trim_matches('"');
            match key.trim().to_ascii_lowercase().as_str() {
                "example" => prefer.example = value.eq_ignore_ascii_case("true"),
                "dynamic" => prefer.example &= !value.eq_ignore_ascii_case("true"),
                "slow" => prefer.slow = value.eq_ignore_ascii_case("true"),
                "code" => {
                    prefer.code = Some(value.parse().map_err(|_| PreferRefusal {
                        kind: ErrorKind::InvalidPrefer,
                        message: format!("Prefer code=`{value}` is not a status code"),
                    })?)
                }
                _ => {}
            }
        }
        Ok(prefer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefer_parsing() {
        let p = Prefer::parse(["example=true", "code=404"].into_iter()).expect("parses");
        assert_eq!(
            p,
            Prefer {
                example: true,
                code: Some(404),
                slow: false
            }
        );
        assert!(Prefer::parse(["code=abc"].into_iter()).is_err());
    }
}

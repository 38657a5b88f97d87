//! The credential check of a request's head: a scheme the API profile lists (what the
//! pages' `Authorization` row names) with a value of the form that scheme has (`Basic`
//! base64 of `user:password`, any other a non-empty value), or a header the profile says
//! stands for credentials (`X-XSRF-TOKEN`). Without `--credentials` any such value is
//! accepted (the mock knows no users); with it, only the values listed.

use base64::engine::general_purpose::STANDARD;
use base64::{DecodeSliceError, Engine};

use super::Rejection;
use crate::contract::profile::ApiProfile;
use crate::http::ErrorKind;

/// The scheme whose value is base64 of `user:password` (RFC 7617).
const BASIC: &str = "basic";

/// 401 unless `Authorization` carries well-formed credentials of a scheme the profile
/// lists, or `standing` (a header the profile says stands for credentials, and its value)
/// is given; when `accepted` lists credentials (`--credentials`), only those.
pub(crate) fn check_auth(
    profile: &ApiProfile,
    authorization: Option<&str>,
    standing: Option<(&str, &str)>,
    accepted: &[String],
) -> Result<(), Rejection> {
    // Named only in a refusal: the accepted path allocates nothing for it.
    let schemes = || profile.auth_schemes.value.join(", ");
    if let Some((header, token)) = standing
        .map(|(h, t)| (h, t.trim()))
        .filter(|(_, t)| !t.is_empty())
    {
        let header = header.to_ascii_lowercase();
        if accepted.is_empty() || accepted.iter().any(|a| same(a, &header, token)) {
            return Ok(());
        }
        if authorization.is_none() {
            return Err(unauthorized(format!(
                "unknown {header}: this mock accepts only the credentials given to --credentials"
            )));
        }
    }
    let Some(auth) = authorization else {
        let standing = &profile.credential_headers.value;
        let or = if standing.is_empty() {
            String::new()
        } else {
            format!(" or a {} header", standing.join(" or "))
        };
        return Err(unauthorized(format!(
            "missing credentials: send `Authorization: <scheme> ...` with a scheme of {}{or}",
            schemes()
        )));
    };
    let (scheme, credentials) = split(auth);
    if !profile.takes_scheme(scheme) {
        return Err(unauthorized(format!(
            "unsupported Authorization scheme `{scheme}`: use {}",
            schemes()
        )));
    }
    if credentials.is_empty() {
        return Err(unauthorized(format!(
            "empty `{scheme}` credentials: send a value after the scheme"
        )));
    }
    if scheme.eq_ignore_ascii_case(BASIC) && !is_user_password(credentials) {
        return Err(unauthorized(
            "malformed Basic credentials: send base64 of `user:password`".into(),
        ));
    }
    if !accepted.is_empty() && !accepted.iter().any(|a| same(a, scheme, credentials)) {
        return Err(unauthorized(format!(
            "unknown `{scheme}` credentials: this mock accepts only the credentials given to --credentials"
        )));
    }
    Ok(())
}

/// Why a `--credentials` value is refused (on the command line, before the mock starts).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CredentialError {
    /// Neither `SCHEME VALUE` nor `HEADER VALUE`.
    #[error(
        "`{0}`: expected `SCHEME VALUE` (`Basic <base64 of user:password>`, `Bearer TOKEN`) or `HEADER VALUE` (`X-XSRF-TOKEN TOKEN`)"
    )]
    Form(String),
    /// A Basic value that is not base64 of `user:password`.
    #[error("`{0}`: a Basic value is base64 of `user:password` (e.g. `Basic dGplMDpUamUw`)")]
    Basic(String),
}

/// Checks one `--credentials` value: a scheme (or a header name such as `X-XSRF-TOKEN`)
/// and a value of its form. Which schemes the API takes is the profile's to say, when a
/// request comes.
pub(crate) fn accepted_credential(value: &str) -> Result<String, CredentialError> {
    let (scheme, credentials) = split(value);
    let token = !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !token || credentials.is_empty() {
        return Err(CredentialError::Form(value.to_string()));
    }
    if scheme.eq_ignore_ascii_case(BASIC) && !is_user_password(credentials) {
        return Err(CredentialError::Basic(value.to_string()));
    }
    Ok(value.trim().to_string())
}

/// A credentials value as (scheme, in the case written; value).
fn split(text: &str) -> (&str, &str) {
    let mut parts = text.trim().splitn(2, ' ');
    let scheme = parts.next().unwrap_or_default();
    (scheme, parts.next().unwrap_or_default().trim())
}

/// Whether the accepted value `accepted` is `scheme` with `credentials` (the scheme in any
/// case, the value exactly).
fn same(accepted: &str, scheme: &str, credentials: &str) -> bool {
    let (own_scheme, own) = split(accepted);
    own_scheme.eq_ignore_ascii_case(scheme) && own == credentials
}

/// Whether `credentials` is base64 (RFC 4648, padded) of UTF-8 text holding a `:`.
fn is_user_password(credentials: &str) -> bool {
    let holds_colon = |bytes: &[u8]| std::str::from_utf8(bytes).is_ok_and(|t| t.contains(':'));
    // Decoded on the stack (every request with Basic credentials comes here); a longer
    // value than the buffer holds is decoded on the heap.
    let mut buffer = [0u8; 384];
    match STANDARD.decode_slice(credentials, &mut buffer) {
        Ok(len) => holds_colon(&buffer[..len]),
        Err(DecodeSliceError::OutputSliceTooSmall) => STANDARD
            .decode(credentials)
            .is_ok_and(|bytes| holds_colon(&bytes)),
        Err(DecodeSliceError::DecodeError(_)) => false,
    }
}

fn unauthorized(message: String) -> Rejection {
    Rejection::new(ErrorKind::Unauthorized, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(authorization: Option<&str>, xsrf: Option<&str>) -> u16 {
        let profile = ApiProfile::default();
        check_auth(&profile, authorization, xsrf.map(|x| (XSRF, x)), &[])
            .map_or_else(|r| r.status(), |()| 200)
    }

    const XSRF: &str = "X-XSRF-TOKEN";

    #[test]
    fn basic_must_be_base64_of_user_and_password() {
        assert_eq!(status(Some("Basic dGplMDpUamUw"), None), 200); // tje0:Tje0
        assert_eq!(status(Some("basic dGplMDpUamUw"), None), 200);
        assert_eq!(status(Some("Basic invalid"), None), 401); // not base64
        assert_eq!(status(Some("Basic dGplMA=="), None), 401); // `tje0`: no colon
        assert_eq!(status(Some("Basic /w=="), None), 401); // not UTF-8
        assert_eq!(status(Some("Basic "), None), 401);
        assert_eq!(status(Some("BASIC dGplMDpUamUw"), None), 200);
        // Longer than the stack buffer: decoded on the heap, with the same verdicts.
        let long = STANDARD.encode(format!("{}:pw", "u".repeat(1000)));
        assert_eq!(status(Some(&format!("Basic {long}")), None), 200);
        let no_colon = STANDARD.encode("u".repeat(1000));
        assert_eq!(status(Some(&format!("Basic {no_colon}")), None), 401);
    }

    #[test]
    fn bearer_and_soticket_need_a_value() {
        assert_eq!(status(Some("Bearer abc.def"), None), 200);
        assert_eq!(status(Some("SoTicket 7T:abc"), None), 200);
        assert_eq!(status(Some("Bearer"), None), 401);
        assert_eq!(status(Some("SoTicket   "), None), 401);
        assert_eq!(status(Some("Digest abc"), None), 401);
        assert_eq!(status(None, None), 401);
    }

    #[test]
    fn an_xsrf_token_stands_for_credentials() {
        assert_eq!(status(None, Some("token")), 200);
        assert_eq!(status(Some("Basic invalid"), Some("token")), 200);
        assert_eq!(status(None, Some(" ")), 401);
    }

    #[test]
    fn the_error_says_what_is_wrong() {
        let Err(rejection) = check_auth(&ApiProfile::default(), Some("Basic invalid"), None, &[])
        else {
            panic!("accepted malformed Basic credentials");
        };
        assert_eq!(rejection.kind.error_type(), "Unauthorized");
        assert!(
            rejection.message.contains("user:password"),
            "{}",
            rejection.message
        );
    }

    #[test]
    fn listed_credentials_are_the_only_ones_accepted() {
        let accepted = [
            "Basic dGplMDpUamUw".to_string(),
            "X-XSRF-TOKEN t0k3n".to_string(),
        ];
        let profile = ApiProfile::default();
        let status = |authorization, xsrf: Option<&str>| {
            check_auth(&profile, authorization, xsrf.map(|x| (XSRF, x)), &accepted)
                .map_or_else(|r| r.status(), |()| 200)
        };
        assert_eq!(status(Some("basic dGplMDpUamUw"), None), 200);
        assert_eq!(status(None, Some("t0k3n")), 200);
        // Well-formed, but not listed (what a fuzzer's invalid-credentials probe sends).
        let other = format!("Basic {}", STANDARD.encode("someone:else"));
        assert_eq!(status(Some(other.as_str()), None), 401);
        assert_eq!(status(Some("Bearer abc"), None), 401);
        assert_eq!(status(None, Some("other")), 401);
        // A wrong token beside listed credentials: the credentials decide.
        assert_eq!(status(Some("Basic dGplMDpUamUw"), Some("other")), 200);
    }

    #[test]
    fn credentials_flags_are_checked() {
        assert!(accepted_credential("Basic dGplMDpUamUw").is_ok());
        assert!(accepted_credential("Bearer abc").is_ok());
        assert!(accepted_credential("X-XSRF-TOKEN abc").is_ok());
        assert_eq!(
            accepted_credential("Basic invalid"),
            Err(CredentialError::Basic("Basic invalid".into()))
        );
        assert!(accepted_credential("Bearer").is_err());
        assert!(accepted_credential("tje0:Tje0").is_err());
        assert!(
            accepted_credential("Digest abc").is_ok(),
            "the profile judges schemes"
        );
    }
}

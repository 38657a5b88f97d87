//! The credential check of a request's head: a documented scheme with a value of the form
//! that scheme has (`Basic` base64 of `user:password`, a non-empty `Bearer` or `SoTicket`
//! value), or an `X-XSRF-TOKEN`. Without `--credentials` any such value is accepted (the
//! mock knows no users); with it, only the values listed.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::Rejection;

/// Documented auth schemes.
const AUTH_SCHEMES: [&str; 3] = ["basic", "soticket", "bearer"];
/// The header that stands for credentials taken from a cookie.
const XSRF: &str = "x-xsrf-token";

/// 401 unless `Authorization` carries well-formed credentials of a documented scheme or
/// `X-XSRF-TOKEN` is present; when `accepted` lists credentials (`--credentials`), only
/// those.
pub(crate) fn check_auth(
    authorization: Option<&str>,
    xsrf: Option<&str>,
    accepted: &[String],
) -> Result<(), Rejection> {
    if let Some(token) = xsrf.map(str::trim).filter(|t| !t.is_empty()) {
        if accepted.is_empty() || accepted.iter().any(|a| same(a, XSRF, token)) {
            return Ok(());
        }
        if authorization.is_none() {
            return Err(unauthorized(
                "unknown X-XSRF-TOKEN: this mock accepts only the credentials given to --credentials".into(),
            ));
        }
    }
    let Some(auth) = authorization else {
        return Err(unauthorized(
            "missing credentials: send `Authorization: Basic|SoTicket|Bearer ...` or an X-XSRF-TOKEN header".into(),
        ));
    };
    let (scheme, credentials) = split(auth);
    if !AUTH_SCHEMES.contains(&scheme.as_str()) {
        return Err(unauthorized(format!(
            "unsupported Authorization scheme `{scheme}`: use Basic, SoTicket or Bearer"
        )));
    }
    if credentials.is_empty() {
        return Err(unauthorized(format!(
            "empty `{scheme}` credentials: send a value after the scheme"
        )));
    }
    if scheme == "basic" && !is_user_password(credentials) {
        return Err(unauthorized(
            "malformed Basic credentials: send base64 of `user:password`".into(),
        ));
    }
    if !accepted.is_empty() && !accepted.iter().any(|a| same(a, &scheme, credentials)) {
        return Err(unauthorized(format!(
            "unknown `{scheme}` credentials: this mock accepts only the credentials given to --credentials"
        )));
    }
    Ok(())
}

/// Checks one `--credentials` value: a documented scheme (or `X-XSRF-TOKEN`) and a value
/// of its form.
pub(crate) fn accepted_credential(value: &str) -> Result<String, String> {
    let (scheme, credentials) = split(value);
    let known = AUTH_SCHEMES.contains(&scheme.as_str()) || scheme == XSRF;
    if !known || credentials.is_empty() {
        return Err(format!(
            "`{value}`: expected `Basic <base64 of user:password>`, `Bearer TOKEN`, `SoTicket TICKET` or `X-XSRF-TOKEN TOKEN`"
        ));
    }
    if scheme == "basic" && !is_user_password(credentials) {
        return Err(format!(
            "`{value}`: a Basic value is base64 of `user:password` (e.g. `Basic dGplMDpUamUw`)"
        ));
    }
    Ok(value.trim().to_string())
}

/// A credentials value as (lower-case scheme, value).
fn split(text: &str) -> (String, &str) {
    let mut parts = text.trim().splitn(2, ' ');
    let scheme = parts.next().unwrap_or_default().to_ascii_lowercase();
    (scheme, parts.next().unwrap_or_default().trim())
}

/// Whether the accepted value `accepted` is `scheme` with `credentials` (the scheme in any
/// case, the value exactly).
fn same(accepted: &str, scheme: &str, credentials: &str) -> bool {
    let (own_scheme, own) = split(accepted);
    own_scheme == scheme && own == credentials
}

/// Whether `credentials` is base64 (RFC 4648, padded) of UTF-8 text holding a `:`.
fn is_user_password(credentials: &str) -> bool {
    STANDARD
        .decode(credentials)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .is_some_and(|text| text.contains(':'))
}

fn unauthorized(message: String) -> Rejection {
    Rejection::new(401, "Unauthorized", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(authorization: Option<&str>, xsrf: Option<&str>) -> u16 {
        check_auth(authorization, xsrf, &[]).map_or_else(|r| r.status, |()| 200)
    }

    #[test]
    fn basic_must_be_base64_of_user_and_password() {
        assert_eq!(status(Some("Basic dGplMDpUamUw"), None), 200); // tje0:Tje0
        assert_eq!(status(Some("basic dGplMDpUamUw"), None), 200);
        assert_eq!(status(Some("Basic invalid"), None), 401); // not base64
        assert_eq!(status(Some("Basic dGplMA=="), None), 401); // `tje0`: no colon
        assert_eq!(status(Some("Basic /w=="), None), 401); // not UTF-8
        assert_eq!(status(Some("Basic "), None), 401);
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
        let Err(rejection) = check_auth(Some("Basic invalid"), None, &[]) else {
            panic!("accepted malformed Basic credentials");
        };
        assert_eq!(rejection.error_type, "Unauthorized");
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
        let status = |authorization, xsrf| {
            check_auth(authorization, xsrf, &accepted).map_or_else(|r| r.status, |()| 200)
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
        assert!(accepted_credential("Basic invalid").is_err());
        assert!(accepted_credential("Bearer").is_err());
        assert!(accepted_credential("tje0:Tje0").is_err());
    }
}

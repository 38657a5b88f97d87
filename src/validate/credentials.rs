//! The credential check of a request's head: a documented scheme with a value of the form
//! that scheme has (`Basic` base64 of `user:password`, a non-empty `Bearer` or `SoTicket`
//! value), or an `X-XSRF-TOKEN`. Any such value is accepted: the mock knows no users.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::Rejection;

/// Documented auth schemes.
const AUTH_SCHEMES: [&str; 3] = ["basic", "soticket", "bearer"];

/// 401 unless `Authorization` carries well-formed credentials of a documented scheme or
/// `X-XSRF-TOKEN` is present.
pub(crate) fn check_auth(authorization: Option<&str>, xsrf: Option<&str>) -> Result<(), Rejection> {
    if xsrf.is_some_and(|t| !t.trim().is_empty()) {
        return Ok(());
    }
    let Some(auth) = authorization else {
        return Err(unauthorized(
            "missing credentials: send `Authorization: Basic|SoTicket|Bearer ...` or an X-XSRF-TOKEN header".into(),
        ));
    };
    let mut parts = auth.trim().splitn(2, ' ');
    let scheme = parts.next().unwrap_or_default().to_ascii_lowercase();
    let credentials = parts.next().unwrap_or_default().trim();
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
    Ok(())
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
        check_auth(authorization, xsrf).map_or_else(|r| r.status, |()| 200)
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
        let Err(rejection) = check_auth(Some("Basic invalid"), None) else {
            panic!("accepted malformed Basic credentials");
        };
        assert_eq!(rejection.error_type, "Unauthorized");
        assert!(
            rejection.message.contains("user:password"),
            "{}",
            rejection.message
        );
    }
}

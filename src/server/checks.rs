//! The request checks the mock runs before a body is read (credentials, path and query
//! parameters), shared by the routed answer and by stubs that ask for `"validate": true`.

use hyper::header::AUTHORIZATION;
use hyper::http::request::Parts;

use super::state::{MockState, Prepared};
use crate::validate::{self, Rejection};

/// The checks of a routed request before its body: credentials (unless `--no-auth`), then
/// the path and query parameters.
pub(super) fn credentials_and_params(
    state: &MockState,
    prepared: &Prepared,
    parts: &Parts,
    path_params: &[(String, String)],
    query: &[(String, String)],
) -> Result<(), Rejection> {
    if state.config.auth {
        let authorization = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        // The first header the profile says stands for credentials (`X-XSRF-TOKEN`).
        let standing = state
            .profile
            .credential_headers
            .value
            .iter()
            .find_map(|name| {
                let value = parts.headers.get(name.as_str())?.to_str().ok()?;
                Some((name.as_str(), value))
            });
        validate::check_auth(
            &state.profile,
            authorization,
            standing,
            &state.config.credentials,
        )?;
    }
    let found = prepared.check.params(path_params, query);
    if found.total() > 0 {
        return Err(Rejection::violated("request parameters break", found));
    }
    Ok(())
}

//! Every kind of refusal the mock and the proxy answer, each with its HTTP status and the
//! `ErrorType` of its body: the one place those pairs are written. The bodies themselves
//! are rendered in [`super::error`].

/// A kind of refusal: what went wrong, so which status and `ErrorType` answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(test, derive(strum::EnumIter))]
#[non_exhaustive]
pub(crate) enum ErrorKind {
    /// 400 `BadRequest`: a request the HTTP layer refuses before any route (a Host that
    /// cannot be a DNS name).
    BadRequest,
    /// 400 `ValidationError`: a request (or an entity to store, or a JSON Patch) that
    /// breaks the contract in the places its violations list.
    ValidationError,
    /// 400 `InvalidJson`: a body (an API body, a patch, an admin body) that is not JSON.
    InvalidJson,
    /// 400 `InvalidXml`: an XML body that is not well-formed.
    InvalidXml,
    /// 400 `InvalidBody`: a body that is not UTF-8, or whose connection broke off.
    InvalidBody,
    /// 400 `MissingBody`: no body where the operation requires one.
    MissingBody,
    /// 400 `InvalidPatch`: a patch that is neither a JSON Patch nor a merge patch, or
    /// cannot be applied.
    InvalidPatch,
    /// 400 `InvalidPrefer`: a `Prefer` header the mock cannot read (`code=abc`, an
    /// unknown `fault=`).
    InvalidPrefer,
    /// 400 `NoExample`: `Prefer: example=true` for an operation without a sample answer.
    NoExample,
    /// 400 `UndocumentedStatus`: `Prefer: code=` a status the page does not document.
    UndocumentedStatus,
    /// 400 `InvalidQuery`: an admin query parameter of the wrong form.
    InvalidQuery,
    /// 400 `InvalidMatch`: an admin journal search whose body is not a matcher.
    InvalidMatch,
    /// 400 `InvalidPath`: a path the proxy will not forward (a `.` or `..` segment).
    InvalidPath,
    /// 400 `InvalidStub`: JSON given to the admin API that is not a stub.
    InvalidStub,
    /// 400 `StubBreaksContract`: a stub the contract cannot hold.
    StubBreaksContract,
    /// 400 `StateInvalid`: a state document given to the admin API that is not one.
    StateInvalid,
    /// 400 `Conflict`: a JSON Patch `test` failed on an operation whose page documents
    /// no 409 (the same `ErrorType` as [`ErrorKind::Conflict`], at the status the page has).
    ConflictUndocumented,
    /// 401 `Unauthorized`: no credentials, or not the accepted ones (API or admin routes).
    Unauthorized,
    /// 403 `Forbidden`: an admin request to a host that could be DNS-rebound.
    Forbidden,
    /// 404 `NotFound`: no route, no stub, no entity (deleted), no fallback mock, no
    /// explorer document.
    NotFound,
    /// 405 `MethodNotAllowed`: a method the path (or admin route) does not take.
    MethodNotAllowed,
    /// 406 `NotAcceptable`: an `Accept` the mock cannot answer in.
    NotAcceptable,
    /// 408 `RequestTimeout`: a request body that did not arrive in time.
    RequestTimeout,
    /// 409 `Conflict`: a JSON Patch `test` failed on an operation documenting 409.
    Conflict,
    /// 413 `PayloadTooLarge`: a request body over `--max-body-bytes`.
    PayloadTooLarge,
    /// 413 `BodyTooComplex`: a body whose check took more than `--body-cpu-ms`.
    BodyTooComplex,
    /// 413 `TooManyFields`: a body with more fields than `--max-fields`.
    TooManyFields,
    /// 415 `UnsupportedMediaType`: a `Content-Type` the operation does not document.
    UnsupportedMediaType,
    /// 500 `InternalError`: a check that did not finish.
    InternalError,
    /// 500 `InjectedFault`: the `error` fault on an operation documenting no error status.
    InjectedFault,
    /// 500 `StateInvalid`: the state store holds what does not read back as state (the
    /// same `ErrorType` as [`ErrorKind::StateInvalid`], the server's fault this time).
    StateCorrupt,
    /// 502 `BadGateway`: the upstream (or the fallback mock) failed or broke off.
    BadGateway,
    /// 503 `StateUnavailable`: the state store cannot be reached.
    StateUnavailable,
    /// 503 `TooManyConnections`: a connection over `--max-connections`.
    TooManyConnections,
    /// 503 `TooManyHeldFaults`: a `timeout`/`drip` fault with every held place taken.
    TooManyHeldFaults,
    /// 504 `GatewayTimeout`: the upstream gave no (whole) answer in time.
    GatewayTimeout,
    /// 507 `StateFull`: the state store is full; nothing was stored.
    StateFull,
}

impl ErrorKind {
    /// The HTTP status that answers this kind.
    pub(crate) fn status(self) -> u16 {
        use ErrorKind::*;
        match self {
            BadRequest | ValidationError | InvalidJson | InvalidXml | InvalidBody | MissingBody
            | InvalidPatch | InvalidPrefer | NoExample | UndocumentedStatus | InvalidQuery
            | InvalidMatch | InvalidPath | InvalidStub | StubBreaksContract | StateInvalid
            | ConflictUndocumented => 400,
            Unauthorized => 401,
            Forbidden => 403,
            NotFound => 404,
            MethodNotAllowed => 405,
            NotAcceptable => 406,
            RequestTimeout => 408,
            Conflict => 409,
            PayloadTooLarge | BodyTooComplex | TooManyFields => 413,
            UnsupportedMediaType => 415,
            InternalError | InjectedFault | StateCorrupt => 500,
            BadGateway => 502,
            StateUnavailable | TooManyConnections | TooManyHeldFaults => 503,
            GatewayTimeout => 504,
            StateFull => 507,
        }
    }

    /// The `ErrorType` of the error body.
    pub(crate) fn error_type(self) -> &'static str {
        use ErrorKind::*;
        match self {
            BadRequest => "BadRequest",
            ValidationError => "ValidationError",
            InvalidJson => "InvalidJson",
            InvalidXml => "InvalidXml",
            InvalidBody => "InvalidBody",
            MissingBody => "MissingBody",
            InvalidPatch => "InvalidPatch",
            InvalidPrefer => "InvalidPrefer",
            NoExample => "NoExample",
            UndocumentedStatus => "UndocumentedStatus",
            InvalidQuery => "InvalidQuery",
            InvalidMatch => "InvalidMatch",
            InvalidPath => "InvalidPath",
            InvalidStub => "InvalidStub",
            StubBreaksContract => "StubBreaksContract",
            StateInvalid | StateCorrupt => "StateInvalid",
            Conflict | ConflictUndocumented => "Conflict",
            Unauthorized => "Unauthorized",
            Forbidden => "Forbidden",
            NotFound => "NotFound",
            MethodNotAllowed => "MethodNotAllowed",
            NotAcceptable => "NotAcceptable",
            RequestTimeout => "RequestTimeout",
            PayloadTooLarge => "PayloadTooLarge",
            BodyTooComplex => "BodyTooComplex",
            TooManyFields => "TooManyFields",
            UnsupportedMediaType => "UnsupportedMediaType",
            InternalError => "InternalError",
            InjectedFault => "InjectedFault",
            BadGateway => "BadGateway",
            StateUnavailable => "StateUnavailable",
            TooManyConnections => "TooManyConnections",
            TooManyHeldFaults => "TooManyHeldFaults",
            GatewayTimeout => "GatewayTimeout",
            StateFull => "StateFull",
        }
    }
}

/// An error that ends up as an HTTP answer: the kind that says its status and `ErrorType`.
/// Implemented by [`ErrorKind`] itself and by the rooms' errors that are answered.
pub(crate) trait ApiError {
    /// The kind of refusal this is ([`ErrorKind::status`], [`ErrorKind::error_type`]).
    fn kind(&self) -> ErrorKind;
}

impl ApiError for ErrorKind {
    fn kind(&self) -> ErrorKind {
        *self
    }
}

impl<T: ApiError + ?Sized> ApiError for &T {
    fn kind(&self) -> ErrorKind {
        (**self).kind()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use strum::IntoEnumIterator;

    use super::ErrorKind;

    #[test]
    fn every_kind_has_an_error_status_and_its_own_error_type() {
        let mut seen: BTreeMap<&str, Vec<ErrorKind>> = BTreeMap::new();
        for kind in ErrorKind::iter() {
            assert!(
                (400..600).contains(&kind.status()),
                "{kind:?} answers {}",
                kind.status()
            );
            seen.entry(kind.error_type()).or_default().push(kind);
        }
        // The two documented pairs: one `ErrorType` at the status its situation has.
        let shared = [
            (
                "Conflict",
                vec![ErrorKind::ConflictUndocumented, ErrorKind::Conflict],
            ),
            (
                "StateInvalid",
                vec![ErrorKind::StateInvalid, ErrorKind::StateCorrupt],
            ),
        ];
        for (error_type, kinds) in &seen {
            match shared.iter().find(|(name, _)| name == error_type) {
                Some((_, pair)) => {
                    assert_eq!(kinds, pair);
                    assert_ne!(pair[0].status(), pair[1].status());
                }
                None => assert_eq!(kinds.len(), 1, "{error_type} is shared by {kinds:?}"),
            }
        }
        assert_eq!(seen.len(), ErrorKind::iter().count() - shared.len());
    }

    #[test]
    fn kinds_keep_the_statuses_the_answers_had() {
        use ErrorKind::*;
        let pairs = [
            (NotFound, 404, "NotFound"),
            (MethodNotAllowed, 405, "MethodNotAllowed"),
            (ValidationError, 400, "ValidationError"),
            (PayloadTooLarge, 413, "PayloadTooLarge"),
            (StateFull, 507, "StateFull"),
            (StateCorrupt, 500, "StateInvalid"),
            (ConflictUndocumented, 400, "Conflict"),
            (GatewayTimeout, 504, "GatewayTimeout"),
        ];
        for (kind, status, error_type) in pairs {
            assert_eq!((kind.status(), kind.error_type()), (status, error_type));
        }
    }
}

//! mockdown's way into `jsonschema`: the same types and calls, behind functions that are not
//! generic.
//!
//! `jsonschema`'s compiler and keyword validators are generic over the JSON flavour, so every
//! crate that calls `options().build()` or `Validator::is_valid` builds its own copy of all of
//! them, at its own opt-level. Called from mockdown, that copy (a sixth of mockdown's code)
//! was optimised at opt-level 3 on the longest path of the build. Called from here, the calls
//! are made once, and under the `quick` profile (this crate and `jsonschema` at opt-level 1,
//! which shares generic code between crates) they reuse the copy `jsonschema` already built.
//! Under `release` fat LTO makes one program of it all, as before.

use serde_json::Value;

pub use jsonschema::{Draft, ErrorIterator, Registry, ValidationError};

/// A compiled schema ([`jsonschema::Validator`]).
#[derive(Clone)]
pub struct Validator(jsonschema::Validator);

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Validator {
    /// Whether `instance` is valid ([`jsonschema::Validator::is_valid`]).
    #[must_use]
    pub fn is_valid(&self, instance: &Value) -> bool {
        self.0.is_valid(instance)
    }

    /// Every error of `instance` ([`jsonschema::Validator::iter_errors`]).
    #[must_use]
    pub fn iter_errors<'i>(&'i self, instance: &'i Value) -> ErrorIterator<'i> {
        self.0.iter_errors(instance)
    }
}

/// A validator for `schema`, its draft detected ([`jsonschema::validator_for`]).
///
/// # Errors
///
/// When `schema` does not compile.
pub fn validator_for(schema: &Value) -> Result<Validator, ValidationError<'static>> {
    jsonschema::validator_for(schema).map(Validator)
}

/// Options to compile a schema with ([`jsonschema::options`]).
#[must_use]
pub fn options<'i>() -> Options<'i> {
    Options(jsonschema::options())
}

/// [`jsonschema::ValidationOptions`], with the settings mockdown uses.
pub struct Options<'i>(jsonschema::ValidationOptions<'i>);

/// A custom format check, boxed so that one copy of the code serves every check.
type Format = Box<dyn Fn(&str) -> bool + Send + Sync>;

impl<'i> Options<'i> {
    /// The draft to compile for.
    #[must_use]
    pub fn with_draft(self, draft: Draft) -> Self {
        Self(self.0.with_draft(draft))
    }

    /// Where `$ref`s are looked up.
    #[must_use]
    pub fn with_registry(self, registry: &'i Registry<'i>) -> Self {
        Self(self.0.with_registry(registry))
    }

    /// The URI that relative `$ref`s resolve against.
    #[must_use]
    pub fn with_base_uri(self, base_uri: impl Into<String>) -> Self {
        self.with_base_uri_string(base_uri.into())
    }

    fn with_base_uri_string(self, base_uri: String) -> Self {
        Self(self.0.with_base_uri(base_uri))
    }

    /// Whether `format` is checked.
    #[must_use]
    pub fn should_validate_formats(self, yes: bool) -> Self {
        Self(self.0.should_validate_formats(yes))
    }

    /// A check for the `name` format.
    #[must_use]
    pub fn with_format(
        self,
        name: impl Into<String>,
        check: impl Fn(&str) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.with_boxed_format(name.into(), Box::new(check))
    }

    fn with_boxed_format(self, name: String, check: Format) -> Self {
        Self(self.0.with_format(name, check))
    }

    /// The validator of `schema`.
    ///
    /// # Errors
    ///
    /// When `schema` does not compile.
    pub fn build(&self, schema: &Value) -> Result<Validator, ValidationError<'static>> {
        self.0.build(schema).map(Validator)
    }
}

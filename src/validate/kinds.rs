//! JSON kinds as bits, as the request fast path compiles a schema's `type`.

/// `null`.
pub(crate) const NULL: u8 = 1;
/// `true` / `false`.
pub(crate) const BOOL: u8 = 2;
/// A number without fraction.
pub(crate) const INTEGER: u8 = 4;
/// A number with a fraction or exponent.
pub(crate) const NUMBER: u8 = 8;
/// A string.
pub(crate) const STRING: u8 = 16;
/// An array.
pub(crate) const ARRAY: u8 = 32;
/// An object.
pub(crate) const OBJECT: u8 = 64;
/// Every kind.
pub(crate) const ANY: u8 = 127;

/// The kinds a JSON Schema `type` name admits (`number` admits integers); `None` for a
/// name that is not a JSON type.
pub(crate) fn of_type_name(name: &str) -> Option<u8> {
    Some(match name {
        "null" => NULL,
        "boolean" => BOOL,
        "integer" => INTEGER,
        "number" => INTEGER | NUMBER,
        "string" => STRING,
        "array" => ARRAY,
        "object" => OBJECT,
        _ => return None,
    })
}

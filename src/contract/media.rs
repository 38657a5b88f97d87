//! Media types as the pages write them (`application/json; charset=utf-8`, `text/json`,
//! `application/json-patch+json`, ...).

/// Whether a media type (no parameters, any case) is a JSON flavour.
pub(crate) fn is_json(media: &str) -> bool {
    let media = media.to_ascii_lowercase();
    media == "application/json" || media == "text/json" || media.ends_with("+json")
}

/// The media type of a Content-Type or Accept item, without parameters, lower-case.
pub(crate) fn media_type(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

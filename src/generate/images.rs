//! Placeholder pictures for operations that document image answers (`Contact/{id}/Image`):
//! a client that asks for `image/png` or `image/gif` (or `image/*`, as `<img>` does) gets
//! a valid 1×1 picture of that type instead of JSON.

/// A transparent 1×1 PNG.
const PNG: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0,
    0, 0, 31, 21, 196, 137, 0, 0, 0, 11, 73, 68, 65, 84, 120, 156, 99, 96, 0, 2, 0, 0, 5, 0, 1,
    122, 94, 171, 63, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

/// A transparent 1×1 GIF.
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

/// The picture types the mock can draw, with their bytes.
const PICTURES: [(&str, &[u8]); 2] = [("image/png", PNG), ("image/gif", GIF)];

/// The picture type to answer for the media type `asked` (`image/png`, `image/*`), given
/// the media types the page documents (lower-case, without parameters).
pub(crate) fn choose(asked: &str, documented: &[String]) -> Option<&'static str> {
    PICTURES
        .iter()
        .map(|(media, _)| *media)
        .filter(|media| documented.iter().any(|d| d == media))
        .find(|media| asked == *media || asked == "image/*")
}

/// The bytes of a picture type from [`choose`].
pub(crate) fn bytes(media: &str) -> &'static [u8] {
    PICTURES
        .iter()
        .find(|(m, _)| *m == media)
        .map_or(&[], |(_, b)| b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_have_their_magic_numbers() {
        assert!(bytes("image/png").starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(bytes("image/gif").starts_with(b"GIF89a") && bytes("image/gif").ends_with(b";"));
        let documented = vec!["image/png".to_string(), "image/gif".to_string()];
        assert_eq!(choose("image/*", &documented), Some("image/png"));
        assert_eq!(choose("image/gif", &documented), Some("image/gif"));
        assert_eq!(choose("image/png", &["application/json".to_string()]), None);
    }
}

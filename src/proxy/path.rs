//! Paths the proxy refuses to forward: any with a `.` or `..` segment, however written
//! (`%2e`, and `\`, `%2f`, `%5c` as separators, as IIS and others read them), since
//! appended to the upstream's base path they could climb out of it (`/tenant/../admin`).

/// Whether `path` holds a dot segment in any spelling a server might decode.
pub(super) fn climbs(path: &str) -> bool {
    if !path.contains('.') && !path.contains('%') && !path.contains('\\') {
        return false;
    }
    let lower = path.to_ascii_lowercase();
    let unified = lower
        .replace("%2e", ".")
        .replace("%2f", "/")
        .replace("%5c", "/")
        .replace('\\', "/");
    unified
        .split('/')
        .any(|segment| segment == "." || segment == "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_in_any_spelling() {
        for bad in [
            "/api/../admin",
            "/api/./v1",
            "/api/%2e%2E/admin",
            "/api/..%2fadmin",
            "/api\\..\\admin",
            "/..",
        ] {
            assert!(climbs(bad), "{bad}");
        }
        for good in [
            "/api/v1/Contact/1",
            "/api/v1/file.name",
            "/a/..b/c...",
            "/%20",
        ] {
            assert!(!climbs(good), "{good}");
        }
    }
}

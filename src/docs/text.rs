//! Text clean-up for descriptions: entities decoded (also doubly escaped ones), tags reduced
//! to their text, white space folded.

/// Decodes HTML entities until the text stops changing (handles `&amp;apos;`), strips
/// markup tags such as `<para>` or `<see cref="...">X</see>` down to their text, and folds
/// white space.
pub(crate) fn clean(raw: &str) -> String {
    if !raw.contains(['&', '<']) {
        return fold_whitespace(raw);
    }
    let mut text = raw.to_string();
    for _ in 0..3 {
        let decoded = html_escape::decode_html_entities(&text).into_owned();
        if decoded == text {
            break;
        }
        text = decoded;
    }
    let stripped = strip_tags(&text);
    fold_whitespace(&stripped)
        .replace(" .", ".")
        .replace(" ,", ",")
}

/// Removes everything that looks like a markup tag (`<name ...>`, `</name>`, `<name/>`).
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let looks_like_tag = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        match (looks_like_tag, after.find('>')) {
            (true, Some(end)) if !after[..end].contains('<') => {
                out.push(' ');
                rest = &after[end + 1..];
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Collapses runs of white space into one space and trims the ends.
pub(crate) fn fold_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Computes 1-based line numbers for byte offsets of one text.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    /// The 1-based line holding byte `offset`.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

/// `text` without `prefix`, compared ASCII case-insensitively.
pub(crate) fn strip_prefix_ci<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Reads `NsApiSlow threshold: 2000 ms.` from a paragraph.
pub(crate) fn slow_threshold(text: &str) -> Option<u64> {
    let idx = text.find("NsApiSlow threshold:")?;
    let rest = &text[idx + "NsApiSlow threshold:".len()..];
    let digits: String = rest
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_double_escaped_entities() {
        assert_eq!(
            clean("the customer&amp;apos;s client"),
            "the customer's client"
        );
    }

    #[test]
    fn reduces_tags_to_text() {
        assert_eq!(
            clean("from the <see cref=\"T:X.IChatAgent\">Chat Agent</see>. <para>Use it</para>"),
            "from the Chat Agent. Use it"
        );
        assert_eq!(clean("a &lt;p/&gt;b"), "a b");
        assert_eq!(clean("x < 3 and y > 2"), "x < 3 and y > 2");
    }

    #[test]
    fn line_index_maps_offsets() {
        let index = LineIndex::new("ab\ncd\n\nef");
        assert_eq!(index.line_of(0), 1);
        assert_eq!(index.line_of(3), 2);
        assert_eq!(index.line_of(6), 3);
        assert_eq!(index.line_of(7), 4);
    }
}

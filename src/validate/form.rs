//! `application/x-www-form-urlencoded` bodies: `Name=Sales&Address.City=Oslo&Emails[0].Value=a@b`
//! read into a text tree (dotted and bracketed keys nest, repeated keys repeat), then typed
//! by the schema.

use super::Rejection;
use super::limits::{Budget, too_many_fields};
use super::textbody::{MAX_DEPTH, TextTree};

/// The tree of a form body. Keys nest on `.` and `[...]` (`[0]` indexes an array item).
/// Refused (413) past `max_fields` keys or past the CPU budget; the time taken is linear in
/// the body's size.
pub(super) fn parse(
    body: &[u8],
    max_fields: usize,
    budget: &mut Budget,
) -> Result<TextTree, Rejection> {
    let mut root = TextTree::default();
    for (fields, (key, value)) in form_urlencoded::parse(body).enumerate() {
        if fields >= max_fields {
            return Err(too_many_fields(max_fields));
        }
        budget.tick()?;
        let path = key_path(&key);
        if path.is_empty() || path.len() > MAX_DEPTH {
            continue;
        }
        insert(&mut root, &path, value.into_owned());
    }
    Ok(root)
}

/// One segment of a form key: a name, or an array index.
#[derive(Debug, PartialEq, Eq)]
enum Segment {
    Name(String),
    Index(usize),
}

/// `Emails[0].Value` → `Emails`, `0`, `Value`; `Tags[]` → `Tags`.
fn key_path(key: &str) -> Vec<Segment> {
    let mut path = Vec::new();
    for part in key.split('.') {
        let mut rest = part;
        let head_end = rest.find('[').unwrap_or(rest.len());
        if head_end > 0 {
            path.push(Segment::Name(rest[..head_end].to_string()));
        }
        rest = &rest[head_end..];
        while let Some(inner) = rest.strip_prefix('[') {
            let Some(close) = inner.find(']') else { break };
            let name = &inner[..close];
            match name.parse::<usize>() {
                Ok(index) => path.push(Segment::Index(index)),
                Err(_) if !name.is_empty() => path.push(Segment::Name(name.to_string())),
                Err(_) => {}
            }
            rest = &inner[close + 1..];
        }
    }
    path
}

fn insert(node: &mut TextTree, path: &[Segment], value: String) {
    match path {
        [] => node.texts.push(value),
        [Segment::Name(name), Segment::Index(index), rest @ ..] => {
            let items = node.child(name);
            // Items of an indexed array: one occurrence per index, in index order.
            let at = (*index).min(items.len());
            if at == items.len() {
                items.push(TextTree::default());
            }
            insert(&mut items[at], rest, value);
        }
        [Segment::Name(name), rest @ ..] => {
            let occurrences = node.child(name);
            if rest.is_empty() {
                let mut leaf = TextTree::default();
                leaf.texts.push(value);
                occurrences.push(leaf);
            } else {
                if occurrences.is_empty() {
                    occurrences.push(TextTree::default());
                }
                insert(&mut occurrences[0], rest, value);
            }
        }
        [Segment::Index(_), rest @ ..] => insert(node, rest, value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_nest() {
        assert_eq!(
            key_path("Emails[0].Value"),
            [
                Segment::Name("Emails".into()),
                Segment::Index(0),
                Segment::Name("Value".into())
            ]
        );
        assert_eq!(key_path("Address[City]"), key_path("Address.City"));
        assert_eq!(key_path("Tags[]"), [Segment::Name("Tags".into())]);
        let tree = parse(
            b"Name=A+B&Tags=x&Tags=y&Emails[1].Value=b&Emails[0].Value=a",
            5,
            &mut budget(),
        )
        .expect("five fields");
        assert_eq!(tree.children.len(), 3);
        assert_eq!(tree.children[0][0].texts, ["A B"]);
        assert_eq!(tree.children[1].len(), 2);
        let refused = parse(b"a=1&b=2&c=3", 2, &mut budget()).expect_err("three fields");
        assert_eq!(
            (refused.status(), refused.kind.error_type()),
            (413, "TooManyFields")
        );
    }

    fn budget() -> Budget {
        Budget::start(std::time::Duration::from_secs(5))
    }

    #[test]
    fn many_keys_take_linear_time() {
        // 100,000 distinct keys, and 100,000 repeats of one key: both read in one pass (a
        // lookup by scanning the children took minutes here).
        let distinct: String = (0..100_000).map(|i| format!("k{i}=&")).collect();
        let tree = parse(distinct.as_bytes(), 100_000, &mut budget()).expect("at the limit");
        assert_eq!(tree.children.len(), 100_000);
        let repeated = "k=v&".repeat(100_000);
        let tree = parse(repeated.as_bytes(), 100_000, &mut budget()).expect("at the limit");
        assert_eq!(tree.children[0].len(), 100_000);
    }
}

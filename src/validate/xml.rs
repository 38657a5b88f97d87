//! `application/xml` and `text/xml` bodies: the root element is the entity, child elements
//! its properties (`nil="true"` for null), read into a text tree and typed by the schema.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, Event};

use super::Rejection;
use super::limits::{Budget, too_many_fields};
use super::textbody::{MAX_DEPTH, TextTree};

/// Why an XML body could not be read.
#[derive(Debug)]
pub(super) enum XmlError {
    /// Not well-formed XML.
    Malformed {
        /// What is wrong.
        message: String,
        /// Byte offset where reading stopped.
        position: u64,
    },
    /// Over a limit: too many elements, or the CPU budget spent.
    Limit(Rejection),
}

impl From<Rejection> for XmlError {
    fn from(rejection: Rejection) -> Self {
        XmlError::Limit(rejection)
    }
}

/// The tree of an XML document: its root element. Refused past `max_fields` elements or
/// past the CPU budget; the time taken is linear in the document's size.
pub(super) fn parse(
    text: &str,
    max_fields: usize,
    budget: &mut Budget,
) -> Result<TextTree, XmlError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<(String, TextTree)> = Vec::new();
    let mut root: Option<TextTree> = None;
    let mut elements = 0usize;
    let fail = |message: String, position: u64| XmlError::Malformed { message, position };
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| fail(e.to_string(), position))?;
        budget.tick()?;
        if matches!(event, Event::Start(_) | Event::Empty(_)) {
            elements += 1;
            if elements > max_fields {
                return Err(too_many_fields(max_fields).into());
            }
        }
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(fail("content after the root element".into(), position));
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(fail(format!("nesting deeper than {MAX_DEPTH}"), position));
                }
                stack.push((local_name(&start), element(&start)));
            }
            Event::Empty(start) => {
                attach(&mut stack, &mut root, &local_name(&start), element(&start));
            }
            Event::End(_) => {
                let Some((name, mut node)) = stack.pop() else {
                    return Err(fail(
                        "a closing tag without its opening tag".into(),
                        position,
                    ));
                };
                // The indentation between child elements is not a value.
                if !node.children.is_empty() {
                    node.texts.retain(|t| !t.trim().is_empty());
                }
                attach(&mut stack, &mut root, &name, node);
            }
            Event::Text(text) => {
                let content = text.decode().map_err(|e| fail(e.to_string(), position))?;
                append_text(&mut stack, &content);
            }
            Event::CData(data) => {
                let content = data.decode().map_err(|e| fail(e.to_string(), position))?;
                append_text(&mut stack, &content);
            }
            Event::GeneralRef(reference) => {
                append_text(&mut stack, &reference_text(&reference, position)?);
            }
            Event::Eof => break,
            // Declarations, comments, processing instructions, doctypes: nothing to read.
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(fail(
            "the document ends inside an element".into(),
            text.len() as u64,
        ));
    }
    root.ok_or_else(|| fail("no root element".into(), 0))
}

/// Puts a closed element `name` in the open one, or makes it the root.
#[inline]
fn attach(
    stack: &mut [(String, TextTree)],
    root: &mut Option<TextTree>,
    name: &str,
    node: TextTree,
) {
    match stack.last_mut() {
        Some((_, parent)) => parent.child(name).push(node),
        None => *root = Some(node),
    }
}

/// The text a character or predefined entity reference stands for (read at `position`).
#[inline]
fn reference_text(reference: &BytesRef<'_>, position: u64) -> Result<String, XmlError> {
    let fail = |message: String| XmlError::Malformed { message, position };
    Ok(match reference.resolve_char_ref() {
        Ok(Some(c)) => c.to_string(),
        _ => {
            let name = reference.decode().map_err(|e| fail(e.to_string()))?;
            resolve_predefined_entity(&name)
                .ok_or_else(|| fail(format!("unknown entity `&{name};`")))?
                .to_string()
        }
    })
}

/// Text inside the open element (entity references arrive between text pieces).
fn append_text(stack: &mut [(String, TextTree)], text: &str) {
    if let Some((_, node)) = stack.last_mut() {
        match node.texts.last_mut() {
            Some(last) => last.push_str(text),
            None => node.texts.push(text.to_string()),
        }
    }
}

fn local_name(start: &quick_xml::events::BytesStart) -> String {
    String::from_utf8_lossy(start.local_name().as_ref()).into_owned()
}

/// A new element: `nil="true"` (any namespace prefix) marks a null.
fn element(start: &quick_xml::events::BytesStart) -> TextTree {
    let nil = start.attributes().flatten().any(|a| {
        a.key.local_name().as_ref() == b"nil" && a.value.as_ref().eq_ignore_ascii_case(b"true")
    });
    TextTree {
        nil,
        ..TextTree::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<TextTree, XmlError> {
        super::parse(text, 10_000, &mut budget())
    }

    fn budget() -> Budget {
        Budget::start(std::time::Duration::from_secs(5))
    }

    #[test]
    fn elements_become_a_tree() {
        let tree = parse(
            r#"<?xml version="1.0"?><RoleEntity xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
              <RoleId>7</RoleId><Name>A &amp; B&#33;</Name><Owner i:nil="true"/>
              <Tags><string>x</string><string>y</string></Tags></RoleEntity>"#,
        )
        .expect("parses");
        assert_eq!(
            tree.children.get_index(0).map(|(n, _)| n.as_str()),
            Some("RoleId")
        );
        assert_eq!(tree.children[1][0].texts, ["A & B!"]);
        assert!(tree.children[2][0].nil);
        assert_eq!(tree.children[3][0].children[0].len(), 2);
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("").is_err());
        assert!(parse("<a/><b/>").is_err());
    }

    #[test]
    fn many_elements_take_linear_time_and_are_bounded() {
        let siblings = |n: usize| format!("<r>{}</r>", "<e>1</e>".repeat(n));
        let distinct: String = format!(
            "<r>{}</r>",
            (0..100_000).map(|i| format!("<e{i}/>")).collect::<String>()
        );
        let tree = super::parse(&distinct, 100_001, &mut budget()).expect("at the limit");
        assert_eq!(tree.children.len(), 100_000);
        let tree = super::parse(&siblings(100_000), 100_001, &mut budget()).expect("at the limit");
        assert_eq!(tree.children[0].len(), 100_000);
        match super::parse(&siblings(100_000), 10_000, &mut budget()) {
            Err(XmlError::Limit(refusal)) => assert_eq!(refusal.kind.error_type(), "TooManyFields"),
            other => panic!("not refused: {other:?}"),
        }
    }
}

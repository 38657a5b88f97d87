//! XML answers: a JSON value rendered as XML, the root element named after the response type.

use serde_json::Value;

/// An XML rendering of a JSON value, the root element named after the response type.
pub(crate) fn to_xml(root: &str, value: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    write_xml(&mut out, root, value);
    out
}

fn write_xml(out: &mut String, name: &str, value: &Value) {
    let name = xml_name(name);
    match value {
        Value::Null => out.push_str(&format!("<{name} nil=\"true\"/>")),
        Value::Object(map) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in map {
                write_xml(out, k, v);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Array(items) => {
            out.push_str(&format!("<{name}>"));
            let item_name = name.strip_prefix("ArrayOf").unwrap_or("Item").to_string();
            for item in items {
                write_xml(out, &item_name, item);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", xml_escape(s))),
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

fn xml_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    match cleaned.chars().next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => cleaned,
        _ => format!("_{cleaned}"),
    }
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn xml_rendering() {
        let xml = to_xml(
            "Contact",
            &json!({"Name": "A & B", "Ids": [1, 2], "X": null}),
        );
        assert!(xml.contains("<Contact><Name>A &amp; B</Name><Ids><Item>1</Item><Item>2</Item></Ids><X nil=\"true\"/></Contact>"));
    }
}

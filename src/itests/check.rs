//! `mockdown check`: each kind of docs finding, from small page sets written in the test.

use std::path::Path;

use super::common;

use crate::diag::{Diagnostic, Severity};
use crate::{contract, docs, lint};

const FIXTURES: &str = "tests/fixtures/api";

fn findings(dir: &Path) -> Vec<Diagnostic> {
    let set = docs::load_dir(dir, &|| {}).expect("pages load");
    lint::lint(&contract::build(set))
}

fn with_code<'a>(findings: &'a [Diagnostic], code: &str) -> Vec<&'a Diagnostic> {
    findings.iter().filter(|d| d.code == code).collect()
}

#[test]
fn clean_pages_give_no_findings_and_unknown_types_are_named() {
    assert_eq!(findings(Path::new(FIXTURES)), Vec::new());
    // `Person` is used by a table but described nowhere.
    let dir = common::fixture_pages(|name, text| {
        if name.contains("PostThing") {
            text.replace(
                "| Owner | Associate | Who owns it |",
                "| Owner | Associate | Who owns it |\n| Keeper | Person | Who keeps it |",
            )
        } else {
            text
        }
    });
    let found = findings(dir.path());
    let unknown = with_code(&found, "unknown-type");
    assert_eq!(unknown.len(), 1, "{found:#?}");
    assert!(unknown[0].message.contains("`Person`"));
    assert!(unknown[0].file.ends_with("v1ThingEntity_PostThing.md"));
}

#[test]
fn each_kind_of_finding_points_at_its_page() {
    let dir = common::fixture_pages(|name, text| {
        if name.contains("GetThing") {
            // Sample status not in the table; sample value contradicting the table;
            // a type cell that disagrees with the PostThing table.
            text.replace("HTTP/1.1 200 ThingEntity found.", "HTTP/1.1 202 Accepted")
                .replace("\"ThingId\": 12,", "\"ThingId\": \"twelve\",")
                .replace(
                    "| Department | string | Department |",
                    "| Department | int32 | Department |",
                )
        } else if name.contains("DeleteThing") {
            text
        } else {
            // Sample response in a Content-Type the Accept row does not list.
            text.replace(
                "HTTP/1.1 201 ThingEntity created.\nContent-Type: application/json; charset=utf-8",
                "HTTP/1.1 201 ThingEntity created.\nContent-Type: text/plain",
            )
        }
    });
    // A second page with PostThing's operationId (sorted after it).
    let post =
        std::fs::read_to_string(dir.path().join("v1ThingEntity_PostThing.md")).expect("page reads");
    std::fs::write(dir.path().join("zz_copy_of_post.md"), post).expect("page writes");
    let found = findings(dir.path());
    let one = |code: &str| {
        let all = with_code(&found, code);
        assert_eq!(all.len(), 1, "{code}: {found:#?}");
        all[0].clone()
    };
    let status = one("undocumented-sample-status");
    assert_eq!(status.severity, Severity::Error);
    assert!(status.file.ends_with("v1ThingEntity_GetThing.md"));
    assert!(status.message.contains("202") && status.message.contains("200, 304, 404"));

    let mismatch = with_code(&found, "sample-mismatch");
    assert!(
        mismatch
            .iter()
            .any(|d| d.pointer.as_deref() == Some("/ThingId")),
        "{found:#?}"
    );

    // One table each way: the first seen (GetThing) wins, PostThing is the odd one out.
    let conflict = one("type-conflict");
    assert!(
        conflict.message.contains("ThingEntity.Department"),
        "{conflict}"
    );
    assert!(
        conflict.message.contains("the contract follows `int32`"),
        "{conflict}"
    );
    assert!(conflict.file.ends_with("v1ThingEntity_PostThing.md"));
    assert!(conflict.line > 1);

    let duplicate = one("duplicate-operation-id");
    assert_eq!(duplicate.severity, Severity::Error);
    assert_eq!(duplicate.file, "zz_copy_of_post.md");

    let content_type = one("undocumented-sample-content-type");
    assert!(content_type.message.contains("text/plain"));
    assert!(content_type.file.ends_with("v1ThingEntity_PostThing.md"));
    let (errors, _) = lint::counts(&found);
    assert!(errors >= 2);
}

#[test]
fn missing_samples_are_reported() {
    let dir = common::fixture_pages(|name, text| {
        if name.contains("DeleteThing") {
            text[..text.find("## Sample request").unwrap_or(text.len())].to_string()
        } else {
            text
        }
    });
    let found = findings(dir.path());
    for code in ["missing-sample-request", "missing-sample-response"] {
        let hits = with_code(&found, code);
        assert_eq!(hits.len(), 1, "{code}: {found:#?}");
        assert!(hits[0].file.ends_with("v1ThingEntity_DeleteThing.md"));
    }
}

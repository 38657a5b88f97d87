//! `mockdown diff`: two small page sets written in the test, covering every breaking and
//! non-breaking class.

use crate::common;

use std::path::Path;
use std::process::Command;

use mockdown::diff::{Change, diff, render};
use mockdown::{contract, docs};

fn contract_of(dir: &Path) -> mockdown::contract::Contract {
    let set = docs::load_dir(dir, &|| {}).expect("pages load");
    contract::build_with(set, false).contract
}

/// A copy of GetThing under another operationId and path.
fn extra_page(dir: &Path, id: &str, resource: &str) {
    let text = std::fs::read_to_string("tests/fixtures/api/v1ThingEntity_GetThing.md")
        .expect("fixture reads")
        .replace("v1ThingEntity_GetThing", id)
        .replace("Thing/{id}", &format!("{resource}/{{id}}"));
    std::fs::write(dir.join(format!("{id}.md")), text).expect("page writes");
}

/// PostThing with its request table cut to Department and Status: too few of ThingEntity's
/// properties to be taken for it, so the request body stays the operation's own.
fn own_request_table(text: &str) -> String {
    let Some((request, rest)) = text.split_once("## Response:") else {
        return text.to_string();
    };
    let cut = [
        "| ThingId ",
        "| Name ",
        "| EmailAddress ",
        "| Updated ",
        "| Owner ",
        "| Tags ",
    ];
    let kept: Vec<&str> = request
        .lines()
        .filter(|l| !cut.iter().any(|row| l.starts_with(row)))
        .collect();
    format!("{}\n## Response:{rest}", kept.join("\n"))
}

fn old_and_new() -> (tempfile::TempDir, tempfile::TempDir) {
    let old = common::fixture_pages(|name, text| {
        if name.contains("GetThing") {
            text.replace("| Status | Enum: Open, Closed | State |", "| Status | Enum: Open, Closed, Archived | State |\n| Legacy | string | An old field |")
                .replace("| $top | int32 | **Required** Number of rows. |\n", "")
                .replace("| $mode | Enum: Slim, Wide, Full |", "| $mode | Enum: Slim, Wide |")
                .replace("| 404 | Not Found. |", "| 404 | Not Found. |\n| 410 | Gone. |")
        } else if name.contains("PostThing") {
            own_request_table(&text).replace("| Status | Enum: Open, Closed | State |", "| Status | Enum: Open, Closed, Archived | State |\n| Legacy | string | An old field |")
        } else {
            text
        }
    });
    extra_page(old.path(), "v1ThingEntity_GetOldThing", "OldThing");
    let new = common::fixture_pages(|name, text| {
        let text = if name.contains("PostThing") {
            own_request_table(&text)
        } else {
            text
        };
        let text = text
            .replace(
                "| Department | string | Department |",
                "| Department | int32 | Department |",
            )
            .replace(
                "| Status | Enum: Open, Closed | State |",
                "| Status | Enum: Open, Closed | State |\n| Color | string | Colour |",
            );
        if name.contains("GetThing") {
            text.replace(
                "| fk | bool |",
                "| fields | string |  Optional fields to load. |\n| fk | bool |",
            )
        } else if name.contains("PostThing") {
            text.replace(
                "| 409 | Conflict. |",
                "| 409 | Conflict. |\n| 400 | Bad request. |",
            )
        } else {
            text
        }
    });
    extra_page(new.path(), "v1ThingEntity_GetNewThing", "NewThing");
    (old, new)
}

fn find<'a>(changes: &'a [Change], kind: &str, subject: &str, place: &str) -> &'a Change {
    changes
        .iter()
        .find(|c| c.kind == kind && c.subject == subject && c.place == place)
        .unwrap_or_else(|| panic!("no {kind} for {subject} {place}: {changes:#?}"))
}

#[test]
fn every_class_of_change_is_found_and_classed() {
    let (old, new) = old_and_new();
    let changes = diff(&contract_of(old.path()), &contract_of(new.path()));
    let get = "v1ThingEntity_GetThing";
    let post = "v1ThingEntity_PostThing";
    let thing = "type ThingEntity";
    let breaking = [
        find(
            &changes,
            "operation-removed",
            "v1ThingEntity_GetOldThing",
            "",
        ),
        find(&changes, "property-removed", thing, "/Legacy"),
        find(&changes, "property-retyped", thing, "/Department"),
        find(&changes, "required-parameter-added", get, "query $top"),
        find(&changes, "enum-narrowed", thing, "/Status"),
        find(&changes, "status-removed", get, "response 410"),
        // The request body of PostThing is inline: its changes are the operation's own.
        find(
            &changes,
            "property-retyped",
            post,
            "request body /Department",
        ),
        find(&changes, "property-removed", post, "request body /Legacy"),
        find(&changes, "enum-narrowed", post, "request body /Status"),
    ];
    for c in breaking {
        assert!(c.breaking, "{c:?}");
    }
    assert_eq!(
        find(&changes, "property-retyped", thing, "/Department").detail,
        "string → integer (int32) (used by 3 operation(s))"
    );
    assert!(
        find(&changes, "enum-narrowed", thing, "/Status")
            .detail
            .contains("Archived")
    );
    let additions = [
        find(&changes, "operation-added", "v1ThingEntity_GetNewThing", ""),
        find(&changes, "property-added", thing, "/Color"),
        find(&changes, "parameter-added", get, "query fields"),
        find(&changes, "enum-widened", get, "query $mode"),
        find(&changes, "status-added", post, "response 400"),
    ];
    for c in additions {
        assert!(!c.breaking, "{c:?}");
    }
    assert_eq!(render::counts(&changes), (9, 6), "{changes:#?}");
    // Breaking ones come first.
    assert!(changes.iter().take(9).all(|c| c.breaking));
}

#[test]
fn identical_docs_have_no_changes() {
    let a = contract_of(Path::new("tests/fixtures/api"));
    assert_eq!(diff(&a, &a), Vec::new());
    assert_eq!(
        render::markdown(&[]),
        "## API contract changes\n\nNo contract changes.\n"
    );
}

#[test]
fn the_command_renders_and_fails_on_breaking() {
    let (old, new) = old_and_new();
    let bin = env!("CARGO_BIN_EXE_mockdown");
    let run = |args: &[&str]| {
        Command::new(bin)
            .arg("diff")
            .arg(old.path())
            .arg(new.path())
            .args(args)
            .output()
            .expect("runs")
    };
    let human = run(&[]);
    assert_eq!(human.status.code(), Some(0), "no --fail-on: report only");
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("breaking     type ThingEntity /Department: string → integer (int32)"),
        "{text}"
    );
    assert!(
        text.ends_with("9 breaking, 6 non-breaking change(s)\n"),
        "{text}"
    );

    let markdown = run(&["--format", "markdown", "--fail-on", "breaking"]);
    assert_eq!(markdown.status.code(), Some(1));
    let md = String::from_utf8_lossy(&markdown.stdout);
    assert!(
        md.starts_with("## API contract changes\n\n**9 breaking**, 6 non-breaking"),
        "{md}"
    );
    assert!(md.contains("### Breaking\n\n| Operation / type | Where | Change |\n|---|---|---|\n"));
    assert!(md.contains("| `v1ThingEntity_GetThing` | `query $top` | new required query parameter `$top` (`required-parameter-added`) |"), "{md}");

    let json = run(&["--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(report["breaking"], 9);
    assert_eq!(report["nonBreaking"], 6);
    assert_eq!(report["changes"][0]["breaking"], true);

    let same = Command::new(bin)
        .args([
            "diff",
            "tests/fixtures/api",
            "tests/fixtures/api",
            "--fail-on",
            "any",
        ])
        .output()
        .expect("runs");
    assert_eq!(same.status.code(), Some(0));
}

//! `mockdown diff`: two small page sets written in the test, covering every breaking and
//! non-breaking class.

use std::path::Path;

use crate::diff::{Change, diff, render};
use crate::{contract, docs};

fn contract_of(dir: &Path) -> crate::contract::Contract {
    let set = docs::load_dir(dir, &|| {}).expect("pages load");
    contract::build_with(set, false).contract
}

/// The two page sets: GetThing and PostThing changed in every breaking and non-breaking
/// class, an operation removed (GetOldThing) and one added (GetNewThing).
const OLD: &str = "tests/fixtures/diff/old";
const NEW: &str = "tests/fixtures/diff/new";

fn find<'a>(changes: &'a [Change], kind: &str, subject: &str, place: &str) -> &'a Change {
    changes
        .iter()
        .find(|c| c.kind == kind && c.subject == subject && c.place == place)
        .unwrap_or_else(|| panic!("no {kind} for {subject} {place}: {changes:#?}"))
}

#[test]
fn every_class_of_change_is_found_and_classed() {
    let changes = diff(&contract_of(Path::new(OLD)), &contract_of(Path::new(NEW)));
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

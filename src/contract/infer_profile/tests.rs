//! The profile inferred for the seed pages (`docs/`) and for a page family in another
//! vendor's wording (`tests/fixtures/other-vendor/`).

use super::*;
use crate::contract;
use crate::contract::profile::{DEFAULT_SLOW_MS, ErrorField, ErrorRole, ErrorShape, split_name};
use crate::docs;
use serde_json::json;

/// The profile of a folder of pages, as the build infers it.
fn profile_of(dir: &str) -> ApiProfile {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let set = docs::load_dir(&root, &|| {}).expect("pages load");
    contract::build_with(set, false).contract.profile
}

#[test]
fn the_seed_pages_give_superoffices_facts() {
    let profile = profile_of("docs");
    assert_eq!(profile.auth_schemes.value, ["Basic", "SoTicket", "Bearer"]);
    assert!(
        profile.auth_schemes.source.ends_with(".md:9"),
        "{:?}",
        profile.auth_schemes
    );
    assert_eq!(profile.credential_headers.value, ["X-XSRF-TOKEN"]);
    // No seed page shows an error body: the documented fallback, marked so.
    assert!(profile.error_shape.is_default());
    assert_eq!(profile.error_shape.value, ErrorShape::fallback());
    assert_eq!(profile.verbs.save.value, ["Save"]);
    assert!(!profile.verbs.save.is_default());
    assert_eq!(profile.key_phrase.value, "primary key");
    assert_eq!(profile.primary_key("ContactEntity"), Some("ContactId"));
    assert_eq!(profile.primary_key("User"), Some("AssociateId"));
    // One seed page gives `NsApiSlow threshold: 2000 ms`.
    assert_eq!(profile.slow_threshold_ms.value, 2000);
    assert!(!profile.slow_threshold_ms.is_default());
}

#[test]
fn another_vendors_pages_give_another_profile() {
    let seeds = profile_of("docs");
    let other = profile_of("tests/fixtures/other-vendor");
    assert_ne!(seeds, other);
    assert_eq!(other.auth_schemes.value, ["Bearer"]);
    assert!(other.credential_headers.value.is_empty());
    assert!(!other.credential_headers.is_default());
    let shape = &other.error_shape;
    assert_eq!(shape.source, "index.md:9", "the index page's sample");
    assert_eq!(shape.value.names(), ["code", "message"]);
    assert_eq!(shape.value.field(ErrorRole::Status), Some("code"));
    assert_eq!(shape.value.field(ErrorRole::Message), Some("message"));
    assert_eq!(other.verbs.save.value, ["Upsert"]);
    assert_eq!(other.verbs.read.value, ["Fetch"]);
    assert_eq!(other.verbs.delete.value, ["Remove"]);
    assert_eq!(other.key_phrase.value, "unique identifier");
    assert_eq!(other.primary_key("WidgetResource"), Some("WidgetId"));
    assert_eq!(other.primary_key("GadgetResource"), Some("GadgetId"));
    assert_eq!(other.suffixes.value, ["Resource"]);
    assert_eq!(other.entity_name("WidgetResource"), "Widget");
    assert!(other.slow_threshold_ms.is_default());
    assert_eq!(other.slow_threshold_ms.value, DEFAULT_SLOW_MS);
}

#[test]
fn a_shape_renders_in_its_own_fields() {
    let shape = ErrorShape {
        fields: vec![
            ErrorField {
                name: "code".into(),
                role: ErrorRole::Status,
            },
            ErrorField {
                name: "message".into(),
                role: ErrorRole::Message,
            },
        ],
    };
    let body = Value::Object(shape.render("NotFound", "no widget 7", 404));
    assert_eq!(body, json!({"code": 404, "message": "no widget 7"}));
    let fallback = Value::Object(ErrorShape::fallback().render("NotFound", "gone", 404));
    assert_eq!(
        fallback,
        json!({"Error": true, "ErrorType": "NotFound", "ErrorMessage": "gone", "ErrorSource": "mockdown"})
    );
}

#[test]
fn schemes_are_read_from_the_row_text() {
    let schemes = |text: &str| errors::schemes_named(text);
    assert_eq!(
        schemes(
            "Supports 'Basic', 'SoTicket' and 'Bearer' schemes, depending on installation type."
        ),
        ["Basic", "SoTicket", "Bearer"]
    );
    assert_eq!(
        schemes("Bearer token issued by the identity service."),
        ["Bearer"]
    );
    assert_eq!(schemes("Use `ApiKey` or digest."), ["ApiKey", "Digest"]);
}

#[test]
fn names_split_into_verb_and_rest() {
    assert_eq!(
        split_name("/api/v1/Agents/Contact/SaveContactEntity"),
        Some(("Save", "ContactEntity"))
    );
    assert_eq!(split_name("/api/v1/Contact/{id}"), None);
    assert_eq!(split_name("/api/v1/Contact"), None);
}

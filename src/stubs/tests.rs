//! Stubs: parsing, order, matching.

use serde_json::json;

use super::*;
use crate::http::ApiError;

#[test]
fn stubs_parse_match_and_order() {
    let stub = Stub::parse(&json!({
        "match": {"method": "POST", "path": "/api/v1/Contact", "body": {"Name": "Acme"},
                  "headers": {"authorization": "Basic *"}, "query": {"fk": "true"}},
        "response": {"status": 201, "body": {"ContactId": 7}},
        "times": 2
    }))
    .expect("a stub");
    assert_eq!(stub.id.len(), 16, "an id made from the content");
    let body = json!({"Name": "Acme", "Department": "Sales"});
    let headers = [("Authorization".to_string(), "Basic abc".to_string())];
    let query = [("fk".to_string(), "true".to_string())];
    let request = RequestView {
        method: "POST",
        path: "/api/v1/contact",
        query: &query,
        headers: &headers,
        body: Some(&body),
    };
    assert!(stub.matches(&request));
    assert!(!stub.matches(&RequestView {
        method: "PUT",
        ..request.clone()
    }));
    assert!(!stub.matches(&RequestView {
        query: &[],
        ..request.clone()
    }));
    let typo = Stub::parse(&json!({"response": {"status": 200}, "tiems": 1}));
    let Err(err) = typo else {
        panic!("a misspelt field is no stub")
    };
    assert!(matches!(err, StubError::NotAStub(_)));
    assert_eq!(
        (err.kind().status(), err.kind().error_type()),
        (400, "InvalidStub")
    );
    assert!(err.to_string().contains("tiems"), "{err}");
    let a = Stub::parse(&json!({"id": "a", "response": {}})).expect("a");
    let b = Stub::parse(&json!({"id": "b", "response": {}})).expect("b");
    let c = Stub::parse(&json!({"id": "c", "response": {}, "priority": -1})).expect("c");
    let order: Vec<String> = ordered(vec![(1, a), (2, b), (3, c)])
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(order, ["c", "b", "a"]);
}

//! Unit tests of the explorer's data: grouping, index fields, detail documents, the
//! compression round trip, and the routes.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::http::request::Parts;
use hyper::{Request, Response};
use serde_json::{Value, json};

use super::Explorer;
use super::data::{GroupKind, Mentions, group_of, short_summary, try_it};
use super::index::{build, index_value};
use crate::contract::{Contract, Example, ExampleRequest, Operation, Parameter, RequestBody};
use crate::http::AdminConfig;

fn op(id: &str, method: &str, path: &str) -> Operation {
    Operation {
        operation_id: id.into(),
        method: method.into(),
        path: path.into(),
        ..Operation::default()
    }
}

fn seed_contract() -> Contract {
    let set = crate::docs::load_dir(std::path::Path::new("docs"), &|| {}).expect("seed docs");
    crate::contract::build_with(set, false).contract
}

#[test]
fn groups_agents_and_rest_entities_from_the_path() {
    let cases = [
        (
            "v1ContactAgent_GetContact",
            "/api/v1/Agents/Contact/GetContact",
            GroupKind::Agent,
            "Contact agent",
            "agent/Contact",
        ),
        (
            "v1ContactEntity_GetContact",
            "/api/v1/Contact/{id}",
            GroupKind::Rest,
            "Contact",
            "rest/Contact",
        ),
        (
            "v1CategoryList_GetCategory",
            "/api/v1/List/Category/Items/{id}",
            GroupKind::Rest,
            "List/Category",
            "rest/List/Category",
        ),
        (
            "v1ListItemEntity_GetAll",
            "/api/v1/List/{udListDefinitionName}/Items",
            GroupKind::Rest,
            "List/Items",
            "rest/List/Items",
        ),
        (
            "v1ListEntity_DefaultListEntity",
            "/api/v1/List/default",
            GroupKind::Rest,
            "List",
            "rest/List",
        ),
        (
            "v1ChatSessionEntity_Post",
            "/api/v1/ChatSession",
            GroupKind::Rest,
            "ChatSession",
            "rest/ChatSession",
        ),
    ];
    for (id, path, kind, label, key) in cases {
        let group = group_of(&op(id, "GET", path));
        assert_eq!(
            (group.kind, group.label.as_str(), group.key.as_str()),
            (kind, label, key),
            "{path}"
        );
    }
}

#[test]
fn groups_from_the_operation_id_when_the_path_says_nothing() {
    let agent = group_of(&op("v1ContactAgent_GetContact", "POST", "/{anything}"));
    assert_eq!(
        (agent.kind, agent.label.as_str()),
        (GroupKind::Agent, "Contact agent")
    );
    let rest = group_of(&op("v1PersonEntity_GetPerson", "GET", "/api/v1/{id}"));
    assert_eq!(
        (rest.kind, rest.label.as_str()),
        (GroupKind::Rest, "Person")
    );
    let other = group_of(&op("ping", "GET", "/"));
    assert_eq!(other.label, "Other");
}

#[test]
fn mentions_walk_inline_schemas_and_name_referenced_types() {
    let schema = json!({
        "type": "object",
        "properties": {
            "RoleId": {"type": "integer"},
            "CreatedBy": {"$ref": "../types/Associate.json"},
            "Rows": {"type": "array", "items": {"type": "object", "properties": {"Cell": {"type": "string"}}}},
            "Map": {"type": "object", "additionalProperties": {"$ref": "../types/FieldRight.json"}},
            "Mask": {"type": "string", "enum": ["properties", "x"]}
        }
    });
    let mut mentions = Mentions::default();
    mentions.walk(&schema);
    let props: Vec<&str> = mentions.props.iter().map(String::as_str).collect();
    assert_eq!(
        props,
        ["Cell", "CreatedBy", "Map", "Mask", "RoleId", "Rows"]
    );
    let types: Vec<&str> = mentions.types.iter().map(String::as_str).collect();
    assert_eq!(types, ["Associate", "FieldRight"]);
}

#[test]
fn short_summaries_keep_the_first_sentence() {
    assert_eq!(
        short_summary("Gets a contact. Calls the agent."),
        "Gets a contact."
    );
    assert_eq!(
        short_summary("First line\n\nSecond paragraph"),
        "First line"
    );
    let long = "word ".repeat(40);
    let short = short_summary(&long);
    assert!(
        short.chars().count() <= 110 && short.ends_with('…'),
        "{short}"
    );
    assert_eq!(short_summary(""), "");
}

#[test]
fn the_index_lists_every_seed_operation_with_its_search_fields() {
    let contract = seed_contract();
    let built = build(&contract);
    assert_eq!(built.operations.len(), contract.operations.len());
    let index = index_value(&built);
    let ops = index["operations"].as_array().expect("operations");
    assert_eq!(ops.len(), 5);
    let role = ops
        .iter()
        .find(|o| o["id"] == "v1UserAgent_SaveRoleEntity")
        .expect("SaveRoleEntity listed");
    assert_eq!(role["method"], "POST");
    assert_eq!(role["path"], "/api/v1/Agents/User/SaveRoleEntity");
    assert!(
        role["summary"]
            .as_str()
            .is_some_and(|s| s.starts_with("Updates the existing RoleEntity"))
    );
    let group = &index["groups"][role["group"].as_u64().expect("group") as usize];
    assert_eq!(group["label"], "User agent");
    assert_eq!(group["kind"], "agent");
    let props = index["props"].as_array().expect("props");
    let names: Vec<&str> = role["props"]
        .as_array()
        .expect("props of the operation")
        .iter()
        .filter_map(|i| props[i.as_u64().unwrap_or(0) as usize].as_str())
        .collect();
    assert!(
        names.contains(&"RoleId") && names.contains(&"UseCategories"),
        "{names:?}"
    );
    let types = index["types"].as_array().expect("types");
    let referenced: Vec<&str> = role["types"]
        .as_array()
        .expect("types of the operation")
        .iter()
        .filter_map(|i| types[i.as_u64().unwrap_or(0) as usize]["name"].as_str())
        .collect();
    assert!(referenced.contains(&"Associate"), "{referenced:?}");
    // Groups: agents first, then REST entities.
    let kinds: Vec<&str> = index["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .filter_map(|g| g["kind"].as_str())
        .collect();
    let first_rest = kinds
        .iter()
        .position(|k| *k == "rest")
        .unwrap_or(kinds.len());
    assert!(
        kinds[first_rest..].iter().all(|k| *k == "rest"),
        "{kinds:?}"
    );
}

#[test]
fn details_keep_what_compaction_drops() {
    let contract = seed_contract();
    let built = build(&contract);
    let (bytes, tag) = built
        .operations
        .get("v1UserAgent_SaveRoleEntity")
        .expect("listed")
        .expect("inflates");
    assert_eq!(
        built.operations.etag("v1UserAgent_SaveRoleEntity"),
        Some(tag)
    );
    let detail: Value = serde_json::from_slice(&bytes).expect("json");
    let op = &detail["operation"];
    assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()));
    // Request headers are positions in the index's table, written once.
    let index = index_value(&built);
    let headers = op["headerParameters"].as_array().expect("headers");
    assert!(!headers.is_empty());
    let first = &index["headers"][headers[0].as_u64().expect("position") as usize];
    assert_eq!(first["name"], "Authorization");
    assert_eq!(index["headers"].as_array().map(Vec::len), Some(9));
    assert_eq!(
        op["requestBody"]["schema"]["properties"]["RoleId"]["description"],
        "Primary key"
    );
    assert_eq!(detail["group"]["label"], "User agent");
    assert_eq!(detail["tryIt"]["method"], "POST");
    assert_eq!(op["example"]["request"]["body"]["RoleId"], 918);
    assert_eq!(
        detail["tryIt"]["path"],
        "/api/v1/Agents/User/SaveRoleEntity"
    );
    let associate = built
        .types
        .get("Associate")
        .expect("listed")
        .expect("inflates");
    let associate: Value = serde_json::from_slice(&associate.0).expect("json");
    assert_eq!(
        associate["schema"]["properties"]["AssociateId"]["x-mockdown-from"],
        json!(["sample"])
    );
    assert!(
        associate["usedBy"]
            .as_array()
            .is_some_and(|ops| ops.iter().any(|o| o == "v1UserAgent_SaveRoleEntity"))
    );
}

#[test]
fn try_it_fills_path_and_query_and_adds_credentials() {
    let mut get = op("v1ContactEntity_GetContact", "GET", "/api/v1/Contact/{id}");
    get.path_parameters = vec![Parameter {
        name: "id".into(),
        required: true,
        description: String::new(),
        schema: json!({"type": "integer"}),
    }];
    get.query_parameters = vec![
        Parameter {
            name: "$select".into(),
            required: false,
            description: String::new(),
            schema: json!({"type": "string"}),
        },
        Parameter {
            name: "mode".into(),
            required: true,
            description: String::new(),
            schema: json!({"type": "string", "enum": ["Full", "Slim"]}),
        },
    ];
    get.example = Example {
        request: Some(ExampleRequest {
            method: "GET".into(),
            path: "/api/v1/Contact/42?$select=Name".into(),
            headers: vec![("Accept".into(), "application/json".into())],
            body: None,
        }),
        response: None,
    };
    let t = try_it(&get);
    assert_eq!(t.path, "/api/v1/Contact/42");
    assert_eq!(
        t.query,
        vec![
            ("$select".to_string(), "Name".to_string()),
            ("mode".to_string(), "Full".to_string())
        ]
    );
    assert_eq!(t.extra_headers[0].0, "Authorization");
    assert!(t.documented);

    let mut post = op("v1X_Save", "POST", "/api/v1/X/{name}/Save");
    post.request_body = Some(RequestBody::default());
    assert_eq!(try_it(&post).path, "/api/v1/X/1/Save");
    post.path_parameters = vec![Parameter {
        name: "name".into(),
        required: true,
        description: String::new(),
        schema: json!({"type": "string"}),
    }];
    let t = try_it(&post);
    assert_eq!(t.path, "/api/v1/X/sample/Save");
    assert!(!t.documented);
    assert_eq!(t.extra_headers.len(), 1, "credentials only: no sample body");
}

async fn body_of(response: Response<Full<Bytes>>) -> Bytes {
    response
        .into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default()
}

fn get(path: &str, headers: &[(&str, &str)]) -> Parts {
    let mut builder = Request::get(path);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    builder.body(()).expect("request").into_parts().0
}

/// Admin rules of a mock started without `--admin-token` or `--admin-host`.
const OPEN: AdminConfig = AdminConfig {
    hosts: Vec::new(),
    token: None,
};

impl Explorer {
    /// The answer under [`OPEN`] rules.
    fn open(&self, req: &Parts) -> Option<Response<Full<Bytes>>> {
        self.answer(req, &OPEN)
    }
}

#[tokio::test]
async fn routes_serve_assets_documents_and_nothing_else() {
    let explorer = Explorer::written(&seed_contract());
    assert_eq!(explorer.operations(), 5);
    assert!(!explorer.is_compressed());

    let page = explorer.open(&get("/__mockdown/", &[])).expect("page");
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/html"))
    );
    assert!(page.headers().contains_key("content-security-policy"));
    let html = body_of(page).await;
    assert!(std::str::from_utf8(&html).is_ok_and(|h| h.contains("/__mockdown/explorer/app.js")));

    let script = explorer
        .open(&get("/__mockdown/explorer/app.js", &[]))
        .expect("script");
    let tag = script.headers()["etag"].clone();
    let script = body_of(script).await;
    assert!(script.starts_with(b"(() => {"));
    let again = explorer
        .open(&get(
            "/__mockdown/explorer/app.js",
            &[("if-none-match", tag.to_str().unwrap_or_default())],
        ))
        .expect("script");
    assert_eq!(again.status(), 304);

    let plain = explorer
        .open(&get("/__mockdown/explorer/index.json", &[]))
        .expect("index");
    assert!(!plain.headers().contains_key("content-encoding"));
    let index: Value = serde_json::from_slice(&body_of(plain).await).expect("json");
    assert_eq!(index["operations"].as_array().map(Vec::len), Some(5));
    let index_with = |encoding: &str| {
        explorer
            .open(&get(
                "/__mockdown/explorer/index.json",
                &[("accept-encoding", encoding)],
            ))
            .expect("index")
    };
    // Gzip to whoever accepts it, before and after the background compression.
    assert_eq!(index_with("gzip").headers()["content-encoding"], "gzip");
    let before = body_of(
        explorer
            .open(&get(
                "/__mockdown/explorer/operations/v1UserAgent_SaveRoleEntity.json",
                &[],
            ))
            .expect("operation"),
    )
    .await;
    explorer.blobs().iter().for_each(|b| b.compress());
    assert!(explorer.is_compressed());
    let gz = index_with("gzip, br");
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_eq!(
        body_of(index_with("identity")).await,
        body_of(plain_again(&explorer)).await
    );

    let op = explorer
        .open(&get(
            "/__mockdown/explorer/operations/v1UserAgent_SaveRoleEntity.json",
            &[],
        ))
        .expect("operation");
    assert_eq!(op.status(), 200);
    let tag = op.headers()["etag"]
        .to_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(body_of(op).await, before);
    let cached = explorer
        .open(&get(
            "/__mockdown/explorer/operations/v1UserAgent_SaveRoleEntity.json",
            &[("if-none-match", &tag)],
        ))
        .expect("operation");
    assert_eq!(cached.status(), 304);
    let ty = explorer
        .open(&get("/__mockdown/explorer/types/Associate.json", &[]))
        .expect("type");
    assert_eq!(ty.status(), 200);
    let missing = explorer
        .open(&get("/__mockdown/explorer/operations/Nope.json", &[]))
        .expect("404");
    assert_eq!(missing.status(), 404);
    let post = Request::post("/__mockdown/explorer/index.json")
        .body(())
        .expect("request")
        .into_parts()
        .0;
    assert_eq!(explorer.open(&post).map(|r| r.status().as_u16()), Some(405));
    assert_eq!(
        explorer
            .open(&get("/__mockdown", &[]))
            .map(|r| r.status().as_u16()),
        Some(308)
    );

    assert!(explorer.open(&get("/__mockdown/requests", &[])).is_none());
    assert!(explorer.open(&get("/api/v1/Contact/1", &[])).is_none());
    assert!(Explorer::is_public("/__mockdown/"));
    assert!(Explorer::is_public("/__mockdown/explorer/app.css"));
    assert!(!Explorer::is_public("/__mockdown/explorer/index.json"));
    assert!(!Explorer::is_public(
        "/__mockdown/explorer/types/Associate.json"
    ));
}

#[test]
fn documents_follow_the_admin_rules_and_assets_do_not() {
    let explorer = Explorer::written(&seed_contract());
    let guarded = AdminConfig {
        hosts: Vec::new(),
        token: Some("s3cret".into()),
    };
    let status = |path: &str, headers: &[(&str, &str)]| {
        explorer
            .answer(&get(path, headers), &guarded)
            .map(|r| r.status().as_u16())
    };
    let local = ("host", "127.0.0.1:4010");
    for asset in [
        "/__mockdown/",
        "/__mockdown/explorer/app.js",
        "/__mockdown/explorer/app.css",
    ] {
        assert_eq!(status(asset, &[local]), Some(200), "{asset}");
        assert_eq!(
            status(asset, &[("host", "evil.example")]),
            Some(200),
            "{asset}"
        );
    }
    for doc in [
        "/__mockdown/explorer/index.json",
        "/__mockdown/explorer/operations/v1UserAgent_SaveRoleEntity.json",
        "/__mockdown/explorer/types/Associate.json",
    ] {
        assert_eq!(status(doc, &[local]), Some(401), "{doc}");
        assert_eq!(
            status(doc, &[local, ("x-mockdown-admin-token", "nope")]),
            Some(401)
        );
        assert_eq!(
            status(doc, &[local, ("x-mockdown-admin-token", "s3cret")]),
            Some(200)
        );
        assert_eq!(
            status(doc, &[local, ("authorization", "Bearer s3cret")]),
            Some(200)
        );
        assert_eq!(
            status(
                doc,
                &[
                    ("host", "evil.example"),
                    ("x-mockdown-admin-token", "s3cret")
                ]
            ),
            Some(403),
            "{doc}: a DNS-rebound name"
        );
    }
}

fn plain_again(explorer: &Explorer) -> Response<Full<Bytes>> {
    explorer
        .open(&get("/__mockdown/explorer/index.json", &[]))
        .expect("index")
}

#[test]
fn new_compresses_in_the_background() {
    let explorer = Explorer::new(&seed_contract());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !explorer.is_compressed() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(explorer.is_compressed());
}

#[test]
fn an_empty_contract_still_has_a_page() {
    let explorer = Explorer::default();
    assert_eq!(explorer.operations(), 0);
    assert!(explorer.held_bytes() > 0);
    assert!(super::assets::page().is_some_and(|p| p.len() > 500));
}

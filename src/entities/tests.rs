//! Entity grouping on a small contract shaped like the REST and agent pages.

use serde_json::json;

use super::*;
use crate::contract::{Operation, Parameter, RequestBody, Response};

fn op(id: &str, method: &str, path: &str, body: Option<Value>, answer: Option<&str>) -> Operation {
    let mut op = Operation {
        operation_id: id.into(),
        method: method.into(),
        path: path.into(),
        success_status: if answer.is_some() { 200 } else { 204 },
        ..Operation::default()
    };
    if path.ends_with("{id}") {
        op.path_parameters.push(Parameter {
            name: "id".into(),
            required: true,
            schema: json!({"type": "integer"}),
            ..Parameter::default()
        });
    }
    op.request_body = body.map(|schema| RequestBody {
        name: "entity".into(),
        schema,
        ..RequestBody::default()
    });
    let schema = match answer {
        Some(t) => json!({"$ref": format!("../types/{t}.json")}),
        None => json!({"type": "null"}),
    };
    op.responses.insert(
        op.success_status.to_string(),
        Response {
            description: String::new(),
            schema,
        },
    );
    op
}

fn with_query_id(mut op: Operation, name: &str) -> Operation {
    op.query_parameters.push(Parameter {
        name: name.into(),
        required: true,
        schema: json!({"type": "integer"}),
        ..Parameter::default()
    });
    op
}

fn contract() -> Contract {
    let entity = |extra: Value| {
        let mut props = json!({
            "ContactId": {"type": "integer", "description": "Primary key"},
            "Name": {"type": "string"}, "Department": {"type": "string"}
        });
        if let (Some(props), Some(extra)) = (props.as_object_mut(), extra.as_object()) {
            props.extend(extra.clone());
        }
        json!({"type": "object", "properties": props})
    };
    let mut types = BTreeMap::new();
    types.insert("ContactEntity".to_string(), entity(json!({})));
    types.insert(
        "ContactEntityWithLinks".to_string(),
        entity(json!({"_Links": {"type": "object"}})),
    );
    types.insert(
        "ContactSummary".to_string(),
        json!({"type": "object", "properties": {"ContactId": {"type": "integer"}, "Count": {"type": "integer"}}}),
    );
    let rest = json!({"$ref": "../types/ContactEntityWithLinks.json"});
    let agent = json!({"$ref": "../types/ContactEntity.json"});
    let patch = json!({"type": "array"});
    let mut contract = Contract {
        types,
        profile: Default::default(),
        operations: vec![
            op(
                "RestGet",
                "GET",
                "/api/v1/Contact/{id}",
                None,
                Some("ContactEntityWithLinks"),
            ),
            op(
                "RestPost",
                "POST",
                "/api/v1/Contact",
                Some(rest.clone()),
                Some("ContactEntityWithLinks"),
            ),
            op(
                "RestPut",
                "PUT",
                "/api/v1/Contact/{id}",
                Some(rest),
                Some("ContactEntityWithLinks"),
            ),
            op(
                "RestPatch",
                "PATCH",
                "/api/v1/Contact/{id}",
                Some(patch),
                Some("ContactEntityWithLinks"),
            ),
            op("RestDelete", "DELETE", "/api/v1/Contact/{id}", None, None),
            with_query_id(
                op(
                    "AgentGet",
                    "POST",
                    "/api/v1/Agents/Contact/GetContactEntity",
                    None,
                    Some("ContactEntity"),
                ),
                "contactEntityId",
            ),
            op(
                "AgentSave",
                "POST",
                "/api/v1/Agents/Contact/SaveContactEntity",
                Some(agent),
                Some("ContactEntity"),
            ),
            with_query_id(
                op(
                    "AgentDelete",
                    "POST",
                    "/api/v1/Agents/Contact/DeleteContactEntity",
                    None,
                    None,
                ),
                "ContactEntityId",
            ),
            with_query_id(
                op(
                    "Summary",
                    "POST",
                    "/api/v1/Agents/Contact/GetContactSummary",
                    None,
                    Some("ContactSummary"),
                ),
                "contactId",
            ),
        ],
    };
    contract.profile =
        crate::contract::infer_profile::infer(&contract.operations, &contract.types, &[]);
    contract
}

#[test]
fn rest_and_agent_operations_share_one_entity() {
    let contract = contract();
    let map = EntityMap::of(&contract);
    assert_eq!(map.entities.len(), 1, "{:#?}", map.entities);
    let contact = &map.entities[0];
    assert_eq!(contact.name, "Contact");
    assert_eq!(contact.key, "ContactId");
    assert_eq!(contact.types, ["ContactEntity", "ContactEntityWithLinks"]);
    let role = |id: &str| {
        let i = contract
            .operations
            .iter()
            .position(|o| o.operation_id == id)
            .expect("operation");
        map.role(i).map(|(_, role, source)| (*role, source.clone()))
    };
    let path = || IdSource::Path("id".into());
    assert_eq!(role("RestGet"), Some((Role::Read, path())));
    assert_eq!(role("RestPost"), Some((Role::Save, IdSource::Body)));
    assert_eq!(role("RestPut"), Some((Role::Save, path())));
    assert_eq!(role("RestPatch"), Some((Role::Patch, path())));
    assert_eq!(role("RestDelete"), Some((Role::Delete, path())));
    let query = |n: &str| IdSource::Query(n.into());
    assert_eq!(
        role("AgentGet"),
        Some((Role::Read, query("contactEntityId")))
    );
    assert_eq!(role("AgentSave"), Some((Role::Save, IdSource::Body)));
    assert_eq!(
        role("AgentDelete"),
        Some((Role::Delete, query("ContactEntityId")))
    );
    assert_eq!(role("Summary"), None, "a summary is not the entity");
}

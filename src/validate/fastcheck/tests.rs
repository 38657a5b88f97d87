//! The fast path's tests: it is never certain where jsonschema rejects, it places the root
//! members as the scanner finds them, and the documented samples take it.

use super::*;
use serde_json::json;

fn agree(schema: &Value, types: &BTreeMap<String, Value>, text: &str) -> bool {
    let fast = FastCheck::compile(schema, types).certainly_valid(text);
    if fast {
        let registry = crate::contract::validate::SchemaSet::new(types).expect("types");
        let validator = registry.compile(schema).expect("compiles");
        let value: Value = serde_json::from_str(text).expect("JSON");
        assert!(
            validator.is_valid(&value),
            "fast path accepted what jsonschema rejects: {text}"
        );
    }
    fast
}

#[test]
fn certain_only_of_what_jsonschema_accepts() {
    let mut types = BTreeMap::new();
    types.insert(
        "Owner".to_string(),
        json!({"type": ["object", "null"], "title": "Owner", "properties": {
            "Id": {"type": "integer", "format": "int32", "minimum": -2147483648, "maximum": 2147483647},
            "Boss": {"$ref": "../types/Owner.json", "description": "recursive"}
        }}),
    );
    let schema = json!({"type": "object", "properties": {
        "Id": {"type": "integer", "format": "int32", "minimum": -2147483648, "maximum": 2147483647},
        "Name": {"type": "string"},
        "When": {"type": "string", "format": "date-time"},
        "Tags": {"type": "array", "items": {"type": "string"}},
        "Any": {"type": "array"},
        "Owner": {"$ref": "../types/Owner.json"},
        "State": {"type": "string", "enum": ["Open", "Closed"]},
        "Ratio": {"type": "number"},
        "On": {"type": "boolean"}
    }});
    let valid = [
        r#"{"Id": 1, "Name": "x", "When": "2016-09-15T14:19:10.1623498+02:00", "Tags": ["a"], "Owner": {"Id": 2, "Boss": {"Id": 3, "Boss": null}}, "State": "Open", "Ratio": 1.5, "On": true, "Extra": [1, {"a": null}], "Any": [1, "x"]}"#,
        r#"{"Owner": null, "Id": 3.0, "Ratio": 2}"#,
        r#"{}"#,
    ];
    for text in valid {
        assert!(agree(&schema, &types, text), "{text}");
    }
    let not_certain = [
        r#"{"Id": "1"}"#,
        r#"{"Id": 1.5}"#,
        r#"{"Id": 4294967296}"#,
        r#"{"Id": 2147483647.5}"#,
        r#"{"Name": null}"#,
        r#"{"When": "2016-09-15 14:19:10Z"}"#,
        r#"{"When": "2016-02-30T14:19:10Z"}"#,
        r#"{"When": "15/09/2016"}"#,
        r#"{"Tags": [1]}"#,
        r#"{"Owner": {"Id": "x"}}"#,
        r#"{"Owner": {"Boss": {"Id": true}}}"#,
        r#"{"State": "Gone"}"#,
        r#"{"On": "yes"}"#,
        r#"[]"#,
        r#"{"Id": 1,}"#,
        r#"{"Id": 1} x"#,
    ];
    for text in not_certain {
        assert!(!agree(&schema, &types, text), "{text}");
    }
    // int64 bounds are compared as integers: 2^63 is past i64::MAX although both are the
    // same float.
    let long = json!({"type": "object", "properties": {
        "Id": {"type": "integer", "format": "int64", "minimum": i64::MIN, "maximum": i64::MAX}}});
    assert!(agree(&long, &types, r#"{"Id": 9223372036854775807}"#));
    assert!(agree(&long, &types, r#"{"Id": -9223372036854775808}"#));
    // Past i64 the text is read as a float, the same for both paths: -2^63 - 1 rounds to
    // -2^63, which is in range.
    assert!(agree(&long, &types, r#"{"Id": -9223372036854775809}"#));
    for text in [
        r#"{"Id": 9223372036854775808}"#,
        r#"{"Id": 18446744073709551615}"#,
        r#"{"Id": 9223372036854775808.0}"#,
        r#"{"Id": 1e300}"#,
    ] {
        assert!(!agree(&long, &types, text), "{text}");
    }
    // Keywords it does not know: never certain.
    let conditional =
        json!({"if": {"type": "array"}, "then": {"type": "array"}, "else": {"type": "object"}});
    assert!(!FastCheck::compile(&conditional, &types).certainly_valid("{}"));
}

#[test]
fn members_are_placed_as_the_scanner_finds_them() {
    let types = BTreeMap::new();
    let schema = json!({"type": "object", "properties": {
        "A": {"type": "integer"}, "B": {"type": "string"}, "C": {"type": "object"}
    }});
    let check = FastCheck::compile(&schema, &types);
    for text in [
        r#"{"A":1,"B":"x","C":{"D":[1,{"E":"}"}]}}"#,
        " {\r\n \"A\" :\t1 ,\n \"B\" : \"s,}\\\"]\" , \"C\" : { } , \"Z\" : [ 1 , 2 ] }\n ",
        r#"{"A": 1, "A": 2}"#,
        r#"{"A": -15e2, "B": "z"}"#,
        r#"{"\u0041": 1, "B": "y"}"#,
        r#"{"Bé": "ü", "A": -1.25}"#,
        r#"{}"#,
        r#"{ }"#,
    ] {
        let placed = check.members(text);
        let scanned = top_level_fields(text);
        if text.contains("-1.25") {
            assert!(placed.is_none(), "not an integer: unsure");
            continue;
        }
        assert_eq!(placed, Some(scanned), "{text}");
    }
    let array = FastCheck::compile(&json!({"type": "array"}), &types);
    assert_eq!(array.members(r#"[{"A": 1}]"#), Some(Vec::new()));
}

#[test]
fn maps_and_base64_take_the_fast_path() {
    let types = BTreeMap::new();
    let map = json!({"type": "object", "properties": {"Blob": {"type": "string", "format": "byte"}},
        "additionalProperties": {"type": "object", "properties": {"FieldLength": {"type": "integer"}}}});
    let fast = FastCheck::compile(&map, &types);
    assert!(fast.certainly_valid(r#"{"Blob": "aGVsbG8=", "name": {"FieldLength": 5}}"#));
    assert!(!fast.certainly_valid(r#"{"name": {"FieldLength": "5"}}"#));
    assert!(!fast.certainly_valid(r#"{"Blob": "not base64!"}"#));
    let email = json!({"type": "string", "format": "email"});
    assert!(!FastCheck::compile(&email, &types).certainly_valid(r#""a@b.example""#));
}

use proptest::prelude::*;

/// JSON values shaped like request bodies: keys drawn from `names`, leaves of every kind
/// (dates well and badly formed, numbers at the int32 edges).
fn json(names: Vec<String>) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop_oneof![
            Just(2147483647i64),
            Just(2147483648i64),
            Just(-2147483649i64),
            any::<i32>().prop_map(i64::from)
        ]
        .prop_map(|n| json!(n)),
        wide_number(),
        (-1.0e6f64..1.0e6).prop_map(|f| json!(f)),
        prop_oneof![
            Just("2016-09-15T14:19:10.1623498+02:00".to_string()),
            Just("2016-09-15T14:19:10Z".to_string()),
            Just("2016-02-30T14:19:10Z".to_string()),
            Just("2016-09-15T24:00:00Z".to_string()),
            Just("2016-09-15t14:19:10z".to_string()),
            Just("aGVsbG8=".to_string()),
            Just("aGVsbG8".to_string()),
            Just("a@b.example".to_string()),
            "[a-zA-Z0-9 ]{0,8}",
        ]
        .prop_map(Value::String),
    ];
    let keys = proptest::sample::select(names);
    leaf.prop_recursive(4, 48, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((keys.clone(), inner), 0..8)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// Numbers at the int64 and u64 edges and next to 2^53 (where a float stops holding every
/// integer), as integers and as floats, and any i64 or u64.
fn wide_number() -> impl Strategy<Value = Value> {
    const TWO_53: i64 = 1 << 53;
    prop_oneof![
        prop_oneof![
            Just(i64::MIN),
            Just(i64::MIN + 1),
            Just(i64::MAX),
            Just(i64::MAX - 1),
            (-2i64..=2).prop_map(|d| TWO_53 + d),
            (-2i64..=2).prop_map(|d| -TWO_53 + d),
            any::<i64>(),
        ]
        .prop_map(|n| json!(n)),
        prop_oneof![
            Just(u64::MAX),
            Just(u64::MAX - 1),
            Just(1u64 << 63),
            Just((1u64 << 63) + 1),
            any::<u64>(),
        ]
        .prop_map(|n| json!(n)),
        prop_oneof![
            Just(9.223372036854776e18f64),
            Just(-9.223372036854776e18f64),
            Just(1.8446744073709552e19f64),
            Just(9007199254740992.0f64),
            Just(9007199254740994.0f64),
            Just(-9007199254740992.0f64),
            Just(2147483647.5f64),
            Just(-2147483648.5f64),
        ]
        .prop_map(|f| json!(f)),
    ]
}

type Seeds = (BTreeMap<String, Value>, Vec<Value>, Vec<String>);

/// The seed contracts' named types, request body schemas, and every property name.
fn seed_bodies() -> &'static Seeds {
    static SEEDS: std::sync::LazyLock<Seeds> = std::sync::LazyLock::new(load_seeds);
    &SEEDS
}

fn load_seeds() -> Seeds {
    let set = crate::docs::load_dir(std::path::Path::new("docs"), &|| {}).expect("docs load");
    let contract = crate::contract::build_with(set, false).contract;
    let schemas: Vec<Value> = contract
        .operations
        .iter()
        .filter_map(|op| op.request_body.as_ref().map(|b| b.schema.clone()))
        .collect();
    let mut names = std::collections::BTreeSet::new();
    fn collect(v: &Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get("properties") {
                    out.extend(props.keys().cloned());
                }
                map.values().for_each(|v| collect(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
    schemas.iter().for_each(|s| collect(s, &mut names));
    contract.types.values().for_each(|t| collect(t, &mut names));
    (contract.types, schemas, names.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// Never "certainly valid" where jsonschema says invalid, on the seed contracts.
    #[test]
    fn never_certain_of_what_jsonschema_rejects(pick in 0usize..16, value in json(seed_bodies().2.clone())) {
        let (types, schemas, _) = seed_bodies();
        let schema = &schemas[pick % schemas.len()];
        // Compact and pretty text: the members are placed right whatever the spacing.
        let text = if pick % 2 == 0 {
            value.to_string()
        } else {
            serde_json::to_string_pretty(&value).expect("serializes")
        };
        if let Some(members) = FastCheck::compile(schema, types).members(&text) {
            let registry = crate::contract::validate::SchemaSet::new(types).expect("types");
            let validator = registry.compile(schema).expect("compiles");
            prop_assert!(validator.is_valid(&value), "fast path accepted {text}");
            prop_assert_eq!(members, top_level_fields(&text), "placed members of {}", text);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// The same, on the keywords the seeds may lack: maps, `byte`, formats left to
    /// jsonschema, closed objects.
    #[test]
    fn never_certain_of_what_jsonschema_rejects_in_maps_and_formats(
        pick in 0usize..4,
        value in json(vec![
            "FieldLength".into(), "Blob".into(), "Mail".into(), "x".into(),
            "Long".into(), "Unsigned".into(), "Near".into(), "Int".into(),
        ]),
    ) {
        let schemas = [
            json!({"type": "object", "properties": {
                "Long": {"type": "integer", "format": "int64",
                    "minimum": i64::MIN, "maximum": i64::MAX},
                "Unsigned": {"type": "integer", "minimum": 0, "maximum": u64::MAX},
                "Near": {"type": "number", "minimum": -9007199254740993i64,
                    "maximum": 9007199254740993i64},
                "Int": {"type": "integer", "format": "int32",
                    "minimum": -2147483648, "maximum": 2147483647.0}}}),
            json!({"type": "object", "additionalProperties": {"type": "object", "properties": {
                "FieldLength": {"type": "integer", "minimum": 0, "maximum": 100}}}}),
            json!({"type": "object", "properties": {
                "Blob": {"type": "string", "format": "byte"},
                "Mail": {"type": "string", "format": "email"}}}),
            json!({"type": "object", "properties": {"Blob": {"type": ["string", "null"]}},
                "additionalProperties": false}),
        ];
        let types = BTreeMap::new();
        let schema = &schemas[pick];
        let text = value.to_string();
        // The value the full path sees is the text read back (integers past u64 turn float).
        let value: Value = serde_json::from_str(&text).expect("JSON");
        if FastCheck::compile(schema, &types).members(&text).is_some() {
            let registry = crate::contract::validate::SchemaSet::new(&types).expect("types");
            let validator = registry.compile(schema).expect("compiles");
            prop_assert!(validator.is_valid(&value), "fast path accepted {text} for {schema}");
        }
    }
}

#[test]
fn the_documented_samples_take_the_fast_path() {
    let set = crate::docs::load_dir(std::path::Path::new("docs"), &|| {}).expect("docs load");
    let contract = crate::contract::build_with(set, false).contract;
    let mut taken = 0;
    for op in &contract.operations {
        let (Some(body), Some(sample)) = (
            &op.request_body,
            op.example.request.as_ref().and_then(|r| r.body.as_ref()),
        ) else {
            continue;
        };
        let fast = FastCheck::compile(&body.schema, &contract.types);
        assert!(
            fast.certainly_valid(&sample.to_string()),
            "{}",
            op.operation_id
        );
        taken += 1;
    }
    assert!(taken >= 4, "{taken} samples checked");
}

//! `verify --generate N`, `--negative` and `--stateful` against real servers on ephemeral
//! ports: the mock passes every mode; the generated requests are the same under the same
//! seed; a fault that only some requests hit is found, shrunk to the smallest request that
//! still hits it and printed as curl; invalid requests a server accepts are failures; a
//! save that is not kept is found by the sequences.

use super::common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::MockConfig;
use crate::contract::{self, Contract};
use crate::docs;
use crate::verify::case::Mode;
use crate::verify::report::{Tally, junit};
use crate::verify::run::{OpResult, Outcome, VerifyOptions, run};

fn contract_of(dir: &str) -> Contract {
    let set = docs::load_dir(Path::new(dir), &|| {}).expect("pages load");
    contract::build_with(set, false).contract
}

fn all_modes(target: String, seed: u64) -> VerifyOptions {
    VerifyOptions {
        target,
        concurrency: 4,
        timeout: Duration::from_secs(5),
        generate: 20,
        negative: true,
        stateful: true,
        seed,
        ..VerifyOptions::default()
    }
}

async fn verify(dir: &str, options: VerifyOptions) -> Vec<OpResult> {
    run(
        Arc::new(contract_of(dir)),
        Arc::new(options),
        Arc::new(|_: &OpResult| {}),
    )
    .await
    .expect("verify runs")
}

fn sent(results: &[OpResult], mode: Mode) -> usize {
    results
        .iter()
        .filter(|r| r.mode == mode)
        .map(|r| r.cases)
        .sum()
}

#[tokio::test]
async fn the_mock_passes_every_mode() {
    for (dir, stateful) in [
        ("docs", false),
        ("tests/fixtures/api", false),
        ("tests/fixtures/state", true),
    ] {
        let server = common::start(
            dir,
            MockConfig {
                stateful,
                ..MockConfig::default()
            },
        )
        .await;
        let mut options = all_modes(server.url(), 0);
        // Its sample replaces Name with the docs' `{}` placeholder, which a stateful mock
        // refuses (the stored entity would break its schema).
        options.skip = vec!["v1GadgetEntity_PatchGadget".into()];
        let results = verify(dir, options).await;
        let failed: Vec<String> = results
            .iter()
            .filter(|r| r.failed())
            .map(crate::verify::report::failure_text)
            .collect();
        assert!(failed.is_empty(), "{dir}: {}", failed.join("\n"));
        let operations = results.iter().filter(|r| r.mode == Mode::Sample).count();
        assert!(
            sent(&results, Mode::Generate) > 3 * operations,
            "{dir}: generated"
        );
        assert!(sent(&results, Mode::Negative) > 0, "{dir}: negative cases");
        if stateful {
            let sequences = results.iter().filter(|r| r.mode == Mode::Stateful).count();
            assert!(sequences >= 6, "{dir}: {sequences} stateful tests");
            assert!(sent(&results, Mode::Stateful) > 2 * sequences);
        }
        assert!(results.iter().all(|r| r.dropped == 0), "{dir}: dropped");
        server.stop().await;
    }
}

/// An upstream that records every request and answers `{}`.
async fn recorder() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let addr = common::start_upstream(move |method, path, body| {
        if let Ok(mut log) = log.lock() {
            log.push(format!("{method} {path} {}", String::from_utf8_lossy(body)));
        }
        (200, "application/json", "{}".into())
    })
    .await;
    (format!("http://{addr}"), seen)
}

async fn requests_of(seed: u64) -> Vec<String> {
    let (target, seen) = recorder().await;
    let mut options = all_modes(target, seed);
    options.stateful = false;
    verify("tests/fixtures/api", options).await;
    let mut requests = seen.lock().expect("lock").clone();
    requests.sort();
    requests
}

#[tokio::test]
async fn the_same_seed_sends_the_same_requests() {
    let first = requests_of(7).await;
    assert_eq!(first, requests_of(7).await);
    assert_ne!(first, requests_of(8).await);
    let all = first.join("\n");
    // Boundaries, each enum value, the page's query examples, broken cases.
    for shown in [
        "2147483647",
        "-2147483648",
        r#""Name":"""#,
        "$mode=Slim",
        "$mode=Wide",
        "$mode=Full",
        "$select=name,department",
        "fk=False",
        r#""Updated":"not a date""#,
        "$mode=NotOneOfThem",
        "/api/v1/Thing/not-a-number",
    ] {
        assert!(all.contains(shown), "{shown} not sent:\n{all}");
    }
}

/// The documented sample answer of `op` in `dir`: status and body.
fn sample_answer(dir: &str, op: &str) -> (u16, String) {
    let contract = contract_of(dir);
    let op = contract
        .operations
        .iter()
        .find(|o| o.operation_id == op)
        .expect("operation");
    let answer = op.example.response.as_ref().expect("a sample answer");
    (
        answer.status,
        answer
            .body
            .as_ref()
            .map(|b| b.to_string())
            .unwrap_or_default(),
    )
}

#[tokio::test]
async fn a_fault_some_requests_hit_is_found_shrunk_and_printed_as_curl() {
    // A server that answers the documented sample, but turns the date into a word when the
    // saved Department is empty: the sample never hits it.
    let (status, body) = sample_answer("tests/fixtures/api", "v1ThingEntity_PostThing");
    let addr = common::start_upstream(move |_, _, sent| {
        let sent: serde_json::Value = serde_json::from_slice(sent).unwrap_or_default();
        let text = if sent["Department"] == "" {
            body.replace("2016-09-15T14:19:10+02:00", "yesterday")
        } else {
            body.clone()
        };
        (status, "application/json; charset=utf-8", text)
    })
    .await;
    let mut options = all_modes(format!("http://{addr}"), 0);
    options.only = vec!["v1ThingEntity_PostThing".into()];
    options.negative = false;
    let results = verify("tests/fixtures/api", options.clone()).await;
    let sample = results
        .iter()
        .find(|r| r.mode == Mode::Sample)
        .expect("sample");
    assert_eq!(
        sample.outcome,
        Outcome::Passed,
        "the sample does not hit it"
    );
    let generated = results
        .iter()
        .find(|r| r.mode == Mode::Generate)
        .expect("generate");
    let Outcome::Failed { violations, .. } = &generated.outcome else {
        panic!("generate finds it: {generated:#?}")
    };
    assert_eq!(violations[0].pointer, "/Updated");
    assert_eq!(violations[0].keyword, "format");
    assert!(generated.failed_cases >= 1 && generated.failed_cases < generated.cases);
    // Shrunk: only the field that makes it fail is left.
    let curl = generated.curl.as_deref().expect("a curl command");
    assert!(
        curl.ends_with(r#"--data-raw '{"Department":""}'"#),
        "{curl}"
    );
    assert!(
        curl.starts_with(&format!("curl -X POST 'http://{addr}/api/v1/Thing'")),
        "{curl}"
    );
    // JUnit names the mode, the operation, the case and the shrunk request.
    let xml = junit(&results, "faulty", Duration::from_secs(1)).expect("report");
    assert!(
        xml.contains(r#"name="generate v1ThingEntity_PostThing""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<property name="mode" value="generate"/>"#),
        "{xml}"
    );
    assert!(xml.contains(r#"<property name="case" value=""#), "{xml}");
    assert!(xml.contains("Department&quot;:&quot;&quot;}"), "{xml}");
}

#[tokio::test]
async fn invalid_requests_a_server_accepts_are_failures() {
    let (status, body) = sample_answer("tests/fixtures/api", "v1ThingEntity_PostThing");
    let addr = common::start_upstream(move |_, _, _| {
        (status, "application/json; charset=utf-8", body.clone())
    })
    .await;
    let mut options = all_modes(format!("http://{addr}"), 0);
    options.only = vec!["v1ThingEntity_PostThing".into()];
    options.generate = 0;
    let results = verify("tests/fixtures/api", options).await;
    let negative = results
        .iter()
        .find(|r| r.mode == Mode::Negative)
        .expect("negative");
    let Outcome::Failed { reason, .. } = &negative.outcome else {
        panic!("accepting broken bodies fails: {negative:#?}")
    };
    assert!(reason.contains("not refused"), "{reason}");
    // Wrong type, not a date-time, a nested integer as text, no body at all: each one
    // accepted is a failure (the rest of the requests sent are the shrinking's).
    assert!(negative.failed_cases >= 4, "{negative:#?}");
}

#[tokio::test]
async fn a_save_that_is_not_kept_is_found() {
    // A mock without --stateful answers every save, and keeps none.
    let server = common::start("tests/fixtures/state", MockConfig::default()).await;
    let mut options = all_modes(server.url(), 0);
    options.generate = 0;
    options.negative = false;
    let results = verify("tests/fixtures/state", options).await;
    let sequences: Vec<&OpResult> = results
        .iter()
        .filter(|r| r.mode == Mode::Stateful)
        .collect();
    assert!(!sequences.is_empty());
    let creates: Vec<&&OpResult> = sequences
        .iter()
        .filter(|r| {
            r.sequence
                .as_deref()
                .is_some_and(|s| s.contains(" create via "))
        })
        .collect();
    assert!(!creates.is_empty());
    for create in creates {
        assert!(create.failed(), "{create:#?}");
        // It answers the id sent (0: no new entity), or a new one it cannot read back.
        let case = create.case.as_deref().unwrap_or_default();
        assert!(
            case == "save a new Gadget" || case == "read after save",
            "{create:#?}"
        );
        let save = create
            .sequence
            .as_deref()
            .and_then(|s| s.rsplit(' ').next());
        assert!(
            save.is_some_and(|save| create.operations.iter().any(|o| o == save)),
            "the failure names the save: {create:#?}"
        );
    }
    assert!(Tally::of(&results).failed > 0);
    server.stop().await;
}

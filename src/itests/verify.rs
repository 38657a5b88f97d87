//! `mockdown verify` against real servers on ephemeral ports: the mock itself (everything
//! passes) and a deliberately broken server (each kind of failure reported with its place).

use super::common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::MockConfig;
use crate::contract::{self, Contract};
use crate::docs;
use crate::verify::report::{Tally, junit};
use crate::verify::run::{OpResult, Outcome, VerifyOptions, run};

const FIXTURES: &str = "tests/fixtures/api";

fn contract_of(dir: &str) -> Contract {
    let set = docs::load_dir(Path::new(dir), &|| {}).expect("pages load");
    contract::build_with(set, false).contract
}

fn options(target: String) -> VerifyOptions {
    VerifyOptions {
        target,
        concurrency: 4,
        timeout: Duration::from_secs(5),
        ..VerifyOptions::default()
    }
}

async fn verify(dir: &str, options: VerifyOptions) -> Vec<OpResult> {
    let contract = contract_of(dir);
    let seen = Arc::new(Mutex::new(0usize));
    let counter = seen.clone();
    let results = run(
        Arc::new(contract),
        Arc::new(options),
        Arc::new(move |_: &OpResult| {
            if let Ok(mut n) = counter.lock() {
                *n += 1;
            }
        }),
    )
    .await
    .expect("verify runs");
    assert_eq!(
        *seen.lock().expect("lock"),
        results.len(),
        "one callback per operation"
    );
    results
}

fn by_id<'a>(results: &'a [OpResult], id: &str) -> &'a OpResult {
    results
        .iter()
        .find(|r| r.operation_id == id)
        .unwrap_or_else(|| panic!("{id} not in results"))
}

#[tokio::test]
async fn the_mock_keeps_its_own_contract() {
    for dir in ["docs", FIXTURES, "tests/fixtures/images"] {
        let server = common::start(dir, MockConfig::default()).await;
        let results = verify(dir, options(format!("http://{}", server.addr()))).await;
        let tally = Tally::of(&results);
        assert!(tally.passed > 0);
        assert_eq!(tally.failed, 0, "{dir}: {results:#?}");
        assert!(results.iter().all(|r| r.status.is_some_and(|s| s < 300)));
        server.stop().await;
    }
}

#[tokio::test]
async fn a_broken_server_is_reported_place_by_place() {
    let upstream = common::start_upstream(|method, _path, _body| match method {
        // Wrong Content-Type for GET.
        "GET" => (200, "text/html", "<html>hello</html>".into()),
        // A documented status whose body has a wrong type.
        "POST" => (
            201,
            "application/json",
            r#"{"ThingId": "twelve", "Name": "x", "Tags": ["a"], "Status": "Open"}"#.into(),
        ),
        // A status the page does not document.
        _ => (418, "application/json", r#"{"teapot": true}"#.into()),
    })
    .await;
    // Lenient, any documented status: the checks of the schema alone.
    let mut opts = options(format!("http://{upstream}"));
    opts.accept_documented_status = true;
    opts.lenient = true;
    let results = verify(FIXTURES, opts).await;
    assert_eq!(Tally::of(&results).failed, 3, "{results:#?}");

    let get = by_id(&results, "v1ThingEntity_GetThing");
    let Outcome::Failed { reason, violations } = &get.outcome else {
        panic!("GET should fail: {get:?}")
    };
    assert!(reason.contains("Content-Type"), "{reason}");
    assert_eq!(violations[0].location, "header");
    assert_eq!(violations[0].pointer, "Content-Type");
    assert_eq!(violations[0].found, "text/html");

    let post = by_id(&results, "v1ThingEntity_PostThing");
    let Outcome::Failed { violations, .. } = &post.outcome else {
        panic!("POST should fail: {post:?}")
    };
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].pointer, "/ThingId");
    assert_eq!(violations[0].keyword, "type");
    assert!(violations[0].found.contains("twelve"));

    let delete = by_id(&results, "v1ThingEntity_DeleteThing");
    let Outcome::Failed { reason, violations } = &delete.outcome else {
        panic!("DELETE should fail: {delete:?}")
    };
    assert_eq!(reason, "status 418 is not documented");
    assert_eq!(violations[0].location, "status");
    assert_eq!(violations[0].expected, "one of 204");

    let xml = junit(&results, "broken", Duration::from_secs(1)).expect("report");
    assert_eq!(xml.matches("<testcase ").count(), 3);
    assert_eq!(xml.matches("<failure ").count(), 3);
    assert!(xml.contains("/ThingId"), "violations in the failure text");
}

#[tokio::test]
async fn unreachable_servers_and_filters() {
    // Bind and drop: nothing listens on this port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut opts = options(format!("http://127.0.0.1:{port}"));
    opts.only = vec!["*getthing".into(), "*Delete*".into()];
    opts.skip = vec!["*DeleteThing".into()];
    let results = verify(FIXTURES, opts).await;
    assert_eq!(results.len(), 1, "only GetThing is selected: {results:#?}");
    let Outcome::Failed { reason, violations } = &results[0].outcome else {
        panic!("unreachable server is a failure")
    };
    assert!(reason.contains("cannot reach the server"), "{reason}");
    assert!(violations.is_empty());
}

#[tokio::test]
async fn timeouts_are_failures_with_a_reason() {
    let upstream = common::start_upstream_after(Duration::from_secs(2), |_, _, _| {
        (200, "application/json", "{}".into())
    })
    .await;
    let mut opts = options(format!("http://{upstream}"));
    opts.timeout = Duration::from_millis(100);
    opts.only = vec!["v1ThingEntity_GetThing".into()];
    let results = verify(FIXTURES, opts).await;
    let Outcome::Failed { reason, .. } = &results[0].outcome else {
        panic!("a timeout is a failure")
    };
    assert!(reason.contains("no answer within 0.1 s"), "{reason}");
}

//! The `mockdown` command line as a child process: exit codes by severity, the drift gate,
//! `check`, `diff` and `verify` reports, and the accept loop at the descriptor limit.

use std::process::Command;
use std::time::Duration;

use mockdown::MockServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common;

const BIN: &str = env!("CARGO_BIN_EXE_mockdown");
/// The fixture pages (GetThing, PostThing, DeleteThing...).
const FIXTURES: &str = "tests/fixtures/api";
/// A good page, a page without an endpoint, broken JSON, a duplicate path, index and toc.
const BROKEN: &str = "tests/fixtures/broken";
/// Only the good page of [`BROKEN`].
const GOOD_DIR: &str = "tests/fixtures/good";
/// Two page sets with every breaking and non-breaking class of change between them.
const OLD: &str = "tests/fixtures/diff/old";
const NEW: &str = "tests/fixtures/diff/new";

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn exit_codes_follow_severity() {
    let out = tempfile::tempdir().expect("tempdir");
    let broken_arg = BROKEN.to_string();
    let out_arg = out.path().to_string_lossy().into_owned();
    let (code, stdout, stderr) = run(&["build", &broken_arg, "--out", &out_arg]);
    assert_eq!(code, 1, "errors → exit 1");
    assert!(
        stderr.contains("error[no-endpoint]: b_no_endpoint.md:2:"),
        "{stderr}"
    );
    assert!(stdout.contains("2 pages built, 2 skipped"), "{stdout}");

    let docs_arg = GOOD_DIR.to_string();
    let (code, _, stderr) = run(&["build", &docs_arg, "--out", &out_arg]);
    assert_eq!(code, 0, "warnings only → exit 0: {stderr}");
    let (code, _, _) = run(&["build", &docs_arg, "--out", &out_arg, "--strict"]);
    assert_eq!(code, 1, "--strict turns warnings into errors");
    assert!(out.path().join("operations/v1Good_Get.json").is_file());
    assert!(out.path().join("types/Good.json").is_file());
}

#[test]
fn drift_gate_fails_then_passes() {
    let docs_dir = tempfile::tempdir().expect("tempdir");
    let out = tempfile::tempdir().expect("tempdir");
    let good = std::fs::read_to_string(format!("{GOOD_DIR}/a_good.md")).expect("reads");
    std::fs::write(docs_dir.path().join("a_good.md"), &good).expect("writes");
    let d = docs_dir.path().to_string_lossy().into_owned();
    let o = out.path().to_string_lossy().into_owned();
    let (code, _, _) = run(&["build", &d, "--out", &o, "--check"]);
    assert_eq!(code, 1, "nothing built yet: drift");
    assert_eq!(run(&["build", &d, "--out", &o]).0, 0);
    assert_eq!(run(&["build", &d, "--out", &o, "--check"]).0, 0, "in step");
    std::fs::write(
        docs_dir.path().join("a_good.md"),
        good.replace("| Name | string |", "| Name | int32 |"),
    )
    .expect("writes");
    let (code, _, stderr) = run(&["build", &d, "--out", &o, "--check"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("types/Good.json changed"), "{stderr}");
}

#[test]
fn the_command_renders_and_fails_on_breaking() {
    let bin = BIN;
    let run = |args: &[&str]| {
        Command::new(bin)
            .arg("diff")
            .args([OLD, NEW])
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

#[test]
fn the_command_exits_1_on_errors_and_speaks_json() {
    let bin = BIN;
    let clean = Command::new(bin)
        .args(["check", FIXTURES, "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(clean.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&clean.stdout).expect("JSON");
    assert_eq!(report["errors"], 0);
    assert_eq!(report["warnings"], 0);
    assert_eq!(report["findings"], serde_json::json!([]));

    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(FIXTURES).expect("fixtures") {
        let path = entry.expect("entry").path();
        let mut text = std::fs::read_to_string(&path).expect("fixture reads");
        if path.to_string_lossy().contains("GetThing") {
            text = text.replace("HTTP/1.1 200 ThingEntity found.", "HTTP/1.1 202 Accepted");
        }
        let name = path.file_name().expect("a file name");
        std::fs::write(dir.path().join(name), text).expect("page writes");
    }
    let broken = Command::new(bin)
        .arg("check")
        .arg(dir.path())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&broken.stdout);
    assert_eq!(broken.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("error[undocumented-sample-status]"),
        "{stdout}"
    );
    assert!(stdout.contains("1 errors"), "{stdout}");
    let json = Command::new(bin)
        .arg("check")
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(report["byCode"]["undocumented-sample-status"], 1);
    assert_eq!(report["findings"][0]["severity"], "error");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_writes_junit_and_exits_by_outcome() {
    let server = MockServer::builder()
        .docs("docs")
        .start()
        .await
        .expect("mock starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("junit.xml");
    let bin = BIN;
    let target = server.url();
    let output = tokio::task::spawn_blocking({
        let (report, target) = (report.clone(), target.clone());
        move || {
            Command::new(bin)
                .args(["verify", "--target", &target, "docs", "--junit"])
                .arg(&report)
                .output()
                .expect("runs")
        }
    })
    .await
    .expect("joins");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("5 passed, 0 failed, 0 skipped"), "{stdout}");
    let xml = std::fs::read_to_string(&report).expect("report written");
    assert_eq!(xml.matches("<testcase ").count(), 5);
    assert!(xml.contains(r#"failures="0""#));

    // The same run against a server that answers 500 to everything exits 1.
    let broken = common::start_upstream(|_, _, _| (500, "text/plain", "boom".into())).await;
    let output = tokio::task::spawn_blocking(move || {
        Command::new(bin)
            .args(["verify", "--target", &format!("http://{broken}"), "docs"])
            .output()
            .expect("runs")
    })
    .await
    .expect("joins");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("0 passed, 5 failed"), "{stdout}");
    assert!(stderr.contains("status 500 is not documented"), "{stderr}");
    server.stop().await;
}

// Two workers: the upstream answers on this runtime while the test waits for the child.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_files_and_headers_from_the_command_line() {
    let upstream = common::start_upstream(|_, _, _| (500, "text/plain", "no".into())).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("values.toml");
    // A values file that names no operation is reported; a header without a colon refused.
    std::fs::write(&file, "[NoSuchOperation]\npath = { id = 1 }\n").expect("writes");
    let output = std::process::Command::new(BIN)
        .args([
            "verify",
            "--target",
            &format!("http://{upstream}"),
            "tests/fixtures/api",
            "-H",
            "X-Key: k1",
            "--values",
        ])
        .arg(&file)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`NoSuchOperation`"), "{stderr}");
    let bad = std::process::Command::new(BIN)
        .args(["verify", "--target", "http://127.0.0.1:9", "-H", "no colon"])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
}

/// CPU time (user + system, in clock ticks) of process `pid`.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(11) + field(12)
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_descriptor_limit_the_server_backs_off_and_keeps_serving() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let bin = BIN;
    let script = format!(
        "ulimit -n 48; exec {bin} serve {FIXTURES} --port {port} --no-auth --log-level error --header-timeout 3 --threads 1"
    );
    let mut child = std::process::Command::new("sh")
        .args(["-c", &script])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("starts");
    let addr: std::net::SocketAddr = ([127, 0, 0, 1], port).into();
    let request = b"GET /api/v1/Thing/1?$top=1 HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut keep = None;
    for _ in 0..100 {
        if let Ok(stream) = TcpStream::connect(addr).await {
            keep = Some(stream);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut keep = keep.expect("the server listens");
    // A client served before the flood, on a keep-alive connection.
    keep.write_all(request).await.expect("writes");
    let mut buffer = [0u8; 2048];
    let n = keep.read(&mut buffer).await.expect("answered");
    assert!(buffer[..n].starts_with(b"HTTP/1.1 200"));
    // Far more connections than descriptors: the accept loop meets EMFILE.
    let mut flood = Vec::new();
    for _ in 0..120 {
        if let Ok(stream) = TcpStream::connect(addr).await {
            flood.push(stream);
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = cpu_ticks(child.id());
    tokio::time::sleep(Duration::from_secs(1)).await;
    let spent = cpu_ticks(child.id()) - before;
    assert!(
        spent < 30,
        "the accept loop spun: {spent} ticks in a second"
    );
    // The connection it has is still served.
    keep.write_all(request).await.expect("writes");
    let n = tokio::time::timeout(Duration::from_secs(2), keep.read(&mut buffer))
        .await
        .expect("answered in time")
        .expect("reads");
    assert!(buffer[..n].starts_with(b"HTTP/1.1 200"));
    // Once the flood is gone, new clients are served again.
    drop(flood);
    drop(keep);
    let mut served = String::new();
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        served = common::raw(
            addr,
            b"GET /api/v1/Thing/1?$top=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            Duration::from_secs(2),
        )
        .await;
        if served.starts_with("HTTP/1.1 200") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(served.starts_with("HTTP/1.1 200"), "{served}");
}

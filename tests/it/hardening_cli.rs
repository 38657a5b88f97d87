//! Issue 12 §2 and §5 (command line): durations no timer can hold refused by flag name, a
//! closed pipe ends a command quietly, no colour in redirected output, and bundle file
//! names that neither collide nor overflow.

use std::io::Read;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_mockdown");

fn run(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("runs")
}

#[test]
fn durations_out_of_range_are_refused_by_flag_name() {
    let cases: [&[&str]; 6] = [
        &[
            "verify",
            "--target",
            "http://127.0.0.1:9",
            "--timeout",
            "1e30",
        ],
        &[
            "verify",
            "--target",
            "http://127.0.0.1:9",
            "--timeout",
            "NaN",
        ],
        &["verify", "--target", "http://127.0.0.1:9", "--timeout=-1"],
        &[
            "proxy",
            "--upstream",
            "http://127.0.0.1:9",
            "--timeout",
            "1e30",
        ],
        &["serve", "--header-timeout", "inf"],
        &["serve", "--latency", "18446744073709551615"],
    ];
    for args in cases {
        let output = run(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        let flag = args
            .iter()
            .find(|a| {
                a.starts_with("--") && !a.starts_with("--target") && !a.starts_with("--upstream")
            })
            .map(|a| a.split('=').next().unwrap_or_default())
            .unwrap_or_default();
        assert!(
            stderr.contains(flag),
            "{args:?} should name {flag}: {stderr}"
        );
    }
}

#[test]
fn a_closed_pipe_ends_a_command_quietly() {
    let mut child = Command::new(BIN)
        .args(["openapi", "docs"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).expect("some output");
    drop(stdout);
    let status = child.wait().expect("ends");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("reads");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        matches!(status.code(), Some(0 | 141)),
        "{status:?}: {stderr}"
    );
}

#[test]
fn redirected_output_has_no_colour() {
    let out = tempfile::tempdir().expect("temp dir");
    let outputs = [
        run(&["check", "docs"]),
        run(&["build", "docs", "--out", &out.path().to_string_lossy()]),
        run(&[
            "verify",
            "--target",
            "http://127.0.0.1:9",
            "docs",
            "--timeout",
            "1",
        ]),
        run(&["diff", "docs", "docs"]),
    ];
    for output in outputs {
        for stream in [&output.stdout, &output.stderr] {
            assert!(
                !stream.contains(&0x1b),
                "{}",
                String::from_utf8_lossy(stream)
            );
        }
    }
}

#[test]
fn bundle_file_names_never_collide_nor_overflow() {
    let page =
        std::fs::read_to_string("tests/fixtures/api/v1ThingEntity_GetThing.md").expect("fixture");
    let docs = tempfile::tempdir().expect("temp dir");
    let long = format!("v1Thing_{}", "Long".repeat(1250));
    for (file, uid) in [
        ("a.md", "v1Thing/Get"),
        ("b.md", "v1Thing_Get"),
        ("c.md", long.as_str()),
    ] {
        let text = page.replace("uid: v1ThingEntity_GetThing", &format!("uid: {uid}"));
        std::fs::write(docs.path().join(file), text).expect("writes");
    }
    let out = tempfile::tempdir().expect("temp dir");
    let output = run(&[
        "build",
        &docs.path().to_string_lossy(),
        "--out",
        &out.path().to_string_lossy(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("note: v1Thing/Get is written to"),
        "{stderr}"
    );
    assert!(stderr.contains("too long for a file name"), "{stderr}");
    let files: Vec<String> = std::fs::read_dir(out.path().join("operations"))
        .expect("operations written")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(files.contains(&"v1Thing_Get.json".to_string()), "{files:?}");
    assert!(files.iter().all(|f| f.len() <= 130), "{files:?}");
    for file in &files {
        let text = std::fs::read_to_string(out.path().join("operations").join(file))
            .expect("operation reads back");
        let schema: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert!(schema.is_object(), "{file}");
    }
}

//! Broken pages give diagnostics with file:line; the other pages still build; the exit code
//! says whether anything was wrong.

use std::fs;
use std::path::Path;
use std::process::Command;

use mockdown::contract;
use mockdown::diag::Severity;
use mockdown::docs;

const GOOD: &str = "---\nuid: v1Good_Get\n---\n\n# GET Good\n\n```http\nGET /api/v1/Good/{id}\n```\n\n\
| Path Part | Type | Description |\n|---|---|---|\n| id | int32 | The id **Required** |\n\n\
## Response:\n\nOK\n\n| Response | Description |\n|---|---|\n| 200 | OK |\n\n\
### Response body: Good\n\n| Property Name | Type |  Description |\n|---|---|---|\n\
| GoodId | int32 | Primary key |\n| Name | string | Name |\n\n\
## Sample request\n\n```http!\nGET /api/v1/Good/{id}\nAccept: application/json\n```\n\n\
## Sample response\n\n```http_\nHTTP/1.1 200 OK\nContent-Type: application/json\n\n{\n  \"GoodId\": 1,\n  \"Name\": 7\n}\n```\n";

/// 1-based line of the first line containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(0, |i| i + 1)
}

fn write_pages(dir: &Path, pages: &[(&str, &str)]) {
    for (name, text) in pages {
        fs::write(dir.join(name), text).expect("writes page");
    }
}

fn broken_set() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let no_endpoint = "---\nuid: v1Broken_NoEndpoint\n---\n\n# Broken\n\n## Request Headers\n\n| Parameter Name | Description |\n|---|---|\n| Accept | x |\n";
    let bad_json = GOOD
        .replace("v1Good_Get", "v1Bad_Json")
        .replace("\"Name\": 7", "\"Name\": 7,,");
    let duplicate = GOOD.replace("/api/v1/Good/", "/api/v1/Other/");
    write_pages(
        dir.path(),
        &[
            ("a_good.md", GOOD),
            ("b_no_endpoint.md", no_endpoint),
            ("c_bad_json.md", &bad_json),
            ("d_duplicate.md", &duplicate),
            (
                "index.md",
                "---\ntitle: Index\n---\n\n* [Good](a_good.md)\n",
            ),
            ("toc.yml", "items: []\n"),
        ],
    );
    dir
}

#[test]
fn broken_pages_are_diagnosed_and_the_rest_builds() {
    let dir = broken_set();
    let set = docs::load_dir(dir.path(), &|| {}).expect("loads");
    let build = contract::build(set);
    let ids: Vec<&str> = build
        .contract
        .operations
        .iter()
        .map(|o| o.operation_id.as_str())
        .collect();
    assert_eq!(ids, ["v1Bad_Json", "v1Good_Get"]);
    assert_eq!(
        build.pages_skipped, 2,
        "index.md and toc.yml are not reference pages"
    );
    let find = |code: &str| {
        build
            .diagnostics
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("no {code} in {:#?}", build.diagnostics))
    };
    let no_endpoint = find("no-endpoint");
    assert_eq!(
        (no_endpoint.file.as_str(), no_endpoint.line),
        ("b_no_endpoint.md", 2)
    );
    let bad_json = find("bad-sample-json");
    assert_eq!(bad_json.file, "c_bad_json.md");
    assert_eq!(
        bad_json.line,
        line_of(&GOOD.replace("\"Name\": 7", "\"Name\": 7,,"), "\"Name\""),
        "the line of the stray comma"
    );
    let duplicate = find("duplicate-operation-id");
    assert_eq!(
        (duplicate.file.as_str(), duplicate.line),
        ("d_duplicate.md", 2)
    );
    // The table says Name is a string; the sample says 7: the table wins, a warning says so.
    let mismatch = find("sample-mismatch");
    assert_eq!(mismatch.severity, Severity::Warning);
    assert_eq!(mismatch.pointer.as_deref(), Some("/Name"));
    assert_eq!(mismatch.line, line_of(GOOD, "\"Name\""));
    assert!(mismatch.message.contains("string") && mismatch.message.contains('7'));
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mockdown"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn exit_codes_follow_severity() {
    let broken = broken_set();
    let out = tempfile::tempdir().expect("tempdir");
    let broken_arg = broken.path().to_string_lossy().into_owned();
    let out_arg = out.path().to_string_lossy().into_owned();
    let (code, stdout, stderr) = run(&["build", &broken_arg, "--out", &out_arg]);
    assert_eq!(code, 1, "errors → exit 1");
    assert!(
        stderr.contains("error[no-endpoint]: b_no_endpoint.md:2:"),
        "{stderr}"
    );
    assert!(stdout.contains("2 pages built, 2 skipped"), "{stdout}");

    let warn_only = tempfile::tempdir().expect("tempdir");
    write_pages(warn_only.path(), &[("a_good.md", GOOD)]);
    let docs_arg = warn_only.path().to_string_lossy().into_owned();
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
    write_pages(docs_dir.path(), &[("a_good.md", GOOD)]);
    let d = docs_dir.path().to_string_lossy().into_owned();
    let o = out.path().to_string_lossy().into_owned();
    let (code, _, _) = run(&["build", &d, "--out", &o, "--check"]);
    assert_eq!(code, 1, "nothing built yet: drift");
    assert_eq!(run(&["build", &d, "--out", &o]).0, 0);
    assert_eq!(run(&["build", &d, "--out", &o, "--check"]).0, 0, "in step");
    write_pages(
        docs_dir.path(),
        &[(
            "a_good.md",
            &GOOD.replace("| Name | string |", "| Name | int32 |"),
        )],
    );
    let (code, _, stderr) = run(&["build", &d, "--out", &o, "--check"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("types/Good.json changed"), "{stderr}");
}

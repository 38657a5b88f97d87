//! The config file (`mockdown.toml` or `--config FILE`), its precedence under the command
//! line, its errors (unknown keys and wrong types named with file:line), JSON logs and shell
//! completions, all through the real binary in a temporary working folder.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_mockdown");
const PAGES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/api");
const GET: &str = "/api/v1/Thing/1?$top=1";

/// A working folder with a copy of the fixture pages in `pages/`.
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).expect("pages dir");
    for entry in std::fs::read_dir(PAGES).expect("fixture pages") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), pages.join(entry.file_name())).expect("copies");
    }
    dir
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("writes");
}

/// Runs the binary in `dir` (environment variables it reads removed).
fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("MOCKDOWN_LOG_FORMAT")
        .env_remove("MOCKDOWN_ADMIN_TOKEN")
        .output()
        .expect("runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A `mockdown serve` child, killed when dropped, with its standard output as lines.
struct Server {
    child: Child,
    lines: mpsc::Receiver<String>,
    addr: String,
    /// The line that gave the address.
    banner: String,
}

impl Server {
    /// Starts `mockdown serve ARGS` in `dir` and waits for the line giving its address.
    fn start(dir: &Path, args: &[&str]) -> Server {
        Server::start_with(dir, args, None)
    }

    /// [`Server::start`] with `MOCKDOWN_LOG_FORMAT` set to `log_format`.
    fn start_with(dir: &Path, args: &[&str], log_format: Option<&str>) -> Server {
        let mut command = Command::new(BIN);
        command
            .arg("serve")
            .args(args)
            .current_dir(dir)
            .env_remove("MOCKDOWN_LOG_FORMAT")
            .env_remove("MOCKDOWN_ADMIN_TOKEN");
        if let Some(format) = log_format {
            command.env("MOCKDOWN_LOG_FORMAT", format);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starts");
        let stdout = child.stdout.take().expect("stdout");
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            lines,
            addr: String::new(),
            banner: String::new(),
        };
        let banner = server
            .wait_for(|line| line.contains("mockdown serving"))
            .unwrap_or_else(|| {
                let mut stderr = String::new();
                if let Some(mut err) = server.child.stderr.take() {
                    let _ = err.read_to_string(&mut stderr);
                }
                panic!("serve {args:?} did not start: {stderr}")
            });
        let start = banner.find("http://").expect("address in banner") + "http://".len();
        let addr: String = banner[start..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
            .collect();
        server.addr = addr;
        server.banner = banner;
        server
    }

    /// The next line of standard output that `wanted` accepts (within 20 s).
    fn wait_for(&self, wanted: impl Fn(&str) -> bool) -> Option<String> {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.checked_duration_since(std::time::Instant::now())?;
            match self.lines.recv_timeout(left) {
                Ok(line) if wanted(&line) => return Some(line),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
    }

    fn port(&self) -> u16 {
        self.addr
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port in address")
    }

    /// The status line and body of `GET path`.
    fn get(&self, path: &str) -> (String, String) {
        let mut stream = TcpStream::connect(&self.addr).expect("connects");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .expect("sends");
        let mut reply = String::new();
        stream.read_to_string(&mut reply).expect("reads");
        let (head, body) = reply.split_once("\r\n\r\n").unwrap_or((&reply, ""));
        let status = head.lines().next().unwrap_or_default().to_string();
        (status, body.to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

#[test]
fn the_file_sets_serve_options_and_the_command_line_overrides_them() {
    let dir = workdir();
    let port = free_port();
    write(
        dir.path(),
        "mockdown.toml",
        &format!("[serve]\ndocs = \"pages\"\nport = {port}\nseed = 7\nno-auth = true\n"),
    );
    // Everything from the file: its port, its seed, no credentials needed.
    let from_file = Server::start(dir.path(), &[]);
    assert_eq!(from_file.port(), port);
    let (status, seeded_7) = from_file.get(GET);
    assert!(status.contains("200"), "{status}: no-auth from the file");

    // The same seed given only on the command line answers the same body.
    let by_flag = Server::start(
        dir.path(),
        &[
            "--no-config",
            "pages",
            "--port",
            "0",
            "--seed",
            "7",
            "--no-auth",
        ],
    );
    assert_eq!(by_flag.get(GET).1, seeded_7);

    // Flags override the file: another port, another seed.
    let overridden = Server::start(dir.path(), &["--port", "0", "--seed", "8"]);
    assert_ne!(overridden.port(), port);
    let (status, seeded_8) = overridden.get(GET);
    assert!(status.contains("200"), "{status}");
    assert_ne!(seeded_8, seeded_7, "--seed 8 on the command line is used");

    // verify: a list on the command line replaces the file's list.
    write(
        dir.path(),
        "verify.toml",
        &format!(
            "[verify]\ntarget = \"http://{}\"\ndocs = \"pages\"\n\
             only = [\"v1ThingEntity_GetThing\", \"v1ThingEntity_DeleteThing\"]\n",
            from_file.addr
        ),
    );
    let both = run(dir.path(), &["--config", "verify.toml", "verify"]);
    assert!(
        text(&both.stdout).contains("(2 operations"),
        "{}{}",
        text(&both.stdout),
        text(&both.stderr)
    );
    let one = run(
        dir.path(),
        &[
            "verify",
            "--config",
            "verify.toml",
            "--only",
            "v1ThingEntity_PostThing",
        ],
    );
    assert!(
        text(&one.stdout).contains("(1 operations"),
        "{}{}",
        text(&one.stdout),
        text(&one.stderr)
    );
}

#[test]
fn the_command_line_overrides_the_file_for_other_commands_too() {
    let dir = workdir();
    write(
        dir.path(),
        "mockdown.toml",
        "# routes as JSON\n[routes]\ndocs = \"pages\"\nformat = \"json\"\n",
    );
    let json = run(dir.path(), &["routes"]);
    assert_eq!(json.status.code(), Some(0), "{}", text(&json.stderr));
    let list: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON routes");
    assert_eq!(list.as_array().map(Vec::len), Some(3));

    let human = run(dir.path(), &["routes", "--format", "human"]);
    assert!(
        text(&human.stdout).ends_with("3 routes\n"),
        "{}",
        text(&human.stdout)
    );

    // --no-config: the file is not read (no docs/ folder here).
    let bare = run(dir.path(), &["routes", "--no-config"]);
    assert_eq!(bare.status.code(), Some(2));
    assert!(
        text(&bare.stderr).contains("`docs`"),
        "{}",
        text(&bare.stderr)
    );
}

#[test]
fn paths_in_a_config_file_elsewhere_are_taken_from_its_folder() {
    let dir = workdir();
    std::fs::create_dir(dir.path().join("ci")).expect("ci dir");
    write(
        &dir.path().join("ci"),
        "mock.toml",
        "[routes]\ndocs = \"../pages\"\n",
    );
    let out = run(dir.path(), &["--config", "ci/mock.toml", "routes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("3 routes"));

    let missing = run(dir.path(), &["routes", "--config", "ci/absent.toml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).contains("ci/absent.toml"),
        "{}",
        text(&missing.stderr)
    );
}

/// Runs `args` with `mockdown.toml` holding `config`; returns the exit code and stderr.
fn config_error(config: &str, args: &[&str]) -> (Option<i32>, String) {
    let dir = workdir();
    write(dir.path(), "mockdown.toml", config);
    let out = run(dir.path(), args);
    (out.status.code(), text(&out.stderr))
}

#[test]
fn an_unknown_key_is_an_error_naming_it_and_its_line() {
    let config = "[serve]\ndocs = \"pages\"\n\n# the port\nprot = 4010\n";
    let (code, stderr) = config_error(config, &["serve", "--port", "0"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("mockdown.toml:5: unknown key `prot` in [serve] (did you mean `port`?)"),
        "{stderr}"
    );

    // Also in the section of a command not being run, and for sections.
    let (code, stderr) = config_error(
        "[verify]\ntarget = \"http://x\"\nlatency = 1\n",
        &["routes"],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr
            .contains("mockdown.toml:3: unknown key `latency` in [verify] (an option of [serve])"),
        "{stderr}"
    );
    let (_, stderr) = config_error("\n[sevre]\nport = 1\n", &["routes"]);
    assert!(
        stderr.contains("mockdown.toml:2: unknown section [sevre] (did you mean [serve]?)"),
        "{stderr}"
    );
    let (_, stderr) = config_error("port = 1\n", &["routes"]);
    assert!(
        stderr.contains("mockdown.toml:1: unknown key `port` at the top level"),
        "{stderr}"
    );
}

#[test]
fn a_value_of_the_wrong_type_is_an_error_naming_its_line() {
    let cases = [
        (
            "[serve]\nport = \"abc\"\n",
            "mockdown.toml:2: `port` in [serve]: invalid value 'abc' for '--port <PORT>'",
        ),
        (
            "[serve]\nno-auth = \"yes\"\n",
            "mockdown.toml:2: `no-auth` in [serve] is a switch: give true or false, not a string",
        ),
        (
            "[serve]\n\nport = [1, 2]\n",
            "mockdown.toml:3: `port` in [serve] takes one value, not a list",
        ),
        (
            "[serve]\nlatency = 1e40\n",
            "mockdown.toml:2: `latency` in [serve]: invalid value",
        ),
        ("[serve]\nport = \n", "mockdown.toml:2: "),
    ];
    for (config, wanted) in cases {
        let (code, stderr) = config_error(config, &["serve", "pages"]);
        assert_eq!(code, Some(2), "{config}: {stderr}");
        assert!(stderr.contains(wanted), "{config}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn json_logs_are_one_object_per_line() {
    let dir = workdir();
    // Top-level keys are the global flags; the environment variable beats the file.
    write(
        dir.path(),
        "mockdown.toml",
        "log-format = \"json\"\n[serve]\ndocs = \"pages\"\nport = 0\nno-auth = true\n",
    );
    let server = Server::start(dir.path(), &[]);
    let (status, _) = server.get(GET);
    assert!(status.contains("200"), "{status}");
    let line = server
        .wait_for(|line| line.contains("\"status\""))
        .expect("a request line");
    let event: serde_json::Value = serde_json::from_str(&line).expect("JSON");
    assert_eq!(event["level"], "INFO", "{line}");
    assert_eq!(event["message"], "request", "{line}");
    assert_eq!(event["method"], "GET", "{line}");
    assert_eq!(event["status"], 200, "{line}");
    let stamp = event["timestamp"].as_str().unwrap_or_default();
    assert!(
        chrono::DateTime::parse_from_rfc3339(stamp).is_ok(),
        "{line}"
    );
    // The line giving the address is a JSON object too.
    let banner: serde_json::Value = serde_json::from_str(&server.banner).expect("JSON banner");
    assert_eq!(banner["level"], "INFO");
    drop(server);

    // The command line beats the file, and the environment beats the file.
    let text_server = Server::start(dir.path(), &["--log-format", "text"]);
    assert!(text_server.banner.starts_with("mockdown serving"));
    text_server.get(GET);
    let line = text_server
        .wait_for(|line| line.contains("status=200"))
        .expect("a text request line");
    assert!(serde_json::from_str::<serde_json::Value>(&line).is_err());
    drop(text_server);
    let by_env = Server::start_with(dir.path(), &[], Some("text"));
    assert!(
        by_env.banner.starts_with("mockdown serving"),
        "{}",
        by_env.banner
    );
}

#[test]
fn completions_are_printed_for_each_shell() {
    let dir = workdir();
    for shell in ["bash", "zsh", "fish"] {
        let out = run(dir.path(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        assert!(script.contains("serve"), "{shell}");
        assert!(script.contains("log-format"), "{shell}");
    }
    let bad = run(dir.path(), &["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
}

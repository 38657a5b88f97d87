//! What to verify and how: the target, credentials and headers, the operations chosen, the
//! modes (samples; `--generate N`, `--negative`, `--stateful`) and the seed.

use std::time::Duration;

use wildmatch::WildMatch;

use super::values::Values;

/// What to verify and how.
#[derive(Debug, Clone)]
pub(crate) struct VerifyOptions {
    /// Base URL of the server; sample paths are appended (`https://host/tenant`).
    pub target: String,
    /// `Authorization` value sent instead of the one in the samples.
    pub auth: Option<String>,
    /// Glob patterns over operationIds (`Contact*`); empty runs all.
    pub only: Vec<String>,
    /// Glob patterns over operationIds to leave out.
    pub skip: Vec<String>,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Time allowed for one exchange.
    pub timeout: Duration,
    /// Accept any documented status, not only the one the sample answers.
    pub accept_documented_status: bool,
    /// Do not require the properties the documented answer shows.
    pub lenient: bool,
    /// Values to send instead of the samples' own (`--values FILE`).
    pub values: Values,
    /// Headers sent with every request, replacing the samples' headers of the same name.
    pub headers: Vec<(String, String)>,
    /// Requests generated per operation from its request schema (`--generate N`; 0: none).
    pub generate: usize,
    /// Send requests broken in one place, which must be refused (`--negative`).
    pub negative: bool,
    /// Run save → read → update → read → delete → read per entity (`--stateful`).
    pub stateful: bool,
    /// Seed of the generated cases: the same seed sends the same requests.
    pub seed: u64,
    /// Most requests spent shrinking one failing case.
    pub shrink_budget: usize,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            target: String::new(),
            auth: None,
            only: Vec::new(),
            skip: Vec::new(),
            concurrency: 16,
            timeout: Duration::from_secs(10),
            accept_documented_status: false,
            lenient: false,
            values: Values::default(),
            headers: Vec::new(),
            generate: 0,
            negative: false,
            stateful: false,
            seed: 0,
            shrink_budget: 24,
        }
    }
}

/// Whether the options select operation `id` (`--only` / `--skip`, case-insensitive).
pub(crate) fn selected(options: &VerifyOptions, id: &str) -> bool {
    let matches = |patterns: &[String]| {
        patterns.iter().any(|p| {
            if p.contains(['*', '?']) {
                WildMatch::new_case_insensitive(p).matches(id)
            } else {
                p.eq_ignore_ascii_case(id)
            }
        })
    };
    (options.only.is_empty() || matches(&options.only)) && !matches(&options.skip)
}

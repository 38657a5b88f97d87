//! Metrics for replicas behind a load balancer, in the Prometheus text format at
//! `/__mockdown/metrics`: requests by operation and status, the violations found, how each
//! answer was made (generated, stub, state, fault), and a latency histogram. Recording is a
//! few atomic additions; nothing here serves requests.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The labels of a request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    /// operationId, or `-` for requests no route matched.
    operation: Arc<str>,
    /// Status answered.
    status: u16,
    /// What answered: `generated`, `example`, `stub`, `state`, `fault`, `error`.
    source: &'static str,
}

/// The labels of per-operation counts.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: Arc<str>,
}

/// The counters and histograms of one server.
pub(crate) struct Metrics {
    /// The label of requests no operation answered.
    unrouted: Arc<str>,
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    violations: Family<OperationLabels, Counter>,
    latency: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    /// Empty counters, registered under `mockdown_`.
    pub(crate) fn new() -> Self {
        let mut registry = Registry::with_prefix("mockdown");
        let requests = Family::<RequestLabels, Counter>::default();
        let violations = Family::<OperationLabels, Counter>::default();
        // 50 µs to about 13 s.
        let latency = Histogram::new(exponential_buckets(0.000_05, 2.0, 19));
        registry.register(
            "requests",
            "Requests answered, by operation, status and what answered them",
            requests.clone(),
        );
        registry.register(
            "request_violations",
            "Contract violations found in requests, by operation",
            violations.clone(),
        );
        registry.register(
            "request_duration_seconds",
            "Time from the request line to the answer",
            latency.clone(),
        );
        Self {
            unrouted: Arc::from("-"),
            registry,
            requests,
            violations,
            latency,
        }
    }

    /// Counts one answered request of `operation` (`None`: no route matched).
    pub(crate) fn record(
        &self,
        operation: Option<&Arc<str>>,
        status: u16,
        source: &'static str,
        violations: usize,
        elapsed: Duration,
    ) {
        let operation = operation.unwrap_or(&self.unrouted);
        self.requests
            .get_or_create(&RequestLabels {
                operation: operation.clone(),
                status,
                source,
            })
            .inc();
        if violations > 0 {
            self.violations
                .get_or_create(&OperationLabels {
                    operation: operation.clone(),
                })
                .inc_by(violations as u64);
        }
        self.latency.observe(elapsed.as_secs_f64());
    }

    /// The metrics in the Prometheus text exposition format.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_latency() {
        let metrics = Metrics::new();
        let op: Arc<str> = Arc::from("v1ContactEntity_GetContactEntity");
        metrics.record(Some(&op), 200, "generated", 0, Duration::from_millis(2));
        metrics.record(Some(&op), 200, "generated", 0, Duration::from_millis(3));
        metrics.record(Some(&op), 400, "error", 2, Duration::from_micros(300));
        metrics.record(None, 404, "error", 0, Duration::from_micros(30));
        let text = metrics.render();
        assert!(
            text.contains(r#"mockdown_requests_total{operation="v1ContactEntity_GetContactEntity",status="200",source="generated"} 2"#),
            "{text}"
        );
        assert!(text.contains(
            r#"mockdown_request_violations_total{operation="v1ContactEntity_GetContactEntity"} 2"#
        ));
        assert!(
            text.contains(
                r#"mockdown_requests_total{operation="-",status="404",source="error"} 1"#
            )
        );
        assert!(text.contains("mockdown_request_duration_seconds_count 4"));
        assert!(text.ends_with("# EOF\n"));
    }
}

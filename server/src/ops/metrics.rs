//! Counters, gauges and latency histograms, written out at `GET /metrics` in
//! Prometheus' text format (version 0.0.4). Hand-written: the server needs a few atomic
//! numbers and a renderer, not a metrics framework.
//!
//! Any module registers its own: `state.metrics.counter("pasar_sync_pushes_total",
//! &[("outcome", "ok")]).inc()`. Asking again for the same name and labels returns the
//! same series, so callers need not keep handles (they may, to skip the lookup). Label
//! values must come from a small fixed set (a route template, a status class), never from
//! a client's input: every distinct value is a series kept forever.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Upper bounds, in seconds, of the latency histogram's buckets: from a cached answer
/// (a few ms) to the request timeout's order of magnitude.
pub const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The registry. Cheap to clone; clones share the numbers.
#[derive(Clone, Default)]
pub struct Metrics {
    families: Arc<Mutex<BTreeMap<&'static str, Family>>>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

struct Family {
    kind: Kind,
    help: Option<&'static str>,
    /// Labels sorted by name, so the same set given in another order is the same series.
    series: BTreeMap<Vec<(&'static str, String)>, Series>,
}

#[derive(Clone)]
enum Series {
    Counter(Counter),
    Gauge(Gauge),
    Histogram(Histogram),
}

/// A number that only goes up. Cheap to clone.
#[derive(Clone, Default)]
pub struct Counter(Arc<AtomicU64>);

impl Counter {
    pub fn inc(&self) {
        self.add(1);
    }

    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A number that goes up and down. Cheap to clone.
#[derive(Clone, Default)]
pub struct Gauge(Arc<AtomicI64>);

impl Gauge {
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    pub fn dec(&self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn set(&self, value: i64) {
        self.0.store(value, Ordering::Relaxed);
    }

    pub fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Durations counted into [`LATENCY_BUCKETS`]. Cheap to clone.
#[derive(Clone, Default)]
pub struct Histogram(Arc<HistogramCells>);

#[derive(Default)]
struct HistogramCells {
    /// Per bucket (not cumulative; summed when rendered), then the overflow.
    buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    count: AtomicU64,
    /// Nanoseconds: integer adds stay exact and lock-free.
    sum_nanos: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let i = LATENCY_BUCKETS
            .iter()
            .position(|&le| seconds <= le)
            .unwrap_or(LATENCY_BUCKETS.len());
        self.0.buckets[i].fetch_add(1, Ordering::Relaxed);
        self.0.count.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.0.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    pub fn count(&self) -> u64 {
        self.0.count.load(Ordering::Relaxed)
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics::default()
    }

    /// Sets the `# HELP` text of a metric (before or after its first series).
    pub fn describe(&self, name: &'static str, help: &'static str) {
        let mut families = self.lock();
        if let Some(family) = families.get_mut(name) {
            family.help = Some(help);
        } else if valid_name(name, true) {
            // Remembered without a kind until the first series says which.
            families.insert(
                name,
                Family {
                    kind: Kind::Counter,
                    help: Some(help),
                    series: BTreeMap::new(),
                },
            );
        }
    }

    /// The counter `name{labels}`, created at zero the first time.
    pub fn counter(&self, name: &'static str, labels: &[(&'static str, &str)]) -> Counter {
        match self.series(name, labels, Kind::Counter) {
            Some(Series::Counter(c)) => c,
            _ => Counter::default(),
        }
    }

    /// The gauge `name{labels}`, created at zero the first time.
    pub fn gauge(&self, name: &'static str, labels: &[(&'static str, &str)]) -> Gauge {
        match self.series(name, labels, Kind::Gauge) {
            Some(Series::Gauge(g)) => g,
            _ => Gauge::default(),
        }
    }

    /// The latency histogram `name{labels}` (seconds, [`LATENCY_BUCKETS`]).
    pub fn histogram(&self, name: &'static str, labels: &[(&'static str, &str)]) -> Histogram {
        match self.series(name, labels, Kind::Histogram) {
            Some(Series::Histogram(h)) => h,
            _ => Histogram::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<&'static str, Family>> {
        // Numbers are atomics; the map is never left half-changed, so a panic elsewhere
        // while it was held leaves nothing to repair.
        self.families.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Finds or creates a series. A bad name, or a name already used with another kind,
    /// is a programming error: caught by debug builds (the tests), and in release the
    /// caller gets a detached series so the server keeps running.
    fn series(
        &self,
        name: &'static str,
        labels: &[(&'static str, &str)],
        kind: Kind,
    ) -> Option<Series> {
        let valid = valid_name(name, true) && labels.iter().all(|(k, _)| valid_name(k, false));
        debug_assert!(valid, "invalid metric or label name in {name} {labels:?}");
        if !valid {
            return None;
        }
        let mut key: Vec<(&'static str, String)> =
            labels.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        key.sort_by(|a, b| a.0.cmp(b.0));
        let mut families = self.lock();
        let family = families.entry(name).or_insert_with(|| Family {
            kind,
            help: None,
            series: BTreeMap::new(),
        });
        if family.series.is_empty() {
            family.kind = kind; // a `describe` before the first series guessed
        }
        debug_assert_eq!(family.kind, kind, "metric {name} used as two kinds");
        if family.kind != kind {
            return None;
        }
        let series = family.series.entry(key).or_insert_with(|| match kind {
            Kind::Counter => Series::Counter(Counter::default()),
            Kind::Gauge => Series::Gauge(Gauge::default()),
            Kind::Histogram => Series::Histogram(Histogram::default()),
        });
        Some(series.clone())
    }

    /// Everything, in the text exposition format: families by name, series by labels.
    pub fn render(&self) -> String {
        let families = self.lock();
        let mut out = String::new();
        for (name, family) in families.iter() {
            if family.series.is_empty() {
                continue;
            }
            if let Some(help) = family.help {
                let help = help.replace('\\', "\\\\").replace('\n', "\\n");
                let _ = writeln!(out, "# HELP {name} {help}");
            }
            let _ = writeln!(out, "# TYPE {name} {}", family.kind.name());
            for (labels, series) in &family.series {
                match series {
                    Series::Counter(c) => {
                        let _ = writeln!(out, "{name}{} {}", label_set(labels, None), c.get());
                    }
                    Series::Gauge(g) => {
                        let _ = writeln!(out, "{name}{} {}", label_set(labels, None), g.get());
                    }
                    Series::Histogram(h) => render_histogram(&mut out, name, labels, h),
                }
            }
        }
        out
    }
}

fn render_histogram(out: &mut String, name: &str, labels: &[(&str, String)], h: &Histogram) {
    let mut cumulative = 0;
    for (i, le) in LATENCY_BUCKETS.iter().enumerate() {
        cumulative += h.0.buckets[i].load(Ordering::Relaxed);
        let le = format!("{le}");
        let _ = writeln!(
            out,
            "{name}_bucket{} {cumulative}",
            label_set(labels, Some(&le))
        );
    }
    cumulative += h.0.buckets[LATENCY_BUCKETS.len()].load(Ordering::Relaxed);
    let _ = writeln!(
        out,
        "{name}_bucket{} {cumulative}",
        label_set(labels, Some("+Inf"))
    );
    // Nanoseconds to seconds; f64 keeps microsecond precision for ~280 years of summed time.
    let sum = h.0.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
    let _ = writeln!(out, "{name}_sum{} {sum}", label_set(labels, None));
    let _ = writeln!(out, "{name}_count{} {cumulative}", label_set(labels, None));
}

/// `{a="1",b="2"}` (with `le` last for a bucket), or nothing when there are no labels.
fn label_set(labels: &[(&str, String)], le: Option<&str>) -> String {
    let mut parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
        .collect();
    if let Some(le) = le {
        parts.push(format!("le=\"{le}\""));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", parts.join(","))
    }
}

fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Prometheus names: `[a-zA-Z_:][a-zA-Z0-9_:]*` (colons only in metric names).
fn valid_name(name: &str, metric: bool) -> bool {
    let ok = |c: char, first: bool| {
        c.is_ascii_alphabetic()
            || c == '_'
            || (metric && c == ':')
            || (!first && c.is_ascii_digit())
    };
    let mut chars = name.chars();
    chars.next().is_some_and(|c| ok(c, true)) && chars.all(|c| ok(c, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_format_is_exact() {
        let m = Metrics::new();
        m.describe("pasar_things_total", "Things done.\nSecond line.");
        m.counter("pasar_things_total", &[("route", "/b"), ("class", "2xx")])
            .add(3);
        m.counter("pasar_things_total", &[("class", "2xx"), ("route", "/a")])
            .inc();
        // The same labels in another order are the same series.
        m.counter("pasar_things_total", &[("route", "/b"), ("class", "2xx")])
            .inc();
        m.counter("pasar_odd_total", &[("v", "a\"b\\c\nd")]).inc();
        let g = m.gauge("pasar_in_flight", &[]);
        g.inc();
        g.inc();
        g.dec();
        let h = m.histogram("pasar_latency_seconds", &[("route", "/a")]);
        h.observe(Duration::from_micros(500));
        h.observe(Duration::from_millis(30));
        h.observe(Duration::from_secs(20));
        assert_eq!(
            m.render(),
            "# TYPE pasar_in_flight gauge
pasar_in_flight 1
# TYPE pasar_latency_seconds histogram
pasar_latency_seconds_bucket{route=\"/a\",le=\"0.001\"} 1
pasar_latency_seconds_bucket{route=\"/a\",le=\"0.005\"} 1
pasar_latency_seconds_bucket{route=\"/a\",le=\"0.01\"} 1
pasar_latency_seconds_bucket{route=\"/a\",le=\"0.025\"} 1
pasar_latency_seconds_bucket{route=\"/a\",le=\"0.05\"} 2
pasar_latency_seconds_bucket{route=\"/a\",le=\"0.1\"} 2
pasar_latency_seconds_bucket{route=\"/a\",le=\"0.25\"} 2
pasar_latency_seconds_bucket{route=\"/a\",le=\"0.5\"} 2
pasar_latency_seconds_bucket{route=\"/a\",le=\"1\"} 2
pasar_latency_seconds_bucket{route=\"/a\",le=\"2.5\"} 2
pasar_latency_seconds_bucket{route=\"/a\",le=\"5\"} 2
pasar_latency_seconds_bucket{route=\"/a\",le=\"10\"} 2
pasar_latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 3
pasar_latency_seconds_sum{route=\"/a\"} 20.0305
pasar_latency_seconds_count{route=\"/a\"} 3
# TYPE pasar_odd_total counter
pasar_odd_total{v=\"a\\\"b\\\\c\\nd\"} 1
# HELP pasar_things_total Things done.\\nSecond line.
# TYPE pasar_things_total counter
pasar_things_total{class=\"2xx\",route=\"/a\"} 1
pasar_things_total{class=\"2xx\",route=\"/b\"} 4
"
        );
    }

    #[test]
    fn names_are_checked() {
        assert!(valid_name("pasar_http_requests_total", true));
        assert!(valid_name("a:b", true));
        assert!(!valid_name("a:b", false));
        assert!(!valid_name("1abc", true));
        assert!(!valid_name("", true));
        assert!(!valid_name("a-b", true));
    }

    #[test]
    fn a_family_with_no_series_is_not_written() {
        let m = Metrics::new();
        m.describe("pasar_nothing_total", "Never counted.");
        assert_eq!(m.render(), "");
    }
}

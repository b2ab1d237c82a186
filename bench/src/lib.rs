//! Shared pieces of the benchmarks: a deterministic generator of realistic Indonesian
//! catalogs, group chats with orders in them (`chat`), the sync benchmarks' group
//! catalog and in-process server (`synccat`), and the JSON line every benchmark prints.

pub mod chat;
pub mod generate;
pub mod relevance;
pub mod synccat;

/// Prints one figure the way `bench/run` reports: ratio > 1 means Pasar is better.
/// `higher_is_better` says which way the metric goes (throughput, recall) or not
/// (latency, bytes).
pub fn report(
    bench: &str,
    metric: &str,
    unit: &str,
    pasar: f64,
    baseline: Option<(f64, &str)>,
    higher_is_better: bool,
) {
    let ratio = baseline.map(|(b, _)| {
        let r = if higher_is_better {
            pasar / b
        } else {
            b / pasar
        };
        if r.is_finite() {
            (r * 1000.0).round() / 1000.0
        } else {
            f64::MAX
        }
    });
    let line = serde_json::json!({
        "bench": bench,
        "metric": metric,
        "unit": unit,
        "pasar": (pasar * 1000.0).round() / 1000.0,
        "baseline": baseline.map(|(b, _)| (b * 1000.0).round() / 1000.0),
        "baseline_name": baseline.map(|(_, n)| n),
        "ratio": ratio,
    });
    println!("{line}");
}

/// The value below which `q` of the sorted samples fall (nearest rank).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

//! A head's errors on `head-data` samples by dimension band, beside the chunk mean and KSG it
//! weighs: the numbers a rule between two heads is written in, from the runtime's own answer.

use super::data::HeadSample;
use mist::runtime::head::Head;

/// Bands of `dx + dy`: where KSG runs on many rows (≤ 4), on fewer (5 to 8) and not at all.
const BANDS: [(&str, usize, usize); 4] = [("2", 2, 2), ("3–4", 3, 4), ("5–8", 5, 8), ("9+", 9, usize::MAX)];

/// Sums over one band's samples.
#[derive(Default)]
struct Sums {
    count: usize,
    head: f64,
    chunks: f64,
    ksg: f64,
    with_ksg: usize,
    covered: usize,
    width: f64,
}

impl Sums {
    fn add(&mut self, head: &Head, s: &HeadSample) {
        let input = s.input();
        let answer = head.answer(&input);
        let (values, available) = input.candidates();
        let (lo, hi) = (answer.quantile(0.05), answer.quantile(0.95));
        self.count += 1;
        self.head += (answer.point.max(0.0) - s.mi).powi(2);
        self.chunks += (s.mean - s.mi).powi(2);
        if available[1] {
            self.ksg += (values[1] - s.mi).powi(2);
            self.with_ksg += 1;
        }
        self.covered += usize::from(lo <= s.mi && s.mi <= hi);
        self.width += hi - lo;
    }

    fn row(&self, band: &str) -> String {
        let c = self.count.max(1) as f64;
        let ksg = if self.with_ksg > 0 { format!("{:.5}", self.ksg / self.with_ksg as f64) } else { "–".into() };
        format!(
            "| {band} | {} | {:.5} | {:.5} | {ksg} | {:.3} | {:.3} |",
            self.count,
            self.head / c,
            self.chunks / c,
            self.covered as f64 / c,
            self.width / c
        )
    }
}

/// A Markdown table of `head`'s answers on `samples` per band of `dx + dy` and in all: MSE of the
/// point (clamped at 0, as the runtime reports it), of the chunk mean and of KSG (where it exists),
/// in nats², and the coverage and mean width (nats) of the 90% interval.
pub fn table(head: &Head, samples: &[HeadSample]) -> String {
    let mut bands: Vec<Sums> = BANDS.iter().map(|_| Sums::default()).collect();
    let mut all = Sums::default();
    for s in samples {
        let d = s.dx + s.dy;
        if let Some(b) = BANDS.iter().position(|&(_, lo, hi)| (lo..=hi).contains(&d)) {
            bands[b].add(head, s);
        }
        all.add(head, s);
    }
    let mut lines = vec![
        "| dx + dy | datasets | head MSE | chunk mean MSE | KSG MSE | 90% coverage | 90% width (nats) |".to_string(),
        "|---|---:|---:|---:|---:|---:|---:|".to_string(),
    ];
    lines.extend(BANDS.iter().zip(&bands).filter(|(_, s)| s.count > 0).map(|(&(name, _, _), s)| s.row(name)));
    lines.push(all.row("all"));
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use mist::runtime::head::{FEATURES, OUTPUTS};
    use ndarray::{Array1, Array2};

    /// A head whose answer is the chunk mean (the other candidates' logits far below), with a 90%
    /// interval of ±1.645·s around it: the table reads its MSE as the chunk mean's.
    #[test]
    fn a_head_that_answers_the_chunk_mean_scores_as_the_chunk_mean() {
        let w = Array2::zeros((FEATURES, OUTPUTS));
        let b = Array1::from(vec![0.0, 0.0, 0.0, 0.0, 0.0, -50.0, -50.0, -50.0]);
        let (widths, weights) = Head::format(&[(w, b)]);
        let head = Head::parse(&widths, &weights).expect("a valid head");
        let sample = |dx: usize, mean: f64, mi: f64| {
            let mut features = vec![0.0f32; FEATURES];
            features[1] = (-0.1f32).ln_1p();
            features[5] = 0.1f32.ln_1p();
            HeadSample { seed: 0, family: "t".into(), n: 1000, dx, dy: 1, mi, mean, features }
        };
        // s = 0.1: intervals ±0.1645; the first two cover, the third does not.
        let samples = [sample(1, 0.5, 0.6), sample(1, 0.5, 0.4), sample(9, 1.0, 1.5)];
        let t = table(&head, &samples);
        assert!(t.contains("| 2 | 2 | 0.01000 | 0.01000 | – | 1.000 | 0.329 |"), "{t}");
        assert!(t.contains("| 9+ | 1 | 0.25000 | 0.25000 | – | 0.000 | 0.329 |"), "{t}");
        assert!(t.contains("| all | 3 | 0.09000 | 0.09000 | – | 0.667 | 0.329 |"), "{t}");
        assert!(!t.contains("| 5–8 |"), "empty bands are left out: {t}");
    }
}

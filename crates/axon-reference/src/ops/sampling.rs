//! Greedy selection and summaries of a logits row.

/// Index of the largest value (the first on ties; NaN never wins).
pub fn argmax(logits: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in logits.iter().enumerate() {
        if v > logits[best] || logits[best].is_nan() {
            best = i;
        }
    }
    best
}

/// Indices of the `k` largest values, largest first (ties, including -0.0 vs 0.0: lower index
/// first; NaN ranks below every number, as in [`argmax`]).
pub fn top_k(logits: &[f32], k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..logits.len()).collect();
    idx.sort_by(|&a, &b| {
        let (x, y) = (logits[a], logits[b]);
        let by_value = match (x.is_nan(), y.is_nan()) {
            (false, false) => y.partial_cmp(&x).unwrap_or(std::cmp::Ordering::Equal),
            (x_nan, y_nan) => x_nan.cmp(&y_nan),
        };
        by_value.then(a.cmp(&b))
    });
    idx.truncate(k);
    idx
}

/// `ln(sum(exp(x)))`, computed in f64 after subtracting the maximum.
pub fn logsumexp(logits: &[f32]) -> f64 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    if !max.is_finite() {
        return max;
    }
    max + logits
        .iter()
        .map(|&v| (f64::from(v) - max).exp())
        .sum::<f64>()
        .ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0, -1.0]), 1);
        assert_eq!(top_k(&[1.0, 3.0, 3.0, -1.0, 2.0], 3), vec![1, 2, 4]);
        let nan = f32::NAN;
        assert_eq!(
            top_k(&[nan, -0.0, 0.0, f32::NEG_INFINITY, nan], 5),
            vec![1, 2, 3, 0, 4]
        );
        assert!((logsumexp(&[0.0, 0.0]) - 2f64.ln()).abs() < 1e-12);
        assert!((logsumexp(&[1000.0, 1000.0]) - (1000.0 + 2f64.ln())).abs() < 1e-9);
    }
}

/// How to pick the next token. `temperature = 0` is greedy (after the repetition penalty).
#[derive(Debug, Clone, PartialEq)]
pub struct SamplingParams {
    /// Softmax temperature; 0 picks the argmax.
    pub temperature: f32,
    /// Keep only the `k` most likely tokens.
    pub top_k: Option<usize>,
    /// Keep the smallest set of most likely tokens whose probability reaches `p`.
    pub top_p: Option<f32>,
    /// Drop tokens less likely than `min_p` times the most likely one.
    pub min_p: Option<f32>,
    /// llama.cpp-style penalty on tokens in the recent history (1 = none): positive logits are
    /// divided by it, negative ones multiplied.
    pub repeat_penalty: f32,
    /// How many recent tokens the penalty looks at.
    pub repeat_last_n: usize,
}

impl Default for SamplingParams {
    fn default() -> Self {
        Self {
            temperature: 0.0,
            top_k: None,
            top_p: None,
            min_p: None,
            repeat_penalty: 1.0,
            repeat_last_n: 64,
        }
    }
}

/// SplitMix64: a tiny, well-known seeded generator; enough for reproducible sampling.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Picks the next token: repetition penalty, then top-k, top-p, min-p, temperature, and a
/// draw from `rng` (llama.cpp's default order).
pub fn sample(logits: &[f32], history: &[u32], params: &SamplingParams, rng: &mut Rng) -> u32 {
    let mut l: Vec<f64> = logits.iter().map(|&v| f64::from(v)).collect();
    if params.repeat_penalty != 1.0 {
        let recent = &history[history.len().saturating_sub(params.repeat_last_n)..];
        let mut seen = std::collections::HashSet::new();
        for &t in recent {
            if let (true, Some(v)) = (seen.insert(t), l.get_mut(t as usize)) {
                let p = f64::from(params.repeat_penalty);
                *v = if *v > 0.0 { *v / p } else { *v * p };
            }
        }
    }
    let best = |l: &[f64]| {
        l.iter()
            .enumerate()
            .fold(0, |b, (i, &v)| if v > l[b] { i } else { b })
    };
    if params.temperature <= 0.0 {
        return best(&l) as u32;
    }
    // Candidates sorted by logit, best first (ties: lower id first).
    let mut order: Vec<usize> = (0..l.len()).collect();
    order.sort_by(|&a, &b| l[b].total_cmp(&l[a]).then(a.cmp(&b)));
    if let Some(k) = params.top_k {
        order.truncate(k.max(1));
    }
    let probs = |order: &[usize], temp: f64| -> Vec<f64> {
        let max = order.first().map_or(0.0, |&i| l[i]);
        let e: Vec<f64> = order.iter().map(|&i| ((l[i] - max) / temp).exp()).collect();
        let total: f64 = e.iter().sum();
        e.into_iter().map(|x| x / total).collect()
    };
    if let Some(p) = params.top_p {
        let pr = probs(&order, 1.0);
        let mut cum = 0.0;
        let keep = pr.iter().take_while(|&&q| {
            let before = cum;
            cum += q;
            before < f64::from(p)
        });
        let n = keep.count().max(1);
        order.truncate(n);
    }
    if let Some(m) = params.min_p {
        let pr = probs(&order, 1.0);
        let floor = pr.first().copied().unwrap_or(0.0) * f64::from(m);
        let n = pr.iter().take_while(|&&q| q >= floor).count().max(1);
        order.truncate(n);
    }
    let pr = probs(&order, f64::from(params.temperature));
    let mut u = rng.next_f64();
    for (&i, &q) in order.iter().zip(&pr) {
        if u < q {
            return i as u32;
        }
        u -= q;
    }
    order.last().copied().unwrap_or(0) as u32
}

#[cfg(test)]
mod sampler_tests {
    use super::*;

    fn draw(logits: &[f32], params: &SamplingParams, n: usize, seed: u64) -> Vec<usize> {
        let mut rng = Rng::new(seed);
        let mut counts = vec![0; logits.len()];
        for _ in 0..n {
            counts[sample(logits, &[], params, &mut rng) as usize] += 1;
        }
        counts
    }

    #[test]
    fn temperature_zero_is_argmax_and_seeds_reproduce() {
        let logits = [0.1, 2.0, 1.9, -1.0];
        let mut rng = Rng::new(1);
        assert_eq!(
            sample(&logits, &[], &SamplingParams::default(), &mut rng),
            1
        );
        let p = SamplingParams {
            temperature: 1.0,
            ..Default::default()
        };
        assert_eq!(draw(&logits, &p, 500, 7), draw(&logits, &p, 500, 7));
        assert_ne!(draw(&logits, &p, 500, 7), draw(&logits, &p, 500, 8));
    }

    #[test]
    fn frequencies_follow_the_softmax() {
        // softmax([0, ln 2, ln 3]) = [1/6, 2/6, 3/6]
        let logits = [0.0, 2f32.ln(), 3f32.ln()];
        let counts = draw(
            &logits,
            &SamplingParams {
                temperature: 1.0,
                ..Default::default()
            },
            60_000,
            3,
        );
        for (c, want) in counts.iter().zip([10_000.0, 20_000.0, 30_000.0]) {
            assert!((*c as f64 - want).abs() < 600.0, "{counts:?}");
        }
    }

    #[test]
    fn filters_cut_the_tail() {
        let logits = [3.0, 2.9, 0.0, -5.0];
        let base = SamplingParams {
            temperature: 1.0,
            ..Default::default()
        };
        let k1 = draw(
            &logits,
            &SamplingParams {
                top_k: Some(1),
                ..base.clone()
            },
            200,
            1,
        );
        assert_eq!(k1, vec![200, 0, 0, 0]);
        let k2 = draw(
            &logits,
            &SamplingParams {
                top_k: Some(2),
                ..base.clone()
            },
            2000,
            1,
        );
        assert!(k2[0] > 0 && k2[1] > 0 && k2[2] == 0 && k2[3] == 0, "{k2:?}");
        let tp = draw(
            &logits,
            &SamplingParams {
                top_p: Some(0.5),
                ..base.clone()
            },
            500,
            1,
        );
        assert_eq!(
            tp,
            vec![500, 0, 0, 0],
            "the first token alone reaches p = 0.5"
        );
        let mp = draw(
            &logits,
            &SamplingParams {
                min_p: Some(0.5),
                ..base.clone()
            },
            2000,
            1,
        );
        assert!(mp[2] == 0 && mp[3] == 0 && mp[1] > 0, "{mp:?}");
    }

    #[test]
    fn repetition_penalty_demotes_recent_tokens() {
        let logits = [2.0, 1.9, -1.0];
        let params = SamplingParams {
            repeat_penalty: 1.3,
            ..Default::default()
        };
        let mut rng = Rng::new(0);
        assert_eq!(sample(&logits, &[0], &params, &mut rng), 1);
        assert_eq!(sample(&logits, &[], &params, &mut rng), 0);
        // Only the last `repeat_last_n` tokens count.
        let short = SamplingParams {
            repeat_last_n: 1,
            ..params
        };
        assert_eq!(sample(&logits, &[0, 2], &short, &mut rng), 0);
    }
}

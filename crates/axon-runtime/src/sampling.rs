//! Picking the next token from a logits row: repetition penalty, then top-k, top-p, min-p,
//! temperature and a seeded draw (llama.cpp's default order). Runs on the CPU over the
//! read-back row; `temperature = 0` is greedy.

use std::collections::HashMap;

/// How to pick the next token.
#[derive(Debug, Clone, PartialEq)]
pub struct SamplingParams {
    /// Softmax temperature; 0 picks the most likely token.
    pub temperature: f32,
    /// Keep only the `k` most likely tokens.
    pub top_k: Option<usize>,
    /// Keep the smallest set of most likely tokens whose probability reaches `p`.
    pub top_p: Option<f32>,
    /// Drop tokens less likely than `min_p` times the most likely one.
    pub min_p: Option<f32>,
    /// Penalty on tokens in the recent history (1 = none): positive logits are divided by it,
    /// negative ones multiplied.
    pub repeat_penalty: f32,
    /// How many recent tokens the penalty looks at.
    pub repeat_last_n: usize,
    /// Seed of the draw.
    pub seed: u64,
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
            seed: 0,
        }
    }
}

/// A sampling parameter outside its meaning.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("sampling: {name} = {value} is not allowed: {expected}")]
pub struct BadSampling {
    /// The parameter (`temperature`, `top_k`, ...).
    pub name: &'static str,
    /// Its value.
    pub value: String,
    /// What it must be.
    pub expected: &'static str,
}

impl SamplingParams {
    /// Greedy without a repetition penalty: the pick is the argmax of the logits as they are,
    /// ties to the lower id, which is what the GPU's argmax kernel computes.
    pub fn is_plain_greedy(&self) -> bool {
        self.temperature <= 0.0 && self.repeat_penalty == 1.0
    }

    /// Checks every parameter against its meaning: a finite temperature of 0 or more, a top-k
    /// of at least 1 (leave it out for no limit), a top-p in (0, 1], a min-p in [0, 1], a
    /// finite positive repetition penalty.
    pub fn validate(&self) -> Result<(), BadSampling> {
        let bad = |name, value: String, expected| {
            Err(BadSampling {
                name,
                value,
                expected,
            })
        };
        let t = self.temperature;
        if !(t.is_finite() && t >= 0.0) {
            return bad("temperature", t.to_string(), "a finite number, 0 or more");
        }
        if self.top_k == Some(0) {
            return bad(
                "top_k",
                "0".to_owned(),
                "at least 1 (leave it out for no limit)",
            );
        }
        if let Some(p) = self.top_p.filter(|p| !(*p > 0.0 && *p <= 1.0)) {
            return bad("top_p", p.to_string(), "a probability in (0, 1]");
        }
        if let Some(m) = self.min_p.filter(|m| !(*m >= 0.0 && *m <= 1.0)) {
            return bad("min_p", m.to_string(), "a fraction in [0, 1]");
        }
        let r = self.repeat_penalty;
        if !(r.is_finite() && r > 0.0) {
            return bad("repeat_penalty", r.to_string(), "a finite number above 0");
        }
        Ok(())
    }
}

/// SplitMix64, the seeded generator of the draws (reproducible across runs and platforms).
#[derive(Debug, Clone)]
pub struct Sampler {
    params: SamplingParams,
    state: u64,
}

impl Sampler {
    /// A sampler with `params`, its generator seeded with `params.seed`.
    pub fn new(params: SamplingParams) -> Self {
        let state = params.seed;
        Self { params, state }
    }

    /// The parameters.
    pub fn params(&self) -> &SamplingParams {
        &self.params
    }

    fn next_f64(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The repetition penalty's adjusted logits of the recent tokens, by token id.
    fn penalized(&self, logits: &[f32], history: &[u32]) -> HashMap<usize, f64> {
        let p = &self.params;
        let mut adjusted = HashMap::new();
        if p.repeat_penalty == 1.0 {
            return adjusted;
        }
        let penalty = f64::from(p.repeat_penalty);
        for &t in &history[history.len().saturating_sub(p.repeat_last_n)..] {
            let i = t as usize;
            if let (Some(&v), std::collections::hash_map::Entry::Vacant(slot)) =
                (logits.get(i), adjusted.entry(i))
            {
                let v = f64::from(v);
                slot.insert(if v > 0.0 { v / penalty } else { v * penalty });
            }
        }
        adjusted
    }

    /// The next token after `history` given its `logits`.
    pub fn pick(&mut self, logits: &[f32], history: &[u32]) -> u32 {
        let penalized = self.penalized(logits, history);
        let p = &self.params;
        let greedy = |value: &dyn Fn(usize) -> f64| {
            (0..logits.len()).fold(0, |b, i| if value(i) > value(b) { i } else { b }) as u32
        };
        // The default (greedy, no penalty) reads the row as it is: no copy per token.
        if p.temperature <= 0.0 && penalized.is_empty() {
            return greedy(&|i| f64::from(logits[i]));
        }
        let mut l: Vec<f64> = logits.iter().map(|&v| f64::from(v)).collect();
        for (&i, &v) in &penalized {
            l[i] = v;
        }
        if p.temperature <= 0.0 {
            return greedy(&|i| l[i]);
        }
        // Candidates by logit, best first (ties: lower id first).
        let mut order: Vec<usize> = (0..l.len()).collect();
        order.sort_by(|&a, &b| l[b].total_cmp(&l[a]).then(a.cmp(&b)));
        if let Some(k) = p.top_k {
            order.truncate(k.max(1));
        }
        let probs = |order: &[usize], temp: f64| -> Vec<f64> {
            let max = order.first().map_or(0.0, |&i| l[i]);
            let e: Vec<f64> = order.iter().map(|&i| ((l[i] - max) / temp).exp()).collect();
            let total: f64 = e.iter().sum();
            e.into_iter().map(|x| x / total).collect()
        };
        if let Some(top_p) = p.top_p {
            let mut mass = 0.0;
            let keep = probs(&order, 1.0)
                .into_iter()
                .take_while(|&q| {
                    let before = mass;
                    mass += q;
                    before < f64::from(top_p)
                })
                .count();
            order.truncate(keep.max(1));
        }
        if let Some(min_p) = p.min_p {
            let pr = probs(&order, 1.0);
            let floor = pr.first().copied().unwrap_or(0.0) * f64::from(min_p);
            let keep = pr.iter().take_while(|&&q| q >= floor).count();
            order.truncate(keep.max(1));
        }
        let pr = probs(&order, f64::from(p.temperature));
        let mut u = self.next_f64();
        for (&i, &q) in order.iter().zip(&pr) {
            if u < q {
                return i as u32;
            }
            u -= q;
        }
        order.last().copied().unwrap_or(0) as u32
    }
}

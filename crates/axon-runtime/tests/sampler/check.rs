//! The statistics behind `tests/sampler.rs`, written against any picker
//! `FnMut(&[f32], &[u32]) -> u32` (logits row, history → token id), so that a GPU sampler can
//! be judged by the same code (`#[path = "../sampler/check.rs"] mod check;` in its binary).
//!
//! - [`expected_distribution`] computes the probability of every token from the definitions of
//!   the parameters alone, without sorting and without any code of the sampler.
//! - [`check_picker`] draws from a picker and runs Pearson's chi-square goodness-of-fit test
//!   against that distribution at significance [`ALPHA`]; a draw of a token whose expected
//!   probability is zero rejects at once.
//! - [`chi_square_critical`] is the critical value, found by bisection on the chi-square
//!   survival function (the regularized upper incomplete gamma function `Q(df/2, x/2)`, by its
//!   continued fraction); `tests/sampler.rs` checks it against closed forms and a table.

use axon_runtime::SamplingParams;

/// Significance of every chi-square test: the probability that a correct picker fails one
/// check on a fresh seed. With about 125 checks per run of `tests/sampler.rs`, a correct
/// sampler fails a run with probability at most 1.3e-4 when the seeds or the generator change
/// (with fixed seeds the outcome is deterministic), while the wrong samplers of the rejection
/// tests land tens to thousands of times beyond the critical value.
pub const ALPHA: f64 = 1e-6;

/// Cells whose expected count is below this are pooled (the usual validity rule of the
/// chi-square approximation).
pub const MIN_EXPECTED: f64 = 5.0;

/// Probability of every token id under `params` after `history`, from the definitions:
///
/// 1. repetition penalty: every distinct id among the last `repeat_last_n` tokens of the history
///    (ids outside the row have no logit and are ignored) has its logit divided by the penalty
///    if positive, multiplied by it otherwise, once however often it occurs;
/// 2. tokens are ranked by penalized logit, ties to the lower id;
/// 3. top-k keeps the tokens with fewer than `k` tokens ranked ahead of them;
/// 4. top-p keeps, among those, the tokens whose higher-ranked kept tokens have a probability
///    mass (softmax at temperature 1 over the kept set) below `p`: the smallest prefix of the
///    ranking whose mass reaches `p`;
/// 5. min-p keeps, among those, the tokens whose probability (softmax at temperature 1 over the
///    kept set) is at least `min_p` times the largest;
/// 6. the result is the softmax at the temperature over the kept set; temperature 0 puts all
///    mass on the first token of the ranking.
///
/// Meant for `top_k >= 1`, `top_p > 0` and `min_p <= 1`, where the kept set is never empty.
pub fn expected_distribution(logits: &[f32], history: &[u32], params: &SamplingParams) -> Vec<f64> {
    let n = logits.len();
    let window = &history[history.len().saturating_sub(params.repeat_last_n)..];
    let penalty = f64::from(params.repeat_penalty);
    let z: Vec<f64> = logits
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let v = f64::from(v);
            let recent = window.iter().any(|&t| t as usize == i);
            match (recent, v > 0.0) {
                (false, _) => v,
                (true, true) => v / penalty,
                (true, false) => v * penalty,
            }
        })
        .collect();
    let ahead = |j: usize, i: usize| z[j] > z[i] || (z[j] == z[i] && j < i);
    // The kept tokens ranked ahead of token `i`.
    let ranked_ahead = |i: usize, kept: &[bool]| -> Vec<usize> {
        (0..n).filter(|&j| kept[j] && ahead(j, i)).collect()
    };
    if params.temperature <= 0.0 {
        let all = vec![true; n];
        return (0..n)
            .map(|i| f64::from(u8::from(ranked_ahead(i, &all).is_empty())))
            .collect();
    }
    let mut kept = vec![true; n];
    if let Some(k) = params.top_k {
        let all = kept.clone();
        for (i, keep) in kept.iter_mut().enumerate() {
            *keep = ranked_ahead(i, &all).len() < k;
        }
    }
    if let Some(top_p) = params.top_p {
        let p = softmax_over(&z, &kept, 1.0);
        let before = kept.clone();
        for (i, keep) in kept.iter_mut().enumerate() {
            let mass_ahead: f64 = ranked_ahead(i, &before).iter().map(|&j| p[j]).sum();
            *keep = *keep && mass_ahead < f64::from(top_p);
        }
    }
    if let Some(min_p) = params.min_p {
        let p = softmax_over(&z, &kept, 1.0);
        let largest = p.iter().copied().fold(0.0, f64::max);
        for (keep, &q) in kept.iter_mut().zip(&p) {
            *keep = *keep && q >= f64::from(min_p) * largest;
        }
    }
    softmax_over(&z, &kept, f64::from(params.temperature))
}

/// `softmax(z / temperature)` over the kept tokens, zero elsewhere.
fn softmax_over(z: &[f64], kept: &[bool], temperature: f64) -> Vec<f64> {
    let max = z
        .iter()
        .zip(kept)
        .filter(|&(_, &k)| k)
        .map(|(&v, _)| v)
        .fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = z
        .iter()
        .zip(kept)
        .map(|(&v, &k)| {
            if k {
                ((v - max) / temperature).exp()
            } else {
                0.0
            }
        })
        .collect();
    let total: f64 = w.iter().sum();
    w.into_iter().map(|x| x / total).collect()
}

/// A passed goodness-of-fit test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Pearson's statistic `sum (observed - expected)^2 / expected` over the cells.
    pub statistic: f64,
    /// Degrees of freedom: cells after pooling, minus one (0: a single possible token).
    pub df: usize,
    /// The critical value at [`ALPHA`] for `df`.
    pub critical: f64,
}

/// Why draws do not fit the expected distribution.
#[derive(Debug, Clone, PartialEq)]
pub enum Rejection {
    /// The picker returned an id outside the row.
    OutOfRow {
        /// The id.
        token: u32,
    },
    /// The picker drew a token whose expected probability is zero.
    Impossible {
        /// The token.
        token: usize,
        /// How often it was drawn.
        count: u64,
    },
    /// Pearson's statistic exceeds the critical value.
    ChiSquare(Fit),
}

/// How often `picker` draws each token in `draws` picks on the same row and history.
pub fn draw_counts(
    picker: &mut impl FnMut(&[f32], &[u32]) -> u32,
    logits: &[f32],
    history: &[u32],
    draws: usize,
) -> Result<Vec<u64>, Rejection> {
    let mut counts = vec![0; logits.len()];
    for _ in 0..draws {
        let token = picker(logits, history);
        let slot = counts
            .get_mut(token as usize)
            .ok_or(Rejection::OutOfRow { token })?;
        *slot += 1;
    }
    Ok(counts)
}

/// Pearson's chi-square test of `counts` against the probabilities `expected` (same length).
/// Tokens of probability zero must never be drawn; the others are the cells, those expected
/// fewer than [`MIN_EXPECTED`] times pooled into one (with the next smallest if the pool is still
/// below it).
pub fn goodness_of_fit(counts: &[u64], expected: &[f64]) -> Result<Fit, Rejection> {
    let draws: u64 = counts.iter().sum();
    let n = draws as f64;
    let mut cells = Vec::new();
    for (token, (&count, &p)) in counts.iter().zip(expected).enumerate() {
        if p > 0.0 {
            cells.push((n * p, count as f64));
        } else if count > 0 {
            return Err(Rejection::Impossible { token, count });
        }
    }
    cells.sort_by(|a, b| a.0.total_cmp(&b.0));
    let small = cells.iter().take_while(|c| c.0 < MIN_EXPECTED).count();
    let mut pooled: Vec<(f64, f64)> = cells.split_off(small);
    if small > 0 {
        let mut pool = cells
            .iter()
            .fold((0.0, 0.0), |acc, c| (acc.0 + c.0, acc.1 + c.1));
        if pool.0 < MIN_EXPECTED && !pooled.is_empty() {
            let next = pooled.remove(0);
            pool = (pool.0 + next.0, pool.1 + next.1);
        }
        pooled.push(pool);
    }
    let df = pooled.len().saturating_sub(1);
    if df == 0 {
        return Ok(Fit {
            statistic: 0.0,
            df,
            critical: 0.0,
        });
    }
    let statistic = pooled.iter().map(|&(e, o)| (o - e) * (o - e) / e).sum();
    let fit = Fit {
        statistic,
        df,
        critical: chi_square_critical(df, ALPHA),
    };
    if statistic > fit.critical {
        Err(Rejection::ChiSquare(fit))
    } else {
        Ok(fit)
    }
}

/// Draws `draws` tokens from `picker` on `logits` after `history` and tests them against
/// `expected` with [`goodness_of_fit`].
pub fn check_picker(
    picker: &mut impl FnMut(&[f32], &[u32]) -> u32,
    logits: &[f32],
    history: &[u32],
    expected: &[f64],
    draws: usize,
) -> Result<Fit, Rejection> {
    goodness_of_fit(&draw_counts(picker, logits, history, draws)?, expected)
}

/// `x` with `P(X > x) = alpha` for `X` chi-square with `df` degrees of freedom: bisection on
/// [`chi_square_survival`], which falls monotonically in `x`.
pub fn chi_square_critical(df: usize, alpha: f64) -> f64 {
    let mut hi = df as f64 + 10.0;
    while chi_square_survival(hi, df) > alpha {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if chi_square_survival(mid, df) > alpha {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// `P(X > x)` for `X` chi-square with `df >= 1` degrees of freedom: `Q(df/2, x/2)`.
pub fn chi_square_survival(x: f64, df: usize) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    upper_gamma_regularized(df as f64 / 2.0, x / 2.0, ln_gamma_half_integer(df))
}

/// `ln Γ(df/2)`, exactly from `Γ(1) = 1`, `Γ(1/2) = √π` and `Γ(a + 1) = a·Γ(a)`.
fn ln_gamma_half_integer(df: usize) -> f64 {
    let (mut a, mut ln) = if df.is_multiple_of(2) {
        (1.0, 0.0)
    } else {
        (0.5, 0.5 * std::f64::consts::PI.ln())
    };
    while a < df as f64 / 2.0 {
        ln += f64::ln(a);
        a += 1.0;
    }
    ln
}

/// Regularized upper incomplete gamma `Q(a, x) = Γ(a, x) / Γ(a)` (Numerical Recipes §6.2): the
/// power series of `P = 1 - Q` below `x = a + 1`, the continued fraction of `Q` (modified
/// Lentz) above it; both to double precision.
fn upper_gamma_regularized(a: f64, x: f64, ln_gamma_a: f64) -> f64 {
    let prefactor = (-x + a * x.ln() - ln_gamma_a).exp();
    if x < a + 1.0 {
        let (mut term, mut sum, mut ap) = (1.0 / a, 1.0 / a, a);
        while term.abs() > sum.abs() * 1e-17 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
        }
        return 1.0 - sum * prefactor;
    }
    let tiny = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / tiny;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..10_000 {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < tiny {
            d = tiny;
        }
        c = b + an / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    prefactor * h
}

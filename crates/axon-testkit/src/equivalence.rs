//! Whether two execution paths of the same model agree (fused vs unfused kernels, the two
//! reductions, ...): at every position, the same top-1 token, a top-1 logit that differs by
//! less than [`TOP1_LOGIT_GAP`], and a full-vocabulary KL divergence KL(p‖q) below
//! [`MAX_KL`].
//!
//! The KL divergence is computed over the whole row in f64 after a log-softmax of each side,
//! so it is never negative (a sum over a few tokens can be, and then passes when the paths
//! disagree). Non-finite logits never pass.

/// Largest KL(p‖q), in nats, between the two paths' next-token distributions.
pub const MAX_KL: f64 = 1e-4;
/// Largest difference of the top-1 token's logit between the two paths.
pub const TOP1_LOGIT_GAP: f64 = 0.01;

/// How one position's two logits rows compare.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowComparison {
    /// KL(p‖q) over the full vocabulary (nats), p from the first row, q from the second.
    pub kl: f64,
    /// Top-1 token of each row (first on ties).
    pub top1: (usize, usize),
    /// `|a[top1] - b[top1]|` at the first row's top-1 token.
    pub top1_gap: f64,
}

impl RowComparison {
    /// Whether the rows agree by every criterion.
    pub fn agrees(&self) -> bool {
        self.top1.0 == self.top1.1 && self.top1_gap < TOP1_LOGIT_GAP && self.kl < MAX_KL
    }
}

/// The first position where two paths disagree.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "position {position}: top-1 {} vs {}, top-1 logit gap {} (< {TOP1_LOGIT_GAP} needed), \
     KL {} (< {MAX_KL} needed)",
    comparison.top1.0, comparison.top1.1, comparison.top1_gap, comparison.kl
)]
pub struct Disagreement {
    /// Row index.
    pub position: usize,
    /// What was measured there.
    pub comparison: RowComparison,
}

/// Why two logits matrices cannot be compared or do not agree.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EquivalenceError {
    /// The matrices differ in shape.
    #[error("{a} and {b} logits are not the same whole number of rows of {vocab}")]
    Shape {
        /// Length of the first.
        a: usize,
        /// Length of the second.
        b: usize,
        /// Row length.
        vocab: usize,
    },
    /// A position disagrees.
    #[error(transparent)]
    Disagree(#[from] Disagreement),
}

/// Index of the largest value (first on ties; NaN never wins).
fn top1(row: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] || row[best].is_nan() {
            best = i;
        }
    }
    best
}

/// `log_softmax(row)` in f64.
fn log_softmax(row: &[f32]) -> Vec<f64> {
    let max = row
        .iter()
        .fold(f64::NEG_INFINITY, |m, &v| m.max(f64::from(v)));
    let sum: f64 = row.iter().map(|&v| (f64::from(v) - max).exp()).sum();
    let log_z = max + sum.ln();
    row.iter().map(|&v| f64::from(v) - log_z).collect()
}

/// Compares one position's rows `a` (p) and `b` (q).
pub fn compare_rows(a: &[f32], b: &[f32]) -> RowComparison {
    let (lp, lq) = (log_softmax(a), log_softmax(b));
    let kl = lp
        .iter()
        .zip(&lq)
        .map(|(&p, &q)| {
            let weight = p.exp();
            // 0 · log(0 / q) is 0; a token p never picks cannot add divergence.
            if weight == 0.0 { 0.0 } else { weight * (p - q) }
        })
        .sum::<f64>();
    // A row with a non-finite logit has no distribution: make it disagree.
    let finite = a.iter().chain(b).all(|v| v.is_finite());
    let kl = if finite { kl.max(0.0) } else { f64::INFINITY };
    let (ta, tb) = (top1(a), top1(b));
    let gap = (f64::from(a[ta]) - f64::from(b.get(ta).copied().unwrap_or(f32::NAN))).abs();
    RowComparison {
        kl,
        top1: (ta, tb),
        top1_gap: if gap.is_nan() { f64::INFINITY } else { gap },
    }
}

/// Checks that `a` and `b` (`[positions, vocab]` row-major) agree at every position; returns
/// the worst KL divergence and top-1 gap seen.
pub fn check_paths(a: &[f32], b: &[f32], vocab: usize) -> Result<RowComparison, EquivalenceError> {
    if vocab == 0 || a.len() != b.len() || !a.len().is_multiple_of(vocab) {
        return Err(EquivalenceError::Shape {
            a: a.len(),
            b: b.len(),
            vocab,
        });
    }
    let mut worst = RowComparison {
        kl: 0.0,
        top1: (0, 0),
        top1_gap: 0.0,
    };
    for (position, (x, y)) in a.chunks_exact(vocab).zip(b.chunks_exact(vocab)).enumerate() {
        let comparison = compare_rows(x, y);
        if !comparison.agrees() {
            return Err(Disagreement {
                position,
                comparison,
            }
            .into());
        }
        worst.kl = worst.kl.max(comparison.kl);
        worst.top1_gap = worst.top1_gap.max(comparison.top1_gap);
    }
    Ok(worst)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(values: &[f32]) -> Vec<f32> {
        values.to_vec()
    }

    #[test]
    fn identical_rows_agree_with_zero_divergence() {
        let a = row(&[1.0, 3.0, -2.0, 0.5]);
        let c = compare_rows(&a, &a);
        assert_eq!(c.kl, 0.0);
        assert_eq!(c.top1, (1, 1));
        assert_eq!(c.top1_gap, 0.0);
        assert!(check_paths(&a, &a, 4).is_ok());
    }

    /// The old check summed p·ln(p/q) over p's top 5 only. Here q moves all of p's tail mass
    /// (40%) onto p's top 5: that partial sum is negative (-0.31), so `kl < 1e-4` passed with
    /// the top-1 token equal, while the paths clearly disagree. The full-vocabulary KL sees it.
    #[test]
    fn a_distribution_that_drops_the_tail_is_caught() {
        let mut p = vec![0.0f32; 13];
        let mut q = vec![-30.0f32; 13];
        // p: five tokens of 0.12 and eight of 0.05; q: the same five at 0.2, the tail ~0.
        for i in 0..5 {
            p[i] = 0.12f32.ln();
            q[i] = 0.2f32.ln();
        }
        for v in &mut p[5..] {
            *v = 0.05f32.ln();
        }
        let (lp, lq) = (log_softmax(&p), log_softmax(&q));
        let old_top5: f64 = (0..5).map(|i| lp[i].exp() * (lp[i] - lq[i])).sum();
        assert!(old_top5 < -0.3, "the old partial sum: {old_top5}");
        let c = compare_rows(&p, &q);
        assert_eq!(c.top1, (0, 0));
        assert!(c.kl > 0.3, "{c:?}");
        let err = check_paths(&p, &q, 13).unwrap_err();
        assert!(matches!(
            err,
            EquivalenceError::Disagree(Disagreement { position: 0, .. })
        ));
    }

    #[test]
    fn each_criterion_alone_rejects() {
        // Same top-1, tiny KL, but the top-1 logit moved by more than the gap (a shift of the
        // whole row keeps the distribution: KL 0).
        let a = row(&[2.0, 1.0, 0.0]);
        let shifted: Vec<f32> = a.iter().map(|v| v + 0.02).collect();
        let c = compare_rows(&a, &shifted);
        assert!(c.kl < 1e-12 && c.top1 == (0, 0) && c.top1_gap > TOP1_LOGIT_GAP);
        assert!(!c.agrees());
        // Same top-1 and top-1 logit, but the rest of the distribution moved.
        let b = row(&[2.0, -3.0, 1.5]);
        let c = compare_rows(&a, &b);
        assert!(
            c.top1 == (0, 0) && c.top1_gap == 0.0 && c.kl > MAX_KL,
            "{c:?}"
        );
        assert!(!c.agrees());
        // A near tie flipped: tiny KL and gap, different top-1.
        let x = row(&[1.0, 1.0 + 1e-6, -4.0]);
        let y = row(&[1.0 + 1e-6, 1.0, -4.0]);
        let c = compare_rows(&x, &y);
        assert!(c.kl < MAX_KL && c.top1_gap < TOP1_LOGIT_GAP && c.top1 == (1, 0));
        assert!(!c.agrees());
    }

    #[test]
    fn non_finite_logits_never_agree() {
        let a = row(&[1.0, 2.0, 3.0]);
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            let b = row(&[1.0, bad, 3.0]);
            assert!(!compare_rows(&a, &b).agrees(), "{bad}");
            assert!(!compare_rows(&b, &a).agrees(), "{bad}");
        }
    }

    #[test]
    fn the_failing_position_and_shapes_are_reported() {
        let a = [0.0, 1.0, 0.0, 1.0];
        let b = [0.0, 1.0, 1.0, 0.0];
        match check_paths(&a, &b, 2) {
            Err(EquivalenceError::Disagree(d)) => assert_eq!(d.position, 1),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            check_paths(&a, &b[..3], 2),
            Err(EquivalenceError::Shape { .. })
        ));
        assert!(matches!(
            check_paths(&a[..3], &b[..3], 2),
            Err(EquivalenceError::Shape { .. })
        ));
    }

    #[test]
    fn small_rounding_differences_agree() {
        let a: Vec<f32> = (0..1000).map(|i| ((i * 37 % 101) as f32) / 10.0).collect();
        let b: Vec<f32> = a.iter().map(|v| v + 1e-5 * (v.sin())).collect();
        let worst = check_paths(&a, &b, 500).unwrap();
        assert!(worst.kl < 1e-8, "{worst:?}");
    }
}

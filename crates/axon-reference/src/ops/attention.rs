//! Causal attention for one query position over a cache, with grouped-query heads, an
//! optional sliding window and an optional sigmoid output gate. Softmax in f64 after
//! subtracting the maximum.

/// Head layout of an attention layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttentionShape {
    /// Query heads.
    pub heads: usize,
    /// Key/value heads (divides `heads`).
    pub kv_heads: usize,
    /// Values per head.
    pub head_dim: usize,
}

/// Attends query `q` (`[heads, head_dim]`, at position `pos`) over `keys`/`values`
/// (`[positions, kv_heads, head_dim]`, positions `0..=pos` present). With `window = Some(w)`
/// only the last `w` positions (`pos - w < p <= pos`) are visible.
pub fn attend(
    q: &[f32],
    keys: &[f32],
    values: &[f32],
    shape: AttentionShape,
    scale: f64,
    pos: usize,
    window: Option<usize>,
) -> Vec<f32> {
    let AttentionShape {
        heads,
        kv_heads,
        head_dim,
    } = shape;
    let row = kv_heads * head_dim;
    let group = heads / kv_heads.max(1);
    let first = window.map_or(0, |w| (pos + 1).saturating_sub(w));
    let mut out = vec![0.0f32; heads * head_dim];
    for h in 0..heads {
        let kv = h / group.max(1);
        let qh = &q[h * head_dim..(h + 1) * head_dim];
        let scores: Vec<f64> = (first..=pos)
            .map(|p| {
                let k = &keys[p * row + kv * head_dim..p * row + (kv + 1) * head_dim];
                qh.iter()
                    .zip(k)
                    .map(|(&a, &b)| f64::from(a) * f64::from(b))
                    .sum::<f64>()
                    * scale
            })
            .collect();
        let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let weights: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
        let total: f64 = weights.iter().sum();
        for (d, o) in out[h * head_dim..(h + 1) * head_dim].iter_mut().enumerate() {
            let acc: f64 = (first..=pos)
                .zip(&weights)
                .map(|(p, w)| w * f64::from(values[p * row + kv * head_dim + d]))
                .sum();
            *o = (acc / total) as f32;
        }
    }
    out
}

/// Qwen3.5's output gate: `out[i] *= sigmoid(gate[i])`.
pub fn sigmoid_gate(out: &mut [f32], gate: &[f32]) {
    out.iter_mut()
        .zip(gate)
        .for_each(|(o, &g)| *o *= super::activation::sigmoid(g));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_position_returns_its_value() {
        let shape = AttentionShape {
            heads: 2,
            kv_heads: 1,
            head_dim: 2,
        };
        let out = attend(
            &[1.0, 0.0, 0.0, 1.0],
            &[0.3, 0.4],
            &[5.0, -1.0],
            shape,
            1.0,
            0,
            None,
        );
        assert_eq!(out, vec![5.0, -1.0, 5.0, -1.0]);
    }

    #[test]
    fn equal_scores_average_and_window_limits() {
        let shape = AttentionShape {
            heads: 1,
            kv_heads: 1,
            head_dim: 1,
        };
        let keys = [0.0, 0.0, 0.0];
        let values = [1.0, 2.0, 6.0];
        assert!((attend(&[1.0], &keys, &values, shape, 1.0, 2, None)[0] - 3.0).abs() < 1e-6);
        assert!((attend(&[1.0], &keys, &values, shape, 1.0, 2, Some(2))[0] - 4.0).abs() < 1e-6);
        assert!((attend(&[1.0], &keys, &values, shape, 1.0, 1, None)[0] - 1.5).abs() < 1e-6);
    }
}

//! Gated MLPs: `down(act(gate(x)) * up(x))` with SiLU (Llama, Qwen) or GELU-tanh (Gemma).

use super::activation::{gelu_tanh, silu};
use super::linear::linear;

/// The gate's activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateActivation {
    /// SwiGLU.
    Silu,
    /// GeGLU with the tanh approximation.
    GeluTanh,
}

/// `down · (act(gate · x) ⊙ (up · x))`; weights `[out][in]` as ggml stores them.
pub fn gated_mlp(
    gate: &[f32],
    up: &[f32],
    down: &[f32],
    x: &[f32],
    act: GateActivation,
) -> Vec<f32> {
    linear(down, &self::gate(&linear(gate, x), &linear(up, x), act))
}

/// `act(g) * u`, elementwise: the gate between a gated MLP's input and down projections.
pub fn gate(g: &[f32], u: &[f32], act: GateActivation) -> Vec<f32> {
    let f = match act {
        GateActivation::Silu => silu,
        GateActivation::GeluTanh => gelu_tanh,
    };
    g.iter().zip(u).map(|(&g, &u)| f(g) * u).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_unit() {
        // gate = [1, 0], up = [0, 2], down = [3]: 3 * silu(x0) * 2 x1.
        let y = gated_mlp(
            &[1.0, 0.0],
            &[0.0, 2.0],
            &[3.0],
            &[0.5, -1.0],
            GateActivation::Silu,
        );
        assert!((y[0] - 3.0 * silu(0.5) * -2.0).abs() < 1e-6);
    }
}

//! Qwen3.5's Gated DeltaNet sub-layer as plan steps: the input projections, the causal
//! conv1d + SiLU (state carried), Q/K/V split, L2 norms and the gates (one fused step, or
//! five kinds of separate ones: `PlanOptions::fuse_deltanet_input`), the delta rule (state
//! carried), the gated RMSNorm and the output projection.

use super::build::{Builder, F32, Input, linear, split_columns};
use super::{DecoderOp, PlanBuildError};
use crate::config::ModelConfig;
use crate::plan::{TensorId, TensorKind};

/// One Gated DeltaNet sub-layer over the normed input `n`, up to its output projection:
/// returns that projection's input, its weight (in the layer) and its output's name.
pub(super) fn deltanet_block(
    b: &mut Builder<'_>,
    config: &ModelConfig,
    l: usize,
    n: Input,
) -> Result<(TensorId, &'static str, &'static str), PlanBuildError> {
    let w = |name: &str| format!("blk.{l}.{name}");
    let Some(hy) = config.deltanet() else {
        return Err(PlanBuildError::MissingWeight(w("ssm_in_qkv")));
    };
    let channels = hy.conv_dim();
    let key_cols = hy.key_dim();
    let value_cols = hy.value_dim();
    let mixed_in = linear(b, &w("ssm_in_qkv"), n, w("ssm_mixed_in"), channels)?;
    let conv_w = b.weight(&w("ssm_conv1d"))?;
    let conv_bytes = ((hy.conv_kernel.max(2) - 1) * channels) as u64 * F32;
    let conv_state = b
        .plan
        .tensor(w("conv_state"), TensorKind::State, conv_bytes);
    let z = linear(b, &w("ssm_in_z"), n, w("ssm_z"), value_cols)?;
    let beta = linear(b, &w("ssm_in_b"), n, w("ssm_b"), hy.v_heads)?;
    let alpha = linear(b, &w("ssm_in_a"), n, w("ssm_a_proj"), hy.v_heads)?;
    let (a_neg, dt_bias) = (b.weight(&w("ssm_a"))?, b.weight(&w("ssm_dt_bias"))?);
    let gates = b.scratch(w("ssm_gates"), 2 * hy.v_heads);
    let q_scale = 1.0 / (hy.dk as f32).sqrt();
    let (qn, kn, v) = if b.options.fuse_deltanet_input {
        let qn = b.scratch(w("ssm_q_normed"), key_cols);
        let kn = b.scratch(w("ssm_k_normed"), key_cols);
        let v = b.scratch(w("ssm_v"), value_cols);
        b.step(DecoderOp::DeltaNetInput {
            x: mixed_in,
            conv_w,
            conv_state,
            b: beta,
            a: alpha,
            a_neg,
            dt_bias,
            q: qn,
            k: kn,
            v,
            gates,
            q_scale,
        });
        (qn, kn, v)
    } else {
        let mixed = b.scratch(w("ssm_mixed"), channels);
        let op = DecoderOp::Conv {
            w: conv_w,
            state: conv_state,
            x: mixed_in,
            y: mixed,
        };
        b.step(op);
        let q = split_columns(b, (mixed, channels, 0), key_cols, w("ssm_q"));
        let k = split_columns(b, (mixed, channels, key_cols), key_cols, w("ssm_k"));
        let v = split_columns(b, (mixed, channels, 2 * key_cols), value_cols, w("ssm_v"));
        let mut l2 = |x: TensorId, name: &str, scale: f32| {
            let out = b.scratch(w(name), key_cols);
            let op = DecoderOp::L2Norm {
                x,
                out,
                cols: hy.dk,
                scale,
            };
            b.step(op);
            out
        };
        let qn = l2(q, "ssm_q_normed", q_scale);
        let kn = l2(k, "ssm_k_normed", 1.0);
        let op = DecoderOp::Gates {
            b: beta,
            a: alpha,
            a_neg,
            dt_bias,
            out: gates,
        };
        b.step(op);
        (qn, kn, v)
    };
    let state_bytes = (hy.v_heads * hy.dk * hy.dv) as u64 * F32;
    let state = b
        .plan
        .tensor(w("ssm_state"), TensorKind::State, state_bytes);
    let o = b.scratch(w("ssm_o"), value_cols);
    let op = DecoderOp::DeltaRule {
        q: qn,
        k: kn,
        v,
        gates,
        state,
        out: o,
    };
    b.step(op);
    let norm_w = b.weight(&w("ssm_norm"))?;
    let y = b.scratch(w("ssm_y"), value_cols);
    let op = DecoderOp::GatedNorm {
        x: o,
        gate: z,
        weight: norm_w,
        out: y,
    };
    b.step(op);
    Ok((y, "ssm_out", "ssm_out"))
}

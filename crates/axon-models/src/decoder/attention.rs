//! An attention sub-layer as plan steps: the Q/K/V projections (one fused matrix, Q + gate
//! with K and V apart, or three), the layer input (query split, per-head q/k norms, RoPE, the
//! K/V cache writes: one fused step, or the separate ones, `PlanOptions::fuse_attention_input`),
//! attention (with Qwen3.5's output gate when the Q projection carries one) and the output
//! projection.

use super::build::{Builder, ColumnBlock, F32, Input, linear, norm, split_columns};
use super::op::QueryBlock;
use super::{DecoderOp, PlanBuildError};
use crate::config::ModelConfig;
use crate::plan::{TensorId, TensorKind};
use axon_gpu::kernels::attention::partials_len;

/// Where the projections left Q (and its gate), K and V.
struct Projected {
    q: QueryBlock,
    k: ColumnBlock,
    v: ColumnBlock,
}

/// One attention sub-layer over the normed input `n`, up to its output projection: returns
/// that projection's input, its weight (in the layer) and its output's name.
pub(super) fn attention_block(
    b: &mut Builder<'_>,
    config: &ModelConfig,
    l: usize,
    n: Input,
    context: usize,
) -> Result<(TensorId, &'static str, &'static str), PlanBuildError> {
    let w = |name: &str| format!("blk.{l}.{name}");
    let (q_cols, kv_cols) = (config.heads * config.head_dim, config.kv_dim());
    let projected = project_qkv(b, config, l, n)?;
    let kv = b.options.kv_cache;
    if !kv.word_aligned(config.head_dim) {
        return Err(PlanBuildError::KvCacheHeadDim {
            kv,
            head_dim: config.head_dim,
        });
    }
    let cache_bytes = (context * kv_cols) as u64 * kv.element_bytes();
    let keys = b.plan.tensor(w("cache_k"), TensorKind::State, cache_bytes);
    let values = b.plan.tensor(w("cache_v"), TensorKind::State, cache_bytes);
    let norms = if config.qk_norm {
        Some((b.weight(&w("attn_q_norm"))?, b.weight(&w("attn_k_norm"))?))
    } else {
        None
    };
    let local = config.sliding_window(l).is_some();
    let (q, gate) = if b.options.fuse_attention_input {
        let q = b.scratch(w("q_ready"), q_cols);
        let gate = projected.q.gate_first.map(|_| b.scratch(w("gate"), q_cols));
        b.step(DecoderOp::AttentionInput {
            q_src: projected.q,
            k_src: projected.k,
            v_src: projected.v,
            norms,
            local,
            q,
            gate,
            keys,
            values,
            kv,
        });
        (q, gate)
    } else {
        separate_input(b, config, l, &projected, norms, local, [keys, values])
    };
    let partials = (b.tokens == 1).then(|| {
        let len = partials_len(config.heads, config.kv_heads, config.head_dim);
        b.plan
            .tensor(w("partials"), TensorKind::Scratch, len as u64 * F32)
    });
    let attn = b.scratch(w("attn"), q_cols);
    let op = DecoderOp::Attention {
        q,
        keys,
        values,
        partials,
        out: attn,
        window: config.sliding_window(l),
        gate,
        kv,
    };
    b.step(op);
    Ok((attn, "attn_output", "o"))
}

/// The layer input as separate steps: the query (and gate) split into contiguous tensors,
/// K split when it is not, the per-head norms, RoPE in place, the cache writes. Returns the
/// rotated queries and the gate.
fn separate_input(
    b: &mut Builder<'_>,
    config: &ModelConfig,
    l: usize,
    projected: &Projected,
    norms: Option<(TensorId, TensorId)>,
    local: bool,
    [keys, values]: [TensorId; 2],
) -> (TensorId, Option<TensorId>) {
    let w = |name: &str| format!("blk.{l}.{name}");
    let (hd, q_cols, kv_cols) = (
        config.head_dim,
        config.heads * config.head_dim,
        config.kv_dim(),
    );
    let qb = projected.q;
    let per_head = |b: &mut Builder<'_>, name: &str, first: usize| {
        let dst = b.scratch(w(name), q_cols);
        let op = DecoderOp::Split {
            src: qb.tensor,
            src_cols: qb.head_stride,
            first,
            dst,
            cols: hd,
            groups: config.heads,
        };
        b.step(op);
        dst
    };
    let q = if qb.head_stride == hd && qb.stride == q_cols {
        qb.tensor
    } else if qb.head_stride == hd {
        split_columns(b, (qb.tensor, qb.stride, 0), q_cols, w("q"))
    } else {
        per_head(b, "q", 0)
    };
    let gate = qb.gate_first.map(|first| per_head(b, "gate", first));
    let (k_tensor, k_stride, k_first) = projected.k;
    let k = if k_stride == kv_cols && k_first == 0 {
        k_tensor
    } else {
        split_columns(b, projected.k, kv_cols, w("k"))
    };
    let (q, k) = match norms {
        Some((qw, kw)) => {
            let (qn, kn) = (
                b.scratch(w("q_normed"), q_cols),
                b.scratch(w("k_normed"), kv_cols),
            );
            norm(b, q, qw, qn);
            norm(b, k, kw, kn);
            (qn, kn)
        }
        None => (q, k),
    };
    for (x, heads) in [(q, config.heads), (k, config.kv_heads)] {
        b.step(DecoderOp::Rope { x, heads, local });
    }
    let (v, v_cols, v_first) = projected.v;
    for (src, src_cols, first, cache) in [(k, kv_cols, 0, keys), (v, v_cols, v_first, values)] {
        let op = DecoderOp::CacheWrite {
            src,
            src_cols,
            first,
            cache,
            kv: b.options.kv_cache,
        };
        b.step(op);
    }
    (q, gate)
}

/// The Q/K/V projections, as the weights have them: Qwen3.5's Q + gate (per head, the
/// query's `head_dim` rows then the gate's) with K and V apart, three separate matrices, or
/// one fused QKV matrix.
fn project_qkv(
    b: &mut Builder<'_>,
    config: &ModelConfig,
    l: usize,
    n: Input,
) -> Result<Projected, PlanBuildError> {
    let w = |name: &str| format!("blk.{l}.{name}");
    let hd = config.head_dim;
    let (q_cols, kv_cols) = (config.heads * hd, config.kv_dim());
    if (b.weight_bytes)(&w("attn_qkv")).is_none() {
        // Q (Qwen3.5: each head's query rows then its gate's), K and V apart.
        let gated = (b.weight_bytes)(&w("attn_q_gate")).is_some();
        let (name, out, per_head) = if gated {
            ("attn_q_gate", "q_gate", 2 * hd)
        } else {
            ("attn_q", "q", hd)
        };
        let q = linear(b, &w(name), n, w(out), config.heads * per_head)?;
        let k = linear(b, &w("attn_k"), n, w("k"), kv_cols)?;
        let v = linear(b, &w("attn_v"), n, w("v"), kv_cols)?;
        let q = QueryBlock {
            tensor: q,
            stride: config.heads * per_head,
            head_stride: per_head,
            gate_first: gated.then_some(hd),
        };
        return Ok(Projected {
            q,
            k: (k, kv_cols, 0),
            v: (v, kv_cols, 0),
        });
    }
    let total = config.qkv_dim();
    let qkv = linear(b, &w("attn_qkv"), n, w("qkv"), total)?;
    let q = QueryBlock {
        tensor: qkv,
        stride: total,
        head_stride: hd,
        gate_first: None,
    };
    Ok(Projected {
        q,
        k: (qkv, total, q_cols),
        v: (qkv, total, q_cols + kv_cols),
    })
}

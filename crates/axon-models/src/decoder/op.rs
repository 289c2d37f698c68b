//! The steps a decoder plan is made of: one kernel launch each, naming its tensors by
//! [`TensorId`]. Values that change from call to call (the position of the first token) are
//! not in the op: the executor supplies them when it encodes the plan.

use crate::config::Activation;
use crate::plan::{StepAccesses, StepOp, TensorDecl, TensorId, Use};
use axon_gpu::kernels::kv_cache::KvType;

/// One kernel launch of a decoder forward pass over `tokens` tokens.
#[derive(Debug, Clone, PartialEq)]
pub enum DecoderOp {
    /// `out[t] = table[ids[t]] * scale`.
    Embed {
        /// Embedding matrix (weight).
        table: TensorId,
        /// Token ids (input, u32).
        ids: TensorId,
        /// `[tokens, embd]`.
        out: TensorId,
        /// Gemma: sqrt(embd); 1 otherwise.
        scale: f32,
    },
    /// RMSNorm of each row of `x` (rows of `weight`'s length) into `out`.
    Norm {
        /// Rows to normalise.
        x: TensorId,
        /// Per-column weight (already `1 + w` where the model stores it so).
        weight: TensorId,
        /// Output.
        out: TensorId,
    },
    /// `residual += x` in place, then `out = RMSNorm(residual) * weight`.
    AddNorm {
        /// The residual stream, updated in place.
        residual: TensorId,
        /// What the sub-layer added.
        x: TensorId,
        /// Norm weight.
        weight: TensorId,
        /// Normalised output.
        out: TensorId,
    },
    /// `out = a + b` (the unfused residual add).
    Add {
        /// The residual stream.
        a: TensorId,
        /// What the sub-layer added.
        b: TensorId,
        /// The new residual stream.
        out: TensorId,
    },
    /// The last token's row of `src` (`[tokens, cols]`) into `dst` (`[1, cols]`).
    LastRow {
        /// Source matrix.
        src: TensorId,
        /// Destination.
        dst: TensorId,
        /// Row length.
        cols: usize,
    },
    /// `y[t] = W x[t]` (matrix-vector for one token, tiled matrix-matrix for more). In
    /// one-token plans it may fold in the RMSNorm before it and the residual add after it.
    Linear {
        /// Weight matrix.
        w: TensorId,
        /// `[tokens, cols]`.
        x: TensorId,
        /// `[tokens, rows]`.
        y: TensorId,
        /// One row whatever the call's token count (the last token's logits).
        single: bool,
        /// `x` is the residual stream: project `RMSNorm(x) * norm` instead (one token only).
        norm: Option<TensorId>,
        /// `y += W x` (the residual add; one token only).
        accumulate: bool,
    },
    /// Fused FFN input: `y[t] = act(G x[t]) * (U x[t])`, G and U stored as one matrix.
    Glu {
        /// Gate rows then up rows.
        w: TensorId,
        /// `[tokens, embd]`.
        x: TensorId,
        /// `[tokens, ff]`.
        y: TensorId,
        /// The gate's activation.
        gate: Activation,
        /// `x` is the residual stream: take `RMSNorm(x) * norm` instead (one token only).
        norm: Option<TensorId>,
    },
    /// The FFN gate elementwise, for separate gate and up matrices: `y = act(gate) * up`.
    Gate {
        /// `[tokens, ff]`, before the activation.
        gate: TensorId,
        /// `[tokens, ff]`.
        up: TensorId,
        /// `[tokens, ff]`.
        y: TensorId,
        /// The activation.
        activation: Activation,
    },
    /// A block of columns of `src` (`[tokens * groups, src_cols]`) into contiguous `dst`
    /// (`[tokens * groups, cols]`): splits a fused QKV output (`groups` 1), or each head's
    /// query from its output gate (`groups` = heads).
    Split {
        /// Source matrix.
        src: TensorId,
        /// Its row length.
        src_cols: usize,
        /// First column of the block.
        first: usize,
        /// Destination.
        dst: TensorId,
        /// Columns of the block.
        cols: usize,
        /// Rows per token.
        groups: usize,
    },
    /// Rotary embedding of `[tokens, heads, head_dim]` in place, at the call's positions.
    Rope {
        /// Rotated in place.
        x: TensorId,
        /// Heads in `x`.
        heads: usize,
        /// The sliding-window layers' RoPE (Gemma 3's local base) instead of the global one.
        local: bool,
    },
    /// Writes the call's rows of `src` (a block of columns, as [`DecoderOp::Split`]) into the
    /// cache at the call's positions.
    CacheWrite {
        /// Source matrix.
        src: TensorId,
        /// Its row length.
        src_cols: usize,
        /// First column of the block.
        first: usize,
        /// `[context, kv_heads * head_dim]` cache (state).
        cache: TensorId,
        /// The cache's element type.
        kv: KvType,
    },
    /// An attention layer's whole input in one step: what the [`DecoderOp::Split`]s of the
    /// query (and its gate), the per-head [`DecoderOp::Norm`]s, the two [`DecoderOp::Rope`]s
    /// and the two [`DecoderOp::CacheWrite`]s compute, with the same values (the GPU kernel
    /// is tested equal bit for bit).
    AttentionInput {
        /// The query projection: head `h` of token `t` at `t * stride + h * head_stride`.
        q_src: QueryBlock,
        /// Keys: (tensor, row length, first column).
        k_src: (TensorId, usize, usize),
        /// Values: (tensor, row length, first column).
        v_src: (TensorId, usize, usize),
        /// Per-head q and k norm weights, when the model has them.
        norms: Option<(TensorId, TensorId)>,
        /// The sliding-window layers' RoPE (Gemma 3's local base) instead of the global one.
        local: bool,
        /// Rotated queries `[tokens, heads * head_dim]`.
        q: TensorId,
        /// The output gate `[tokens, heads * head_dim]`, when the query projection carries one.
        gate: Option<TensorId>,
        /// Key cache (state).
        keys: TensorId,
        /// Value cache (state).
        values: TensorId,
        /// The caches' element type.
        kv: KvType,
    },
    /// Causal attention of the call's queries over the cache.
    Attention {
        /// `[tokens, heads * head_dim]`.
        q: TensorId,
        /// Key cache (state).
        keys: TensorId,
        /// Value cache (state).
        values: TensorId,
        /// Partial-softmax scratch of the one-token (decode) kernel, per head and run of the
        /// cache (`axon_gpu::kernels::attention::partials_len`); prefill keeps its scores in
        /// workgroup memory.
        partials: Option<TensorId>,
        /// `[tokens, heads * head_dim]`.
        out: TensorId,
        /// Sliding window of this layer.
        window: Option<usize>,
        /// Output gate `[tokens, heads * head_dim]`: `out *= sigmoid(gate)` (Qwen3.5).
        gate: Option<TensorId>,
        /// The caches' element type.
        kv: KvType,
    },
    /// Gated DeltaNet's causal conv1d + SiLU over `[tokens, channels]`, state carried.
    Conv {
        /// `[channels, kernel]` weights.
        w: TensorId,
        /// `[kernel - 1, channels]` history (state).
        state: TensorId,
        /// Input.
        x: TensorId,
        /// Output.
        y: TensorId,
    },
    /// L2 norm of each row of `cols` values, then `* scale`.
    L2Norm {
        /// Input.
        x: TensorId,
        /// Output.
        out: TensorId,
        /// Row length.
        cols: usize,
        /// Factor after the norm (`1/sqrt(d_k)` for queries).
        scale: f32,
    },
    /// `(beta, g)` per token and value head from the b and a projections.
    Gates {
        /// `[tokens, v_heads]`.
        b: TensorId,
        /// `[tokens, v_heads]`.
        a: TensorId,
        /// `-exp(A_log)`, `[v_heads]`.
        a_neg: TensorId,
        /// `[v_heads]`.
        dt_bias: TensorId,
        /// `[tokens, v_heads, 2]`.
        out: TensorId,
    },
    /// Gated DeltaNet's whole layer input in one step: what [`DecoderOp::Conv`], three
    /// [`DecoderOp::Split`]s, two [`DecoderOp::L2Norm`]s and [`DecoderOp::Gates`] compute,
    /// with the same values (the GPU kernel is tested equal bit for bit).
    DeltaNetInput {
        /// The mixed projection `[tokens, channels]` (q, k, v channels in that order).
        x: TensorId,
        /// `[channels, kernel]` conv weights.
        conv_w: TensorId,
        /// `[kernel - 1, channels]` conv history (state).
        conv_state: TensorId,
        /// The b projection `[tokens, v_heads]`.
        b: TensorId,
        /// The a projection `[tokens, v_heads]`.
        a: TensorId,
        /// `-exp(A_log)`, `[v_heads]`.
        a_neg: TensorId,
        /// `[v_heads]`.
        dt_bias: TensorId,
        /// L2-normed, scaled queries `[tokens, k_heads, d_k]`.
        q: TensorId,
        /// L2-normed keys.
        k: TensorId,
        /// Values `[tokens, v_heads * d_v]`.
        v: TensorId,
        /// `(beta, g)` pairs `[tokens, v_heads, 2]`.
        gates: TensorId,
        /// Factor on q after its norm (`1/sqrt(d_k)`), as [`DecoderOp::L2Norm`]'s `scale`.
        q_scale: f32,
    },
    /// The gated delta rule over the call's tokens (sequential for one, chunked for more).
    DeltaRule {
        /// L2-normed, scaled queries `[tokens, k_heads, d_k]`.
        q: TensorId,
        /// L2-normed keys.
        k: TensorId,
        /// Values `[tokens, v_heads, d_v]`.
        v: TensorId,
        /// `(beta, g)` pairs.
        gates: TensorId,
        /// `[v_heads, d_k, d_v]` recurrent state.
        state: TensorId,
        /// `[tokens, v_heads, d_v]`.
        out: TensorId,
    },
    /// Per row of `logits`: its argmax and its first non-finite column, `[rows, 2]` u32 (the
    /// executor reads them back with the logits and refuses a non-finite row).
    Argmax {
        /// `[rows, vocab]` logits.
        logits: TensorId,
        /// Per-slice scratch (`axon_gpu::kernels::argmax::partials_len`).
        partials: TensorId,
        /// `[rows, 2]` u32 picks (an output the host reads).
        picks: TensorId,
        /// Values per row.
        vocab: usize,
    },
    /// `out = RMSNorm(x) * weight * silu(gate)` over rows of `weight`'s length.
    GatedNorm {
        /// Input.
        x: TensorId,
        /// The gate (same shape as `x`).
        gate: TensorId,
        /// Norm weight.
        weight: TensorId,
        /// Output.
        out: TensorId,
    },
}

/// Where a projection keeps its queries: head `h` of token `t` at
/// `t * stride + h * head_stride`, and its output gate, if any, `gate_first` further.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryBlock {
    /// The projection.
    pub tensor: TensorId,
    /// Values per token.
    pub stride: usize,
    /// Values from one head's query to the next.
    pub head_stride: usize,
    /// The gate's offset from its head's query.
    pub gate_first: Option<usize>,
}

impl DecoderOp {
    /// Every tensor the op binds and how it uses it: the one description the plan validator
    /// checks ([`StepOp::accesses`]) and the executor binds (it refuses a step whose bindings
    /// differ from this list).
    pub fn operands(&self) -> Vec<(TensorId, Use)> {
        use Use::{Read as R, ReadWrite as RW, Write as W};
        match *self {
            Self::Embed {
                table, ids, out, ..
            } => vec![(table, R), (ids, R), (out, W)],
            Self::Norm { x, weight, out } => vec![(x, R), (weight, R), (out, W)],
            Self::AddNorm {
                residual,
                x,
                weight,
                out,
            } => vec![(residual, RW), (x, R), (weight, R), (out, W)],
            Self::Add { a, b, out } => vec![(a, R), (b, R), (out, W)],
            Self::LastRow { src, dst, .. } => vec![(src, R), (dst, W)],
            Self::Linear {
                w,
                x,
                y,
                norm,
                accumulate,
                ..
            } => {
                let mut list = vec![(w, R), (x, R)];
                list.extend(norm.map(|n| (n, R)));
                list.push((y, if accumulate { RW } else { W }));
                list
            }
            Self::Glu { w, x, y, norm, .. } => {
                let mut list = vec![(w, R), (x, R)];
                list.extend(norm.map(|n| (n, R)));
                list.push((y, W));
                list
            }
            Self::Gate { gate, up, y, .. } => vec![(gate, R), (up, R), (y, W)],
            Self::Split { src, dst, .. } => vec![(src, R), (dst, W)],
            Self::Rope { x, .. } => vec![(x, RW)],
            Self::CacheWrite { src, cache, .. } => vec![(src, R), (cache, RW)],
            Self::AttentionInput {
                q_src,
                k_src,
                v_src,
                norms,
                q,
                gate,
                keys,
                values,
                ..
            } => {
                let mut list = vec![(q_src.tensor, R), (k_src.0, R), (v_src.0, R)];
                if let Some((qn, kn)) = norms {
                    list.extend([(qn, R), (kn, R)]);
                }
                list.push((q, W));
                list.extend(gate.map(|g| (g, W)));
                list.extend([(keys, RW), (values, RW)]);
                list
            }
            Self::Attention {
                q,
                keys,
                values,
                partials,
                out,
                gate,
                ..
            } => {
                let mut list = vec![(q, R), (keys, R), (values, R)];
                list.extend(gate.map(|g| (g, R)));
                list.extend(partials.map(|s| (s, W)));
                list.push((out, W));
                list
            }
            Self::Conv { w, state, x, y } => vec![(w, R), (state, RW), (x, R), (y, W)],
            Self::L2Norm { x, out, .. } => vec![(x, R), (out, W)],
            Self::Gates {
                b,
                a,
                a_neg,
                dt_bias,
                out,
            } => vec![(b, R), (a, R), (a_neg, R), (dt_bias, R), (out, W)],
            Self::DeltaNetInput {
                x,
                conv_w,
                conv_state,
                b,
                a,
                a_neg,
                dt_bias,
                q,
                k,
                v,
                gates,
                ..
            } => vec![
                (conv_w, R),
                (conv_state, RW),
                (x, R),
                (b, R),
                (a, R),
                (a_neg, R),
                (dt_bias, R),
                (q, W),
                (k, W),
                (v, W),
                (gates, W),
            ],
            Self::DeltaRule {
                q,
                k,
                v,
                gates,
                state,
                out,
            } => vec![(q, R), (k, R), (v, R), (gates, R), (state, RW), (out, W)],
            Self::GatedNorm {
                x,
                gate,
                weight,
                out,
            } => vec![(x, R), (gate, R), (weight, R), (out, W)],
            Self::Argmax {
                logits,
                partials,
                picks,
                ..
            } => vec![(logits, R), (partials, W), (picks, W)],
        }
    }
}

impl StepOp for DecoderOp {
    /// Whole tensors: every kernel may touch all of each tensor it binds.
    fn accesses(&self, tensors: &[TensorDecl]) -> StepAccesses {
        StepAccesses::whole(tensors, &self.operands())
    }
}

//! What mixes positions in a block: Llama / Gemma 3 attention, Qwen3.5's gated full
//! attention, or Qwen3.5's Gated DeltaNet (`docs/QWEN35.md`).

use super::layer::QkvProjection;

/// A block's token mixer.
#[derive(Debug)]
pub enum Mixer<M, N> {
    /// Softmax attention (Llama, Gemma 3).
    Attention(AttentionTensors<M, N>),
    /// Qwen3.5's full attention, whose query projection also yields a sigmoid output gate.
    GatedAttention(GatedAttentionTensors<M, N>),
    /// Qwen3.5's Gated DeltaNet (linear attention with a recurrent state).
    DeltaNet(DeltaNetTensors<M, N>),
}

/// Softmax attention's tensors (Llama, Gemma 3).
#[derive(Debug)]
pub struct AttentionTensors<M, N> {
    /// Q, K, V projections, `embd` columns.
    pub qkv: QkvProjection<M>,
    /// Per-head RMSNorm of queries, `head_dim` (when the config has `qk_norm`).
    pub q_norm: Option<N>,
    /// Per-head RMSNorm of keys, `head_dim` (when the config has `qk_norm`).
    pub k_norm: Option<N>,
    /// Output projection, `embd x q_dim`.
    pub output: M,
}

/// Qwen3.5's gated full attention. Never fused: the query/gate rows interleave per head.
#[derive(Debug)]
pub struct GatedAttentionTensors<M, N> {
    /// `2 * q_dim x embd`: per head, the query's `head_dim` rows then the gate's `head_dim`
    /// rows, as stored (Hugging Face `q_proj`, GGUF `attn_q`).
    pub q_gate: M,
    /// Keys, `kv_dim x embd`.
    pub k: M,
    /// Values, `kv_dim x embd`.
    pub v: M,
    /// Per-head RMSNorm of queries, `head_dim`.
    pub q_norm: N,
    /// Per-head RMSNorm of keys, `head_dim`.
    pub k_norm: N,
    /// Output projection, `embd x q_dim`.
    pub output: M,
}

/// Qwen3.5's Gated DeltaNet, value heads in the file's order
/// ([`ValueHeadOrder`](crate::config::ValueHeadOrder)).
#[derive(Debug)]
pub struct DeltaNetTensors<M, N> {
    /// `conv_dim x embd`: all query heads' rows, all key heads', all value heads'.
    pub in_qkv: M,
    /// Output gate `z`, `value_dim x embd`.
    pub in_z: M,
    /// Write strength `b` (sigmoid gives beta), `v_heads x embd`.
    pub in_b: M,
    /// Decay input `a`, `v_heads x embd`.
    pub in_a: M,
    /// Causal conv taps, `conv_dim * conv_kernel` values laid out `[channel][tap]`, oldest tap
    /// first (the last tap multiplies the current token).
    pub conv1d: N,
    /// `-exp(A_log)` per value head (the decay is `a_neg * softplus(a + dt_bias)`).
    pub a_neg: N,
    /// Added to `a` before the softplus, `v_heads`.
    pub dt_bias: N,
    /// Gated RMSNorm weight, `dv`, shared by all value heads, used as stored (not zero-centred).
    pub norm: N,
    /// Output projection, `embd x value_dim`.
    pub out: M,
}

impl<M, N> Mixer<M, N> {
    /// Every matrix, in forward order.
    pub fn matrices(&self) -> Vec<&M> {
        match self {
            Self::Attention(a) => {
                let mut all = a.qkv.matrices();
                all.push(&a.output);
                all
            }
            Self::GatedAttention(g) => vec![&g.q_gate, &g.k, &g.v, &g.output],
            Self::DeltaNet(d) => vec![&d.in_qkv, &d.in_z, &d.in_b, &d.in_a, &d.out],
        }
    }

    /// Every vector, in forward order.
    pub fn vectors(&self) -> Vec<&N> {
        match self {
            Self::Attention(a) => a.q_norm.iter().chain(a.k_norm.iter()).collect(),
            Self::GatedAttention(g) => vec![&g.q_norm, &g.k_norm],
            Self::DeltaNet(d) => vec![&d.conv1d, &d.a_neg, &d.dt_bias, &d.norm],
        }
    }
}

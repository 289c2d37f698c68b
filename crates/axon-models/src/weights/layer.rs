//! One transformer block's tensors, generic over how a matrix and a vector are held: the
//! manifest holds checked file views, [`ModelWeights`](super::ModelWeights) GPU buffers.

use super::mixer::{AttentionTensors, Mixer};

/// The Q, K and V projections of a layer.
#[derive(Debug)]
pub enum QkvProjection<M> {
    /// One matrix of `q_dim + 2 * kv_dim` rows: Q's rows, then K's, then V's. One matvec
    /// computes all three into one vector with Q at offset 0, K at `q_dim`, V at
    /// `q_dim + kv_dim`.
    Fused(M),
    /// Three matrices (the layout asked for no fusion, or a [`FusionFallback`] says why).
    ///
    /// [`FusionFallback`]: super::FusionFallback
    Separate {
        /// `q_dim` rows.
        q: M,
        /// `kv_dim` rows.
        k: M,
        /// `kv_dim` rows.
        v: M,
    },
}

/// The FFN input projections of a layer.
#[derive(Debug)]
pub enum GateUpProjection<M> {
    /// One matrix of `2 * ff` rows: the gate's rows, then up's, as `matvec_glu` and
    /// `matmul_glu` read them.
    Fused(M),
    /// Two matrices of `ff` rows each.
    Separate {
        /// The gate (its rows go through the activation).
        gate: M,
        /// Up.
        up: M,
    },
}

/// One transformer block: matrices `M` (`rows x cols`, named by what they compute) and
/// vectors `N` (norm weights already the factor each norm multiplies by; the other f32
/// vectors of a Gated DeltaNet layer as its kernels read them).
#[derive(Debug)]
pub struct LayerTensors<M, N> {
    /// Pre-mixer RMSNorm, `embd`.
    pub attn_norm: N,
    /// What mixes positions: attention or a Gated DeltaNet.
    pub mixer: Mixer<M, N>,
    /// RMSNorm of the attention output, `embd` (when the config has `post_attention_norm`).
    pub post_attention_norm: Option<N>,
    /// Pre-FFN RMSNorm, `embd`.
    pub ffn_norm: N,
    /// Gate and up projections, `embd` columns.
    pub gate_up: GateUpProjection<M>,
    /// Down projection, `embd x ff`.
    pub ffn_down: M,
    /// RMSNorm of the FFN output, `embd` (when the config has `post_ffn_norm`).
    pub post_ffn_norm: Option<N>,
}

impl<M> QkvProjection<M> {
    /// The matrices in row order (one when fused).
    pub fn matrices(&self) -> Vec<&M> {
        match self {
            Self::Fused(m) => vec![m],
            Self::Separate { q, k, v } => vec![q, k, v],
        }
    }
}

impl<M> GateUpProjection<M> {
    /// The matrices in row order (one when fused).
    pub fn matrices(&self) -> Vec<&M> {
        match self {
            Self::Fused(m) => vec![m],
            Self::Separate { gate, up } => vec![gate, up],
        }
    }
}

impl<M, N> LayerTensors<M, N> {
    /// Every matrix of the block, in forward order.
    pub fn matrices(&self) -> Vec<&M> {
        let mut all = self.mixer.matrices();
        all.extend(self.gate_up.matrices());
        all.push(&self.ffn_down);
        all
    }

    /// Every vector of the block, in forward order.
    pub fn vectors(&self) -> Vec<&N> {
        let mut all = vec![&self.attn_norm];
        all.extend(self.mixer.vectors());
        all.extend(self.post_attention_norm.as_ref());
        all.push(&self.ffn_norm);
        all.extend(self.post_ffn_norm.as_ref());
        all
    }

    /// The attention of a Llama or Gemma 3 layer, `None` for other mixers.
    pub fn attention(&self) -> Option<&AttentionTensors<M, N>> {
        match &self.mixer {
            Mixer::Attention(a) => Some(a),
            _ => None,
        }
    }
}

//! Qwen3.5's layer schedule and the sizes of its Gated DeltaNet layers (`docs/QWEN35.md`).

/// How a file orders the Gated DeltaNet value heads relative to the key heads (matters
/// only when there are more value heads than key heads).
///
/// The weights are kept as stored; the delta-rule kernel is told the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueHeadOrder {
    /// Hugging Face: value head `h` reads key head `h / (v_heads / k_heads)`.
    Grouped,
    /// llama.cpp GGUF (its converter reorders value heads when `v_heads > k_heads`): value
    /// head `h` reads key head `h % k_heads`.
    Tiled,
}

impl ValueHeadOrder {
    /// The key head that value head `value_head` reads.
    pub fn key_head(self, value_head: usize, k_heads: usize, v_heads: usize) -> usize {
        match self {
            Self::Grouped => value_head / (v_heads / k_heads.max(1)).max(1),
            Self::Tiled => value_head % k_heads.max(1),
        }
    }
}

/// Qwen3.5's layer schedule and Gated DeltaNet sizes.
#[derive(Debug, Clone, PartialEq)]
pub struct DeltaNetLayers {
    /// One flag per layer: `true` for a gated full-attention layer, `false` for a Gated
    /// DeltaNet layer (Hugging Face `layer_types`, else every `full_attention_interval`-th
    /// layer, 1-based, is full attention).
    pub full_attention: Vec<bool>,
    /// Gated DeltaNet key (and query) heads.
    pub k_heads: usize,
    /// Gated DeltaNet value heads (a multiple of `k_heads`).
    pub v_heads: usize,
    /// Values per key (and query) head.
    pub dk: usize,
    /// Values per value head.
    pub dv: usize,
    /// Taps of the causal depthwise convolution over the QKV channels.
    pub conv_kernel: usize,
    /// How the file orders the value heads (the weights are kept as stored).
    pub value_head_order: ValueHeadOrder,
    /// Epsilon of the L2 norm of each query and key head (`x * rsqrt(sum(x^2) + eps)`).
    pub l2_norm_eps: f32,
}

impl DeltaNetLayers {
    /// Width of all key (or query) heads: `k_heads * dk`.
    pub fn key_dim(&self) -> usize {
        self.k_heads * self.dk
    }

    /// Width of all value heads: `v_heads * dv`.
    pub fn value_dim(&self) -> usize {
        self.v_heads * self.dv
    }

    /// Channels of the convolution (the QKV projection's rows): `2 * key_dim + value_dim`.
    pub fn conv_dim(&self) -> usize {
        2 * self.key_dim() + self.value_dim()
    }

    /// The key head value head `value_head` reads.
    pub fn key_head(&self, value_head: usize) -> usize {
        self.value_head_order
            .key_head(value_head, self.k_heads, self.v_heads)
    }
}

/// Layer `i` is full attention iff `(i + 1) % interval == 0` (transformers and llama.cpp).
pub(super) fn every_nth_layer_full(layers: usize, interval: usize) -> Vec<bool> {
    (0..layers)
        .map(|i| interval > 0 && (i + 1).is_multiple_of(interval))
        .collect()
}

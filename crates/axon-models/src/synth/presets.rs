//! Real model shapes: the sizes llama.cpp reads from a real file of each model.

/// The architecture a preset builds, as `general.architecture` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SynthArch {
    /// `llama` (Llama 3, SmolLM2).
    Llama,
    /// `gemma3`.
    Gemma3,
    /// `qwen35`: Gated DeltaNet layers, with full attention every `interval`-th layer.
    Qwen35,
}

impl SynthArch {
    /// The GGUF architecture name (also the metadata key prefix).
    pub fn name(self) -> &'static str {
        match self {
            SynthArch::Llama => "llama",
            SynthArch::Gemma3 => "gemma3",
            SynthArch::Qwen35 => "qwen35",
        }
    }
}

/// Gated DeltaNet sizes of a Qwen3.5 preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeltaNetShape {
    /// Key heads (`ssm.group_count`).
    pub k_heads: usize,
    /// Value heads (`ssm.time_step_rank`).
    pub v_heads: usize,
    /// Key head size (`ssm.state_size`).
    pub dk: usize,
    /// Value head size.
    pub dv: usize,
    /// Causal convolution taps.
    pub conv_kernel: usize,
    /// Every `interval`-th layer is full attention.
    pub interval: usize,
}

/// One model's shape and hyperparameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Preset {
    /// The `--preset` name.
    pub name: &'static str,
    /// Architecture.
    pub arch: SynthArch,
    /// Transformer blocks.
    pub layers: usize,
    /// Hidden size.
    pub embd: usize,
    /// FFN width.
    pub ff: usize,
    /// Query heads.
    pub heads: usize,
    /// Key/value heads.
    pub kv_heads: usize,
    /// Attention head size.
    pub head_dim: usize,
    /// Rotary dimensions per head.
    pub rope_dims: usize,
    /// Vocabulary rows of the embedding.
    pub vocab: usize,
    /// The output projection is the token embedding.
    pub tied: bool,
    /// Trained context.
    pub context: usize,
    /// RoPE base frequency (of the full-attention layers).
    pub rope_base: f32,
    /// RMSNorm epsilon.
    pub eps: f32,
    /// Gemma 3's sliding window.
    pub sliding_window: Option<usize>,
    /// Qwen3.5's Gated DeltaNet layers.
    pub deltanet: Option<DeltaNetShape>,
}

const QWEN35_DELTANET: DeltaNetShape = DeltaNetShape {
    k_heads: 16,
    v_heads: 16,
    dk: 128,
    dv: 128,
    conv_kernel: 4,
    interval: 4,
};

const fn qwen35(
    name: &'static str,
    layers: usize,
    embd: usize,
    ff: usize,
    heads: usize,
    v_heads: usize,
    tied: bool,
) -> Preset {
    Preset {
        name,
        arch: SynthArch::Qwen35,
        layers,
        embd,
        ff,
        heads,
        kv_heads: if layers == 24 { 2 } else { 4 },
        head_dim: 256,
        rope_dims: 64,
        vocab: 248_320,
        tied,
        context: 262_144,
        rope_base: 10_000_000.0,
        eps: 1e-6,
        sliding_window: None,
        deltanet: Some(DeltaNetShape {
            v_heads,
            ..QWEN35_DELTANET
        }),
    }
}

/// Every preset (`docs/QWEN35.md` for Qwen3.5: 0.8B and 27B are confirmed
/// there; 2B, 4B and 9B, and the tying of 2B/4B/9B, follow its best sources and Qwen3's
/// pattern of tied small models).
pub const PRESETS: &[Preset] = &[
    qwen35("qwen35-0.8b", 24, 1024, 3584, 8, 16, true),
    qwen35("qwen35-2b", 24, 2048, 6144, 8, 16, true),
    qwen35("qwen35-4b", 32, 2560, 9216, 16, 32, true),
    qwen35("qwen35-9b", 32, 4096, 12288, 16, 32, false),
    qwen35("qwen35-27b", 64, 5120, 17408, 24, 48, false),
    Preset {
        name: "llama3-8b",
        arch: SynthArch::Llama,
        layers: 32,
        embd: 4096,
        ff: 14336,
        heads: 32,
        kv_heads: 8,
        head_dim: 128,
        rope_dims: 128,
        vocab: 128_256,
        tied: false,
        context: 8192,
        rope_base: 500_000.0,
        eps: 1e-5,
        sliding_window: None,
        deltanet: None,
    },
    Preset {
        name: "smollm2-135m",
        arch: SynthArch::Llama,
        layers: 30,
        embd: 576,
        ff: 1536,
        heads: 9,
        kv_heads: 3,
        head_dim: 64,
        rope_dims: 64,
        vocab: 49_152,
        tied: true,
        context: 8192,
        rope_base: 100_000.0,
        eps: 1e-5,
        sliding_window: None,
        deltanet: None,
    },
    Preset {
        name: "gemma3-270m",
        arch: SynthArch::Gemma3,
        layers: 18,
        embd: 640,
        ff: 2048,
        heads: 4,
        kv_heads: 1,
        head_dim: 256,
        rope_dims: 256,
        vocab: 262_144,
        tied: true,
        context: 32_768,
        rope_base: 1_000_000.0,
        eps: 1e-6,
        sliding_window: Some(512),
        deltanet: None,
    },
];

/// The preset called `name`.
pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

impl Preset {
    /// Whether layer `l` is a full-attention layer (always, except Qwen3.5's DeltaNet layers).
    pub fn is_full_attention(&self, l: usize) -> bool {
        self.deltanet
            .is_none_or(|d| (l + 1).is_multiple_of(d.interval))
    }

    /// Weights in the preset (for messages and sizing).
    pub fn parameters(&self) -> u64 {
        super::tensors::tensors(self)
            .iter()
            .map(|t| t.dims.iter().product::<u64>())
            .sum()
    }
}

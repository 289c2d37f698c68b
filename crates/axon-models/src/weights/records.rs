//! The load-time choices a caller makes ([`WeightLayout`]) and the ones the loader records
//! ([`FormatConversion`], [`FusionFallback`]), so that nothing changes a model silently.

use axon_formats::quant::GgmlType;

/// How matrices are grouped on the GPU, chosen at load time (the engine reads
/// `AXON_FUSE_QKV` / `AXON_FUSE_FFN`). Only one grouping is stored: memory matters more than
/// switching without a reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeightLayout {
    /// Concatenate each layer's Q, K and V rows into one matrix (one matvec for all three).
    pub fuse_qkv: bool,
    /// Concatenate each layer's FFN gate rows, then up rows, into one matrix (the layout
    /// `matvec_glu` and `matmul_glu` read).
    pub fuse_ffn: bool,
}

impl WeightLayout {
    /// Both fusions on (the engine's default).
    pub const FUSED: Self = Self {
        fuse_qkv: true,
        fuse_ffn: true,
    };
    /// Every matrix on its own (the unfused twin of every fused kernel).
    pub const SEPARATE: Self = Self {
        fuse_qkv: false,
        fuse_ffn: false,
    };
}

/// A tensor re-encoded at load time because no kernel decodes its file format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatConversion {
    /// The tensor's name in the file.
    pub tensor: String,
    /// Its format in the file.
    pub from: GgmlType,
    /// Its format on the GPU (Q8_0; F32 for F64).
    pub to: GgmlType,
}

/// Which fusion a [`FusionFallback`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FusedGroup {
    /// Q, K and V projections.
    Qkv,
    /// FFN gate and up projections.
    GateUp,
}

/// Why a layer's matrices stayed separate although the layout asked for fusion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FallbackReason {
    /// The matrices have different formats on the GPU (one matrix has one format), listed in
    /// row order (e.g. Gemma 3 Q4_K_M files: Q5_0, Q5_0, Q8_0).
    MixedFormats(Vec<GgmlType>),
    /// The fused matrix would not fit one storage binding, though each part does.
    TooLargeForBinding {
        /// Bytes of the fused matrix.
        bytes: u64,
        /// The device's limit.
        max: u64,
    },
}

/// A layer whose matrices were stored separately against the layout's wish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FusionFallback {
    /// The layer.
    pub layer: usize,
    /// Which fusion.
    pub group: FusedGroup,
    /// Why.
    pub reason: FallbackReason,
}

//! Every kernel variant the engine can request, in one table.
//!
//! A variant is a list of `wgsl/` files (reduction parts first, the kernel last), an entry
//! point, the override constants its launcher sets, and the device features it needs. The
//! launcher reads the workgroup size from here, so Rust and WGSL never disagree about it.

// The files variants are composed from (`files.rs`), re-exported under their old paths.
use super::compose::WgslFile;
pub use super::files::*;

/// Device features a variant cannot run without.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Needs {
    /// Subgroup builtins and operations (`wgpu::Features::SUBGROUP`).
    pub subgroups: bool,
    /// `f16` (`wgpu::Features::SHADER_F16`).
    pub f16: bool,
    /// `unpack2x16float` (`wgpu::DownlevelFlags::SHADER_F16_IN_F32`).
    pub half_unpack: bool,
}

impl Needs {
    /// The first of these a device with `caps` lacks, by its feature name; `None` when it has
    /// them all.
    pub fn missing(&self, caps: &crate::device::caps::DeviceCaps) -> Option<&'static str> {
        if self.subgroups && !caps.has_subgroups() {
            Some("subgroup")
        } else if self.f16 && !caps.has_f16() {
            Some("shader-f16")
        } else if self.half_unpack && !caps.has_half_unpack() {
            Some("shader-f16-in-f32")
        } else {
            None
        }
    }
}

/// What a variant over an f16 KV cache needs: `unpack2x16float` in `parts/kv_f16.wgsl`.
const KV_F16_NEEDS: Needs = Needs {
    subgroups: false,
    f16: false,
    half_unpack: true,
};

/// One compilable, dispatchable kernel.
#[derive(Debug)]
pub struct KernelVariant {
    /// Unique registry key, also the label of its shader module, pipeline and dispatches.
    pub name: &'static str,
    /// The `@compute` entry point.
    pub entry_point: &'static str,
    /// Files concatenated in this order: parts, then the kernel.
    pub files: &'static [&'static WgslFile],
    /// Value of the `WG_SIZE` override, or `None` when the kernel fixes its own size.
    pub workgroup_size: Option<u32>,
    /// Whether `WG_SIZE` must be a power of two (tree reductions).
    pub power_of_two_workgroup: bool,
    /// Features the variant needs.
    pub needs: Needs,
}

impl KernelVariant {
    /// The override constants the pipeline is created with at the table's workgroup size.
    pub fn overrides(&self) -> Vec<(&'static str, f64)> {
        self.overrides_at(self.workgroup_size)
    }

    /// The override constants at `workgroup_size` invocations (`None`: the kernel fixes its
    /// own size and has no `WG_SIZE`).
    pub fn overrides_at(&self, workgroup_size: Option<u32>) -> Vec<(&'static str, f64)> {
        workgroup_size
            .map(|wg| ("WG_SIZE", f64::from(wg)))
            .into_iter()
            .collect()
    }
}

/// A kernel's two reduction variants: the same kernel file and entry point after a different
/// reduction part, at the same table workgroup size. `Reduction` picks one (and, for
/// `Reduction::OneSubgroup`, the subgroup one at one subgroup's width).
#[derive(Debug)]
pub struct ReducedPair {
    /// Subgroup operations (`parts/reduce_subgroup.wgsl`).
    pub subgroup: &'static KernelVariant,
    /// A tree in workgroup memory (`parts/reduce_workgroup.wgsl`).
    pub workgroup: &'static KernelVariant,
}

/// Elementwise `out = a + b` over f32.
pub static ADD_F32: KernelVariant = KernelVariant {
    name: "add_f32",
    entry_point: "add_f32",
    files: &[&ADD_WGSL],
    workgroup_size: Some(256),
    power_of_two_workgroup: false,
    needs: Needs {
        subgroups: false,
        f16: false,
        half_unpack: false,
    },
};

/// A dispatch that does nothing (per-dispatch overhead measurements).
pub static NOOP: KernelVariant = KernelVariant {
    name: "noop",
    entry_point: "noop",
    files: &[&NOOP_WGSL],
    workgroup_size: None,
    power_of_two_workgroup: false,
    needs: Needs {
        subgroups: false,
        f16: false,
        half_unpack: false,
    },
};

/// `dst = src` in 16-byte vectors (the shader bandwidth reference).
pub static COPY_VEC4: KernelVariant = KernelVariant {
    name: "copy_vec4",
    entry_point: "copy_vec4",
    files: &[&KV_F32_WGSL, &COPY_WGSL],
    workgroup_size: Some(256),
    power_of_two_workgroup: false,
    needs: Needs {
        subgroups: false,
        f16: false,
        half_unpack: false,
    },
};

/// A block of columns of one row-major f32 matrix into another, at offsets.
pub static COPY_COLUMNS: KernelVariant = KernelVariant {
    name: "copy_columns",
    entry_point: "copy_columns",
    files: &[&KV_F32_WGSL, &COPY_WGSL],
    workgroup_size: Some(256),
    power_of_two_workgroup: false,
    needs: Needs {
        subgroups: false,
        f16: false,
        half_unpack: false,
    },
};

/// [`COPY_COLUMNS`] into an f16 KV cache: the block's values rounded to halves, two per word.
pub static COPY_COLUMNS_F16: KernelVariant = KernelVariant {
    name: "copy_columns_f16",
    entry_point: "copy_columns",
    files: &[&KV_F16_WGSL, &COPY_WGSL],
    workgroup_size: Some(256),
    power_of_two_workgroup: false,
    needs: KV_F16_NEEDS,
};

/// The FFN gate elementwise, for separate gate and up matrices.
pub static GLU_F32: KernelVariant = KernelVariant {
    name: "glu_f32",
    entry_point: "glu_f32",
    files: &[&ACTIVATION_WGSL, &GLU_WGSL],
    workgroup_size: Some(256),
    power_of_two_workgroup: false,
    needs: Needs {
        subgroups: false,
        f16: false,
        half_unpack: false,
    },
};

/// A kernel in its two reduction variants: subgroup operations, or a tree in workgroup memory
/// (power-of-two workgroup, no subgroup support needed). The reduction part comes first.
macro_rules! reduced_pair {
    ($pair:ident, $sg:ident, $wg:ident, $name:literal, $entry:literal, $size:expr, [$($file:expr),*], $doc:literal) => {
        reduced_pair!($pair, $sg, $wg, $name, $entry, $size, [$($file),*], $doc, half_unpack: false);
    };
    ($pair:ident, $sg:ident, $wg:ident, $name:literal, $entry:literal, $size:expr, [$($file:expr),*], $doc:literal, half_unpack: $half:expr) => {
        #[doc = concat!($doc, "; both reductions.")]
        pub static $pair: ReducedPair = ReducedPair { subgroup: &$sg, workgroup: &$wg };
        #[doc = concat!($doc, "; subgroup reduction.")]
        pub static $sg: KernelVariant = KernelVariant {
            name: concat!($name, ".subgroup"),
            entry_point: $entry,
            files: &[&REDUCE_SUBGROUP_WGSL, $($file),*],
            workgroup_size: Some($size),
            power_of_two_workgroup: false,
            needs: Needs { subgroups: true, f16: false, half_unpack: $half },
        };
        #[doc = concat!($doc, "; workgroup-memory reduction.")]
        pub static $wg: KernelVariant = KernelVariant {
            name: concat!($name, ".workgroup"),
            entry_point: $entry,
            files: &[&REDUCE_WORKGROUP_WGSL, $($file),*],
            workgroup_size: Some($size),
            power_of_two_workgroup: true,
            needs: Needs { subgroups: false, f16: false, half_unpack: $half },
        };
    };
}

reduced_pair!(
    RMS_NORM_F32,
    RMS_NORM_F32_SUBGROUP,
    RMS_NORM_F32_WORKGROUP,
    "rms_norm_f32",
    "rms_norm_f32",
    256,
    [&RMS_NORM_WGSL, &QUANTIZE_BLOCK_WGSL],
    "RMSNorm over f32 rows"
);
reduced_pair!(
    ADD_RMS_NORM_F32,
    ADD_RMS_NORM_F32_SUBGROUP,
    ADD_RMS_NORM_F32_WORKGROUP,
    "add_rms_norm_f32",
    "add_rms_norm_f32",
    256,
    [&RMS_NORM_WGSL, &QUANTIZE_BLOCK_WGSL],
    "Residual add fused with RMSNorm"
);
reduced_pair!(
    RMS_NORM_Q8_F32,
    RMS_NORM_Q8_F32_SUBGROUP,
    RMS_NORM_Q8_F32_WORKGROUP,
    "rms_norm_q8_f32",
    "rms_norm_q8_f32",
    256,
    [&RMS_NORM_WGSL, &QUANTIZE_BLOCK_WGSL],
    "RMSNorm of one row that also writes its 8-bit blocks"
);
reduced_pair!(
    ADD_RMS_NORM_Q8_F32,
    ADD_RMS_NORM_Q8_F32_SUBGROUP,
    ADD_RMS_NORM_Q8_F32_WORKGROUP,
    "add_rms_norm_q8_f32",
    "add_rms_norm_q8_f32",
    256,
    [&RMS_NORM_WGSL, &QUANTIZE_BLOCK_WGSL],
    "Residual add and RMSNorm of one row that also writes its 8-bit blocks"
);
reduced_pair!(
    GATED_RMS_NORM_F32,
    GATED_RMS_NORM_F32_SUBGROUP,
    GATED_RMS_NORM_F32_WORKGROUP,
    "gated_rms_norm_f32",
    "gated_rms_norm_f32",
    64,
    [&RMS_NORM_WGSL, &QUANTIZE_BLOCK_WGSL],
    "Gated RMSNorm (DeltaNet output)"
);
reduced_pair!(
    L2_NORM_F32,
    L2_NORM_F32_SUBGROUP,
    L2_NORM_F32_WORKGROUP,
    "l2_norm_f32",
    "l2_norm_f32",
    64,
    [&L2_NORM_WGSL],
    "L2 norm + scale per row"
);
reduced_pair!(
    DELTANET_INPUT,
    DELTANET_INPUT_SUBGROUP,
    DELTANET_INPUT_WORKGROUP,
    "deltanet_input",
    "deltanet_input",
    64,
    [
        &DELTANET_CONV_STEP_WGSL,
        &DELTANET_GATE_WGSL,
        &DELTANET_INPUT_WGSL
    ],
    "Gated DeltaNet layer input: conv1d + SiLU, q/k/v split, q/k L2 norms and the gates"
);
reduced_pair!(
    ATTENTION_INPUT,
    ATTENTION_INPUT_SUBGROUP,
    ATTENTION_INPUT_WORKGROUP,
    "attention_input",
    "attention_input",
    256,
    [&ROPE_ANGLE_WGSL, &KV_F32_WGSL, &ATTENTION_INPUT_WGSL],
    "Attention layer input: per-head q/k norms, RoPE, the gate copy and the K/V cache writes"
);
reduced_pair!(
    ATTENTION_INPUT_F16,
    ATTENTION_INPUT_F16_SUBGROUP,
    ATTENTION_INPUT_F16_WORKGROUP,
    "attention_input_f16",
    "attention_input",
    256,
    [&ROPE_ANGLE_WGSL, &KV_F16_WGSL, &ATTENTION_INPUT_WGSL],
    "Attention layer input writing an f16 KV cache",
    half_unpack: true
);
reduced_pair!(
    ATTN_MERGE,
    ATTN_MERGE_SUBGROUP,
    ATTN_MERGE_WORKGROUP,
    "attn_decode_merge",
    "attn_merge",
    64,
    [&KV_F32_WGSL, &ATTENTION_DECODE_WGSL],
    "Decode attention, pass 2: the runs' partial softmax sums merged per head, WG_SIZE value dimensions per workgroup"
);

/// Argmax, pass 1: each `SLICE_LEN` values of a row ranked by one workgroup (ties: lower
/// index; NaN ranks below every number), with the slice's first non-finite column.
pub static ARGMAX_SLICES: KernelVariant = KernelVariant {
    name: "argmax_slices",
    entry_point: "argmax_slices",
    files: &[&ARGMAX_WGSL],
    workgroup_size: Some(256),
    power_of_two_workgroup: true,
    needs: Needs {
        subgroups: false,
        f16: false,
        half_unpack: false,
    },
};

/// Argmax, pass 2: each row's slice results ranked by one workgroup.
pub static ARGMAX_MERGE: KernelVariant = KernelVariant {
    name: "argmax_merge",
    entry_point: "argmax_merge",
    files: &[&ARGMAX_WGSL],
    workgroup_size: Some(64),
    power_of_two_workgroup: true,
    needs: Needs {
        subgroups: false,
        f16: false,
        half_unpack: false,
    },
};

/// The k best values of a vector in rank order, one segment per workgroup (chained levels).
pub static TOP_K_F32: KernelVariant = KernelVariant {
    name: "top_k_f32",
    entry_point: "top_k",
    files: &[&ARGMAX_WGSL],
    workgroup_size: Some(256),
    power_of_two_workgroup: true,
    needs: Needs {
        subgroups: false,
        f16: false,
        half_unpack: false,
    },
};

/// Rotary position embedding, in place (all pairings and frequency schemes via the table).
pub static ROPE_F32: KernelVariant = KernelVariant {
    name: "rope_f32",
    entry_point: "rope_f32",
    files: &[&ROPE_ANGLE_WGSL, &ROPE_WGSL],
    workgroup_size: Some(256),
    power_of_two_workgroup: false,
    needs: Needs {
        subgroups: false,
        f16: false,
        half_unpack: false,
    },
};

/// Positions per tile of decode attention's split pass (`CHUNK` in
/// `wgsl/attention_decode.wgsl`; the registry test compares them).
pub const DECODE_CHUNK: u32 = 16;
/// Largest head_dim decode attention takes (`THREADS * DIMS` in `wgsl/attention_decode.wgsl`:
/// each invocation keeps DIMS value dimensions in registers; the registry test compares them).
pub const DECODE_MAX_HEAD_DIM: u32 = 512;

/// Decode attention, pass 1: one workgroup per (KV head, run of the visible positions) scores
/// its positions tile by tile for the head's query group and writes partial softmax sums.
pub static ATTN_SPLIT: KernelVariant = KernelVariant {
    name: "attn_decode_split",
    entry_point: "attn_split",
    files: &[&REDUCE_WORKGROUP_WGSL, &KV_F32_WGSL, &ATTENTION_DECODE_WGSL],
    workgroup_size: None,
    power_of_two_workgroup: false,
    needs: Needs {
        subgroups: false,
        f16: false,
        half_unpack: false,
    },
};

/// [`ATTN_SPLIT`] over an f16 KV cache.
pub static ATTN_SPLIT_F16: KernelVariant = KernelVariant {
    name: "attn_decode_split_f16",
    entry_point: "attn_split",
    files: &[&REDUCE_WORKGROUP_WGSL, &KV_F16_WGSL, &ATTENTION_DECODE_WGSL],
    workgroup_size: None,
    power_of_two_workgroup: false,
    needs: KV_F16_NEEDS,
};

/// Prefill attention: query tiles over the cache, online softmax (fixed 64 invocations).
pub static ATTN_PREFILL: KernelVariant = KernelVariant {
    name: "attn_prefill",
    entry_point: "attn_prefill",
    files: &[&KV_F32_WGSL, &ATTENTION_PREFILL_WGSL],
    workgroup_size: None,
    power_of_two_workgroup: false,
    needs: Needs {
        subgroups: false,
        f16: false,
        half_unpack: false,
    },
};

/// [`ATTN_PREFILL`] over an f16 KV cache.
pub static ATTN_PREFILL_F16: KernelVariant = KernelVariant {
    name: "attn_prefill_f16",
    entry_point: "attn_prefill",
    files: &[&KV_F16_WGSL, &ATTENTION_PREFILL_WGSL],
    workgroup_size: None,
    power_of_two_workgroup: false,
    needs: KV_F16_NEEDS,
};

/// Gated DeltaNet's causal conv1d + SiLU with carried state (one invocation per channel).
pub static DELTANET_CONV: KernelVariant = KernelVariant {
    name: "deltanet_conv1d_silu",
    entry_point: "conv1d_silu",
    files: &[&DELTANET_CONV_STEP_WGSL, &DELTANET_CONV_WGSL],
    workgroup_size: Some(64),
    power_of_two_workgroup: false,
    needs: Needs {
        subgroups: false,
        f16: false,
        half_unpack: false,
    },
};

/// Gated DeltaNet's delta rule, sequential (one workgroup per value head).
pub static DELTANET_RULE: KernelVariant = KernelVariant {
    name: "deltanet_rule",
    entry_point: "delta_rule",
    files: &[&DELTANET_RULE_WGSL],
    workgroup_size: None,
    power_of_two_workgroup: false,
    needs: Needs {
        subgroups: false,
        f16: false,
        half_unpack: false,
    },
};

/// Gated DeltaNet's (beta, g) gates from the b and a projections.
pub static DELTANET_GATES: KernelVariant = KernelVariant {
    name: "deltanet_gates",
    entry_point: "deltanet_gates",
    files: &[&DELTANET_GATE_WGSL, &DELTANET_GATES_WGSL],
    workgroup_size: Some(256),
    power_of_two_workgroup: false,
    needs: Needs {
        subgroups: false,
        f16: false,
        half_unpack: false,
    },
};

/// Gated DeltaNet's delta rule, chunked (prefill; one workgroup per value head).
pub static DELTANET_CHUNKED: KernelVariant = KernelVariant {
    name: "deltanet_chunked",
    entry_point: "delta_chunked",
    files: &[&DELTANET_RULE_WGSL],
    workgroup_size: Some(64),
    power_of_two_workgroup: false,
    needs: Needs {
        subgroups: false,
        f16: false,
        half_unpack: false,
    },
};

/// An f32 vector to the 8-bit blocks `matvec_q8` reads (one invocation per 32 values).
pub static QUANTIZE_Q8: KernelVariant = KernelVariant {
    name: "quantize_q8",
    entry_point: "quantize_q8",
    files: &[&QUANTIZE_BLOCK_WGSL, &QUANTIZE_Q8_WGSL],
    workgroup_size: Some(64),
    power_of_two_workgroup: false,
    needs: Needs {
        subgroups: false,
        f16: false,
        half_unpack: false,
    },
};

/// Reports the subgroup sizes compute shaders actually run at.
pub static SUBGROUP_PROBE: KernelVariant = KernelVariant {
    name: "subgroup_size_probe",
    entry_point: "subgroup_size_probe",
    files: &[&SUBGROUP_PROBE_WGSL],
    workgroup_size: None,
    power_of_two_workgroup: false,
    needs: Needs {
        subgroups: true,
        f16: false,
        half_unpack: false,
    },
};

// The weight-format families (matrix-vector, matrix-matrix, gather: one variant set per
// format) are tabled in `weight_variants.rs`.
pub use super::weight_variants::*;

/// Every variant the engine can request. Launchers only use variants listed here, and a
/// CPU-only test validates each with naga and emits SPIR-V for it.
pub static ALL_VARIANTS: &[&KernelVariant] = &[
    &ADD_F32,
    &NOOP,
    &COPY_VEC4,
    &COPY_COLUMNS,
    &COPY_COLUMNS_F16,
    &GLU_F32,
    &RMS_NORM_F32_SUBGROUP,
    &RMS_NORM_F32_WORKGROUP,
    &ADD_RMS_NORM_F32_SUBGROUP,
    &ADD_RMS_NORM_F32_WORKGROUP,
    &SUBGROUP_PROBE,
    &ARGMAX_SLICES,
    &ARGMAX_MERGE,
    &TOP_K_F32,
    &ROPE_F32,
    &DELTANET_CONV,
    &DELTANET_RULE,
    &DELTANET_CHUNKED,
    &DELTANET_GATES,
    &GATED_RMS_NORM_F32_SUBGROUP,
    &GATED_RMS_NORM_F32_WORKGROUP,
    &RMS_NORM_Q8_F32_SUBGROUP,
    &RMS_NORM_Q8_F32_WORKGROUP,
    &ADD_RMS_NORM_Q8_F32_SUBGROUP,
    &ADD_RMS_NORM_Q8_F32_WORKGROUP,
    &L2_NORM_F32_SUBGROUP,
    &L2_NORM_F32_WORKGROUP,
    &DELTANET_INPUT_SUBGROUP,
    &DELTANET_INPUT_WORKGROUP,
    &ATTENTION_INPUT_SUBGROUP,
    &ATTENTION_INPUT_WORKGROUP,
    &ATTENTION_INPUT_F16_SUBGROUP,
    &ATTENTION_INPUT_F16_WORKGROUP,
    &ATTN_SPLIT,
    &ATTN_SPLIT_F16,
    &ATTN_MERGE_SUBGROUP,
    &ATTN_MERGE_WORKGROUP,
    &ATTN_PREFILL,
    &ATTN_PREFILL_F16,
    &MATVEC_F32_SUBGROUP,
    &MATVEC_FOLD_F32_SUBGROUP,
    &MATVEC_F32_WORKGROUP,
    &MATVEC_FOLD_F32_WORKGROUP,
    &MATVEC_F16_SUBGROUP,
    &MATVEC_FOLD_F16_SUBGROUP,
    &MATVEC_F16_WORKGROUP,
    &MATVEC_FOLD_F16_WORKGROUP,
    &MATVEC_F16_ALIGNED_SUBGROUP,
    &MATVEC_FOLD_F16_ALIGNED_SUBGROUP,
    &MATVEC_F16_ALIGNED_WORKGROUP,
    &MATVEC_FOLD_F16_ALIGNED_WORKGROUP,
    &MATVEC_BF16_SUBGROUP,
    &MATVEC_FOLD_BF16_SUBGROUP,
    &MATVEC_BF16_WORKGROUP,
    &MATVEC_FOLD_BF16_WORKGROUP,
    &MATVEC_BF16_ALIGNED_SUBGROUP,
    &MATVEC_FOLD_BF16_ALIGNED_SUBGROUP,
    &MATVEC_BF16_ALIGNED_WORKGROUP,
    &MATVEC_FOLD_BF16_ALIGNED_WORKGROUP,
    &MATVEC_Q8_0_SUBGROUP,
    &MATVEC_FOLD_Q8_0_SUBGROUP,
    &MATVEC_Q8_0_WORKGROUP,
    &MATVEC_FOLD_Q8_0_WORKGROUP,
    &MATVEC_Q4_0_SUBGROUP,
    &MATVEC_FOLD_Q4_0_SUBGROUP,
    &MATVEC_Q4_0_WORKGROUP,
    &MATVEC_FOLD_Q4_0_WORKGROUP,
    &MATVEC_Q4_1_SUBGROUP,
    &MATVEC_FOLD_Q4_1_SUBGROUP,
    &MATVEC_Q4_1_WORKGROUP,
    &MATVEC_FOLD_Q4_1_WORKGROUP,
    &MATVEC_Q5_0_SUBGROUP,
    &MATVEC_FOLD_Q5_0_SUBGROUP,
    &MATVEC_Q5_0_WORKGROUP,
    &MATVEC_FOLD_Q5_0_WORKGROUP,
    &MATVEC_Q4_K_SUBGROUP,
    &MATVEC_FOLD_Q4_K_SUBGROUP,
    &MATVEC_Q4_K_WORKGROUP,
    &MATVEC_FOLD_Q4_K_WORKGROUP,
    &MATVEC_Q6_K_SUBGROUP,
    &MATVEC_FOLD_Q6_K_SUBGROUP,
    &MATVEC_Q6_K_WORKGROUP,
    &MATVEC_FOLD_Q6_K_WORKGROUP,
    &MATVEC_Q5_K_SUBGROUP,
    &MATVEC_FOLD_Q5_K_SUBGROUP,
    &MATVEC_Q5_K_WORKGROUP,
    &MATVEC_FOLD_Q5_K_WORKGROUP,
    &MATVEC_IQ4_XS_SUBGROUP,
    &MATVEC_FOLD_IQ4_XS_SUBGROUP,
    &MATVEC_IQ4_XS_WORKGROUP,
    &MATVEC_FOLD_IQ4_XS_WORKGROUP,
    &QUANTIZE_Q8,
    &MATVEC_Q8_Q4_K_SUBGROUP,
    &MATVEC_Q8_Q4_K_WORKGROUP,
    &MATVEC_Q8_Q6_K_SUBGROUP,
    &MATVEC_Q8_Q6_K_WORKGROUP,
    &MATVEC_Q8_Q8_0_SUBGROUP,
    &MATVEC_Q8_IQ4_XS_SUBGROUP,
    &MATVEC_Q8_Q5_0_SUBGROUP,
    &MATVEC_Q8_Q4_1_SUBGROUP,
    &MATVEC_Q8_Q4_0_SUBGROUP,
    &MATVEC_Q8_Q5_K_SUBGROUP,
    &MATVEC_Q8_Q8_0_WORKGROUP,
    &MATVEC_Q8_IQ4_XS_WORKGROUP,
    &MATVEC_Q8_Q5_0_WORKGROUP,
    &MATVEC_Q8_Q4_1_WORKGROUP,
    &MATVEC_Q8_Q4_0_WORKGROUP,
    &MATVEC_Q8_Q5_K_WORKGROUP,
    &MATVEC_GLU_Q8_Q4_K_SUBGROUP,
    &MATVEC_GLU_Q8_Q4_K_WORKGROUP,
    &MATVEC_GLU_Q8_Q6_K_SUBGROUP,
    &MATVEC_GLU_Q8_Q6_K_WORKGROUP,
    &MATVEC_GLU_Q8_Q8_0_SUBGROUP,
    &MATVEC_GLU_Q8_IQ4_XS_SUBGROUP,
    &MATVEC_GLU_Q8_Q5_0_SUBGROUP,
    &MATVEC_GLU_Q8_Q4_1_SUBGROUP,
    &MATVEC_GLU_Q8_Q4_0_SUBGROUP,
    &MATVEC_GLU_Q8_Q5_K_SUBGROUP,
    &MATVEC_GLU_Q8_Q8_0_WORKGROUP,
    &MATVEC_GLU_Q8_IQ4_XS_WORKGROUP,
    &MATVEC_GLU_Q8_Q5_0_WORKGROUP,
    &MATVEC_GLU_Q8_Q4_1_WORKGROUP,
    &MATVEC_GLU_Q8_Q4_0_WORKGROUP,
    &MATVEC_GLU_Q8_Q5_K_WORKGROUP,
    &MATVEC_GLU_F32_SUBGROUP,
    &MATVEC_GLU_FOLD_F32_SUBGROUP,
    &MATVEC_GLU_F32_WORKGROUP,
    &MATVEC_GLU_FOLD_F32_WORKGROUP,
    &MATVEC_GLU_F16_SUBGROUP,
    &MATVEC_GLU_FOLD_F16_SUBGROUP,
    &MATVEC_GLU_F16_WORKGROUP,
    &MATVEC_GLU_FOLD_F16_WORKGROUP,
    &MATVEC_GLU_F16_ALIGNED_SUBGROUP,
    &MATVEC_GLU_FOLD_F16_ALIGNED_SUBGROUP,
    &MATVEC_GLU_F16_ALIGNED_WORKGROUP,
    &MATVEC_GLU_FOLD_F16_ALIGNED_WORKGROUP,
    &MATVEC_GLU_BF16_SUBGROUP,
    &MATVEC_GLU_FOLD_BF16_SUBGROUP,
    &MATVEC_GLU_BF16_WORKGROUP,
    &MATVEC_GLU_FOLD_BF16_WORKGROUP,
    &MATVEC_GLU_BF16_ALIGNED_SUBGROUP,
    &MATVEC_GLU_FOLD_BF16_ALIGNED_SUBGROUP,
    &MATVEC_GLU_BF16_ALIGNED_WORKGROUP,
    &MATVEC_GLU_FOLD_BF16_ALIGNED_WORKGROUP,
    &MATVEC_GLU_Q8_0_SUBGROUP,
    &MATVEC_GLU_FOLD_Q8_0_SUBGROUP,
    &MATVEC_GLU_Q8_0_WORKGROUP,
    &MATVEC_GLU_FOLD_Q8_0_WORKGROUP,
    &MATVEC_GLU_Q4_0_SUBGROUP,
    &MATVEC_GLU_FOLD_Q4_0_SUBGROUP,
    &MATVEC_GLU_Q4_0_WORKGROUP,
    &MATVEC_GLU_FOLD_Q4_0_WORKGROUP,
    &MATVEC_GLU_Q4_1_SUBGROUP,
    &MATVEC_GLU_FOLD_Q4_1_SUBGROUP,
    &MATVEC_GLU_Q4_1_WORKGROUP,
    &MATVEC_GLU_FOLD_Q4_1_WORKGROUP,
    &MATVEC_GLU_Q5_0_SUBGROUP,
    &MATVEC_GLU_FOLD_Q5_0_SUBGROUP,
    &MATVEC_GLU_Q5_0_WORKGROUP,
    &MATVEC_GLU_FOLD_Q5_0_WORKGROUP,
    &MATVEC_GLU_Q4_K_SUBGROUP,
    &MATVEC_GLU_FOLD_Q4_K_SUBGROUP,
    &MATVEC_GLU_Q4_K_WORKGROUP,
    &MATVEC_GLU_FOLD_Q4_K_WORKGROUP,
    &MATVEC_GLU_Q6_K_SUBGROUP,
    &MATVEC_GLU_FOLD_Q6_K_SUBGROUP,
    &MATVEC_GLU_Q6_K_WORKGROUP,
    &MATVEC_GLU_FOLD_Q6_K_WORKGROUP,
    &MATVEC_GLU_Q5_K_SUBGROUP,
    &MATVEC_GLU_FOLD_Q5_K_SUBGROUP,
    &MATVEC_GLU_Q5_K_WORKGROUP,
    &MATVEC_GLU_FOLD_Q5_K_WORKGROUP,
    &MATVEC_GLU_IQ4_XS_SUBGROUP,
    &MATVEC_GLU_FOLD_IQ4_XS_SUBGROUP,
    &MATVEC_GLU_IQ4_XS_WORKGROUP,
    &MATVEC_GLU_FOLD_IQ4_XS_WORKGROUP,
    &GATHER_F32,
    &GATHER_F16,
    &GATHER_BF16,
    &GATHER_Q8_0,
    &GATHER_Q4_0,
    &GATHER_Q4_1,
    &GATHER_Q5_0,
    &GATHER_Q4_K,
    &GATHER_Q6_K,
    &GATHER_Q5_K,
    &GATHER_IQ4_XS,
    &MATMUL_F32,
    &MATMUL_GLU_F32,
    &MATMUL_F16,
    &MATMUL_GLU_F16,
    &MATMUL_BF16,
    &MATMUL_GLU_BF16,
    &MATMUL_Q8_0,
    &MATMUL_GLU_Q8_0,
    &MATMUL_Q4_0,
    &MATMUL_GLU_Q4_0,
    &MATMUL_Q4_1,
    &MATMUL_GLU_Q4_1,
    &MATMUL_Q5_0,
    &MATMUL_GLU_Q5_0,
    &MATMUL_Q4_K,
    &MATMUL_GLU_Q4_K,
    &MATMUL_Q6_K,
    &MATMUL_GLU_Q6_K,
    &MATMUL_Q5_K,
    &MATMUL_GLU_Q5_K,
    &MATMUL_IQ4_XS,
    &MATMUL_GLU_IQ4_XS,
];

/// Every reduction pair (`Reduction` picks one of its two variants).
pub static ALL_REDUCED_PAIRS: &[&ReducedPair] = &[
    &RMS_NORM_F32,
    &ADD_RMS_NORM_F32,
    &RMS_NORM_Q8_F32,
    &ADD_RMS_NORM_Q8_F32,
    &GATED_RMS_NORM_F32,
    &L2_NORM_F32,
    &DELTANET_INPUT,
    &ATTENTION_INPUT,
    &ATTENTION_INPUT_F16,
    &ATTN_MERGE,
    &MATVEC_F32,
    &MATVEC_FOLD_F32,
    &MATVEC_F16,
    &MATVEC_FOLD_F16,
    &MATVEC_F16_ALIGNED,
    &MATVEC_FOLD_F16_ALIGNED,
    &MATVEC_BF16,
    &MATVEC_FOLD_BF16,
    &MATVEC_BF16_ALIGNED,
    &MATVEC_FOLD_BF16_ALIGNED,
    &MATVEC_Q8_0,
    &MATVEC_FOLD_Q8_0,
    &MATVEC_Q4_0,
    &MATVEC_FOLD_Q4_0,
    &MATVEC_Q4_1,
    &MATVEC_FOLD_Q4_1,
    &MATVEC_Q5_0,
    &MATVEC_FOLD_Q5_0,
    &MATVEC_Q4_K,
    &MATVEC_FOLD_Q4_K,
    &MATVEC_Q6_K,
    &MATVEC_FOLD_Q6_K,
    &MATVEC_Q5_K,
    &MATVEC_FOLD_Q5_K,
    &MATVEC_IQ4_XS,
    &MATVEC_FOLD_IQ4_XS,
    &MATVEC_Q8_Q4_K,
    &MATVEC_Q8_Q6_K,
    &MATVEC_Q8_Q8_0,
    &MATVEC_Q8_IQ4_XS,
    &MATVEC_Q8_Q5_0,
    &MATVEC_Q8_Q4_1,
    &MATVEC_Q8_Q4_0,
    &MATVEC_Q8_Q5_K,
    &MATVEC_GLU_Q8_Q4_K,
    &MATVEC_GLU_Q8_Q6_K,
    &MATVEC_GLU_Q8_Q8_0,
    &MATVEC_GLU_Q8_IQ4_XS,
    &MATVEC_GLU_Q8_Q5_0,
    &MATVEC_GLU_Q8_Q4_1,
    &MATVEC_GLU_Q8_Q4_0,
    &MATVEC_GLU_Q8_Q5_K,
    &MATVEC_GLU_F32,
    &MATVEC_GLU_FOLD_F32,
    &MATVEC_GLU_F16,
    &MATVEC_GLU_FOLD_F16,
    &MATVEC_GLU_F16_ALIGNED,
    &MATVEC_GLU_FOLD_F16_ALIGNED,
    &MATVEC_GLU_BF16,
    &MATVEC_GLU_FOLD_BF16,
    &MATVEC_GLU_BF16_ALIGNED,
    &MATVEC_GLU_FOLD_BF16_ALIGNED,
    &MATVEC_GLU_Q8_0,
    &MATVEC_GLU_FOLD_Q8_0,
    &MATVEC_GLU_Q4_0,
    &MATVEC_GLU_FOLD_Q4_0,
    &MATVEC_GLU_Q4_1,
    &MATVEC_GLU_FOLD_Q4_1,
    &MATVEC_GLU_Q5_0,
    &MATVEC_GLU_FOLD_Q5_0,
    &MATVEC_GLU_Q4_K,
    &MATVEC_GLU_FOLD_Q4_K,
    &MATVEC_GLU_Q6_K,
    &MATVEC_GLU_FOLD_Q6_K,
    &MATVEC_GLU_Q5_K,
    &MATVEC_GLU_FOLD_Q5_K,
    &MATVEC_GLU_IQ4_XS,
    &MATVEC_GLU_FOLD_IQ4_XS,
];

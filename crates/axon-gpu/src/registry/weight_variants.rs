//! The weight-format kernel families, one set of variants per format the engine decodes:
//! matrix-vector (plain and with folds), matrix-matrix and the embedding gather. Re-exported
//! by `variants`, whose tables list them.

use super::variants::{
    ACTIVATION_WGSL, BYTES_WGSL, GATHER_WGSL, KernelVariant, MATMUL_WGSL, MATVEC_FOLD_WGSL,
    MATVEC_PLAIN_WGSL, MATVEC_WGSL, MATVEC_WIDE_Q8_WGSL, MATVEC_WIDE_WGSL, Needs,
    REDUCE_SUBGROUP_WGSL, REDUCE_WORKGROUP_WGSL, ReducedPair, WIDE_WORDS_WGSL, quant_parts,
    wide_parts, wide_q8_parts,
};

/// Workgroup sizes of the matrix-vector kernels, by how many items a row has: a 4096-wide
/// row of `matvec_wide.wgsl` is 128 items in the K-quants and IQ4_XS (32 values each), 128 in
/// the 32-value formats (one item a block) and 256 in Q8_0 (16 values each), 512 or 2048 in
/// the float formats (aligned F16/BF16, or `matvec.wgsl`). Small workgroups,
/// many of them: a decode step's projections are a few MB each and finish in a few
/// microseconds, so what counts is how soon every row's loads are in flight (H200,
/// 2026-12-02, Qwen3.5 / Llama-3 Q4_K_M decode at 2 rows: 32 and 64 invocations gave 481 /
/// 186 / 211 tok/s at 0.8B / 9B / 8B, 64 and 128 gave 422 / 185 / 209).
const MATVEC_WG_K: u32 = 32;
const MATVEC_WG_32: u32 = 64;
const MATVEC_WG_FLOAT: u32 = 256;

/// Output rows per matrix-vector workgroup (`ROWS` in `wgsl/matvec.wgsl` and
/// `wgsl/matvec_wide.wgsl`; the registry test compares them): each x value loaded is used this
/// many times. Two, not four or eight: more, smaller workgroups finish a decode step's
/// 4096-wide projections sooner (H200, 2026-12-02, Qwen3.5 Q4_K_M decode: 2 rows 369 / 168
/// tok/s at 0.8B / 9B, 4 rows 334 / 156, 8 rows 267 / 124; `docs/KERNELS.md`).
pub const MATVEC_ROWS: u32 = 2;

/// The matrix-vector variants of each format: `wide(F)` runs `matvec_wide.wgsl` with
/// `parts/wide/F` (16-byte loads; its halves need `unpack2x16float`, hence `half_unpack`),
/// `parts(F)` runs `matvec.wgsl` with `parts/quant/F`.
macro_rules! matvec_variants {
    ([$mode:expr, $mv:literal, $glu:literal]: $($pair:ident, $sg:ident, $wg:ident, $gpair:ident, $gsg:ident, $gwg:ident, $name:literal, $size:expr, $kind:ident($fmt:ident);)*) => {
        $(
            matvec_variants!(@$kind $fmt; [$mode, $mv, $glu]; $pair, $sg, $wg, $gpair, $gsg, $gwg, $name, $size);
        )*
    };
    (@wide $fmt:ident; $($rest:tt)*) => {
        matvec_variants!(@one [WIDE_WORDS_WGSL, [wide_parts::$fmt], MATVEC_WIDE_WGSL], true; $($rest)*);
    };
    (@parts $fmt:ident; $($rest:tt)*) => {
        matvec_variants!(@one [BYTES_WGSL, [quant_parts::$fmt], MATVEC_WGSL], false; $($rest)*);
    };
    (@one [$words:expr, [$($part:expr),+], $kernel:expr], $half:expr; [$mode:expr, $mv:literal, $glu:literal]; $pair:ident, $sg:ident, $wg:ident, $gpair:ident, $gsg:ident, $gwg:ident, $name:literal, $size:expr) => {
        #[doc = concat!("Matrix-vector product (", $mv, "), ", $name, " weights; both reductions.")]
        pub static $pair: ReducedPair = ReducedPair { subgroup: &$sg, workgroup: &$wg };
        #[doc = concat!("Fused FFN input act(G x) * (U x) (", $glu, "), ", $name, " weights; both reductions.")]
        pub static $gpair: ReducedPair = ReducedPair { subgroup: &$gsg, workgroup: &$gwg };
        #[doc = concat!("Fused FFN input (", $glu, "), ", $name, " weights, subgroup reduction.")]
        pub static $gsg: KernelVariant = KernelVariant {
            name: concat!($glu, $name, ".subgroup"),
            entry_point: "matvec_glu",
            files: &[&REDUCE_SUBGROUP_WGSL, &$words, $(&$part,)+ &ACTIVATION_WGSL, &$mode, &$kernel],
            workgroup_size: Some($size),
            power_of_two_workgroup: false,
            needs: Needs { subgroups: true, f16: false, half_unpack: $half },
        };
        #[doc = concat!("Fused FFN input (", $glu, "), ", $name, " weights, workgroup-memory reduction.")]
        pub static $gwg: KernelVariant = KernelVariant {
            name: concat!($glu, $name, ".workgroup"),
            entry_point: "matvec_glu",
            files: &[&REDUCE_WORKGROUP_WGSL, &$words, $(&$part,)+ &ACTIVATION_WGSL, &$mode, &$kernel],
            workgroup_size: Some($size),
            power_of_two_workgroup: true,
            needs: Needs { subgroups: false, f16: false, half_unpack: $half },
        };
        #[doc = concat!("Matrix-vector product (", $mv, "), ", $name, " weights, subgroup reduction.")]
        pub static $sg: KernelVariant = KernelVariant {
            name: concat!($mv, $name, ".subgroup"),
            entry_point: "matvec",
            files: &[&REDUCE_SUBGROUP_WGSL, &$words, $(&$part,)+ &ACTIVATION_WGSL, &$mode, &$kernel],
            workgroup_size: Some($size),
            power_of_two_workgroup: false,
            needs: Needs { subgroups: true, f16: false, half_unpack: $half },
        };
        #[doc = concat!("Matrix-vector product (", $mv, "), ", $name, " weights, workgroup-memory reduction.")]
        pub static $wg: KernelVariant = KernelVariant {
            name: concat!($mv, $name, ".workgroup"),
            entry_point: "matvec",
            files: &[&REDUCE_WORKGROUP_WGSL, &$words, $(&$part,)+ &ACTIVATION_WGSL, &$mode, &$kernel],
            workgroup_size: Some($size),
            power_of_two_workgroup: true,
            needs: Needs { subgroups: false, f16: false, half_unpack: $half },
        };
    };
}

matvec_variants! {
    [MATVEC_PLAIN_WGSL, "matvec_", "matvec_glu_"]:
    MATVEC_F32, MATVEC_F32_SUBGROUP, MATVEC_F32_WORKGROUP, MATVEC_GLU_F32, MATVEC_GLU_F32_SUBGROUP, MATVEC_GLU_F32_WORKGROUP, "f32", MATVEC_WG_FLOAT, parts(F32);
    MATVEC_F16, MATVEC_F16_SUBGROUP, MATVEC_F16_WORKGROUP, MATVEC_GLU_F16, MATVEC_GLU_F16_SUBGROUP, MATVEC_GLU_F16_WORKGROUP, "f16", MATVEC_WG_FLOAT, parts(F16);
    MATVEC_BF16, MATVEC_BF16_SUBGROUP, MATVEC_BF16_WORKGROUP, MATVEC_GLU_BF16, MATVEC_GLU_BF16_SUBGROUP, MATVEC_GLU_BF16_WORKGROUP, "bf16", MATVEC_WG_FLOAT, parts(BF16);
    MATVEC_Q8_0, MATVEC_Q8_0_SUBGROUP, MATVEC_Q8_0_WORKGROUP, MATVEC_GLU_Q8_0, MATVEC_GLU_Q8_0_SUBGROUP, MATVEC_GLU_Q8_0_WORKGROUP, "q8_0", MATVEC_WG_32, wide(Q8_0);
    MATVEC_Q4_0, MATVEC_Q4_0_SUBGROUP, MATVEC_Q4_0_WORKGROUP, MATVEC_GLU_Q4_0, MATVEC_GLU_Q4_0_SUBGROUP, MATVEC_GLU_Q4_0_WORKGROUP, "q4_0", MATVEC_WG_32, wide(Q4_0);
    MATVEC_Q4_1, MATVEC_Q4_1_SUBGROUP, MATVEC_Q4_1_WORKGROUP, MATVEC_GLU_Q4_1, MATVEC_GLU_Q4_1_SUBGROUP, MATVEC_GLU_Q4_1_WORKGROUP, "q4_1", MATVEC_WG_32, wide(Q4_1);
    MATVEC_Q5_0, MATVEC_Q5_0_SUBGROUP, MATVEC_Q5_0_WORKGROUP, MATVEC_GLU_Q5_0, MATVEC_GLU_Q5_0_SUBGROUP, MATVEC_GLU_Q5_0_WORKGROUP, "q5_0", MATVEC_WG_32, wide(Q5_0);
    MATVEC_Q4_K, MATVEC_Q4_K_SUBGROUP, MATVEC_Q4_K_WORKGROUP, MATVEC_GLU_Q4_K, MATVEC_GLU_Q4_K_SUBGROUP, MATVEC_GLU_Q4_K_WORKGROUP, "q4_k", MATVEC_WG_K, wide(Q4_K);
    MATVEC_Q6_K, MATVEC_Q6_K_SUBGROUP, MATVEC_Q6_K_WORKGROUP, MATVEC_GLU_Q6_K, MATVEC_GLU_Q6_K_SUBGROUP, MATVEC_GLU_Q6_K_WORKGROUP, "q6_k", MATVEC_WG_K, wide(Q6_K);
    MATVEC_Q5_K, MATVEC_Q5_K_SUBGROUP, MATVEC_Q5_K_WORKGROUP, MATVEC_GLU_Q5_K, MATVEC_GLU_Q5_K_SUBGROUP, MATVEC_GLU_Q5_K_WORKGROUP, "q5_k", MATVEC_WG_K, wide(Q5_K);
    MATVEC_IQ4_XS, MATVEC_IQ4_XS_SUBGROUP, MATVEC_IQ4_XS_WORKGROUP, MATVEC_GLU_IQ4_XS, MATVEC_GLU_IQ4_XS_SUBGROUP, MATVEC_GLU_IQ4_XS_WORKGROUP, "iq4_xs", MATVEC_WG_K, wide(IQ4_XS);
}

// F16 and BF16 rows whose length is a multiple of 8 (16-byte aligned rows) through the wide
// kernel; `matvec::pair` picks them by row length.
matvec_variants! {
    [MATVEC_PLAIN_WGSL, "matvec_", "matvec_glu_"]:
    MATVEC_F16_ALIGNED, MATVEC_F16_ALIGNED_SUBGROUP, MATVEC_F16_ALIGNED_WORKGROUP, MATVEC_GLU_F16_ALIGNED, MATVEC_GLU_F16_ALIGNED_SUBGROUP, MATVEC_GLU_F16_ALIGNED_WORKGROUP, "f16_aligned", MATVEC_WG_FLOAT, wide(F16);
    MATVEC_BF16_ALIGNED, MATVEC_BF16_ALIGNED_SUBGROUP, MATVEC_BF16_ALIGNED_WORKGROUP, MATVEC_GLU_BF16_ALIGNED, MATVEC_GLU_BF16_ALIGNED_SUBGROUP, MATVEC_GLU_BF16_ALIGNED_WORKGROUP, "bf16_aligned", MATVEC_WG_FLOAT, wide(BF16);
}
matvec_variants! {
    [MATVEC_FOLD_WGSL, "matvec_fold_", "matvec_glu_fold_"]:
    MATVEC_FOLD_F16_ALIGNED, MATVEC_FOLD_F16_ALIGNED_SUBGROUP, MATVEC_FOLD_F16_ALIGNED_WORKGROUP, MATVEC_GLU_FOLD_F16_ALIGNED, MATVEC_GLU_FOLD_F16_ALIGNED_SUBGROUP, MATVEC_GLU_FOLD_F16_ALIGNED_WORKGROUP, "f16_aligned", MATVEC_WG_FLOAT, wide(F16);
    MATVEC_FOLD_BF16_ALIGNED, MATVEC_FOLD_BF16_ALIGNED_SUBGROUP, MATVEC_FOLD_BF16_ALIGNED_WORKGROUP, MATVEC_GLU_FOLD_BF16_ALIGNED, MATVEC_GLU_FOLD_BF16_ALIGNED_SUBGROUP, MATVEC_GLU_FOLD_BF16_ALIGNED_WORKGROUP, "bf16_aligned", MATVEC_WG_FLOAT, wide(BF16);
}

// The fold twins of the matrix-vector variants (`parts/matvec_fold.wgsl`): the RMSNorm before
// a projection and the residual add after it, as `Fold` asks.
matvec_variants! {
    [MATVEC_FOLD_WGSL, "matvec_fold_", "matvec_glu_fold_"]:
    MATVEC_FOLD_F32, MATVEC_FOLD_F32_SUBGROUP, MATVEC_FOLD_F32_WORKGROUP, MATVEC_GLU_FOLD_F32, MATVEC_GLU_FOLD_F32_SUBGROUP, MATVEC_GLU_FOLD_F32_WORKGROUP, "f32", MATVEC_WG_FLOAT, parts(F32);
    MATVEC_FOLD_F16, MATVEC_FOLD_F16_SUBGROUP, MATVEC_FOLD_F16_WORKGROUP, MATVEC_GLU_FOLD_F16, MATVEC_GLU_FOLD_F16_SUBGROUP, MATVEC_GLU_FOLD_F16_WORKGROUP, "f16", MATVEC_WG_FLOAT, parts(F16);
    MATVEC_FOLD_BF16, MATVEC_FOLD_BF16_SUBGROUP, MATVEC_FOLD_BF16_WORKGROUP, MATVEC_GLU_FOLD_BF16, MATVEC_GLU_FOLD_BF16_SUBGROUP, MATVEC_GLU_FOLD_BF16_WORKGROUP, "bf16", MATVEC_WG_FLOAT, parts(BF16);
    MATVEC_FOLD_Q8_0, MATVEC_FOLD_Q8_0_SUBGROUP, MATVEC_FOLD_Q8_0_WORKGROUP, MATVEC_GLU_FOLD_Q8_0, MATVEC_GLU_FOLD_Q8_0_SUBGROUP, MATVEC_GLU_FOLD_Q8_0_WORKGROUP, "q8_0", MATVEC_WG_32, wide(Q8_0);
    MATVEC_FOLD_Q4_0, MATVEC_FOLD_Q4_0_SUBGROUP, MATVEC_FOLD_Q4_0_WORKGROUP, MATVEC_GLU_FOLD_Q4_0, MATVEC_GLU_FOLD_Q4_0_SUBGROUP, MATVEC_GLU_FOLD_Q4_0_WORKGROUP, "q4_0", MATVEC_WG_32, wide(Q4_0);
    MATVEC_FOLD_Q4_1, MATVEC_FOLD_Q4_1_SUBGROUP, MATVEC_FOLD_Q4_1_WORKGROUP, MATVEC_GLU_FOLD_Q4_1, MATVEC_GLU_FOLD_Q4_1_SUBGROUP, MATVEC_GLU_FOLD_Q4_1_WORKGROUP, "q4_1", MATVEC_WG_32, wide(Q4_1);
    MATVEC_FOLD_Q5_0, MATVEC_FOLD_Q5_0_SUBGROUP, MATVEC_FOLD_Q5_0_WORKGROUP, MATVEC_GLU_FOLD_Q5_0, MATVEC_GLU_FOLD_Q5_0_SUBGROUP, MATVEC_GLU_FOLD_Q5_0_WORKGROUP, "q5_0", MATVEC_WG_32, wide(Q5_0);
    MATVEC_FOLD_Q4_K, MATVEC_FOLD_Q4_K_SUBGROUP, MATVEC_FOLD_Q4_K_WORKGROUP, MATVEC_GLU_FOLD_Q4_K, MATVEC_GLU_FOLD_Q4_K_SUBGROUP, MATVEC_GLU_FOLD_Q4_K_WORKGROUP, "q4_k", MATVEC_WG_K, wide(Q4_K);
    MATVEC_FOLD_Q6_K, MATVEC_FOLD_Q6_K_SUBGROUP, MATVEC_FOLD_Q6_K_WORKGROUP, MATVEC_GLU_FOLD_Q6_K, MATVEC_GLU_FOLD_Q6_K_SUBGROUP, MATVEC_GLU_FOLD_Q6_K_WORKGROUP, "q6_k", MATVEC_WG_K, wide(Q6_K);
    MATVEC_FOLD_Q5_K, MATVEC_FOLD_Q5_K_SUBGROUP, MATVEC_FOLD_Q5_K_WORKGROUP, MATVEC_GLU_FOLD_Q5_K, MATVEC_GLU_FOLD_Q5_K_SUBGROUP, MATVEC_GLU_FOLD_Q5_K_WORKGROUP, "q5_k", MATVEC_WG_K, wide(Q5_K);
    MATVEC_FOLD_IQ4_XS, MATVEC_FOLD_IQ4_XS_SUBGROUP, MATVEC_FOLD_IQ4_XS_WORKGROUP, MATVEC_GLU_FOLD_IQ4_XS, MATVEC_GLU_FOLD_IQ4_XS_SUBGROUP, MATVEC_GLU_FOLD_IQ4_XS_WORKGROUP, "iq4_xs", MATVEC_WG_K, wide(IQ4_XS);
}

/// The integer-dot matrix-vector variants (`matvec_q8` in `matvec_wide_q8.wgsl`): the
/// quantized formats against an 8-bit x (`wgsl/quantize_q8.wgsl`). The plain variants' files
/// and sizes plus the format's `parts/wide_q8/` part and `matvec_wide_q8.wgsl`.
macro_rules! matvec_q8_variants {
    ($($pair:ident, $sg:ident, $wg:ident, $gpair:ident, $gsg:ident, $gwg:ident, $name:literal, $size:expr, $fmt:ident;)*) => {
        $(
            matvec_q8_variants!(@pair $pair, $sg, $wg, "matvec_q8_", "matvec_q8", $name, $size, $fmt, "Matrix-vector product against an 8-bit x");
            matvec_q8_variants!(@pair $gpair, $gsg, $gwg, "matvec_glu_q8_", "matvec_glu_q8", $name, $size, $fmt, "Fused FFN input act(G x) * (U x) against an 8-bit x");
        )*
    };
    (@pair $pair:ident, $sg:ident, $wg:ident, $prefix:literal, $entry:literal, $name:literal, $size:expr, $fmt:ident, $doc:literal) => {
        #[doc = concat!($doc, ", ", $name, " weights; both reductions.")]
        pub static $pair: ReducedPair = ReducedPair { subgroup: &$sg, workgroup: &$wg };
        #[doc = concat!($doc, ", ", $name, " weights, subgroup reduction.")]
        pub static $sg: KernelVariant = KernelVariant {
            name: concat!($prefix, $name, ".subgroup"),
            entry_point: $entry,
            files: &[&REDUCE_SUBGROUP_WGSL, &WIDE_WORDS_WGSL, &wide_parts::$fmt, &wide_q8_parts::$fmt, &ACTIVATION_WGSL, &MATVEC_PLAIN_WGSL, &MATVEC_WIDE_WGSL, &MATVEC_WIDE_Q8_WGSL],
            workgroup_size: Some($size),
            power_of_two_workgroup: false,
            needs: Needs { subgroups: true, f16: false, half_unpack: true },
        };
        #[doc = concat!($doc, ", ", $name, " weights, workgroup-memory reduction.")]
        pub static $wg: KernelVariant = KernelVariant {
            name: concat!($prefix, $name, ".workgroup"),
            entry_point: $entry,
            files: &[&REDUCE_WORKGROUP_WGSL, &WIDE_WORDS_WGSL, &wide_parts::$fmt, &wide_q8_parts::$fmt, &ACTIVATION_WGSL, &MATVEC_PLAIN_WGSL, &MATVEC_WIDE_WGSL, &MATVEC_WIDE_Q8_WGSL],
            workgroup_size: Some($size),
            power_of_two_workgroup: true,
            needs: Needs { subgroups: false, f16: false, half_unpack: true },
        };
    };
}

matvec_q8_variants! {
    MATVEC_Q8_Q4_K, MATVEC_Q8_Q4_K_SUBGROUP, MATVEC_Q8_Q4_K_WORKGROUP, MATVEC_GLU_Q8_Q4_K, MATVEC_GLU_Q8_Q4_K_SUBGROUP, MATVEC_GLU_Q8_Q4_K_WORKGROUP, "q4_k", MATVEC_WG_K, Q4_K;
    MATVEC_Q8_Q6_K, MATVEC_Q8_Q6_K_SUBGROUP, MATVEC_Q8_Q6_K_WORKGROUP, MATVEC_GLU_Q8_Q6_K, MATVEC_GLU_Q8_Q6_K_SUBGROUP, MATVEC_GLU_Q8_Q6_K_WORKGROUP, "q6_k", MATVEC_WG_K, Q6_K;
    MATVEC_Q8_Q8_0, MATVEC_Q8_Q8_0_SUBGROUP, MATVEC_Q8_Q8_0_WORKGROUP, MATVEC_GLU_Q8_Q8_0, MATVEC_GLU_Q8_Q8_0_SUBGROUP, MATVEC_GLU_Q8_Q8_0_WORKGROUP, "q8_0", MATVEC_WG_32, Q8_0;
    MATVEC_Q8_Q4_0, MATVEC_Q8_Q4_0_SUBGROUP, MATVEC_Q8_Q4_0_WORKGROUP, MATVEC_GLU_Q8_Q4_0, MATVEC_GLU_Q8_Q4_0_SUBGROUP, MATVEC_GLU_Q8_Q4_0_WORKGROUP, "q4_0", MATVEC_WG_32, Q4_0;
    MATVEC_Q8_Q4_1, MATVEC_Q8_Q4_1_SUBGROUP, MATVEC_Q8_Q4_1_WORKGROUP, MATVEC_GLU_Q8_Q4_1, MATVEC_GLU_Q8_Q4_1_SUBGROUP, MATVEC_GLU_Q8_Q4_1_WORKGROUP, "q4_1", MATVEC_WG_32, Q4_1;
    MATVEC_Q8_Q5_0, MATVEC_Q8_Q5_0_SUBGROUP, MATVEC_Q8_Q5_0_WORKGROUP, MATVEC_GLU_Q8_Q5_0, MATVEC_GLU_Q8_Q5_0_SUBGROUP, MATVEC_GLU_Q8_Q5_0_WORKGROUP, "q5_0", MATVEC_WG_32, Q5_0;
    MATVEC_Q8_IQ4_XS, MATVEC_Q8_IQ4_XS_SUBGROUP, MATVEC_Q8_IQ4_XS_WORKGROUP, MATVEC_GLU_Q8_IQ4_XS, MATVEC_GLU_Q8_IQ4_XS_SUBGROUP, MATVEC_GLU_Q8_IQ4_XS_WORKGROUP, "iq4_xs", MATVEC_WG_K, IQ4_XS;
    MATVEC_Q8_Q5_K, MATVEC_Q8_Q5_K_SUBGROUP, MATVEC_Q8_Q5_K_WORKGROUP, MATVEC_GLU_Q8_Q5_K, MATVEC_GLU_Q8_Q5_K_SUBGROUP, MATVEC_GLU_Q8_Q5_K_WORKGROUP, "q5_k", MATVEC_WG_K, Q5_K;
}

/// Edge of the square output tile of the matrix-matrix kernels (`TILE` in `wgsl/matmul.wgsl`,
/// which runs (TILE / 4)² invocations per tile; the registry test compares them).
pub const MATMUL_TILE: u32 = 64;

macro_rules! matmul_variants {
    ($($fmt:ident => $mm:ident, $glu:ident, $name:literal;)*) => {
        $(
            #[doc = concat!("Tiled matrix-matrix product (prefill), ", $name, " weights.")]
            pub static $mm: KernelVariant = KernelVariant {
                name: concat!("matmul_", $name),
                entry_point: "matmul",
                files: &[&BYTES_WGSL, &quant_parts::$fmt, &ACTIVATION_WGSL, &MATMUL_WGSL],
                workgroup_size: None,
                power_of_two_workgroup: false,
                needs: Needs { subgroups: false, f16: false, half_unpack: false },
            };
            #[doc = concat!("Tiled fused FFN input act(G X) * (U X) (prefill), ", $name, " weights.")]
            pub static $glu: KernelVariant = KernelVariant {
                name: concat!("matmul_glu_", $name),
                entry_point: "matmul_glu",
                files: &[&BYTES_WGSL, &quant_parts::$fmt, &ACTIVATION_WGSL, &MATMUL_WGSL],
                workgroup_size: None,
                power_of_two_workgroup: false,
                needs: Needs { subgroups: false, f16: false, half_unpack: false },
            };
        )*
    };
}

matmul_variants! {
    F32 => MATMUL_F32, MATMUL_GLU_F32, "f32";
    F16 => MATMUL_F16, MATMUL_GLU_F16, "f16";
    BF16 => MATMUL_BF16, MATMUL_GLU_BF16, "bf16";
    Q8_0 => MATMUL_Q8_0, MATMUL_GLU_Q8_0, "q8_0";
    Q4_0 => MATMUL_Q4_0, MATMUL_GLU_Q4_0, "q4_0";
    Q4_1 => MATMUL_Q4_1, MATMUL_GLU_Q4_1, "q4_1";
    Q5_0 => MATMUL_Q5_0, MATMUL_GLU_Q5_0, "q5_0";
    Q4_K => MATMUL_Q4_K, MATMUL_GLU_Q4_K, "q4_k";
    Q6_K => MATMUL_Q6_K, MATMUL_GLU_Q6_K, "q6_k";
    Q5_K => MATMUL_Q5_K, MATMUL_GLU_Q5_K, "q5_k";
    IQ4_XS => MATMUL_IQ4_XS, MATMUL_GLU_IQ4_XS, "iq4_xs";
}

macro_rules! gather_variants {
    ($($fmt:ident => $var:ident, $name:literal;)*) => {
        $(
            #[doc = concat!("Embedding gather from ", $name, " rows.")]
            pub static $var: KernelVariant = KernelVariant {
                name: concat!("gather_", $name),
                entry_point: "gather",
                files: &[&BYTES_WGSL, &quant_parts::$fmt, &GATHER_WGSL],
                workgroup_size: Some(256),
                power_of_two_workgroup: false,
                needs: Needs { subgroups: false, f16: false, half_unpack: false },
            };
        )*
    };
}

gather_variants! {
    F32 => GATHER_F32, "f32";
    F16 => GATHER_F16, "f16";
    BF16 => GATHER_BF16, "bf16";
    Q8_0 => GATHER_Q8_0, "q8_0";
    Q4_0 => GATHER_Q4_0, "q4_0";
    Q4_1 => GATHER_Q4_1, "q4_1";
    Q5_0 => GATHER_Q5_0, "q5_0";
    Q4_K => GATHER_Q4_K, "q4_k";
    Q6_K => GATHER_Q6_K, "q6_k";
    Q5_K => GATHER_Q5_K, "q5_k";
    IQ4_XS => GATHER_IQ4_XS, "iq4_xs";
}

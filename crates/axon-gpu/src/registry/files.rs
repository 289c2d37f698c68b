//! Every `wgsl/` file compiled into the binary, by name, and the list of them all (a test
//! checks none on disk is missing). `variants` composes kernels from these.

use super::compose::WgslFile;

macro_rules! wgsl_file {
    ($path:literal) => {
        WgslFile {
            path: concat!("wgsl/", $path),
            text: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../wgsl/", $path)),
        }
    };
}

/// `wgsl/add.wgsl`
pub static ADD_WGSL: WgslFile = wgsl_file!("add.wgsl");
/// `wgsl/noop.wgsl`
pub static NOOP_WGSL: WgslFile = wgsl_file!("noop.wgsl");
/// `wgsl/glu.wgsl`
pub static GLU_WGSL: WgslFile = wgsl_file!("glu.wgsl");
/// `wgsl/copy.wgsl`
pub static COPY_WGSL: WgslFile = wgsl_file!("copy.wgsl");
/// `wgsl/parts/kv_f32.wgsl`
pub static KV_F32_WGSL: WgslFile = wgsl_file!("parts/kv_f32.wgsl");
/// `wgsl/parts/kv_f16.wgsl`
pub static KV_F16_WGSL: WgslFile = wgsl_file!("parts/kv_f16.wgsl");
/// `wgsl/rms_norm.wgsl`
pub static RMS_NORM_WGSL: WgslFile = wgsl_file!("rms_norm.wgsl");
/// `wgsl/subgroup_probe.wgsl`
pub static SUBGROUP_PROBE_WGSL: WgslFile = wgsl_file!("subgroup_probe.wgsl");
/// `wgsl/parts/reduce_subgroup.wgsl`
pub static REDUCE_SUBGROUP_WGSL: WgslFile = wgsl_file!("parts/reduce_subgroup.wgsl");
/// `wgsl/parts/reduce_workgroup.wgsl`
pub static REDUCE_WORKGROUP_WGSL: WgslFile = wgsl_file!("parts/reduce_workgroup.wgsl");

/// `wgsl/deltanet_conv.wgsl`
pub static DELTANET_CONV_WGSL: WgslFile = wgsl_file!("deltanet_conv.wgsl");
/// `wgsl/deltanet_gates.wgsl`
pub static DELTANET_GATES_WGSL: WgslFile = wgsl_file!("deltanet_gates.wgsl");
/// `wgsl/deltanet_input.wgsl`
pub static DELTANET_INPUT_WGSL: WgslFile = wgsl_file!("deltanet_input.wgsl");
/// `wgsl/parts/deltanet_conv_step.wgsl`
pub static DELTANET_CONV_STEP_WGSL: WgslFile = wgsl_file!("parts/deltanet_conv_step.wgsl");
/// `wgsl/parts/deltanet_gate.wgsl`
pub static DELTANET_GATE_WGSL: WgslFile = wgsl_file!("parts/deltanet_gate.wgsl");
/// `wgsl/deltanet_rule.wgsl`
pub static DELTANET_RULE_WGSL: WgslFile = wgsl_file!("deltanet_rule.wgsl");
/// `wgsl/attention_decode.wgsl`
pub static ATTENTION_DECODE_WGSL: WgslFile = wgsl_file!("attention_decode.wgsl");
/// `wgsl/attention_prefill.wgsl`
pub static ATTENTION_PREFILL_WGSL: WgslFile = wgsl_file!("attention_prefill.wgsl");
/// `wgsl/l2_norm.wgsl`
pub static L2_NORM_WGSL: WgslFile = wgsl_file!("l2_norm.wgsl");
/// `wgsl/gather.wgsl`
pub static GATHER_WGSL: WgslFile = wgsl_file!("gather.wgsl");
/// `wgsl/rope.wgsl`
pub static ROPE_WGSL: WgslFile = wgsl_file!("rope.wgsl");
/// `wgsl/parts/rope_angle.wgsl`
pub static ROPE_ANGLE_WGSL: WgslFile = wgsl_file!("parts/rope_angle.wgsl");
/// `wgsl/attention_input.wgsl`
pub static ATTENTION_INPUT_WGSL: WgslFile = wgsl_file!("attention_input.wgsl");
/// `wgsl/argmax.wgsl`
pub static ARGMAX_WGSL: WgslFile = wgsl_file!("argmax.wgsl");
/// `wgsl/matvec.wgsl`
pub static MATVEC_WGSL: WgslFile = wgsl_file!("matvec.wgsl");
/// `wgsl/matvec_wide.wgsl`
pub static MATVEC_WIDE_WGSL: WgslFile = wgsl_file!("matvec_wide.wgsl");
/// `wgsl/matvec_wide_q8.wgsl`
pub static MATVEC_WIDE_Q8_WGSL: WgslFile = wgsl_file!("matvec_wide_q8.wgsl");
/// `wgsl/parts/wide_words.wgsl`
pub static WIDE_WORDS_WGSL: WgslFile = wgsl_file!("parts/wide_words.wgsl");
/// `wgsl/parts/matvec_plain.wgsl`
pub static MATVEC_PLAIN_WGSL: WgslFile = wgsl_file!("parts/matvec_plain.wgsl");
/// `wgsl/parts/matvec_fold.wgsl`
pub static MATVEC_FOLD_WGSL: WgslFile = wgsl_file!("parts/matvec_fold.wgsl");
/// `wgsl/parts/bytes.wgsl`
pub static BYTES_WGSL: WgslFile = wgsl_file!("parts/bytes.wgsl");
/// `wgsl/parts/activation.wgsl`
pub static ACTIVATION_WGSL: WgslFile = wgsl_file!("parts/activation.wgsl");
/// `wgsl/matmul.wgsl`
pub static MATMUL_WGSL: WgslFile = wgsl_file!("matmul.wgsl");
/// `wgsl/parts/quantize_block.wgsl`
pub static QUANTIZE_BLOCK_WGSL: WgslFile = wgsl_file!("parts/quantize_block.wgsl");
/// `wgsl/quantize_q8.wgsl`
pub static QUANTIZE_Q8_WGSL: WgslFile = wgsl_file!("quantize_q8.wgsl");

/// The block decoders of `wgsl/parts/quant/`, one per weight format.
pub mod quant_parts {
    use super::WgslFile;
    /// F32
    pub static F32: WgslFile = wgsl_file!("parts/quant/f32.wgsl");
    /// F16
    pub static F16: WgslFile = wgsl_file!("parts/quant/f16.wgsl");
    /// BF16
    pub static BF16: WgslFile = wgsl_file!("parts/quant/bf16.wgsl");
    /// Q8_0
    pub static Q8_0: WgslFile = wgsl_file!("parts/quant/q8_0.wgsl");
    /// Q4_0
    pub static Q4_0: WgslFile = wgsl_file!("parts/quant/q4_0.wgsl");
    /// Q4_1
    pub static Q4_1: WgslFile = wgsl_file!("parts/quant/q4_1.wgsl");
    /// Q5_0
    pub static Q5_0: WgslFile = wgsl_file!("parts/quant/q5_0.wgsl");
    /// Q4_K
    pub static Q4_K: WgslFile = wgsl_file!("parts/quant/q4_k.wgsl");
    /// Q6_K
    pub static Q6_K: WgslFile = wgsl_file!("parts/quant/q6_k.wgsl");
    /// Q5_K
    pub static Q5_K: WgslFile = wgsl_file!("parts/quant/q5_k.wgsl");
    /// IQ4_XS
    pub static IQ4_XS: WgslFile = wgsl_file!("parts/quant/iq4_xs.wgsl");
}

/// The item decoders of `wgsl/parts/wide/`, for the formats `matvec_wide.wgsl` serves.
pub mod wide_parts {
    use super::WgslFile;
    /// Q8_0
    pub static Q8_0: WgslFile = wgsl_file!("parts/wide/q8_0.wgsl");
    /// Q4_K
    pub static Q4_K: WgslFile = wgsl_file!("parts/wide/q4_k.wgsl");
    /// Q6_K
    pub static Q6_K: WgslFile = wgsl_file!("parts/wide/q6_k.wgsl");
    /// Q5_K
    pub static Q5_K: WgslFile = wgsl_file!("parts/wide/q5_k.wgsl");
    /// F16
    pub static F16: WgslFile = wgsl_file!("parts/wide/f16.wgsl");
    /// BF16
    pub static BF16: WgslFile = wgsl_file!("parts/wide/bf16.wgsl");
    /// Q4_0
    pub static Q4_0: WgslFile = wgsl_file!("parts/wide/q4_0.wgsl");
    /// Q4_1
    pub static Q4_1: WgslFile = wgsl_file!("parts/wide/q4_1.wgsl");
    /// Q5_0
    pub static Q5_0: WgslFile = wgsl_file!("parts/wide/q5_0.wgsl");
    /// IQ4_XS
    pub static IQ4_XS: WgslFile = wgsl_file!("parts/wide/iq4_xs.wgsl");
}

/// The 8-bit-x item dot products of `wgsl/parts/wide_q8/` (`matvec_q8`), one per wide format.
pub mod wide_q8_parts {
    use super::WgslFile;
    /// Q8_0
    pub static Q8_0: WgslFile = wgsl_file!("parts/wide_q8/q8_0.wgsl");
    /// Q4_K
    pub static Q4_K: WgslFile = wgsl_file!("parts/wide_q8/q4_k.wgsl");
    /// Q6_K
    pub static Q6_K: WgslFile = wgsl_file!("parts/wide_q8/q6_k.wgsl");
    /// Q5_K
    pub static Q5_K: WgslFile = wgsl_file!("parts/wide_q8/q5_k.wgsl");
    /// Q4_0
    pub static Q4_0: WgslFile = wgsl_file!("parts/wide_q8/q4_0.wgsl");
    /// Q4_1
    pub static Q4_1: WgslFile = wgsl_file!("parts/wide_q8/q4_1.wgsl");
    /// Q5_0
    pub static Q5_0: WgslFile = wgsl_file!("parts/wide_q8/q5_0.wgsl");
    /// IQ4_XS
    pub static IQ4_XS: WgslFile = wgsl_file!("parts/wide_q8/iq4_xs.wgsl");
}

/// Every `wgsl/` file compiled into the binary (a test checks none on disk is missing).
pub static ALL_FILES: &[&WgslFile] = &[
    &ADD_WGSL,
    &NOOP_WGSL,
    &COPY_WGSL,
    &KV_F32_WGSL,
    &KV_F16_WGSL,
    &GLU_WGSL,
    &RMS_NORM_WGSL,
    &SUBGROUP_PROBE_WGSL,
    &REDUCE_SUBGROUP_WGSL,
    &REDUCE_WORKGROUP_WGSL,
    &MATVEC_WGSL,
    &ARGMAX_WGSL,
    &ROPE_WGSL,
    &GATHER_WGSL,
    &L2_NORM_WGSL,
    &ATTENTION_DECODE_WGSL,
    &ATTENTION_PREFILL_WGSL,
    &DELTANET_CONV_WGSL,
    &DELTANET_RULE_WGSL,
    &DELTANET_GATES_WGSL,
    &DELTANET_INPUT_WGSL,
    &DELTANET_CONV_STEP_WGSL,
    &DELTANET_GATE_WGSL,
    &ROPE_ANGLE_WGSL,
    &ATTENTION_INPUT_WGSL,
    &BYTES_WGSL,
    &ACTIVATION_WGSL,
    &MATMUL_WGSL,
    &MATVEC_WIDE_WGSL,
    &MATVEC_WIDE_Q8_WGSL,
    &WIDE_WORDS_WGSL,
    &MATVEC_PLAIN_WGSL,
    &MATVEC_FOLD_WGSL,
    &wide_parts::Q8_0,
    &wide_parts::Q4_K,
    &wide_parts::Q6_K,
    &wide_parts::Q5_K,
    &wide_parts::F16,
    &wide_parts::BF16,
    &wide_parts::Q4_0,
    &wide_parts::Q4_1,
    &wide_parts::Q5_0,
    &wide_parts::IQ4_XS,
    &wide_q8_parts::Q8_0,
    &wide_q8_parts::Q4_K,
    &wide_q8_parts::Q6_K,
    &wide_q8_parts::Q5_K,
    &wide_q8_parts::Q4_0,
    &wide_q8_parts::Q4_1,
    &wide_q8_parts::Q5_0,
    &wide_q8_parts::IQ4_XS,
    &QUANTIZE_Q8_WGSL,
    &QUANTIZE_BLOCK_WGSL,
    &quant_parts::F32,
    &quant_parts::F16,
    &quant_parts::BF16,
    &quant_parts::Q8_0,
    &quant_parts::Q4_0,
    &quant_parts::Q4_1,
    &quant_parts::Q5_0,
    &quant_parts::Q4_K,
    &quant_parts::Q6_K,
    &quant_parts::Q5_K,
    &quant_parts::IQ4_XS,
];

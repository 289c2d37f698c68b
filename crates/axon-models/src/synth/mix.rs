//! Which storage type each tensor gets, as `llama-quantize` assigns it for the three mixes
//! (`src/llama-quant.cpp`, `llama_tensor_get_type`).

use super::tensors::SynthTensor;
use axon_formats::quant::GgmlType;

/// A quantization mix, named as `llama-quantize` names its file types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantMix {
    /// Matrices F16, vectors F32.
    F16,
    /// Matrices Q8_0, vectors F32.
    Q8_0,
    /// Q4_K, with Q6_K where llama.cpp's Q4_K_M keeps more bits.
    Q4KM,
}

impl QuantMix {
    /// Parses `f16`, `q8_0` or `q4_k_m` (any case).
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "f16" => Some(Self::F16),
            "q8_0" => Some(Self::Q8_0),
            "q4_k_m" => Some(Self::Q4KM),
            _ => None,
        }
    }

    /// The `--quant` name.
    pub fn name(self) -> &'static str {
        match self {
            Self::F16 => "f16",
            Self::Q8_0 => "q8_0",
            Self::Q4KM => "q4_k_m",
        }
    }

    /// `general.file_type` (llama.cpp's `llama_ftype`).
    pub fn file_type(self) -> u32 {
        match self {
            Self::F16 => 1,
            Self::Q8_0 => 7,
            Self::Q4KM => 15,
        }
    }
}

/// llama.cpp's `use_more_bits`: the first and last eighth of the layers, and every third one
/// between, get the larger type.
fn use_more_bits(i: usize, n: usize) -> bool {
    i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2
}

/// A k-quant needs rows of whole 256-element super-blocks; llama.cpp falls back otherwise.
fn fit(ty: GgmlType, row: u64) -> GgmlType {
    if row.is_multiple_of(ty.block_len() as u64) {
        return ty;
    }
    match ty {
        GgmlType::Q4K => GgmlType::Q5_0,
        GgmlType::Q5K => GgmlType::Q5_1,
        GgmlType::Q6K => GgmlType::Q8_0,
        other => other,
    }
}

/// Whether llama.cpp's Q4_K_M counts the tensor with the value projections: `attn_v`, and the
/// fused `attn_qkv` (Qwen3.5's Gated DeltaNet input) share one layer counter.
fn is_attn_v_like(name: &str) -> bool {
    name.ends_with("attn_v.weight") || name.ends_with("attn_qkv.weight")
}

/// Every tensor's type under `mix`, as the llama.cpp of 2026-10 assigns it (its rules for
/// Qwen3.5's `attn_qkv` changed in 2026-03: earlier versions gave it Q5_K).
pub fn assign(tensors: &[SynthTensor], mix: QuantMix) -> Vec<GgmlType> {
    let tied = !tensors.iter().any(|t| t.name == "output.weight");
    let n_v = tensors.iter().filter(|t| is_attn_v_like(&t.name)).count();
    let n_down = tensors
        .iter()
        .filter(|t| t.name.ends_with("ffn_down.weight"))
        .count();
    let (mut i_v, mut i_down) = (0, 0);
    tensors
        .iter()
        .map(|t| {
            let name = t.name.as_str();
            // Vectors, norms, non-weights and the convolution taps stay F32.
            if t.dims.len() < 2
                || !name.ends_with("weight")
                || name.ends_with("_norm.weight")
                || name.contains("ssm_conv1d")
            {
                return GgmlType::F32;
            }
            let ty = match mix {
                QuantMix::F16 => GgmlType::F16,
                QuantMix::Q8_0 => GgmlType::Q8_0,
                QuantMix::Q4KM => {
                    let more_bits = |i: &mut usize, n: usize| {
                        *i += 1;
                        if use_more_bits(*i - 1, n) {
                            GgmlType::Q6K
                        } else {
                            GgmlType::Q4K
                        }
                    };
                    if name == "output.weight" || (tied && name == "token_embd.weight") {
                        GgmlType::Q6K
                    } else if is_attn_v_like(name) {
                        more_bits(&mut i_v, n_v)
                    } else if name.ends_with("ffn_down.weight") {
                        more_bits(&mut i_down, n_down)
                    } else {
                        GgmlType::Q4K
                    }
                }
            };
            fit(ty, t.dims[0])
        })
        .collect()
}

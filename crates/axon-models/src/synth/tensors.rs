//! The tensors of a preset, named and shaped as llama.cpp's converter writes them (`dims`
//! innermost first: a matrix `[in, out]`), with how each is initialised.

use super::presets::{Preset, SynthArch};

/// How a tensor's values are drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Init {
    /// Uniform with mean 0 and this standard deviation.
    Random {
        /// Standard deviation.
        std: f32,
    },
    /// Uniform over `[lo, hi]`.
    Range {
        /// Lower bound.
        lo: f32,
        /// Upper bound.
        hi: f32,
    },
    /// Every value the same (norm weights).
    Constant(f32),
}

/// One tensor to write.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthTensor {
    /// llama.cpp's name.
    pub name: String,
    /// Shape, innermost first.
    pub dims: Vec<u64>,
    /// Block index, for per-layer quantization rules.
    pub layer: Option<usize>,
    /// How its values are drawn.
    pub init: Init,
}

/// A matrix `x @ W` keeps the scale of `x` when `W`'s entries have std `1/sqrt(in)`; half of
/// that keeps the residual stream well inside f16 range over many layers.
fn matrix(name: String, layer: Option<usize>, input: usize, output: usize) -> SynthTensor {
    SynthTensor {
        name,
        dims: vec![input as u64, output as u64],
        layer,
        init: Init::Random {
            std: 0.5 / (input as f32).sqrt(),
        },
    }
}

fn vector(name: String, layer: Option<usize>, len: usize, init: Init) -> SynthTensor {
    SynthTensor {
        name,
        dims: vec![len as u64],
        layer,
        init,
    }
}

/// Every tensor of `p`, in the order llama.cpp's converter writes them.
pub fn tensors(p: &Preset) -> Vec<SynthTensor> {
    let d = p.embd;
    let one = Init::Constant(1.0);
    // Logits of a tied model are `norm(h) . E`: std 1/sqrt(d) keeps them near unit scale.
    let mut out = vec![SynthTensor {
        name: "token_embd.weight".to_owned(),
        dims: vec![d as u64, p.vocab as u64],
        layer: None,
        init: Init::Random {
            std: 1.0 / (d as f32).sqrt(),
        },
    }];
    for l in 0..p.layers {
        let blk = |t: &str| format!("blk.{l}.{t}");
        let at = Some(l);
        out.push(vector(blk("attn_norm.weight"), at, d, one));
        if p.is_full_attention(l) {
            let q_rows = p.heads * p.head_dim;
            let kv_rows = p.kv_heads * p.head_dim;
            // Qwen3.5 interleaves each head's query with its output gate.
            let q_out = if p.arch == SynthArch::Qwen35 {
                2 * q_rows
            } else {
                q_rows
            };
            out.push(matrix(blk("attn_q.weight"), at, d, q_out));
            out.push(matrix(blk("attn_k.weight"), at, d, kv_rows));
            out.push(matrix(blk("attn_v.weight"), at, d, kv_rows));
            out.push(matrix(blk("attn_output.weight"), at, q_rows, d));
            if p.arch != SynthArch::Llama {
                out.push(vector(blk("attn_q_norm.weight"), at, p.head_dim, one));
                out.push(vector(blk("attn_k_norm.weight"), at, p.head_dim, one));
            }
        } else if let Some(n) = p.deltanet {
            let key_dim = n.k_heads * n.dk;
            let value_dim = n.v_heads * n.dv;
            let conv_dim = 2 * key_dim + value_dim;
            out.push(matrix(blk("attn_qkv.weight"), at, d, conv_dim));
            out.push(matrix(blk("attn_gate.weight"), at, d, value_dim));
            out.push(matrix(blk("ssm_beta.weight"), at, d, n.v_heads));
            out.push(matrix(blk("ssm_alpha.weight"), at, d, n.v_heads));
            out.push(SynthTensor {
                name: blk("ssm_conv1d.weight"),
                dims: vec![n.conv_kernel as u64, conv_dim as u64],
                layer: at,
                init: Init::Random {
                    std: 1.0 / (n.conv_kernel as f32).sqrt(),
                },
            });
            // -exp(A_log) with A_log = log(U[1, 16]), as the model's initialiser draws it.
            out.push(vector(
                blk("ssm_a"),
                at,
                n.v_heads,
                Init::Range {
                    lo: -16.0,
                    hi: -1.0,
                },
            ));
            out.push(vector(
                blk("ssm_dt.bias"),
                at,
                n.v_heads,
                Init::Range { lo: -4.0, hi: -1.0 },
            ));
            out.push(vector(blk("ssm_norm.weight"), at, n.dv, one));
            out.push(matrix(blk("ssm_out.weight"), at, value_dim, d));
        }
        match p.arch {
            SynthArch::Llama => out.push(vector(blk("ffn_norm.weight"), at, d, one)),
            SynthArch::Gemma3 => {
                out.push(vector(blk("post_attention_norm.weight"), at, d, one));
                out.push(vector(blk("ffn_norm.weight"), at, d, one));
            }
            // llama.cpp's Qwen3.5 names its pre-FFN norm after Hugging Face's module.
            SynthArch::Qwen35 => out.push(vector(blk("post_attention_norm.weight"), at, d, one)),
        }
        out.push(matrix(blk("ffn_gate.weight"), at, d, p.ff));
        out.push(matrix(blk("ffn_up.weight"), at, d, p.ff));
        out.push(matrix(blk("ffn_down.weight"), at, p.ff, d));
        if p.arch == SynthArch::Gemma3 {
            out.push(vector(blk("post_ffw_norm.weight"), at, d, one));
        }
    }
    out.push(vector("output_norm.weight".to_owned(), None, d, one));
    if !p.tied {
        out.push(matrix("output.weight".to_owned(), None, d, p.vocab));
    }
    out
}

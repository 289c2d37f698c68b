//! Tensor names, per file format: llama.cpp's GGUF names and Hugging Face's module paths.

use crate::config::{FileFormat, ModelConfig};

/// A tensor of one transformer block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LayerTensor {
    AttnNorm,
    Q,
    K,
    V,
    QNorm,
    KNorm,
    AttnOutput,
    PostAttnNorm,
    FfnNorm,
    Gate,
    Up,
    Down,
    PostFfnNorm,
}

/// A tensor outside the blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ModelTensor {
    TokenEmbedding,
    OutputNorm,
    Output,
}

/// The name of `tensor` of layer `layer` in a file of `config`'s format.
pub(crate) fn layer_tensor_name(config: &ModelConfig, layer: usize, tensor: LayerTensor) -> String {
    use LayerTensor as T;
    match config.file_format {
        FileFormat::Gguf => {
            let stem = match tensor {
                T::AttnNorm => "attn_norm",
                T::Q => "attn_q",
                T::K => "attn_k",
                T::V => "attn_v",
                T::QNorm => "attn_q_norm",
                T::KNorm => "attn_k_norm",
                T::AttnOutput => "attn_output",
                T::PostAttnNorm => "post_attention_norm",
                T::FfnNorm => "ffn_norm",
                T::Gate => "ffn_gate",
                T::Up => "ffn_up",
                T::Down => "ffn_down",
                T::PostFfnNorm => "post_ffw_norm",
            };
            format!("blk.{layer}.{stem}.weight")
        }
        FileFormat::HuggingFace => {
            let stem = match tensor {
                T::AttnNorm => "input_layernorm",
                T::Q => "self_attn.q_proj",
                T::K => "self_attn.k_proj",
                T::V => "self_attn.v_proj",
                T::QNorm => "self_attn.q_norm",
                T::KNorm => "self_attn.k_norm",
                T::AttnOutput => "self_attn.o_proj",
                // Llama's post_attention_layernorm is its pre-FFN norm; Gemma 3 has both.
                T::PostAttnNorm => "post_attention_layernorm",
                T::FfnNorm if config.post_attention_norm => "pre_feedforward_layernorm",
                T::FfnNorm => "post_attention_layernorm",
                T::Gate => "mlp.gate_proj",
                T::Up => "mlp.up_proj",
                T::Down => "mlp.down_proj",
                T::PostFfnNorm => "post_feedforward_layernorm",
            };
            format!("model.layers.{layer}.{stem}.weight")
        }
    }
}

/// The name of `tensor` in a file of `config`'s format.
pub(crate) fn model_tensor_name(config: &ModelConfig, tensor: ModelTensor) -> &'static str {
    match (config.file_format, tensor) {
        (FileFormat::Gguf, ModelTensor::TokenEmbedding) => "token_embd.weight",
        (FileFormat::Gguf, ModelTensor::OutputNorm) => "output_norm.weight",
        (FileFormat::Gguf, ModelTensor::Output) => "output.weight",
        (FileFormat::HuggingFace, ModelTensor::TokenEmbedding) => "model.embed_tokens.weight",
        (FileFormat::HuggingFace, ModelTensor::OutputNorm) => "model.norm.weight",
        (FileFormat::HuggingFace, ModelTensor::Output) => "lm_head.weight",
    }
}

//! Tensor names, per file format: llama.cpp's GGUF names and Hugging Face's module paths.

use crate::config::{Architecture, FileFormat, ModelConfig};

/// A tensor of one transformer block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LayerTensor {
    AttnNorm,
    /// Queries (Qwen3.5: queries and output gates, interleaved per head).
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
    /// Gated DeltaNet: the QKV projection (the convolution's input).
    SsmInQkv,
    SsmInZ,
    SsmInB,
    SsmInA,
    SsmConv1d,
    /// Gated DeltaNet decay: GGUF `-exp(A_log)`, Hugging Face `A_log`.
    SsmA,
    SsmDtBias,
    SsmNorm,
    SsmOut,
}

/// A tensor outside the blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ModelTensor {
    TokenEmbedding,
    OutputNorm,
    Output,
}

/// llama.cpp's name of `tensor`, after `blk.N.`.
fn gguf_name(config: &ModelConfig, tensor: LayerTensor) -> &'static str {
    use LayerTensor as T;
    match tensor {
        T::AttnNorm => "attn_norm.weight",
        T::Q => "attn_q.weight",
        T::K => "attn_k.weight",
        T::V => "attn_v.weight",
        T::QNorm => "attn_q_norm.weight",
        T::KNorm => "attn_k_norm.weight",
        T::AttnOutput => "attn_output.weight",
        T::PostAttnNorm => "post_attention_norm.weight",
        // llama.cpp's Qwen3.5 names its pre-FFN norm after Hugging Face's module.
        T::FfnNorm if matches!(config.architecture, Architecture::Qwen35(_)) => {
            "post_attention_norm.weight"
        }
        T::FfnNorm => "ffn_norm.weight",
        T::Gate => "ffn_gate.weight",
        T::Up => "ffn_up.weight",
        T::Down => "ffn_down.weight",
        T::PostFfnNorm => "post_ffw_norm.weight",
        T::SsmInQkv => "attn_qkv.weight",
        T::SsmInZ => "attn_gate.weight",
        T::SsmInB => "ssm_beta.weight",
        T::SsmInA => "ssm_alpha.weight",
        T::SsmConv1d => "ssm_conv1d.weight",
        T::SsmA => "ssm_a",
        T::SsmDtBias => "ssm_dt.bias",
        T::SsmNorm => "ssm_norm.weight",
        T::SsmOut => "ssm_out.weight",
    }
}

/// Hugging Face's name of `tensor`, after `model.layers.N.`.
fn hf_name(config: &ModelConfig, tensor: LayerTensor) -> &'static str {
    use LayerTensor as T;
    match tensor {
        T::AttnNorm => "input_layernorm.weight",
        T::Q => "self_attn.q_proj.weight",
        T::K => "self_attn.k_proj.weight",
        T::V => "self_attn.v_proj.weight",
        T::QNorm => "self_attn.q_norm.weight",
        T::KNorm => "self_attn.k_norm.weight",
        T::AttnOutput => "self_attn.o_proj.weight",
        // Llama's post_attention_layernorm is its pre-FFN norm; Gemma 3 has both.
        T::PostAttnNorm => "post_attention_layernorm.weight",
        T::FfnNorm if config.post_attention_norm => "pre_feedforward_layernorm.weight",
        T::FfnNorm => "post_attention_layernorm.weight",
        T::Gate => "mlp.gate_proj.weight",
        T::Up => "mlp.up_proj.weight",
        T::Down => "mlp.down_proj.weight",
        T::PostFfnNorm => "post_feedforward_layernorm.weight",
        T::SsmInQkv => "linear_attn.in_proj_qkv.weight",
        T::SsmInZ => "linear_attn.in_proj_z.weight",
        T::SsmInB => "linear_attn.in_proj_b.weight",
        T::SsmInA => "linear_attn.in_proj_a.weight",
        T::SsmConv1d => "linear_attn.conv1d.weight",
        T::SsmA => "linear_attn.A_log",
        T::SsmDtBias => "linear_attn.dt_bias",
        T::SsmNorm => "linear_attn.norm.weight",
        T::SsmOut => "linear_attn.out_proj.weight",
    }
}

/// The name of `tensor` of layer `layer` in a file of `config`'s format.
pub(crate) fn layer_tensor_name(config: &ModelConfig, layer: usize, tensor: LayerTensor) -> String {
    match config.file_format {
        FileFormat::Gguf => format!("blk.{layer}.{}", gguf_name(config, tensor)),
        FileFormat::HuggingFace => format!("model.layers.{layer}.{}", hf_name(config, tensor)),
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

//! Weights by the names the decoder plan uses (`token_embd`, `blk.N.attn_qkv`, ...): llama.cpp's
//! GGUF stems without `.weight`, plus `attn_qkv` and `ffn_gate_up` for fused matrices. A name
//! answers only in the layout the weights were loaded with (a fused layer has no `attn_q`),
//! and `output` answers only when it is not tied (the plan then reads `token_embd`).
//!
//! Qwen3.5 layers answer their own names: a gated full-attention layer `attn_q_gate` (query
//! and gate rows per head), `attn_k`, `attn_v`, `attn_q_norm`, `attn_k_norm`, `attn_output`; a
//! Gated DeltaNet layer the matrices `ssm_in_qkv`, `ssm_in_z`, `ssm_in_b`, `ssm_in_a`,
//! `ssm_out` and the f32 vectors `ssm_conv1d` (`[channel][tap]`), `ssm_a` (`-exp(A_log)`),
//! `ssm_dt_bias`, `ssm_norm`. Every layer has `attn_norm`, `ffn_norm` and its FFN.

use super::layer::{GateUpProjection, QkvProjection};
use super::mixer::Mixer;
use super::{LayerWeights, ModelWeights};
use axon_gpu::DeviceBuffer;
use axon_gpu::kernels::matvec::QuantMatrix;

/// `blk.N.rest` as `(N, rest)`.
fn split_layer_name(name: &str) -> Option<(usize, &str)> {
    let (layer, rest) = name.strip_prefix("blk.")?.split_once('.')?;
    Some((layer.parse().ok()?, rest))
}

fn layer_matrix<'w>(layer: &'w LayerWeights, stem: &str) -> Option<&'w QuantMatrix> {
    match (stem, &layer.mixer, &layer.gate_up) {
        ("ffn_gate_up", _, GateUpProjection::Fused(m)) => Some(m),
        ("ffn_gate", _, GateUpProjection::Separate { gate, .. }) => Some(gate),
        ("ffn_up", _, GateUpProjection::Separate { up, .. }) => Some(up),
        ("ffn_down", _, _) => Some(&layer.ffn_down),
        (_, Mixer::Attention(a), _) => match (stem, &a.qkv) {
            ("attn_qkv", QkvProjection::Fused(m)) => Some(m),
            ("attn_q", QkvProjection::Separate { q, .. }) => Some(q),
            ("attn_k", QkvProjection::Separate { k, .. }) => Some(k),
            ("attn_v", QkvProjection::Separate { v, .. }) => Some(v),
            ("attn_output", _) => Some(&a.output),
            _ => None,
        },
        (_, Mixer::GatedAttention(g), _) => match stem {
            "attn_q_gate" => Some(&g.q_gate),
            "attn_k" => Some(&g.k),
            "attn_v" => Some(&g.v),
            "attn_output" => Some(&g.output),
            _ => None,
        },
        (_, Mixer::DeltaNet(d), _) => match stem {
            "ssm_in_qkv" => Some(&d.in_qkv),
            "ssm_in_z" => Some(&d.in_z),
            "ssm_in_b" => Some(&d.in_b),
            "ssm_in_a" => Some(&d.in_a),
            "ssm_out" => Some(&d.out),
            _ => None,
        },
    }
}

fn layer_vector<'w>(layer: &'w LayerWeights, stem: &str) -> Option<&'w DeviceBuffer> {
    match (stem, &layer.mixer) {
        ("attn_norm", _) => Some(&layer.attn_norm),
        ("post_attention_norm", _) => layer.post_attention_norm.as_ref(),
        ("ffn_norm", _) => Some(&layer.ffn_norm),
        ("post_ffw_norm", _) => layer.post_ffn_norm.as_ref(),
        ("attn_q_norm", Mixer::Attention(a)) => a.q_norm.as_ref(),
        ("attn_k_norm", Mixer::Attention(a)) => a.k_norm.as_ref(),
        ("attn_q_norm", Mixer::GatedAttention(g)) => Some(&g.q_norm),
        ("attn_k_norm", Mixer::GatedAttention(g)) => Some(&g.k_norm),
        ("ssm_conv1d", Mixer::DeltaNet(d)) => Some(&d.conv1d),
        ("ssm_a", Mixer::DeltaNet(d)) => Some(&d.a_neg),
        ("ssm_dt_bias", Mixer::DeltaNet(d)) => Some(&d.dt_bias),
        ("ssm_norm", Mixer::DeltaNet(d)) => Some(&d.norm),
        _ => None,
    }
}

impl ModelWeights {
    /// The matrix the decoder plan calls `name` (see the module docs), if loaded.
    pub fn matrix(&self, name: &str) -> Option<&QuantMatrix> {
        match name {
            "token_embd" => Some(&self.token_embedding),
            "output" => self.output.as_ref(),
            _ => {
                let (layer, stem) = split_layer_name(name)?;
                layer_matrix(self.layers.get(layer)?, stem)
            }
        }
    }

    /// The f32 vector (norm weight) the decoder plan calls `name`, if loaded.
    pub fn vector(&self, name: &str) -> Option<&DeviceBuffer> {
        match name {
            "output_norm" => Some(&self.output_norm),
            _ => {
                let (layer, stem) = split_layer_name(name)?;
                layer_vector(self.layers.get(layer)?, stem)
            }
        }
    }
}

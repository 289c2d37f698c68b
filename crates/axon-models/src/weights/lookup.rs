//! Weights by the names the decoder plan uses (`token_embd`, `blk.N.attn_qkv`, ...): llama.cpp's
//! GGUF stems without `.weight`, plus `attn_qkv` and `ffn_gate_up` for fused matrices. A name
//! answers only in the layout the weights were loaded with (a fused layer has no `attn_q`),
//! and `output` answers only when it is not tied (the plan then reads `token_embd`).

use super::layer::{GateUpProjection, QkvProjection};
use super::{LayerWeights, ModelWeights};
use axon_gpu::DeviceBuffer;
use axon_gpu::kernels::matvec::QuantMatrix;

/// `blk.N.rest` as `(N, rest)`.
fn split_layer_name(name: &str) -> Option<(usize, &str)> {
    let (layer, rest) = name.strip_prefix("blk.")?.split_once('.')?;
    Some((layer.parse().ok()?, rest))
}

fn layer_matrix<'w>(layer: &'w LayerWeights, stem: &str) -> Option<&'w QuantMatrix> {
    match (stem, &layer.qkv, &layer.gate_up) {
        ("attn_qkv", QkvProjection::Fused(m), _) => Some(m),
        ("attn_q", QkvProjection::Separate { q, .. }, _) => Some(q),
        ("attn_k", QkvProjection::Separate { k, .. }, _) => Some(k),
        ("attn_v", QkvProjection::Separate { v, .. }, _) => Some(v),
        ("attn_output", _, _) => Some(&layer.attn_output),
        ("ffn_gate_up", _, GateUpProjection::Fused(m)) => Some(m),
        ("ffn_gate", _, GateUpProjection::Separate { gate, .. }) => Some(gate),
        ("ffn_up", _, GateUpProjection::Separate { up, .. }) => Some(up),
        ("ffn_down", _, _) => Some(&layer.ffn_down),
        _ => None,
    }
}

fn layer_vector<'w>(layer: &'w LayerWeights, stem: &str) -> Option<&'w DeviceBuffer> {
    match stem {
        "attn_norm" => Some(&layer.attn_norm),
        "attn_q_norm" => layer.q_norm.as_ref(),
        "attn_k_norm" => layer.k_norm.as_ref(),
        "post_attention_norm" => layer.post_attention_norm.as_ref(),
        "ffn_norm" => Some(&layer.ffn_norm),
        "post_ffw_norm" => layer.post_ffn_norm.as_ref(),
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

//! A block's tensors checked and grouped as the config's family and the layout ask: which
//! mixer the layer has (attention, Qwen3.5 gated attention, Gated DeltaNet), which matrices
//! fuse, which norms exist.

use super::check::Checker;
use super::error::WeightsError;
use super::layer::{GateUpProjection, LayerTensors, QkvProjection};
use super::manifest::{PlannedMatrix, PlannedVector, VectorTransform};
use super::mixer::{AttentionTensors, DeltaNetTensors, GatedAttentionTensors, Mixer};
use super::names::{LayerTensor as T, layer_tensor_name};
use super::records::{FusedGroup, WeightLayout};
use super::source::WeightSource;
use crate::config::{DeltaNetLayers, FileFormat};

/// A checked block, still in the file.
type PlannedLayer<'a> = LayerTensors<PlannedMatrix<'a>, PlannedVector<'a>>;
/// A checked mixer, still in the file.
type PlannedMixer<'a> = Mixer<PlannedMatrix<'a>, PlannedVector<'a>>;

impl<'a, S: WeightSource + ?Sized> Checker<'a, S> {
    /// Every tensor of layer `i`, checked, fused as `layout` asks where they can be.
    pub fn layer(
        &mut self,
        i: usize,
        layout: WeightLayout,
    ) -> Result<PlannedLayer<'a>, WeightsError> {
        let c = self.config;
        let (e, ff) = (c.embd, c.ff);
        let attn_norm = self.layer_norm(i, T::AttnNorm, e)?;
        let mixer = match c.deltanet() {
            Some(h) if h.full_attention.get(i) == Some(&false) => self.delta_net(i, h)?,
            Some(_) => self.gated_attention(i)?,
            None => self.attention(i, layout)?,
        };
        let post_attention_norm =
            self.optional_layer_norm(c.post_attention_norm, i, T::PostAttnNorm, e)?;
        let ffn_norm = self.layer_norm(i, T::FfnNorm, e)?;
        let parts = [
            self.layer_matrix(i, T::Gate, ff, e)?,
            self.layer_matrix(i, T::Up, ff, e)?,
        ];
        let fused = if layout.fuse_ffn {
            self.try_fuse(i, FusedGroup::GateUp, parts)
        } else {
            Err(parts)
        };
        let gate_up = match fused {
            Ok(m) => GateUpProjection::Fused(m),
            Err([gate, up]) => GateUpProjection::Separate { gate, up },
        };
        Ok(LayerTensors {
            attn_norm,
            mixer,
            post_attention_norm,
            ffn_norm,
            gate_up,
            ffn_down: self.layer_matrix(i, T::Down, e, ff)?,
            post_ffn_norm: self.optional_layer_norm(c.post_ffn_norm, i, T::PostFfnNorm, e)?,
        })
    }

    /// Llama / Gemma 3 attention; Q, K, V fused when `layout` asks and they can.
    fn attention(
        &mut self,
        i: usize,
        layout: WeightLayout,
    ) -> Result<PlannedMixer<'a>, WeightsError> {
        let c = self.config;
        let (e, q, kv, hd) = (c.embd, c.q_dim(), c.kv_dim(), c.head_dim);
        let parts = [
            self.layer_matrix(i, T::Q, q, e)?,
            self.layer_matrix(i, T::K, kv, e)?,
            self.layer_matrix(i, T::V, kv, e)?,
        ];
        let fused = if layout.fuse_qkv {
            self.try_fuse(i, FusedGroup::Qkv, parts)
        } else {
            Err(parts)
        };
        let qkv = match fused {
            Ok(m) => QkvProjection::Fused(m),
            Err([q, k, v]) => QkvProjection::Separate { q, k, v },
        };
        Ok(Mixer::Attention(AttentionTensors {
            qkv,
            q_norm: self.optional_layer_norm(c.qk_norm, i, T::QNorm, hd)?,
            k_norm: self.optional_layer_norm(c.qk_norm, i, T::KNorm, hd)?,
            output: self.layer_matrix(i, T::AttnOutput, e, q)?,
        }))
    }

    /// Qwen3.5's gated full attention (never fused: the query rows hold the gate too).
    fn gated_attention(&mut self, i: usize) -> Result<PlannedMixer<'a>, WeightsError> {
        let c = self.config;
        let (e, q, kv, hd) = (c.embd, c.q_dim(), c.kv_dim(), c.head_dim);
        Ok(Mixer::GatedAttention(GatedAttentionTensors {
            q_gate: self.layer_matrix(i, T::Q, 2 * q, e)?,
            k: self.layer_matrix(i, T::K, kv, e)?,
            v: self.layer_matrix(i, T::V, kv, e)?,
            q_norm: self.layer_norm(i, T::QNorm, hd)?,
            k_norm: self.layer_norm(i, T::KNorm, hd)?,
            output: self.layer_matrix(i, T::AttnOutput, e, q)?,
        }))
    }

    /// Qwen3.5's Gated DeltaNet. The conv taps are `[conv_dim, 1, kernel]` in Hugging Face and
    /// `[conv_dim, kernel]` in GGUF (outermost first): the same `[channel][tap]` values.
    /// Hugging Face's `A_log` becomes `-exp(A_log)`, which GGUF already stores.
    fn delta_net(
        &mut self,
        i: usize,
        h: &DeltaNetLayers,
    ) -> Result<PlannedMixer<'a>, WeightsError> {
        let c = self.config;
        let e = c.embd;
        let name = |t| layer_tensor_name(c, i, t);
        let as_stored = VectorTransform::AsStored;
        let a_transform = match c.file_format {
            FileFormat::HuggingFace => VectorTransform::NegExp,
            FileFormat::Gguf => VectorTransform::AsStored,
        };
        Ok(Mixer::DeltaNet(DeltaNetTensors {
            in_qkv: self.layer_matrix(i, T::SsmInQkv, h.conv_dim(), e)?,
            in_z: self.layer_matrix(i, T::SsmInZ, h.value_dim(), e)?,
            in_b: self.layer_matrix(i, T::SsmInB, h.v_heads, e)?,
            in_a: self.layer_matrix(i, T::SsmInA, h.v_heads, e)?,
            conv1d: self.vector(
                name(T::SsmConv1d),
                &[h.conv_dim(), h.conv_kernel],
                as_stored,
            )?,
            a_neg: self.vector(name(T::SsmA), &[h.v_heads], a_transform)?,
            dt_bias: self.vector(name(T::SsmDtBias), &[h.v_heads], as_stored)?,
            norm: self.vector(name(T::SsmNorm), &[h.dv], as_stored)?,
            out: self.layer_matrix(i, T::SsmOut, e, h.value_dim())?,
        }))
    }
}

//! Uploading a checked [`WeightManifest`]: converting the formats no kernel decodes,
//! concatenating fused rows, transforming vectors (Hugging Face's zero-centred norms get their
//! `1 +`, Qwen3.5's `A_log` becomes `-exp(A_log)`), and one immutable GPU buffer per matrix or
//! vector.

use super::error::WeightsError;
use super::layer::{GateUpProjection, LayerTensors, QkvProjection};
use super::manifest::{MatrixPart, PlannedMatrix, PlannedVector, WeightManifest};
use super::mixer::{AttentionTensors, DeltaNetTensors, GatedAttentionTensors, Mixer};
use super::{LayerWeights, ModelWeights};
use axon_formats::quant::{GgmlType, byte_len, dequantize, quantize};
use axon_gpu::kernels::matvec::QuantMatrix;
use axon_gpu::{DeviceBuffer, Gpu};
use std::borrow::Cow;

/// Elements converted at a time: bounds the f32 scratch of a conversion (rows stay whole, so
/// block boundaries line up in both formats).
const CONVERSION_CHUNK_ELEMENTS: usize = 1 << 20;

/// `part`'s rows re-encoded as `to`, a chunk of rows at a time.
fn convert(part: &MatrixPart<'_>, cols: usize, to: GgmlType) -> Result<Vec<u8>, WeightsError> {
    let err = |source| WeightsError::Conversion {
        tensor: part.tensor.clone(),
        from: part.file_ty,
        to,
        source,
    };
    tracing::info!(tensor = %part.tensor, from = %part.file_ty, %to, "converting weights to a format the kernels decode");
    // The manifest checked `cols` against both formats' blocks; `max(1)` only keeps the
    // chunk length positive.
    let file_row_bytes = byte_len(part.file_ty, cols).map_err(err)?.max(1);
    let rows_per_chunk = (CONVERSION_CHUNK_ELEMENTS / cols.max(1)).max(1);
    let mut out = Vec::with_capacity(byte_len(to, part.rows * cols).map_err(err)?);
    for chunk in part.data.chunks(rows_per_chunk * file_row_bytes) {
        let rows = chunk.len() / file_row_bytes;
        let values = dequantize(part.file_ty, chunk, rows * cols).map_err(err)?;
        out.extend(quantize(to, &values).map_err(err)?);
    }
    Ok(out)
}

struct Uploader<'g, 'p> {
    gpu: &'g Gpu,
    bytes: u64,
    total: u64,
    on_progress: &'p mut dyn FnMut(u64, u64),
}

impl Uploader<'_, '_> {
    fn uploaded(&mut self, bytes: u64) {
        self.bytes += bytes;
        (self.on_progress)(self.bytes, self.total);
    }

    fn matrix(&mut self, m: &PlannedMatrix<'_>) -> Result<QuantMatrix, WeightsError> {
        let encoded = |p: &MatrixPart<'_>| -> Result<Vec<u8>, WeightsError> {
            if p.file_ty == m.ty {
                Ok(p.data.to_vec())
            } else {
                convert(p, m.cols, m.ty)
            }
        };
        let data: Cow<'_, [u8]> = match m.parts.as_slice() {
            [only] if only.file_ty == m.ty => Cow::Borrowed(only.data),
            parts => Cow::Owned(
                parts
                    .iter()
                    .map(encoded)
                    .collect::<Result<Vec<_>, _>>()?
                    .concat(),
            ),
        };
        let matrix = self
            .gpu
            .upload_matrix(&m.label, m.ty, m.rows, m.cols, &data)
            .map_err(|source| WeightsError::Upload {
                tensor: m.label.clone(),
                source,
            })?;
        self.uploaded(m.gpu_bytes());
        Ok(matrix)
    }

    fn vector(&mut self, v: &PlannedVector<'_>) -> Result<DeviceBuffer, WeightsError> {
        let mut values =
            dequantize(v.file_ty, v.data, v.len).map_err(|source| WeightsError::Conversion {
                tensor: v.tensor.clone(),
                from: v.file_ty,
                to: GgmlType::F32,
                source,
            })?;
        v.transform.apply(&mut values);
        let buffer =
            self.gpu
                .upload_f32(&v.tensor, &values)
                .map_err(|source| WeightsError::Upload {
                    tensor: v.tensor.clone(),
                    source,
                })?;
        self.uploaded(v.gpu_bytes());
        Ok(buffer)
    }

    fn optional_vector(
        &mut self,
        v: Option<&PlannedVector<'_>>,
    ) -> Result<Option<DeviceBuffer>, WeightsError> {
        v.map(|v| self.vector(v)).transpose()
    }

    fn layer(
        &mut self,
        l: &LayerTensors<PlannedMatrix<'_>, PlannedVector<'_>>,
    ) -> Result<LayerWeights, WeightsError> {
        Ok(LayerTensors {
            attn_norm: self.vector(&l.attn_norm)?,
            mixer: self.mixer(&l.mixer)?,
            post_attention_norm: self.optional_vector(l.post_attention_norm.as_ref())?,
            ffn_norm: self.vector(&l.ffn_norm)?,
            gate_up: match &l.gate_up {
                GateUpProjection::Fused(m) => GateUpProjection::Fused(self.matrix(m)?),
                GateUpProjection::Separate { gate, up } => GateUpProjection::Separate {
                    gate: self.matrix(gate)?,
                    up: self.matrix(up)?,
                },
            },
            ffn_down: self.matrix(&l.ffn_down)?,
            post_ffn_norm: self.optional_vector(l.post_ffn_norm.as_ref())?,
        })
    }

    fn mixer(
        &mut self,
        m: &Mixer<PlannedMatrix<'_>, PlannedVector<'_>>,
    ) -> Result<Mixer<QuantMatrix, DeviceBuffer>, WeightsError> {
        Ok(match m {
            Mixer::Attention(a) => Mixer::Attention(AttentionTensors {
                qkv: match &a.qkv {
                    QkvProjection::Fused(m) => QkvProjection::Fused(self.matrix(m)?),
                    QkvProjection::Separate { q, k, v } => QkvProjection::Separate {
                        q: self.matrix(q)?,
                        k: self.matrix(k)?,
                        v: self.matrix(v)?,
                    },
                },
                q_norm: self.optional_vector(a.q_norm.as_ref())?,
                k_norm: self.optional_vector(a.k_norm.as_ref())?,
                output: self.matrix(&a.output)?,
            }),
            Mixer::GatedAttention(g) => Mixer::GatedAttention(GatedAttentionTensors {
                q_gate: self.matrix(&g.q_gate)?,
                k: self.matrix(&g.k)?,
                v: self.matrix(&g.v)?,
                q_norm: self.vector(&g.q_norm)?,
                k_norm: self.vector(&g.k_norm)?,
                output: self.matrix(&g.output)?,
            }),
            Mixer::DeltaNet(d) => Mixer::DeltaNet(DeltaNetTensors {
                in_qkv: self.matrix(&d.in_qkv)?,
                in_z: self.matrix(&d.in_z)?,
                in_b: self.matrix(&d.in_b)?,
                in_a: self.matrix(&d.in_a)?,
                conv1d: self.vector(&d.conv1d)?,
                a_neg: self.vector(&d.a_neg)?,
                dt_bias: self.vector(&d.dt_bias)?,
                norm: self.vector(&d.norm)?,
                out: self.matrix(&d.out)?,
            }),
        })
    }
}

impl WeightManifest<'_> {
    /// Uploads every checked tensor once; the output matrix of a tied model is not uploaded
    /// again (it is the token embedding).
    pub fn upload(self, gpu: &Gpu) -> Result<ModelWeights, WeightsError> {
        self.upload_with_progress(gpu, &mut |_, _| {})
    }

    /// [`WeightManifest::upload`], calling `on_progress(uploaded, total)` (bytes on the GPU)
    /// after each tensor.
    pub fn upload_with_progress(
        self,
        gpu: &Gpu,
        on_progress: &mut dyn FnMut(u64, u64),
    ) -> Result<ModelWeights, WeightsError> {
        let total = self.gpu_bytes();
        let mut up = Uploader {
            gpu,
            bytes: 0,
            total,
            on_progress,
        };
        let token_embedding = up.matrix(&self.token_embedding)?;
        let output = self.output.as_ref().map(|m| up.matrix(m)).transpose()?;
        let output_norm = up.vector(&self.output_norm)?;
        let layers = self
            .layers
            .iter()
            .map(|l| up.layer(l))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ModelWeights {
            layout: self.layout,
            token_embedding,
            output,
            output_norm,
            layers,
            conversions: self.conversions,
            fusion_fallbacks: self.fusion_fallbacks,
            weight_bytes: up.bytes,
        })
    }
}

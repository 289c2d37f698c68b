//! The checks behind [`WeightManifest::new`](super::WeightManifest::new), tensor by tensor:
//! present, the shape the config implies, a format the kernels decode (or one that converts),
//! small enough for one binding; and whether a layer's matrices can fuse.

use super::error::WeightsError;
use super::layer::{GateUpProjection, LayerTensors, QkvProjection};
use super::manifest::{MatrixPart, PlannedMatrix, PlannedVector};
use super::names::{LayerTensor as T, layer_tensor_name};
use super::records::{FallbackReason, FormatConversion, FusedGroup, FusionFallback, WeightLayout};
use super::source::{SourceTensor, WeightSource};
use crate::config::ModelConfig;
use axon_formats::quant::{GgmlType, byte_len, can_dequantize};
use axon_gpu::kernels::matvec::MATVEC_TYPES;

/// The format a kernel decodes for a file format: itself when a kernel decodes it, F32 for
/// F64, Q8_0 for every other format the CPU can dequantize; `None` when there is no way.
fn gpu_format(ty: GgmlType) -> Option<GgmlType> {
    if MATVEC_TYPES.contains(&ty) {
        Some(ty)
    } else if ty == GgmlType::F64 {
        Some(GgmlType::F32)
    } else if can_dequantize(ty) {
        Some(GgmlType::Q8_0)
    } else {
        None
    }
}

/// Drops dimensions of 1, so `[n]` and `[1, n]` compare equal.
fn squeezed(shape: &[usize]) -> Vec<usize> {
    shape.iter().copied().filter(|&d| d != 1).collect()
}

pub(super) struct Checker<'a, S: WeightSource + ?Sized> {
    pub source: &'a S,
    pub config: &'a ModelConfig,
    pub max_binding_bytes: u64,
    pub conversions: Vec<FormatConversion>,
    pub fusion_fallbacks: Vec<FusionFallback>,
}

impl<'a, S: WeightSource + ?Sized> Checker<'a, S> {
    fn lookup(&self, name: &str, expected: &[usize]) -> Result<SourceTensor<'a>, WeightsError> {
        let file = || self.source.path().to_path_buf();
        let tensor = self
            .source
            .tensor(name)
            .ok_or_else(|| WeightsError::MissingTensor {
                file: file(),
                tensor: name.to_owned(),
            })?;
        if squeezed(&tensor.shape) != squeezed(expected) {
            return Err(WeightsError::Shape {
                file: file(),
                tensor: name.to_owned(),
                expected: expected.to_vec(),
                got: tensor.shape,
            });
        }
        Ok(tensor)
    }

    fn unsupported(&self, name: &str, ty: GgmlType) -> WeightsError {
        WeightsError::UnsupportedDtype {
            file: self.source.path().to_path_buf(),
            tensor: name.to_owned(),
            dtype: ty.name(),
        }
    }

    fn check_binding(&self, label: &str, bytes: u64) -> Result<(), WeightsError> {
        if bytes > self.max_binding_bytes {
            return Err(WeightsError::TooLargeForBinding {
                tensor: label.to_owned(),
                bytes,
                max: self.max_binding_bytes,
            });
        }
        Ok(())
    }

    /// Matrix `name`, `rows x cols`, checked (and its conversion recorded).
    pub fn matrix(
        &mut self,
        name: String,
        rows: usize,
        cols: usize,
    ) -> Result<PlannedMatrix<'a>, WeightsError> {
        let tensor = self.lookup(&name, &[rows, cols])?;
        let ty = gpu_format(tensor.ty).ok_or_else(|| self.unsupported(&name, tensor.ty))?;
        let row_bytes = byte_len(ty, cols).map_err(|source| WeightsError::Conversion {
            tensor: name.clone(),
            from: tensor.ty,
            to: ty,
            source,
        })?;
        if ty != tensor.ty {
            self.conversions.push(FormatConversion {
                tensor: name.clone(),
                from: tensor.ty,
                to: ty,
            });
        }
        let matrix = PlannedMatrix {
            label: name.clone(),
            parts: vec![MatrixPart {
                tensor: name,
                file_ty: tensor.ty,
                rows,
                data: tensor.data,
            }],
            ty,
            rows,
            cols,
            row_bytes,
        };
        self.check_binding(&matrix.label, matrix.gpu_bytes())?;
        Ok(matrix)
    }

    fn layer_matrix(
        &mut self,
        layer: usize,
        t: T,
        rows: usize,
        cols: usize,
    ) -> Result<PlannedMatrix<'a>, WeightsError> {
        self.matrix(layer_tensor_name(self.config, layer, t), rows, cols)
    }

    /// Vector `name` of `len` values, checked.
    pub fn vector(&self, name: String, len: usize) -> Result<PlannedVector<'a>, WeightsError> {
        let tensor = self.lookup(&name, &[len])?;
        if !can_dequantize(tensor.ty) {
            return Err(self.unsupported(&name, tensor.ty));
        }
        Ok(PlannedVector {
            tensor: name,
            file_ty: tensor.ty,
            len,
            data: tensor.data,
        })
    }

    fn layer_vector(
        &self,
        present: bool,
        layer: usize,
        t: T,
        len: usize,
    ) -> Result<Option<PlannedVector<'a>>, WeightsError> {
        present
            .then(|| self.vector(layer_tensor_name(self.config, layer, t), len))
            .transpose()
    }

    /// One matrix of `parts`' rows in order, or the parts back (recorded) when they cannot fuse.
    fn try_fuse<const N: usize>(
        &mut self,
        layer: usize,
        group: FusedGroup,
        parts: [PlannedMatrix<'a>; N],
    ) -> Result<PlannedMatrix<'a>, [PlannedMatrix<'a>; N]> {
        let types: Vec<GgmlType> = parts.iter().map(|p| p.ty).collect();
        let rows: usize = parts.iter().map(|p| p.rows).sum();
        let reason = match parts.first() {
            Some(first) if parts.iter().any(|p| p.ty != first.ty) => {
                FallbackReason::MixedFormats(types)
            }
            Some(first) => {
                let bytes = ((rows * first.row_bytes) as u64).next_multiple_of(4);
                if bytes <= self.max_binding_bytes {
                    let (ty, cols, row_bytes) = (first.ty, first.cols, first.row_bytes);
                    let label = parts
                        .iter()
                        .map(|p| p.label.as_str())
                        .collect::<Vec<_>>()
                        .join("+");
                    let parts = parts.into_iter().flat_map(|p| p.parts).collect();
                    return Ok(PlannedMatrix {
                        label,
                        parts,
                        ty,
                        rows,
                        cols,
                        row_bytes,
                    });
                }
                FallbackReason::TooLargeForBinding {
                    bytes,
                    max: self.max_binding_bytes,
                }
            }
            None => return Err(parts),
        };
        tracing::info!(
            layer,
            ?group,
            ?reason,
            "matrices stay separate despite the fusion layout"
        );
        self.fusion_fallbacks.push(FusionFallback {
            layer,
            group,
            reason,
        });
        Err(parts)
    }

    /// Every tensor of layer `i`, checked, fused as `layout` asks where they can be.
    pub fn layer(
        &mut self,
        i: usize,
        layout: WeightLayout,
    ) -> Result<LayerTensors<PlannedMatrix<'a>, PlannedVector<'a>>, WeightsError> {
        let c = self.config;
        let (e, q, kv, ff, hd) = (c.embd, c.q_dim(), c.kv_dim(), c.ff, c.head_dim);
        let attn_norm = self.vector(layer_tensor_name(c, i, T::AttnNorm), e)?;
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
        let q_norm = self.layer_vector(c.qk_norm, i, T::QNorm, hd)?;
        let k_norm = self.layer_vector(c.qk_norm, i, T::KNorm, hd)?;
        let attn_output = self.layer_matrix(i, T::AttnOutput, e, q)?;
        let post_attention_norm =
            self.layer_vector(c.post_attention_norm, i, T::PostAttnNorm, e)?;
        let ffn_norm = self.vector(layer_tensor_name(c, i, T::FfnNorm), e)?;
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
            qkv,
            q_norm,
            k_norm,
            attn_output,
            post_attention_norm,
            ffn_norm,
            gate_up,
            ffn_down: self.layer_matrix(i, T::Down, e, ff)?,
            post_ffn_norm: self.layer_vector(c.post_ffn_norm, i, T::PostFfnNorm, e)?,
        })
    }
}

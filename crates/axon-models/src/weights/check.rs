//! The checks behind [`WeightManifest::new`](super::WeightManifest::new), tensor by tensor:
//! present, the shape the config implies, a format the kernels decode (or one that converts),
//! small enough for one binding; and whether a layer's matrices can fuse.

use super::error::WeightsError;
use super::manifest::{MatrixPart, PlannedMatrix, PlannedVector, VectorTransform};
use super::names::{LayerTensor as T, layer_tensor_name};
use super::records::{FallbackReason, FormatConversion, FusedGroup, FusionFallback};
use super::source::{SourceTensor, WeightSource};
use crate::config::{ModelConfig, NormWeightConvention};
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

    /// Matrix `t` of layer `layer`, `rows x cols`, checked.
    pub fn layer_matrix(
        &mut self,
        layer: usize,
        t: T,
        rows: usize,
        cols: usize,
    ) -> Result<PlannedMatrix<'a>, WeightsError> {
        self.matrix(layer_tensor_name(self.config, layer, t), rows, cols)
    }

    /// Tensor `name` of `shape` (outermost first), checked, to upload as one f32 vector of
    /// all its values in row-major order.
    pub fn vector(
        &self,
        name: String,
        shape: &[usize],
        transform: VectorTransform,
    ) -> Result<PlannedVector<'a>, WeightsError> {
        let tensor = self.lookup(&name, shape)?;
        if !can_dequantize(tensor.ty) {
            return Err(self.unsupported(&name, tensor.ty));
        }
        Ok(PlannedVector {
            tensor: name,
            file_ty: tensor.ty,
            len: shape.iter().product(),
            data: tensor.data,
            transform,
        })
    }

    /// Norm weight `name` of `len` values, checked; its `1 +` is added at upload when the
    /// config's convention asks for it.
    pub fn norm(&self, name: String, len: usize) -> Result<PlannedVector<'a>, WeightsError> {
        let transform = match self.config.norm_weights {
            NormWeightConvention::Direct => VectorTransform::AsStored,
            NormWeightConvention::OnePlus => VectorTransform::PlusOne,
        };
        self.vector(name, &[len], transform)
    }

    /// Norm weight `t` of layer `layer`, checked.
    pub fn layer_norm(
        &self,
        layer: usize,
        t: T,
        len: usize,
    ) -> Result<PlannedVector<'a>, WeightsError> {
        self.norm(layer_tensor_name(self.config, layer, t), len)
    }

    /// Norm weight `t` of layer `layer` when `present`, checked.
    pub fn optional_layer_norm(
        &self,
        present: bool,
        layer: usize,
        t: T,
        len: usize,
    ) -> Result<Option<PlannedVector<'a>>, WeightsError> {
        present.then(|| self.layer_norm(layer, t, len)).transpose()
    }

    /// One matrix of `parts`' rows in order, or the parts back (recorded) when they cannot fuse.
    pub fn try_fuse<const N: usize>(
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
}

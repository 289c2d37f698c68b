//! Copies of a real GGUF file with one thing changed (a metadata value, a tensor's shape, a
//! tensor's first value), for tests of what loaders refuse. Tensor data is copied as stored,
//! streamed to disk, so a model of any size can be mutated.

use axon_formats::gguf::{GgufError, GgufFile, GgufStreamWriter, TensorDecl, Value};
use axon_formats::quant::GgmlType;
use std::path::Path;

/// One change to a GGUF file.
#[derive(Debug, Clone, PartialEq)]
pub enum Mutation {
    /// Sets metadata `key` to `value` (replacing it, or adding it when absent).
    Set {
        /// The key.
        key: String,
        /// The new value.
        value: Value,
    },
    /// Gives tensor `tensor` the dims `dims` (innermost first); its data stays as stored, so
    /// the new shape must hold the same number of bytes.
    Reshape {
        /// The tensor.
        tensor: String,
        /// The new dims.
        dims: Vec<u64>,
    },
    /// Overwrites value `index` of f32 or f16 tensor `tensor` (row-major: a token's embedding
    /// row starts at `token * width`) with `value` (NaN, infinity).
    Poison {
        /// The tensor.
        tensor: String,
        /// Which value.
        index: usize,
        /// The new value.
        value: f32,
    },
}

/// Why a mutated copy could not be written.
#[derive(Debug, thiserror::Error)]
pub enum MutateError {
    /// Reading or writing the GGUF failed.
    #[error(transparent)]
    Gguf(#[from] GgufError),
    /// The mutation names a tensor the file lacks, or one it cannot change.
    #[error("cannot apply {0}")]
    Unfit(String),
}

/// Writes `src` with `mutation` applied to `dst`.
pub fn write_mutated(src: &GgufFile, dst: &Path, mutation: &Mutation) -> Result<(), MutateError> {
    let mut metadata: Vec<(String, Value)> = src
        .metadata()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect();
    if let Mutation::Set { key, value } = mutation {
        match metadata.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = value.clone(),
            None => metadata.push((key.clone(), value.clone())),
        }
    }
    let mut found = !matches!(mutation, Mutation::Reshape { .. } | Mutation::Poison { .. });
    let decls: Vec<TensorDecl> = src
        .tensors()
        .iter()
        .map(|t| {
            let dims = match mutation {
                Mutation::Reshape { tensor, dims } if *tensor == t.name => {
                    found = true;
                    dims.clone()
                }
                _ => t.dims.clone(),
            };
            TensorDecl {
                name: t.name.clone(),
                ty: t.ty,
                dims,
            }
        })
        .collect();
    if let Mutation::Poison { tensor, .. } = mutation {
        found = src.tensors().iter().any(|t| t.name == *tensor);
    }
    if !found {
        return Err(MutateError::Unfit(format!("{mutation:?}: no such tensor")));
    }
    let mut out = GgufStreamWriter::create(dst, &metadata, decls)?;
    for info in src.tensors() {
        let view = src.view(info);
        match mutation {
            Mutation::Poison {
                tensor,
                index,
                value,
            } if *tensor == info.name => {
                let mut data = view.data.to_vec();
                let bytes = match info.ty {
                    GgmlType::F32 => value.to_le_bytes().to_vec(),
                    GgmlType::F16 => half::f16::from_f32(*value).to_le_bytes().to_vec(),
                    other => {
                        return Err(MutateError::Unfit(format!(
                            "{mutation:?}: a tensor of type {other}"
                        )));
                    }
                };
                let at = index * bytes.len();
                let slot = data.get_mut(at..at + bytes.len()).ok_or_else(|| {
                    MutateError::Unfit(format!("{mutation:?}: past the tensor's end"))
                })?;
                slot.copy_from_slice(&bytes);
                out.write_tensor(&data)?;
            }
            _ => out.write_tensor(view.data)?,
        }
    }
    out.finish()?;
    Ok(())
}

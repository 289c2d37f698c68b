//! Loading named GGUF tensors as f32 with a shape check.

use super::error::ModelError;
use axon_formats::gguf::GgufFile;
use axon_formats::hf::HfCheckpoint;
use axon_formats::quant::dequantize;

/// Dequantizes tensor `name`, checking its dims (innermost first).
pub(crate) fn load(file: &GgufFile, name: &str, dims: &[u64]) -> Result<Vec<f32>, ModelError> {
    let view = file.tensor(name)?;
    if view.info.dims != dims {
        return Err(ModelError::Shape {
            tensor: name.to_owned(),
            got: view.info.dims.clone(),
            expected: dims.to_vec(),
        });
    }
    view.to_f32().map_err(|source| ModelError::Dequantize {
        tensor: name.to_owned(),
        source,
    })
}

/// Like [`load`], `None` when the tensor is absent.
pub(crate) fn load_optional(
    file: &GgufFile,
    name: &str,
    dims: &[u64],
) -> Result<Option<Vec<f32>>, ModelError> {
    if file.tensors().iter().any(|t| t.name == name) {
        load(file, name, dims).map(Some)
    } else {
        Ok(None)
    }
}

/// A checkpoint that hands out tensors as f32 by name, with a shape check (outermost first).
pub(crate) trait Source {
    fn load_f32(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, ModelError>;
}

impl Source for HfCheckpoint {
    fn load_f32(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, ModelError> {
        let t = self
            .tensor(name)
            .map_err(|e| ModelError::Config(e.to_string()))?;
        let got: Vec<usize> = t.shape.iter().copied().filter(|&d| d != 1).collect();
        let want: Vec<usize> = shape.iter().copied().filter(|&d| d != 1).collect();
        if got != want {
            let dims = |s: &[usize]| s.iter().rev().map(|&d| d as u64).collect();
            return Err(ModelError::Shape {
                tensor: name.to_owned(),
                got: dims(t.shape),
                expected: dims(shape),
            });
        }
        let n = t.shape.iter().product();
        dequantize(t.ty, t.data, n).map_err(|source| ModelError::Dequantize {
            tensor: name.to_owned(),
            source,
        })
    }
}

impl Source for GgufFile {
    fn load_f32(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, ModelError> {
        let dims: Vec<u64> = shape.iter().rev().map(|&d| d as u64).collect();
        super::weights::load(self, name, &dims)
    }
}

/// Adds 1 to every weight (zero-centred norms stored as `w`, used as `1 + w`).
pub(crate) fn plus_one(mut w: Vec<f32>) -> Vec<f32> {
    w.iter_mut().for_each(|v| *v += 1.0);
    w
}

/// An integer field of a config.json.
pub(crate) fn json_usize(cfg: &serde_json::Value, key: &str) -> Result<usize, ModelError> {
    cfg.get(key)
        .and_then(serde_json::Value::as_u64)
        .map(|v| v as usize)
        .ok_or_else(|| ModelError::Config(format!("config.json: {key} missing")))
}

/// Row `token` of an embedding table of `dim`-wide rows (the gather of both model families).
pub(crate) fn embedding_row(
    table: &[f32],
    dim: usize,
    vocab: usize,
    token: u32,
) -> Result<&[f32], ModelError> {
    let start = token as usize * dim;
    table
        .get(start..start + dim)
        .ok_or(ModelError::TokenOutOfRange { id: token, vocab })
}

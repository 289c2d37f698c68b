//! Loading named GGUF tensors as f32 with a shape check.

use super::error::ModelError;
use axon_formats::gguf::GgufFile;

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

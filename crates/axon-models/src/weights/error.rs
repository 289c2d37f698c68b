//! Why a model's weights could not be checked or uploaded; every error names the tensor.

use crate::config::FileFormat;
use axon_formats::quant::{GgmlType, QuantError};
use axon_gpu::GpuError;
use std::path::PathBuf;
use thiserror::Error;

/// A tensor the engine cannot use as it is, or a failed upload.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum WeightsError {
    /// The config was read from another kind of file than the tensors are asked from (the
    /// names would not match). Read both from the same file.
    #[error("{}: the config was read from a {config:?} file but the tensors come from a {file_format:?} file", file.display())]
    FormatMismatch {
        /// The tensor file.
        file: PathBuf,
        /// Where the config came from.
        config: FileFormat,
        /// What the tensor file is.
        file_format: FileFormat,
    },
    /// A tensor the architecture needs is not in the file.
    #[error("{}: missing tensor {tensor:?}", file.display())]
    MissingTensor {
        /// The GGUF file or checkpoint directory.
        file: PathBuf,
        /// The tensor's name in the file.
        tensor: String,
    },
    /// A tensor's shape is not what the hyperparameters imply.
    #[error("{}: tensor {tensor:?} has shape {got:?}, expected {expected:?} (outermost first)", file.display())]
    Shape {
        /// The GGUF file or checkpoint directory.
        file: PathBuf,
        /// The tensor's name in the file.
        tensor: String,
        /// Shape the config implies, outermost first (`[rows, cols]` for a matrix).
        expected: Vec<usize>,
        /// Shape in the file, outermost first.
        got: Vec<usize>,
    },
    /// A tensor's element type is neither decoded by the kernels nor convertible.
    #[error(
        "{}: tensor {tensor:?} is {dtype}, which Axon can neither decode on the GPU nor convert \
         (decoded: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q4_K, Q5_K, Q6_K, IQ4_XS; converted to \
         Q8_0 at load: the other formats the GGUF reader knows how to dequantize)",
        file.display()
    )]
    UnsupportedDtype {
        /// The GGUF file or checkpoint directory.
        file: PathBuf,
        /// The tensor's name in the file.
        tensor: String,
        /// ggml's name of the type.
        dtype: &'static str,
    },
    /// Converting a tensor into a format the kernels decode failed.
    #[error("tensor {tensor:?}: converting {from} to {to} failed: {source}")]
    Conversion {
        /// The tensor's name in the file.
        tensor: String,
        /// Its format in the file.
        from: GgmlType,
        /// The format asked for.
        to: GgmlType,
        /// Why.
        #[source]
        source: QuantError,
    },
    /// A matrix does not fit one storage binding of this device (lavapipe: 128 MiB). Splitting
    /// a matrix by rows over several bindings is not implemented yet; use a device with a
    /// larger limit or a more strongly quantized file.
    #[error(
        "{tensor}: {bytes} bytes on the GPU exceed the device's {max} byte storage binding limit (splitting by rows is not implemented yet)"
    )]
    TooLargeForBinding {
        /// The tensor (or fused tensors, joined by `+`).
        tensor: String,
        /// Its size on the GPU.
        bytes: u64,
        /// The device's limit.
        max: u64,
    },
    /// The GPU refused the upload.
    #[error("uploading {tensor}: {source}")]
    Upload {
        /// The tensor (or fused tensors, joined by `+`).
        tensor: String,
        /// Why.
        #[source]
        source: GpuError,
    },
}

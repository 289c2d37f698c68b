//! Where weights come from: one trait over GGUF files and Hugging Face checkpoints, handing
//! out zero-copy views with shapes in one order (outermost first).

use crate::config::FileFormat;
use axon_formats::gguf::GgufFile;
use axon_formats::hf::HfCheckpoint;
use axon_formats::quant::GgmlType;
use std::path::Path;

/// One tensor as a file stores it.
#[derive(Debug, Clone)]
pub struct SourceTensor<'a> {
    /// Element (block) format.
    pub ty: GgmlType,
    /// Shape, outermost first: `[rows, cols]` for a matrix (GGUF's innermost-first dims,
    /// reversed), `[len]` for a vector.
    pub shape: Vec<usize>,
    /// The encoded data, row after row.
    pub data: &'a [u8],
}

/// A model file that hands out tensors by name.
pub trait WeightSource {
    /// Which naming and storage conventions the file follows.
    fn file_format(&self) -> FileFormat;
    /// The file or directory, for error messages.
    fn path(&self) -> &Path;
    /// The tensor called `name`, or `None` when the file has none.
    fn tensor(&self, name: &str) -> Option<SourceTensor<'_>>;
}

impl WeightSource for GgufFile {
    fn file_format(&self) -> FileFormat {
        FileFormat::Gguf
    }

    fn path(&self) -> &Path {
        GgufFile::path(self)
    }

    fn tensor(&self, name: &str) -> Option<SourceTensor<'_>> {
        // The reader's only failure here is a missing tensor.
        let view = GgufFile::tensor(self, name).ok()?;
        Some(SourceTensor {
            ty: view.info.ty,
            shape: view.info.dims.iter().rev().map(|&d| d as usize).collect(),
            data: view.data,
        })
    }
}

impl WeightSource for HfCheckpoint {
    fn file_format(&self) -> FileFormat {
        FileFormat::HuggingFace
    }

    fn path(&self) -> &Path {
        self.dir()
    }

    fn tensor(&self, name: &str) -> Option<SourceTensor<'_>> {
        let t = HfCheckpoint::tensor(self, name).ok()?;
        Some(SourceTensor {
            ty: t.ty,
            shape: t.shape.to_vec(),
            data: t.data,
        })
    }
}

//! Writing a GGUF file tensor by tensor: the header (metadata and the whole tensor table) is
//! written first from the tensors' declared types and shapes, then each tensor's data in
//! order, so a file of many gigabytes never has to be held in memory.

use super::error::{GgufError, GgufErrorKind};
use super::value::Value;
use super::writer::{TensorLayout, alignment_of, encode_header};
use crate::quant::GgmlType;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A tensor the file will hold: its name, type and shape (`dims[0]` innermost, as GGUF
/// writes them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorDecl {
    /// The tensor's name.
    pub name: String,
    /// Its storage type.
    pub ty: GgmlType,
    /// Its shape, innermost dimension first.
    pub dims: Vec<u64>,
}

impl TensorDecl {
    /// Bytes of its data, if the shape is whole blocks of its type.
    pub fn bytes(&self) -> Option<u64> {
        let elements = self.dims.iter().try_fold(1u64, |a, &d| a.checked_mul(d))?;
        let first = *self.dims.first()?;
        if !first.is_multiple_of(self.ty.block_len() as u64) {
            return None;
        }
        self.ty.bytes_for(elements)
    }
}

/// A GGUF file being written to disk, one tensor at a time in declared order.
#[derive(Debug)]
pub struct GgufStreamWriter {
    path: PathBuf,
    out: BufWriter<File>,
    tensors: Vec<TensorDecl>,
    next: usize,
    alignment: u64,
    /// Bytes written since the start of the data section.
    written: u64,
    /// Bytes of the current tensor written so far.
    in_tensor: u64,
}

impl GgufStreamWriter {
    /// Creates `path` and writes the header for `metadata` and `tensors`.
    pub fn create(
        path: impl AsRef<Path>,
        metadata: &[(String, Value)],
        tensors: Vec<TensorDecl>,
    ) -> Result<Self, GgufError> {
        let path = path.as_ref().to_path_buf();
        let alignment = alignment_of(metadata)?;
        let layout = tensors
            .iter()
            .map(|t| {
                let bytes = t.bytes().ok_or_else(|| {
                    invalid(
                        &path,
                        &t.name,
                        format!("shape {:?} is not whole {} blocks", t.dims, t.ty),
                    )
                })?;
                Ok(TensorLayout {
                    name: &t.name,
                    ty: t.ty,
                    dims: &t.dims,
                    bytes,
                })
            })
            .collect::<Result<Vec<_>, GgufError>>()?;
        let (header, _) = encode_header(metadata, &layout, alignment);
        let file = File::create(&path).map_err(|e| io_error(&path, e))?;
        let mut out = BufWriter::with_capacity(1 << 22, file);
        out.write_all(&header).map_err(|e| io_error(&path, e))?;
        Ok(Self {
            path,
            out,
            tensors,
            next: 0,
            alignment,
            written: 0,
            in_tensor: 0,
        })
    }

    /// The tensor whose data comes next, if any.
    pub fn next_tensor(&self) -> Option<&TensorDecl> {
        self.tensors.get(self.next)
    }

    /// Writes the next tensor's data (exactly its declared size).
    pub fn write_tensor(&mut self, data: &[u8]) -> Result<(), GgufError> {
        if self.in_tensor != 0 || self.declared_bytes()? != data.len() as u64 {
            return Err(self.refuse(format!(
                "{} bytes given as a whole tensor of another size",
                data.len()
            )));
        }
        self.write_part(data)
    }

    /// Writes the next `data.len()` bytes of the current tensor; the tensor is complete once
    /// its declared size is reached, and the next part starts the following tensor.
    pub fn write_part(&mut self, data: &[u8]) -> Result<(), GgufError> {
        let expected = self.declared_bytes()?;
        if self.in_tensor + data.len() as u64 > expected {
            return Err(self.refuse(format!(
                "{} bytes would pass its declared {expected}",
                self.in_tensor + data.len() as u64
            )));
        }
        let io = |e| io_error(&self.path, e);
        if self.in_tensor == 0 {
            let padded = self.written.next_multiple_of(self.alignment);
            let zeros = vec![0u8; (padded - self.written) as usize];
            self.out.write_all(&zeros).map_err(io)?;
            self.written = padded;
        }
        self.out.write_all(data).map_err(io)?;
        self.written += data.len() as u64;
        self.in_tensor += data.len() as u64;
        if self.in_tensor == expected {
            self.in_tensor = 0;
            self.next += 1;
        }
        Ok(())
    }

    /// An error about the tensor being written.
    fn refuse(&self, message: String) -> GgufError {
        let name = self.next_tensor().map_or("<none>", |t| t.name.as_str());
        invalid(&self.path, name, message)
    }

    fn declared_bytes(&self) -> Result<u64, GgufError> {
        self.tensors
            .get(self.next)
            .and_then(TensorDecl::bytes)
            .ok_or_else(|| {
                invalid(
                    &self.path,
                    "<none>",
                    "every declared tensor is written".to_owned(),
                )
            })
    }

    /// Pads the last tensor, flushes and syncs the file; fails if a declared tensor is missing.
    pub fn finish(mut self) -> Result<(), GgufError> {
        if let Some(missing) = self.tensors.get(self.next) {
            // Also a tensor whose parts stopped short of its size.
            return Err(invalid(
                &self.path,
                &missing.name,
                "declared but never written".to_owned(),
            ));
        }
        let padded = self.written.next_multiple_of(self.alignment);
        let zeros = vec![0u8; (padded - self.written) as usize];
        let path = self.path.clone();
        self.out
            .write_all(&zeros)
            .and_then(|()| self.out.flush())
            .map_err(|e| io_error(&path, e))?;
        let file = self
            .out
            .into_inner()
            .map_err(|e| io_error(&path, e.into_error()))?;
        file.sync_all().map_err(|e| io_error(&path, e))
    }
}

fn invalid(path: &Path, tensor: &str, message: String) -> GgufError {
    GgufError {
        path: path.to_path_buf(),
        item: format!("tensor {tensor:?}"),
        offset: 0,
        kind: GgufErrorKind::InvalidWrite(message),
    }
}

fn io_error(path: &Path, e: std::io::Error) -> GgufError {
    GgufError {
        path: path.to_path_buf(),
        item: "file".to_owned(),
        offset: 0,
        kind: GgufErrorKind::Io(e),
    }
}

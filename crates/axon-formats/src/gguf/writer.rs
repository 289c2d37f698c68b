//! Writing GGUF v3 files: metadata of any type and tensors of any supported type.
//!
//! Used for synthetic models and test fixtures. Tensor data is laid out in insertion order,
//! each tensor aligned to `general.alignment` (32 unless set).

use super::error::{GgufError, GgufErrorKind};
use super::reader::{DEFAULT_ALIGNMENT, MAGIC, MAX_DIMS};
use super::value::{Array, Value};
use crate::quant::GgmlType;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A GGUF file being assembled in memory.
#[derive(Debug, Default, Clone)]
pub struct GgufWriter {
    metadata: Vec<(String, Value)>,
    tensors: Vec<PendingTensor>,
}

#[derive(Debug, Clone)]
struct PendingTensor {
    name: String,
    ty: GgmlType,
    dims: Vec<u64>,
    data: Vec<u8>,
}

impl GgufWriter {
    /// An empty file.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` (replacing an earlier value of the same key, keeping its position).
    pub fn set(&mut self, key: impl Into<String>, value: Value) -> &mut Self {
        let key = key.into();
        match self.metadata.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.metadata.push((key, value)),
        }
        self
    }

    /// Adds a tensor whose data is already encoded as `ty` (dims innermost first).
    pub fn add_tensor(
        &mut self,
        name: impl Into<String>,
        ty: GgmlType,
        dims: &[u64],
        data: Vec<u8>,
    ) -> Result<&mut Self, GgufError> {
        let name = name.into();
        let invalid = |msg: String| GgufError {
            path: PathBuf::from("<writer>"),
            item: format!("tensor {name:?}"),
            offset: 0,
            kind: GgufErrorKind::InvalidWrite(msg),
        };
        if dims.is_empty() || dims.len() > MAX_DIMS as usize {
            return Err(invalid(format!(
                "{} dimensions (1..=4 allowed)",
                dims.len()
            )));
        }
        let elements = dims.iter().try_fold(1u64, |a, &d| a.checked_mul(d));
        let expected = elements
            .filter(|_| dims[0].is_multiple_of(ty.block_len() as u64))
            .and_then(|n| ty.bytes_for(n))
            .ok_or_else(|| {
                invalid(format!(
                    "shape {dims:?} is not whole {ty} blocks along dims[0]"
                ))
            })?;
        if expected != data.len() as u64 {
            return Err(invalid(format!(
                "{} bytes given, shape {dims:?} of {ty} needs {expected}",
                data.len()
            )));
        }
        if self.tensors.iter().any(|t| t.name == name) {
            return Err(invalid("duplicate tensor name".to_owned()));
        }
        self.tensors.push(PendingTensor {
            name,
            ty,
            dims: dims.to_vec(),
            data,
        });
        Ok(self)
    }

    /// Adds a tensor given as f32 values, encoded as `ty` with [`crate::quant::quantize`].
    pub fn add_tensor_f32(
        &mut self,
        name: impl Into<String>,
        ty: GgmlType,
        dims: &[u64],
        values: &[f32],
    ) -> Result<&mut Self, GgufError> {
        let name = name.into();
        let data = crate::quant::quantize(ty, values).map_err(|e| GgufError {
            path: PathBuf::from("<writer>"),
            item: format!("tensor {name:?}"),
            offset: 0,
            kind: GgufErrorKind::InvalidWrite(e.to_string()),
        })?;
        self.add_tensor(name, ty, dims, data)
    }

    /// The metadata set so far, in order.
    pub fn metadata(&self) -> &[(String, Value)] {
        &self.metadata
    }

    /// The whole file as bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, GgufError> {
        let alignment = alignment_of(&self.metadata)?;
        let layout: Vec<TensorLayout<'_>> = self
            .tensors
            .iter()
            .map(|t| TensorLayout {
                name: &t.name,
                ty: t.ty,
                dims: &t.dims,
                bytes: t.data.len() as u64,
            })
            .collect();
        let (mut out, offsets) = encode_header(&self.metadata, &layout, alignment);
        let data_start = out.len() as u64;
        for (t, &off) in self.tensors.iter().zip(&offsets) {
            out.resize((data_start + off) as usize, 0);
            out.extend_from_slice(&t.data);
        }
        if !self.tensors.is_empty() {
            out.resize((out.len() as u64).next_multiple_of(alignment) as usize, 0);
        }
        Ok(out)
    }

    /// Writes the file to `path`.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), GgufError> {
        let path = path.as_ref();
        let bytes = self.to_bytes()?;
        let io = |e| GgufError {
            path: path.to_path_buf(),
            item: "file".to_owned(),
            offset: 0,
            kind: GgufErrorKind::Io(e),
        };
        let mut file = std::fs::File::create(path).map_err(io)?;
        file.write_all(&bytes).map_err(io)?;
        file.sync_all().map_err(io)
    }
}

/// `general.alignment` of `metadata` (32 unless set).
pub(super) fn alignment_of(metadata: &[(String, Value)]) -> Result<u64, GgufError> {
    match metadata.iter().find(|(k, _)| k == "general.alignment") {
        None => Ok(DEFAULT_ALIGNMENT),
        Some((_, v)) => match v.as_u64() {
            Some(a) if a > 0 && a.is_power_of_two() => Ok(a),
            _ => Err(GgufError {
                path: PathBuf::from("<writer>"),
                item: "metadata key \"general.alignment\"".to_owned(),
                offset: 0,
                kind: GgufErrorKind::InvalidWrite(format!("{v} is not a power-of-two integer")),
            }),
        },
    }
}

/// What the header says of one tensor.
pub(super) struct TensorLayout<'a> {
    pub(super) name: &'a str,
    pub(super) ty: GgmlType,
    pub(super) dims: &'a [u64],
    pub(super) bytes: u64,
}

/// The header (magic, counts, metadata, tensor table), padded to `alignment` when tensors
/// follow, and each
/// tensor's offset from the start of the data section (tensors in order, each aligned).
pub(super) fn encode_header(
    metadata: &[(String, Value)],
    tensors: &[TensorLayout<'_>],
    alignment: u64,
) -> (Vec<u8>, Vec<u64>) {
    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&3u32.to_le_bytes());
    out.extend_from_slice(&(tensors.len() as u64).to_le_bytes());
    out.extend_from_slice(&(metadata.len() as u64).to_le_bytes());
    for (key, value) in metadata {
        put_string(&mut out, key);
        out.extend_from_slice(&value.value_type().tag().to_le_bytes());
        put_value(&mut out, value);
    }
    let mut offset = 0u64;
    let mut offsets = Vec::with_capacity(tensors.len());
    for t in tensors {
        put_string(&mut out, t.name);
        out.extend_from_slice(&(t.dims.len() as u32).to_le_bytes());
        for d in t.dims {
            out.extend_from_slice(&d.to_le_bytes());
        }
        out.extend_from_slice(&t.ty.id().to_le_bytes());
        out.extend_from_slice(&offset.to_le_bytes());
        offsets.push(offset);
        offset = (offset + t.bytes).next_multiple_of(alignment);
    }
    if !tensors.is_empty() {
        out.resize((out.len() as u64).next_multiple_of(alignment) as usize, 0);
    }
    (out, offsets)
}

fn put_string(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn put_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::U8(v) => out.push(*v),
        Value::I8(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::U16(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::I16(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::U32(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::I32(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::F32(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::Bool(v) => out.push(u8::from(*v)),
        Value::String(s) => put_string(out, s),
        Value::Array(a) => put_array(out, a),
        Value::U64(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::I64(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::F64(v) => out.extend_from_slice(&v.to_le_bytes()),
    }
}

fn put_array(out: &mut Vec<u8>, array: &Array) {
    out.extend_from_slice(&array.element_type().tag().to_le_bytes());
    out.extend_from_slice(&(array.len() as u64).to_le_bytes());
    macro_rules! each {
        ($v:expr) => {
            for x in $v {
                out.extend_from_slice(&x.to_le_bytes());
            }
        };
    }
    match array {
        Array::U8(v) => out.extend_from_slice(v),
        Array::I8(v) => each!(v),
        Array::U16(v) => each!(v),
        Array::I16(v) => each!(v),
        Array::U32(v) => each!(v),
        Array::I32(v) => each!(v),
        Array::F32(v) => each!(v),
        Array::Bool(v) => out.extend(v.iter().map(|&b| u8::from(b))),
        Array::String(v) => v.iter().for_each(|s| put_string(out, s)),
        Array::Array(v) => v.iter().for_each(|a| put_array(out, a)),
        Array::U64(v) => each!(v),
        Array::I64(v) => each!(v),
        Array::F64(v) => each!(v),
    }
}

//! Reading a GGUF file: header, metadata, tensor infos, then a validated map of the data.
//!
//! Everything is checked when the file is opened (counts against the bytes left, alignment,
//! shapes against block sizes, data ranges inside the file and not overlapping), so tensor views
//! handed out later are plain slices of the memory map that cannot go out of bounds.

use super::cursor::Cursor;
use super::error::{GgufError, GgufErrorKind};
use super::value::{Array, Value, ValueType};
use crate::quant::GgmlType;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// `GGUF` read as a little-endian u32.
pub const MAGIC: [u8; 4] = *b"GGUF";
/// Alignment of tensor data when `general.alignment` is absent.
pub const DEFAULT_ALIGNMENT: u64 = 32;
/// ggml tensors have at most this many dimensions.
pub const MAX_DIMS: u32 = 4;

/// One tensor's description.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorInfo {
    /// Its name, e.g. `blk.0.attn_q.weight`.
    pub name: String,
    /// Element type.
    pub ty: GgmlType,
    /// Dimensions, innermost (contiguous) first, as ggml's `ne`.
    pub dims: Vec<u64>,
    /// Offset of its data relative to the start of the data section.
    pub offset: u64,
    /// Bytes of data.
    pub size: u64,
}

impl TensorInfo {
    /// Number of elements.
    pub fn elements(&self) -> u64 {
        self.dims.iter().product()
    }
}

/// A tensor's description and its bytes in the file.
#[derive(Debug, Clone, Copy)]
pub struct TensorView<'a> {
    /// The description.
    pub info: &'a TensorInfo,
    /// The raw (possibly quantized) data, exactly `info.size` bytes.
    pub data: &'a [u8],
}

impl TensorView<'_> {
    /// The tensor's values as f32 (dequantized on the CPU).
    pub fn to_f32(&self) -> Result<Vec<f32>, crate::quant::QuantError> {
        let elements = usize::try_from(self.info.elements()).unwrap_or(usize::MAX);
        crate::quant::dequantize(self.info.ty, self.data, elements)
    }
}

enum Backing {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Backing {
    fn bytes(&self) -> &[u8] {
        match self {
            Self::Mapped(m) => m,
            Self::Owned(v) => v,
        }
    }
}

/// An opened, validated GGUF file.
pub struct GgufFile {
    path: PathBuf,
    backing: Backing,
    version: u32,
    alignment: u64,
    data_offset: u64,
    metadata: Vec<(String, Value)>,
    metadata_index: HashMap<String, usize>,
    tensors: Vec<TensorInfo>,
    tensor_index: HashMap<String, usize>,
}

impl std::fmt::Debug for GgufFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GgufFile")
            .field("path", &self.path)
            .field("version", &self.version)
            .field("metadata", &self.metadata.len())
            .field("tensors", &self.tensors.len())
            .finish_non_exhaustive()
    }
}

impl GgufFile {
    /// Memory-maps and validates `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, GgufError> {
        let path = path.as_ref();
        let io = |e: std::io::Error| GgufError {
            path: path.to_path_buf(),
            item: "file".to_owned(),
            offset: 0,
            kind: GgufErrorKind::Io(e),
        };
        let file = std::fs::File::open(path).map_err(io)?;
        // SAFETY: the map is read-only and private to this value. If another process truncates
        // or rewrites the file while it is mapped, reads may fault or see new bytes; model files
        // are not modified while in use, and every structural check below runs on the mapped
        // bytes, so no read goes past the length we validated.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io)?;
        Self::parse(path.to_path_buf(), Backing::Mapped(map))
    }

    /// Validates a file held in memory; `name` stands in for the path in errors.
    pub fn from_bytes(name: impl Into<PathBuf>, bytes: Vec<u8>) -> Result<Self, GgufError> {
        Self::parse(name.into(), Backing::Owned(bytes))
    }

    fn parse(path: PathBuf, backing: Backing) -> Result<Self, GgufError> {
        let bytes = backing.bytes();
        let file_len = bytes.len() as u64;
        let mut c = Cursor::new(bytes, &path);

        let magic = c.magic()?;
        if magic != MAGIC {
            return Err(c.error_at(0, "header", GgufErrorKind::BadMagic { found: magic }));
        }
        let version = c.u32("header version")?;
        if !(2..=3).contains(&version) {
            return Err(c.error_at(4, "header", GgufErrorKind::UnsupportedVersion(version)));
        }
        let tensor_count = c.u64("header tensor count")?;
        let kv_count = c.u64("header metadata count")?;
        // Smallest possible entries: key (8-byte length) + type (4) + 1 byte of value;
        // tensor info: name length 8 + n_dims 4 + one dim 8 + type 4 + offset 8.
        c.check_count("metadata entry", kv_count, 13, "header metadata count")?;

        let mut metadata = Vec::with_capacity(kv_count as usize);
        let mut metadata_index = HashMap::with_capacity(kv_count as usize);
        for i in 0..kv_count {
            let key_offset = c.pos();
            let key = c.string(&format!("metadata key #{i}"))?;
            let item = format!("metadata key {key:?}");
            let ty = c.value_type(&item)?;
            let value = c.value(ty, &item, 0)?;
            if metadata_index.insert(key.clone(), metadata.len()).is_some() {
                return Err(c.error_at(
                    key_offset,
                    &item,
                    GgufErrorKind::Duplicate("metadata key"),
                ));
            }
            metadata.push((key, value));
        }

        let alignment = match metadata_index
            .get("general.alignment")
            .and_then(|&i| metadata.get(i))
        {
            None => DEFAULT_ALIGNMENT,
            Some((_, v)) => match v.as_u64() {
                Some(a) if a > 0 && a.is_power_of_two() => a,
                Some(a) => {
                    return Err(c.error_at(
                        0,
                        "metadata key \"general.alignment\"",
                        GgufErrorKind::BadAlignment(a),
                    ));
                }
                None => {
                    return Err(c.error_at(
                        0,
                        "metadata key \"general.alignment\"",
                        GgufErrorKind::WrongType {
                            expected: "unsigned integer",
                            found: v.value_type(),
                        },
                    ));
                }
            },
        };

        c.check_count("tensor", tensor_count, 32, "header tensor count")?;
        let mut tensors = Vec::with_capacity(tensor_count as usize);
        let mut tensor_index = HashMap::with_capacity(tensor_count as usize);
        let mut info_offsets = Vec::with_capacity(tensor_count as usize);
        for i in 0..tensor_count {
            let info_offset = c.pos();
            let name = c.string(&format!("tensor #{i} name"))?;
            let item = format!("tensor {name:?}");
            let n_dims_at = c.pos();
            let n_dims = c.u32(&item)?;
            if n_dims == 0 || n_dims > MAX_DIMS {
                return Err(c.error_at(n_dims_at, &item, GgufErrorKind::BadDimensionCount(n_dims)));
            }
            let mut dims = Vec::with_capacity(n_dims as usize);
            for _ in 0..n_dims {
                dims.push(c.u64(&item)?);
            }
            let ty_at = c.pos();
            let ty_id = c.u32(&item)?;
            let ty = GgmlType::from_id(ty_id)
                .ok_or_else(|| c.error_at(ty_at, &item, GgufErrorKind::UnknownTensorType(ty_id)))?;
            let offset = c.u64(&item)?;
            let shape_error = || GgufErrorKind::ShapeMismatch {
                dims: dims.clone(),
                ty,
                row: dims[0],
                block: ty.block_len(),
            };
            let elements = dims.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d));
            let size = match elements {
                Some(n) if dims[0].is_multiple_of(ty.block_len() as u64) => ty.bytes_for(n),
                _ => None,
            }
            .ok_or_else(|| c.error_at(info_offset, &item, shape_error()))?;
            if tensor_index.insert(name.clone(), tensors.len()).is_some() {
                return Err(c.error_at(
                    info_offset,
                    &item,
                    GgufErrorKind::Duplicate("tensor name"),
                ));
            }
            info_offsets.push(info_offset);
            tensors.push(TensorInfo {
                name,
                ty,
                dims,
                offset,
                size,
            });
        }

        let data_offset = c.pos().next_multiple_of(alignment);
        for (info, &info_offset) in tensors.iter().zip(&info_offsets) {
            let item = format!("tensor {:?}", info.name);
            if info.offset % alignment != 0 {
                let kind = GgufErrorKind::Misaligned {
                    offset: info.offset,
                    alignment,
                };
                return Err(c.error_at(info_offset, &item, kind));
            }
            let start = data_offset.checked_add(info.offset);
            let end = start.and_then(|s| s.checked_add(info.size));
            match (start, end) {
                (Some(_), Some(end)) if end <= file_len => {}
                _ => {
                    let start = data_offset.saturating_add(info.offset);
                    let kind = GgufErrorKind::DataPastEof {
                        start,
                        end: start.saturating_add(info.size),
                        file_len,
                    };
                    return Err(c.error_at(start.min(file_len), &item, kind));
                }
            }
        }
        let mut by_offset: Vec<usize> = (0..tensors.len())
            .filter(|&i| tensors[i].size > 0)
            .collect();
        by_offset.sort_by_key(|&i| tensors[i].offset);
        for pair in by_offset.windows(2) {
            let (a, b) = (&tensors[pair[0]], &tensors[pair[1]]);
            if a.offset + a.size > b.offset {
                let kind = GgufErrorKind::Overlap {
                    other: a.name.clone(),
                };
                return Err(c.error_at(
                    data_offset + b.offset,
                    &format!("tensor {:?}", b.name),
                    kind,
                ));
            }
        }

        Ok(Self {
            path,
            backing,
            version,
            alignment,
            data_offset,
            metadata,
            metadata_index,
            tensors,
            tensor_index,
        })
    }

    /// The file's path (or the name given to in-memory bytes).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// GGUF version (2 or 3).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Tensor data alignment.
    pub fn alignment(&self) -> u64 {
        self.alignment
    }

    /// Absolute offset of the data section.
    pub fn data_offset(&self) -> u64 {
        self.data_offset
    }

    /// Size of the file in bytes.
    pub fn file_len(&self) -> u64 {
        self.backing.bytes().len() as u64
    }

    /// Metadata in file order.
    pub fn metadata(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.metadata.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// A metadata value, if present.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.metadata_index
            .get(key)
            .and_then(|&i| self.metadata.get(i))
            .map(|(_, v)| v)
    }

    fn key_error(&self, key: &str, kind: GgufErrorKind) -> GgufError {
        GgufError {
            path: self.path.clone(),
            item: format!("metadata key {key:?}"),
            offset: 0,
            kind,
        }
    }

    fn typed<'s, T>(
        &'s self,
        key: &str,
        expected: &'static str,
        get: impl FnOnce(&'s Value) -> Option<T>,
    ) -> Result<T, GgufError> {
        let value = self
            .get(key)
            .ok_or_else(|| self.key_error(key, GgufErrorKind::MissingKey))?;
        get(value).ok_or_else(|| {
            self.key_error(
                key,
                GgufErrorKind::WrongType {
                    expected,
                    found: value.value_type(),
                },
            )
        })
    }

    /// An unsigned integer value (any integer type that fits).
    pub fn get_u64(&self, key: &str) -> Result<u64, GgufError> {
        self.typed(key, "unsigned integer", Value::as_u64)
    }

    /// A float value (f32, f64 or an integer).
    pub fn get_f64(&self, key: &str) -> Result<f64, GgufError> {
        self.typed(key, "number", Value::as_f64)
    }

    /// A string value.
    pub fn get_str(&self, key: &str) -> Result<&str, GgufError> {
        self.typed(key, "string", Value::as_str)
    }

    /// A bool value.
    pub fn get_bool(&self, key: &str) -> Result<bool, GgufError> {
        self.typed(key, "bool", Value::as_bool)
    }

    /// An array value.
    pub fn get_array(&self, key: &str) -> Result<&Array, GgufError> {
        self.typed(key, "array", Value::as_array)
    }

    /// An array of strings (e.g. `tokenizer.ggml.tokens`).
    pub fn get_strings(&self, key: &str) -> Result<&[String], GgufError> {
        self.typed(key, "array of strings", |v| match v {
            Value::Array(Array::String(s)) => Some(s.as_slice()),
            _ => None,
        })
    }

    /// `general.architecture`, e.g. `llama`, `gemma3`, `qwen35`.
    pub fn architecture(&self) -> Result<&str, GgufError> {
        self.get_str("general.architecture")
    }

    /// The architecture-scoped key `{arch}.{suffix}` (e.g. `block_count`) as an integer.
    pub fn arch_u64(&self, suffix: &str) -> Result<u64, GgufError> {
        self.get_u64(&format!("{}.{suffix}", self.architecture()?))
    }

    /// The architecture-scoped key `{arch}.{suffix}` as a float.
    pub fn arch_f64(&self, suffix: &str) -> Result<f64, GgufError> {
        self.get_f64(&format!("{}.{suffix}", self.architecture()?))
    }

    /// Every tensor, in file order.
    pub fn tensors(&self) -> &[TensorInfo] {
        &self.tensors
    }

    /// A tensor by name, with its bytes.
    pub fn tensor(&self, name: &str) -> Result<TensorView<'_>, GgufError> {
        let info = self
            .tensor_index
            .get(name)
            .and_then(|&i| self.tensors.get(i))
            .ok_or_else(|| GgufError {
                path: self.path.clone(),
                item: format!("tensor {name:?}"),
                offset: 0,
                kind: GgufErrorKind::MissingTensor,
            })?;
        Ok(self.view(info))
    }

    /// The bytes of a tensor of this file.
    pub fn view<'a>(&'a self, info: &'a TensorInfo) -> TensorView<'a> {
        let start = self.data_offset + info.offset;
        // Ranges were validated at open; an info from another file gets an empty slice.
        let data = usize::try_from(start)
            .ok()
            .zip(usize::try_from(start + info.size).ok())
            .and_then(|(s, e)| self.backing.bytes().get(s..e))
            .unwrap_or(&[]);
        TensorView { info, data }
    }

    /// The value type stored under `key`, if present.
    pub fn value_type(&self, key: &str) -> Option<ValueType> {
        self.get(key).map(Value::value_type)
    }
}

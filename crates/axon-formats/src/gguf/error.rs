//! Errors of reading and writing GGUF files: each names the file, the item and the byte offset.

use crate::quant::GgmlType;
use std::path::PathBuf;
use thiserror::Error;

/// A GGUF file that cannot be read (or written), located precisely.
#[derive(Debug, Error)]
#[error("{}: {item}: {kind} (byte offset {offset})", path.display())]
pub struct GgufError {
    /// The file (or the name given to in-memory bytes).
    pub path: PathBuf,
    /// What was being read: `header`, `metadata key "general.name"`, `tensor "blk.0.attn_q.weight"`, ...
    pub item: String,
    /// Byte offset in the file where the problem is.
    pub offset: u64,
    /// What is wrong.
    pub kind: GgufErrorKind,
}

/// What is wrong with a GGUF file.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum GgufErrorKind {
    /// Opening, mapping or writing the file failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The file ends before the item does.
    #[error("file truncated: {needed} more bytes needed, {available} left")]
    Truncated {
        /// Bytes the item needs.
        needed: u64,
        /// Bytes left in the file.
        available: u64,
    },
    /// Not a GGUF file.
    #[error("wrong magic {found:02x?}, expected \"GGUF\"")]
    BadMagic {
        /// The first four bytes.
        found: [u8; 4],
    },
    /// A GGUF version this reader does not read (v2 and v3 are read).
    #[error(
        "unsupported GGUF version {0} (supported: 2, 3; a big-endian file reads as a huge version)"
    )]
    UnsupportedVersion(u32),
    /// A count that cannot possibly fit in the file.
    #[error("absurd {what} count {count}: the {available} bytes left could hold at most {max}")]
    AbsurdCount {
        /// What is being counted.
        what: &'static str,
        /// The count in the file.
        count: u64,
        /// Bytes left in the file.
        available: u64,
        /// The most that could fit.
        max: u64,
    },
    /// Arrays nested deeper than the reader allows.
    #[error("arrays nested deeper than {0} levels")]
    NestingTooDeep(usize),
    /// A string that is not UTF-8.
    #[error("invalid UTF-8 in string")]
    InvalidUtf8,
    /// A metadata value type tag that does not exist.
    #[error("unknown metadata value type {0}")]
    UnknownValueType(u32),
    /// A tensor type id that does not exist.
    #[error("unknown tensor type id {0}")]
    UnknownTensorType(u32),
    /// A key or tensor name seen twice.
    #[error("duplicate {0}")]
    Duplicate(&'static str),
    /// `general.alignment` is not a power of two (or zero).
    #[error("general.alignment {0} is not a non-zero power of two")]
    BadAlignment(u64),
    /// More dimensions than ggml allows (4), or none.
    #[error("{0} dimensions (1..=4 allowed)")]
    BadDimensionCount(u32),
    /// The shape does not describe whole blocks of the type, or its size overflows.
    #[error(
        "shape {dims:?} does not fit type {ty}: rows of {row} elements need a multiple of {block}"
    )]
    ShapeMismatch {
        /// The dimensions, innermost first.
        dims: Vec<u64>,
        /// The tensor type.
        ty: GgmlType,
        /// Elements per row (`dims[0]`).
        row: u64,
        /// Elements per block.
        block: usize,
    },
    /// A tensor offset that is not a multiple of the alignment.
    #[error("tensor data offset {offset} is not a multiple of the alignment {alignment}")]
    Misaligned {
        /// Offset relative to the data section.
        offset: u64,
        /// `general.alignment` (32 by default).
        alignment: u64,
    },
    /// A tensor's data runs past the end of the file.
    #[error("tensor data [{start}, {end}) runs past the end of the file ({file_len} bytes)")]
    DataPastEof {
        /// Absolute start.
        start: u64,
        /// Absolute end.
        end: u64,
        /// File length.
        file_len: u64,
    },
    /// Two tensors share bytes.
    #[error("tensor data overlaps tensor {other:?}")]
    Overlap {
        /// The other tensor.
        other: String,
    },
    /// A metadata key is missing.
    #[error("missing metadata key")]
    MissingKey,
    /// A metadata value has another type than asked for.
    #[error("expected {expected}, found {found:?}")]
    WrongType {
        /// What the accessor wanted.
        expected: &'static str,
        /// What the file has.
        found: super::value::ValueType,
    },
    /// A tensor is missing.
    #[error("no such tensor")]
    MissingTensor,
    /// The writer was given inconsistent input.
    #[error("invalid input to the writer: {0}")]
    InvalidWrite(String),
}

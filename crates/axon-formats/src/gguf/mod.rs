//! GGUF files, as llama.cpp writes them (versions 2 and 3, little-endian).
//!
//! Layout: magic `GGUF`, version u32, tensor count u64, metadata count u64, the metadata
//! entries (key string, type u32, value), the tensor infos (name, n_dims u32, dims u64...,
//! type u32, offset u64), padding to `general.alignment` (default 32), then the tensor data.

mod cursor;
pub mod error;
pub mod reader;
pub mod stream;
pub mod value;
pub mod writer;

pub use error::{GgufError, GgufErrorKind};
pub use reader::{GgufFile, TensorInfo, TensorView};
pub use stream::{GgufStreamWriter, TensorDecl};
pub use value::{Array, Value, ValueType};
pub use writer::GgufWriter;

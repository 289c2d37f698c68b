//! Axon's model-file layer: reading the files users have, byte-exact with llama.cpp and Hugging
//! Face, and never panicking on a bad one.
//!
//! - [`gguf`]: GGUF v2/v3 reader over a memory map (zero-copy tensor views), writer in memory
//!   and streaming writer (`GgufStreamWriter`, for files of many gigabytes).
//! - [`hf`]: Hugging Face checkpoint directories (`config.json`, sharded safetensors).
//! - [`quant`]: ggml block formats, CPU dequantization, quantization for the written types.
//! - [`tokenizer`]: tokenizers from GGUF vocabularies, `tokenizer.json` or tiktoken ranks,
//!   and streaming decode.
//! - [`template`]: chat templates (minijinja with Hugging Face's extensions).
//!
//! It does not run models or touch the GPU. File errors name the file and the item (GGUF
//! errors also the byte offset).

// Library code reports failures as typed errors; tests may unwrap (clippy.toml).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod gguf;
pub mod hf;
pub mod quant;
pub mod template;
pub mod tokenizer;

//! Axon's model-file layer: reading the files users have, byte-exact with llama.cpp and Hugging
//! Face, and never panicking on a bad one.
//!
//! - [`gguf`]: GGUF v2/v3 reader over a memory map (zero-copy tensor views) and writer.
//! - [`quant`]: ggml block formats, CPU dequantization, quantization for the written types.
//!
//! It does not run models or touch the GPU; every error names the file, the item and the offset.

// Library code reports failures as typed errors; tests may unwrap (clippy.toml).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod gguf;
pub mod hf;
pub mod quant;
pub mod template;
pub mod tokenizer;

//! axon-models tests: configs from the committed Hugging Face fixtures, the real GGUFs in
//! `models/` (fetched by `scripts/fetch-models`) and synthetic GGUFs; weights uploaded to the
//! adapter chosen by `AXON_ADAPTER` / `AXON_ALLOW_SOFTWARE` (lavapipe in CI). Without a usable
//! adapter the GPU tests fail; they never skip.

mod config_gguf;
mod config_hf;
mod qwen35_config;
mod qwen35_gguf;
mod qwen35_weights;
mod support;
mod weights_errors;
mod weights_gguf;
mod weights_hf;

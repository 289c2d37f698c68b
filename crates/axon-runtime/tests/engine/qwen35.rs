//! Qwen3.5's hybrid layers on the GPU (Gated DeltaNet + gated full attention): for both
//! committed fixtures (more value heads than key heads, tied; equal heads, untied), the
//! prompt logits at every position equal the CPU reference's and agree with transformers,
//! the greedy continuation equals transformers'; the GGUF layout equals the checkpoint. Split
//! calls and reset are in `sessions.rs` (every fixture).

use crate::{
    Expected, argmax, assert_logits_close, check_against_reference_and_transformers, engine,
    fixture, gpu,
};
use axon_models::weights::WeightLayout;
use axon_runtime::EngineOptions;

const QWEN35_FIXTURES: [&str; 2] = ["qwen35-grouped-tied", "qwen35-equal-untied"];

#[test]
fn qwen35_logits_and_greedy_match_reference_and_transformers() {
    for name in QWEN35_FIXTURES {
        check_against_reference_and_transformers(name);
    }
}

/// llama.cpp's GGUF layout of the same weights (value heads reordered to tiled, `-exp(A_log)`
/// and `1 +` stored): the GPU engine must give the Hugging Face checkpoint's logits. The
/// grouped fixture has 2 value heads per key head, so a wrong head mapping is caught.
#[test]
fn qwen35_gguf_layout_equals_the_checkpoint() {
    use axon_formats::gguf::GgufFile;
    use axon_formats::hf::HfCheckpoint;
    use axon_models::config::ModelConfig;
    use axon_models::weights::ModelWeights;
    use axon_runtime::Engine;
    use axon_testkit::convert::{Edits, qwen35_to_gguf};
    for name in QWEN35_FIXTURES {
        let ckpt = HfCheckpoint::open(fixture(name)).unwrap();
        let bytes = qwen35_to_gguf(&ckpt, &Edits::default()).unwrap();
        let file = GgufFile::from_bytes(format!("{name}.gguf"), bytes).unwrap();
        let config = ModelConfig::from_gguf(&file).unwrap();
        let weights = ModelWeights::load(gpu(), &file, &config, WeightLayout::FUSED).unwrap();
        let gguf = Engine::new(gpu(), config, weights, EngineOptions::default());
        let hf = engine(name);
        let prompt = Expected::read(name).prompt;
        let vocab = hf.config().vocab;
        let a = gguf
            .forward(&mut gguf.session(64).unwrap(), &prompt)
            .unwrap();
        let b = hf.forward(&mut hf.session(64).unwrap(), &prompt).unwrap();
        for (p, (x, y)) in a.chunks_exact(vocab).zip(b.chunks_exact(vocab)).enumerate() {
            // Not bit-identical: the converter stores A = -exp(A_log) rounded to f32, the HF
            // loader computes it in f64, and value heads sit in another order.
            let what = format!("{name} position {p}: GGUF vs HF");
            assert_eq!(argmax(x), argmax(y), "{what}");
            assert_logits_close(x, y, &what);
        }
    }
}

/// A Qwen3.5 session's state splits into the KV cache of its full-attention layers
/// (`2 · context · kv_heads · head_dim` f32 each) and the DeltaNet layers' recurrent state.
#[test]
fn qwen35_session_state_splits_into_kv_cache_and_recurrent_state() {
    for name in ["qwen35-grouped-tied", "qwen35-equal-untied"] {
        let engine = super::engine(name);
        let config = engine.config();
        let deltanet = config.deltanet().unwrap();
        let full = deltanet.full_attention.iter().filter(|&&f| f).count();
        let context = 48;
        let session = engine.session(context).unwrap();
        let kv = (2 * full * context * config.kv_dim() * 4) as u64;
        assert_eq!(session.kv_cache_bytes(), kv, "{name}");
        assert!(
            session.state_bytes() > kv,
            "{name}: DeltaNet state besides the cache"
        );
    }
}

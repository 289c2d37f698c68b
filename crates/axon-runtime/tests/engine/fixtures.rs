//! Every committed llama-family and Gemma 3 fixture: the GPU's logits at every position of the
//! prompt equal the CPU reference's (top-1 equal, max |Δlogit| <= 1e-3 · max|logit|, `LOGITS_TOLERANCE`) and agree
//! with transformers (argmax at every position, the last logits, the greedy continuation).

use crate::{
    ALL_FIXTURES, DECODER_FIXTURES, check_against_reference_and_transformers,
    check_against_reference_and_transformers_with,
};
use axon_gpu::kernels::kv_cache::KvType;

#[test]
fn prompt_logits_and_greedy_match_reference_and_transformers() {
    for name in DECODER_FIXTURES {
        check_against_reference_and_transformers(name);
    }
}

/// Both KV cache types on every fixture, the Qwen3.5 hybrids included: an f16 cache (the
/// reference rounding as it stores) still agrees with transformers at top-1 on every prompt
/// position and on the greedy continuation, the condition for f16 being the default
/// (`EngineOptions::kv_cache`).
#[test]
fn both_kv_cache_types_agree_with_transformers_on_every_fixture() {
    for name in ALL_FIXTURES {
        for kv in KvType::ALL {
            check_against_reference_and_transformers_with(name, kv);
        }
    }
}

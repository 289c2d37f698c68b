//! Every committed llama-family and Gemma 3 fixture: the GPU's logits at every position of the
//! prompt equal the CPU reference's (top-1 equal, max |Δlogit| <= 1e-3 · max|logit|, `LOGITS_TOLERANCE`) and agree
//! with transformers (argmax at every position, the last logits, the greedy continuation).

use crate::{DECODER_FIXTURES, check_against_reference_and_transformers};

#[test]
fn prompt_logits_and_greedy_match_reference_and_transformers() {
    for name in DECODER_FIXTURES {
        check_against_reference_and_transformers(name);
    }
}

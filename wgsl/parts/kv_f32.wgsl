// KV cache elements as f32: the cache binding is array<u32>, one element per word. Kernels
// that read or write a cache do it only through this part or its twin kv_f16.wgsl, so one
// kernel file serves both element types (the registry composes a variant per type).

// Cache elements per 32-bit word.
const KV_PER_WORD: u32 = 1u;

// Element `i` of the cache, from the word that holds it (`cache[i / KV_PER_WORD]`).
fn kv_value(word: u32, i: u32) -> f32 {
    return bitcast<f32>(word);
}

// The word holding the element pair (lo, hi) starting at an index that is a multiple of
// KV_PER_WORD: here the word is lo alone (hi belongs to the next word).
fn kv_word(lo: f32, hi: f32) -> u32 {
    return bitcast<u32>(lo);
}

// BF16 for the wide matrix-vector kernel: rows whose length is a multiple of 8, so every row
// starts 16-byte aligned and a unit holds 8 values (the launcher keeps other rows on
// parts/quant/bf16.wgsl). A BF16 value is the high half of an f32.
const BLOCK_LEN: u32 = 8u;
const BLOCK_BYTES: u32 = 16u;
// One item per unit.
const ITEMS: u32 = 1u;
const X_VECS: u32 = 2u;
alias ItemX = array<vec4<f32>, X_VECS>;

// Nothing to stage.
fn item_prepare(lid: u32) {}

fn item_x(block: u32, i: u32, xv: ptr<function, ItemX>) {
    (*xv)[0] = load_x(2u * block);
    (*xv)[1] = load_x(2u * block + 1u);
}

fn item_aux(xv: ptr<function, ItemX>) -> vec2<f32> {
    return vec2<f32>();
}

alias ItemW = vec4<u32>;

fn item_load(base: u32, i: u32) -> ItemW {
    return weights[base / 16u];
}

// Two words' four values, low halves first.
fn bf16_pairs(words: vec2<u32>) -> vec4<f32> {
    return bitcast<vec4<f32>>(vec4<u32>(words.x << 16u, words.x & 0xffff0000u, words.y << 16u, words.y & 0xffff0000u));
}

fn item_values(w: ItemW, i: u32) -> ItemX {
    return ItemX(
        bf16_pairs(w.xy),
        bf16_pairs(w.zw),
    );
}

fn item_dot(w: ItemW, i: u32, xv: ptr<function, ItemX>, aux: vec2<f32>) -> f32 {
    let v = item_values(w, i);
    return dot(v[0], (*xv)[0]) + dot(v[1], (*xv)[1]);
}

// F16 for the wide matrix-vector kernel: rows whose length is a multiple of 8, so every row
// starts 16-byte aligned and a unit holds 8 halves (the launcher keeps other rows on
// parts/quant/f16.wgsl). unpack2x16float converts each pair exactly.
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

fn item_values(w: ItemW, i: u32) -> ItemX {
    return ItemX(
        vec4<f32>(unpack2x16float(w.x), unpack2x16float(w.y)),
        vec4<f32>(unpack2x16float(w.z), unpack2x16float(w.w)),
    );
}

fn item_dot(w: ItemW, i: u32, xv: ptr<function, ItemX>, aux: vec2<f32>) -> f32 {
    let v = item_values(w, i);
    return dot(v[0], (*xv)[0]) + dot(v[1], (*xv)[1]);
}

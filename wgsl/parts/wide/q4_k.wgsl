// Q4_K for the wide matrix-vector kernel. Block (144 bytes, 9 aligned 16-byte units): unit 0
// holds f16 d, f16 dmin and the 12 bytes of packed 6-bit sub-block scales and mins; units
// 1..8 hold the nibbles, 32 bytes per 64 values (byte l: low nibble value 64j + l, high nibble
// 64j + 32 + l). value = d * scale_s * q - dmin * min_s. Rows are whole blocks, so every
// block starts 16-byte aligned.
const BLOCK_LEN: u32 = 256u;
const BLOCK_BYTES: u32 = 144u;
// Item i of a block: nibble unit 1 + i, i.e. 16 bytes of 64-value group j = i / 2 (half
// i % 2): 16 values of sub-block 2j (low nibbles) and 16 of sub-block 2j + 1 (high nibbles).
const ITEMS: u32 = 8u;
const X_VECS: u32 = 8u;
alias ItemX = array<vec4<f32>, X_VECS>;

// Nothing to stage.
fn item_prepare(lid: u32) {}

fn item_x(block: u32, i: u32, xv: ptr<function, ItemX>) {
    let first = (block * BLOCK_LEN + 64u * (i / 2u) + 16u * (i % 2u)) / 4u;
    for (var k = 0u; k < 4u; k++) {
        (*xv)[k] = load_x(first + k);
        (*xv)[4u + k] = load_x(first + 8u + k);
    }
}

// The two sub-blocks' x sums (the min terms need them), shared by every row.
fn item_aux(xv: ptr<function, ItemX>) -> vec2<f32> {
    let lo = (*xv)[0] + (*xv)[1] + (*xv)[2] + (*xv)[3];
    let hi = (*xv)[4] + (*xv)[5] + (*xv)[6] + (*xv)[7];
    return vec2<f32>(dot(lo, vec4<f32>(1.0)), dot(hi, vec4<f32>(1.0)));
}

// A row's words for item i: the block's head unit and the item's nibble unit.
struct ItemW {
    head: vec4<u32>,
    q: vec4<u32>,
}

fn item_load(base: u32, i: u32) -> ItemW {
    let unit = base / 16u;
    return ItemW(weights[unit], weights[unit + 1u + i]);
}

fn item_dot(w: ItemW, i: u32, xv: ptr<function, ItemX>, aux: vec2<f32>) -> f32 {
    let q = w.q;
    let dm = unpack2x16float(w.head.x);
    let sm = k_scale_mins(w.head, i);
    var lo = 0.0;
    var hi = 0.0;
    for (var k = 0u; k < 4u; k++) {
        let nibbles = vec4<u32>(q[k]) >> vec4<u32>(0u, 8u, 16u, 24u);
        lo += dot(vec4<f32>(nibbles & vec4<u32>(0xfu)), (*xv)[k]);
        hi += dot(vec4<f32>((nibbles >> vec4<u32>(4u)) & vec4<u32>(0xfu)), (*xv)[4u + k]);
    }
    return dm.x * (sm.x * lo + sm.y * hi) - dm.y * dot(sm.zw, aux);
}

// Item i's weights decoded, in item_x's layout (for several x columns against one decode):
// d * scale * q - dmin * min.
fn item_values(w: ItemW, i: u32) -> ItemX {
    let dm = unpack2x16float(w.head.x);
    let sm = k_scale_mins(w.head, i);
    let a = dm.x * sm.xy;
    let b = dm.y * sm.zw;
    var v: ItemX;
    for (var k = 0u; k < 4u; k++) {
        let nibbles = vec4<u32>(w.q[k]) >> vec4<u32>(0u, 8u, 16u, 24u);
        v[k] = vec4<f32>(nibbles & vec4<u32>(0xfu)) * a.x - b.x;
        v[4u + k] = vec4<f32>((nibbles >> vec4<u32>(4u)) & vec4<u32>(0xfu)) * a.y - b.y;
    }
    return v;
}

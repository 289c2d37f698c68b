// IQ4_XS for the wide matrix-vector kernel, in the device's split layout (kernels/repack.rs):
// each block's 128 bytes of nibbles are 8 aligned units, one per 32-value sub-block (byte j:
// low nibble value j, high nibble value j + 16), block k's head (f16 d, u16 scales_h, 4
// bytes scales_l) in the 8-byte slot at params.head_offset + 8k. Sub-block b's scale is
// nibble b of scales_l plus bits 2b..2b+1 of scales_h as bits 4..5, less 32;
// value = d * scale * table[q].
const BLOCK_LEN: u32 = 256u;
const BLOCK_BYTES: u32 = 128u;
// Bytes of a block's slot among the heads kept apart from the bodies.
const HEAD_STRIDE: u32 = 8u;
// Item i: sub-block i, unit i of the body.
const ITEMS: u32 = 8u;
const X_VECS: u32 = 8u;
alias ItemX = array<vec4<f32>, X_VECS>;

fn item_x(block: u32, i: u32, xv: ptr<function, ItemX>) {
    *xv = block32_x(8u * block + i);
}

fn item_aux(xv: ptr<function, ItemX>) -> vec2<f32> {
    return vec2<f32>();
}

// A row's words for item i: the sub-block's unit and its scale times d.
struct ItemW {
    q: vec4<u32>,
    scale: f32,
}

fn item_load(base: u32, i: u32) -> ItemW {
    let head = params.head_offset + base / BLOCK_BYTES * HEAD_STRIDE;
    let unit = weights[head >> 4u];
    // The slot's two words: d and scales_h, then scales_l.
    let words = select(unit.xy, unit.zw, (head & 8u) != 0u);
    let ls = ((words.y >> (4u * i)) & 0xfu) | (((words.x >> (16u + 2u * i)) & 3u) << 4u);
    return ItemW(weights[base / 16u + i], unpack2x16float(words.x).x * f32(i32(ls) - 32));
}

// The table {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113} as
// signed bytes in the low 8 bits, staged once per workgroup: a lookup is one workgroup load
// (16 entries in 16 banks, so lanes never conflict) instead of three selects and two shifts
// per value, which made the kernel compute-bound (H200, 4096 x 4096: 17.4 us). Picked here by
// selects on packed words, as parts/quant/iq4_xs.wgsl does (naga 30 cannot have a
// module-scope constant array beside the reduction's override-sized one).
var<workgroup> iq4_table: array<u32, 16>;

// Workgroups may be narrower than the table (one subgroup of 4 or 8 on lavapipe).
fn item_prepare(lid: u32) {
    for (var q = lid; q < 16u; q += WG_SIZE) {
        let low = select(0xbfad9881u, 0xf6eaddcfu, q >= 4u);
        let high = select(0x26190d01u, 0x71594535u, q >= 12u);
        let word = select(low, high, q >= 8u);
        iq4_table[q] = (word >> ((q & 3u) * 8u)) & 0xffu;
    }
    workgroupBarrier();
}

// The table at four indices.
fn iq4_bytes(n: vec4<u32>) -> vec4<u32> {
    return vec4<u32>(iq4_table[n.x], iq4_table[n.y], iq4_table[n.z], iq4_table[n.w]);
}

// Signed bytes in the low 8 bits as f32.
fn signed_bytes(b: vec4<u32>) -> vec4<f32> {
    return vec4<f32>(bitcast<vec4<i32>>(b << vec4<u32>(24u)) >> vec4<u32>(24u));
}

fn item_dot(w: ItemW, i: u32, xv: ptr<function, ItemX>, aux: vec2<f32>) -> f32 {
    var acc = 0.0;
    for (var k = 0u; k < 4u; k++) {
        let q = nibble_values(w.q[k]);
        acc += dot(signed_bytes(iq4_bytes(q[0])), (*xv)[k]) + dot(signed_bytes(iq4_bytes(q[1])), (*xv)[4u + k]);
    }
    return w.scale * acc;
}

// Item i's weights decoded, in item_x's layout (for several x columns against one decode).
fn item_values(w: ItemW, i: u32) -> ItemX {
    var v: ItemX;
    for (var k = 0u; k < 4u; k++) {
        let q = nibble_values(w.q[k]);
        v[k] = signed_bytes(iq4_bytes(q[0])) * w.scale;
        v[4u + k] = signed_bytes(iq4_bytes(q[1])) * w.scale;
    }
    return v;
}

// Quantizes an f32 vector to the 8-bit input of the integer-dot matrix-vector kernel
// (`matvec_q8` in matvec_wide_q8.wgsl). Blocks of Q8_BLOCK = 16 values with a power-of-two scale
// (as OCP's MXINT8): d = 2^e for the smallest e with 127 * 2^e >= amax = max |x|, and
// q = round(x / d) (ties to even), so |q| <= 127 and x ~ d * q. Dividing by a power of two is
// exact (ldexp), so every device computes the same quants as the CPU twin,
// axon_reference::ops::quantize_q8, bit for bit (127 / amax would be a division, which Vulkan
// rounds to 2.5 ulp: near-ties would round either way). A block whose d would be below 2^-126,
// the least normal f32 (amax below about 2^-120, or zero), is all zeros with d = 0.
//
// Bindings:
//   params  uniform  values (a multiple of 32)
//   x       read     [values] f32 as vec4s
//   xq      write    [values / 16 + values / 32] vec4<u32>: at b < values / 16, block b's
//                    quants as signed bytes (value 4k + j in byte j of word k); at
//                    values / 16 + p, the scales of blocks 2p and 2p + 1 as bits:
//                    (d f32, sum of q i32, d f32, sum of q i32)
// Dispatch: one invocation per 32 values (two blocks, one whole scales vec4), rows of
// workgroups folded as `grid` does.

struct QuantizeParams {
    values: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: QuantizeParams;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> xq: array<vec4<u32>>;

override WG_SIZE: u32 = 64u;

// Writes block `b`'s quants; returns its (d, sum of q) as bits (parts/quantize_block.wgsl).
fn quantize_block(b: u32) -> vec2<u32> {
    var v: array<vec4<f32>, 4>;
    for (var k = 0u; k < 4u; k++) {
        v[k] = x[4u * b + k];
    }
    let block = quantize_values(v);
    xq[b] = block.q;
    return block.scale;
}

@compute @workgroup_size(WG_SIZE)
fn quantize_q8(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let pair = (group.x + group.y * groups.x) * WG_SIZE + lid;
    let blocks = params.values / 16u;
    if pair >= blocks / 2u {
        return;
    }
    let lo = quantize_block(2u * pair);
    let hi = quantize_block(2u * pair + 1u);
    xq[blocks + pair] = vec4<u32>(lo, hi);
}

// One block of 16 values quantized to 8 bits (quantize_q8.wgsl's rule: d = 2^e, the least
// with 127 * 2^e >= amax, q = round(x * 2^-e), ties to even; a block whose d would be below
// the least normal f32 is all zeros with d = 0). Shared by quantize_q8.wgsl and the norms that
// write their output's 8-bit blocks too (rms_norm.wgsl), so both quantize bit for bit alike.

// The exponent e of block scale 2^e for a block of largest magnitude `amax`, from its bits
// (a normal f32): amax = f * 2^k with f in [0.5, 1), and 127 * 2^(k - 7) >= amax exactly when
// f <= 127 / 128, i.e. when the 24-bit significand is at most 127 << 17. Integer operations
// only (frexp and ldexp made this kernel 2.3x slower on the H200).
fn scale_exponent(amax: u32) -> i32 {
    let k = i32((amax >> 23u) & 0xffu) - 126;
    let significand = (amax & 0x007fffffu) | 0x00800000u;
    return k - select(6, 7, significand <= (127u << 17u));
}

// 2^e as an f32, for e in -126..=127.
fn power_of_two(e: i32) -> f32 {
    return bitcast<f32>(u32(127 + e) << 23u);
}

// A block's quants (value 4k + j in byte j of word k) and its (d, sum of q) as bits.
struct QuantizedBlock {
    q: vec4<u32>,
    scale: vec2<u32>,
}

fn quantize_values(v: array<vec4<f32>, 4>) -> QuantizedBlock {
    var amax = vec4<f32>(0.0);
    for (var k = 0u; k < 4u; k++) {
        amax = max(amax, abs(v[k]));
    }
    let m = bitcast<u32>(max(max(amax.x, amax.y), max(amax.z, amax.w)));
    let e = scale_exponent(m);
    // Zero, subnormal, or a d below the normals: an all-zero block.
    let zero = m < 0x00800000u || e < -126;
    let inverse = power_of_two(select(-e, 0, zero));
    var q: vec4<u32>;
    var sum = vec4<i32>(0);
    for (var k = 0u; k < 4u; k++) {
        let n = select(vec4<i32>(round(v[k] * inverse)), vec4<i32>(0), zero);
        q[k] = pack4xI8(n);
        sum += n;
    }
    let d = select(power_of_two(e), 0.0, zero);
    return QuantizedBlock(q, vec2<u32>(bitcast<u32>(d), bitcast<u32>(sum.x + sum.y + sum.z + sum.w)));
}

// KV cache elements as IEEE halves, two per 32-bit word (element 2w in the low half of word w,
// 2w + 1 in the high half): the twin of kv_f32.wgsl, which explains the contract. Writing
// rounds to nearest, ties to even, in integer arithmetic (pack2x16float leaves the rounding to
// the driver, and some round toward zero), so every device stores the bits the CPU reference
// (`half::f16::from_f32`) does. Reading is exact: unpack2x16float (`Needs::half_unpack`).

const KV_PER_WORD: u32 = 2u;

fn kv_value(word: u32, i: u32) -> f32 {
    return unpack2x16float(word)[i & 1u];
}

fn kv_word(lo: f32, hi: f32) -> u32 {
    return half_bits(lo) | (half_bits(hi) << 16u);
}

// The half nearest `v` (ties to even; past the largest half: infinity; NaN stays NaN).
fn half_bits(v: f32) -> u32 {
    let x = bitcast<u32>(v);
    let sign = (x >> 16u) & 0x8000u;
    let biased = (x >> 23u) & 0xffu;
    let mantissa = x & 0x7fffffu;
    if biased == 0xffu {
        // Infinity, or NaN with its top payload bits and the quiet bit.
        return sign | 0x7c00u | select(0u, 0x200u | (mantissa >> 13u), mantissa != 0u);
    }
    // The half's biased exponent; at most 0 means a subnormal half (or zero).
    let e = i32(biased) - 112;
    if e >= 31 {
        return sign | 0x7c00u;
    }
    if e <= 0 {
        if e < -10 {
            // Below half the smallest subnormal: rounds to zero.
            return sign;
        }
        // The significand with its hidden bit, shifted to the subnormal's scale.
        let full = mantissa | 0x800000u;
        let shift = u32(14 - e);
        let kept = full >> shift;
        let rest = full & ((1u << shift) - 1u);
        let halfway = 1u << (shift - 1u);
        let up = rest > halfway || (rest == halfway && (kept & 1u) == 1u);
        return sign | (kept + select(0u, 1u, up));
    }
    let kept = (u32(e) << 10u) | (mantissa >> 13u);
    let rest = mantissa & 0x1fffu;
    let up = rest > 0x1000u || (rest == 0x1000u && (kept & 1u) == 1u);
    // A carry out of the mantissa raises the exponent: the next binade, or infinity.
    return sign | (kept + select(0u, 1u, up));
}

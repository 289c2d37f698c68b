//! What a KV cache stores: the CPU twin of `wgsl/parts/kv_f32.wgsl` / `kv_f16.wgsl`. An f32
//! cache keeps keys and values as computed; an f16 cache keeps each as the nearest IEEE half
//! (ties to even), which attention then reads back exactly.

/// The IEEE half nearest `v` (ties to even; past the largest half: infinity), as its bits:
/// what the GPU's f16 cache writes.
pub fn half_bits(v: f32) -> u16 {
    half::f16::from_f32(v).to_bits()
}

/// `v` as an f16 cache holds it.
pub fn round_to_half(v: f32) -> f32 {
    half::f16::from_f32(v).to_f32()
}

/// Appends one position's keys or values to `cache`, rounded to halves when `f16`.
pub fn append(cache: &mut Vec<f32>, row: &[f32], f16: bool) {
    if f16 {
        cache.extend(row.iter().map(|&v| round_to_half(v)));
    } else {
        cache.extend_from_slice(row);
    }
}

#[cfg(test)]
mod tests {
    use super::{append, half_bits, round_to_half};

    #[test]
    fn halves_round_to_nearest_even() {
        // 1 + 2^-11 lies halfway between 1 and the next half (1 + 2^-10): ties go to the even 1.
        assert_eq!(half_bits(1.0 + f32::powi(2.0, -11)), 0x3c00);
        // 1 + 3 * 2^-11 is halfway between 1 + 2^-10 (odd) and 1 + 2^-9: up, to the even one.
        assert_eq!(half_bits(1.0 + 3.0 * f32::powi(2.0, -11)), 0x3c02);
        assert_eq!(half_bits(65520.0), 0x7c00);
        assert_eq!(half_bits(-0.0), 0x8000);
        // The smallest subnormal half, and half of it (a tie, to the even zero).
        assert_eq!(half_bits(f32::powi(2.0, -24)), 0x0001);
        assert_eq!(half_bits(f32::powi(2.0, -25)), 0x0000);
        assert_eq!(round_to_half(0.1), 0.099975586);
    }

    #[test]
    fn an_f32_cache_keeps_rows_as_they_are() {
        let row = [0.1f32, -3.3, 1e-7];
        let (mut exact, mut half) = (Vec::new(), Vec::new());
        append(&mut exact, &row, false);
        append(&mut half, &row, true);
        assert_eq!(exact, row);
        assert_eq!(half, row.map(round_to_half));
        assert_ne!(half, row);
    }
}

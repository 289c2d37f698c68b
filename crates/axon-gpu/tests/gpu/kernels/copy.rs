//! `copy` (the shader bandwidth reference): bit-exact, nothing written past the source's
//! length, lengths that are not a multiple of 4 rejected. Tolerance: exact (no arithmetic).
//! `copy_columns` likewise; into an f16 KV cache (`cache_write_at`), every half equals the
//! reference's rounding (`half_bits`) bit for bit.

use super::{guarded_zeros, noise, read_guarded};
use crate::gpu;
use axon_gpu::kernels::copy::copy;

#[test]
fn copy_is_exact_and_stays_in_bounds() {
    let gpu = gpu();
    for n in [4, 8, 1020, 256 * 4 + 4, 70_000 * 4] {
        let data = noise(n, n as u64, 3.0);
        let src = gpu.upload_f32("src", &data).unwrap();
        let dst = guarded_zeros(gpu, "dst", n);
        gpu.run("copy_test", &[copy(gpu, &src, &dst).unwrap()])
            .unwrap();
        let got = read_guarded(gpu, &dst, n);
        assert!(
            got.iter()
                .zip(&data)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "n {n}: copy differs"
        );
    }
    let odd = gpu.zeros_f32("odd", 6).unwrap();
    assert!(copy(gpu, &odd, &odd).is_err());
}

/// `copy_columns` vs the same loop on the CPU, over random blocks, strides and offsets. The
/// destination starts as sentinels everywhere: only the block's cells may change, so a write
/// to a neighbouring column or past the end is caught. Exact.
mod columns {
    use super::super::CASES;
    use crate::gpu;
    use axon_gpu::kernels::copy::{Columns, copy_columns};
    use proptest::prelude::*;

    const SENTINEL: f32 = -7.25;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(CASES))]
        #[test]
        fn copy_columns_matches_cpu(
            rows in 1usize..40, cols in 1usize..70, src_extra in 0usize..9, dst_extra in 0usize..9,
            src_offset in 0usize..9, dst_offset in 0usize..9, tail in 0usize..5,
        ) {
            let gpu = gpu();
            let from = Columns { stride: cols + src_extra, offset: src_offset };
            let to = Columns { stride: cols + dst_extra, offset: dst_offset };
            let src_len = (rows - 1) * from.stride + from.offset + cols + tail;
            let dst_len = (rows - 1) * to.stride + to.offset + cols + tail;
            let src: Vec<f32> = (0..src_len).map(|i| i as f32 * 0.5 + 1.0).collect();
            let mut want = vec![SENTINEL; dst_len];
            for r in 0..rows {
                for c in 0..cols {
                    want[r * to.stride + to.offset + c] = src[r * from.stride + from.offset + c];
                }
            }
            let ds = gpu.upload_f32("src", &src).unwrap();
            let dd = gpu.upload_f32("dst", &vec![SENTINEL; dst_len]).unwrap();
            let dispatch = copy_columns(gpu, [&ds, &dd], [rows, cols], from, to).unwrap();
            gpu.run("copy_columns_test", &[dispatch]).unwrap();
            prop_assert_eq!(gpu.read_f32(&dd).unwrap(), want);
        }
    }

    #[test]
    fn blocks_past_the_buffers_are_errors() {
        let gpu = gpu();
        let small = gpu.zeros_f32("small", 10).unwrap();
        let at = |stride, offset| Columns { stride, offset };
        assert!(copy_columns(gpu, [&small, &small], [2, 5], at(5, 1), at(5, 0)).is_err());
        assert!(copy_columns(gpu, [&small, &small], [2, 6], at(5, 0), at(6, 0)).is_err());
    }
}

/// `cache_write_at` into an f16 cache: rows of values at every scale a half covers and past it
/// (ties in both directions, subnormals, the rounding edges of zero and of infinity, NaN)
/// become the reference's halves bit for bit, at the call's position, and nothing else in
/// the cache changes.
mod half_cache {
    use super::super::{CASES, cache_words};
    use crate::gpu;
    use axon_gpu::kernels::copy::{Columns, cache_write_at};
    use axon_gpu::kernels::kv_cache::KvType;
    use proptest::prelude::*;

    /// A word of two sentinel halves.
    const SENTINEL: u32 = 0x5555_aaaa;

    fn check(src: &[f32], rows: usize, cols: usize, first: usize, position: usize) {
        let gpu = gpu();
        let src_stride = src.len() / rows;
        let cache_rows = position + rows + 1;
        let ds = gpu.upload_f32("src", src).unwrap();
        let cache = gpu
            .upload_f32(
                "cache",
                &vec![f32::from_bits(SENTINEL); cache_rows * cols / 2],
            )
            .unwrap();
        let pos = gpu.position(position).unwrap();
        let from = Columns {
            stride: src_stride,
            offset: first,
        };
        let to = Columns {
            stride: cols,
            offset: 0,
        };
        let dispatch = cache_write_at(
            gpu,
            [&ds, &cache],
            [rows, cols],
            [from, to],
            (&pos, cols),
            KvType::F16,
        )
        .unwrap();
        gpu.run("cache_write_test", &[dispatch]).unwrap();
        let got: Vec<u32> = gpu
            .read_f32(&cache)
            .unwrap()
            .iter()
            .map(|v| v.to_bits())
            .collect();
        let mut want = vec![SENTINEL; cache_rows * cols / 2];
        for r in 0..rows {
            let row = &src[r * src_stride + first..r * src_stride + first + cols];
            let at = (position + r) * cols / 2;
            want[at..at + cols / 2].copy_from_slice(&cache_words(row, KvType::F16));
        }
        assert_eq!(
            got, want,
            "rows {rows} cols {cols} first {first} at {position}"
        );
    }

    #[test]
    fn edge_values_round_as_the_reference() {
        let p = |e: i32| f32::powi(2.0, e);
        let edges = [
            0.0,
            -0.0,
            1.0,
            1.0 + p(-11),
            1.0 + 3.0 * p(-11),
            -(1.0 + p(-11) + p(-23)),
            65504.0,
            65519.99,
            65520.0,
            -1e9,
            p(-14),
            p(-14) - p(-25),
            p(-24),
            p(-25),
            p(-25) + p(-40),
            1.5 * p(-24),
            -2.5 * p(-24),
            1e-30,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            0.1,
            -3.3,
            1234.5678,
        ];
        // Two rows of 24 columns, from column 4 of a 30-wide source.
        let mut src = vec![7.0f32; 60];
        src[4..28].copy_from_slice(&edges);
        src[34..58].copy_from_slice(&edges.map(|v| -v * 0.75));
        check(&src, 2, 24, 4, 3);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(CASES))]
        #[test]
        fn random_rows_round_as_the_reference(
            rows in 1usize..5, half_cols in 1usize..40, first in 0usize..7, extra in 0usize..5,
            position in 0usize..6, bits in prop::collection::vec(any::<u32>(), 220),
        ) {
            let cols = 2 * half_cols;
            let stride = first + cols + extra;
            // Any f32 bit pattern: every exponent, both signs, NaNs and infinities.
            let src: Vec<f32> = (0..rows * stride).map(|i| f32::from_bits(bits[i % bits.len()].rotate_left(i as u32))).collect();
            check(&src, rows, cols, first, position);
        }
    }

    #[test]
    fn odd_widths_and_offsets_are_errors() {
        let gpu = gpu();
        let buf = gpu.zeros_f32("buf", 64).unwrap();
        let pos = gpu.position(0).unwrap();
        let at = |stride, offset| Columns { stride, offset };
        let write = |cols: usize, to: Columns, pos_stride: usize, kv: KvType| {
            cache_write_at(
                gpu,
                [&buf, &buf],
                [2, cols],
                [at(8, 0), to],
                (&pos, pos_stride),
                kv,
            )
        };
        assert!(write(4, at(8, 0), 8, KvType::F16).is_ok());
        assert!(write(3, at(8, 0), 8, KvType::F16).is_err());
        assert!(write(4, at(7, 0), 8, KvType::F16).is_err());
        assert!(write(4, at(8, 1), 8, KvType::F16).is_err());
        assert!(write(4, at(8, 0), 5, KvType::F16).is_err());
        assert!(write(3, at(7, 1), 5, KvType::F32).is_ok());
    }
}

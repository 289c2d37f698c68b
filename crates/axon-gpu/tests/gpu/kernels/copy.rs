//! `copy` (the shader bandwidth reference): bit-exact, nothing written past the source's
//! length, lengths that are not a multiple of 4 rejected. Tolerance: exact (no arithmetic).

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

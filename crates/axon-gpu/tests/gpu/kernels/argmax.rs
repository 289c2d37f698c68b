//! `argmax` vs `axon_reference::ops::sampling::argmax`: exact (indices), including ties
//! (lower index wins), NaN (never wins), rows longer than the workgroup and rows of several
//! slices (`ARGMAX_SLICE` values per first-pass workgroup), at the table's width and one
//! subgroup wide; and each row's first non-finite column (NaN, either infinity) equals a plain
//! scan's.

use super::{CASES, assert_width};
use crate::gpu;
use axon_gpu::kernels::Reduction;
use axon_gpu::kernels::argmax::{ARGMAX_SLICE, NONE, argmax, argmax_with, partials_len};
use axon_reference::ops::sampling::argmax as reference_argmax;
use proptest::prelude::*;

/// The table's width (`argmax`), or one subgroup wide (`argmax_with` at `OneSubgroup`).
const WIDTHS: [Reduction; 2] = [Reduction::Workgroup, Reduction::OneSubgroup];

fn run(values: &[f32], n: usize, width: Reduction) -> Vec<u32> {
    let gpu = gpu();
    let v = gpu.upload_f32("logits", values).unwrap();
    let rows = values.len() / n;
    let out = gpu.zeros_u32("argmax", 2 * rows + 3).unwrap();
    let partials = gpu
        .zeros_f32("argmax.partials", partials_len(rows, n))
        .unwrap();
    let passes = match width {
        Reduction::Workgroup => argmax(gpu, &v, n, &partials, &out).unwrap(),
        _ => argmax_with(gpu, &v, n, &partials, &out, width).unwrap(),
    };
    for pass in &passes {
        assert_width(pass, width);
    }
    gpu.run("argmax_test", &passes).unwrap();
    gpu.read_u32(&out).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]
    #[test]
    fn argmax_matches_reference(n in 1usize..3000, rows in 1usize..4, seed in any::<u32>()) {
        // Few distinct values, so ties are common.
        let values: Vec<f32> = (0..n * rows).map(|i| ((i as u32).wrapping_mul(2_654_435_761) ^ seed) % 50).map(|v| v as f32 - 25.0).collect();
        for width in WIDTHS {
            let got = run(&values, n, width);
            for r in 0..rows {
                prop_assert_eq!(got[2 * r] as usize, reference_argmax(&values[r * n..(r + 1) * n]), "{:?} row {}", width, r);
                prop_assert_eq!(got[2 * r + 1], NONE, "{:?} row {}: all finite", width, r);
            }
            prop_assert_eq!(&got[2 * rows..], &[0, 0, 0], "nothing written past the rows");
        }
    }
}

#[test]
fn nan_never_wins_and_ties_take_the_lower_index() {
    let nan = f32::NAN;
    for width in WIDTHS {
        assert_eq!(
            run(&[nan, 1.0, 3.0, 3.0, nan], 5, width),
            vec![2, 0, 0, 0, 0]
        );
        assert_eq!(run(&[nan, nan], 2, width), vec![0, 0, 0, 0, 0]);
        assert_eq!(run(&[-f32::INFINITY, -1e30], 2, width), vec![1, 0, 0, 0, 0]);
        assert_eq!(run(&[1.0, 2.0, 3.0], 3, width), vec![2, NONE, 0, 0, 0]);
    }
}

/// The first NaN or infinity of each row, wherever it falls among the strided scans, equals a
/// plain scan's; rows without one report NONE.
#[test]
fn the_first_non_finite_column_of_each_row_is_found() {
    let n = 3000;
    for width in WIDTHS {
        for (bad, at) in [
            (f32::NAN, vec![2999, 17, 2000]),
            (f32::INFINITY, vec![0]),
            (f32::NEG_INFINITY, vec![1500, 700]),
            (-f32::NAN, vec![255, 256, 257]),
        ] {
            let rows = 3;
            let mut values: Vec<f32> = (0..n * rows).map(|i| (i % 97) as f32 - 48.0).collect();
            // Row 0 gets every bad value, row 2 the first one only, row 1 none.
            for &c in &at {
                values[c] = bad;
            }
            values[2 * n + at[0]] = bad;
            let got = run(&values, n, width);
            let first = |row: &[f32]| {
                row.iter()
                    .position(|v| !v.is_finite())
                    .map_or(NONE, |c| c as u32)
            };
            for r in 0..rows {
                let row = &values[r * n..(r + 1) * n];
                assert_eq!(got[2 * r + 1], first(row), "{width:?} {bad} row {r}");
                assert_eq!(
                    got[2 * r] as usize,
                    reference_argmax(row),
                    "{width:?} row {r}"
                );
            }
        }
    }
}

/// Rows of several slices: the winner, a tie across a slice boundary (the lower column wins)
/// and the first non-finite column each land in a later slice than the first.
#[test]
fn rows_of_several_slices() {
    let n = 3 * ARGMAX_SLICE + 17;
    for width in WIDTHS {
        let rows = 2;
        let mut values: Vec<f32> = (0..n * rows).map(|i| (i % 89) as f32 * 0.01).collect();
        // Row 0: a tie between the last column of slice 1 and the first of slice 2; a NaN in
        // slice 3. Row 1: the best in the ragged last slice, an infinity in slice 2.
        values[2 * ARGMAX_SLICE - 1] = 7.0;
        values[2 * ARGMAX_SLICE] = 7.0;
        values[3 * ARGMAX_SLICE + 3] = f32::NAN;
        values[n + n - 1] = 9.0;
        values[n + 2 * ARGMAX_SLICE + 5] = f32::INFINITY;
        let got = run(&values, n, width);
        assert_eq!(got[0] as usize, 2 * ARGMAX_SLICE - 1, "{width:?}");
        assert_eq!(got[1] as usize, 3 * ARGMAX_SLICE + 3, "{width:?}");
        assert_eq!(
            got[2] as usize,
            2 * ARGMAX_SLICE + 5,
            "{width:?}: +inf wins"
        );
        assert_eq!(got[3] as usize, 2 * ARGMAX_SLICE + 5, "{width:?}");
        for r in 0..rows {
            assert_eq!(
                got[2 * r] as usize,
                reference_argmax(&values[r * n..(r + 1) * n])
            );
        }
    }
}

//! `matvec` for every weight format and every reduction (one subgroup wide included) vs
//! `axon_reference::ops::linear::linear_quantized` (the same bytes dequantized on the CPU).
//!
//! Tolerance: |gpu - ref| <= 1e-4 · max|w| · Σ|x| + 1e-5 per row. Both sides decode the same
//! bits with the same f32 operations (a driver may fuse a decode's multiply-add, one rounding
//! of at most u = 2^-24 relative to terms <= ~3 max|w|); the GPU then sums the row's `cols`
//! products in f32 (per part, per strided item, then the reduction, in any order: at most
//! cols - 1 additions on any chain) where the reference sums in f64. Every ordering is within
//! (cols + 1) u · Σ|w_i x_i| <= (cols + 1) u · max|w| · Σ|x|, so with the decode term
//! |error| <= (cols + 7) u · max|w| · Σ|x|: 4.6e-5 of the bound's scale for the longest rows
//! tested (768 columns, three K-quant blocks), whatever the workgroup width (one subgroup
//! included). 1e-4 keeps 2x; the 1e-5 floor only matters for all-zero rows. Measured on
//! lavapipe: at most 0.04 % of the tolerance. A wrong nibble, scale or offset moves a row by
//! O(|w|·|x|) for one element, which the bound catches for the row lengths tested here.
//!
//! Guard: `y` has sentinel elements past the rows; they must survive.

use super::weights::{GluWeights, encode};
use super::{CASES, REDUCTIONS, assert_width, guarded_zeros, read_guarded};
use crate::gpu;
use axon_formats::quant::GgmlType;
use axon_gpu::kernels::Reduction;
use axon_gpu::kernels::matvec::{MATVEC_MAX_COLUMNS, MATVEC_TYPES, matvec, matvec_columns};
use axon_reference::ops::linear::linear_quantized;
use proptest::prelude::*;

fn check(ty: GgmlType, rows: usize, cols: usize, w: &[f32], x: &[f32], reduction: Reduction) {
    check_columns(ty, [rows, cols], 1, (w, x), reduction);
}

/// `columns` input vectors (`x` holds them one after another) through `matvec_columns` (one
/// through `matvec`), each column's rows against the reference with the module's tolerance.
/// The dispatch runs at the width `assert_width` expects, or `matvec::widened`'s for the rows
/// it widens (at every column count).
fn check_columns(
    ty: GgmlType,
    [rows, cols]: [usize; 2],
    columns: usize,
    (w, x): (&[f32], &[f32]),
    reduction: Reduction,
) {
    let width = axon_gpu::kernels::matvec::widened(ty, rows, cols)
        .filter(|_| reduction != Reduction::OneSubgroup);
    assert_eq!(x.len(), columns * cols);
    let gpu = gpu();
    let data = encode(ty, w);
    let m = gpu.upload_matrix("w", ty, rows, cols, &data).unwrap();
    let dx = gpu.upload_f32("x", x).unwrap();
    let dy = guarded_zeros(gpu, "y", columns * rows);
    let dispatch = if columns == 1 {
        matvec(gpu, &m, &dx, &dy, reduction)
    } else {
        matvec_columns(gpu, &m, &dx, &dy, columns, reduction)
    }
    .unwrap();
    match width {
        Some(width) => assert_eq!(dispatch.workgroup_size(), Some(width), "{reduction:?}"),
        None => assert_width(&dispatch, reduction),
    }
    gpu.run("matvec_test", &[dispatch]).unwrap();
    let got = read_guarded(gpu, &dy, columns * rows);
    let dequantized = axon_formats::quant::dequantize(ty, &data, w.len()).unwrap();
    let wmax = dequantized.iter().fold(0.0f32, |a, v| a.max(v.abs()));
    // f32 dot product over `cols` vs f64: (cols + 7) u · max|w| · Σ|x| (module docs), <= 4.6e-5
    // of this scale up to 768 columns, where 1e-4 holds it; twice the bound past that.
    let scale = 1e-4f32.max(2.0 * (cols + 7) as f32 * 2f32.powi(-24));
    for (c, (xc, got)) in x.chunks_exact(cols).zip(got.chunks_exact(rows)).enumerate() {
        let want = linear_quantized(ty, &data, xc).unwrap();
        let xsum: f32 = xc.iter().map(|v| v.abs()).sum();
        let tol = scale * wmax * xsum + 1e-5;
        for (r, (g, e)) in got.iter().zip(&want).enumerate() {
            assert!(
                (g - e).abs() <= tol,
                "{ty} {reduction:?} {rows}x{cols} column {c} of {columns}, row {r}: gpu {g} vs \
                 reference {e} (tol {tol})"
            );
        }
    }
}

/// `columns` input vectors made from `x`: each column a different rotation and scale of it, so
/// a kernel that read or wrote the wrong column would disagree.
fn columns_of(x: &[f32], columns: usize) -> Vec<f32> {
    let n = x.len();
    (0..columns)
        .flat_map(|c| (0..n).map(move |i| x[(i + 7 * c) % n] * (1.0 - 0.05 * c as f32)))
        .collect()
}

fn problem() -> impl Strategy<Value = (GgmlType, usize, usize, Vec<f32>, Vec<f32>)> {
    (
        prop::sample::select(MATVEC_TYPES.to_vec()),
        1usize..24,
        1usize..6,
    )
        .prop_flat_map(|(ty, rows, blocks)| {
            // Rows of a few blocks (K-quants: 256 values each; the rest: 32 or fewer).
            let per = if ty.block_len() >= 256 {
                256
            } else {
                32 * (1 + blocks % 3)
            };
            let cols = blocks.min(if ty.block_len() >= 256 { 3 } else { 5 }) * per;
            (
                Just(ty),
                Just(rows),
                Just(cols),
                prop::collection::vec(-2.0f32..2.0, rows * cols),
                prop::collection::vec(-1.0f32..1.0, cols),
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]
    #[test]
    fn matvec_matches_reference((ty, rows, cols, w, x) in problem()) {
        for reduction in REDUCTIONS {
            check(ty, rows, cols, &w, &x, reduction);
        }
    }

    #[test]
    fn matvec_columns_match_reference(
        (ty, rows, cols, w, x) in problem(),
        columns in prop::sample::select(vec![2usize, 5, MATVEC_MAX_COLUMNS]),
    ) {
        let x = columns_of(&x, columns);
        for reduction in REDUCTIONS {
            check_columns(ty, [rows, cols], columns, (&w, &x), reduction);
        }
    }
}

/// Fixed pseudo-random weights `[rows, cols]` and input `[cols]`.
fn fixed_problem(rows: usize, cols: usize) -> (Vec<f32>, Vec<f32>) {
    let w = (0..rows * cols)
        .map(|i| ((i * 37 % 101) as f32 - 50.0) / 31.0)
        .collect();
    let x = (0..cols)
        .map(|i| ((i * 13 % 29) as f32 - 14.0) / 9.0)
        .collect();
    (w, x)
}

#[test]
fn every_format_on_fixed_shapes() {
    for &ty in MATVEC_TYPES {
        for (rows, cols) in [(1, 256), (2, 512), (3, 768), (65, 256)] {
            let (w, x) = fixed_problem(rows, cols);
            for reduction in [Reduction::preferred(gpu().caps()), Reduction::OneSubgroup] {
                check(ty, rows, cols, &w, &x, reduction);
            }
        }
    }
}

/// F16 and BF16 rows whose length is a multiple of 8 (16-byte aligned) run the wide kernel
/// (`parts/wide/`) where the device unpacks halves, other even lengths the word-at-a-time one;
/// both agree with the reference, plain, as the fused FFN input, with a fold and with several
/// columns.
#[test]
fn f16_and_bf16_take_the_wide_kernel_exactly_on_aligned_rows() {
    use axon_gpu::kernels::glu::GluActivation as Activation;
    use axon_gpu::kernels::matvec::{Fold, aligned_block_len, matvec_folded, matvec_glu};
    let gpu = gpu();
    for ty in [GgmlType::F16, GgmlType::BF16] {
        assert_eq!(aligned_block_len(ty), Some(8));
        for (cols, wide) in [(264, true), (262, false), (8, true), (6, false)] {
            let rows = 3;
            let (w, x) = fixed_problem(rows, cols);
            for reduction in REDUCTIONS {
                check(ty, rows, cols, &w, &x, reduction);
            }
            let m = gpu
                .upload_matrix(
                    "w",
                    ty,
                    2 * rows,
                    cols,
                    &encode(ty, &[w.clone(), w.clone()].concat()),
                )
                .unwrap();
            let dx = gpu.upload_f32("x", &x).unwrap();
            let dy = gpu.zeros_f32("y", 4 * rows).unwrap();
            let norm = gpu.upload_f32("norm", &vec![1.0; cols]).unwrap();
            let fold = Fold {
                norm: Some((&norm, 1e-6)),
                accumulate: true,
            };
            let columns = gpu
                .upload_f32("x2", &[x.clone(), x.clone()].concat())
                .unwrap();
            let dispatches = [
                matvec(gpu, &m, &dx, &dy, Reduction::Workgroup).unwrap(),
                matvec_folded(gpu, &m, &dx, &dy, fold, Reduction::Workgroup).unwrap(),
                matvec_glu(gpu, &m, &dx, &dy, Activation::Silu, Reduction::Workgroup).unwrap(),
                matvec_columns(gpu, &m, &columns, &dy, 2, Reduction::Workgroup).unwrap(),
            ];
            for d in dispatches {
                let name = d.variant.name;
                let expected = wide && gpu.caps().has_half_unpack();
                assert_eq!(
                    name.contains("_aligned."),
                    expected,
                    "{ty} {cols} columns: {name}"
                );
            }
        }
    }
}

/// Q4_K rows of 4096 columns run 64 invocations per workgroup (`matvec::widened`), plain and
/// as the fused FFN input, at every reduction, and agree with the reference (`check`'s
/// tolerance at this length).
#[test]
fn q4_k_rows_of_4096_columns_run_wider_and_match_reference() {
    use axon_gpu::kernels::glu::GluActivation as Activation;
    use axon_gpu::kernels::matvec::{matvec_glu, widened};
    use axon_reference::ops::mlp::GateActivation;
    let gpu = gpu();
    let ty = GgmlType::Q4K;
    let (rows, cols) = (5, 4096);
    assert_eq!(widened(ty, rows, cols), Some(64));
    assert_eq!(widened(ty, rows, 1024), None);
    assert_eq!(widened(GgmlType::Q6K, rows, cols), None);
    let width = |reduction| match reduction {
        Reduction::OneSubgroup => Some(gpu.caps().subgroup_max_size),
        _ => Some(64),
    };
    let (w, x) = fixed_problem(rows, cols);
    for reduction in REDUCTIONS {
        check_columns(ty, [rows, cols], 1, (&w, &x), reduction);
    }
    let ff = 3;
    let glu = GluWeights::new(ty, ff, cols);
    let x = glu.input(1);
    let m = gpu
        .upload_matrix("gate_up", ty, 2 * ff, cols, &glu.data)
        .unwrap();
    let dx = gpu.upload_f32("x", &x).unwrap();
    for reduction in REDUCTIONS {
        let y = guarded_zeros(gpu, "y", ff);
        let dispatch = matvec_glu(gpu, &m, &dx, &y, Activation::Silu, reduction).unwrap();
        assert_eq!(
            dispatch.workgroup_size(),
            width(reduction),
            "glu {reduction:?}"
        );
        gpu.run("glu_wide_test", &[dispatch]).unwrap();
        let got = read_guarded(gpu, &y, ff);
        glu.check_token(
            &x,
            &got,
            GateActivation::Silu,
            &format!("wide glu {reduction:?}"),
        );
    }
}

/// Every format at the column counts around the kernels' unrolled loops (1, 2, 3, 8, 9 and
/// the most, 16), and Q4_K's 64-invocation rows of 4096 columns with 4 columns.
#[test]
fn every_format_takes_up_to_sixteen_columns() {
    for &ty in MATVEC_TYPES {
        let (rows, cols) = (65, 256);
        let (w, x) = fixed_problem(rows, cols);
        for columns in [1, 2, 3, 8, 9, MATVEC_MAX_COLUMNS] {
            let x = columns_of(&x, columns);
            for reduction in [Reduction::preferred(gpu().caps()), Reduction::OneSubgroup] {
                check_columns(ty, [rows, cols], columns, (&w, &x), reduction);
            }
        }
    }
    let (w, x) = fixed_problem(5, 4096);
    let x = columns_of(&x, 4);
    for reduction in REDUCTIONS {
        check_columns(GgmlType::Q4K, [5, 4096], 4, (&w, &x), reduction);
    }
}

/// No columns, more than the kernels hold, or an x that is not `columns * cols` long are
/// shape errors, not dispatches.
#[test]
fn matvec_columns_refuses_counts_and_lengths_it_cannot_take() {
    let gpu = gpu();
    let m = gpu
        .upload_matrix("w", GgmlType::Q8_0, 2, 32, &[0; 68])
        .unwrap();
    let y = gpu.zeros_f32("y", 2 * 32).unwrap();
    let reduction = Reduction::Workgroup;
    for columns in [0, MATVEC_MAX_COLUMNS + 1] {
        let x = gpu
            .upload_f32("x", &vec![0.0; 32 * columns.max(1)])
            .unwrap();
        let err = matvec_columns(gpu, &m, &x, &y, columns, reduction).unwrap_err();
        assert!(err.to_string().contains("columns"), "{columns}: {err}");
    }
    let x = gpu.upload_f32("x", &[0.0; 3 * 32 - 1]).unwrap();
    assert!(matvec_columns(gpu, &m, &x, &y, 3, reduction).is_err());
    let x = gpu.upload_f32("x", &[0.0; 3 * 32]).unwrap();
    let short = gpu.zeros_f32("y", 3 * 2 - 1).unwrap();
    assert!(matvec_columns(gpu, &m, &x, &short, 3, reduction).is_err());
}

#[test]
fn matvec_folds_the_grid_past_the_per_dimension_limit() {
    // Each workgroup computes MATVEC_ROWS rows.
    let per_dim = gpu().caps().limits.max_compute_workgroups_per_dimension as usize;
    let rows = axon_gpu::registry::variants::MATVEC_ROWS as usize * per_dim + 3;
    let cols = 32;
    let w: Vec<f32> = (0..rows * cols)
        .map(|i| ((i % 17) as f32 - 8.0) / 4.0)
        .collect();
    let x: Vec<f32> = (0..cols).map(|i| i as f32 / 32.0).collect();
    check(
        GgmlType::Q8_0,
        rows,
        cols,
        &w,
        &x,
        Reduction::preferred(gpu().caps()),
    );
}

#[test]
fn unsupported_format_and_ragged_rows_are_errors() {
    let gpu = gpu();
    assert!(
        gpu.upload_matrix("iq2", GgmlType::Iq2Xxs, 1, 256, &[0; 66])
            .is_err()
    );
    assert!(
        gpu.upload_matrix("ragged", GgmlType::Q8_0, 1, 33, &[0; 34])
            .is_err()
    );
    let m = gpu
        .upload_matrix("ok", GgmlType::Q8_0, 1, 32, &[0; 34])
        .unwrap();
    let x = gpu.upload_f32("x", &[0.0; 31]).unwrap();
    let y = gpu.zeros_f32("y", 1).unwrap();
    assert!(matvec(gpu, &m, &x, &y, Reduction::Workgroup).is_err());
}

/// F16 and BF16 parts decode two values per word, so their kernel block is 2 values although
/// the file's is 1: an odd row length would silently lose its last column (it did: row 0 of a
/// 3 x 33 F16 matrix gave -0.23 against 73.9), so both entry points refuse it; F32 takes any.
#[test]
fn f16_and_bf16_rows_of_odd_length_are_refused() {
    use axon_gpu::GpuError;
    use axon_gpu::kernels::glu::GluActivation as Activation;
    use axon_gpu::kernels::matvec::{kernel_block_len, matvec_glu};
    let gpu = gpu();
    let cols = 33;
    let x = gpu.upload_f32("x", &[0.5; 33]).unwrap();
    let y = gpu.zeros_f32("y", 2).unwrap();
    for ty in [GgmlType::F16, GgmlType::BF16] {
        assert_eq!(kernel_block_len(ty), Some(2));
        let m = gpu
            .upload_matrix("w", ty, 2, cols, &vec![0; 2 * cols * 2])
            .unwrap();
        for err in [
            matvec(gpu, &m, &x, &y, Reduction::Workgroup).unwrap_err(),
            matvec_glu(gpu, &m, &x, &y, Activation::Silu, Reduction::Workgroup).unwrap_err(),
        ] {
            assert!(
                matches!(
                    err,
                    GpuError::ShapeMismatch {
                        expected: 34,
                        got: 33,
                        ..
                    }
                ),
                "{ty}: {err}"
            );
        }
    }
    let w: Vec<f32> = (0..3 * cols).map(|i| (i % 7) as f32 - 3.0).collect();
    let x: Vec<f32> = (0..cols)
        .map(|i| if i == cols - 1 { 100.0 } else { 0.5 })
        .collect();
    check(GgmlType::F32, 3, cols, &w, &x, Reduction::Workgroup);
}

/// The fused FFN input against `axon_reference::ops::mlp::gated_mlp` with an identity down
/// projection (so its output is act(G x) · (U x); `GluWeights::check_token`), every format,
/// both activations, every reduction.
#[test]
fn matvec_glu_matches_reference() {
    use axon_gpu::kernels::glu::GluActivation as Activation;
    use axon_gpu::kernels::matvec::matvec_glu;
    use axon_reference::ops::mlp::GateActivation;
    let gpu = gpu();
    let (ff, cols) = (9, 256);
    for &ty in MATVEC_TYPES {
        let glu = GluWeights::new(ty, ff, cols);
        let x = glu.input(1);
        let m = gpu
            .upload_matrix("gate_up", ty, 2 * ff, cols, &glu.data)
            .unwrap();
        let dx = gpu.upload_f32("x", &x).unwrap();
        for (act, gact) in [
            (Activation::Silu, GateActivation::Silu),
            (Activation::GeluTanh, GateActivation::GeluTanh),
        ] {
            for reduction in REDUCTIONS {
                let y = guarded_zeros(gpu, "y", ff);
                let dispatch = matvec_glu(gpu, &m, &dx, &y, act, reduction).unwrap();
                assert_width(&dispatch, reduction);
                gpu.run("glu_test", &[dispatch]).unwrap();
                let got = read_guarded(gpu, &y, ff);
                glu.check_token(&x, &got, gact, &format!("{ty} {act:?} {reduction:?}"));
            }
        }
    }
}

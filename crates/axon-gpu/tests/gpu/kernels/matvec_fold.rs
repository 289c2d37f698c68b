//! `matvec_folded` and `matvec_glu_folded`: the RMSNorm before a projection and the residual
//! add after it, folded into the matrix-vector kernels, for every weight format and every
//! reduction, against the reference's separate steps (`axon_reference::rms_norm`, then
//! `linear_quantized`; `linear_quantized`, then an add; `gated_mlp` over the normed input).
//!
//! Tolerance: matvec's (`matvec.rs`), taken over the vector the product actually sees (the
//! normed input). Folding changes the rounding, not the value: the kernel forms
//! r · Σ w_i (x_i g_i) with r = inverseSqrt(mean(x²) + eps) applied to the finished sum, where
//! the reference forms Σ w_i (r x_i g_i); both are within (cols + 7) u · max|w| · Σ|r x g| of
//! the exact sum, and r's own error (the sum of squares over cols, inverseSqrt's 2 ULP: about
//! (cols / 2 + 3) u relative here) stays below that bound's 1e-4 scale. The residual add is
//! one more f32 addition (u · |y|), covered by the 1e-5 floor and 1e-6 · |y|.

use super::weights::{GluWeights, encode};
use super::{CASES, REDUCTIONS, assert_width, guarded_upload, guarded_zeros, read_guarded};
use crate::gpu;
use axon_formats::quant::GgmlType;
use axon_gpu::kernels::Reduction;
use axon_gpu::kernels::matvec::{Fold, MATVEC_TYPES, matvec_folded};
use axon_reference::ops::linear::linear_quantized;
use proptest::prelude::*;

const EPS: f32 = 1e-6;

#[derive(Debug, Clone)]
struct Case {
    ty: GgmlType,
    rows: usize,
    cols: usize,
    w: Vec<f32>,
    x: Vec<f32>,
    norm: Vec<f32>,
    y0: Vec<f32>,
}

fn check(c: &Case, norm: bool, accumulate: bool, reduction: Reduction) {
    let gpu = gpu();
    let data = encode(c.ty, &c.w);
    let m = gpu.upload_matrix("w", c.ty, c.rows, c.cols, &data).unwrap();
    let dx = gpu.upload_f32("x", &c.x).unwrap();
    let dn = gpu.upload_f32("norm", &c.norm).unwrap();
    let dy = if accumulate {
        guarded_upload(gpu, "y", &c.y0)
    } else {
        guarded_zeros(gpu, "y", c.rows)
    };
    let fold = Fold {
        norm: norm.then_some((&dn, EPS)),
        accumulate,
    };
    let dispatch = matvec_folded(gpu, &m, &dx, &dy, fold, reduction).unwrap();
    assert_width(&dispatch, reduction);
    gpu.run("matvec_fold_test", &[dispatch]).unwrap();
    let got = read_guarded(gpu, &dy, c.rows);
    let input = if norm {
        axon_reference::rms_norm(&c.x, &c.norm, EPS, 0.0).unwrap()
    } else {
        c.x.clone()
    };
    let mut want = linear_quantized(c.ty, &data, &input).unwrap();
    if accumulate {
        for (w, y) in want.iter_mut().zip(&c.y0) {
            *w += y;
        }
    }
    let dequantized = axon_formats::quant::dequantize(c.ty, &data, c.w.len()).unwrap();
    let wmax = dequantized.iter().fold(0.0f32, |a, v| a.max(v.abs()));
    let xsum: f32 = input.iter().map(|v| v.abs()).sum();
    for (r, (g, e)) in got.iter().zip(&want).enumerate() {
        // matvec's bound over the normed input, plus the add (module docs).
        let tol = 1e-4 * wmax * xsum + 1e-5 + 1e-6 * e.abs();
        assert!(
            (g - e).abs() <= tol,
            "{} norm {norm} accumulate {accumulate} {reduction:?} {}x{} row {r}: gpu {g} vs reference {e} (tol {tol})",
            c.ty,
            c.rows,
            c.cols
        );
    }
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(MATVEC_TYPES.to_vec()),
        1usize..12,
        1usize..4,
    )
        .prop_flat_map(|(ty, rows, blocks)| {
            let per = if ty.block_len() >= 256 { 256 } else { 64 };
            let cols = blocks * per;
            (
                prop::collection::vec(-2.0f32..2.0, rows * cols),
                prop::collection::vec(-3.0f32..3.0, cols),
                prop::collection::vec(-1.5f32..1.5, cols),
                prop::collection::vec(-5.0f32..5.0, rows),
            )
                .prop_map(move |(w, x, norm, y0)| Case {
                    ty,
                    rows,
                    cols,
                    w,
                    x,
                    norm,
                    y0,
                })
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES / 2))]
    #[test]
    fn folded_norm_and_residual_add_match_the_separate_steps(c in case()) {
        for reduction in REDUCTIONS {
            for (norm, accumulate) in [(true, false), (false, true), (true, true)] {
                check(&c, norm, accumulate, reduction);
            }
        }
    }
}

/// The fused FFN input with the norm before it folded in, against `gated_mlp` over the
/// reference-normed input (`GluWeights::check_token`), every format and reduction.
#[test]
fn glu_with_the_norm_folded_in_matches_the_reference() {
    use axon_gpu::kernels::glu::GluActivation as Activation;
    use axon_gpu::kernels::matvec::matvec_glu_folded;
    use axon_reference::ops::mlp::GateActivation;
    let gpu = gpu();
    let (ff, cols) = (9, 256);
    for &ty in MATVEC_TYPES {
        let glu = GluWeights::new(ty, ff, cols);
        // A residual stream whose norm lands the products where GluWeights' inputs do.
        let x: Vec<f32> = glu.input(1).iter().map(|v| 7.0 * v).collect();
        let norm: Vec<f32> = (0..cols).map(|i| 0.5 + (i % 5) as f32 / 4.0).collect();
        let normed = axon_reference::rms_norm(&x, &norm, EPS, 0.0).unwrap();
        let m = gpu
            .upload_matrix("gate_up", ty, 2 * ff, cols, &glu.data)
            .unwrap();
        let (dx, dn) = (
            gpu.upload_f32("x", &x).unwrap(),
            gpu.upload_f32("norm", &norm).unwrap(),
        );
        for (act, gact) in [
            (Activation::Silu, GateActivation::Silu),
            (Activation::GeluTanh, GateActivation::GeluTanh),
        ] {
            for reduction in REDUCTIONS {
                let y = guarded_zeros(gpu, "y", ff);
                let dispatch =
                    matvec_glu_folded(gpu, &m, &dx, &y, (act, Some((&dn, EPS))), reduction)
                        .unwrap();
                assert_width(&dispatch, reduction);
                gpu.run("glu_fold_test", &[dispatch]).unwrap();
                let got = read_guarded(gpu, &y, ff);
                glu.check_token(
                    &normed,
                    &got,
                    gact,
                    &format!("{ty} {act:?} {reduction:?} folded norm"),
                );
            }
        }
    }
}

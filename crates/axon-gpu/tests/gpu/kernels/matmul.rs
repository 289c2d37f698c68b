//! `matmul` and `matmul_glu` (prefill) for every weight format vs the CPU reference, one token
//! at a time: `axon_reference::ops::linear::linear_quantized` and `ops::mlp::gated_mlp`.
//!
//! Shapes straddle the 64 x 64 output tile and the 16-wide K step: 1, 2, 63, 64, 65 tokens and
//! rows, and column counts that are not multiples of 16 where the format allows (F32: any;
//! F16/BF16: even). Tolerance as for `matvec` (same bits decoded, f32 vs f64 accumulation):
//! |gpu - ref| <= 1e-4 · max|w| · Σ|x_t| + 1e-5 per output. Each output is one f32 sum over
//! `cols` (<= 512 here: two K-quant blocks), so |error| <= (cols + 7) u · max|w| · Σ|x_t|
//! (u = 2^-24, the 7 for a fused decode multiply-add): 3.1e-5 of the scale; measured on
//! lavapipe at most 0.12 % of the tolerance.
//!
//! Guard: `y` has sentinel elements past `tokens * rows`; they must survive.

use super::weights::{GluWeights, encode};
use super::{CASES, guarded_zeros, read_guarded};
use crate::gpu;
use axon_formats::quant::{GgmlType, dequantize};
use axon_gpu::kernels::glu::GluActivation as Activation;
use axon_gpu::kernels::matmul::{matmul, matmul_glu};
use axon_gpu::kernels::matvec::MATVEC_TYPES;
use axon_reference::ops::linear::linear_quantized;
use axon_reference::ops::mlp::GateActivation;
use proptest::prelude::*;

fn run(ty: GgmlType, rows: usize, cols: usize, tokens: usize, w: &[f32], x: &[f32]) {
    let gpu = gpu();
    let data = encode(ty, w);
    let m = gpu.upload_matrix("w", ty, rows, cols, &data).unwrap();
    let dx = gpu.upload_f32("x", x).unwrap();
    let dy = guarded_zeros(gpu, "y", tokens * rows);
    gpu.run("matmul_test", &[matmul(gpu, &m, &dx, &dy, tokens).unwrap()])
        .unwrap();
    let got = read_guarded(gpu, &dy, tokens * rows);
    let wmax = dequantize(ty, &data, w.len())
        .unwrap()
        .iter()
        .fold(0.0f32, |a, v| a.max(v.abs()));
    for (t, xt) in x.chunks_exact(cols).enumerate() {
        let want = linear_quantized(ty, &data, xt).unwrap();
        // One f32 dot product over cols <= 512: (cols + 7) u · max|w| · Σ|x_t| <= 3.1e-5 of
        // this scale (module docs).
        let tol = 1e-4 * wmax * xt.iter().map(|v| v.abs()).sum::<f32>() + 1e-5;
        for (r, e) in want.iter().enumerate() {
            let g = got[t * rows + r];
            assert!(
                (g - e).abs() <= tol,
                "{ty} {tokens}x{rows}x{cols} token {t} row {r}: gpu {g} vs reference {e} (tol {tol})"
            );
        }
    }
}

fn cols_for(ty: GgmlType, n: usize) -> usize {
    match ty.block_len() {
        1 => n,
        2 => 2 * n,
        256 => 256 * (1 + n % 2),
        len => len * (1 + n % 4),
    }
}

fn problem() -> impl Strategy<Value = (GgmlType, usize, usize, usize, Vec<f32>, Vec<f32>)> {
    let edge = prop::sample::select(vec![1usize, 2, 63, 64, 65]);
    (
        prop::sample::select(MATVEC_TYPES.to_vec()),
        prop_oneof![edge.clone(), 1usize..80],
        prop_oneof![edge, 1usize..80],
        1usize..40,
    )
        .prop_flat_map(|(ty, rows, tokens, n)| {
            let cols = cols_for(ty, n);
            (
                Just(ty),
                Just(rows),
                Just(cols),
                Just(tokens),
                prop::collection::vec(-2.0f32..2.0, rows * cols),
                prop::collection::vec(-1.0f32..1.0, tokens * cols),
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]
    #[test]
    fn matmul_matches_reference((ty, rows, cols, tokens, w, x) in problem()) {
        run(ty, rows, cols, tokens, &w, &x);
    }
}

#[test]
fn every_format_across_tile_edges() {
    for &ty in MATVEC_TYPES {
        for (rows, tokens) in [(1, 1), (65, 2), (2, 65), (64, 64)] {
            let cols = cols_for(ty, 3);
            let w: Vec<f32> = (0..rows * cols)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) / 31.0)
                .collect();
            let x: Vec<f32> = (0..tokens * cols)
                .map(|i| ((i * 13 % 29) as f32 - 14.0) / 9.0)
                .collect();
            run(ty, rows, cols, tokens, &w, &x);
        }
    }
}

#[test]
fn shape_errors() {
    let gpu = gpu();
    let m = gpu
        .upload_matrix("w", GgmlType::Q8_0, 2, 32, &[0; 68])
        .unwrap();
    let x = gpu.zeros_f32("x", 3 * 32).unwrap();
    let short_y = gpu.zeros_f32("y", 5).unwrap();
    assert!(matmul(gpu, &m, &x, &short_y, 3).is_err());
    let y = gpu.zeros_f32("y", 6).unwrap();
    assert!(matmul(gpu, &m, &x, &y, 2).is_err(), "x is 3 tokens, not 2");
    assert!(matmul(gpu, &m, &x, &y, 3).is_ok());
}

/// act(G x_t) · (U x_t) per token against `gated_mlp` with an identity down projection
/// (`GluWeights::check_token`), every format and both activations, at a token count and width
/// past one tile.
#[test]
fn matmul_glu_matches_reference() {
    let gpu = gpu();
    let (ff, tokens) = (67, 66);
    for &ty in MATVEC_TYPES {
        let glu = GluWeights::new(ty, ff, cols_for(ty, 0).max(32));
        let x = glu.input(tokens);
        let m = gpu
            .upload_matrix("gate_up", ty, 2 * ff, glu.cols, &glu.data)
            .unwrap();
        let dx = gpu.upload_f32("x", &x).unwrap();
        for (act, gact) in [
            (Activation::Silu, GateActivation::Silu),
            (Activation::GeluTanh, GateActivation::GeluTanh),
        ] {
            let y = guarded_zeros(gpu, "y", tokens * ff);
            gpu.run(
                "matmul_glu_test",
                &[matmul_glu(gpu, &m, &dx, &y, tokens, act).unwrap()],
            )
            .unwrap();
            let got = read_guarded(gpu, &y, tokens * ff);
            for (t, xt) in x.chunks_exact(glu.cols).enumerate() {
                let what = format!("{ty} {act:?} token {t}");
                glu.check_token(xt, &got[t * ff..(t + 1) * ff], gact, &what);
            }
        }
    }
}

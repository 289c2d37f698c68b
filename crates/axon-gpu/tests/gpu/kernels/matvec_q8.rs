//! The integer-dot decode path: `quantize_q8` vs `axon_reference::ops::quantize_q8`, and
//! `matvec_q8` for every format it takes and every reduction vs `linear_quantized` of the
//! dequantized 8-bit x (`Q8Vector::dequantize`).
//!
//! Quantizer: every word bit for bit (quants, power-of-two d's, sums): the scales are powers
//! of two and x / d is exact, so nothing is left to rounding. A quant off by one, a wrong byte
//! order, a wrong d or sum fails.
//!
//! Matrix-vector tolerance: `matvec.rs`'s bound with Σ|x| of the dequantized x: the integer
//! dots are exact (|sum| < 2^24), and what is left is the same f32 scaling and summation of
//! the row's terms (a few roundings per item, then the f32 sum of `cols / 16` item results in
//! any order), which that bound covers. A wrong block, scale, min term or nibble moves a row
//! by O(|w| · |x|).
//!
//! Guard: `y` and `xq` have sentinels past their ends; they must survive.

use super::weights::{GluWeights, encode};
use super::{CASES, REDUCTIONS, assert_width, guarded_upload, guarded_zeros, read_guarded};
use crate::gpu;
use axon_formats::quant::GgmlType;
use axon_gpu::kernels::Reduction;
use axon_gpu::kernels::matvec::widened;
use axon_gpu::kernels::matvec_q8::{MATVEC_Q8_TYPES, matvec_q8, matvec_q8_columns};
use axon_gpu::kernels::quantize_q8::{Q8_BLOCK, q8_words, quantize_q8};
use axon_reference::ops::linear::linear_quantized;
use axon_reference::ops::quantize_q8::{Q8Vector, quantize_q8 as reference_quantize};
use proptest::prelude::*;

/// The words of an xq buffer as the reference's vector (quants, d's) and the block sums.
fn parse(words: &[u32], n: usize) -> (Q8Vector, Vec<i32>) {
    let quants = words[..n / 4]
        .iter()
        .flat_map(|w| w.to_le_bytes().map(|b| b as i8))
        .collect();
    let (scales, sums) = words[n / 4..n / 4 + 2 * (n / Q8_BLOCK)]
        .chunks_exact(2)
        .map(|p| (f32::from_bits(p[0]), p[1] as i32))
        .unzip();
    (Q8Vector { quants, scales }, sums)
}

/// Quantizes `x` on the GPU and checks it against the reference bit for bit; returns the
/// GPU's vector.
fn check_quantize(x: &[f32]) -> Q8Vector {
    let gpu = gpu();
    let n = x.len();
    let dx = gpu.upload_f32("x", x).unwrap();
    let xq = guarded_zeros(gpu, "xq", q8_words(n));
    gpu.run("quantize_q8_test", &[quantize_q8(gpu, &dx, &xq).unwrap()])
        .unwrap();
    let words: Vec<u32> = read_guarded(gpu, &xq, q8_words(n))
        .iter()
        .map(|v| v.to_bits())
        .collect();
    let want = reference_quantize(x);
    let expected = want.words();
    for (i, (g, e)) in words.iter().zip(&expected).enumerate() {
        assert_eq!(
            g,
            e,
            "word {i} of {} ({}): gpu {g:#010x} vs reference {e:#010x}",
            words.len(),
            if i < n / 4 { "quants" } else { "d, sum" }
        );
    }
    let (got, sums) = parse(&words, n);
    for (b, block) in got.quants.chunks(Q8_BLOCK).enumerate() {
        let own: i32 = block.iter().map(|&q| i32::from(q)).sum();
        assert_eq!(sums[b], own, "block {b}: sum of its quants");
    }
    got
}

/// `matvec_q8` of `w` (`rows` x `cols` of `ty`) against `xq`'s words, vs the reference of the
/// vector they hold.
fn check_matvec(
    ty: GgmlType,
    [rows, cols]: [usize; 2],
    w: &[f32],
    q: &Q8Vector,
    reduction: Reduction,
) {
    let gpu = gpu();
    let data = encode(ty, w);
    let m = gpu.upload_matrix("w", ty, rows, cols, &data).unwrap();
    let words: Vec<f32> = q.words().into_iter().map(f32::from_bits).collect();
    let xq = guarded_upload(gpu, "xq", &words);
    let y = guarded_zeros(gpu, "y", rows);
    let dispatch = matvec_q8(gpu, &m, &xq, &y, reduction).unwrap();
    match widened(ty, rows, cols).filter(|_| reduction != Reduction::OneSubgroup) {
        Some(width) => assert_eq!(dispatch.workgroup_size(), Some(width), "{reduction:?}"),
        None => assert_width(&dispatch, reduction),
    }
    gpu.run("matvec_q8_test", &[dispatch]).unwrap();
    let got = read_guarded(gpu, &y, rows);
    let _ = read_guarded(gpu, &xq, words.len());
    assert_rows_match(
        ty,
        &data,
        &q.dequantize(),
        &got,
        &format!("{ty} {reduction:?} {rows}x{cols}"),
    );
}

/// `got` (one value per row of `data`, a matrix of `ty`) against the reference's product with
/// `x` (the dequantized 8-bit x), within an any-order f32 bound.
fn assert_rows_match(ty: GgmlType, data: &[u8], x: &[f32], got: &[f32], what: &str) {
    let cols = x.len();
    let want = linear_quantized(ty, data, x).unwrap();
    assert_eq!(got.len(), want.len(), "{what}");
    let dequantized = axon_formats::quant::dequantize(ty, data, got.len() * cols).unwrap();
    let wmax = dequantized.iter().fold(0.0f32, |a, v| a.max(v.abs()));
    let xsum: f32 = x.iter().map(|v| v.abs()).sum();
    let scale = 1e-4f32.max(2.0 * (cols + 7) as f32 * 2f32.powi(-24));
    let tol = scale * wmax * xsum + 1e-5;
    for (r, (g, e)) in got.iter().zip(&want).enumerate() {
        assert!(
            (g - e).abs() <= tol,
            "{what}, row {r}: gpu {g} vs reference {e} (tol {tol})"
        );
    }
}

/// Several input vectors in one dispatch (`matvec_q8_columns`), quantized as one buffer on the
/// GPU: each column's rows equal the reference's product with that column's 8-bit x, for every
/// format, up to llama.cpp's 8, one past it and the kernels' 16, at a narrow row and a wide one.
#[test]
fn several_columns_match_reference() {
    let gpu = gpu();
    for &ty in MATVEC_Q8_TYPES {
        for (rows, cols) in [(5, 256), (3, 4096)] {
            let data = encode(ty, &fixed_weights(rows, cols));
            let m = gpu.upload_matrix("w", ty, rows, cols, &data).unwrap();
            for columns in [2, 8, 9, 16] {
                let x = awkward(columns * cols, 5 + columns as u32);
                let q = check_quantize(&x);
                let words: Vec<f32> = q.words().into_iter().map(f32::from_bits).collect();
                let xq = guarded_upload(gpu, "xq", &words);
                let y = guarded_zeros(gpu, "y", columns * rows);
                for reduction in REDUCTIONS {
                    let dispatch = matvec_q8_columns(gpu, &m, &xq, &y, columns, reduction).unwrap();
                    gpu.run("matvec_q8_columns_test", &[dispatch]).unwrap();
                    let got = read_guarded(gpu, &y, columns * rows);
                    let x = q.dequantize();
                    for c in 0..columns {
                        assert_rows_match(
                            ty,
                            &data,
                            &x[c * cols..(c + 1) * cols],
                            &got[c * rows..(c + 1) * rows],
                            &format!("{ty} {reduction:?} {rows}x{cols} column {c} of {columns}"),
                        );
                    }
                }
            }
        }
    }
}

/// Values in [-scale, scale) with blocks of very different magnitudes and a zero block.
fn awkward(n: usize, seed: u32) -> Vec<f32> {
    let mut s = seed | 1;
    (0..n)
        .map(|i| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let block = i / Q8_BLOCK;
            let magnitude = [1.0, 1e-3, 40.0, 0.0, 3.0][block % 5];
            (s >> 8) as f32 / (1u32 << 24) as f32 * 2.0 * magnitude - magnitude
        })
        .collect()
}

fn fixed_weights(rows: usize, cols: usize) -> Vec<f32> {
    (0..rows * cols)
        .map(|i| ((i * 37 % 101) as f32 - 50.0) / 31.0)
        .collect()
}

#[test]
fn quantize_matches_reference_on_awkward_blocks() {
    let mut x = awkward(32 * 20, 7);
    // Exact halves: amax 127 makes d = 1 and x / d = x.
    x[16..32].copy_from_slice(&[
        127.0, 0.5, 1.5, -2.5, 3.5, -0.5, 62.5, -63.5, 0.0, 1.0, -1.0, 100.25, 5.5, 6.5, 7.5, -8.5,
    ]);
    // A block whose amax is a hair above 127 * 2^-3 takes d = 2^-2; one at it, 2^-3.
    x[64..80].fill(15.875);
    x[80] = f32::from_bits(15.875f32.to_bits() + 1);
    x[81..96].fill(-1.0);
    let got = check_quantize(&x);
    assert_eq!(&got.quants[16..20], &[127, 0, 2, -2]);
    assert!(got.quants[48..64].iter().all(|&q| q == 0));
    assert_eq!(got.scales[4], 0.125);
    assert_eq!(got.scales[5], 0.25);
}

#[test]
fn every_format_matches_reference_on_fixed_shapes() {
    for &ty in MATVEC_Q8_TYPES {
        // Rows of one and a few 32-value blocks (a small model's projections in Q4_0, Q4_1,
        // Q5_0, Q8_0) besides whole super-blocks.
        let narrow = [(7, 32), (4, 64), (3, 96)];
        let narrow = narrow.iter().filter(|(_, c)| c % ty.block_len() == 0);
        for &(rows, cols) in [(1, 256), (3, 768), (65, 256), (5, 4096)]
            .iter()
            .chain(narrow)
        {
            let w = fixed_weights(rows, cols);
            let q = reference_quantize(&awkward(cols, 3));
            for reduction in REDUCTIONS {
                check_matvec(ty, [rows, cols], &w, &q, reduction);
            }
        }
    }
}

/// Both kernels in one submission, as decode runs them: the product is the reference's over
/// the x the GPU quantized (checked against the reference quantizer on the way).
#[test]
fn quantize_then_matvec_in_one_run() {
    let gpu = gpu();
    let (rows, cols) = (33, 1024);
    for &ty in MATVEC_Q8_TYPES {
        let x = awkward(cols, 11);
        let q = check_quantize(&x);
        let data = encode(ty, &fixed_weights(rows, cols));
        let m = gpu.upload_matrix("w", ty, rows, cols, &data).unwrap();
        let dx = gpu.upload_f32("x", &x).unwrap();
        let xq = gpu.zeros_f32("xq", q8_words(cols)).unwrap();
        let y = guarded_zeros(gpu, "y", rows);
        let reduction = Reduction::preferred(gpu.caps());
        let dispatches = [
            quantize_q8(gpu, &dx, &xq).unwrap(),
            matvec_q8(gpu, &m, &xq, &y, reduction).unwrap(),
        ];
        gpu.run("quantize_matvec_test", &dispatches).unwrap();
        let got = read_guarded(gpu, &y, rows);
        let want = linear_quantized(ty, &data, &q.dequantize()).unwrap();
        for (r, (g, e)) in got.iter().zip(&want).enumerate() {
            assert!(
                (g - e).abs() <= 1e-3 * e.abs().max(1.0),
                "{ty} row {r}: {g} vs {e}"
            );
        }
    }
}

/// The fused FFN input against the 8-bit x: `GluWeights::check_token` over the dequantized
/// x (both activations, every reduction, Q4_K's 64-invocation 4096-wide rows included).
#[test]
fn glu_matches_reference() {
    use axon_gpu::kernels::glu::GluActivation as Activation;
    use axon_gpu::kernels::matvec_q8::matvec_glu_q8;
    use axon_reference::ops::mlp::GateActivation;
    let gpu = gpu();
    for &ty in MATVEC_Q8_TYPES {
        for (ff, cols) in [(5, 256), (3, 4096)] {
            let glu = GluWeights::new(ty, ff, cols);
            let q = reference_quantize(&glu.input(1));
            let x = q.dequantize();
            let words: Vec<f32> = q.words().into_iter().map(f32::from_bits).collect();
            let xq = gpu.upload_f32("xq", &words).unwrap();
            let m = gpu
                .upload_matrix("gate_up", ty, 2 * ff, cols, &glu.data)
                .unwrap();
            for (act, reference) in [
                (Activation::Silu, GateActivation::Silu),
                (Activation::GeluTanh, GateActivation::GeluTanh),
            ] {
                for reduction in REDUCTIONS {
                    let y = guarded_zeros(gpu, "y", ff);
                    let dispatch = matvec_glu_q8(gpu, &m, &xq, &y, act, reduction).unwrap();
                    gpu.run("glu_q8_test", &[dispatch]).unwrap();
                    let got = read_guarded(gpu, &y, ff);
                    glu.check_token(
                        &x,
                        &got,
                        reference,
                        &format!("{ty} {ff}x{cols} {act:?} {reduction:?}"),
                    );
                }
            }
        }
    }
}

/// The norms that also write their row's 8-bit blocks (`rms_norm_q8`, `add_rms_norm_q8`)
/// equal the separate steps bit for bit: the same normed row (and updated residual), and the
/// blocks `quantize_q8` makes of it, word for word, at every reduction, for rows of one pair
/// of blocks to 4096 values and with the zero-centred weight offset.
#[test]
fn norms_with_8_bit_output_equal_norm_then_quantize() {
    use axon_gpu::kernels::rms_norm::{
        RmsNormParams, add_rms_norm, add_rms_norm_q8, rms_norm, rms_norm_q8,
    };
    let gpu = gpu();
    for cols in [32, 96, 1024, 4096] {
        let x = awkward(cols, 21);
        let residual = awkward(cols, 22);
        let weight: Vec<f32> = (0..cols).map(|c| 0.5 + (c % 7) as f32 / 8.0).collect();
        let dx = gpu.upload_f32("x", &x).unwrap();
        let dw = gpu.upload_f32("weight", &weight).unwrap();
        for (reduction, weight_offset) in REDUCTIONS.into_iter().zip([0.0, 1.0, 0.0]) {
            let params = RmsNormParams {
                eps: 1e-6,
                weight_offset,
                reduction,
            };
            let what = format!("{cols} values, {reduction:?}, offset {weight_offset}");
            let words = q8_words(cols);
            let bits = |v: Vec<f32>| v.into_iter().map(f32::to_bits).collect::<Vec<_>>();
            // Separate: norm, then quantize_q8 of its output (x, out and the residual exactly
            // one row long: quantize_q8 takes all of its input, add_rms_norm a residual of x's
            // length).
            let out = gpu.zeros_f32("out", cols).unwrap();
            let xq = guarded_zeros(gpu, "xq", words);
            let res = gpu.upload_f32("residual", &residual).unwrap();
            let read = |b: &axon_gpu::DeviceBuffer| gpu.read_f32(b).unwrap();
            let separate = [
                rms_norm(gpu, &dx, &dw, &out, params).unwrap(),
                quantize_q8(gpu, &out, &xq).unwrap(),
            ];
            gpu.run("norm_then_quantize", &separate).unwrap();
            let (want_out, want_xq) = (read(&out), read_guarded(gpu, &xq, words));
            let add_separate = [
                add_rms_norm(gpu, &res, &dx, &dw, &out, params).unwrap(),
                quantize_q8(gpu, &out, &xq).unwrap(),
            ];
            gpu.run("add_norm_then_quantize", &add_separate).unwrap();
            let want_add = (read(&out), read_guarded(gpu, &xq, words), read(&res));
            // Fused.
            let out = guarded_zeros(gpu, "out", cols);
            let xq = guarded_zeros(gpu, "xq", words);
            let res = gpu.upload_f32("residual", &residual).unwrap();
            gpu.run(
                "norm_q8",
                &[rms_norm_q8(gpu, &dx, &dw, (&out, &xq), params).unwrap()],
            )
            .unwrap();
            assert_eq!(
                bits(read_guarded(gpu, &out, cols)),
                bits(want_out),
                "{what}: out"
            );
            assert_eq!(
                bits(read_guarded(gpu, &xq, words)),
                bits(want_xq),
                "{what}: xq"
            );
            let fused = add_rms_norm_q8(gpu, &res, &dx, &dw, (&out, &xq), params).unwrap();
            gpu.run("add_norm_q8", &[fused]).unwrap();
            assert_eq!(
                bits(read_guarded(gpu, &out, cols)),
                bits(want_add.0),
                "{what}: add out"
            );
            assert_eq!(
                bits(read_guarded(gpu, &xq, words)),
                bits(want_add.1),
                "{what}: add xq"
            );
            assert_eq!(bits(read(&res)), bits(want_add.2), "{what}: residual");
        }
    }
}

/// The `_q8` norms take one row of whole pairs of blocks and an xq with room for them.
#[test]
fn norms_with_8_bit_output_refuse_what_they_cannot_take() {
    use axon_gpu::kernels::rms_norm::{Reduction, RmsNormParams, add_rms_norm_q8, rms_norm_q8};
    let gpu = gpu();
    let params = RmsNormParams {
        eps: 1e-6,
        weight_offset: 0.0,
        reduction: Reduction::Workgroup,
    };
    let buf = |n: usize| gpu.zeros_f32("b", n).unwrap();
    let (w64, w48) = (buf(64), buf(48));
    let xq = buf(q8_words(64));
    assert!(rms_norm_q8(gpu, &buf(64), &w64, (&buf(64), &xq), params).is_ok());
    // Two rows.
    assert!(rms_norm_q8(gpu, &buf(128), &w64, (&buf(128), &xq), params).is_err());
    // 48 values: not whole pairs of blocks.
    assert!(rms_norm_q8(gpu, &buf(48), &w48, (&buf(48), &buf(q8_words(64))), params).is_err());
    // xq one word short.
    let short = buf(q8_words(64) - 1);
    assert!(rms_norm_q8(gpu, &buf(64), &w64, (&buf(64), &short), params).is_err());
    assert!(add_rms_norm_q8(gpu, &buf(64), &buf(64), &w64, (&buf(64), &short), params).is_err());
    assert!(add_rms_norm_q8(gpu, &buf(32), &buf(64), &w64, (&buf(64), &xq), params).is_err());
}

/// The CPU reference multiplies by an 8-bit x exactly the formats the GPU kernels take.
#[test]
fn the_reference_models_the_same_formats() {
    assert_eq!(MATVEC_Q8_TYPES, &axon_reference::model::INT8_X_TYPES[..]);
}

#[test]
fn refuses_formats_and_lengths_it_cannot_take() {
    let gpu = gpu();
    let reduction = Reduction::Workgroup;
    let y = gpu.zeros_f32("y", 4).unwrap();
    let xq = gpu.zeros_f32("xq", q8_words(256)).unwrap();
    // Float weights keep an f32 x.
    let f32_w = gpu
        .upload_matrix("w", GgmlType::F32, 1, 256, &[0; 1024])
        .unwrap();
    assert!(matvec_q8(gpu, &f32_w, &xq, &y, reduction).is_err());
    let m = gpu
        .upload_matrix("w", GgmlType::Q8_0, 1, 256, &vec![0; 8 * 34])
        .unwrap();
    let short = gpu.zeros_f32("xq", q8_words(256) - 1).unwrap();
    assert!(matvec_q8(gpu, &m, &short, &y, reduction).is_err());
    // Several columns: 1 to 16, xq and y sized for all of them.
    let two = gpu.zeros_f32("xq", q8_words(2 * 256)).unwrap();
    let y2 = gpu.zeros_f32("y", 2).unwrap();
    assert!(matvec_q8_columns(gpu, &m, &two, &y2, 2, reduction).is_ok());
    assert!(matvec_q8_columns(gpu, &m, &two, &y2, 0, reduction).is_err());
    assert!(matvec_q8_columns(gpu, &m, &two, &y2, 17, reduction).is_err());
    assert!(matvec_q8_columns(gpu, &m, &xq, &y2, 2, reduction).is_err());
    assert!(
        matvec_q8_columns(gpu, &m, &two, &gpu.zeros_f32("y", 1).unwrap(), 2, reduction).is_err()
    );
    let x = gpu.zeros_f32("x", 48).unwrap();
    let xq48 = gpu.zeros_f32("xq", 2 * q8_words(48)).unwrap();
    assert!(quantize_q8(gpu, &x, &xq48).is_err());
    let x = gpu.zeros_f32("x", 64).unwrap();
    let tiny = gpu.zeros_f32("xq", q8_words(64) - 1).unwrap();
    assert!(quantize_q8(gpu, &x, &tiny).is_err());
}

fn problem() -> impl Strategy<Value = (GgmlType, usize, usize, Vec<f32>, Vec<f32>)> {
    (
        prop::sample::select(MATVEC_Q8_TYPES.to_vec()),
        1usize..24,
        1usize..4,
    )
        .prop_flat_map(|(ty, rows, blocks)| {
            let cols = blocks * 256;
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
    fn matvec_q8_matches_reference((ty, rows, cols, w, x) in problem()) {
        let q = check_quantize(&x);
        for reduction in REDUCTIONS {
            check_matvec(ty, [rows, cols], &w, &q, reduction);
        }
    }
}

/// Blocks mixing magnitudes from 1e-3 to 1e2 (as activations do), bit for bit.
#[test]
fn quantize_matches_reference_across_magnitudes() {
    for seed in 0..50u32 {
        let x: Vec<f32> = (0..1024)
            .map(|i| {
                ((i as f32 * 0.731 + seed as f32).sin()) * 10f32.powi((i * 7 + seed as i32) % 6 - 3)
            })
            .collect();
        check_quantize(&x);
    }
}

//! Property tests: arbitrary sizes and inputs never panic (typed errors instead), and every
//! quantizer round-trips within its documented error bound (see `quant::quantize`).

use axon_formats::quant::{
    GgmlType, QuantError, byte_len, can_dequantize, can_quantize, dequantize, dequantize_into,
    quantize,
};
use proptest::collection::vec;
use proptest::prelude::*;

fn any_type() -> impl Strategy<Value = GgmlType> {
    let all: Vec<GgmlType> = GgmlType::all().collect();
    (0..all.len()).prop_map(move |i| all[i])
}

/// Sizes near whole blocks (so both valid and off-by-a-few cases are common) or arbitrary.
fn near(block: usize) -> impl Strategy<Value = usize> {
    let jittered =
        (0usize..4, -2isize..=2).prop_map(move |(n, j)| (n * block).saturating_add_signed(j));
    prop_oneof![jittered, 0usize..1200]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn dequantize_never_panics(
        ty in any_type(),
        blocks in 0usize..4,
        elem_jitter in -2isize..=2,
        byte_jitter in -2isize..=2,
        fill in any::<u8>(),
    ) {
        let n_elem = (blocks * ty.block_len()).saturating_add_signed(elem_jitter);
        let n_bytes = (blocks * ty.block_bytes()).saturating_add_signed(byte_jitter);
        match dequantize(ty, &vec![fill; n_bytes], n_elem) {
            Ok(v) => {
                prop_assert_eq!(v.len(), n_elem);
                prop_assert_eq!(byte_len(ty, n_elem), Ok(n_bytes));
                prop_assert!(can_dequantize(ty));
            }
            Err(QuantError::Unsupported { .. }) => prop_assert!(!can_dequantize(ty)),
            Err(QuantError::SizeMismatch { expected_bytes, got_bytes, .. }) => {
                prop_assert_ne!(expected_bytes, got_bytes);
            }
            Err(QuantError::RaggedBlocks { .. }) => {
                prop_assert!(!n_elem.is_multiple_of(ty.block_len()));
            }
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }

    #[test]
    fn dequantize_arbitrary_lengths_never_panics(
        ty in any_type(),
        data in vec(any::<u8>(), 0..700),
        elements in near(32),
        out_len in near(256),
    ) {
        let _ = dequantize(ty, &data, elements);
        let mut out = vec![0.0f32; out_len];
        let _ = dequantize_into(ty, &data, &mut out);
    }

    #[test]
    fn quantize_never_panics(ty in any_type(), values in vec(any::<f32>(), 0..600)) {
        match quantize(ty, &values) {
            Ok(bytes) => {
                prop_assert!(can_quantize(ty));
                prop_assert!(values.iter().all(|v| v.is_finite()));
                let back = dequantize(ty, &bytes, values.len()).unwrap();
                prop_assert!(back.iter().all(|v| v.is_finite()));
            }
            Err(QuantError::NonFinite { index, .. }) => {
                prop_assert!(!values[index].is_finite());
            }
            Err(_) => {}
        }
    }
}

/// Test values: whole blocks of `(offset + u·g)·10^exp` with `u ∈ [−1, 1)` and a random
/// magnitude `g` per 16 elements (zero, small or full), so sub-blocks differ in range.
fn values(block_len: usize) -> impl Strategy<Value = Vec<f32>> {
    (1usize..=3, -5i32..=3, -2.0f32..2.0).prop_flat_map(move |(blocks, exp, offset)| {
        let n = blocks * block_len;
        let group = prop_oneof![Just(0.0f32), 0.001f32..1.0, Just(1.0f32)];
        (vec(-1.0f32..1.0, n), vec(group, n.div_ceil(16))).prop_map(move |(u, g)| {
            let scale = 10f32.powi(exp);
            u.iter()
                .enumerate()
                .map(|(i, u)| (offset + u * g[i / 16]) * scale)
                .collect()
        })
    })
}

fn round_trip(ty: GgmlType, x: &[f32]) -> Vec<f32> {
    let bytes = quantize(ty, x).unwrap();
    assert_eq!(bytes.len(), byte_len(ty, x.len()).unwrap());
    dequantize(ty, &bytes, x.len()).unwrap()
}

fn amax(x: &[f32]) -> f32 {
    x.iter().fold(0.0, |a, v| a.max(v.abs()))
}

fn min_max(x: &[f32]) -> (f32, f32) {
    x.iter()
        .fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)))
}

/// Checks `|x − x̂| ≤ tol(block)` for every element of every `block`-sized chunk.
fn check_bound(
    ty: GgmlType,
    x: &[f32],
    block: usize,
    tol: impl Fn(&[f32], usize) -> f32,
) -> Result<(), TestCaseError> {
    let y = round_trip(ty, x);
    for (b, (xs, ys)) in x.chunks(block).zip(y.chunks(block)).enumerate() {
        for (i, (a, r)) in xs.iter().zip(ys).enumerate() {
            let t = tol(xs, i);
            prop_assert!(
                (a - r).abs() <= t,
                "{ty} block {b} [{i}]: {a} -> {r}, bound {t}"
            );
        }
    }
    Ok(())
}

/// One f16 step at the bottom of the range (2⁻²⁴) and relative f32 noise allowances.
const F16_TINY: f32 = 5.960_464_5e-8;
const NOISE: f32 = 1.0 / 262_144.0; // 2⁻¹⁸

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn f32_round_trips_exactly(x in vec(any::<f32>().prop_filter("finite", |v| v.is_finite()), 0..64)) {
        let y = round_trip(GgmlType::F32, &x);
        prop_assert!(x.iter().zip(&y).all(|(a, b)| a.to_bits() == b.to_bits()));
    }

    #[test]
    fn f16_and_bf16_within_half_ulp(x in values(32)) {
        // ulp from the result's exponent field: f16 has 10 mantissa bits, bf16 has 7.
        for (ty, mant, bias) in [(GgmlType::F16, 10, 15), (GgmlType::BF16, 7, 127)] {
            let bytes = quantize(ty, &x).unwrap();
            let y = dequantize(ty, &bytes, x.len()).unwrap();
            for ((a, r), h) in x.iter().zip(&y).zip(bytes.chunks_exact(2)) {
                let bits = u16::from_le_bytes([h[0], h[1]]);
                let e = i32::from((bits & 0x7FFF) >> mant);
                let ulp = 2f32.powi(e.max(1) - bias - mant);
                prop_assert!((a - r).abs() <= ulp / 2.0, "{ty}: {a} -> {r} (ulp {ulp})");
            }
        }
    }

    #[test]
    fn q8_0_within_bound(x in values(32)) {
        // amax/254 (half a step of d = amax/127) + amax/2048 (f16 rounding of d, ≤ 127 steps).
        check_bound(GgmlType::Q8_0, &x, 32, |b, _| {
            let a = amax(b);
            a / 254.0 + a / 2048.0 + a * NOISE + 127.0 * F16_TINY / 2.0
        })?;
    }

    #[test]
    fn q4_0_and_q5_0_within_bound(x in values(32)) {
        // llama.cpp maps the signed extreme to −8 (−16): the other extreme clips a full step.
        for (ty, half_levels) in [(GgmlType::Q4_0, 8.0f32), (GgmlType::Q5_0, 16.0)] {
            check_bound(ty, &x, 32, |b, _| {
                let a = amax(b);
                a / half_levels + a / 2048.0 + a * NOISE + half_levels * F16_TINY / 2.0
            })?;
        }
    }

    #[test]
    fn q4_1_and_q5_1_within_bound(x in values(32)) {
        // Half a step, the f16 rounding of the step times at most `levels` steps, and the f16
        // rounding of the stored minimum.
        for (ty, levels) in [(GgmlType::Q4_1, 15.0f32), (GgmlType::Q5_1, 31.0)] {
            check_bound(ty, &x, 32, |b, _| {
                let (lo, hi) = min_max(b);
                let range = hi - lo;
                range / (2.0 * levels) + range / 2048.0 + lo.abs() / 2048.0
                    + (range + lo.abs()) * NOISE + levels * F16_TINY
            })?;
        }
    }

    #[test]
    fn q4_k_within_bound(x in values(256)) {
        // R_j/30 + (R + M)/1800 (+ one f16 step): see quant::quantize_k's derivation.
        check_bound(GgmlType::Q4K, &x, 256, |b, i| {
            let sub = |j: usize| {
                let (lo, hi) = min_max(&b[32 * j..32 * j + 32]);
                (hi - lo.min(0.0), -lo.min(0.0))
            };
            let (r_j, _) = sub(i / 32);
            let (r, m) = (0..8).map(sub).fold((0.0f32, 0.0f32), |(r, m), (a, b)| (r.max(a), m.max(b)));
            r_j / 30.0 + (r + m) / 1800.0 + (r + m) * NOISE + F16_TINY
        })?;
    }

    #[test]
    fn q5_k_within_bound(x in values(256)) {
        // R_j/62 + (R + M)/3844 (+ one f16 step): Q4_K's derivation with 31 levels.
        check_bound(GgmlType::Q5K, &x, 256, |b, i| {
            let sub = |j: usize| {
                let (lo, hi) = min_max(&b[32 * j..32 * j + 32]);
                (hi - lo.min(0.0), -lo.min(0.0))
            };
            let (r_j, _) = sub(i / 32);
            let (r, m) = (0..8).map(sub).fold((0.0f32, 0.0f32), |(r, m), (a, b)| (r.max(a), m.max(b)));
            r_j / 62.0 + (r + m) / 3844.0 + (r + m) * NOISE + F16_TINY
        })?;
    }

    #[test]
    fn q6_k_within_bound(x in values(256)) {
        // a_j/62 + A/7800 (+ one f16 step): see quant::quantize_k's derivation.
        check_bound(GgmlType::Q6K, &x, 256, |b, i| {
            let a_j = amax(&b[16 * (i / 16)..16 * (i / 16) + 16]);
            let a = amax(b);
            a_j / 62.0 + a / 7800.0 + a * NOISE + F16_TINY
        })?;
    }
}

#[test]
fn k_quant_errors_on_a_ramp() {
    // Ramp from −1.56 to 2.42 with a zero first sub-block. Positive sub-blocks keep their
    // offset at 0 (mins are clamped to <= 0, as in llama.cpp), so the last Q4_K sub-block spans
    // R_j = 2.42 and its bound is 2.42/30 ≈ 0.081; Q6_K's is 2.42/62 ≈ 0.039. The maxima come
    // close to those bounds and the RMS errors stay well below them.
    let mut x: Vec<f32> = (0..256).map(|i| (i as f32 - 100.0) / 64.0).collect();
    x[..32].fill(0.0);
    let q4 = round_trip(GgmlType::Q4K, &x);
    let q6 = round_trip(GgmlType::Q6K, &x);
    assert!(q4[..32].iter().chain(&q6[..32]).all(|v| *v == 0.0));
    let max = |y: &[f32]| {
        x.iter()
            .zip(y)
            .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()))
    };
    let rms =
        |y: &[f32]| (x.iter().zip(y).map(|(a, b)| (a - b) * (a - b)).sum::<f32>() / 256.0).sqrt();
    assert!(
        max(&q4) <= 0.081 && rms(&q4) < 0.03,
        "Q4_K {} {}",
        max(&q4),
        rms(&q4)
    );
    assert!(
        max(&q6) <= 0.039 && rms(&q6) < 0.015,
        "Q6_K {} {}",
        max(&q6),
        rms(&q6)
    );
}

//! Known-answer tests on hand-built blocks: each block is assembled byte by byte from explicit
//! f16 bit patterns, scales and quants, and the expected floats are worked out by hand from the
//! llama.cpp block layouts (`ggml-common.h`) and `dequantize_row_*` formulas.

use axon_formats::quant::{GgmlType, QuantError, QuantOp, dequantize, quantize};

// f16 bit patterns of exactly representable values.
const H_0_25: u16 = 0x3400;
const H_0_5: u16 = 0x3800;
const H_1: u16 = 0x3C00;
const H_2: u16 = 0x4000;
const H_NEG_1: u16 = 0xBC00;

/// A `len`-byte block of `fill`, with `parts` written at their offsets.
fn block(len: usize, fill: u8, parts: &[(usize, &[u8])]) -> Vec<u8> {
    let mut b = vec![fill; len];
    for (at, bytes) in parts {
        b[*at..*at + bytes.len()].copy_from_slice(bytes);
    }
    b
}

fn le(h: u16) -> [u8; 2] {
    h.to_le_bytes()
}

fn deq(ty: GgmlType, bytes: &[u8]) -> Vec<f32> {
    let n = bytes.len() / ty.block_bytes() * ty.block_len();
    dequantize(ty, bytes, n).unwrap()
}

/// Asserts `got == want` elementwise (so −0 equals 0), naming the first differing index.
fn assert_values(got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(g == w, "element {i}: got {g}, want {w}");
    }
}

#[test]
fn plain_floats_and_integers() {
    let f32s: Vec<u8> = [1.5f32, -0.0, 3.0e38]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    assert_values(&deq(GgmlType::F32, &f32s), &[1.5, 0.0, 3.0e38]);
    assert_eq!(deq(GgmlType::F32, &f32s)[1].to_bits(), 0x8000_0000);

    // 0x3555 = 2^-2 * (1 + 341/1024); 0x0001 = 2^-24 (smallest subnormal); 0x7BFF = 65504.
    let f16s: Vec<u8> = [H_1, 0xC000, 0x3555, 0x0001, 0x7BFF, 0x8000]
        .iter()
        .flat_map(|h| h.to_le_bytes())
        .collect();
    let got = deq(GgmlType::F16, &f16s);
    assert_values(
        &got,
        &[1.0, -2.0, 0.333_251_95, 5.960_464_5e-8, 65504.0, 0.0],
    );
    assert_eq!(got[5].to_bits(), 0x8000_0000);

    // bf16 is the top half of an f32: 0x3F80 = 1.0, 0xC0A0 = -5.0, 0x3E20 = 0.15625.
    let bf: Vec<u8> = [0x3F80u16, 0xC0A0, 0x3E20]
        .iter()
        .flat_map(|h| h.to_le_bytes())
        .collect();
    assert_values(&deq(GgmlType::BF16, &bf), &[1.0, -5.0, 0.15625]);

    assert_values(&deq(GgmlType::F64, &2.5f64.to_le_bytes()), &[2.5]);
    assert_values(&deq(GgmlType::I8, &[0xFF, 0x7F]), &[-1.0, 127.0]);
    assert_values(&deq(GgmlType::I16, &(-300i16).to_le_bytes()), &[-300.0]);
    // 2^24 + 1 rounds to nearest even f32.
    assert_values(
        &deq(GgmlType::I32, &16_777_217i32.to_le_bytes()),
        &[16_777_216.0],
    );
    assert_values(&deq(GgmlType::I64, &(-7i64).to_le_bytes()), &[-7.0]);
}

#[test]
fn q4_0_nibbles_and_offset_8() {
    // d = 0.5; byte j holds level j (element j) and 15 − j (element j + 16); x = (q − 8)·d.
    let qs: Vec<u8> = (0..16u8).map(|j| j | ((15 - j) << 4)).collect();
    let b = block(18, 0, &[(0, &le(H_0_5)), (2, &qs)]);
    let got = deq(GgmlType::Q4_0, &b);
    let want: Vec<f32> = (0..32)
        .map(|e| if e < 16 { e as f32 - 8.0 } else { (31 - e) as f32 - 8.0 } * 0.5)
        .collect();
    assert_values(&got, &want);
    assert_eq!((got[0], got[15], got[16], got[31]), (-4.0, 3.5, 3.5, -4.0));
}

#[test]
fn q4_1_scale_and_min() {
    // d = 0.25, m = −1; x = q·d + m.
    let qs: Vec<u8> = (0..16u8).map(|j| j | ((15 - j) << 4)).collect();
    let b = block(20, 0, &[(0, &le(H_0_25)), (2, &le(H_NEG_1)), (4, &qs)]);
    let got = deq(GgmlType::Q4_1, &b);
    assert_eq!((got[0], got[1], got[15]), (-1.0, -0.75, 2.75));
    assert_eq!((got[16], got[30], got[31]), (2.75, -0.75, -1.0));
}

#[test]
fn q5_0_high_bits() {
    // d = 0.5; qh bits 0, 16 and 31 set (elements 0, 16, 31); qs[3] = 0x5A, qs[15] = 0xF0.
    let qh = 0x8001_0001u32.to_le_bytes();
    let b = block(
        22,
        0,
        &[
            (0, &le(H_0_5)),
            (2, &qh),
            (6 + 3, &[0x5A]),
            (6 + 15, &[0xF0]),
        ],
    );
    let got = deq(GgmlType::Q5_0, &b);
    let mut want = vec![-8.0f32; 32]; // level 0 → (0 − 16)·0.5
    want[0] = 0.0; // 16 − 16
    want[16] = 0.0;
    want[3] = (10.0 - 16.0) * 0.5; // low nibble 0xA
    want[19] = (5.0 - 16.0) * 0.5; // high nibble 0x5
    want[31] = 15.0 * 0.5; // 0xF | 16 = 31
    assert_values(&got, &want);
}

#[test]
fn q5_1_high_bits_scale_and_min() {
    // d = 0.5, m = 2; qh bits 2 and 17; qs[1] = 0xF0, qs[2] = 0x31; x = q·d + m.
    let qh = 0x0002_0004u32.to_le_bytes();
    let b = block(
        24,
        0,
        &[(0, &le(H_0_5)), (2, &le(H_2)), (4, &qh), (9, &[0xF0, 0x31])],
    );
    let got = deq(GgmlType::Q5_1, &b);
    let mut want = vec![2.0f32; 32];
    want[2] = 17.0 * 0.5 + 2.0; // 1 | 16
    want[18] = 3.0 * 0.5 + 2.0;
    want[17] = 31.0 * 0.5 + 2.0; // 0xF | 16
    assert_values(&got, &want);
}

#[test]
fn q8_0_signed_bytes() {
    let b = block(
        34,
        0,
        &[(0, &le(H_0_25)), (2, &[0x80, 0x7F, 0xFF, 0x00, 0x01])],
    );
    let got = deq(GgmlType::Q8_0, &b);
    assert_eq!(&got[..5], &[-32.0, 31.75, -0.25, 0.0, 0.25]);
    assert!(got[5..].iter().all(|v| *v == 0.0));
}

#[test]
fn q2_k_scales_mins_and_shifts() {
    // d = 0.5, dmin = 0.25. scales[is] = min << 4 | scale:
    //   is 0 → (1, 2); is 5 → (3, 1); is 15 → (7, 15); others 0.
    // Sub-block is covers elements 16·is.., reads qs[32·(is/8) + 16·(is%2) + l] at bit
    // 2·((is%8)/2): element 0 = qs[0] bits 0-1; element 83 = qs[19] bits 4-5;
    // element 255 = qs[63] bits 6-7.
    let mut scales = [0u8; 16];
    scales[0] = 0x21;
    scales[5] = 0x13;
    scales[15] = 0xF7;
    let b = block(
        84,
        0,
        &[
            (0, &scales),
            (16, &[0b11]),
            (16 + 19, &[0b10 << 4]),
            (16 + 63, &[0b01 << 6]),
            (80, &le(H_0_5)),
            (82, &le(H_0_25)),
        ],
    );
    let got = deq(GgmlType::Q2K, &b);
    let mut want = vec![0.0f32; 256];
    want[..16].fill(-0.5); // 0.5·1·0 − 0.25·2
    want[0] = 1.0; // 0.5·1·3 − 0.5
    want[80..96].fill(-0.25); // 0.5·3·0 − 0.25·1
    want[83] = 2.75; // 0.5·3·2 − 0.25
    want[240..].fill(-3.75); // 0.5·7·0 − 0.25·15
    want[255] = -0.25; // 0.5·7·1 − 3.75
    assert_values(&got, &want);
}

#[test]
fn q3_k_hmask_and_signed_scales() {
    // Scales (6-bit, minus 32): is 0 → 33 (+1), is 9 → 30 (−2), is 14 → 63 (+31), others 32.
    // Low nibbles: byte k holds is k (low) and is k + 8 (high): s[0] = 0x01, s[1] = 0xE0,
    // s[6] = 0xF0. Top bits: byte 8 + is%4, bits 2·(is/4); default 0b10 → 0xAA, with
    // is 9 → 0b01 (s[9] = 0x9A) and is 14 → 0b11 (s[10] = 0xEA).
    let scales = [0x01, 0xE0, 0, 0, 0, 0, 0xF0, 0, 0xAA, 0x9A, 0xEA, 0xAA];
    // hmask all set (no −4) except: element 1 (hmask[1] bit 0), element 150 (hmask[22]
    // bit 4), element 239 (hmask[15] bit 7).
    let mut hmask = [0xFFu8; 32];
    hmask[1] &= !0x01;
    hmask[22] &= !0x10;
    hmask[15] &= !0x80;
    // Low bits: element 0 = qs[0] bits 0-1 = 3; element 150 = qs[54] bits 0-1 = 2;
    // element 151 = qs[55] = 1; element 239 = qs[47] bits 6-7 = 3.
    let mut qs = [0u8; 64];
    qs[0] = 3;
    qs[54] = 2;
    qs[55] = 1;
    qs[47] = 3 << 6;
    let b = block(
        110,
        0,
        &[(0, &hmask), (32, &qs), (96, &scales), (108, &le(H_0_5))],
    );
    let got = deq(GgmlType::Q3K, &b);
    let mut want = vec![0.0f32; 256];
    want[0] = 0.5 * 1.0 * 3.0;
    want[1] = 0.5 * 1.0 * -4.0; // clear hmask bit: 0 − 4
    want[150] = 0.5 * -2.0 * (2.0 - 4.0);
    want[151] = 0.5 * -2.0 * 1.0;
    want[239] = 0.5 * 31.0 * (3.0 - 4.0);
    assert_eq!(
        (want[0], want[1], want[150], want[151], want[239]),
        (1.5, -2.0, 2.0, -1.0, -15.5)
    );
    assert_values(&got, &want);
}

/// The 12-byte 6-bit scale/min table for Q4_K/Q5_K with sub-block 0 = (sc 3, m 2),
/// 5 = (45, 37), 7 = (63, 1), others 0. Sub-blocks 4..7 keep their low nibbles in bytes 8..12
/// (scale low, min high) and their top two bits in bits 6-7 of bytes j−4 (scale) and j (min).
const K4_SCALES: [u8; 12] = [
    0x03, // sc0 = 3
    0x80, // sc5 top bits (45 >> 4 = 2) << 6
    0x00, 0xC0, // sc7 top bits (63 >> 4 = 3) << 6
    0x02, // m0 = 2
    0x80, // m5 top bits (37 >> 4 = 2) << 6
    0x00, 0x00, // m7 top bits (1 >> 4 = 0)
    0x00, 0x5D, // sc5 low 13 | m5 low 5 << 4
    0x00, 0x1F, // sc7 low 15 | m7 low 1 << 4
];

#[test]
fn q4_k_six_bit_scale_packing() {
    // d = 0.5, dmin = 0.25; x = 0.5·sc·q − 0.25·m. Sub-block j reads nibble j%2 of
    // qs[32·(j/2) + l]: element 0 = qs[0] low (7), element 170 = qs[74] high (15),
    // element 255 = qs[127] high (2).
    let b = block(
        144,
        0,
        &[
            (0, &le(H_0_5)),
            (2, &le(H_0_25)),
            (4, &K4_SCALES),
            (16, &[0x07]),
            (16 + 74, &[0xF0]),
            (16 + 127, &[0x20]),
        ],
    );
    let got = deq(GgmlType::Q4K, &b);
    let mut want = vec![0.0f32; 256];
    want[..32].fill(-0.5);
    want[0] = 10.0; // 0.5·3·7 − 0.5
    want[160..192].fill(-9.25); // − 0.25·37
    want[170] = 328.25; // 0.5·45·15 − 9.25
    want[224..].fill(-0.25);
    want[255] = 62.75; // 0.5·63·2 − 0.25
    assert_values(&got, &want);
}

#[test]
fn q5_k_fifth_bits() {
    // Q4_K's header and scales; the fifth bit of element 32·j + l is bit j of qh[l].
    let mut qh = [0u8; 32];
    qh[0] = 0x01; // element 0
    qh[2] = 0x01; // element 2
    qh[10] = 0x20; // element 170
    qh[11] = 0x20; // element 171
    qh[30] = 0x80; // element 254
    let b = block(
        176,
        0,
        &[
            (0, &le(H_0_5)),
            (2, &le(H_0_25)),
            (4, &K4_SCALES),
            (16, &qh),
            (48, &[0x07]),
            (48 + 74, &[0xF0]),
            (48 + 127, &[0x20]),
        ],
    );
    let got = deq(GgmlType::Q5K, &b);
    let mut want = vec![0.0f32; 256];
    want[..32].fill(-0.5);
    want[0] = 34.0; // 0.5·3·(7 + 16) − 0.5
    want[2] = 23.5; // 0.5·3·16 − 0.5
    want[160..192].fill(-9.25);
    want[170] = 688.25; // 0.5·45·31 − 9.25
    want[171] = 350.75; // 0.5·45·16 − 9.25
    want[224..].fill(-0.25);
    want[254] = 503.75; // 0.5·63·16 − 0.25
    want[255] = 62.75; // 0.5·63·2 − 0.25 (bit 7 of qh[31] clear)
    assert_values(&got, &want);
}

#[test]
fn q6_k_layout_int8_scales_and_offset_32() {
    // d = 0.25; int8 scales: sub-block 0 → 1, 5 → −3, 11 → 127, 15 → −128, others 0.
    // All-zero quants are level 0 − 32, so sub-block defaults are 0.25·sc·(−32).
    let mut scales = [0u8; 16];
    scales[0] = 1;
    scales[5] = (-3i8) as u8;
    scales[11] = 127;
    scales[15] = (-128i8) as u8;
    let mut ql = [0u8; 128];
    let mut qh = [0u8; 64];
    // element 0 (half 0, quarter 0, l 0): ql[0] low, qh[0] bits 0-1; level 63 → q = 31.
    ql[0] = 0x0F;
    qh[0] = 0x03;
    // elements 85, 86 (quarter 2, l 21, 22): ql[l] high nibble, qh[l] bits 4-5.
    qh[21] = 0x20; // level 32 → q = 0
    ql[22] = 0x50;
    qh[22] = 0x20; // level 37 → q = 5
    // element 191 (half 1, quarter 1, l 31): ql[64 + 32 + 31] low, qh[32 + 31] bits 2-3;
    // element 255 (half 1, quarter 3, l 31): the same bytes' high nibble and bits 6-7.
    ql[127] = 0xF0 | 0x0F; // 191: level 31 (q = −1) with qh bits 01; 255: level 63 (q = 31)
    qh[63] = (0b11 << 6) | (0b01 << 2);
    let b = block(
        210,
        0,
        &[(0, &ql), (128, &qh), (192, &scales), (208, &le(H_0_25))],
    );
    let got = deq(GgmlType::Q6K, &b);
    let mut want = vec![0.0f32; 256];
    want[..16].fill(-8.0); // 0.25·1·−32
    want[80..96].fill(24.0); // 0.25·−3·−32
    want[176..192].fill(-1016.0); // 0.25·127·−32
    want[240..].fill(1024.0); // 0.25·−128·−32
    want[0] = 7.75; // 0.25·31
    want[85] = 0.0;
    want[86] = -3.75; // 0.25·−3·5
    want[191] = -31.75; // 0.25·127·−1
    want[255] = -992.0; // 0.25·−128·31
    assert_values(&got, &want);
}

#[test]
fn q8_k_f32_scale() {
    // d = 0.5; qs[0] = −128, qs[1] = 2, qs[255] = 127, the rest 0x55; bsums are ignored.
    let b = block(
        292,
        0x55,
        &[
            (0, &0.5f32.to_le_bytes()),
            (4, &[0x80, 0x02]),
            (259, &[0x7F]),
        ],
    );
    let got = deq(GgmlType::Q8K, &b);
    assert_eq!((got[0], got[1], got[255]), (-64.0, 1.0, 63.5));
    assert!(got[2..255].iter().all(|v| *v == 0.5 * 85.0)); // 0x55 = 85
}

/// llama.cpp's `kvalues_iq4nl`.
const KV: [f32; 16] = [
    -127.0, -104.0, -83.0, -65.0, -49.0, -35.0, -22.0, -10.0, 1.0, 13.0, 25.0, 38.0, 53.0, 69.0,
    89.0, 113.0,
];

#[test]
fn iq4_nl_table_lookup() {
    // d = 0.5; byte j = index j (element j) | index 15 − j (element j + 16).
    let qs: Vec<u8> = (0..16u8).map(|j| j | ((15 - j) << 4)).collect();
    let got = deq(GgmlType::Iq4Nl, &block(18, 0, &[(0, &le(H_0_5)), (2, &qs)]));
    let want: Vec<f32> = (0..32)
        .map(|e| 0.5 * if e < 16 { KV[e] } else { KV[31 - e] })
        .collect();
    assert_values(&got, &want);
    assert_eq!(
        (got[0], got[15], got[16], got[31]),
        (-63.5, 56.5, 56.5, -63.5)
    );
}

#[test]
fn iq4_xs_scale_bits() {
    // d = 0.25. 6-bit scales ls (minus 32): ib0 = 33, ib3 = 0, ib6 = 63, ib7 = 40, others 32.
    // scales_l nibbles (ib even low, odd high): [0x01, 0x00, 0x00, 0x8F];
    // scales_h 2 bits per ib: 2,2,2,0,2,2,3,2 → 0b10_11_10_10_00_10_10_10 = 0xBA2A.
    // Quants default 0x88 (index 8 → +1), so each sub-block defaults to d·(ls − 32).
    let mut qs = [0x88u8; 128];
    qs[0] = 0x0F; // element 0 → 113, element 16 → −127
    qs[48 + 5] = 0x70; // element 101 → −127, element 117 → −10
    qs[96 + 15] = 0xF8; // element 207 → 1, element 223 → 113
    let b = block(
        136,
        0,
        &[
            (0, &le(H_0_25)),
            (2, &0xBA2Au16.to_le_bytes()),
            (4, &[0x01, 0x00, 0x00, 0x8F]),
            (8, &qs),
        ],
    );
    let got = deq(GgmlType::Iq4Xs, &b);
    let mut want = vec![0.0f32; 256];
    want[..32].fill(0.25); // 0.25·1·1
    want[96..128].fill(-8.0); // 0.25·−32·1
    want[192..224].fill(7.75); // 0.25·31·1
    want[224..].fill(2.0); // 0.25·8·1
    want[0] = 28.25; // 0.25·113
    want[16] = -31.75;
    want[101] = 1016.0; // −8·−127
    want[117] = 80.0; // −8·−10
    want[223] = 875.75; // 7.75·113
    assert_values(&got, &want);
}

#[test]
fn size_errors_are_typed() {
    use GgmlType as T;
    assert_eq!(
        dequantize(T::Q4K, &[0; 143], 256),
        Err(QuantError::SizeMismatch {
            ty: T::Q4K,
            elements: 256,
            expected_bytes: 144,
            got_bytes: 143
        })
    );
    assert_eq!(
        dequantize(T::Q4_0, &[], 31),
        Err(QuantError::RaggedBlocks {
            ty: T::Q4_0,
            elements: 31,
            block_len: 32
        })
    );
    assert_eq!(
        dequantize(T::Iq2Xxs, &[0; 66], 256),
        Err(QuantError::Unsupported {
            ty: T::Iq2Xxs,
            op: QuantOp::Dequantize
        })
    );
    let huge = usize::MAX / 32 * 32;
    assert_eq!(
        dequantize(T::Q8_0, &[], huge),
        Err(QuantError::TooLarge {
            ty: T::Q8_0,
            elements: huge
        })
    );
    let mut out = [0.0f32; 33];
    assert!(matches!(
        axon_formats::quant::dequantize_into(T::Q8_0, &[0; 34], &mut out),
        Err(QuantError::RaggedBlocks { .. })
    ));
}

#[test]
fn quantize_errors_are_typed() {
    use GgmlType as T;
    let mut v = vec![0.5f32; 64];
    v[40] = f32::NAN;
    assert!(matches!(
        quantize(T::Q8_0, &v),
        Err(QuantError::NonFinite {
            ty: T::Q8_0,
            index: 40,
            ..
        })
    ));
    v[40] = f32::NEG_INFINITY;
    assert!(matches!(
        quantize(T::F32, &v),
        Err(QuantError::NonFinite { index: 40, .. })
    ));
    assert_eq!(
        quantize(T::Q4K, &[0.0; 255]),
        Err(QuantError::RaggedBlocks {
            ty: T::Q4K,
            elements: 255,
            block_len: 256
        })
    );
    assert_eq!(
        quantize(T::Iq4Xs, &[0.0; 256]),
        Err(QuantError::Unsupported {
            ty: T::Iq4Xs,
            op: QuantOp::Quantize
        })
    );
    // Scales beyond f16: d = 1e7/127 > 65504 in block 1.
    let mut big = vec![1.0f32; 64];
    big[33] = 1e7;
    assert!(matches!(
        quantize(T::Q8_0, &big),
        Err(QuantError::OutOfRange { block: 1, .. })
    ));
    assert!(matches!(
        quantize(T::F16, &[1.0, 7e4]),
        Err(QuantError::OutOfRange { block: 1, .. })
    ));
    assert!(matches!(
        quantize(T::BF16, &[f32::MAX]),
        Err(QuantError::OutOfRange { .. })
    ));
    let mut wide = vec![0.0f32; 256];
    wide[0] = f32::MAX;
    wide[1] = -f32::MAX;
    for t in [T::Q4K, T::Q6K, T::Q4_1, T::Q4_0, T::Q5_0, T::Q5_1] {
        assert!(
            matches!(
                quantize(t, &wide),
                Err(QuantError::OutOfRange { block: 0, .. })
            ),
            "{t}"
        );
    }
}

//! Embedding gather for every format vs the formats crate's CPU dequantization of the same
//! rows. Tolerance: 1e-6 relative (+1e-30 for zeros): both decode identical bits with the same
//! f32 operations in the same order (products of an f16 scale, a sub-block scale and a small
//! integer, minus a minimum where the format has one, then the embedding scale), each
//! correctly rounded in Vulkan, so the results are equal; 1e-6 (16 u) leaves room for a few
//! roundings done differently. Measured on lavapipe: bit-equal for all eleven formats.
//! What it does not cover: Vulkan lets a compiler fuse a multiply and an add (WGSL cannot
//! forbid it). In the formats that subtract a minimum (Q4_1, Q4_K, Q5_K) a fused `d·q - m`
//! differs from the CPU's by one rounding of the product, u·|d·q|, which is not relative to a
//! result that cancels to near zero; a driver that fuses there (RDNA3's ACO may) would need an
//! absolute term of about 2^-24 · max|d·q|. Ids past the vocabulary give zero rows.

use super::{guarded_zeros, read_guarded};
use crate::gpu;
use axon_formats::quant::{GgmlType, dequantize};
use axon_gpu::kernels::gather::gather;
use axon_gpu::kernels::matvec::MATVEC_TYPES;
use axon_gpu::kernels::repack::SPLIT_TYPES;

fn random_bytes(n: usize, seed: u32) -> Vec<u8> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            s as u8
        })
        .collect()
}

/// Random blocks whose f16 fields hold small finite values.
fn table(ty: GgmlType, rows: usize, cols: usize, seed: u32) -> Vec<u8> {
    let mut data = random_bytes(rows * ty.bytes_for(cols as u64).unwrap() as usize, seed);
    let f16_fields: &[usize] = match ty {
        GgmlType::F16 => &[],
        GgmlType::F32 | GgmlType::BF16 => &[],
        GgmlType::Q8_0 | GgmlType::Q4_0 | GgmlType::Q5_0 | GgmlType::Iq4Xs => &[0],
        GgmlType::Q4_1 | GgmlType::Q4K | GgmlType::Q5K => &[0, 2],
        GgmlType::Q6K => &[208],
        _ => &[],
    };
    let sanitize = |b: &mut [u8]| {
        let h = 0x1c00u16 | u16::from(b[0]) | (u16::from(b[1] & 0x3) << 8);
        b.copy_from_slice(&h.to_le_bytes());
    };
    match ty {
        GgmlType::F32 => data.chunks_exact_mut(4).for_each(|w| {
            w.copy_from_slice(&((u32::from(w[0]) as f32 - 128.0) / 7.0).to_le_bytes())
        }),
        GgmlType::F16 | GgmlType::BF16 => data.chunks_exact_mut(2).for_each(|w| w[1] &= 0x3f),
        _ => {
            for block in data.chunks_exact_mut(ty.block_bytes()) {
                for &f in f16_fields {
                    sanitize(&mut block[f..f + 2]);
                }
            }
        }
    }
    data
}

#[test]
fn gather_matches_cpu_dequantization_for_every_format() {
    let gpu = gpu();
    for &ty in MATVEC_TYPES {
        let (rows, cols) = (7, 512);
        let data = table(ty, rows, cols, ty.id() + 11);
        let m = gpu.upload_matrix("embd", ty, rows, cols, &data).unwrap();
        let ids = [3u32, 0, 6, 3, 99];
        let dids = gpu.upload_u32("ids", &ids).unwrap();
        let out = guarded_zeros(gpu, "out", ids.len() * cols);
        let scale = 1.5f32;
        gpu.run(
            "gather_test",
            &[gather(gpu, &m, &dids, &out, scale).unwrap()],
        )
        .unwrap();
        let got = read_guarded(gpu, &out, ids.len() * cols);
        let all = dequantize(ty, &data, rows * cols).unwrap();
        for (t, &id) in ids.iter().enumerate() {
            let row = &got[t * cols..(t + 1) * cols];
            if id as usize >= rows {
                assert!(
                    row.iter().all(|&v| v == 0.0),
                    "{ty}: id past the vocabulary"
                );
                continue;
            }
            let want = &all[id as usize * cols..(id as usize + 1) * cols];
            for (c, (g, w)) in row.iter().zip(want).enumerate() {
                let w = w * scale;
                // Same bits, same correctly rounded f32 operations: equal (module docs: 1e-6
                // is slack for a different rounding, not for a fused multiply-add).
                assert!(
                    (g - w).abs() <= 1e-6 * w.abs() + 1e-30,
                    "{ty} token {t} col {c}: gpu {g} vs cpu {w}"
                );
            }
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(super::CASES))]
    /// The split layouts (`kernels/repack.rs`: block bodies first, their heads after)
    /// decode bit for bit as the formats crate dequantizes the file's blocks, for every row of
    /// tables of any shape (so every block's head is found at its place), for every split format.
    #[test]
    fn split_layouts_decode_bit_for_bit(
        ty in proptest::sample::select(SPLIT_TYPES), rows in 1usize..9, blocks in 1usize..5, seed in proptest::num::u32::ANY,
    ) {
        let gpu = gpu();
        let cols = blocks * ty.block_len();
        let data = table(ty, rows, cols, seed);
        let m = gpu.upload_matrix("embd", ty, rows, cols, &data).unwrap();
        let ids: Vec<u32> = (0..rows as u32).rev().collect();
        let dids = gpu.upload_u32("ids", &ids).unwrap();
        let out = guarded_zeros(gpu, "out", rows * cols);
        gpu.run("gather_split", &[gather(gpu, &m, &dids, &out, 1.0).unwrap()]).unwrap();
        let got = read_guarded(gpu, &out, rows * cols);
        let all = dequantize(ty, &data, rows * cols).unwrap();
        for (t, &id) in ids.iter().enumerate() {
            let want = &all[id as usize * cols..(id as usize + 1) * cols];
            for (c, (g, w)) in got[t * cols..(t + 1) * cols].iter().zip(want).enumerate() {
                proptest::prop_assert_eq!(g.to_bits(), w.to_bits(), "{} row {} col {}", ty, id, c);
            }
        }
    }
}

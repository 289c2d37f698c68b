//! The device layout of weight matrices whose file blocks are not whole 16-byte units.
//!
//! Q6_K (210 bytes: 208 of quants and scales, then an f16 d) and Q8_0 (34 bytes: an f16 d,
//! then 32 quants) are uploaded split in two regions: every block's body, in file order (208
//! or 32 bytes: whole 16-byte units, so every block starts aligned and the kernels read it
//! with 16-byte loads), then every block's f16 d, in the same order, from `scale_offset`. The
//! bytes are the file's, moved, never converted: the kernels find block `k`'s d at
//! `scale_offset + 2 k`, with `k = body offset / body bytes`. Every other format keeps its
//! file layout. `repack_into` and `unpack` are inverse (tested); the GPU decode of the split
//! layout is checked bit for bit against the formats crate's dequantizer
//! (`tests/gpu/kernels/gather.rs`).

use axon_formats::quant::GgmlType;

/// Where a format's f16 d sits in its file block, and how many bytes the rest takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitBlock {
    /// Bytes of one file block.
    pub block_bytes: usize,
    /// Offset of the f16 d inside the file block.
    pub scale_at: usize,
}

impl SplitBlock {
    /// Bytes of one block's body on the device (the file block without its d).
    pub fn body_bytes(&self) -> usize {
        self.block_bytes - 2
    }
}

/// The split of `ty`'s blocks, or `None` when the format keeps its file layout.
pub fn split_block(ty: GgmlType) -> Option<SplitBlock> {
    match ty {
        GgmlType::Q6K => Some(SplitBlock {
            block_bytes: 210,
            scale_at: 208,
        }),
        GgmlType::Q8_0 => Some(SplitBlock {
            block_bytes: 34,
            scale_at: 0,
        }),
        _ => None,
    }
}

/// Writes `data` (whole file blocks) into the front of `out` in the split layout: bodies,
/// then the d's. Returns the offset of the d's. `out` must hold at least `data.len()` bytes.
pub fn repack_into(split: SplitBlock, data: &[u8], out: &mut [u8]) -> usize {
    let blocks = data.len() / split.block_bytes;
    let body = split.body_bytes();
    let scale_offset = blocks * body;
    let (bodies, scales) = out.split_at_mut(scale_offset);
    for (k, block) in data.chunks_exact(split.block_bytes).enumerate() {
        let (before, rest) = block.split_at(split.scale_at);
        let (d, after) = rest.split_at(2);
        let dst = &mut bodies[k * body..(k + 1) * body];
        dst[..before.len()].copy_from_slice(before);
        dst[before.len()..].copy_from_slice(after);
        scales[2 * k..2 * k + 2].copy_from_slice(d);
    }
    scale_offset
}

/// The file blocks back from the split layout (the inverse of [`repack_into`]).
pub fn unpack(split: SplitBlock, packed: &[u8]) -> Vec<u8> {
    let blocks = packed.len() / split.block_bytes;
    let body = split.body_bytes();
    let (bodies, scales) = packed.split_at(blocks * body);
    let mut out = Vec::with_capacity(packed.len());
    for k in 0..blocks {
        let b = &bodies[k * body..(k + 1) * body];
        out.extend_from_slice(&b[..split.scale_at]);
        out.extend_from_slice(&scales[2 * k..2 * k + 2]);
        out.extend_from_slice(&b[split.scale_at..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn unpack_inverts_repack(q6 in any::<bool>(), blocks in 1usize..40, seed in any::<u64>()) {
            let ty = if q6 { GgmlType::Q6K } else { GgmlType::Q8_0 };
            let split = split_block(ty).unwrap();
            let mut s = seed | 1;
            let data: Vec<u8> = (0..blocks * split.block_bytes)
                .map(|_| {
                    s ^= s << 13;
                    s ^= s >> 7;
                    s ^= s << 17;
                    s as u8
                })
                .collect();
            let mut packed = vec![0u8; data.len()];
            let scale_offset = repack_into(split, &data, &mut packed);
            prop_assert_eq!(scale_offset, blocks * split.body_bytes());
            prop_assert_eq!(scale_offset % 16, 0, "bodies are whole 16-byte units");
            // Block k's d lands at scale_offset + 2k.
            for k in 0..blocks {
                let at = k * split.block_bytes + split.scale_at;
                prop_assert_eq!(&packed[scale_offset + 2 * k..scale_offset + 2 * k + 2], &data[at..at + 2]);
            }
            prop_assert_eq!(&unpack(split, &packed), &data);
            // Nothing is written past the file's bytes (the upload pads after them).
            let mut padded = vec![0xa5u8; data.len() + 16];
            repack_into(split, &data, &mut padded);
            prop_assert_eq!(&padded[..data.len()], &packed[..]);
            prop_assert!(padded[data.len()..].iter().all(|&b| b == 0xa5));
        }
    }

    #[test]
    fn only_unaligned_blocks_are_split() {
        for ty in [GgmlType::Q4K, GgmlType::Q5K, GgmlType::F16, GgmlType::Q4_0] {
            assert_eq!(split_block(ty), None, "{ty:?}");
        }
        for ty in [GgmlType::Q6K, GgmlType::Q8_0] {
            let split = split_block(ty).unwrap();
            assert_eq!(split.block_bytes, ty.block_bytes());
            assert_eq!(split.body_bytes() % 16, 0);
        }
    }
}

//! The device layout of weight matrices whose file blocks are not whole 16-byte units.
//!
//! Q4_0 (18 bytes: an f16 d, then 16 bytes of nibbles), Q4_1 (20: f16 d and m, nibbles), Q5_0
//! (22: f16 d, 4 bytes of fifth bits, nibbles), Q8_0 (34: f16 d, 32 quants), Q6_K (210: 208
//! of quants and scales, then an f16 d) and IQ4_XS (136: f16 d, 6 bytes of sub-block scales,
//! 128 bytes of nibbles) are uploaded split in two regions: every block's body, in file
//! order (the block without its head: whole 16-byte units, so every block starts aligned and
//! the kernels read it with 16-byte loads), then every block's head, in the same order, each
//! in a slot of `head_stride` bytes from `head_offset` (a power of two, so a head never
//! straddles a slot the kernels read as words). The bytes are the file's, moved, never
//! converted: the kernels find block `k`'s head at `head_offset + head_stride * k`, with
//! `k = body offset / body bytes`. Every other format keeps its file layout. `repack_into`
//! and `unpack` are inverse (tested); the GPU decode of the split layout is checked bit for
//! bit against the formats crate's dequantizer (`tests/gpu/kernels/gather.rs`).

use axon_formats::quant::GgmlType;

/// Where a format's head sits in its file block, and how the split layout stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitBlock {
    /// Bytes of one file block.
    pub block_bytes: usize,
    /// Offset of the head (the bytes moved apart) inside the file block.
    pub head_at: usize,
    /// Bytes of the head.
    pub head_bytes: usize,
    /// Bytes of one head's slot in the heads' region (`head_bytes` rounded up to a power of
    /// two; the rest is zero).
    pub head_stride: usize,
}

impl SplitBlock {
    const fn new(block_bytes: usize, head_at: usize, head_bytes: usize) -> Self {
        Self {
            block_bytes,
            head_at,
            head_bytes,
            head_stride: head_bytes.next_power_of_two(),
        }
    }

    /// Bytes of one block's body on the device (the file block without its head).
    pub fn body_bytes(&self) -> usize {
        self.block_bytes - self.head_bytes
    }

    /// Bytes the split layout of `data_len` bytes of whole file blocks takes: the bodies,
    /// then one head slot per block.
    pub fn packed_len(&self, data_len: usize) -> usize {
        data_len / self.block_bytes * (self.body_bytes() + self.head_stride)
    }
}

/// The formats uploaded in the split layout.
pub const SPLIT_TYPES: &[GgmlType] = &[
    GgmlType::Q4_0,
    GgmlType::Q4_1,
    GgmlType::Q5_0,
    GgmlType::Q8_0,
    GgmlType::Q6K,
    GgmlType::Iq4Xs,
];

/// The split of `ty`'s blocks, or `None` when the format keeps its file layout.
pub fn split_block(ty: GgmlType) -> Option<SplitBlock> {
    match ty {
        GgmlType::Q4_0 => Some(SplitBlock::new(18, 0, 2)),
        GgmlType::Q4_1 => Some(SplitBlock::new(20, 0, 4)),
        GgmlType::Q5_0 => Some(SplitBlock::new(22, 0, 6)),
        GgmlType::Q8_0 => Some(SplitBlock::new(34, 0, 2)),
        GgmlType::Q6K => Some(SplitBlock::new(210, 208, 2)),
        GgmlType::Iq4Xs => Some(SplitBlock::new(136, 0, 8)),
        _ => None,
    }
}

/// Writes `data` (whole file blocks) into the front of `out` in the split layout: bodies,
/// then the heads. Returns the offset of the heads. `out` must hold at least
/// [`SplitBlock::packed_len`] bytes; nothing past them is written.
pub fn repack_into(split: SplitBlock, data: &[u8], out: &mut [u8]) -> usize {
    let blocks = data.len() / split.block_bytes;
    let body = split.body_bytes();
    let head_offset = blocks * body;
    let (bodies, heads) = out.split_at_mut(head_offset);
    for (k, block) in data.chunks_exact(split.block_bytes).enumerate() {
        let (before, rest) = block.split_at(split.head_at);
        let (head, after) = rest.split_at(split.head_bytes);
        let dst = &mut bodies[k * body..(k + 1) * body];
        dst[..before.len()].copy_from_slice(before);
        dst[before.len()..].copy_from_slice(after);
        let slot = &mut heads[k * split.head_stride..(k + 1) * split.head_stride];
        slot[..head.len()].copy_from_slice(head);
        slot[head.len()..].fill(0);
    }
    head_offset
}

/// The file blocks back from the split layout (the inverse of [`repack_into`]).
pub fn unpack(split: SplitBlock, packed: &[u8]) -> Vec<u8> {
    let blocks = packed.len() / (split.body_bytes() + split.head_stride);
    let body = split.body_bytes();
    let (bodies, heads) = packed.split_at(blocks * body);
    let mut out = Vec::with_capacity(blocks * split.block_bytes);
    for k in 0..blocks {
        let b = &bodies[k * body..(k + 1) * body];
        let head = &heads[k * split.head_stride..][..split.head_bytes];
        out.extend_from_slice(&b[..split.head_at]);
        out.extend_from_slice(head);
        out.extend_from_slice(&b[split.head_at..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn unpack_inverts_repack(which in 0..SPLIT_TYPES.len(), blocks in 1usize..40, seed in any::<u64>()) {
            let split = split_block(SPLIT_TYPES[which]).unwrap();
            let mut s = seed | 1;
            let data: Vec<u8> = (0..blocks * split.block_bytes)
                .map(|_| {
                    s ^= s << 13;
                    s ^= s >> 7;
                    s ^= s << 17;
                    s as u8
                })
                .collect();
            let len = split.packed_len(data.len());
            let mut packed = vec![0xa5u8; len];
            let head_offset = repack_into(split, &data, &mut packed);
            prop_assert_eq!(head_offset, blocks * split.body_bytes());
            prop_assert_eq!(head_offset % 16, 0, "bodies are whole 16-byte units");
            // Block k's head lands at head_offset + head_stride * k, its slot's rest zero.
            for k in 0..blocks {
                let at = k * split.block_bytes + split.head_at;
                let slot = &packed[head_offset + split.head_stride * k..][..split.head_stride];
                prop_assert_eq!(&slot[..split.head_bytes], &data[at..at + split.head_bytes]);
                prop_assert!(slot[split.head_bytes..].iter().all(|&b| b == 0));
            }
            prop_assert_eq!(&unpack(split, &packed), &data);
            // Nothing is written past the packed bytes (the upload pads after them).
            let mut padded = vec![0xa5u8; len + 16];
            repack_into(split, &data, &mut padded);
            prop_assert_eq!(&padded[..len], &packed[..]);
            prop_assert!(padded[len..].iter().all(|&b| b == 0xa5));
        }
    }

    #[test]
    fn only_unaligned_blocks_are_split() {
        for ty in [
            GgmlType::Q4K,
            GgmlType::Q5K,
            GgmlType::F16,
            GgmlType::BF16,
            GgmlType::F32,
        ] {
            assert_eq!(split_block(ty), None, "{ty:?}");
        }
        for &ty in SPLIT_TYPES {
            let split = split_block(ty).unwrap();
            assert_eq!(split.block_bytes, ty.block_bytes());
            assert_eq!(split.body_bytes() % 16, 0, "{ty:?}");
            assert!(split.head_stride.is_power_of_two() && split.head_stride >= split.head_bytes);
        }
    }
}

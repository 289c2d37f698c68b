//! The element type of a KV cache. The cache buffers hold 32-bit words: one f32 element per
//! word, or two IEEE halves (element `2w` in the low half of word `w`), rounded to nearest,
//! ties to even (`wgsl/parts/kv_f16.wgsl`). The kernels that write a cache (`attention_input`,
//! `copy_columns` into a cache) and read one (decode and prefill attention) have a variant per
//! type; their launchers take the type beside the buffers. CPU twin of the rounding:
//! `axon_reference::ops::kv_cache::round_to_half`.

use super::check_room;
use crate::buffer::DeviceBuffer;
use crate::error::GpuError;
use std::fmt;
use std::str::FromStr;

/// How a KV cache stores its elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum KvType {
    /// 32-bit floats, as the projections write them.
    #[default]
    F32,
    /// IEEE halves: half the memory and the attention reads of f32.
    F16,
}

impl KvType {
    /// Both types.
    pub const ALL: [KvType; 2] = [KvType::F32, KvType::F16];

    /// `"f32"` or `"f16"` (what `axon bench` reports and [`KvType::from_str`] reads).
    pub fn name(self) -> &'static str {
        match self {
            Self::F32 => "f32",
            Self::F16 => "f16",
        }
    }

    /// Bytes per cache element.
    pub fn element_bytes(self) -> u64 {
        match self {
            Self::F32 => 4,
            Self::F16 => 2,
        }
    }

    /// `f32` or `f16`, whichever is this type's: the variant of a kernel with a twin per cache
    /// type.
    pub fn pick<T>(self, f32: T, f16: T) -> T {
        match self {
            Self::F32 => f32,
            Self::F16 => f16,
        }
    }

    /// Elements per 32-bit word.
    fn per_word(self) -> usize {
        match self {
            Self::F32 => 1,
            Self::F16 => 2,
        }
    }

    /// 32-bit words (a [`DeviceBuffer`]'s elements) that hold `elements` cache elements.
    pub fn words(self, elements: usize) -> usize {
        elements.div_ceil(self.per_word())
    }

    /// Whether a value count or offset falls on a word boundary: what a kernel writing the
    /// cache in whole words needs of a row's width and start.
    pub fn word_aligned(self, elements: usize) -> bool {
        elements.is_multiple_of(self.per_word())
    }

    /// [`GpuError::ShapeMismatch`] unless `n` (`what`: a width or offset in elements) is
    /// [`KvType::word_aligned`].
    pub(crate) fn check_aligned(
        self,
        kernel: &'static str,
        what: &'static str,
        n: usize,
    ) -> Result<(), GpuError> {
        if self.word_aligned(n) {
            Ok(())
        } else {
            Err(GpuError::ShapeMismatch {
                kernel,
                what,
                expected: n.next_multiple_of(self.per_word()),
                got: n,
            })
        }
    }

    /// [`GpuError::ShapeMismatch`] unless `cache` holds at least `elements` elements.
    pub(crate) fn check_room(
        self,
        kernel: &'static str,
        what: &'static str,
        cache: &DeviceBuffer,
        elements: usize,
    ) -> Result<(), GpuError> {
        check_room(kernel, what, cache, self.words(elements))
    }
}

impl fmt::Display for KvType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A KV cache type name that is neither `f32` nor `f16`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown KV cache type {0:?} (expected f32 or f16)")]
pub struct UnknownKvType(pub String);

impl FromStr for KvType {
    type Err = UnknownKvType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownKvType(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::KvType;

    #[test]
    fn names_parse_back_and_sizes_follow_the_type() {
        for t in KvType::ALL {
            assert_eq!(t.name().parse::<KvType>(), Ok(t));
            assert_eq!(t.to_string(), t.name());
        }
        assert!("bf16".parse::<KvType>().is_err());
        assert_eq!(KvType::F16.words(7), 4);
        assert_eq!(KvType::F32.words(7), 7);
        assert_eq!(KvType::F16.element_bytes() * 2, KvType::F32.element_bytes());
        assert!(KvType::F16.word_aligned(6) && !KvType::F16.word_aligned(5));
        assert!(KvType::F32.word_aligned(5));
    }
}

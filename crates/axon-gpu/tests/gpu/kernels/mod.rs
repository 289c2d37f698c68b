//! One module per kernel family: GPU result vs the `axon-reference` twin, over random shapes.

mod add;
mod argmax;
mod attention;
mod attention_input;
mod attention_prefill;
mod copy;
mod deltanet;
mod deltanet_chunked;
mod deltanet_input;
mod gather;
mod glu;
mod matmul;
mod matvec;
mod matvec_fold;
mod matvec_q8;
mod position;
mod rms_norm;
mod rope;
mod top_k;
mod weights;

use axon_gpu::Dispatch;
use axon_gpu::kernels::Reduction;
use axon_gpu::kernels::kv_cache::KvType;
use axon_reference::ops::kv_cache::{half_bits, round_to_half};

/// Cases per property test: enough to hit ragged sizes, few enough for lavapipe in CI.
pub const CASES: u32 = 64;

/// Every reduction choice; each reducing kernel's test runs all of them.
pub const REDUCTIONS: [Reduction; 3] = [
    Reduction::Subgroup,
    Reduction::Workgroup,
    Reduction::OneSubgroup,
];

/// Asserts that `dispatch` runs at the width `reduction` promises: exactly one subgroup (the
/// device's largest size) for [`Reduction::OneSubgroup`], the variant table's size otherwise.
/// On lavapipe the test script pins the subgroup size (`AXON_EXPECT_SUBGROUP`, checked by
/// `adapter.rs`), so a one-subgroup case there provably ran as one subgroup.
pub fn assert_width(dispatch: &Dispatch, reduction: Reduction) {
    let want = match reduction {
        Reduction::OneSubgroup => Some(crate::gpu().caps().subgroup_max_size),
        Reduction::Subgroup | Reduction::Workgroup => dispatch.variant.workgroup_size,
    };
    assert_eq!(
        dispatch.workgroup_size(),
        want,
        "{} at {reduction:?}",
        dispatch.variant.name
    );
}

/// [`assert_width`] for the row norms (`rms_norm` and its fused forms): one subgroup for
/// [`Reduction::OneSubgroup`], the table size past `FEW_ROWS` rows; for fewer rows, the power
/// of two covering the row, at least the table size, at most 1024 and the device's limit.
pub fn assert_row_width(dispatch: &Dispatch, reduction: Reduction, [rows, cols]: [usize; 2]) {
    use axon_gpu::kernels::rms_norm::{FEW_ROWS, MAX_ROW_WIDTH};
    if reduction == Reduction::OneSubgroup || rows > FEW_ROWS {
        return assert_width(dispatch, reduction);
    }
    let limits = &crate::gpu().caps().limits;
    let cap = MAX_ROW_WIDTH
        .min(limits.max_compute_invocations_per_workgroup)
        .min(limits.max_compute_workgroup_size_x);
    let cap = 1u32 << (31 - cap.leading_zeros());
    let table = dispatch.variant.workgroup_size.unwrap();
    let want = (cols as u32).next_power_of_two().min(cap).max(table);
    assert_eq!(
        dispatch.workgroup_size(),
        Some(want),
        "{} at {reduction:?}, {rows} rows of {cols}",
        dispatch.variant.name
    );
}

/// Elements past the end of every output buffer the kernel tests allocate.
pub const GUARD: usize = 7;
/// What those elements hold; a kernel that writes past its output overwrites it.
pub const SENTINEL: f32 = -12_345.5;

/// `data` followed by [`GUARD`] sentinels (an in-place or output buffer).
pub fn guarded_upload(gpu: &axon_gpu::Gpu, label: &str, data: &[f32]) -> axon_gpu::DeviceBuffer {
    let mut padded = data.to_vec();
    padded.extend([SENTINEL; GUARD]);
    gpu.upload_f32(label, &padded).unwrap()
}

/// `n` zeros followed by [`GUARD`] sentinels.
pub fn guarded_zeros(gpu: &axon_gpu::Gpu, label: &str, n: usize) -> axon_gpu::DeviceBuffer {
    guarded_upload(gpu, label, &vec![0.0; n])
}

/// The first `n` values of `buf`, after checking the sentinels past them survived.
pub fn read_guarded(gpu: &axon_gpu::Gpu, buf: &axon_gpu::DeviceBuffer, n: usize) -> Vec<f32> {
    let mut all = gpu.read_f32(buf).unwrap();
    assert_eq!(all.len(), n + GUARD, "{}: guarded length", buf.label());
    assert!(
        all[n..].iter().all(|&v| v == SENTINEL),
        "{}: a kernel wrote past its {n} elements: {:?}",
        buf.label(),
        &all[n..]
    );
    all.truncate(n);
    all
}

/// `n` pseudo-random values in `[-scale, scale)` (xorshift; the same seed gives the same values).
/// The seed is scrambled first (SplitMix64's finalizer), so seeds that differ in one bit (the
/// tests derive a case's streams as `seed ^ 1`, `seed ^ 2`, ...) give unrelated streams; a
/// plain `seed | 1` would give `seed` and `seed ^ 1` the same one.
pub fn noise(n: usize, seed: u64, scale: f32) -> Vec<f32> {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    let mut s = (z ^ (z >> 31)) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * scale
        })
        .collect()
}

/// Asserts `|got - want| <= rel · (1 + |want|)` element by element.
pub fn assert_close(got: &[f32], want: &[f32], rel: f32, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= rel * (1.0 + w.abs()),
            "{what}[{i}]: gpu {g} vs reference {w}"
        );
    }
}

/// The words a KV cache of type `kv` holds for `values` (f32 bits, or two halves per word,
/// rounded by the reference's `half_bits`; an odd count pads the last word with zero).
pub fn cache_words(values: &[f32], kv: KvType) -> Vec<u32> {
    match kv {
        KvType::F32 => values.iter().map(|v| v.to_bits()).collect(),
        KvType::F16 => values
            .chunks(2)
            .map(|pair| {
                let lo = u32::from(half_bits(pair[0]));
                let hi = pair.get(1).map_or(0, |&v| u32::from(half_bits(v)));
                lo | hi << 16
            })
            .collect(),
    }
}

/// `values` as a cache of type `kv` returns them to attention.
pub fn as_cached(values: &[f32], kv: KvType) -> Vec<f32> {
    match kv {
        KvType::F32 => values.to_vec(),
        KvType::F16 => values.iter().map(|&v| round_to_half(v)).collect(),
    }
}

/// A cache of type `kv` holding `values`.
pub fn upload_cache(
    gpu: &axon_gpu::Gpu,
    label: &str,
    values: &[f32],
    kv: KvType,
) -> axon_gpu::DeviceBuffer {
    let words: Vec<f32> = cache_words(values, kv)
        .into_iter()
        .map(f32::from_bits)
        .collect();
    gpu.upload_f32(label, &words).unwrap()
}

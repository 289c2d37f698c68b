//! Launcher for the `top_k` entry of `wgsl/argmax.wgsl`: the `k` best values of a vector (the
//! vocabulary) and their indices, in rank order, so top-k sampling reads back `k` pairs
//! instead of the logits.
//!
//! Each level splits its candidates into segments of `WG_SIZE * 16` (256 * 16 at the table's
//! size), one workgroup each, and keeps every segment's `k` best; levels chain until one
//! segment remains, which writes the result.
//! Rank: larger value first, NaN below every number, ties to the lower index. The CPU twin is
//! `axon_reference::ops::sampling::top_k`.

use super::argmax::IndexBuffer;
use super::check_binding;
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::kernels::Reduction;
use crate::pipelines::Kernel;
use crate::registry::variants::TOP_K_F32;

/// Largest `k` the kernel selects (each round is one workgroup reduction).
pub const MAX_K: usize = 256;

/// Candidates per invocation: WGSL's `PER_THREAD` (the registry test compares them).
pub const PER_THREAD: usize = 16;

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    n: u32,
    k: u32,
    indexed: u32,
    _pad: u32,
}

/// Top-k over vectors of `n` values: the scratch of the intermediate levels, allocated once.
#[derive(Debug)]
pub struct TopK {
    n: usize,
    k: usize,
    /// The variant at the width the segments were sized for.
    kernel: Kernel,
    segment: usize,
    /// Candidates of levels 1.. (values, indices).
    levels: Vec<(DeviceBuffer, IndexBuffer)>,
    /// Bound as the unused index input of level 0.
    no_indices: IndexBuffer,
}

impl TopK {
    /// Plans top-`k` over `n` values (`1 <= k <= min(n, 256)`; see [`TopK::with_reduction`]
    /// for narrower workgroups).
    pub fn new(gpu: &Gpu, n: usize, k: usize) -> Result<Self, GpuError> {
        Self::with_reduction(gpu, n, k, Reduction::Workgroup)
    }

    /// [`TopK::new`] in workgroups of `reduction`'s width: the kernel's tree over workgroup
    /// memory either way, at the table's size, or one subgroup wide for
    /// [`Reduction::OneSubgroup`]. Segments shrink with the workgroup, and when `n` spans
    /// more than one, `k` may be at most half a segment (so each level has fewer candidates
    /// than the last): 32 at 4 lanes, 128 at 16, all of [`MAX_K`] from 32 lanes up.
    pub fn with_reduction(
        gpu: &Gpu,
        n: usize,
        k: usize,
        reduction: Reduction,
    ) -> Result<Self, GpuError> {
        const KERNEL: &str = "top_k";
        if k == 0 || k > MAX_K.min(n) {
            return Err(GpuError::ShapeMismatch {
                kernel: KERNEL,
                what: "k (1..=min(n, 256))",
                expected: MAX_K.min(n),
                got: k,
            });
        }
        let kernel = reduction.width(gpu, KERNEL, &TOP_K_F32)?;
        // The grid follows the size the pipeline is created with.
        let segment = kernel.workgroup_size().unwrap_or(1) as usize * PER_THREAD;
        let max_groups = gpu.caps().limits.max_compute_workgroups_per_dimension as usize;
        if n > segment * max_groups {
            return Err(GpuError::GridTooLarge {
                kernel: KERNEL,
                groups: n.div_ceil(segment) as u64,
                max_per_dim: max_groups as u32,
            });
        }
        // Each level keeps k per segment: past one segment the candidates shrink only when
        // two segments' winners fit in one (2k <= segment); otherwise the levels never end.
        if n > segment && 2 * k > segment {
            return Err(GpuError::ShapeMismatch {
                kernel: KERNEL,
                what: "k (at most half a segment of WG_SIZE * 16 when n spans segments)",
                expected: segment / 2,
                got: k,
            });
        }
        let mut levels = Vec::new();
        let mut candidates = n;
        while candidates > segment {
            candidates = candidates.div_ceil(segment) * k;
            levels.push((
                gpu.zeros_f32("top_k.values", candidates)?,
                gpu.zeros_u32("top_k.indices", candidates)?,
            ));
        }
        Ok(Self {
            n,
            k,
            kernel,
            segment,
            levels,
            no_indices: gpu.zeros_u32("top_k.no_indices", 1)?,
        })
    }

    /// The dispatches (run in order, in one submit) writing the `k` best of `values` (length
    /// `n`) into `out_values` and `out_indices` (at least `k` each), best first.
    pub fn dispatches(
        &self,
        gpu: &Gpu,
        values: &DeviceBuffer,
        out_values: &DeviceBuffer,
        out_indices: &IndexBuffer,
    ) -> Result<Vec<Dispatch>, GpuError> {
        const KERNEL: &str = "top_k";
        let mismatch = |what, expected, got| GpuError::ShapeMismatch {
            kernel: KERNEL,
            what,
            expected,
            got,
        };
        if values.len() != self.n {
            return Err(mismatch("values", self.n, values.len()));
        }
        if out_values.len() < self.k || out_indices.len() < self.k {
            return Err(mismatch(
                "outputs (at least k)",
                self.k,
                out_values.len().min(out_indices.len()),
            ));
        }
        check_binding(gpu, KERNEL, "values", values)?;
        let mut dispatches = Vec::with_capacity(self.levels.len() + 1);
        let mut input = (values, &self.no_indices, self.n, false);
        for level in 0..=self.levels.len() {
            let (out_v, out_i) = match self.levels.get(level) {
                Some((v, i)) => (v, i),
                None => (out_values, out_indices),
            };
            let (in_v, in_i, n, indexed) = input;
            let params = Params {
                n: n as u32,
                k: self.k as u32,
                indexed: u32::from(indexed),
                _pad: 0,
            };
            let uniform = gpu.uniform("top_k.params", &params)?;
            let groups = u32::try_from(n.div_ceil(self.segment)).unwrap_or(u32::MAX);
            dispatches.push(Dispatch::with_bindings(
                gpu,
                self.kernel,
                &[
                    (3, &uniform),
                    (4, in_v.raw()),
                    (5, in_i.raw()),
                    (6, out_v.raw()),
                    (7, out_i.raw()),
                ],
                [groups, 1, 1],
            )?);
            input = (out_v, out_i, n.div_ceil(self.segment) * self.k, true);
        }
        Ok(dispatches)
    }
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        top_k_params: super::Params = variants::TOP_K_F32,
        "TopKParams" { n, k, indexed }
    );
}

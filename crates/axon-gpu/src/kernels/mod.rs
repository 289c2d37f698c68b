//! Kernel launchers: each checks its contract, binds its buffers and returns a [`Dispatch`].
//!
//! A launcher never runs anything by itself; callers put dispatches into [`Gpu::run`] (one
//! submit), which is what plans will do too.
//!
//! Outputs may be longer than a call needs (a scratch buffer sized for the largest call):
//! launchers check only that they have room, and no kernel writes past the elements its call
//! covers. Every family's GPU test proves that with sentinels past the end of its outputs.

pub mod add;
pub mod argmax;
pub mod attention;
pub mod attention_input;
pub mod attention_prefill;
pub mod copy;
pub mod deltanet;
pub mod deltanet_input;
pub mod gather;
pub mod glu;
pub mod kv_cache;
pub mod l2_norm;
pub mod matmul;
pub mod matvec;
pub mod matvec_q8;
pub mod noop;
pub mod position;
pub mod quantize_q8;
pub mod repack;
pub mod rms_norm;
pub mod rope;
pub mod subgroup_probe;
pub mod top_k;

/// Defines a unit test that the `#[repr(C)]` uniform `$ty` a launcher uploads has the size of
/// the WGSL struct `$wgsl` in `$variant`'s composed source, and its named (non-`_pad`) fields
/// the same names at the same offsets, in order.
#[cfg(test)]
macro_rules! wgsl_layout_test {
    ($test:ident: $ty:ty = $variant:expr, $wgsl:literal { $($field:ident),* $(,)? }) => {
        #[test]
        fn $test() {
            $crate::kernels::assert_wgsl_layout(
                &$variant,
                $wgsl,
                ::std::mem::size_of::<$ty>(),
                &[$((stringify!($field), ::std::mem::offset_of!($ty, $field))),*],
            );
        }
    };
}
#[cfg(test)]
pub(crate) use wgsl_layout_test;

/// The check behind [`wgsl_layout_test!`].
#[cfg(test)]
pub(crate) fn assert_wgsl_layout(
    variant: &KernelVariant,
    wgsl: &str,
    size: usize,
    fields: &[(&str, usize)],
) {
    let source = crate::registry::compose(variant.files);
    let module = naga::front::wgsl::parse_str(source.text()).unwrap();
    let (span, members) = module
        .types
        .iter()
        .find_map(|(_, t)| match (&t.name, &t.inner) {
            (Some(name), naga::TypeInner::Struct { members, span }) if name == wgsl => {
                Some((*span, members.clone()))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("{}: no struct {wgsl}", variant.name));
    assert_eq!(size, span as usize, "{wgsl}: bytes (Rust vs WGSL)");
    let named: Vec<(&str, usize)> = members
        .iter()
        .filter_map(|m| m.name.as_deref().map(|n| (n, m.offset as usize)))
        .filter(|(n, _)| !n.starts_with('_'))
        .collect();
    assert_eq!(
        fields,
        &named[..],
        "{wgsl}: fields and offsets (Rust vs WGSL)"
    );
}

use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::device::caps::DeviceCaps;
use crate::error::GpuError;
use crate::grid::fold_grid;
use crate::pipelines::Kernel;
use crate::registry::{KernelVariant, ReducedPair};

/// Fails unless `buf` fits one storage binding and is indexable by a `u32`.
pub(crate) fn check_binding(
    gpu: &Gpu,
    kernel: &'static str,
    what: &'static str,
    buf: &DeviceBuffer,
) -> Result<(), GpuError> {
    let max = gpu
        .caps()
        .max_storage_binding_bytes()
        .min(u64::from(u32::MAX));
    if buf.byte_len() > max {
        return Err(GpuError::BindingTooLarge {
            kernel,
            what,
            bytes: buf.byte_len(),
            max,
        });
    }
    Ok(())
}

/// Fails unless `buf` holds exactly `expected` elements.
pub(crate) fn check_len(
    kernel: &'static str,
    what: &'static str,
    buf: &DeviceBuffer,
    expected: usize,
) -> Result<(), GpuError> {
    if buf.len() != expected {
        return Err(GpuError::ShapeMismatch {
            kernel,
            what,
            expected,
            got: buf.len(),
        });
    }
    Ok(())
}

/// Fails unless the output `buf` has room for `needed` elements. Outputs may be longer (a
/// scratch buffer sized for the largest call); kernels never write past `needed`.
pub(crate) fn check_room(
    kernel: &'static str,
    what: &'static str,
    buf: &DeviceBuffer,
    needed: usize,
) -> Result<(), GpuError> {
    if buf.len() < needed {
        return Err(GpuError::ShapeMismatch {
            kernel,
            what,
            expected: needed,
            got: buf.len(),
        });
    }
    Ok(())
}

/// [`GpuError::TooManyStorageBuffers`] unless one shader stage of this device may bind the
/// `needed` storage buffers `pair`'s kernel binds.
pub(crate) fn check_storage_buffers(
    gpu: &Gpu,
    pair: &ReducedPair,
    needed: u32,
) -> Result<(), GpuError> {
    let max = gpu.caps().max_storage_buffers_per_stage();
    if max < needed {
        return Err(GpuError::TooManyStorageBuffers {
            variant: pair.subgroup.name,
            needed,
            max,
            adapter: gpu.caps().adapter_name.clone(),
        });
    }
    Ok(())
}

/// The grid for `groups` workgroups on this device.
pub(crate) fn grid(gpu: &Gpu, kernel: &'static str, groups: u64) -> Result<[u32; 3], GpuError> {
    let max_per_dim = gpu.caps().limits.max_compute_workgroups_per_dimension;
    fold_grid(groups, max_per_dim).ok_or(GpuError::GridTooLarge {
        kernel,
        groups,
        max_per_dim,
    })
}

/// A two-dimensional grid of `x` by `y` workgroups, unfolded (each within the per-dimension
/// limit).
pub(crate) fn grid_2d(
    gpu: &Gpu,
    kernel: &'static str,
    [x, y]: [usize; 2],
) -> Result<[u32; 3], GpuError> {
    let max_per_dim = gpu.caps().limits.max_compute_workgroups_per_dimension;
    let fit = |n: usize| u32::try_from(n).ok().filter(|&n| n <= max_per_dim);
    match (fit(x), fit(y)) {
        (Some(x), Some(y)) => Ok([x, y, 1]),
        _ => Err(GpuError::GridTooLarge {
            kernel,
            groups: (x as u64).saturating_mul(y as u64),
            max_per_dim,
        }),
    }
}

/// How a workgroup adds up its partial sums, and how wide it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reduction {
    /// Subgroup operations, then one pass over the per-subgroup partials, at the table's
    /// workgroup size.
    Subgroup,
    /// A tree in workgroup memory at the table's workgroup size; needs no subgroup support.
    Workgroup,
    /// The subgroup reduction in a workgroup exactly one subgroup wide (`WG_SIZE` = the
    /// device's largest subgroup size): what RDNA3 runs for every 64-invocation workgroup
    /// (one wave64), and what no other device runs at the table's sizes. Kernels whose
    /// workgroups share values only through workgroup memory (argmax, top-k, the chunked
    /// delta rule) keep their code and take the same width. Needs subgroups.
    OneSubgroup,
}

impl Reduction {
    /// Subgroups when the device has them, the workgroup tree otherwise.
    pub fn preferred(caps: &DeviceCaps) -> Self {
        if caps.has_subgroups() {
            Self::Subgroup
        } else {
            Self::Workgroup
        }
    }

    /// The workgroup size [`Reduction::OneSubgroup`] gives kernels on this device: its
    /// largest subgroup size. Fails with [`GpuError::NoSubgroups`] without subgroups.
    pub fn one_subgroup_size(caps: &DeviceCaps, kernel: &'static str) -> Result<u32, GpuError> {
        if !caps.has_subgroups() || caps.subgroup_max_size == 0 {
            return Err(GpuError::NoSubgroups {
                kernel,
                adapter: caps.adapter_name.clone(),
            });
        }
        Ok(caps.subgroup_max_size)
    }

    /// The variant of `pair` this choice runs, at the workgroup size its pipeline gets.
    pub(crate) fn pick(
        self,
        gpu: &Gpu,
        kernel: &'static str,
        pair: &ReducedPair,
    ) -> Result<Kernel, GpuError> {
        match self {
            Self::Subgroup => Ok(pair.subgroup.into()),
            Self::Workgroup => Ok(pair.workgroup.into()),
            Self::OneSubgroup => Kernel::sized(
                pair.subgroup,
                Self::one_subgroup_size(gpu.caps(), kernel)?,
                gpu.caps(),
            ),
        }
    }

    /// The width of a kernel that has one variant (no reduction choice, e.g. a tree that
    /// needs no subgroups): the table's size, or one subgroup for
    /// [`Reduction::OneSubgroup`].
    pub(crate) fn width(
        self,
        gpu: &Gpu,
        kernel: &'static str,
        variant: &'static KernelVariant,
    ) -> Result<Kernel, GpuError> {
        match self {
            Self::Subgroup | Self::Workgroup => Ok(variant.into()),
            Self::OneSubgroup => Kernel::sized(
                variant,
                Self::one_subgroup_size(gpu.caps(), kernel)?,
                gpu.caps(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(subgroups: bool, max: u32) -> DeviceCaps {
        DeviceCaps {
            adapter_name: "test".to_owned(),
            device_type: wgpu::DeviceType::Cpu,
            backend: wgpu::Backend::Vulkan,
            driver: String::new(),
            subgroup_min_size: 4,
            subgroup_max_size: max,
            features: if subgroups {
                wgpu::Features::SUBGROUP
            } else {
                wgpu::Features::empty()
            },
            limits: wgpu::Limits::default(),
            cooperative_matrix: Vec::new(),
            downlevel: wgpu::DownlevelFlags::empty(),
        }
    }

    #[test]
    fn one_subgroup_is_the_largest_subgroup_size() {
        assert_eq!(
            Reduction::one_subgroup_size(&caps(true, 64), "k").unwrap(),
            64
        );
        assert_eq!(
            Reduction::one_subgroup_size(&caps(true, 16), "k").unwrap(),
            16
        );
    }

    #[test]
    fn one_subgroup_without_subgroups_is_a_typed_error() {
        let err = Reduction::one_subgroup_size(&caps(false, 128), "rms_norm").unwrap_err();
        assert!(
            matches!(
                err,
                GpuError::NoSubgroups {
                    kernel: "rms_norm",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn sizes_are_checked_against_the_variant_and_the_device() {
        use crate::registry::variants::{
            ARGMAX_SLICES, ATTN_PREFILL, RMS_NORM_F32_SUBGROUP, RMS_NORM_F32_WORKGROUP,
        };
        let caps = caps(true, 64);
        let k = Kernel::sized(&RMS_NORM_F32_SUBGROUP, 64, &caps).unwrap();
        assert_eq!(k.workgroup_size(), Some(64));
        assert_eq!(k.overrides(), vec![("WG_SIZE", 64.0)]);
        // The subgroup part takes any size; trees need a power of two.
        assert!(Kernel::sized(&RMS_NORM_F32_SUBGROUP, 48, &caps).is_ok());
        for (variant, size) in [
            (&RMS_NORM_F32_WORKGROUP, 48),
            (&ARGMAX_SLICES, 24),
            (&RMS_NORM_F32_SUBGROUP, 0),
            (&RMS_NORM_F32_SUBGROUP, 4096),
            (&ATTN_PREFILL, 64),
        ] {
            let err = Kernel::sized(variant, size, &caps).unwrap_err();
            assert!(matches!(err, GpuError::WorkgroupSize { .. }), "{err}");
        }
        // The table's size by default.
        let table: Kernel = (&RMS_NORM_F32_SUBGROUP).into();
        assert_eq!(table.workgroup_size(), RMS_NORM_F32_SUBGROUP.workgroup_size);
    }
}

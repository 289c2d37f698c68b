//! Compute pipelines for registry variants, created on first use and cached per device,
//! workgroup size and (matrix-vector kernels) input column count.

use crate::device::Gpu;
use crate::device::caps::DeviceCaps;
use crate::error::{GpuError, ObjectKind};
use crate::registry::{KernelVariant, compose};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A registry variant at the workgroup size its pipeline is created with: the key of the
/// pipeline cache, and the number launchers derive grid sizes from (so the `WG_SIZE` a
/// pipeline runs at and the grid Rust computes for it come from one value).
#[derive(Debug, Clone, Copy)]
pub struct Kernel {
    variant: &'static KernelVariant,
    workgroup_size: Option<u32>,
    /// The `COLUMNS` override of the matrix-vector kernels (1: their default, not passed).
    columns: u32,
}

impl From<&'static KernelVariant> for Kernel {
    /// The variant at its table size (the one source of every default size).
    fn from(variant: &'static KernelVariant) -> Self {
        Self {
            variant,
            workgroup_size: variant.workgroup_size,
            columns: 1,
        }
    }
}

impl Kernel {
    /// `variant` at `size` invocations per workgroup instead of its table size. Fails unless
    /// the variant takes a `WG_SIZE` override, the device allows that many invocations, and
    /// (for tree reductions) `size` is a power of two.
    pub fn sized(
        variant: &'static KernelVariant,
        size: u32,
        caps: &DeviceCaps,
    ) -> Result<Self, GpuError> {
        let refuse = |reason: String| GpuError::WorkgroupSize {
            variant: variant.name,
            size,
            reason,
        };
        if variant.workgroup_size.is_none() {
            return Err(refuse(
                "the kernel fixes its own workgroup size (no WG_SIZE override)".to_owned(),
            ));
        }
        let max = caps
            .limits
            .max_compute_invocations_per_workgroup
            .min(caps.limits.max_compute_workgroup_size_x);
        if size == 0 || size > max {
            return Err(refuse(format!("the device allows 1..={max} invocations")));
        }
        if variant.power_of_two_workgroup && !size.is_power_of_two() {
            return Err(refuse("its tree reduction needs a power of two".to_owned()));
        }
        Ok(Self {
            variant,
            workgroup_size: Some(size),
            columns: 1,
        })
    }

    /// This kernel taking `columns` input vectors per dispatch: the `COLUMNS` override that
    /// `wgsl/matvec.wgsl` and `wgsl/matvec_wide.wgsl` declare (only their variants take it;
    /// the matrix-vector launcher checks the count against the kernels' bound).
    pub(crate) fn with_columns(self, columns: u32) -> Self {
        Self { columns, ..self }
    }

    /// The registry variant.
    pub fn variant(&self) -> &'static KernelVariant {
        self.variant
    }

    /// The `WG_SIZE` the pipeline is created with (`None`: fixed in the WGSL).
    pub fn workgroup_size(&self) -> Option<u32> {
        self.workgroup_size
    }

    /// The override constants the pipeline is created with.
    pub fn overrides(&self) -> Vec<(&'static str, f64)> {
        let mut overrides = self.variant.overrides_at(self.workgroup_size);
        if self.columns != 1 {
            overrides.push(("COLUMNS", f64::from(self.columns)));
        }
        overrides
    }

    /// The pipeline's label: the variant's name, with `@size` when not the table's size.
    fn label(&self) -> String {
        let mut label = self.variant.name.to_owned();
        if let Some(size) = self.workgroup_size
            && self.workgroup_size != self.variant.workgroup_size
        {
            label.push_str(&format!("@{size}"));
        }
        if self.columns != 1 {
            label.push_str(&format!("x{}", self.columns));
        }
        label
    }
}

/// What a pipeline is cached by: the variant's name, its `WG_SIZE` and its `COLUMNS`.
type PipelineKey = (&'static str, Option<u32>, u32);

/// Pipelines by variant name and workgroup size.
#[derive(Debug, Default)]
pub(crate) struct PipelineCache {
    pipelines: Mutex<HashMap<PipelineKey, Arc<wgpu::ComputePipeline>>>,
}

impl Gpu {
    /// The pipeline of `kernel` (a variant, at its table size unless sized otherwise),
    /// compiled on first use. Fails with [`GpuError::MissingFeature`] when the device lacks
    /// what the variant needs.
    pub fn pipeline(
        &self,
        kernel: impl Into<Kernel>,
    ) -> Result<Arc<wgpu::ComputePipeline>, GpuError> {
        let kernel = kernel.into();
        let variant = kernel.variant;
        let key = (variant.name, kernel.workgroup_size, kernel.columns);
        let cached = self
            .pipelines
            .pipelines
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key)
            .cloned();
        if let Some(pipeline) = cached {
            return Ok(pipeline);
        }
        let missing = |feature| GpuError::MissingFeature {
            variant: variant.name,
            feature,
            adapter: self.caps().adapter_name.clone(),
        };
        if let Some(feature) = variant.needs.missing(self.caps()) {
            return Err(missing(feature));
        }
        let label = kernel.label();
        let source = compose(variant.files);
        let module = self.create_kernel_module(&label, source.text())?;
        let overrides = kernel.overrides();
        let pipeline = self.guarded(ObjectKind::ComputePipeline, &label, |d| {
            d.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(&label),
                layout: None,
                module: &module,
                entry_point: Some(variant.entry_point),
                compilation_options: wgpu::PipelineCompilationOptions {
                    constants: &overrides,
                    // Every kernel writes its workgroup memory before reading it.
                    zero_initialize_workgroup_memory: false,
                },
                cache: None,
            })
        })?;
        let pipeline = Arc::new(pipeline);
        self.pipelines
            .pipelines
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key, Arc::clone(&pipeline));
        Ok(pipeline)
    }
}

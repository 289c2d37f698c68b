//! Compute pipelines for registry variants, created on first use and cached per device.

use crate::device::Gpu;
use crate::error::{GpuError, ObjectKind};
use crate::registry::{KernelVariant, compose};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Pipelines by variant name.
#[derive(Debug, Default)]
pub(crate) struct PipelineCache {
    pipelines: Mutex<HashMap<&'static str, Arc<wgpu::ComputePipeline>>>,
}

impl Gpu {
    /// The pipeline of `variant`, compiled on first use. Fails with
    /// [`GpuError::MissingFeature`] when the device lacks what the variant needs.
    pub fn pipeline(
        &self,
        variant: &'static KernelVariant,
    ) -> Result<Arc<wgpu::ComputePipeline>, GpuError> {
        let cached = self
            .pipelines
            .pipelines
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(variant.name)
            .cloned();
        if let Some(pipeline) = cached {
            return Ok(pipeline);
        }
        let missing = |feature| GpuError::MissingFeature {
            variant: variant.name,
            feature,
            adapter: self.caps().adapter_name.clone(),
        };
        if variant.needs.subgroups && !self.caps().has_subgroups() {
            return Err(missing("subgroup"));
        }
        if variant.needs.f16 && !self.caps().has_f16() {
            return Err(missing("shader-f16"));
        }
        let source = compose(variant.files);
        let module = self.create_shader_module(variant.name, source.text())?;
        let overrides = variant.overrides();
        let pipeline = self.guarded(ObjectKind::ComputePipeline, variant.name, |d| {
            d.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(variant.name),
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
            .insert(variant.name, Arc::clone(&pipeline));
        Ok(pipeline)
    }
}

//! `axon info`: every adapter, then the chosen one's features and limits.

use axon_gpu::device::caps::WANTED_FEATURES;
use axon_gpu::kernels::subgroup_probe::measure_subgroup_sizes;
use axon_gpu::{BringUpError, Gpu, GpuError, list_adapters};
use std::io::Write;

/// Why `axon info` failed.
#[derive(Debug, thiserror::Error)]
pub enum InfoError {
    /// No device could be opened.
    #[error(transparent)]
    BringUp(#[from] BringUpError),
    /// The device failed while probing it.
    #[error(transparent)]
    Gpu(#[from] GpuError),
    /// Writing to stdout failed.
    #[error("writing to stdout: {0}")]
    Io(#[from] std::io::Error),
}

/// Prints the report to stdout; the adapter marker goes to stderr.
pub fn run() -> Result<(), InfoError> {
    let mut out = std::io::stdout().lock();
    let adapters = list_adapters();
    writeln!(out, "Vulkan adapters ({}):", adapters.len())?;
    for (i, a) in adapters.iter().enumerate() {
        writeln!(
            out,
            "  {i}: {} [{:?}] driver=\"{} {}\" subgroup={}..{} vendor=0x{:04x} device=0x{:04x}",
            a.name,
            a.device_type,
            a.driver,
            a.driver_info,
            a.subgroup_min_size,
            a.subgroup_max_size,
            a.vendor,
            a.device
        )?;
    }
    out.flush()?;

    let gpu = Gpu::new()?;
    let caps = gpu.caps();
    writeln!(
        out,
        "\nChosen: {} [{:?}] driver=\"{}\"",
        caps.adapter_name, caps.device_type, caps.driver
    )?;
    writeln!(out, "Features Axon uses:")?;
    for (feature, name) in WANTED_FEATURES {
        let state = if caps.features.contains(*feature) {
            "yes"
        } else {
            "no"
        };
        writeln!(out, "  {name:<34} {state}")?;
    }
    if caps.has_subgroups() {
        let (min, max) = measure_subgroup_sizes(&gpu)?;
        writeln!(
            out,
            "  subgroup size measured in compute    {min}..{max} (advertised {}..{})",
            caps.subgroup_min_size, caps.subgroup_max_size
        )?;
    }
    for m in &caps.cooperative_matrix {
        writeln!(
            out,
            "  cooperative matrix {}x{}x{} {:?} -> {:?}{}",
            m.m_size,
            m.n_size,
            m.k_size,
            m.ab_type,
            m.cr_type,
            if m.saturating_accumulation {
                " (saturating)"
            } else {
                ""
            }
        )?;
    }
    let l = &caps.limits;
    writeln!(out, "Limits:")?;
    let rows: [(&str, u64); 10] = [
        ("max_buffer_size", l.max_buffer_size),
        (
            "max_storage_buffer_binding_size",
            l.max_storage_buffer_binding_size,
        ),
        (
            "max_storage_buffers_per_shader_stage",
            l.max_storage_buffers_per_shader_stage.into(),
        ),
        (
            "max_uniform_buffer_binding_size",
            l.max_uniform_buffer_binding_size,
        ),
        (
            "max_compute_workgroup_storage_size",
            l.max_compute_workgroup_storage_size.into(),
        ),
        (
            "max_compute_invocations_per_workgroup",
            l.max_compute_invocations_per_workgroup.into(),
        ),
        (
            "max_compute_workgroup_size_x",
            l.max_compute_workgroup_size_x.into(),
        ),
        (
            "max_compute_workgroups_per_dimension",
            l.max_compute_workgroups_per_dimension.into(),
        ),
        (
            "min_storage_buffer_offset_alignment",
            l.min_storage_buffer_offset_alignment.into(),
        ),
        ("max_immediate_size", l.max_immediate_size.into()),
    ];
    for (name, value) in rows {
        writeln!(out, "  {name:<38} {value}")?;
    }
    Ok(())
}

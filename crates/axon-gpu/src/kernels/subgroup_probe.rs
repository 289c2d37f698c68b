//! Launcher for `wgsl/subgroup_probe.wgsl`: the subgroup sizes compute actually runs at.

use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::registry::variants::SUBGROUP_PROBE;

/// Runs the probe over a few workgroups and returns the (smallest, largest) `subgroup_size`
/// any invocation saw. Needs the subgroup feature.
pub fn measure_subgroup_sizes(gpu: &Gpu) -> Result<(u32, u32), GpuError> {
    let usage =
        wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST;
    let out = gpu.create_buffer("subgroup_probe.out", 8, usage)?;
    gpu.queue()
        .write_buffer(&out, 0, bytemuck::cast_slice(&[u32::MAX, 0u32]));
    let dispatch = Dispatch::new(gpu, &SUBGROUP_PROBE, &[&out], [4, 1, 1])?;
    gpu.run("subgroup_probe", &[dispatch])?;
    let bytes = gpu.read_bytes("subgroup_probe.out", &out, 8)?;
    let words: Vec<u32> = bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    match words[..] {
        [min, max, ..] => Ok((min, max)),
        _ => Err(GpuError::Readback {
            label: "subgroup_probe.out".to_owned(),
            message: format!("expected 8 bytes, got {}", bytes.len()),
        }),
    }
}

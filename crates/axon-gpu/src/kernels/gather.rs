//! Launcher for `wgsl/gather.wgsl`: embedding rows by token id, decoded from the file's block
//! format and scaled (`sqrt(d)` for Gemma, 1 otherwise).
//!
//! Contract: `table` is `[vocab, dim]` (a [`QuantMatrix`]), `ids` has `tokens` ids, `out` is
//! `[tokens, dim]`; an id past the vocabulary yields a zero row (the caller validates ids; the
//! kernel never reads out of bounds). CPU twin: the formats crate's `dequantize` of the row.

use super::{check_binding, check_room, grid};
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::kernels::argmax::IndexBuffer;
use crate::kernels::matvec::{QuantMatrix, check_weights};
use crate::registry::KernelVariant;
use crate::registry::variants as v;
use axon_formats::quant::GgmlType;

fn variant(ty: GgmlType) -> Option<&'static KernelVariant> {
    Some(match ty {
        GgmlType::F32 => &v::GATHER_F32,
        GgmlType::F16 => &v::GATHER_F16,
        GgmlType::BF16 => &v::GATHER_BF16,
        GgmlType::Q8_0 => &v::GATHER_Q8_0,
        GgmlType::Q4_0 => &v::GATHER_Q4_0,
        GgmlType::Q4_1 => &v::GATHER_Q4_1,
        GgmlType::Q5_0 => &v::GATHER_Q5_0,
        GgmlType::Q4K => &v::GATHER_Q4_K,
        GgmlType::Q6K => &v::GATHER_Q6_K,
        GgmlType::Q5K => &v::GATHER_Q5_K,
        GgmlType::Iq4Xs => &v::GATHER_IQ4_XS,
        _ => return None,
    })
}

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    tokens: u32,
    cols: u32,
    row_bytes: u32,
    rows: u32,
    scale: f32,
    head_offset: u32,
    _pad: [u32; 2],
}

/// `out[t] = table[ids[t]] * scale`.
pub fn gather(
    gpu: &Gpu,
    table: &QuantMatrix,
    ids: &IndexBuffer,
    out: &DeviceBuffer,
    scale: f32,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "gather";
    let variant = variant(table.ty()).ok_or(GpuError::UnsupportedFormat {
        kernel: KERNEL,
        format: table.ty().name(),
    })?;
    check_weights(gpu, KERNEL, "table", table.raw().size())?;
    let tokens = ids.len();
    check_room(KERNEL, "out", out, tokens * table.cols())?;
    check_binding(gpu, KERNEL, "out", out)?;
    let wg = u64::from(variant.workgroup_size.unwrap_or(1));
    let workgroups = grid(gpu, KERNEL, ((tokens * table.cols()) as u64).div_ceil(wg))?;
    let params = Params {
        tokens: tokens as u32,
        cols: table.cols() as u32,
        row_bytes: table.row_bytes() as u32,
        rows: table.rows() as u32,
        scale,
        head_offset: table.head_offset() as u32,
        _pad: [0; 2],
    };
    let uniform = gpu.uniform("gather.params", &params)?;
    let bindings = [
        (0, &uniform),
        (1, table.raw()),
        (2, ids.raw()),
        (3, out.raw()),
    ];
    Dispatch::with_bindings(gpu, variant, &bindings, workgroups)
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        gather_params: super::Params = variants::GATHER_Q4_K,
        "GatherParams" { tokens, cols, row_bytes, rows, scale, head_offset }
    );
}

//! Launchers for `wgsl/copy.wgsl`: [`copy`], `dst[..n] = src` in 16-byte vectors (the
//! shader-side bandwidth reference of `axon bench kernels`: a compute copy reaches more of the
//! memory bandwidth than `copy_buffer_to_buffer` on some drivers), and [`copy_columns`], a
//! block of columns between row-major matrices (splitting a fused QKV output, writing K/V
//! rows into the cache: [`cache_write_at`] for a cache of either [`KvType`]). Both exact,
//! but for an f16 cache's rounding to halves.

use super::{check_binding, check_room, grid};
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::kernels::kv_cache::KvType;
use crate::kernels::position::Position;
use crate::registry::variants::{COPY_COLUMNS, COPY_COLUMNS_F16, COPY_VEC4};

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    n: u32,
    _pad: [u32; 3],
}

/// `dst[i] = src[i]` for every element of `src`.
pub fn copy(gpu: &Gpu, src: &DeviceBuffer, dst: &DeviceBuffer) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "copy";
    if !src.len().is_multiple_of(4) {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "src (a multiple of 4 values)",
            expected: src.len().next_multiple_of(4),
            got: src.len(),
        });
    }
    check_room(KERNEL, "dst", dst, src.len())?;
    check_binding(gpu, KERNEL, "src", src)?;
    check_binding(gpu, KERNEL, "dst", dst)?;
    let vectors = src.len() / 4;
    let wg = u64::from(COPY_VEC4.workgroup_size.unwrap_or(1));
    let workgroups = grid(gpu, KERNEL, (vectors as u64).div_ceil(wg))?;
    let params = Params {
        n: vectors as u32,
        _pad: [0; 3],
    };
    let uniform = gpu.uniform("copy.params", &params)?;
    Dispatch::new(
        gpu,
        &COPY_VEC4,
        &[&uniform, src.raw(), dst.raw()],
        workgroups,
    )
}

/// Where a block of columns sits in a row-major matrix: element `(r, c)` of the block is
/// `buffer[r * stride + offset + c]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    /// Elements from one row to the next.
    pub stride: usize,
    /// Element of row 0, column 0 of the block.
    pub offset: usize,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct ColumnsParams {
    rows: u32,
    cols: u32,
    src_stride: u32,
    src_offset: u32,
    dst_stride: u32,
    dst_offset: u32,
    dst_pos_stride: u32,
    _pad: u32,
}

/// Copies a `rows x cols` block of columns from `src` (at `from`) to `dst` (at `to`).
pub fn copy_columns(
    gpu: &Gpu,
    [src, dst]: [&DeviceBuffer; 2],
    [rows, cols]: [usize; 2],
    from: Columns,
    to: Columns,
) -> Result<Dispatch, GpuError> {
    let position = gpu.position(0)?;
    cache_write_at(
        gpu,
        [src, dst],
        [rows, cols],
        [from, to],
        (&position, 0),
        KvType::F32,
    )
}

/// [`copy_columns`] to `to` moved by `position * pos_stride` elements, the position read from
/// its uniform when the pass runs (K/V rows into the cache at the call's position), into a
/// destination of element type `dst_type`: f32, or an f16 KV cache (`to`, `pos_stride` and the
/// block count cache elements; f16 needs `cols`, `to.stride`, `to.offset` and `pos_stride`
/// even, so each row fills whole words). `dst` must have room for the block at every position
/// the caller will set (checked for position 0).
pub fn cache_write_at(
    gpu: &Gpu,
    [src, dst]: [&DeviceBuffer; 2],
    [rows, cols]: [usize; 2],
    [from, to]: [Columns; 2],
    (position, pos_stride): (&Position, usize),
    dst_type: KvType,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "copy_columns";
    for (what, n) in [
        ("cols (whole cache words)", cols),
        ("dst stride (whole cache words)", to.stride),
        ("dst offset (whole cache words)", to.offset),
        ("position stride (whole cache words)", pos_stride),
    ] {
        dst_type.check_aligned(KERNEL, what, n)?;
    }
    let extent = |c: Columns| {
        if rows == 0 || cols == 0 {
            0
        } else {
            (rows - 1) * c.stride + c.offset + cols
        }
    };
    let bad_stride = |c: Columns| rows > 1 && c.stride < cols;
    if bad_stride(from) || bad_stride(to) {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "row stride (at least cols)",
            expected: cols,
            got: from.stride.min(to.stride),
        });
    }
    if src.len() < extent(from) {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "src (rows of the block)",
            expected: extent(from),
            got: src.len(),
        });
    }
    dst_type.check_room(KERNEL, "dst", dst, extent(to))?;
    check_binding(gpu, KERNEL, "src", src)?;
    check_binding(gpu, KERNEL, "dst", dst)?;
    let variant = dst_type.pick(&COPY_COLUMNS, &COPY_COLUMNS_F16);
    // One invocation per destination word.
    let wg = u64::from(variant.workgroup_size.unwrap_or(1));
    let words = rows * dst_type.words(cols);
    let workgroups = grid(gpu, KERNEL, (words as u64).div_ceil(wg))?;
    // The binding checks bound every extent (hence every field) by u32::MAX bytes.
    let params = ColumnsParams {
        rows: rows as u32,
        cols: cols as u32,
        src_stride: from.stride as u32,
        src_offset: from.offset as u32,
        dst_stride: to.stride as u32,
        dst_offset: to.offset as u32,
        dst_pos_stride: u32::try_from(pos_stride).unwrap_or(u32::MAX),
        _pad: 0,
    };
    let uniform = gpu.uniform("copy_columns.params", &params)?;
    Dispatch::with_bindings(
        gpu,
        variant,
        &[
            (3, &uniform),
            (4, src.raw()),
            (5, dst.raw()),
            (6, position.raw()),
        ],
        workgroups,
    )
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        copy_params: super::Params = variants::COPY_VEC4,
        "CopyParams" { n }
    );
    crate::kernels::wgsl_layout_test!(
        columns_params: super::ColumnsParams = variants::COPY_COLUMNS,
        "ColumnsParams" { rows, cols, src_stride, src_offset, dst_stride, dst_offset, dst_pos_stride }
    );
}

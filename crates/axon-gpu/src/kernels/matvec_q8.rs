//! Launchers for `matvec_q8` and `matvec_glu_q8` in `wgsl/matvec_wide_q8.wgsl`: `y[r] = sum_c W[r, c] x[c]` with `x`
//! given as 8-bit blocks ([`quantize_q8`](super::quantize_q8::quantize_q8)), each item of a
//! row an integer dot product (`dot4I8Packed`) against the block's quants, scaled by the
//! weights' and the block's d.
//!
//! Contract: `w` is of a quantized format ([`MATVEC_Q8_TYPES`]) with `cols` a multiple of its
//! block; `xq` holds at least [`q8_words`]`(cols)` words; `y` at least `rows`. The result is `W`
//! times the dequantized x (`d * q` per value), which is what the CPU twin computes:
//! `axon_reference::ops::quantize_q8` then `axon_reference::ops::linear::linear_quantized`.

use super::matvec::{
    Params, QuantMatrix, check_columns, check_weights, glu_rows, sized_for, whole_blocks,
};
use super::quantize_q8::q8_words;
use super::{check_binding, check_room, grid};
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::kernels::Reduction;
use crate::kernels::glu::GluActivation;
use crate::registry::ReducedPair;
use crate::registry::variants::{
    MATVEC_GLU_Q8_IQ4_XS, MATVEC_GLU_Q8_Q4_0, MATVEC_GLU_Q8_Q4_1, MATVEC_GLU_Q8_Q4_K,
    MATVEC_GLU_Q8_Q5_0, MATVEC_GLU_Q8_Q5_K, MATVEC_GLU_Q8_Q6_K, MATVEC_GLU_Q8_Q8_0,
    MATVEC_Q8_IQ4_XS, MATVEC_Q8_Q4_0, MATVEC_Q8_Q4_1, MATVEC_Q8_Q4_K, MATVEC_Q8_Q5_0,
    MATVEC_Q8_Q5_K, MATVEC_Q8_Q6_K, MATVEC_Q8_Q8_0, MATVEC_ROWS,
};
use axon_formats::quant::GgmlType;

/// The weight formats `matvec_q8` takes.
pub const MATVEC_Q8_TYPES: &[GgmlType] = &[
    GgmlType::Q4K,
    GgmlType::Q6K,
    GgmlType::Q8_0,
    GgmlType::Q5K,
    GgmlType::Q4_0,
    GgmlType::Q4_1,
    GgmlType::Q5_0,
    GgmlType::Iq4Xs,
];

/// The `matvec_q8` pair of `ty` (`glu`: the `matvec_glu_q8` one).
fn pair(ty: GgmlType, glu: bool) -> Option<&'static ReducedPair> {
    match (ty, glu) {
        (GgmlType::Q4K, false) => Some(&MATVEC_Q8_Q4_K),
        (GgmlType::Q6K, false) => Some(&MATVEC_Q8_Q6_K),
        (GgmlType::Q8_0, false) => Some(&MATVEC_Q8_Q8_0),
        (GgmlType::Iq4Xs, false) => Some(&MATVEC_Q8_IQ4_XS),
        (GgmlType::Q5_0, false) => Some(&MATVEC_Q8_Q5_0),
        (GgmlType::Q4_1, false) => Some(&MATVEC_Q8_Q4_1),
        (GgmlType::Q4_0, false) => Some(&MATVEC_Q8_Q4_0),
        (GgmlType::Q5K, false) => Some(&MATVEC_Q8_Q5_K),
        (GgmlType::Q4K, true) => Some(&MATVEC_GLU_Q8_Q4_K),
        (GgmlType::Q6K, true) => Some(&MATVEC_GLU_Q8_Q6_K),
        (GgmlType::Q8_0, true) => Some(&MATVEC_GLU_Q8_Q8_0),
        (GgmlType::Iq4Xs, true) => Some(&MATVEC_GLU_Q8_IQ4_XS),
        (GgmlType::Q5_0, true) => Some(&MATVEC_GLU_Q8_Q5_0),
        (GgmlType::Q4_1, true) => Some(&MATVEC_GLU_Q8_Q4_1),
        (GgmlType::Q4_0, true) => Some(&MATVEC_GLU_Q8_Q4_0),
        (GgmlType::Q5K, true) => Some(&MATVEC_GLU_Q8_Q5_K),
        _ => None,
    }
}

/// `y[..rows] = W x`, with `xq` the 8-bit blocks of x.
pub fn matvec_q8(
    gpu: &Gpu,
    w: &QuantMatrix,
    xq: &DeviceBuffer,
    y: &DeviceBuffer,
    reduction: Reduction,
) -> Result<Dispatch, GpuError> {
    launch(gpu, "matvec_q8", w, (xq, y), (1, None), reduction)
}

/// `W x_c` for `columns` input vectors at once (as [`matvec_columns`](super::matvec::matvec_columns)),
/// against their 8-bit blocks: `xq` holds the `columns * cols` values of x, one vector after
/// another, quantized as one ([`quantize_q8`](super::quantize_q8::quantize_q8) of the whole
/// buffer, at least [`q8_words`]`(columns * cols)` words; `cols` is a multiple of 32, so no
/// block straddles two vectors), and column c's result lands at `y[c * rows ..][..rows]`.
/// Each weight word is loaded once for every column.
pub fn matvec_q8_columns(
    gpu: &Gpu,
    w: &QuantMatrix,
    xq: &DeviceBuffer,
    y: &DeviceBuffer,
    columns: usize,
    reduction: Reduction,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "matvec_q8_columns";
    check_columns(KERNEL, columns)?;
    launch(gpu, KERNEL, w, (xq, y), (columns, None), reduction)
}

/// The fused FFN input against an 8-bit x: `y[r] = act(G[r] · x) · (U[r] · x)` for `r < ff`,
/// `gate_up` holding G's `ff` rows then U's (as `matvec::matvec_glu`).
pub fn matvec_glu_q8(
    gpu: &Gpu,
    gate_up: &QuantMatrix,
    xq: &DeviceBuffer,
    y: &DeviceBuffer,
    activation: GluActivation,
    reduction: Reduction,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "matvec_glu_q8";
    let ff = glu_rows(KERNEL, gate_up)?;
    launch(
        gpu,
        KERNEL,
        gate_up,
        (xq, y),
        (1, Some((ff, activation))),
        reduction,
    )
}

/// Checks and binds either entry point: `columns` input vectors (1 with `glu`), `glu` gives
/// `matvec_glu_q8`'s outputs (half of `w`'s rows) and activation.
fn launch(
    gpu: &Gpu,
    kernel_name: &'static str,
    w: &QuantMatrix,
    (xq, y): (&DeviceBuffer, &DeviceBuffer),
    (columns, glu): (usize, Option<(usize, GluActivation)>),
    reduction: Reduction,
) -> Result<Dispatch, GpuError> {
    let variant = pair(w.ty(), glu.is_some()).ok_or(GpuError::UnsupportedFormat {
        kernel: kernel_name,
        format: w.ty().name(),
    })?;
    whole_blocks(kernel_name, w, w.ty().block_len())?;
    let rows = glu.map_or(w.rows(), |(ff, _)| ff);
    check_room(kernel_name, "xq", xq, q8_words(columns * w.cols()))?;
    check_room(kernel_name, "y", y, columns * rows)?;
    check_binding(gpu, kernel_name, "xq", xq)?;
    check_binding(gpu, kernel_name, "y", y)?;
    check_weights(gpu, kernel_name, "weights", w.raw().size())?;
    let kernel = sized_for(gpu, kernel_name, w, variant, reduction)?.with_columns(columns as u32);
    let workgroups = grid(
        gpu,
        kernel_name,
        (rows as u64).div_ceil(u64::from(MATVEC_ROWS)),
    )?;
    // The binding checks bound every index by u32::MAX.
    let params = Params {
        rows: rows as u32,
        cols: w.cols() as u32,
        row_bytes: w.row_bytes() as u32,
        weight_offset: 0,
        activation: u32::from(glu.is_some_and(|(_, act)| act == GluActivation::GeluTanh)),
        head_offset: w.head_offset() as u32,
        flags: 0,
        eps: 0.0,
    };
    let uniform = gpu.uniform("matvec_q8.params", &params)?;
    Dispatch::with_bindings(
        gpu,
        kernel,
        &[(0, &uniform), (1, w.raw()), (3, y.raw()), (5, xq.raw())],
        workgroups,
    )
}

#[cfg(test)]
mod formats {
    use super::*;
    use crate::registry::variants as v;

    #[test]
    fn every_listed_type_has_a_variant() {
        for &ty in MATVEC_Q8_TYPES {
            for glu in [false, true] {
                let listed = pair(ty, glu)
                    .is_some_and(|q| v::ALL_REDUCED_PAIRS.iter().any(|p| std::ptr::eq(*p, q)));
                assert!(listed, "{} (glu {glu}): no registered pair", ty.name());
            }
        }
    }
}

//! Launcher for `wgsl/matmul.wgsl`: `Y[t, r] = sum_c W[r, c] X[t, c]` for many tokens at once
//! (prefill projections), against weights in a ggml block format decoded into workgroup
//! memory one tile at a time.
//!
//! Contract: `w` as uploaded by [`Gpu::upload_matrix`], `x` is `[tokens, cols]` row-major,
//! `y` holds at least `tokens * rows` elements (`[tokens, rows]`; elements past that are never
//! written). Any `rows`, `tokens` and `cols` (a multiple of the block length): the edges of the
//! 64 x 64 output tiles are masked. The CPU twin is
//! `axon_reference::ops::linear::linear_quantized`, one token at a time.

use super::glu::GluActivation;
use super::matvec::{QuantMatrix, check_weights};
use super::{check_binding, grid_2d};
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::registry::KernelVariant;
use crate::registry::variants::{self as v, MATMUL_TILE};
use axon_formats::quant::GgmlType;

/// Weight format → (matmul, matmul_glu) variants.
static VARIANTS: &[(GgmlType, &KernelVariant, &KernelVariant)] = &[
    (GgmlType::F32, &v::MATMUL_F32, &v::MATMUL_GLU_F32),
    (GgmlType::F16, &v::MATMUL_F16, &v::MATMUL_GLU_F16),
    (GgmlType::BF16, &v::MATMUL_BF16, &v::MATMUL_GLU_BF16),
    (GgmlType::Q8_0, &v::MATMUL_Q8_0, &v::MATMUL_GLU_Q8_0),
    (GgmlType::Q4_0, &v::MATMUL_Q4_0, &v::MATMUL_GLU_Q4_0),
    (GgmlType::Q4_1, &v::MATMUL_Q4_1, &v::MATMUL_GLU_Q4_1),
    (GgmlType::Q5_0, &v::MATMUL_Q5_0, &v::MATMUL_GLU_Q5_0),
    (GgmlType::Q4K, &v::MATMUL_Q4_K, &v::MATMUL_GLU_Q4_K),
    (GgmlType::Q6K, &v::MATMUL_Q6_K, &v::MATMUL_GLU_Q6_K),
    (GgmlType::Q5K, &v::MATMUL_Q5_K, &v::MATMUL_GLU_Q5_K),
    (GgmlType::Iq4Xs, &v::MATMUL_IQ4_XS, &v::MATMUL_GLU_IQ4_XS),
];

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    rows: u32,
    cols: u32,
    tokens: u32,
    row_bytes: u32,
    weight_offset: u32,
    activation: u32,
    head_offset: u32,
    _pad: u32,
}

/// `Y = X Wᵀ`: `y[t * rows + r] = W[r] · x[t]` for `t < tokens`.
pub fn matmul(
    gpu: &Gpu,
    w: &QuantMatrix,
    x: &DeviceBuffer,
    y: &DeviceBuffer,
    tokens: usize,
) -> Result<Dispatch, GpuError> {
    let shape = Output {
        kernel: "matmul",
        rows: w.rows(),
        activation: None,
    };
    launch(gpu, shape, w, x, y, tokens)
}

/// The fused FFN input for `tokens` tokens: `y[t * ff + r] = act(G[r] · x[t]) · (U[r] · x[t])`,
/// where `gate_up` holds G's `ff` rows followed by U's (as for
/// [`matvec_glu`](super::matvec::matvec_glu)).
pub fn matmul_glu(
    gpu: &Gpu,
    gate_up: &QuantMatrix,
    x: &DeviceBuffer,
    y: &DeviceBuffer,
    tokens: usize,
    activation: GluActivation,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "matmul_glu";
    let shape = Output {
        kernel: KERNEL,
        rows: super::matvec::glu_rows(KERNEL, gate_up)?,
        activation: Some(activation),
    };
    launch(gpu, shape, gate_up, x, y, tokens)
}

/// What one entry point writes: its name, output rows, and the gate activation (GLU only).
struct Output {
    kernel: &'static str,
    rows: usize,
    activation: Option<GluActivation>,
}

fn launch(
    gpu: &Gpu,
    out: Output,
    w: &QuantMatrix,
    x: &DeviceBuffer,
    y: &DeviceBuffer,
    tokens: usize,
) -> Result<Dispatch, GpuError> {
    let Output {
        kernel,
        rows: out_rows,
        activation,
    } = out;
    let mismatch = |what, expected, got| GpuError::ShapeMismatch {
        kernel,
        what,
        expected,
        got,
    };
    if tokens == 0 {
        return Err(mismatch("tokens (at least one)", 1, 0));
    }
    if x.len() != tokens * w.cols() {
        return Err(mismatch("x [tokens, cols]", tokens * w.cols(), x.len()));
    }
    if y.len() < tokens * out_rows {
        return Err(mismatch(
            "y (at least tokens * rows)",
            tokens * out_rows,
            y.len(),
        ));
    }
    check_binding(gpu, kernel, "x", x)?;
    check_binding(gpu, kernel, "y", y)?;
    check_weights(gpu, kernel, "weights", w.raw().size())?;
    let &(_, plain, glu) =
        VARIANTS
            .iter()
            .find(|(ty, ..)| *ty == w.ty())
            .ok_or(GpuError::UnsupportedFormat {
                kernel,
                format: w.ty().name(),
            })?;
    let variant = if activation.is_some() { glu } else { plain };
    let tile = MATMUL_TILE as usize;
    let workgroups = grid_2d(
        gpu,
        kernel,
        [out_rows.div_ceil(tile), tokens.div_ceil(tile)],
    )?;
    // The binding checks bound every element and byte offset by u32::MAX.
    let params = Params {
        rows: out_rows as u32,
        cols: w.cols() as u32,
        tokens: tokens as u32,
        row_bytes: w.row_bytes() as u32,
        weight_offset: 0,
        activation: u32::from(activation == Some(GluActivation::GeluTanh)),
        head_offset: w.head_offset() as u32,
        _pad: 0,
    };
    let uniform = gpu.uniform("matmul.params", &params)?;
    Dispatch::new(
        gpu,
        variant,
        &[&uniform, w.raw(), x.raw(), y.raw()],
        workgroups,
    )
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        matmul_params: super::Params = variants::MATMUL_Q4_K,
        "MatmulParams" { rows, cols, tokens, row_bytes, weight_offset, activation, head_offset }
    );
}

//! Launcher for `wgsl/quantize_q8.wgsl`: an f32 vector to the 8-bit blocks the integer-dot
//! matrix-vector kernel reads ([`matvec_q8`](super::matvec_q8::matvec_q8)).
//!
//! Contract: `x` holds `n` values, `n` a multiple of 32; `xq` holds at least [`q8_words`]`(n)`
//! 32-bit words (a [`DeviceBuffer`] whose elements are read as raw words): block `b` of
//! [`Q8_BLOCK`] values has a power-of-two `d`, the least with `127 d >= amax`, and quants
//! `round(x / d)` in -127..=127. The CPU twin is `axon_reference::ops::quantize_q8` (which
//! also writes this layout, for tests); every step is exact, so the two agree bit for bit.

use super::{check_binding, check_room, grid};
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::registry::variants::QUANTIZE_Q8;

/// Values per quantization block (one d, one sum of quants).
pub const Q8_BLOCK: usize = 16;

/// Values each invocation quantizes (two blocks, whose scales share one 16-byte unit): the
/// length of a quantized vector must be a multiple of it.
pub const Q8_PAIR: usize = 2 * Q8_BLOCK;

/// 32-bit words of a quantized vector of `values` values: the quants (one byte each), then a
/// (d, sum) pair of words per block.
pub fn q8_words(values: usize) -> usize {
    values / 4 + 2 * (values / Q8_BLOCK)
}

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct QuantizeParams {
    values: u32,
    _pad: [u32; 3],
}

/// `xq = q8(x)`.
pub fn quantize_q8(gpu: &Gpu, x: &DeviceBuffer, xq: &DeviceBuffer) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "quantize_q8";
    let n = x.len();
    if !n.is_multiple_of(Q8_PAIR) {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "x (a multiple of 32 values)",
            expected: n.next_multiple_of(Q8_PAIR),
            got: n,
        });
    }
    check_room(KERNEL, "xq", xq, q8_words(n))?;
    check_binding(gpu, KERNEL, "x", x)?;
    check_binding(gpu, KERNEL, "xq", xq)?;
    let wg = u64::from(QUANTIZE_Q8.workgroup_size.unwrap_or(1));
    let workgroups = grid(gpu, KERNEL, ((n / Q8_PAIR) as u64).div_ceil(wg))?;
    // check_binding bounds n by u32::MAX bytes.
    let params = QuantizeParams {
        values: n as u32,
        _pad: [0; 3],
    };
    let uniform = gpu.uniform("quantize_q8.params", &params)?;
    Dispatch::new(
        gpu,
        &QUANTIZE_Q8,
        &[&uniform, x.raw(), xq.raw()],
        workgroups,
    )
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        quantize_params: super::QuantizeParams = variants::QUANTIZE_Q8,
        "QuantizeParams" { values }
    );
}

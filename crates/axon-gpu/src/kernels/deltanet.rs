//! Launchers for Gated DeltaNet's kernels (`wgsl/deltanet_conv.wgsl`,
//! `wgsl/deltanet_rule.wgsl`): the short convolution, and the delta rule token by token
//! (decode) or chunk by chunk (prefill), with state carried across calls. CPU twins:
//! `axon_reference::ops::conv1d::ConvState` and `axon_reference::ops::deltanet::{delta_step,
//! delta_chunked}`.

use super::{check_binding, check_len, check_room, grid};
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::kernels::Reduction;
use crate::pipelines::Kernel;
use crate::registry::variants::{DELTANET_CHUNKED, DELTANET_CONV, DELTANET_GATES, DELTANET_RULE};

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct ConvParams {
    channels: u32,
    kernel: u32,
    tokens: u32,
    _pad: u32,
}

/// `y[t] = silu(conv(history, x[t]))` for `tokens` tokens, updating `state`.
///
/// Shapes: `w` `[channels, kernel]`, `state` `[kernel - 1, channels]` (oldest first),
/// `x` and `y` `[tokens, channels]`.
pub fn conv1d_silu(
    gpu: &Gpu,
    w: &DeviceBuffer,
    state: &DeviceBuffer,
    x: &DeviceBuffer,
    y: &DeviceBuffer,
    kernel: usize,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "deltanet_conv1d";
    let channels = w.len().checked_div(kernel).unwrap_or(0);
    if kernel == 0
        || channels == 0
        || !w.len().is_multiple_of(kernel)
        || !x.len().is_multiple_of(channels)
    {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "w / x (whole channels)",
            expected: channels.max(1),
            got: x.len(),
        });
    }
    check_len(KERNEL, "state", state, (kernel - 1).max(1) * channels)?;
    check_room(KERNEL, "y", y, x.len())?;
    for (what, buf) in [("w", w), ("state", state), ("x", x), ("y", y)] {
        check_binding(gpu, KERNEL, what, buf)?;
    }
    let params = ConvParams {
        channels: channels as u32,
        kernel: kernel as u32,
        tokens: (x.len() / channels) as u32,
        _pad: 0,
    };
    let uniform = gpu.uniform("deltanet_conv.params", &params)?;
    let wg = u64::from(DELTANET_CONV.workgroup_size.unwrap_or(1));
    let workgroups = grid(gpu, KERNEL, (channels as u64).div_ceil(wg))?;
    Dispatch::new(
        gpu,
        &DELTANET_CONV,
        &[&uniform, w.raw(), state.raw(), x.raw(), y.raw()],
        workgroups,
    )
}

/// Head layout of a delta-rule call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeltaShape {
    /// Key heads.
    pub k_heads: usize,
    /// Value heads (a multiple of `k_heads`).
    pub v_heads: usize,
    /// Key head size.
    pub dk: usize,
    /// Value head size.
    pub dv: usize,
    /// Value head `h` reads key head `h % k_heads` (GGUF) instead of `h / (v_heads / k_heads)`.
    pub tiled: bool,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct RuleParams {
    tokens: u32,
    k_heads: u32,
    v_heads: u32,
    dk: u32,
    dv: u32,
    tiled: u32,
    _pad: [u32; 2],
}

/// The delta rule over `tokens` tokens. Shapes: `q`, `k` `[tokens, k_heads, dk]` (normalised;
/// `q` scaled), `v` `[tokens, v_heads, dv]`, `beta_g` `[tokens, v_heads, 2]`, `state`
/// `[v_heads, dk, dv]` (updated), `o` `[tokens, v_heads, dv]`.
pub fn delta_rule(
    gpu: &Gpu,
    shape: DeltaShape,
    buffers: [&DeviceBuffer; 6],
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "deltanet_rule";
    check_key_size(KERNEL, shape.dk, RULE_MAX_DK)?;
    // One workgroup per run of rule_columns(dk) value columns of each head.
    let columns = u32::try_from(shape.dv.div_ceil(rule_columns(shape.dk))).unwrap_or(u32::MAX);
    let heads = u32::try_from(shape.v_heads).unwrap_or(u32::MAX);
    let grid = [columns, heads, 1];
    launch_rule(gpu, KERNEL, (&DELTANET_RULE).into(), shape, buffers, grid)
}

/// Invocations of one [`delta_rule`] workgroup: WGSL's `RULE_THREADS` (the registry test
/// compares them).
pub const RULE_THREADS: usize = 256;

/// State rows one [`delta_rule`] invocation keeps in registers: WGSL's `RULE_ROWS`.
pub const RULE_ROWS: usize = 8;

/// Largest key head size [`delta_rule`] holds in registers: WGSL's
/// `RULE_MAX_SLICES * RULE_ROWS` (the registry test compares them).
pub const RULE_MAX_DK: usize = 256;

/// Value columns one [`delta_rule`] workgroup owns for key heads of `dk` rows (the WGSL
/// computes the same from `dk`).
fn rule_columns(dk: usize) -> usize {
    RULE_THREADS / dk.div_ceil(RULE_ROWS).max(1)
}

/// Largest key head size [`delta_chunked`] holds (one state column per invocation): WGSL's
/// `MAX_DK` (the registry test compares them).
pub const CHUNKED_MAX_DK: usize = 256;

/// Tokens per chunk of [`delta_chunked`]: WGSL's `CHUNK` (the registry test compares them).
pub const CHUNK_TOKENS: usize = 32;

/// The delta rule over `tokens` tokens in its chunked form (prefill): the same contract,
/// outputs and final state as [`delta_rule`] (to f32 rounding), with `dk <= 256`. CPU twin:
/// `axon_reference::ops::deltanet::delta_chunked`.
pub fn delta_chunked(
    gpu: &Gpu,
    shape: DeltaShape,
    buffers: [&DeviceBuffer; 6],
) -> Result<Dispatch, GpuError> {
    delta_chunked_with(gpu, shape, buffers, Reduction::Workgroup)
}

/// [`delta_chunked`] in workgroups of `reduction`'s width: the table's size, or one subgroup
/// for [`Reduction::OneSubgroup`]. The kernel shares its chunk matrices through workgroup
/// memory whatever the width; it has no subgroup operations.
pub fn delta_chunked_with(
    gpu: &Gpu,
    shape: DeltaShape,
    buffers: [&DeviceBuffer; 6],
    reduction: Reduction,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "deltanet_chunked";
    check_key_size(KERNEL, shape.dk, CHUNKED_MAX_DK)?;
    let kernel = reduction.width(gpu, KERNEL, &DELTANET_CHUNKED)?;
    let grid = [u32::try_from(shape.v_heads).unwrap_or(u32::MAX), 1, 1];
    launch_rule(gpu, KERNEL, kernel, shape, buffers, grid)
}

/// Fails unless key heads of `dk` values fit the kernel's registers (`max`).
fn check_key_size(kernel: &'static str, dk: usize, max: usize) -> Result<(), GpuError> {
    if dk > max {
        return Err(GpuError::ShapeMismatch {
            kernel,
            what: "dk (at most 256)",
            expected: max,
            got: dk,
        });
    }
    Ok(())
}

fn launch_rule(
    gpu: &Gpu,
    kernel: &'static str,
    pipeline: Kernel,
    shape: DeltaShape,
    [q, k, v, beta_g, state, o]: [&DeviceBuffer; 6],
    workgroups: [u32; 3],
) -> Result<Dispatch, GpuError> {
    let DeltaShape {
        k_heads,
        v_heads,
        dk,
        dv,
        tiled,
    } = shape;
    let key_row = k_heads * dk;
    if key_row == 0
        || dv == 0
        || v_heads == 0
        || !v_heads.is_multiple_of(k_heads)
        || !q.len().is_multiple_of(key_row)
    {
        return Err(GpuError::ShapeMismatch {
            kernel,
            what: "q (whole [k_heads, dk] rows)",
            expected: key_row.max(1),
            got: q.len(),
        });
    }
    let tokens = q.len() / key_row;
    check_len(kernel, "k", k, q.len())?;
    check_len(kernel, "v", v, tokens * v_heads * dv)?;
    check_len(kernel, "beta_g", beta_g, tokens * v_heads * 2)?;
    check_len(kernel, "state", state, v_heads * dk * dv)?;
    check_room(kernel, "o", o, tokens * v_heads * dv)?;
    for (what, buf) in [
        ("q", q),
        ("k", k),
        ("v", v),
        ("beta_g", beta_g),
        ("state", state),
        ("o", o),
    ] {
        check_binding(gpu, kernel, what, buf)?;
    }
    let params = RuleParams {
        tokens: tokens as u32,
        k_heads: k_heads as u32,
        v_heads: v_heads as u32,
        dk: dk as u32,
        dv: dv as u32,
        tiled: u32::from(tiled),
        _pad: [0; 2],
    };
    let uniform = gpu.uniform("deltanet_rule.params", &params)?;
    Dispatch::new(
        gpu,
        pipeline,
        &[
            &uniform,
            q.raw(),
            k.raw(),
            v.raw(),
            beta_g.raw(),
            state.raw(),
            o.raw(),
        ],
        workgroups,
    )
}

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct GateParams {
    rows: u32,
    v_heads: u32,
    _pad: [u32; 2],
}

/// `(beta, g)` per token and value head, as [`delta_rule`] reads them: `beta = sigmoid(b)`,
/// `g = a_neg * softplus(a + dt_bias)`. Shapes: `b`, `a` `[tokens, v_heads]`, `a_neg`
/// (`-exp(A_log)`) and `dt_bias` `[v_heads]`, `out` at least `[tokens, v_heads, 2]`.
pub fn deltanet_gates(
    gpu: &Gpu,
    [b, a, a_neg, dt_bias, out]: [&DeviceBuffer; 5],
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "deltanet_gates";
    let v_heads = a_neg.len();
    if v_heads == 0 || !b.len().is_multiple_of(v_heads) {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "b (whole rows of v_heads)",
            expected: v_heads.max(1),
            got: b.len(),
        });
    }
    check_len(KERNEL, "a", a, b.len())?;
    check_len(KERNEL, "dt_bias", dt_bias, v_heads)?;
    check_room(KERNEL, "out", out, 2 * b.len())?;
    for (what, buf) in [("b", b), ("a", a), ("out", out)] {
        check_binding(gpu, KERNEL, what, buf)?;
    }
    let params = GateParams {
        rows: b.len() as u32,
        v_heads: v_heads as u32,
        _pad: [0; 2],
    };
    let uniform = gpu.uniform("deltanet_gates.params", &params)?;
    let wg = u64::from(DELTANET_GATES.workgroup_size.unwrap_or(1));
    let workgroups = grid(gpu, KERNEL, (b.len() as u64).div_ceil(wg))?;
    Dispatch::new(
        gpu,
        &DELTANET_GATES,
        &[
            &uniform,
            b.raw(),
            a.raw(),
            a_neg.raw(),
            dt_bias.raw(),
            out.raw(),
        ],
        workgroups,
    )
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        conv_params: super::ConvParams = variants::DELTANET_CONV,
        "ConvParams" { channels, kernel, tokens }
    );
    crate::kernels::wgsl_layout_test!(
        rule_params: super::RuleParams = variants::DELTANET_RULE,
        "DeltaParams" { tokens, k_heads, v_heads, dk, dv, tiled }
    );
    crate::kernels::wgsl_layout_test!(
        gate_params: super::GateParams = variants::DELTANET_GATES,
        "GateParams" { rows, v_heads }
    );
}

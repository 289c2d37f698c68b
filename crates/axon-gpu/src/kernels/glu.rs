//! Launcher for `wgsl/glu.wgsl`: `out[i] = act(gate[i]) * up[i]`, the FFN gate for layers
//! whose gate and up matrices are separate. The CPU twin is `axon_reference::ops::mlp`'s
//! gating (`gated_mlp` with an identity down projection).

use super::{check_binding, check_len, check_room, grid};
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::registry::variants::GLU_F32;

/// The gate nonlinearity of the GLU kernels (`glu`, `matvec_glu`, `matmul_glu`): what the
/// kernel computes, chosen by the model's activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GluActivation {
    /// SiLU (SwiGLU: Llama, Qwen).
    Silu,
    /// GELU, tanh approximation (Gemma).
    GeluTanh,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    n: u32,
    activation: u32,
    _pad: [u32; 2],
}

/// `out[i] = act(gate[i]) * up[i]` for every element of `gate`.
pub fn glu(
    gpu: &Gpu,
    [gate, up, out]: [&DeviceBuffer; 3],
    activation: GluActivation,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "glu";
    let n = gate.len();
    check_len(KERNEL, "up", up, n)?;
    check_room(KERNEL, "out", out, n)?;
    for (what, buf) in [("gate", gate), ("up", up), ("out", out)] {
        check_binding(gpu, KERNEL, what, buf)?;
    }
    let wg = u64::from(GLU_F32.workgroup_size.unwrap_or(1));
    let workgroups = grid(gpu, KERNEL, (n as u64).div_ceil(wg))?;
    let params = Params {
        n: n as u32,
        activation: u32::from(activation == GluActivation::GeluTanh),
        _pad: [0; 2],
    };
    let uniform = gpu.uniform("glu.params", &params)?;
    Dispatch::new(
        gpu,
        &GLU_F32,
        &[&uniform, gate.raw(), up.raw(), out.raw()],
        workgroups,
    )
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        glu_params: super::Params = variants::GLU_F32,
        "GluParams" { n, activation }
    );
}

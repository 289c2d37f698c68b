//! GPU tests: every test here runs real kernels on the adapter chosen by `AXON_ADAPTER` /
//! `AXON_ALLOW_SOFTWARE` (lavapipe in CI, an H100 on the device machine, an RX 7900 XTX on the
//! AMD runner). Without a usable adapter they fail; they never skip and never use a CPU path.

mod adapter;
mod errors;
mod kernels;
mod timing;

use axon_gpu::Gpu;
use std::sync::OnceLock;

/// The device shared by the tests of this binary (opened once; prints the marker once).
pub fn gpu() -> &'static Gpu {
    static GPU: OnceLock<Gpu> = OnceLock::new();
    GPU.get_or_init(|| match Gpu::new() {
        Ok(gpu) => gpu,
        Err(e) => panic!("GPU tests need a Vulkan adapter: {e}"),
    })
}

//! Axon's GPU layer: Vulkan through wgpu.
//!
//! - [`device`]: adapter selection, device bring-up with the adapter's own limits, the
//!   [`DeviceCaps`] the rest of the engine reads, and the `[AXON ADAPTER]` marker.
//! - [`error`]: typed errors. Every wgpu object is created inside error scopes, device loss is
//!   recorded by a callback, and both come back as [`GpuError`] values, never as panics or logs.
//! - [`registry`]: the WGSL kernels of `wgsl/`, compiled into the binary, composed into variants
//!   and checked offline with naga (parse, validate, SPIR-V) by a CPU-only test.
//! - [`kernels`]: launchers that check a kernel's contract and return a [`Dispatch`], and
//!   [`kernels::Reduction`], the reduction shape every workgroup-reducing kernel offers.
//! - [`dispatch`]: [`Gpu::run`] encodes a list of dispatches into one pass and one submit;
//!   `Gpu::run_and_read` also reads buffers back in that submit ([`Readback`]), with
//!   validation taps, GPU timestamps (`timing`) or per-dispatch times (`profile`);
//!   [`Gpu::submit_pass`] submits without waiting and reads a few words later through
//!   reused slots ([`Submitted`], `in_flight`), with the token id copied on the GPU.
//! - [`buffer`]: f32 device buffers, uploads and read-back; [`grid`]: folding large grids.
//! - `pipelines`: compute pipelines cached per (variant, workgroup size) ([`Kernel`]).
//!
//! It does not choose models, plan forward passes or own sessions (later crates do), and it never
//! falls back to the CPU: without a usable adapter, bring-up fails with an error that says how to
//! install a driver or allow the software adapter.

// Library code reports failures as typed errors; tests may unwrap (clippy.toml).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod buffer;
pub mod device;
pub mod dispatch;
pub mod error;
pub mod grid;
mod in_flight;
pub mod kernels;
mod pipelines;
mod profile;
pub mod registry;
mod timing;

pub use buffer::DeviceBuffer;
pub use device::caps::{DeviceCaps, parse_adapter_marker};
pub use device::select::{AdapterPreference, AdapterSummary, choose_adapter};
pub use device::{Gpu, list_adapters};
pub use dispatch::{Dispatch, ReadValues, Readback, Tap};
pub use error::{BringUpError, GpuError, ObjectKind};
pub use in_flight::{ReadSlots, Submitted, TokenCopy};
pub use pipelines::Kernel;

//! The device an engine runs on: borrowed (tests and tools that open one device for many
//! engines) or shared (a model that owns its device, so it can be returned from a function).

use axon_gpu::Gpu;
use std::sync::Arc;

/// A borrowed or shared [`Gpu`].
#[derive(Debug, Clone)]
pub enum GpuRef<'g> {
    /// Borrowed for the engine's lifetime.
    Borrowed(&'g Gpu),
    /// Shared ownership: the engine keeps the device alive.
    Shared(Arc<Gpu>),
}

impl std::ops::Deref for GpuRef<'_> {
    type Target = Gpu;

    fn deref(&self) -> &Gpu {
        match self {
            GpuRef::Borrowed(g) => g,
            GpuRef::Shared(g) => g,
        }
    }
}

impl<'g> From<&'g Gpu> for GpuRef<'g> {
    fn from(gpu: &'g Gpu) -> Self {
        GpuRef::Borrowed(gpu)
    }
}

impl From<Arc<Gpu>> for GpuRef<'static> {
    fn from(gpu: Arc<Gpu>) -> Self {
        GpuRef::Shared(gpu)
    }
}

//! Typed errors of the GPU layer: one enum for bringing a device up, one for using it.

use thiserror::Error;

/// What went wrong while choosing an adapter and opening a device.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum BringUpError {
    /// No adapter passed the selection rules. `seen` lists every Vulkan adapter found.
    #[error(
        "no usable Vulkan GPU adapter (seen: {seen}). Install your GPU's Vulkan driver \
         (AMD/Intel: `apt-get install mesa-vulkan-drivers`; NVIDIA: the proprietary driver), \
         or allow the software adapter with AXON_ALLOW_SOFTWARE=1 (lavapipe, very slow; \
         `apt-get install mesa-vulkan-drivers` provides it)"
    )]
    NoUsableAdapter {
        /// Every adapter the Vulkan loader reported, as `index: name [type]`, or "none".
        seen: String,
    },
    /// `AXON_ADAPTER` named an adapter that does not exist.
    #[error(
        "AXON_ADAPTER={wanted:?} matches no Vulkan adapter (seen: {seen}); use an index or a part of a name listed by `axon info`"
    )]
    AdapterNotFound {
        /// The value of `AXON_ADAPTER`.
        wanted: String,
        /// Every adapter the Vulkan loader reported.
        seen: String,
    },
    /// The driver refused to open a device on the chosen adapter.
    #[error("opening a device on adapter {adapter:?} failed: {source}")]
    RequestDevice {
        /// The adapter's name.
        adapter: String,
        /// wgpu's reason.
        #[source]
        source: wgpu::RequestDeviceError,
    },
}

/// The kind of GPU object a validation error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// A buffer.
    Buffer,
    /// A shader module (WGSL that wgpu/naga rejected).
    ShaderModule,
    /// A compute pipeline.
    ComputePipeline,
    /// A bind group.
    BindGroup,
    /// A recorded command buffer (deferred encoder errors surface at `finish`).
    CommandBuffer,
    /// A query set (GPU timestamps).
    QuerySet,
}

impl std::fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Buffer => "buffer",
            Self::ShaderModule => "shader module",
            Self::ComputePipeline => "compute pipeline",
            Self::BindGroup => "bind group",
            Self::CommandBuffer => "command buffer",
            Self::QuerySet => "query set",
        })
    }
}

/// What went wrong while using a device.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum GpuError {
    /// wgpu rejected an object; `label` names it as the engine labelled it.
    #[error("wgpu rejected {kind} {label:?}: {message}")]
    Validation {
        /// What kind of object.
        kind: ObjectKind,
        /// The object's label.
        label: String,
        /// wgpu's description.
        message: String,
    },
    /// The driver could not allocate an object.
    #[error("out of GPU memory creating {kind} {label:?}")]
    OutOfMemory {
        /// What kind of object.
        kind: ObjectKind,
        /// The object's label.
        label: String,
    },
    /// The device was lost (destroyed, driver reset, hardware fault). Every later call on this
    /// device fails the same way; open a new device to go on.
    #[error("GPU device lost ({reason}): {message}")]
    DeviceLost {
        /// wgpu's reason, e.g. `Destroyed` or `Unknown`.
        reason: String,
        /// The driver's message.
        message: String,
    },
    /// An error wgpu reported outside any error scope of ours, surfaced on the next call.
    #[error("earlier GPU error surfaced late: {message}")]
    Uncaptured {
        /// wgpu's description.
        message: String,
    },
    /// Mapping a buffer for reading failed.
    #[error("reading back buffer {label:?} failed: {message}")]
    Readback {
        /// The buffer's label.
        label: String,
        /// wgpu's description.
        message: String,
    },
    /// Waiting for the queue failed.
    #[error("waiting for the GPU failed: {message}")]
    Poll {
        /// wgpu's description.
        message: String,
    },
    /// A kernel variant needs a device feature this device does not have.
    #[error("kernel {variant} needs the {feature} feature, which adapter {adapter:?} lacks")]
    MissingFeature {
        /// The kernel variant's registry name.
        variant: &'static str,
        /// The feature, as wgpu names it.
        feature: &'static str,
        /// The adapter's name.
        adapter: String,
    },
    /// Buffers handed to a kernel do not fit its contract.
    #[error("{kernel}: {what} has {got} elements, expected {expected}")]
    ShapeMismatch {
        /// The kernel family.
        kernel: &'static str,
        /// Which operand.
        what: &'static str,
        /// What the contract requires.
        expected: usize,
        /// What was given.
        got: usize,
    },
    /// An operand is larger than one binding may be on this device.
    #[error(
        "{kernel}: {what} is {bytes} bytes, over the device's {max} byte storage binding limit"
    )]
    BindingTooLarge {
        /// The kernel family.
        kernel: &'static str,
        /// Which operand.
        what: &'static str,
        /// Its size.
        bytes: u64,
        /// The device limit.
        max: u64,
    },
    /// A kernel has no variant for a weight format.
    #[error("{kernel}: no kernel variant for {format} weights")]
    UnsupportedFormat {
        /// The kernel family.
        kernel: &'static str,
        /// The ggml type name.
        format: &'static str,
    },
    /// A kernel variant cannot be created at this workgroup size on this device.
    #[error("kernel {variant}: workgroup size {size} is not allowed: {reason}")]
    WorkgroupSize {
        /// The kernel variant's registry name.
        variant: &'static str,
        /// The size asked for.
        size: u32,
        /// Which rule it breaks.
        reason: String,
    },
    /// `Reduction::OneSubgroup` was asked of a device without subgroups: there is no subgroup
    /// size to give the workgroup.
    #[error(
        "{kernel}: a one-subgroup workgroup needs subgroups, which adapter {adapter:?} lacks \
         (use Reduction::Workgroup)"
    )]
    NoSubgroups {
        /// The kernel family.
        kernel: &'static str,
        /// The adapter's name.
        adapter: String,
    },
    /// A kernel binds more storage buffers than one shader stage may on this device.
    #[error(
        "kernel {variant} binds {needed} storage buffers; adapter {adapter:?} allows {max} per \
         shader stage"
    )]
    TooManyStorageBuffers {
        /// The kernel variant's registry name.
        variant: &'static str,
        /// Storage buffers it binds.
        needed: u32,
        /// The device limit.
        max: u32,
        /// The adapter's name.
        adapter: String,
    },
    /// A dispatch needs more workgroups than the device can launch.
    #[error("{kernel}: {groups} workgroups exceed the device's {max_per_dim}x{max_per_dim} grid")]
    GridTooLarge {
        /// The kernel family.
        kernel: &'static str,
        /// Workgroups needed.
        groups: u64,
        /// The device's per-dimension limit.
        max_per_dim: u32,
    },
}

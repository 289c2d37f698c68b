//! Device bring-up and the guarded calls every other module goes through.
//!
//! [`Gpu::new`] picks an adapter (see [`select`]), opens a device with the adapter's own limits
//! and every feature Axon can use that it offers, records them in [`DeviceCaps`] and prints the
//! one `[AXON ADAPTER]` marker line to stderr.
//!
//! Every object is created inside wgpu error scopes, so a validation or out-of-memory error comes
//! back as a typed [`GpuError`] naming the object's label instead of reaching wgpu's default
//! handler (which panics). Device loss is recorded by a callback and reported by the next call.

pub mod caps;
pub mod select;

use crate::error::{BringUpError, GpuError, ObjectKind};
use caps::{DeviceCaps, WANTED_FEATURES};
use select::{AdapterPreference, AdapterSummary, choose_adapter};
use std::sync::{Arc, Mutex, MutexGuard};
use wgpu::{Features, PollType};

/// The longest a blocking wait may take before it is reported as an error.
pub const WAIT_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

/// What the device callbacks learnt since the last call.
#[derive(Debug, Default)]
struct Health {
    lost: Mutex<Option<(String, String)>>,
    uncaptured: Mutex<Vec<String>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A poisoned lock only means a callback panicked mid-update; the data is still readable.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// An opened Vulkan device and the facts about it.
pub struct Gpu {
    adapter: wgpu::Adapter,
    device: wgpu::Device,
    queue: wgpu::Queue,
    caps: DeviceCaps,
    health: Arc<Health>,
    pub(crate) pipelines: crate::pipelines::PipelineCache,
    /// `queue.submit` calls so far (the engine proves one per decode token with it).
    submits: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Gpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gpu")
            .field("caps", &self.caps)
            .finish_non_exhaustive()
    }
}

/// A fresh wgpu instance on the Vulkan backend (the only one Axon uses).
fn vulkan_instance() -> wgpu::Instance {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
    desc.backends = wgpu::Backends::VULKAN;
    desc.flags = wgpu::InstanceFlags::from_build_config().with_env();
    wgpu::Instance::new(desc)
}

/// Every Vulkan adapter the loader reports, in the order `AXON_ADAPTER` indexes them.
pub fn list_adapters() -> Vec<wgpu::AdapterInfo> {
    let instance = vulkan_instance();
    pollster::block_on(instance.enumerate_adapters(wgpu::Backends::VULKAN))
        .iter()
        .map(wgpu::Adapter::get_info)
        .collect()
}

impl Gpu {
    /// Opens the adapter chosen by `AXON_ADAPTER` / `AXON_ALLOW_SOFTWARE` (see [`select`]).
    pub fn new() -> Result<Self, BringUpError> {
        Self::with_preference(&AdapterPreference::from_env())
    }

    /// Opens the adapter chosen by `preference`.
    pub fn with_preference(preference: &AdapterPreference) -> Result<Self, BringUpError> {
        let instance = vulkan_instance();
        let adapters = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::VULKAN));
        let summaries: Vec<AdapterSummary> = adapters
            .iter()
            .map(|a| {
                let info = a.get_info();
                AdapterSummary {
                    name: info.name,
                    device_type: info.device_type,
                }
            })
            .collect();
        let index = choose_adapter(&summaries, preference)?;
        let adapter =
            adapters
                .into_iter()
                .nth(index)
                .ok_or_else(|| BringUpError::NoUsableAdapter {
                    seen: select::describe(&summaries),
                })?;
        let gpu = Self::open(&adapter)?;
        eprintln!("{}", gpu.caps.marker());
        Ok(gpu)
    }

    fn open(adapter: &wgpu::Adapter) -> Result<Self, BringUpError> {
        let info = adapter.get_info();
        let wanted = WANTED_FEATURES
            .iter()
            .fold(Features::empty(), |acc, (f, _)| acc | *f);
        let features = adapter.features() & wanted;
        let experimental_features = if features.contains(Features::EXPERIMENTAL_COOPERATIVE_MATRIX)
        {
            // SAFETY: experimental features are only turned on when the adapter offers
            // cooperative matrices; Axon uses them only through naga-validated WGSL, and every
            // kernel that does has a portable twin it is tested against.
            unsafe { wgpu::ExperimentalFeatures::enabled() }
        } else {
            wgpu::ExperimentalFeatures::disabled()
        };
        let desc = wgpu::DeviceDescriptor {
            label: Some("axon"),
            required_features: features,
            // The adapter's own limits: wgpu's defaults would cap bindings at 128 MiB.
            required_limits: adapter.limits(),
            experimental_features,
            memory_hints: wgpu::MemoryHints::Performance,
            trace: wgpu::Trace::Off,
        };
        let (device, queue) =
            pollster::block_on(adapter.request_device(&desc)).map_err(|source| {
                BringUpError::RequestDevice {
                    adapter: info.name.clone(),
                    source,
                }
            })?;

        let health = Arc::new(Health::default());
        let on_lost = Arc::clone(&health);
        device.set_device_lost_callback(move |reason, message| {
            tracing::error!(?reason, %message, "GPU device lost");
            *lock(&on_lost.lost) = Some((format!("{reason:?}"), message));
        });
        let on_error = Arc::clone(&health);
        device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
            tracing::error!(%error, "uncaptured wgpu error");
            lock(&on_error.uncaptured).push(error.to_string());
        }));

        let driver = [info.driver.as_str(), info.driver_info.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let cooperative_matrix = if features.contains(Features::EXPERIMENTAL_COOPERATIVE_MATRIX) {
            adapter.cooperative_matrix_properties()
        } else {
            Vec::new()
        };
        let caps = DeviceCaps {
            adapter_name: info.name,
            device_type: info.device_type,
            backend: info.backend,
            driver,
            subgroup_min_size: info.subgroup_min_size,
            subgroup_max_size: info.subgroup_max_size,
            features: device.features(),
            limits: device.limits(),
            cooperative_matrix,
            downlevel: adapter.get_downlevel_capabilities().flags,
        };
        tracing::info!(adapter = %caps.adapter_name, "GPU device opened");
        Ok(Self {
            adapter: adapter.clone(),
            device,
            queue,
            caps,
            health,
            pipelines: Default::default(),
            submits: Default::default(),
        })
    }

    /// What the device offers.
    pub fn caps(&self) -> &DeviceCaps {
        &self.caps
    }

    /// The adapter the device was opened on.
    pub fn adapter(&self) -> &wgpu::Adapter {
        &self.adapter
    }

    /// The wgpu device, for code that builds its own objects (create them through
    /// [`Gpu::guarded`] so errors come back typed).
    pub fn device(&self) -> &wgpu::Device {
        &self.device
    }

    /// The wgpu queue.
    pub fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    /// Fails with [`GpuError::DeviceLost`] once the device is gone, and with
    /// [`GpuError::Uncaptured`] for an error wgpu reported outside our scopes.
    pub fn check_alive(&self) -> Result<(), GpuError> {
        // Polling runs pending callbacks, the device-lost one included; its own result is
        // irrelevant here (a lost device is reported through the callback).
        let _ = self.device.poll(PollType::Poll);
        if let Some((reason, message)) = lock(&self.health.lost).clone() {
            return Err(GpuError::DeviceLost { reason, message });
        }
        let mut uncaptured = lock(&self.health.uncaptured);
        if !uncaptured.is_empty() {
            let message = uncaptured.join("; ");
            uncaptured.clear();
            return Err(GpuError::Uncaptured { message });
        }
        Ok(())
    }

    /// Runs `create` inside validation and out-of-memory error scopes and turns what they
    /// caught into a typed error naming `kind` and `label`.
    pub fn guarded<T>(
        &self,
        kind: ObjectKind,
        label: &str,
        create: impl FnOnce(&wgpu::Device) -> T,
    ) -> Result<T, GpuError> {
        // One check, after the call: it reports a device lost before or during it, and an
        // object made on a lost device is never handed out.
        let oom_scope = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let validation_scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let value = create(&self.device);
        let validation = pollster::block_on(validation_scope.pop());
        let oom = pollster::block_on(oom_scope.pop());
        self.check_alive()?;
        if let Some(error) = validation {
            return Err(GpuError::Validation {
                kind,
                label: label.to_owned(),
                message: error.to_string(),
            });
        }
        if oom.is_some() {
            return Err(GpuError::OutOfMemory {
                kind,
                label: label.to_owned(),
            });
        }
        Ok(value)
    }

    /// Creates a buffer; an invalid descriptor (e.g. larger than `max_buffer_size`) is an error.
    pub fn create_buffer(
        &self,
        label: &str,
        size: u64,
        usage: wgpu::BufferUsages,
    ) -> Result<wgpu::Buffer, GpuError> {
        self.guarded(ObjectKind::Buffer, label, |d| {
            d.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size,
                usage,
                mapped_at_creation: false,
            })
        })
    }

    /// Compiles one of the registry's kernels (`registry::variants`) without naga's loop
    /// counters and integer-division guards, keeping its bounds checks: on the H200 the loop
    /// counters alone made decode matvec 2x slower (`docs/KERNELS.md`, "Trusted modules").
    /// Only the registry's own WGSL comes here; `tests/trusted_shaders.rs` checks the two
    /// promises this makes for every registered file: every loop is a counted `for` whose
    /// variable only its header changes, and every integer divisor cannot be zero.
    pub(crate) fn create_kernel_module(
        &self,
        label: &str,
        wgsl: &str,
    ) -> Result<wgpu::ShaderModule, GpuError> {
        let mut checks = wgpu::ShaderRuntimeChecks::checked();
        checks.force_loop_bounding = false;
        checks.int_div_checks = false;
        self.guarded(ObjectKind::ShaderModule, label, |d| {
            // SAFETY: wgpu asks that no loop be infinite and no integer divisor be zero (or
            // INT_MIN / -1). tests/trusted_shaders.rs proves both for every registered file:
            // loops are `for` loops counting a variable nothing else assigns towards a bound
            // that launchers keep far below u32::MAX, and divisors are constants, overrides
            // or max(x, c) with c > 0. Bounds checks stay on.
            unsafe {
                d.create_shader_module_trusted(
                    wgpu::ShaderModuleDescriptor {
                        label: Some(label),
                        source: wgpu::ShaderSource::Wgsl(wgsl.into()),
                    },
                    checks,
                )
            }
        })
    }

    /// Compiles WGSL with every runtime check wgpu offers; a parse or validation failure is an
    /// error carrying naga's message.
    pub fn create_shader_module(
        &self,
        label: &str,
        wgsl: &str,
    ) -> Result<wgpu::ShaderModule, GpuError> {
        self.guarded(ObjectKind::ShaderModule, label, |d| {
            d.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(label),
                source: wgpu::ShaderSource::Wgsl(wgsl.into()),
            })
        })
    }

    /// Finishes `encoder` and submits it, surfacing deferred encoder errors; returns the
    /// submission to wait for.
    pub fn submit(
        &self,
        label: &str,
        encoder: wgpu::CommandEncoder,
    ) -> Result<wgpu::SubmissionIndex, GpuError> {
        let commands = self.guarded(ObjectKind::CommandBuffer, label, |_| encoder.finish())?;
        self.submits
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // A device lost by this submission is reported by the next call (or the wait).
        Ok(self.queue.submit([commands]))
    }

    /// How many command buffers this device has submitted (every [`Gpu::submit`]).
    pub fn submit_count(&self) -> u64 {
        self.submits.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Blocks until `submission` (or, with `None`, everything submitted so far) has finished,
    /// for at most [`WAIT_LIMIT`]: a GPU that stops making progress becomes an error rather
    /// than a hang.
    pub fn wait(&self, submission: Option<wgpu::SubmissionIndex>) -> Result<(), GpuError> {
        self.check_alive()?;
        self.device
            .poll(PollType::Wait {
                submission_index: submission,
                timeout: Some(WAIT_LIMIT),
            })
            .map_err(|e| GpuError::Poll {
                message: format!("{e} (waited up to {WAIT_LIMIT:?})"),
            })?;
        self.check_alive()
    }

    /// Blocks until the queue is idle (see [`Gpu::wait`]).
    pub fn wait_idle(&self) -> Result<(), GpuError> {
        self.wait(None)
    }

    /// Copies `size` bytes of `buffer` (which needs `COPY_SRC`) to the host.
    pub fn read_bytes(
        &self,
        label: &str,
        buffer: &wgpu::Buffer,
        size: u64,
    ) -> Result<Vec<u8>, GpuError> {
        let encoder = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) });
        let mut parts = self.submit_and_read(label, encoder, &[(buffer, size)])?;
        Ok(parts.pop().unwrap_or_default())
    }

    /// Waits for `submission` only (not for later submits), maps `host` (a `MAP_READ`
    /// buffer it wrote) and returns what `read` makes of its bytes; unmaps it again.
    pub(crate) fn read_mapped<T>(
        &self,
        label: &str,
        host: &wgpu::Buffer,
        submission: wgpu::SubmissionIndex,
        read: impl FnOnce(&[u8]) -> T,
    ) -> Result<T, GpuError> {
        let (sender, receiver) = std::sync::mpsc::channel();
        host.map_async(wgpu::MapMode::Read, .., move |result| {
            // The receiver lives until after the wait below; a send error cannot happen.
            let _ = sender.send(result);
        });
        self.wait(Some(submission))?;
        let readback = |message: String| GpuError::Readback {
            label: label.to_owned(),
            message,
        };
        receiver
            .recv()
            .map_err(|e| readback(e.to_string()))?
            .map_err(|e| readback(e.to_string()))?;
        let value = {
            let bytes = host
                .get_mapped_range(..)
                .map_err(|e| readback(e.to_string()))?;
            read(&bytes)
        };
        host.unmap();
        Ok(value)
    }

    /// Appends copies of each `(buffer, size)` to `encoder` (packed into one staging buffer),
    /// submits it (one submit for whatever the encoder already holds and the copies), and
    /// returns each buffer's bytes.
    pub(crate) fn submit_and_read(
        &self,
        label: &str,
        mut encoder: wgpu::CommandEncoder,
        sources: &[(&wgpu::Buffer, u64)],
    ) -> Result<Vec<Vec<u8>>, GpuError> {
        let sizes: Vec<u64> = sources
            .iter()
            .map(|&(_, size)| size.next_multiple_of(wgpu::COPY_BUFFER_ALIGNMENT))
            .collect();
        let total: u64 = sizes.iter().sum();
        let staging_label = format!("{label}.readback");
        let staging = self.create_buffer(
            &staging_label,
            total.max(wgpu::COPY_BUFFER_ALIGNMENT),
            wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        )?;
        let mut at = 0;
        for (&(buffer, _), &size) in sources.iter().zip(&sizes) {
            if size > 0 {
                encoder.copy_buffer_to_buffer(buffer, 0, &staging, at, size);
            }
            at += size;
        }
        let submission = self.submit(&staging_label, encoder)?;
        let bytes = self.read_mapped(label, &staging, submission, |b| b.to_vec())?;
        let mut parts = Vec::with_capacity(sizes.len());
        let mut at = 0usize;
        for &size in &sizes {
            let end = at + size as usize;
            parts.push(bytes.get(at..end).unwrap_or_default().to_vec());
            at = end;
        }
        Ok(parts)
    }
}

//! What the opened device offers, recorded once at bring-up and read by the rest of the engine,
//! and the one-line `[AXON ADAPTER]` marker that announces it.

use wgpu::{Backend, CooperativeMatrixProperties, DeviceType, DownlevelFlags, Features, Limits};

/// The optional features Axon asks for whenever the adapter offers them, with the names the
/// marker and `axon info` print.
pub const WANTED_FEATURES: &[(Features, &str)] = &[
    (Features::SUBGROUP, "subgroup"),
    (Features::SHADER_F16, "shader-f16"),
    (Features::TIMESTAMP_QUERY, "timestamp-query"),
    (
        Features::TIMESTAMP_QUERY_INSIDE_ENCODERS,
        "timestamp-query-inside-encoders",
    ),
    (
        Features::TIMESTAMP_QUERY_INSIDE_PASSES,
        "timestamp-query-inside-passes",
    ),
    (
        Features::EXPERIMENTAL_COOPERATIVE_MATRIX,
        "cooperative-matrix",
    ),
];

/// The device as the engine sees it: identity, granted features and granted limits.
#[derive(Debug, Clone)]
pub struct DeviceCaps {
    /// Adapter name, e.g. `NVIDIA H100 80GB HBM3` or `llvmpipe (LLVM 15.0.6, 256 bits)`.
    pub adapter_name: String,
    /// Discrete, integrated, software (`Cpu`), ...
    pub device_type: DeviceType,
    /// Always Vulkan: Axon opens no other backend.
    pub backend: Backend,
    /// Driver name and version, as one string.
    pub driver: String,
    /// Smallest subgroup size the adapter may run compute at.
    pub subgroup_min_size: u32,
    /// Largest subgroup size the adapter may run compute at.
    pub subgroup_max_size: u32,
    /// Features the device was opened with.
    pub features: Features,
    /// Limits the device was opened with (the adapter's own, not wgpu's defaults).
    pub limits: Limits,
    /// Cooperative-matrix configurations wgpu accepted (empty without the feature).
    pub cooperative_matrix: Vec<CooperativeMatrixProperties>,
    /// What the adapter can do below WebGPU's baseline (wgpu's downlevel flags).
    pub downlevel: DownlevelFlags,
}

impl DeviceCaps {
    /// Subgroup operations (`subgroupAdd`, ...) may be used.
    pub fn has_subgroups(&self) -> bool {
        self.features.contains(Features::SUBGROUP)
    }

    /// `unpack2x16float` and friends may be used: every Vulkan driver converts halves in
    /// hardware, except llvmpipe without shader-f16 (wgpu's `SHADER_F16_IN_F32`).
    pub fn has_half_unpack(&self) -> bool {
        self.downlevel.contains(DownlevelFlags::SHADER_F16_IN_F32)
    }

    /// `f16` may be used in shaders and storage.
    pub fn has_f16(&self) -> bool {
        self.features.contains(Features::SHADER_F16)
    }

    /// Timestamps may be written at the start and end of a compute pass ([`Gpu::run_timed`]).
    ///
    /// [`Gpu::run_timed`]: crate::Gpu::run_timed
    pub fn has_timestamps(&self) -> bool {
        self.features.contains(Features::TIMESTAMP_QUERY)
    }

    /// Timestamps may be written between dispatches inside one compute pass.
    pub fn has_timestamps_in_passes(&self) -> bool {
        self.features
            .contains(Features::TIMESTAMP_QUERY | Features::TIMESTAMP_QUERY_INSIDE_PASSES)
    }

    /// WGSL cooperative-matrix types may be used.
    pub fn has_cooperative_matrix(&self) -> bool {
        self.features
            .contains(Features::EXPERIMENTAL_COOPERATIVE_MATRIX)
    }

    /// Storage buffers one shader stage may bind.
    pub fn max_storage_buffers_per_stage(&self) -> u32 {
        self.limits.max_storage_buffers_per_shader_stage
    }

    /// Largest range one storage binding may cover.
    pub fn max_storage_binding_bytes(&self) -> u64 {
        self.limits.max_storage_buffer_binding_size
    }

    /// Names of the wanted features the device got, in `WANTED_FEATURES` order.
    pub fn feature_names(&self) -> Vec<&'static str> {
        WANTED_FEATURES
            .iter()
            .filter(|(f, _)| self.features.contains(*f))
            .map(|&(_, name)| name)
            .collect()
    }

    /// The `[AXON ADAPTER]` marker line (no trailing newline).
    ///
    /// `[AXON ADAPTER] name="…" backend=Vulkan type=DiscreteGpu driver="…" subgroup=MIN..MAX features=a,b`
    /// Quoted values never contain `"` (replaced by `'`); `features=none` when none was granted.
    pub fn marker(&self) -> String {
        let names = self.feature_names();
        let features = if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(",")
        };
        format!(
            "[AXON ADAPTER] name=\"{}\" backend={:?} type={:?} driver=\"{}\" subgroup={}..{} features={}",
            unquote(&self.adapter_name),
            self.backend,
            self.device_type,
            unquote(&self.driver),
            self.subgroup_min_size,
            self.subgroup_max_size,
            features,
        )
    }
}

fn unquote(s: &str) -> String {
    s.replace('"', "'")
}

/// The fields of an `[AXON ADAPTER]` marker line, parsed back; `None` if `line` is not one.
pub fn parse_adapter_marker(line: &str) -> Option<Vec<(String, String)>> {
    let mut rest = line.strip_prefix("[AXON ADAPTER] ")?;
    let mut fields = Vec::new();
    while !rest.is_empty() {
        let (key, after) = rest.split_once('=')?;
        let (value, after) = match after.strip_prefix('"') {
            Some(quoted) => {
                let (value, after) = quoted.split_once('"')?;
                (value, after.strip_prefix(' ').unwrap_or(after))
            }
            None => after.split_once(' ').unwrap_or((after, "")),
        };
        fields.push((key.to_owned(), value.to_owned()));
        rest = after;
    }
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(features: Features) -> DeviceCaps {
        DeviceCaps {
            adapter_name: "llvmpipe \"LLVM\" 15".to_owned(),
            device_type: DeviceType::Cpu,
            backend: Backend::Vulkan,
            driver: "llvmpipe Mesa 22.3.6".to_owned(),
            subgroup_min_size: 8,
            subgroup_max_size: 8,
            features,
            limits: Limits::default(),
            cooperative_matrix: Vec::new(),
            downlevel: DownlevelFlags::empty(),
        }
    }

    #[test]
    fn marker_has_the_documented_shape_and_parses_back() {
        let line = caps(Features::SUBGROUP | Features::SHADER_F16).marker();
        assert_eq!(
            line,
            "[AXON ADAPTER] name=\"llvmpipe 'LLVM' 15\" backend=Vulkan type=Cpu \
             driver=\"llvmpipe Mesa 22.3.6\" subgroup=8..8 features=subgroup,shader-f16"
        );
        let fields = parse_adapter_marker(&line).unwrap();
        let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            ["name", "backend", "type", "driver", "subgroup", "features"]
        );
        assert_eq!(fields[0].1, "llvmpipe 'LLVM' 15");
        assert_eq!(fields[5].1, "subgroup,shader-f16");
    }

    #[test]
    fn marker_says_none_without_features() {
        assert!(caps(Features::empty()).marker().ends_with(" features=none"));
    }

    #[test]
    fn other_lines_are_not_markers() {
        assert_eq!(parse_adapter_marker("[GPU PERDISPATCH] x=1"), None);
    }
}

//! Every kernel variant the engine can request, in one table.
//!
//! A variant is a list of `wgsl/` files (reduction parts first, the kernel last), an entry
//! point, the override constants its launcher sets, and the device features it needs. The
//! launcher reads the workgroup size from here, so Rust and WGSL never disagree about it.

use super::compose::WgslFile;

macro_rules! wgsl_file {
    ($path:literal) => {
        WgslFile {
            path: concat!("wgsl/", $path),
            text: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../wgsl/", $path)),
        }
    };
}

/// `wgsl/add.wgsl`
pub static ADD_WGSL: WgslFile = wgsl_file!("add.wgsl");
/// `wgsl/rms_norm.wgsl`
pub static RMS_NORM_WGSL: WgslFile = wgsl_file!("rms_norm.wgsl");
/// `wgsl/subgroup_probe.wgsl`
pub static SUBGROUP_PROBE_WGSL: WgslFile = wgsl_file!("subgroup_probe.wgsl");
/// `wgsl/parts/reduce_subgroup.wgsl`
pub static REDUCE_SUBGROUP_WGSL: WgslFile = wgsl_file!("parts/reduce_subgroup.wgsl");
/// `wgsl/parts/reduce_workgroup.wgsl`
pub static REDUCE_WORKGROUP_WGSL: WgslFile = wgsl_file!("parts/reduce_workgroup.wgsl");

/// Every `wgsl/` file compiled into the binary (a test checks none on disk is missing).
pub static ALL_FILES: &[&WgslFile] = &[
    &ADD_WGSL,
    &RMS_NORM_WGSL,
    &SUBGROUP_PROBE_WGSL,
    &REDUCE_SUBGROUP_WGSL,
    &REDUCE_WORKGROUP_WGSL,
];

/// Device features a variant cannot run without.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Needs {
    /// Subgroup builtins and operations (`wgpu::Features::SUBGROUP`).
    pub subgroups: bool,
    /// `f16` (`wgpu::Features::SHADER_F16`).
    pub f16: bool,
}

/// One compilable, dispatchable kernel.
#[derive(Debug)]
pub struct KernelVariant {
    /// Unique registry key, also the label of its shader module, pipeline and dispatches.
    pub name: &'static str,
    /// The `@compute` entry point.
    pub entry_point: &'static str,
    /// Files concatenated in this order: parts, then the kernel.
    pub files: &'static [&'static WgslFile],
    /// Value of the `WG_SIZE` override, or `None` when the kernel fixes its own size.
    pub workgroup_size: Option<u32>,
    /// Whether `WG_SIZE` must be a power of two (tree reductions).
    pub power_of_two_workgroup: bool,
    /// Features the variant needs.
    pub needs: Needs,
}

impl KernelVariant {
    /// The override constants the pipeline is created with.
    pub fn overrides(&self) -> Vec<(&'static str, f64)> {
        self.workgroup_size
            .map(|wg| ("WG_SIZE", f64::from(wg)))
            .into_iter()
            .collect()
    }
}

/// Elementwise `out = a + b` over f32.
pub static ADD_F32: KernelVariant = KernelVariant {
    name: "add_f32",
    entry_point: "add_f32",
    files: &[&ADD_WGSL],
    workgroup_size: Some(256),
    power_of_two_workgroup: false,
    needs: Needs {
        subgroups: false,
        f16: false,
    },
};

/// RMSNorm over f32 rows, reducing with subgroup operations.
pub static RMS_NORM_F32_SUBGROUP: KernelVariant = KernelVariant {
    name: "rms_norm_f32.subgroup",
    entry_point: "rms_norm_f32",
    files: &[&REDUCE_SUBGROUP_WGSL, &RMS_NORM_WGSL],
    workgroup_size: Some(256),
    power_of_two_workgroup: false,
    needs: Needs {
        subgroups: true,
        f16: false,
    },
};

/// RMSNorm over f32 rows, reducing through workgroup memory (no subgroup support needed).
pub static RMS_NORM_F32_WORKGROUP: KernelVariant = KernelVariant {
    name: "rms_norm_f32.workgroup",
    entry_point: "rms_norm_f32",
    files: &[&REDUCE_WORKGROUP_WGSL, &RMS_NORM_WGSL],
    workgroup_size: Some(256),
    power_of_two_workgroup: true,
    needs: Needs {
        subgroups: false,
        f16: false,
    },
};

/// Reports the subgroup sizes compute shaders actually run at.
pub static SUBGROUP_PROBE: KernelVariant = KernelVariant {
    name: "subgroup_size_probe",
    entry_point: "subgroup_size_probe",
    files: &[&SUBGROUP_PROBE_WGSL],
    workgroup_size: None,
    power_of_two_workgroup: false,
    needs: Needs {
        subgroups: true,
        f16: false,
    },
};

/// Every variant the engine can request. Launchers only use variants listed here, and a
/// CPU-only test validates each with naga and emits SPIR-V for it.
pub static ALL_VARIANTS: &[&KernelVariant] = &[
    &ADD_F32,
    &RMS_NORM_F32_SUBGROUP,
    &RMS_NORM_F32_WORKGROUP,
    &SUBGROUP_PROBE,
];

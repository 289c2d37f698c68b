//! Offline checking of kernel variants with naga: parse, validate with exactly the
//! capabilities the variant declares, resolve its override constants, emit SPIR-V.
//!
//! This needs no GPU, so every variant is checked on every machine (see `tests/registry.rs`);
//! a broken kernel is reported with its file and line in `wgsl/`.

use super::compose::{ComposedSource, compose};
use super::variants::KernelVariant;
use naga::back::spv;
use naga::valid::{Capabilities, ShaderStages, SubgroupOperationSet, ValidationFlags, Validator};
use thiserror::Error;

/// The stage of offline compilation that rejected a kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompileStage {
    /// WGSL parsing.
    Parse,
    /// naga's IR validation.
    Validate,
    /// The variant's declaration itself (workgroup size rules).
    Declaration,
    /// Resolving override constants.
    Overrides,
    /// SPIR-V emission.
    SpirV,
}

/// A kernel variant that does not compile, located in its source file.
#[derive(Debug, Clone, Error)]
#[error("{location}: {stage:?} error in kernel variant {variant}: {message}")]
pub struct KernelSourceError {
    /// The variant's registry name.
    pub variant: &'static str,
    /// `wgsl/file.wgsl:LINE:COLUMN`, or the kernel's path when naga gives no span.
    pub location: String,
    /// Which stage failed.
    pub stage: CompileStage,
    /// naga's message.
    pub message: String,
}

/// What a successful check produces.
#[derive(Debug, Clone)]
pub struct CompiledKernel {
    /// The composed WGSL.
    pub source: ComposedSource,
    /// SPIR-V words for the variant's entry point with its overrides applied.
    pub spirv: Vec<u32>,
}

/// Validates one registered variant at its table workgroup size and emits its SPIR-V.
pub fn compile_variant(variant: &KernelVariant) -> Result<CompiledKernel, KernelSourceError> {
    compile_variant_at(variant, variant.workgroup_size)
}

/// Validates `variant` with `WG_SIZE` set to `workgroup_size` (the sizes
/// `Reduction::OneSubgroup` gives kernels, for example) and emits its SPIR-V. A size for a
/// variant without a `WG_SIZE` override is a declaration error.
pub fn compile_variant_at(
    variant: &KernelVariant,
    workgroup_size: Option<u32>,
) -> Result<CompiledKernel, KernelSourceError> {
    let source = compose(variant.files);
    let fail = |stage, location: String, message: String| KernelSourceError {
        variant: variant.name,
        location,
        stage,
        message,
    };
    if variant.workgroup_size.is_none() && workgroup_size.is_some() {
        return Err(fail(
            CompileStage::Declaration,
            source.main_path().to_owned(),
            "the kernel fixes its own workgroup size (no WG_SIZE override)".to_owned(),
        ));
    }
    if let Some(wg) = workgroup_size {
        if wg == 0 || wg > 1024 || (variant.power_of_two_workgroup && !wg.is_power_of_two()) {
            let why = format!(
                "WG_SIZE={wg} must be 1..=1024 (and a power of two: {})",
                variant.power_of_two_workgroup
            );
            return Err(fail(
                CompileStage::Declaration,
                source.main_path().to_owned(),
                why,
            ));
        }
    }

    // naga's excerpt numbers lines of the composed text; the location above maps to wgsl/.
    let composed_name = format!("<composed {}>", variant.name);
    let module = naga::front::wgsl::parse_str(source.text()).map_err(|e| {
        let line = e
            .location(source.text())
            .map(|l| (l.line_number, l.line_position));
        fail(
            CompileStage::Parse,
            locate(&source, line),
            e.emit_to_string_with_path(source.text(), &composed_name),
        )
    })?;

    let mut capabilities = Capabilities::default();
    if variant.needs.subgroups {
        capabilities |= Capabilities::SUBGROUP;
    }
    if variant.needs.f16 {
        capabilities |= Capabilities::SHADER_FLOAT16;
    }
    if variant.needs.half_unpack {
        capabilities |= Capabilities::SHADER_FLOAT16_IN_FLOAT32;
    }
    let mut validator = Validator::new(ValidationFlags::all(), capabilities);
    if variant.needs.subgroups {
        validator.subgroup_stages(ShaderStages::COMPUTE);
        validator.subgroup_operations(SubgroupOperationSet::all());
    }
    let info = validator.validate(&module).map_err(|e| {
        let line = e
            .location(source.text())
            .map(|l| (l.line_number, l.line_position));
        fail(
            CompileStage::Validate,
            locate(&source, line),
            e.emit_to_string_with_path(source.text(), &composed_name),
        )
    })?;

    let mut constants = naga::back::PipelineConstants::default();
    for (name, value) in variant.overrides_at(workgroup_size) {
        constants.insert(name.to_owned(), value);
    }
    let entry = (naga::ShaderStage::Compute, variant.entry_point);
    let (module, info) =
        naga::back::pipeline_constants::process_overrides(&module, &info, Some(entry), &constants)
            .map_err(|e| {
                fail(
                    CompileStage::Overrides,
                    source.main_path().to_owned(),
                    e.to_string(),
                )
            })?;

    let options = spv::Options {
        lang_version: (1, 3),
        ..spv::Options::default()
    };
    let pipeline = spv::PipelineOptions {
        shader_stage: naga::ShaderStage::Compute,
        entry_point: variant.entry_point.to_owned(),
    };
    let spirv = spv::write_vec(&module, &info, &options, Some(&pipeline)).map_err(|e| {
        fail(
            CompileStage::SpirV,
            source.main_path().to_owned(),
            e.to_string(),
        )
    })?;
    Ok(CompiledKernel { source, spirv })
}

/// `path:line:column` in `wgsl/` for a 1-based (line, column) of the composed text.
fn locate(source: &ComposedSource, at: Option<(u32, u32)>) -> String {
    match at.and_then(|(line, column)| source.locate(line).map(|l| (l, column))) {
        Some((file_line, column)) => format!("{}:{}:{}", file_line.path, file_line.line, column),
        None => source.main_path().to_owned(),
    }
}

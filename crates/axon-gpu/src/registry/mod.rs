//! The kernel registry: which WGSL files exist, how variants are composed from them, and the
//! offline (naga) check every variant passes before any device sees it.

pub mod compose;
mod files;
pub mod validate;
pub mod variants;
mod weight_variants;

pub use compose::{ComposedSource, FileLine, WgslFile, compose};
pub use validate::{
    CompileStage, CompiledKernel, KernelSourceError, compile_variant, compile_variant_at,
};
pub use variants::{ALL_FILES, ALL_REDUCED_PAIRS, ALL_VARIANTS, KernelVariant, Needs, ReducedPair};

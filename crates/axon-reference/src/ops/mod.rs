//! One module per op; each is the CPU twin of a WGSL kernel family of the same name.

pub mod add;
pub mod rms_norm;

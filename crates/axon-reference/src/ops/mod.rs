//! One module per op; each is the CPU twin of a WGSL kernel family of the same name.

pub mod activation;
pub mod add;
pub mod attention;
pub mod conv1d;
pub mod deltanet;
pub mod kv_cache;
pub mod l2_norm;
pub mod linear;
pub mod mlp;
pub mod quantize_q8;
pub mod rms_norm;
pub mod rope;
pub mod rope_ext;
pub mod sampling;
pub mod softmax;

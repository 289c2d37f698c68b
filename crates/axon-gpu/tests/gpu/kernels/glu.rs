//! `glu` (gate applied elementwise) vs the reference's activations. Tolerance: 1e-5 relative
//! (+1e-6): one activation and one product per element; `exp`/`tanh` are within a few ULP
//! in Vulkan, and a swapped activation differs by far more at these inputs.

use super::{CASES, guarded_zeros, noise, read_guarded};
use crate::gpu;
use axon_gpu::kernels::glu::glu;
use axon_gpu::kernels::matvec::Activation;
use axon_reference::ops::activation::{gelu_tanh, silu};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]
    #[test]
    fn glu_matches_reference(n in 1usize..700, seed in any::<u64>(), gelu in any::<bool>()) {
        let gpu = gpu();
        let (g, u) = (noise(n, seed, 4.0), noise(n, seed ^ 9, 2.0));
        let (dg, du) = (gpu.upload_f32("gate", &g).unwrap(), gpu.upload_f32("up", &u).unwrap());
        let out = guarded_zeros(gpu, "out", n);
        let act = if gelu { Activation::GeluTanh } else { Activation::Silu };
        gpu.run("glu_test", &[glu(gpu, [&dg, &du, &out], act).unwrap()]).unwrap();
        let got = read_guarded(gpu, &out, n);
        for i in 0..n {
            let a = if gelu { gelu_tanh(g[i]) } else { silu(g[i]) };
            let want = a * u[i];
            prop_assert!((got[i] - want).abs() <= 1e-5 * want.abs() + 1e-6, "{i}: {} vs {want}", got[i]);
        }
    }
}

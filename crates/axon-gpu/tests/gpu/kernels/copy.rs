//! `copy` (the shader bandwidth reference): bit-exact, nothing written past the source's
//! length, lengths that are not a multiple of 4 rejected. Tolerance: exact (no arithmetic).

use super::{guarded_zeros, noise, read_guarded};
use crate::gpu;
use axon_gpu::kernels::copy::copy;

#[test]
fn copy_is_exact_and_stays_in_bounds() {
    let gpu = gpu();
    for n in [4, 8, 1020, 256 * 4 + 4, 70_000 * 4] {
        let data = noise(n, n as u64, 3.0);
        let src = gpu.upload_f32("src", &data).unwrap();
        let dst = guarded_zeros(gpu, "dst", n);
        gpu.run("copy_test", &[copy(gpu, &src, &dst).unwrap()])
            .unwrap();
        let got = read_guarded(gpu, &dst, n);
        assert!(
            got.iter()
                .zip(&data)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "n {n}: copy differs"
        );
    }
    let odd = gpu.zeros_f32("odd", 6).unwrap();
    assert!(copy(gpu, &odd, &odd).is_err());
}

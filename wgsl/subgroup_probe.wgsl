// Reports the subgroup size the driver actually runs compute shaders at (which can differ
// from the adapter's advertised range under varying subgroup size, e.g. RDNA wave32/64).
//
// Bindings:
//   out  write  [2] u32: out[0] = min subgroup_size seen, out[1] = max subgroup_size seen

@group(0) @binding(0) var<storage, read_write> out: array<atomic<u32>, 2>;

@compute @workgroup_size(64)
fn subgroup_size_probe(@builtin(subgroup_size) size: u32) {
    atomicMin(&out[0], size);
    atomicMax(&out[1], size);
}

// Workgroup-wide sum through shared memory (tree reduction); needs no subgroup support.
// Requires WG_SIZE to be a power of two (the kernel registry checks every variant).
// Must be called from uniform control flow by every invocation of the workgroup.

override WG_SIZE: u32 = 256u;

struct ReduceIds {
    @builtin(local_invocation_index) lid: u32,
}

var<workgroup> reduce_scratch: array<f32, WG_SIZE>;

fn workgroup_sum(value: f32, ids: ReduceIds) -> f32 {
    reduce_scratch[ids.lid] = value;
    workgroupBarrier();
    for (var stride = WG_SIZE / 2u; stride > 0u; stride /= 2u) {
        if ids.lid < stride {
            reduce_scratch[ids.lid] += reduce_scratch[ids.lid + stride];
        }
        workgroupBarrier();
    }
    let total = reduce_scratch[0];
    // Nobody may overwrite the scratch for a next reduction before everyone has read the total.
    workgroupBarrier();
    return total;
}

// Workgroup-wide maximum; same rules as workgroup_sum.
fn workgroup_max(value: f32, ids: ReduceIds) -> f32 {
    reduce_scratch[ids.lid] = value;
    workgroupBarrier();
    for (var stride = WG_SIZE / 2u; stride > 0u; stride /= 2u) {
        if ids.lid < stride {
            reduce_scratch[ids.lid] = max(reduce_scratch[ids.lid], reduce_scratch[ids.lid + stride]);
        }
        workgroupBarrier();
    }
    let total = reduce_scratch[0];
    workgroupBarrier();
    return total;
}

// Workgroup-wide sum through subgroup operations, for any subgroup size: each subgroup adds
// its lanes, its lowest active lane stores the partial, and one invocation adds the partials.
// Subgroup ids come from the builtins rather than lid / size, because subgroups need not be
// full or laid out contiguously. Must be called from uniform control flow.

override WG_SIZE: u32 = 256u;

struct ReduceIds {
    @builtin(local_invocation_index) lid: u32,
    @builtin(subgroup_invocation_id) lane: u32,
    @builtin(subgroup_id) subgroup: u32,
    @builtin(num_subgroups) subgroups: u32,
}

// One slot per invocation: a workgroup never has more subgroups than invocations, whatever
// the subgroup size (and one subgroup uses slot 0 alone), so no constant has to track the
// largest workgroup.
var<workgroup> reduce_partials: array<f32, WG_SIZE>;
var<workgroup> reduce_total: f32;

fn workgroup_sum(value: f32, ids: ReduceIds) -> f32 {
    let partial = subgroupAdd(value);
    if ids.lane == subgroupMin(ids.lane) {
        reduce_partials[ids.subgroup] = partial;
    }
    workgroupBarrier();
    if ids.lid == 0u {
        var sum = 0.0;
        for (var s = 0u; s < ids.subgroups; s++) {
            sum += reduce_partials[s];
        }
        reduce_total = sum;
    }
    workgroupBarrier();
    let total = reduce_total;
    // Nobody may overwrite the partials for a next reduction before everyone has read the total.
    workgroupBarrier();
    return total;
}

// Workgroup-wide maximum; same rules as workgroup_sum.
fn workgroup_max(value: f32, ids: ReduceIds) -> f32 {
    let partial = subgroupMax(value);
    if ids.lane == subgroupMin(ids.lane) {
        reduce_partials[ids.subgroup] = partial;
    }
    workgroupBarrier();
    if ids.lid == 0u {
        var best = reduce_partials[0];
        for (var s = 1u; s < ids.subgroups; s++) {
            best = max(best, reduce_partials[s]);
        }
        reduce_total = best;
    }
    workgroupBarrier();
    let total = reduce_total;
    workgroupBarrier();
    return total;
}

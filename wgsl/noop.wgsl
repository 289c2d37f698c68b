// A dispatch that does nothing: the engine appends N of them per forward pass
// (AXON_INSERT_NOOP_DISPATCHES) to measure what one dispatch costs, with no effect on results.
//
// Bindings:
//   params  uniform  read only to keep the binding (a pipeline needs one bind group)
// Dispatch: one workgroup of one invocation.

struct NoopParams {
    tag: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: NoopParams;

@compute @workgroup_size(1)
fn noop() {
    _ = params.tag;
}

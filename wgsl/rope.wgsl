// Rotary position embedding, in place, for every (token, head, rotated pair).
//
// Bindings:
//   params  uniform  tokens, heads, head_dim, half (rotated pairs per head), pos0 (position of
//                    token 0), neox (1: pairs (i, i + half); 0: adjacent (2i, 2i + 1)), mscale
//   freqs   read     [half] f32: radians per position for pair i, built on the CPU in f64
//                    (plain, linear-scaled or YaRN-blended), so the GPU never calls pow
//   x       rw       [tokens, heads, head_dim] f32
//   position uniform the call's position, added to pos0 (kernels/position.rs)
// Values past 2 * half in each head (partial rotary) are not touched. Qwen3.5's M-RoPE on
// text positions is the NeoX case (all three position streams equal).
// Dispatch: ceil(tokens * heads * half / WG_SIZE) workgroups, folded into x/y.

struct RopeParams {
    tokens: u32,
    heads: u32,
    head_dim: u32,
    half: u32,
    pos0: u32,
    neox: u32,
    mscale: f32,
    _pad: u32,
}

override WG_SIZE: u32 = 256u;

@group(0) @binding(0) var<uniform> params: RopeParams;
@group(0) @binding(1) var<storage, read> freqs: array<f32>;
@group(0) @binding(2) var<storage, read_write> x: array<f32>;

struct Position {
    pos: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(3) var<uniform> position: Position;

@compute @workgroup_size(WG_SIZE)
fn rope_f32(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = gid.x + gid.y * groups.x * WG_SIZE;
    if idx >= params.tokens * params.heads * params.half {
        return;
    }
    let i = idx % params.half;
    let token_head = idx / params.half;
    let token = token_head / params.heads;
    let base = token_head * params.head_dim;
    var a = 2u * i;
    var b = 2u * i + 1u;
    if params.neox != 0u {
        a = i;
        b = i + params.half;
    }
    let angle = f32(params.pos0 + position.pos + token) * freqs[i];
    let c = cos(angle);
    let s = sin(angle);
    let x0 = x[base + a];
    let x1 = x[base + b];
    x[base + a] = (x0 * c - x1 * s) * params.mscale;
    x[base + b] = (x0 * s + x1 * c) * params.mscale;
}

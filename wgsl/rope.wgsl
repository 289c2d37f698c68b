// Rotary position embedding, in place, for every (token, head, rotated pair).
//
// Bindings:
//   params  uniform  tokens, heads, head_dim, half (rotated pairs per head), pos0 (position of
//                    token 0), neox (1: pairs (i, i + half); 0: adjacent (2i, 2i + 1)), mscale
//   turns   read     [2 * half] u32: pair i's frequency in turns per position, modulo one
//                    turn, as a 64-bit fixed-point fraction (turns[2i] the high word,
//                    turns[2i + 1] the low word; value / 2^64 turns), built on the CPU in f64
//                    (plain, linear-scaled or YaRN-blended), so the GPU never calls pow
//   x       rw       [tokens, heads, head_dim] f32
//   position uniform the call's position, added to pos0 (kernels/position.rs)
// Values past 2 * half in each head (partial rotary) are not touched. Qwen3.5's M-RoPE on
// text positions is the NeoX case (all three position streams equal).
// Dispatch: ceil(tokens * heads * half / WG_SIZE) workgroups, folded into x/y. Needs
// parts/rope_angle.wgsl (the angle and the rotation).

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
@group(0) @binding(1) var<storage, read> turns: array<u32>;
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
    let i = idx % max(params.half, 1u);
    let token_head = idx / max(params.half, 1u);
    let token = token_head / max(params.heads, 1u);
    let base = token_head * params.head_dim;
    var a = 2u * i;
    var b = 2u * i + 1u;
    if params.neox != 0u {
        a = i;
        b = i + params.half;
    }
    let theta = angle(params.pos0 + position.pos + token, i);
    let r = rotate_pair(x[base + a], x[base + b], theta, params.mscale);
    x[base + a] = r.x;
    x[base + b] = r.y;
}

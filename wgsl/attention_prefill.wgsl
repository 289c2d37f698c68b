// Prefill attention: a block of query tokens attending causally over the KV cache (which
// already holds their own keys), tiled with an online softmax, so no score matrix is stored.
//
// Bindings:
//   params  uniform  heads, kv_heads, head_dim (<= MAX_HEAD_DIM), tokens, start (cache position
//                    of query 0), window (0: none; else query at p sees p - window < k <= p),
//                    gated (1: multiply by sigmoid(gate)), scale
//   q       read     [tokens, heads, head_dim]
//   keys    read     [positions >= start + tokens, kv_heads, head_dim], in words of the cache
//                    part (parts/kv_f32.wgsl or parts/kv_f16.wgsl)
//   values  read     [positions >= start + tokens, kv_heads, head_dim], likewise
//   gate    read     [tokens, heads, head_dim] (bound even when ungated)
//   out     write    [tokens, heads, head_dim]
// Dispatch: x = ceil(tokens / Q_TILE) query tiles, y = heads. Query head h reads KV head
// h / (heads / kv_heads).
//
// Per key tile of K_TILE positions: invocation j scores key j against the tile's queries;
// one invocation per query row folds the tile into its running max and sum and turns scores
// into weights; then every invocation rescales and accumulates its slice of the output
// dimensions (d = lid, lid + THREADS, ...), reading values coalesced along d.

struct PrefillParams {
    heads: u32,
    kv_heads: u32,
    head_dim: u32,
    tokens: u32,
    start: u32,
    window: u32,
    gated: u32,
    scale: f32,
}

@group(0) @binding(0) var<uniform> params: PrefillParams;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> keys: array<u32>;
@group(0) @binding(3) var<storage, read> values: array<u32>;
@group(0) @binding(4) var<storage, read> gate: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

// The call's position, added to params.start (kernels/position.rs).
struct Position {
    pos: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(6) var<uniform> position: Position;

// Constants the launcher shares (kernels/attention_prefill.rs: Q_TILE, MAX_HEAD_DIM; the
// registry test compares them). They size function and workgroup arrays, so they cannot be
// overrides.
const THREADS: u32 = 64u;
const Q_TILE: u32 = 8u;
// One key per invocation.
const K_TILE: u32 = THREADS;
const MAX_HEAD_DIM: u32 = 256u;
// Output dimensions per invocation.
const DIMS: u32 = MAX_HEAD_DIM / THREADS;
// Below every finite score: marks a masked position.
const MASKED: f32 = -3.4028235e38;

var<workgroup> q_tile: array<f32, Q_TILE * MAX_HEAD_DIM>; // [Q_TILE][head_dim]
var<workgroup> weights: array<f32, Q_TILE * K_TILE>; // [Q_TILE][K_TILE]: scores, then softmax weights
var<workgroup> row_max: array<f32, Q_TILE>;
var<workgroup> row_sum: array<f32, Q_TILE>;
var<workgroup> row_rescale: array<f32, Q_TILE>;

fn start() -> u32 {
    return params.start + position.pos;
}

fn sees(query_pos: u32, key_pos: u32) -> bool {
    if key_pos > query_pos {
        return false;
    }
    return params.window == 0u || key_pos + params.window > query_pos;
}

@compute @workgroup_size(THREADS)
fn attn_prefill(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group: vec3<u32>,
) {
    let h = group.y;
    let q0 = group.x * Q_TILE;
    let hd = params.head_dim;
    let kv = h / max(params.heads / max(params.kv_heads, 1u), 1u);
    for (var i = lid; i < Q_TILE * hd; i += THREADS) {
        // hd >= 1 inside the loop; max() makes that visible to the division-guard test.
        let t = q0 + i / max(hd, 1u);
        var v = 0.0;
        if t < params.tokens {
            v = q[(t * params.heads + h) * hd + i % max(hd, 1u)];
        }
        q_tile[i] = v;
    }
    if lid < Q_TILE {
        row_max[lid] = MASKED;
        row_sum[lid] = 0.0;
    }
    var acc: array<f32, Q_TILE * DIMS>; // [Q_TILE][DIMS], zero-initialised
    workgroupBarrier();

    // Keys lo..=hi are visible to some query of this tile.
    let rows = min(Q_TILE, params.tokens - min(q0, params.tokens));
    let hi = start() + q0 + max(rows, 1u) - 1u;
    let first_query = start() + q0;
    var lo = 0u;
    if params.window != 0u {
        lo = first_query + 1u - min(params.window, first_query + 1u);
    }
    for (var k0 = lo - lo % K_TILE; k0 <= hi; k0 += K_TILE) {
        let key_pos = k0 + lid;
        var s: array<f32, Q_TILE>;
        if key_pos <= hi {
            let kbase = (key_pos * params.kv_heads + kv) * hd;
            for (var d = 0u; d < hd; d++) {
                let kd = kv_value(keys[(kbase + d) / KV_PER_WORD], kbase + d);
                for (var r = 0u; r < Q_TILE; r++) {
                    s[r] += q_tile[r * hd + d] * kd;
                }
            }
        }
        for (var r = 0u; r < Q_TILE; r++) {
            let visible = r < rows && key_pos <= hi && sees(first_query + r, key_pos);
            weights[r * K_TILE + lid] = select(MASKED, s[r] * params.scale, visible);
        }
        workgroupBarrier();
        if lid < Q_TILE {
            let r = lid;
            var m = row_max[r];
            for (var j = 0u; j < K_TILE; j++) {
                m = max(m, weights[r * K_TILE + j]);
            }
            var sum = 0.0;
            for (var j = 0u; j < K_TILE; j++) {
                let score = weights[r * K_TILE + j];
                let p = select(0.0, exp(score - m), score > MASKED);
                weights[r * K_TILE + j] = p;
                sum += p;
            }
            // exp(MASKED - MASKED) = 1 keeps an empty row at zero; a first finite max
            // makes the old (zero) sum's factor exp(-huge) = 0.
            let rescale = exp(row_max[r] - m);
            row_rescale[r] = rescale;
            row_sum[r] = row_sum[r] * rescale + sum;
            row_max[r] = m;
        }
        workgroupBarrier();
        for (var r = 0u; r < Q_TILE; r++) {
            let rescale = row_rescale[r];
            for (var i = 0u; i < DIMS; i++) {
                acc[r * DIMS + i] *= rescale;
            }
        }
        let keys_here = min(K_TILE, hi + 1u - k0);
        for (var j = 0u; j < keys_here; j++) {
            let vbase = ((k0 + j) * params.kv_heads + kv) * hd;
            for (var i = 0u; i < DIMS; i++) {
                let d = lid + i * THREADS;
                if d < hd {
                    let vd = kv_value(values[(vbase + d) / KV_PER_WORD], vbase + d);
                    for (var r = 0u; r < Q_TILE; r++) {
                        acc[r * DIMS + i] += weights[r * K_TILE + j] * vd;
                    }
                }
            }
        }
        workgroupBarrier();
    }

    for (var r = 0u; r < rows; r++) {
        let t = q0 + r;
        let inv = 1.0 / row_sum[r];
        for (var i = 0u; i < DIMS; i++) {
            let d = lid + i * THREADS;
            if d < hd {
                let at = (t * params.heads + h) * hd + d;
                var o = acc[r * DIMS + i] * inv;
                if params.gated != 0u {
                    o *= 1.0 / (1.0 + exp(-gate[at]));
                }
                out[at] = o;
            }
        }
    }
}

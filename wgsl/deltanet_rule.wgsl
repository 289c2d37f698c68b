// Gated DeltaNet's gated delta rule with state carried in and out, in two entry points:
// `delta_rule`, the sequential form (decode), and `delta_chunked`, the chunked form (prefill).
// Value columns of the state are independent, so both split a head's work by columns.

struct DeltaParams {
    tokens: u32,
    k_heads: u32,
    v_heads: u32,
    dk: u32,
    dv: u32,
    // 1: value head h reads key head h % k_heads (llama.cpp GGUF order);
    // 0: h / (v_heads / k_heads) (Hugging Face order).
    tiled: u32,
    _pad0: u32,
    _pad1: u32,
}

// Workgroup size of `delta_chunked` (`delta_rule` fixes its own).
override WG_SIZE: u32 = 64u;

// The gated delta rule per value head, one token after another:
//   S *= exp(g); p = S^T k; S += k (beta (v - p))^T; o = S^T q
//   params  uniform
//   q, k    read  [tokens, k_heads, dk]: L2-normalised (q also scaled by 1/sqrt(dk))
//   v       read  [tokens, v_heads, dv]
//   bg      read  [tokens, v_heads, 2]: (beta, g) per value head
//   state   rw    [v_heads, dk, dv]
//   o       write [tokens, v_heads, dv]
@group(0) @binding(0) var<uniform> params: DeltaParams;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> bg: array<f32>;
@group(0) @binding(5) var<storage, read_write> state: array<f32>;
@group(0) @binding(6) var<storage, read_write> o: array<f32>;

// The key head value head h reads (see `tiled`).
fn key_head(h: u32) -> u32 {
    let ratio = max(params.v_heads / max(params.k_heads, 1u), 1u);
    return select(h / ratio, h % max(params.k_heads, 1u), params.tiled != 0u);
}

// `delta_rule` (decode): each invocation keeps RULE_ROWS consecutive rows of one state column
// in two vec4 registers for all the call's tokens, so the state is read once and written once
// per call. A key head of dk rows takes ceil(dk / RULE_ROWS) slices; workgroup (x, h) owns
// RULE_THREADS / slices value columns of head h (x-th run of them), invocation lid the column
// lid % cols and slice lid / cols (neighbouring invocations read neighbouring columns of a
// row). The two dot products over the rows (S^T k, S^T q) meet in workgroup memory; every
// invocation of a column sums the slices in the same order, so they agree on S^T k exactly.
// Shared with the launcher (kernels/deltanet.rs: RULE_THREADS, RULE_MAX_DK; the registry test
// compares them).
const RULE_THREADS: u32 = 256u;
const RULE_ROWS: u32 = 8u;
const RULE_MAX_SLICES: u32 = 32u;
var<workgroup> rule_p: array<f32, RULE_THREADS>;
var<workgroup> rule_out: array<f32, RULE_THREADS>;

// Slices of RULE_ROWS rows that cover a key head.
fn rule_slices() -> u32 {
    return max((params.dk + RULE_ROWS - 1u) / RULE_ROWS, 1u);
}

// Rows r0 .. r0 + 3 kept inside the key head (so loads stay in bounds), and which of them
// exist: the loads below read rows past dk as 0.
fn rows4(r0: u32) -> vec4<u32> {
    return min(vec4<u32>(r0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(params.dk - 1u));
}

fn live4(r0: u32) -> vec4<bool> {
    return vec4<u32>(r0) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(params.dk);
}

// Four rows r0.. of `k` at `at`.
fn key4(at: u32, r0: u32) -> vec4<f32> {
    let i = vec4<u32>(at) + rows4(r0);
    return select(vec4<f32>(0.0), vec4<f32>(k[i.x], k[i.y], k[i.z], k[i.w]), live4(r0));
}

// The same for `q`.
fn query4(at: u32, r0: u32) -> vec4<f32> {
    let i = vec4<u32>(at) + rows4(r0);
    return select(vec4<f32>(0.0), vec4<f32>(q[i.x], q[i.y], q[i.z], q[i.w]), live4(r0));
}

// Rows r0.. of state column j of the head at s0.
fn state4(s0: u32, r0: u32, j: u32) -> vec4<f32> {
    let i = vec4<u32>(s0 + j) + rows4(r0) * params.dv;
    let got = vec4<f32>(state[i.x], state[i.y], state[i.z], state[i.w]);
    return select(vec4<f32>(0.0), got, live4(r0));
}

fn store_state4(s0: u32, r0: u32, j: u32, value: vec4<f32>) {
    for (var e = 0u; e < 4u; e++) {
        if r0 + e < params.dk {
            state[s0 + (r0 + e) * params.dv + j] = value[e];
        }
    }
}

@compute @workgroup_size(RULE_THREADS)
fn delta_rule(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group: vec3<u32>,
) {
    let h = group.y;
    // Invocations past the head's columns or slices keep zeros and store nothing, but reach
    // every barrier; a workgroup past the heads returns as a whole.
    if h >= params.v_heads {
        return;
    }
    // max() lets the module drop its division guards: slices <= RULE_MAX_SLICES.
    let slices = max(rule_slices(), 1u);
    let cols = max(RULE_THREADS / slices, 1u);
    let c = lid % cols;
    let slice = lid / cols;
    let j = group.x * cols + c;
    let in_head = slice < slices && j < params.dv;
    let dk = params.dk;
    let dv = params.dv;
    let kh = key_head(h);
    let s0 = h * dk * dv;
    let r0 = slice * RULE_ROWS;
    var lo = vec4<f32>(0.0);
    var hi = vec4<f32>(0.0);
    if in_head {
        lo = state4(s0, r0, j);
        hi = state4(s0, r0 + 4u, j);
    }
    for (var t = 0u; t < params.tokens; t++) {
        let kq = (t * params.k_heads + kh) * dk;
        let at = (t * params.v_heads + h) * 2u;
        let beta = bg[at];
        let decay = exp(bg[at + 1u]);
        let k_lo = key4(kq, r0);
        let k_hi = key4(kq, r0 + 4u);
        lo *= decay;
        hi *= decay;
        rule_p[lid] = dot(lo, k_lo) + dot(hi, k_hi);
        workgroupBarrier();
        var p = 0.0;
        for (var s = 0u; s < slices; s++) {
            p += rule_p[s * cols + c];
        }
        var vj = 0.0;
        if in_head {
            vj = v[(t * params.v_heads + h) * dv + j];
        }
        let u = beta * (vj - p);
        lo += k_lo * u;
        hi += k_hi * u;
        rule_out[lid] = dot(lo, query4(kq, r0)) + dot(hi, query4(kq, r0 + 4u));
        // rule_p is free again once every invocation passed this barrier; rule_out is read
        // before the next token's first barrier.
        workgroupBarrier();
        if in_head && slice == 0u {
            var out = 0.0;
            for (var s = 0u; s < slices; s++) {
                out += rule_out[s * cols + c];
            }
            o[(t * params.v_heads + h) * dv + j] = out;
        }
    }
    if in_head {
        store_state4(s0, r0, j, lo);
        store_state4(s0, r0 + 4u, j, hi);
    }
}

// Chunked form (prefill): the same outputs and final state, CHUNK tokens at a time. Per chunk,
// with gamma_r the inclusive cumulative log decay inside the chunk:
//   L[r][s] = beta_r (k_r . k_s) exp(gamma_r - gamma_s)   (s < r)
//   A[r][s] = (q_r . k_s) exp(gamma_r - gamma_s)           (s <= r)
// are shared by all value columns (workgroup memory). Then each invocation, for each of its
// columns j, loads column j of S once, solves the corrected values by forward substitution
//   vn_r = beta_r (v_r[j] - exp(gamma_r) k_r . S_j) - sum_{s<r} L[r][s] vn_s,
// writes o_r[j] = exp(gamma_r) q_r . S_j + sum_{s<=r} A[r][s] vn_s, and stores
//   S_j <- exp(gamma_last) S_j + sum_s exp(gamma_last - gamma_s) k_s vn_s.
// State traffic is one read and one write per chunk instead of per token. dk <= MAX_DK.

// Shared with the launcher (kernels/deltanet.rs: CHUNK_TOKENS, CHUNKED_MAX_DK; the registry
// test compares them). They size function and workgroup arrays, so they cannot be overrides.
const CHUNK: u32 = 32u;
const MAX_DK: u32 = 256u;

var<workgroup> chunk_l: array<f32, CHUNK * CHUNK>; // [CHUNK][CHUNK]
var<workgroup> chunk_a: array<f32, CHUNK * CHUNK>; // [CHUNK][CHUNK]
var<workgroup> chunk_gamma: array<f32, CHUNK>;
var<workgroup> chunk_beta: array<f32, CHUNK>;

fn key_dot(a: u32, b: u32, n: u32) -> f32 {
    var acc = 0.0;
    for (var i = 0u; i < n; i++) {
        acc += k[a + i] * k[b + i];
    }
    return acc;
}

fn query_key_dot(a: u32, b: u32, n: u32) -> f32 {
    var acc = 0.0;
    for (var i = 0u; i < n; i++) {
        acc += q[a + i] * k[b + i];
    }
    return acc;
}

@compute @workgroup_size(WG_SIZE)
fn delta_chunked(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group: vec3<u32>,
) {
    let h = group.x;
    if h >= params.v_heads {
        return;
    }
    let dk = params.dk;
    let dv = params.dv;
    let kh = key_head(h);
    let s0 = h * dk * dv;
    for (var c0 = 0u; c0 < params.tokens; c0 += CHUNK) {
        let n = min(CHUNK, params.tokens - c0);
        if lid == 0u {
            var acc = 0.0;
            for (var r = 0u; r < n; r++) {
                let at = ((c0 + r) * params.v_heads + h) * 2u;
                acc += bg[at + 1u];
                chunk_gamma[r] = acc;
                chunk_beta[r] = bg[at];
            }
        }
        workgroupBarrier();
        for (var e = lid; e < CHUNK * CHUNK; e += WG_SIZE) {
            let r = e / CHUNK;
            let s = e % CHUNK;
            var l = 0.0;
            var a = 0.0;
            if r < n && s <= r {
                let kr = ((c0 + r) * params.k_heads + kh) * dk;
                let ks = ((c0 + s) * params.k_heads + kh) * dk;
                let decay = exp(chunk_gamma[r] - chunk_gamma[s]);
                a = query_key_dot(kr, ks, dk) * decay;
                if s < r {
                    l = chunk_beta[r] * key_dot(kr, ks, dk) * decay;
                }
            }
            chunk_l[e] = l;
            chunk_a[e] = a;
        }
        workgroupBarrier();
        let last = chunk_gamma[n - 1u];
        for (var j = lid; j < dv; j += WG_SIZE) {
            var col: array<f32, MAX_DK>;
            for (var i = 0u; i < dk; i++) {
                col[i] = state[s0 + i * dv + j];
            }
            var vn: array<f32, CHUNK>;
            for (var r = 0u; r < n; r++) {
                let kr = ((c0 + r) * params.k_heads + kh) * dk;
                var p = 0.0;
                var qs = 0.0;
                for (var i = 0u; i < dk; i++) {
                    p += k[kr + i] * col[i];
                    qs += q[kr + i] * col[i];
                }
                let vr = v[((c0 + r) * params.v_heads + h) * dv + j];
                let decay = exp(chunk_gamma[r]);
                var x = chunk_beta[r] * (vr - decay * p);
                for (var s = 0u; s < r; s++) {
                    x -= chunk_l[r * CHUNK + s] * vn[s];
                }
                vn[r] = x;
                var out = decay * qs;
                for (var s = 0u; s <= r; s++) {
                    out += chunk_a[r * CHUNK + s] * vn[s];
                }
                o[((c0 + r) * params.v_heads + h) * dv + j] = out;
            }
            for (var i = 0u; i < dk; i++) {
                var written = 0.0;
                for (var s = 0u; s < n; s++) {
                    let ks = ((c0 + s) * params.k_heads + kh) * dk;
                    written += exp(last - chunk_gamma[s]) * k[ks + i] * vn[s];
                }
                state[s0 + i * dv + j] = exp(last) * col[i] + written;
            }
        }
        workgroupBarrier();
    }
}

//! The fused attention layer input (`attention_input_at`) against the separate kernels it
//! replaces, on the same device: the column copies (exact, done here on the host),
//! `rms_norm` per head of q and k, `rope_at` of both, and the K/V cache writes (exact, on the
//! host). Equal bit for bit at every reduction, for Qwen3.5's query + gate projection with
//! norms and partial NeoX rotary, and a fused QKV projection without norms and adjacent
//! pairs, over several tokens at a position past 0; nothing written outside its rows. The
//! separate kernels are tested against the reference in `rms_norm.rs` and `rope.rs`. An f16
//! cache holds, word for word, the separate kernels' keys and values rounded by the
//! reference's `half_bits`.

use super::{REDUCTIONS, assert_width, cache_words, guarded_zeros, noise, read_guarded};
use crate::gpu;
use axon_gpu::kernels::Reduction;
use axon_gpu::kernels::attention_input::{
    AttentionInput, HeadNorms, Heads, KvSource, QuerySource, attention_input_at,
};
use axon_gpu::kernels::kv_cache::KvType;
use axon_gpu::kernels::rms_norm::{RmsNormParams, rms_norm};
use axon_gpu::kernels::rope::{RopeTable, rope_at};

/// One layout of the projections.
#[derive(Debug, Clone, Copy)]
struct Case {
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
    /// Rotated values per head.
    dims: usize,
    neox: bool,
    /// Qwen3.5: q and gate per head in one projection, k and v apart, q/k norms. Else one
    /// QKV projection, no norms.
    gated: bool,
    tokens: usize,
    position: usize,
}

const CONTEXT: usize = 12;
const EPS: f32 = 1e-6;

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn table(c: Case) -> RopeTable {
    RopeTable {
        freqs: (0..c.dims / 2)
            .map(|i| 10_000f64.powf(-2.0 * i as f64 / c.dims as f64))
            .collect(),
        neox: c.neox,
        mscale: 1.0,
    }
}

/// The projection(s) and where each part is: (q source, k source, v source) as
/// (buffer index, stride, first / head stride).
struct Projections {
    buffers: Vec<Vec<f32>>,
    q: (usize, usize, usize, Option<usize>),
    k: (usize, usize, usize),
    v: (usize, usize, usize),
}

fn projections(c: Case) -> Projections {
    let (q_cols, kv_cols, hd) = (c.heads * c.head_dim, c.kv_heads * c.head_dim, c.head_dim);
    if c.gated {
        Projections {
            buffers: vec![
                noise(c.tokens * 2 * q_cols, 1, 3.0),
                noise(c.tokens * kv_cols, 2, 3.0),
                noise(c.tokens * kv_cols, 3, 3.0),
            ],
            q: (0, 2 * q_cols, 2 * hd, Some(hd)),
            k: (1, kv_cols, 0),
            v: (2, kv_cols, 0),
        }
    } else {
        let total = q_cols + 2 * kv_cols;
        Projections {
            buffers: vec![noise(c.tokens * total, 4, 3.0)],
            q: (0, total, hd, None),
            k: (0, total, q_cols),
            v: (0, total, q_cols + kv_cols),
        }
    }
}

/// (q, gate, keys, values) from the separate kernels.
fn separate(
    c: Case,
    p: &Projections,
    norms: &[Vec<f32>; 2],
    reduction: Reduction,
) -> [Vec<f32>; 4] {
    let gpu = gpu();
    let hd = c.head_dim;
    let kv_cols = c.kv_heads * hd;
    let head = |buf: usize, at: usize| p.buffers[buf][at..at + hd].to_vec();
    let (qb, qs, qh, gate_first) = p.q;
    let (q, gate): (Vec<f32>, Vec<f32>) = {
        let mut q = Vec::new();
        let mut g = Vec::new();
        for t in 0..c.tokens {
            for h in 0..c.heads {
                q.extend(head(qb, t * qs + h * qh));
                if let Some(first) = gate_first {
                    g.extend(head(qb, t * qs + h * qh + first));
                }
            }
        }
        (q, g)
    };
    let kv = |(b, s, first): (usize, usize, usize)| -> Vec<f32> {
        (0..c.tokens)
            .flat_map(|t| p.buffers[b][t * s + first..t * s + first + kv_cols].to_vec())
            .collect()
    };
    let (k, v) = (kv(p.k), kv(p.v));
    let position = gpu.position(c.position).unwrap();
    let table = table(c);
    let run = |x: Vec<f32>, heads: usize, norm: &[f32]| -> Vec<f32> {
        let dx = gpu.upload_f32("x", &x).unwrap();
        let out = gpu.zeros_f32("normed", x.len()).unwrap();
        let mut steps = Vec::new();
        let target = if c.gated {
            let w = gpu.upload_f32("norm", norm).unwrap();
            let params = RmsNormParams {
                eps: EPS,
                weight_offset: 0.0,
                reduction,
            };
            steps.push(rms_norm(gpu, &dx, &w, &out, params).unwrap());
            &out
        } else {
            &dx
        };
        steps.push(rope_at(gpu, target, [c.tokens, heads, hd], &position, &table).unwrap());
        gpu.run("separate", &steps).unwrap();
        gpu.read_f32(target).unwrap()
    };
    let q = run(q, c.heads, &norms[0]);
    let k = run(k, c.kv_heads, &norms[1]);
    let cache = |rows: &[f32]| {
        let mut cache = vec![0.0; CONTEXT * kv_cols];
        cache[c.position * kv_cols..(c.position + c.tokens) * kv_cols].copy_from_slice(rows);
        cache
    };
    [q, gate, cache(&k), cache(&v)]
}

/// The fused kernel's q and gate (as f32 bits) and its caches of type `kv` (as words).
fn fused(
    c: Case,
    p: &Projections,
    norms: &[Vec<f32>; 2],
    reduction: Reduction,
    kv: KvType,
) -> [Vec<u32>; 4] {
    let gpu = gpu();
    let (q_cols, kv_cols) = (c.heads * c.head_dim, c.kv_heads * c.head_dim);
    let buffers: Vec<_> = p
        .buffers
        .iter()
        .map(|b| gpu.upload_f32("projection", b).unwrap())
        .collect();
    let (qn, kn) = (
        gpu.upload_f32("q norm", &norms[0]).unwrap(),
        gpu.upload_f32("k norm", &norms[1]).unwrap(),
    );
    let q_out = guarded_zeros(gpu, "q", c.tokens * q_cols);
    let gate_out = guarded_zeros(gpu, "gate", c.tokens * q_cols);
    let cache_len = kv.words(CONTEXT * kv_cols);
    let keys = guarded_zeros(gpu, "keys", cache_len);
    let values = guarded_zeros(gpu, "values", cache_len);
    let (qb, qs, qh, gate_first) = p.q;
    let input = AttentionInput {
        q: QuerySource {
            buffer: &buffers[qb],
            stride: qs,
            head_stride: qh,
            gate_first,
        },
        k: KvSource {
            buffer: &buffers[p.k.0],
            stride: p.k.1,
            first: p.k.2,
        },
        v: KvSource {
            buffer: &buffers[p.v.0],
            stride: p.v.1,
            first: p.v.2,
        },
        norms: c.gated.then_some(HeadNorms {
            q: &qn,
            k: &kn,
            eps: EPS,
            weight_offset: 0.0,
        }),
        q_out: &q_out,
        gate_out: gate_first.map(|_| &gate_out),
        keys: &keys,
        values: &values,
        cache: kv,
    };
    let shape = Heads {
        heads: c.heads,
        kv_heads: c.kv_heads,
        head_dim: c.head_dim,
    };
    let position = gpu.position(c.position).unwrap();
    let dispatch = attention_input_at(
        gpu,
        shape,
        c.tokens,
        input,
        (&position, &table(c)),
        reduction,
    )
    .unwrap();
    assert_width(&dispatch, reduction);
    gpu.run("fused", &[dispatch]).unwrap();
    let gate = read_guarded(gpu, &gate_out, c.tokens * q_cols);
    [
        bits(&read_guarded(gpu, &q_out, c.tokens * q_cols)),
        if gate_first.is_some() {
            bits(&gate)
        } else {
            Vec::new()
        },
        bits(&read_guarded(gpu, &keys, cache_len)),
        bits(&read_guarded(gpu, &values, cache_len)),
    ]
}

#[test]
fn fused_attention_input_equals_the_separate_kernels() {
    let cases = [
        // Qwen3.5: 256-wide heads, a quarter rotated (NeoX), q + gate projection, norms.
        Case {
            heads: 4,
            kv_heads: 2,
            head_dim: 256,
            dims: 64,
            neox: true,
            gated: true,
            tokens: 3,
            position: 5,
        },
        Case {
            heads: 3,
            kv_heads: 1,
            head_dim: 40,
            dims: 40,
            neox: true,
            gated: true,
            tokens: 1,
            position: 0,
        },
        // Llama: fused QKV, adjacent pairs, no norms.
        Case {
            heads: 4,
            kv_heads: 2,
            head_dim: 64,
            dims: 64,
            neox: false,
            gated: false,
            tokens: 4,
            position: 7,
        },
        Case {
            heads: 2,
            kv_heads: 2,
            head_dim: 6,
            dims: 4,
            neox: false,
            gated: false,
            tokens: 1,
            position: 11,
        },
    ];
    for c in cases {
        let norms = [noise(c.head_dim, 8, 1.5), noise(c.head_dim, 9, 1.5)];
        let p = projections(c);
        for reduction in REDUCTIONS {
            let [q, gate, keys, values] = separate(c, &p, &norms, reduction);
            for kv in KvType::ALL {
                let want = [
                    bits(&q),
                    bits(&gate),
                    cache_words(&keys, kv),
                    cache_words(&values, kv),
                ];
                let got = fused(c, &p, &norms, reduction, kv);
                for (what, (g, w)) in ["q", "gate", "keys", "values"]
                    .iter()
                    .zip(got.iter().zip(&want))
                {
                    assert_eq!(g, w, "{what} {kv} {reduction:?} {c:?}");
                }
            }
        }
    }
}

/// An f16 cache packs a head into whole words: an odd head_dim is refused, not written across
/// the next head's first value.
#[test]
fn an_f16_cache_needs_an_even_head_dim() {
    let gpu = gpu();
    let c = Case {
        heads: 1,
        kv_heads: 1,
        head_dim: 5,
        dims: 4,
        neox: false,
        gated: false,
        tokens: 1,
        position: 0,
    };
    let x = gpu.zeros_f32("x", 15).unwrap();
    let [q_out, keys, values] =
        ["q_out", "keys", "values"].map(|label| gpu.zeros_f32(label, CONTEXT * 5).unwrap());
    let source = KvSource {
        buffer: &x,
        stride: 15,
        first: 5,
    };
    for kv in KvType::ALL {
        let input = AttentionInput {
            q: QuerySource {
                buffer: &x,
                stride: 15,
                head_stride: 5,
                gate_first: None,
            },
            k: source,
            v: KvSource {
                first: 10,
                ..source
            },
            norms: None,
            q_out: &q_out,
            gate_out: None,
            keys: &keys,
            values: &values,
            cache: kv,
        };
        let shape = Heads {
            heads: 1,
            kv_heads: 1,
            head_dim: 5,
        };
        let position = gpu.position(0).unwrap();
        let result = attention_input_at(
            gpu,
            shape,
            1,
            input,
            (&position, &table(c)),
            Reduction::Workgroup,
        );
        assert_eq!(result.is_ok(), kv == KvType::F32, "{kv}");
    }
}

//! The fused Gated DeltaNet layer input (`deltanet_input`) against the separate kernels it
//! replaces, run on the same device: `conv1d_silu`, the q/k/v split (exact copies, done here
//! on the host), `l2_norm` of q (scaled) and k, and `deltanet_gates`. Equal bit for bit, at
//! every reduction, over two calls with the conv state carried (the states too), and with
//! head sizes past the workgroup width. The separate kernels are tested against the reference
//! in `deltanet.rs`, so the fused one is too.

use super::{REDUCTIONS, assert_width, guarded_zeros, noise, read_guarded};
use crate::gpu;
use axon_gpu::kernels::Reduction;
use axon_gpu::kernels::deltanet::{conv1d_silu, deltanet_gates};
use axon_gpu::kernels::deltanet_input::{InputBuffers, InputShape, deltanet_input};
use axon_gpu::kernels::l2_norm::l2_norm;
use proptest::prelude::*;

#[derive(Debug, Clone, Copy)]
struct Case {
    k_heads: usize,
    dk: usize,
    v_heads: usize,
    dv: usize,
    kernel: usize,
    calls: [usize; 2],
    seed: u64,
}

const EPS: f32 = 1e-6;

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// A layer's sizes and its buffers on the device: a zero conv state, the conv taps, a_neg and
/// the dt bias.
struct Layer {
    key_cols: usize,
    value_cols: usize,
    channels: usize,
    conv_state: axon_gpu::DeviceBuffer,
    conv_w: axon_gpu::DeviceBuffer,
    a_neg: axon_gpu::DeviceBuffer,
    dt_bias: axon_gpu::DeviceBuffer,
}

impl Layer {
    fn upload(case: Case, w: &[f32], heads: &[Vec<f32>; 2]) -> Self {
        let gpu = gpu();
        let key_cols = case.k_heads * case.dk;
        let value_cols = case.v_heads * case.dv;
        let channels = 2 * key_cols + value_cols;
        Self {
            key_cols,
            value_cols,
            channels,
            conv_state: gpu
                .zeros_f32("state", (case.kernel - 1).max(1) * channels)
                .unwrap(),
            conv_w: gpu.upload_f32("w", w).unwrap(),
            a_neg: gpu.upload_f32("a_neg", &heads[0]).unwrap(),
            dt_bias: gpu.upload_f32("dt", &heads[1]).unwrap(),
        }
    }
}

/// q, k, v, gates and the final state from the separate kernels.
fn separate(
    case: Case,
    w: &[f32],
    xs: &[&[f32]],
    proj: &[[Vec<f32>; 2]],
    heads: &[Vec<f32>; 2],
    reduction: Reduction,
) -> Vec<Vec<f32>> {
    let gpu = gpu();
    let layer = Layer::upload(case, w, heads);
    let (key_cols, value_cols, channels) = (layer.key_cols, layer.value_cols, layer.channels);
    let mut out = vec![Vec::new(); 4];
    for (x, [b, a]) in xs.iter().zip(proj) {
        let tokens = x.len() / channels;
        let dx = gpu.upload_f32("x", x).unwrap();
        let y = gpu.zeros_f32("y", x.len()).unwrap();
        gpu.run(
            "conv",
            &[conv1d_silu(gpu, &layer.conv_w, &layer.conv_state, &dx, &y, case.kernel).unwrap()],
        )
        .unwrap();
        let y = gpu.read_f32(&y).unwrap();
        let cols = |from: usize, n: usize| -> Vec<f32> {
            y.chunks_exact(channels)
                .flat_map(|row| row[from..from + n].to_vec())
                .collect()
        };
        let (q, k, v) = (
            cols(0, key_cols),
            cols(key_cols, key_cols),
            cols(2 * key_cols, value_cols),
        );
        let (dq, dk_) = (
            gpu.upload_f32("q", &q).unwrap(),
            gpu.upload_f32("k", &k).unwrap(),
        );
        let (qn, kn) = (
            gpu.zeros_f32("qn", q.len()).unwrap(),
            gpu.zeros_f32("kn", k.len()).unwrap(),
        );
        let (db, da) = (
            gpu.upload_f32("b", b).unwrap(),
            gpu.upload_f32("a", a).unwrap(),
        );
        let gates = gpu.zeros_f32("gates", 2 * tokens * case.v_heads).unwrap();
        let q_scale = 1.0 / (case.dk as f32).sqrt();
        let steps = [
            l2_norm(gpu, &dq, &qn, case.dk, EPS, q_scale, reduction).unwrap(),
            l2_norm(gpu, &dk_, &kn, case.dk, EPS, 1.0, reduction).unwrap(),
            deltanet_gates(gpu, [&db, &da, &layer.a_neg, &layer.dt_bias, &gates]).unwrap(),
        ];
        gpu.run("separate", &steps).unwrap();
        out[0].extend(gpu.read_f32(&qn).unwrap());
        out[1].extend(gpu.read_f32(&kn).unwrap());
        out[2].extend(v);
        out[3].extend(gpu.read_f32(&gates).unwrap());
    }
    out.push(gpu.read_f32(&layer.conv_state).unwrap());
    out
}

/// The same from the fused kernel (outputs guarded against writes past their end).
fn fused(
    case: Case,
    w: &[f32],
    xs: &[&[f32]],
    proj: &[[Vec<f32>; 2]],
    heads: &[Vec<f32>; 2],
    reduction: Reduction,
) -> Vec<Vec<f32>> {
    let gpu = gpu();
    let layer = Layer::upload(case, w, heads);
    let (key_cols, value_cols, channels) = (layer.key_cols, layer.value_cols, layer.channels);
    let shape = InputShape {
        k_heads: case.k_heads,
        dk: case.dk,
        v_heads: case.v_heads,
        value_cols,
        kernel: case.kernel,
        eps: EPS,
        q_scale: 1.0 / (case.dk as f32).sqrt(),
    };
    let mut out = vec![Vec::new(); 4];
    for (x, [b, a]) in xs.iter().zip(proj) {
        let tokens = x.len() / channels;
        let x = gpu.upload_f32("x", x).unwrap();
        let (beta, alpha) = (
            gpu.upload_f32("b", b).unwrap(),
            gpu.upload_f32("a", a).unwrap(),
        );
        let sizes = [
            tokens * key_cols,
            tokens * key_cols,
            tokens * value_cols,
            2 * tokens * case.v_heads,
        ];
        let [q, k, v, gates] = sizes.map(|n| guarded_zeros(gpu, "out", n));
        let buffers = InputBuffers {
            conv_w: &layer.conv_w,
            conv_state: &layer.conv_state,
            x: &x,
            beta: &beta,
            alpha: &alpha,
            a_neg: &layer.a_neg,
            dt_bias: &layer.dt_bias,
            q: &q,
            k: &k,
            v: &v,
            gates: &gates,
        };
        let dispatch = deltanet_input(gpu, shape, buffers, reduction).unwrap();
        assert_width(&dispatch, reduction);
        gpu.run("fused", &[dispatch]).unwrap();
        for (i, (buf, n)) in [&q, &k, &v, &gates].into_iter().zip(sizes).enumerate() {
            out[i].extend(read_guarded(gpu, buf, n));
        }
    }
    out.push(gpu.read_f32(&layer.conv_state).unwrap());
    out
}

fn check(case: Case) {
    let channels = 2 * case.k_heads * case.dk + case.v_heads * case.dv;
    let total: usize = case.calls.iter().sum();
    let w = noise(channels * case.kernel, case.seed, 1.0);
    let x = noise(total * channels, case.seed ^ 0x51, 2.0);
    let xs = [
        &x[..case.calls[0] * channels],
        &x[case.calls[0] * channels..],
    ];
    let proj: Vec<[Vec<f32>; 2]> = case
        .calls
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            [
                noise(t * case.v_heads, case.seed ^ (i as u64 + 3), 8.0),
                noise(t * case.v_heads, case.seed ^ (i as u64 + 9), 8.0),
            ]
        })
        .collect();
    let a_neg: Vec<f32> = noise(case.v_heads, case.seed ^ 5, 1.0)
        .iter()
        .map(|v| -v.exp())
        .collect();
    let heads = [a_neg, noise(case.v_heads, case.seed ^ 6, 2.0)];
    for reduction in REDUCTIONS {
        let want = separate(case, &w, &xs, &proj, &heads, reduction);
        let got = fused(case, &w, &xs, &proj, &heads, reduction);
        for (what, (g, e)) in ["q", "k", "v", "gates", "conv state"]
            .iter()
            .zip(got.iter().zip(&want))
        {
            assert_eq!(bits(g), bits(e), "{what} {reduction:?} {case:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    #[test]
    fn fused_input_equals_the_separate_kernels(
        k_heads in 1usize..3, dk in 1usize..150, ratio in 1usize..3, dv in 1usize..90,
        kernel in 1usize..5, t1 in 1usize..4, t2 in 1usize..4, seed in any::<u64>(),
    ) {
        check(Case { k_heads, dk, v_heads: k_heads * ratio, dv, kernel, calls: [t1, t2], seed });
    }
}

/// Qwen3.5's head sizes: dk = dv = 128, two value heads per key head, a 4-tap conv.
#[test]
fn fused_input_at_real_head_sizes() {
    check(Case {
        k_heads: 2,
        dk: 128,
        v_heads: 4,
        dv: 128,
        kernel: 4,
        calls: [1, 5],
        seed: 11,
    });
}

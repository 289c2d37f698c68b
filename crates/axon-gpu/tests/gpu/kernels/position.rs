//! The `_at` launchers read the call's position from a uniform when the pass runs: one
//! encoded pass, run at several positions set afterwards, gives bit for bit what the
//! fixed-position launchers give (K/V cache writes, prefill and decode attention; RoPE's is in
//! `rope.rs`).

use super::noise;
use crate::gpu;
use axon_gpu::kernels::Reduction;
use axon_gpu::kernels::attention::{
    DecodeAttention, attention_decode, attention_decode_at, partials_len,
};
use axon_gpu::kernels::attention_prefill::{
    PrefillAttention, attention_prefill, attention_prefill_at,
};
use axon_gpu::kernels::copy::{Columns, cache_write_at, copy_columns};
use axon_gpu::kernels::kv_cache::KvType;
use axon_gpu::{DeviceBuffer, Dispatch};

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn run_read(dispatches: &[Dispatch], out: &DeviceBuffer) -> Vec<u32> {
    gpu().run("position_test", dispatches).unwrap();
    bits(&gpu().read_f32(out).unwrap())
}

#[test]
fn cache_writes_follow_the_position() {
    let gpu = gpu();
    let (rows, kv, context) = (3, 8, 20);
    let src = gpu.upload_f32("src", &noise(rows * 12, 1, 1.0)).unwrap();
    let cache = gpu.zeros_f32("cache", context * kv).unwrap();
    let position = gpu.position(0).unwrap();
    let from = Columns {
        stride: 12,
        offset: 4,
    };
    let to = Columns {
        stride: kv,
        offset: 0,
    };
    let encoded = cache_write_at(
        gpu,
        [&src, &cache],
        [rows, kv],
        [from, to],
        (&position, kv),
        KvType::F32,
    );
    let encoded = encoded.unwrap();
    for pos in [0usize, 5, 17] {
        position.set(gpu, pos);
        let got = run_read(std::slice::from_ref(&encoded), &cache);
        let fixed = gpu.zeros_f32("fixed", context * kv).unwrap();
        let at = Columns {
            stride: kv,
            offset: pos * kv,
        };
        let dispatch = copy_columns(gpu, [&src, &fixed], [rows, kv], from, at).unwrap();
        // The reused cache keeps earlier rows; compare the rows this position wrote.
        let want = run_read(&[dispatch], &fixed);
        let span = pos * kv..(pos + rows) * kv;
        assert_eq!(got[span.clone()], want[span], "position {pos}");
    }
}

#[test]
fn attention_follows_the_position() {
    let gpu = gpu();
    let (heads, kv_heads, hd, context) = (4, 2, 16, 40);
    let keys = gpu
        .upload_f32("k", &noise(context * kv_heads * hd, 2, 1.0))
        .unwrap();
    let values = gpu
        .upload_f32("v", &noise(context * kv_heads * hd, 3, 1.0))
        .unwrap();
    let position = gpu.position(0).unwrap();
    for window in [None, Some(6)] {
        // Decode: one query.
        let q = gpu.upload_f32("q", &noise(heads * hd, 4, 1.0)).unwrap();
        let partials = gpu
            .zeros_f32("partials", partials_len(heads, kv_heads, hd))
            .unwrap();
        let out = gpu.zeros_f32("out", heads * hd).unwrap();
        let a = DecodeAttention {
            heads,
            kv_heads,
            head_dim: hd,
            pos: 0,
            window,
            scale: 0.25,
            reduction: Reduction::preferred(gpu.caps()),
            cache: KvType::F32,
        };
        let bufs = [&q, &keys, &values, &partials, &out];
        let encoded = attention_decode_at(gpu, &a, bufs, None, &position).unwrap();
        for pos in [0usize, 9, 39] {
            position.set(gpu, pos);
            let got = run_read(&encoded, &out);
            let fixed = DecodeAttention { pos, ..a };
            let want = run_read(&attention_decode(gpu, &fixed, bufs, None).unwrap(), &out);
            assert_eq!(got, want, "decode at {pos}, window {window:?}");
        }
        // Prefill: 5 queries.
        let tokens = 5;
        let q = gpu
            .upload_f32("q", &noise(tokens * heads * hd, 5, 1.0))
            .unwrap();
        let out = gpu.zeros_f32("out", tokens * heads * hd).unwrap();
        let p = PrefillAttention {
            heads,
            kv_heads,
            head_dim: hd,
            start: 0,
            tokens,
            window,
            scale: 0.25,
            cache: KvType::F32,
        };
        let bufs = [&q, &keys, &values, &out];
        let encoded = attention_prefill_at(gpu, &p, bufs, None, &position).unwrap();
        for pos in [0usize, 12, 35] {
            position.set(gpu, pos);
            let got = run_read(std::slice::from_ref(&encoded), &out);
            let fixed = PrefillAttention { start: pos, ..p };
            let want = run_read(&[attention_prefill(gpu, &fixed, bufs, None).unwrap()], &out);
            assert_eq!(got, want, "prefill at {pos}, window {window:?}");
        }
    }
}

//! The `general.*` and architecture keys of a preset, as llama.cpp's converter writes them
//! (tokenizer keys come from a vocabulary file: see the CLI's `axon synth`).

use super::mix::QuantMix;
use super::presets::{Preset, SynthArch};
use axon_formats::gguf::{Array, Value};

/// The metadata of `p` written with `mix`.
pub fn metadata(p: &Preset, mix: QuantMix) -> Vec<(String, Value)> {
    let arch = p.arch.name();
    let key = |k: &str| format!("{arch}.{k}");
    let u = |v: usize| Value::U32(v as u32);
    let mut m = vec![
        (
            "general.architecture".to_owned(),
            Value::String(arch.to_owned()),
        ),
        (
            "general.name".to_owned(),
            Value::String(format!("axon synth {} {}", p.name, mix.name())),
        ),
        ("general.file_type".to_owned(), Value::U32(mix.file_type())),
        ("general.quantization_version".to_owned(), Value::U32(2)),
        (key("context_length"), u(p.context)),
        (key("embedding_length"), u(p.embd)),
        (key("block_count"), u(p.layers)),
        (key("feed_forward_length"), u(p.ff)),
        (key("attention.head_count"), u(p.heads)),
        (key("attention.head_count_kv"), u(p.kv_heads)),
        (key("attention.layer_norm_rms_epsilon"), Value::F32(p.eps)),
        (key("rope.freq_base"), Value::F32(p.rope_base)),
        (key("rope.dimension_count"), u(p.rope_dims)),
    ];
    if p.arch != SynthArch::Llama || p.head_dim != p.embd / p.heads {
        m.push((key("attention.key_length"), u(p.head_dim)));
        m.push((key("attention.value_length"), u(p.head_dim)));
    }
    if p.arch == SynthArch::Llama {
        m.push((key("vocab_size"), u(p.vocab)));
    }
    if let Some(window) = p.sliding_window {
        m.push((key("attention.sliding_window"), u(window)));
    }
    if let Some(n) = p.deltanet {
        m.extend([
            (
                key("rope.dimension_sections"),
                Value::Array(Array::I32(vec![11, 11, 10, 0])),
            ),
            (key("full_attention_interval"), u(n.interval)),
            (key("ssm.conv_kernel"), u(n.conv_kernel)),
            (key("ssm.state_size"), u(n.dk)),
            (key("ssm.group_count"), u(n.k_heads)),
            (key("ssm.time_step_rank"), u(n.v_heads)),
            (key("ssm.inner_size"), u(n.v_heads * n.dv)),
        ]);
    }
    m
}

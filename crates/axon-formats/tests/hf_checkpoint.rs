//! Hugging Face checkpoint directories: single file and sharded with an index, the
//! `model.language_model.` prefix of vision-language checkpoints, dtypes, and bad input.

use axon_formats::hf::{HfCheckpoint, HfErrorKind, canonical_name};
use axon_formats::quant::GgmlType;
use safetensors::tensor::TensorView;
use safetensors::{Dtype, serialize_to_file};
use std::path::{Path, PathBuf};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("axon-hf-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn write(path: &Path, tensors: &[(&str, Dtype, Vec<usize>, Vec<u8>)]) {
    let views: Vec<(String, TensorView<'_>)> = tensors
        .iter()
        .map(|(n, d, s, b)| (n.to_string(), TensorView::new(*d, s.clone(), b).unwrap()))
        .collect();
    serialize_to_file(views, None, path).unwrap();
}

#[test]
fn single_file_checkpoint() {
    let dir = scratch("single");
    std::fs::write(
        dir.join("config.json"),
        r#"{"model_type": "llama", "hidden_size": 4}"#,
    )
    .unwrap();
    let embed: Vec<f32> = (0..12).map(|i| i as f32 * 0.5).collect();
    let half: Vec<u8> = [1.0f32, -2.0]
        .iter()
        .flat_map(|&x| half::f16::from_f32(x).to_le_bytes())
        .collect();
    let bf: Vec<u8> = [3.0f32, 0.25]
        .iter()
        .flat_map(|&x| half::bf16::from_f32(x).to_le_bytes())
        .collect();
    write(
        &dir.join("model.safetensors"),
        &[
            (
                "model.embed_tokens.weight",
                Dtype::F32,
                vec![3, 4],
                f32_bytes(&embed),
            ),
            ("model.norm.weight", Dtype::F16, vec![2], half),
            ("lm_head.weight", Dtype::BF16, vec![2], bf),
        ],
    );
    let ckpt = HfCheckpoint::open(&dir).unwrap();
    assert_eq!(ckpt.shard_count(), 1);
    assert_eq!(ckpt.config()["model_type"], "llama");
    assert_eq!(ckpt.text_config()["hidden_size"], 4);
    let e = ckpt.tensor("model.embed_tokens.weight").unwrap();
    assert_eq!(e.ty, GgmlType::F32);
    assert_eq!(e.shape, &[3, 4]);
    assert_eq!(e.dims(), vec![4, 3]);
    assert_eq!(e.data, &f32_bytes(&embed)[..]);
    assert_eq!(ckpt.tensor("model.norm.weight").unwrap().ty, GgmlType::F16);
    assert_eq!(ckpt.tensor("lm_head.weight").unwrap().ty, GgmlType::BF16);
    assert!(matches!(
        ckpt.tensor("nope").unwrap_err().kind,
        HfErrorKind::MissingTensor
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sharded_vision_language_checkpoint_reads_as_text_model() {
    let dir = scratch("sharded");
    std::fs::write(
        dir.join("config.json"),
        r#"{"model_type": "qwen3_5", "text_config": {"model_type": "qwen3_5_text", "hidden_size": 2}}"#,
    )
    .unwrap();
    write(
        &dir.join("model-00001-of-00002.safetensors"),
        &[
            (
                "model.language_model.embed_tokens.weight",
                Dtype::F32,
                vec![2, 2],
                f32_bytes(&[1.0, 2.0, 3.0, 4.0]),
            ),
            (
                "model.visual.patch_embed.weight",
                Dtype::F32,
                vec![1],
                f32_bytes(&[9.0]),
            ),
        ],
    );
    write(
        &dir.join("model-00002-of-00002.safetensors"),
        &[
            (
                "model.language_model.layers.0.input_layernorm.weight",
                Dtype::F32,
                vec![2],
                f32_bytes(&[0.5, 0.5]),
            ),
            (
                "lm_head.weight",
                Dtype::F32,
                vec![2, 2],
                f32_bytes(&[0.0; 4]),
            ),
            ("mtp.fc.weight", Dtype::F32, vec![1], f32_bytes(&[0.0])),
        ],
    );
    let index = r#"{"metadata": {"total_size": 48}, "weight_map": {
        "model.language_model.embed_tokens.weight": "model-00001-of-00002.safetensors",
        "model.visual.patch_embed.weight": "model-00001-of-00002.safetensors",
        "model.language_model.layers.0.input_layernorm.weight": "model-00002-of-00002.safetensors",
        "lm_head.weight": "model-00002-of-00002.safetensors",
        "mtp.fc.weight": "model-00002-of-00002.safetensors"}}"#;
    std::fs::write(dir.join("model.safetensors.index.json"), index).unwrap();
    let ckpt = HfCheckpoint::open(&dir).unwrap();
    assert_eq!(ckpt.shard_count(), 2);
    assert_eq!(ckpt.text_config()["model_type"], "qwen3_5_text");
    let names: Vec<&str> = ckpt.names().collect();
    assert_eq!(
        names,
        [
            "lm_head.weight",
            "model.embed_tokens.weight",
            "model.layers.0.input_layernorm.weight"
        ]
    );
    assert_eq!(
        ckpt.tensor("model.embed_tokens.weight").unwrap().data,
        &f32_bytes(&[1.0, 2.0, 3.0, 4.0])[..]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn canonical_names() {
    assert_eq!(
        canonical_name("model.language_model.layers.3.mlp.up_proj.weight").as_deref(),
        Some("model.layers.3.mlp.up_proj.weight")
    );
    assert_eq!(
        canonical_name("model.layers.0.self_attn.q_proj.weight").as_deref(),
        Some("model.layers.0.self_attn.q_proj.weight")
    );
    assert_eq!(
        canonical_name("model.visual.blocks.0.attn.qkv.weight"),
        None
    );
    assert_eq!(canonical_name("mtp.layers.0.weight"), None);
}

#[test]
fn bad_checkpoints_are_typed_errors_naming_the_file() {
    let dir = scratch("bad");
    let e = HfCheckpoint::open(&dir).unwrap_err();
    assert!(matches!(e.kind, HfErrorKind::Io(_)), "{e}");
    assert!(e.to_string().contains("config.json"), "{e}");

    std::fs::write(dir.join("config.json"), "{not json").unwrap();
    assert!(matches!(
        HfCheckpoint::open(&dir).unwrap_err().kind,
        HfErrorKind::Json(_)
    ));

    std::fs::write(dir.join("config.json"), "{}").unwrap();
    assert!(matches!(
        HfCheckpoint::open(&dir).unwrap_err().kind,
        HfErrorKind::NoWeights
    ));

    std::fs::write(
        dir.join("model.safetensors"),
        b"\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":",
    )
    .unwrap();
    let e = HfCheckpoint::open(&dir).unwrap_err();
    assert!(matches!(e.kind, HfErrorKind::Safetensors(_)), "{e}");
    assert!(e.to_string().contains("model.safetensors"), "{e}");

    write(
        &dir.join("model.safetensors"),
        &[("x", Dtype::I32, vec![1], vec![0; 4])],
    );
    assert!(matches!(
        HfCheckpoint::open(&dir).unwrap_err().kind,
        HfErrorKind::UnsupportedDtype(_)
    ));

    write(
        &dir.join("model.safetensors"),
        &[("x", Dtype::F32, vec![1], vec![0; 4])],
    );
    std::fs::write(
        dir.join("model.safetensors.index.json"),
        r#"{"weight_map": {"y": "model.safetensors"}}"#,
    )
    .unwrap();
    assert!(matches!(
        HfCheckpoint::open(&dir).unwrap_err().kind,
        HfErrorKind::NotInShard { .. }
    ));
    std::fs::write(
        dir.join("model.safetensors.index.json"),
        r#"{"weight_map": {"x": "../escape.safetensors"}}"#,
    )
    .unwrap();
    assert!(matches!(
        HfCheckpoint::open(&dir).unwrap_err().kind,
        HfErrorKind::BadShardName(_)
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

//! read(write(x)) == x for metadata of every value type (nested arrays included) and tensors.

use axon_formats::gguf::{Array, GgufFile, GgufWriter, Value};
use axon_formats::quant::GgmlType;
use proptest::prelude::*;

fn finite_f32() -> impl Strategy<Value = f32> {
    prop::num::f32::NORMAL | prop::num::f32::ZERO | prop::num::f32::SUBNORMAL
}

fn finite_f64() -> impl Strategy<Value = f64> {
    prop::num::f64::NORMAL | prop::num::f64::ZERO
}

fn array() -> impl Strategy<Value = Array> {
    let leaf = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..8).prop_map(Array::U8),
        prop::collection::vec(any::<i8>(), 0..8).prop_map(Array::I8),
        prop::collection::vec(any::<u16>(), 0..8).prop_map(Array::U16),
        prop::collection::vec(any::<i16>(), 0..8).prop_map(Array::I16),
        prop::collection::vec(any::<u32>(), 0..8).prop_map(Array::U32),
        prop::collection::vec(any::<i32>(), 0..8).prop_map(Array::I32),
        prop::collection::vec(finite_f32(), 0..8).prop_map(Array::F32),
        prop::collection::vec(any::<bool>(), 0..8).prop_map(Array::Bool),
        prop::collection::vec(".{0,12}", 0..8).prop_map(Array::String),
        prop::collection::vec(any::<u64>(), 0..8).prop_map(Array::U64),
        prop::collection::vec(any::<i64>(), 0..8).prop_map(Array::I64),
        prop::collection::vec(finite_f64(), 0..8).prop_map(Array::F64),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop::collection::vec(inner, 0..4).prop_map(Array::Array)
    })
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u8>().prop_map(Value::U8),
        any::<i8>().prop_map(Value::I8),
        any::<u16>().prop_map(Value::U16),
        any::<i16>().prop_map(Value::I16),
        any::<u32>().prop_map(Value::U32),
        any::<i32>().prop_map(Value::I32),
        finite_f32().prop_map(Value::F32),
        any::<bool>().prop_map(Value::Bool),
        ".{0,40}".prop_map(Value::String),
        array().prop_map(Value::Array),
        any::<u64>().prop_map(Value::U64),
        any::<i64>().prop_map(Value::I64),
        finite_f64().prop_map(Value::F64),
    ]
}

#[derive(Debug, Clone)]
struct Tensor {
    ty: GgmlType,
    dims: Vec<u64>,
    data: Vec<u8>,
}

fn tensor() -> impl Strategy<Value = Tensor> {
    let types = prop_oneof![
        Just(GgmlType::F32),
        Just(GgmlType::F16),
        Just(GgmlType::Q8_0),
        Just(GgmlType::Q4K),
        Just(GgmlType::Q6K),
        Just(GgmlType::Iq4Xs),
    ];
    (types, 1u64..3, prop::collection::vec(1u64..4, 0..3)).prop_flat_map(
        |(ty, row_blocks, outer)| {
            let mut dims = vec![row_blocks * ty.block_len() as u64];
            dims.extend(outer);
            let bytes = ty.bytes_for(dims.iter().product()).unwrap() as usize;
            prop::collection::vec(any::<u8>(), bytes).prop_map(move |data| Tensor {
                ty,
                dims: dims.clone(),
                data,
            })
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn write_then_read_gives_back_everything(
        metadata in prop::collection::btree_map("[a-z]{1,8}(\\.[a-z_]{1,8}){0,2}", value(), 0..12),
        tensors in prop::collection::vec(tensor(), 0..5),
        alignment in prop_oneof![Just(None), Just(Some(32u32)), Just(Some(64)), Just(Some(8))],
    ) {
        let mut w = GgufWriter::new();
        if let Some(a) = alignment {
            w.set("general.alignment", Value::U32(a));
        }
        for (k, v) in &metadata {
            if k != "general.alignment" {
                w.set(k.clone(), v.clone());
            }
        }
        for (i, t) in tensors.iter().enumerate() {
            w.add_tensor(format!("t{i}.weight"), t.ty, &t.dims, t.data.clone()).unwrap();
        }
        let bytes = w.to_bytes().unwrap();
        let f = GgufFile::from_bytes("roundtrip.gguf", bytes).unwrap();
        prop_assert_eq!(f.version(), 3);
        prop_assert_eq!(f.alignment(), u64::from(alignment.unwrap_or(32)));
        for (k, v) in &metadata {
            if k != "general.alignment" {
                prop_assert_eq!(f.get(k), Some(v));
            }
        }
        prop_assert_eq!(f.tensors().len(), tensors.len());
        for (i, t) in tensors.iter().enumerate() {
            let view = f.tensor(&format!("t{i}.weight")).unwrap();
            prop_assert_eq!(view.info.ty, t.ty);
            prop_assert_eq!(&view.info.dims, &t.dims);
            prop_assert_eq!(view.data, &t.data[..]);
        }
    }
}

#[test]
fn writer_refuses_inconsistent_tensors() {
    let mut w = GgufWriter::new();
    assert!(
        w.add_tensor("ragged", GgmlType::Q8_0, &[33], vec![0; 34])
            .is_err()
    );
    assert!(
        w.add_tensor("short", GgmlType::F32, &[4], vec![0; 15])
            .is_err()
    );
    assert!(
        w.add_tensor("five_dims", GgmlType::F32, &[1, 1, 1, 1, 1], vec![0; 4])
            .is_err()
    );
    w.add_tensor("ok", GgmlType::F32, &[1], vec![0; 4]).unwrap();
    assert!(w.add_tensor("ok", GgmlType::F32, &[1], vec![0; 4]).is_err());
}

#[test]
fn f32_tensors_are_quantized_on_write_and_dequantized_on_read() {
    let values: Vec<f32> = (0..512)
        .map(|i| ((i * 37 % 101) as f32 - 50.0) / 25.0)
        .collect();
    let mut w = GgufWriter::new();
    for ty in [
        GgmlType::F32,
        GgmlType::F16,
        GgmlType::Q8_0,
        GgmlType::Q4K,
        GgmlType::Q6K,
    ] {
        w.add_tensor_f32(format!("{ty}"), ty, &[256, 2], &values)
            .unwrap();
    }
    let f = GgufFile::from_bytes("q.gguf", w.to_bytes().unwrap()).unwrap();
    for (ty, tol) in [
        (GgmlType::F32, 0.0),
        (GgmlType::F16, 1e-3),
        (GgmlType::Q8_0, 0.02),
        (GgmlType::Q4K, 0.3),
        (GgmlType::Q6K, 0.08),
    ] {
        let back = f.tensor(ty.name()).unwrap().to_f32().unwrap();
        let worst = back
            .iter()
            .zip(&values)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst <= tol, "{ty}: worst error {worst} > {tol}");
    }
    assert!(
        w.add_tensor_f32("nan", GgmlType::Q8_0, &[32], &[f32::NAN; 32])
            .is_err()
    );
}

/// The streaming writer writes the same bytes as the in-memory one, and refuses a tensor of
/// the wrong size, one too many, or a file with a tensor missing.
#[test]
fn streamed_files_equal_in_memory_files() {
    use axon_formats::gguf::{GgufStreamWriter, GgufWriter, TensorDecl, Value};
    use axon_formats::quant::GgmlType;
    let metadata = vec![
        (
            "general.architecture".to_owned(),
            Value::String("llama".into()),
        ),
        ("general.alignment".to_owned(), Value::U32(64)),
    ];
    let tensors = [
        ("a", GgmlType::F32, vec![3u64, 2], vec![7u8; 24]),
        ("b", GgmlType::Q8_0, vec![32u64, 1], vec![1u8; 34]),
        ("c", GgmlType::F16, vec![5u64], vec![2u8; 10]),
    ];
    let mut memory = GgufWriter::new();
    for (k, v) in &metadata {
        memory.set(k.clone(), v.clone());
    }
    for (name, ty, dims, data) in &tensors {
        memory.add_tensor(*name, *ty, dims, data.clone()).unwrap();
    }
    let dir = std::env::temp_dir().join(format!("axon-stream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("streamed.gguf");
    let decls: Vec<TensorDecl> = tensors
        .iter()
        .map(|(name, ty, dims, _)| TensorDecl {
            name: (*name).to_owned(),
            ty: *ty,
            dims: dims.clone(),
        })
        .collect();
    let mut streamed = GgufStreamWriter::create(&path, &metadata, decls.clone()).unwrap();
    for (i, (_, _, _, data)) in tensors.iter().enumerate() {
        assert!(streamed.next_tensor().is_some());
        if i == 0 {
            // In parts: 10 + 14 bytes.
            streamed.write_part(&data[..10]).unwrap();
            streamed.write_part(&data[10..]).unwrap();
        } else {
            streamed.write_tensor(data).unwrap();
        }
    }
    assert!(streamed.write_tensor(&[0u8; 4]).is_err(), "one too many");
    streamed.finish().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), memory.to_bytes().unwrap());

    let mut short = GgufStreamWriter::create(&path, &metadata, decls.clone()).unwrap();
    assert!(short.write_tensor(&[0u8; 23]).is_err(), "wrong size");
    short.write_tensor(&tensors[0].3).unwrap();
    assert!(short.finish().is_err(), "b and c were never written");
    let mut over = GgufStreamWriter::create(&path, &metadata, decls.clone()).unwrap();
    over.write_part(&[0u8; 20]).unwrap();
    assert!(
        over.write_part(&[0u8; 5]).is_err(),
        "a part past the tensor's size"
    );
    let mut partial = GgufStreamWriter::create(&path, &metadata, decls).unwrap();
    partial.write_part(&[0u8; 20]).unwrap();
    assert!(partial.finish().is_err(), "a tensor stopped short");
    std::fs::remove_dir_all(&dir).unwrap();
}

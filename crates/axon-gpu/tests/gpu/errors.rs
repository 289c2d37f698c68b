//! wgpu errors come back as typed errors naming the object, and device loss is reported.

use super::gpu;
use axon_gpu::{AdapterPreference, Gpu, GpuError, ObjectKind};

#[test]
fn invalid_wgsl_is_a_typed_error_with_the_label() {
    let err = gpu()
        .create_shader_module("broken_kernel", "fn main( {")
        .unwrap_err();
    match err {
        GpuError::Validation {
            kind: ObjectKind::ShaderModule,
            ref label,
            ref message,
        } => {
            assert_eq!(label, "broken_kernel");
            assert!(!message.is_empty());
        }
        other => panic!("expected a shader-module validation error, got {other:?}"),
    }
    // The device is still usable afterwards.
    gpu().check_alive().unwrap();
}

#[test]
fn oversize_buffer_is_a_typed_error_with_the_label() {
    let max = gpu().caps().limits.max_buffer_size;
    let size = (max + 4).next_multiple_of(4);
    let err = gpu()
        .create_buffer("too_big", size, wgpu::BufferUsages::STORAGE)
        .unwrap_err();
    match err {
        GpuError::Validation {
            kind: ObjectKind::Buffer,
            ref label,
            ..
        } => assert_eq!(label, "too_big"),
        other => panic!("expected a buffer validation error, got {other:?}"),
    }
    gpu().check_alive().unwrap();
}

#[test]
fn invalid_pipeline_is_a_typed_error_with_the_label() {
    let gpu = gpu();
    let module = gpu
        .create_shader_module("one_entry", "@compute @workgroup_size(1) fn present() {}")
        .unwrap();
    let err = gpu
        .guarded(ObjectKind::ComputePipeline, "missing_entry", |d| {
            d.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some("missing_entry"),
                layout: None,
                module: &module,
                entry_point: Some("absent"),
                compilation_options: Default::default(),
                cache: None,
            })
        })
        .unwrap_err();
    match err {
        GpuError::Validation {
            kind: ObjectKind::ComputePipeline,
            ref label,
            ..
        } => assert_eq!(label, "missing_entry"),
        other => panic!("expected a pipeline validation error, got {other:?}"),
    }
}

#[test]
fn destroyed_device_surfaces_as_device_lost_on_the_next_call() {
    // A device of its own: the shared one must stay alive for the other tests.
    let gpu = Gpu::with_preference(&AdapterPreference::from_env()).unwrap();
    let before = gpu.upload_f32("before", &[1.0, 2.0]).unwrap();
    assert_eq!(gpu.read_f32(&before).unwrap(), vec![1.0, 2.0]);
    gpu.device().destroy();
    let err = gpu.upload_f32("after", &[1.0]).unwrap_err();
    assert!(matches!(err, GpuError::DeviceLost { .. }), "{err:?}");
    assert!(err.to_string().contains("Destroyed"), "{err}");
    // And it stays lost.
    assert!(matches!(
        gpu.check_alive(),
        Err(GpuError::DeviceLost { .. })
    ));
}

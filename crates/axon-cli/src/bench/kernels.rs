//! `axon bench kernels`: what is measured, at which shapes, in which order.

use super::case::{Bench, Case, Kernel, micros, per_second};
use super::report::{Adapter, Entry, QuantizeQ8, Report};
use super::timing::Timer;
use super::weights::Rng;
use super::{BenchError, KernelArgs, copies, provenance};
use axon_formats::quant::GgmlType;
use axon_gpu::Gpu;
use axon_gpu::kernels::matvec_q8::MATVEC_Q8_TYPES;
use axon_gpu::kernels::quantize_q8::Q8_PAIR;

/// Matrix-vector weight formats, in report order.
const MATVEC_FORMATS: [GgmlType; 4] = [GgmlType::Q4K, GgmlType::Q6K, GgmlType::Q8_0, GgmlType::F16];
/// The other formats the matrix-vector kernels decode, in report order after
/// [`MATVEC_FORMATS`], at the plan's `matvec_other` shapes (the layer shapes: fewer
/// than the main formats' list, so the full run stays short).
const OTHER_MATVEC_FORMATS: [GgmlType; 7] = [
    GgmlType::BF16,
    GgmlType::F32,
    GgmlType::Q4_0,
    GgmlType::Q4_1,
    GgmlType::Q5_0,
    GgmlType::Q5K,
    GgmlType::Iq4Xs,
];
/// Formats of the several-column matrix-vector rows, in report order.
const COLUMNS_FORMATS: [GgmlType; 3] = [GgmlType::Q4K, GgmlType::Q6K, GgmlType::Q8_0];
/// Input vectors per dispatch in those rows: up to 8 (llama.cpp's Vulkan matvec stops at 8),
/// one past it, and the kernels' most.
const COLUMN_COUNTS: [usize; 6] = [1, 2, 4, 8, 9, 16];
/// Matrix-matrix weight formats, in report order.
const MATMUL_FORMATS: [GgmlType; 2] = [GgmlType::F16, GgmlType::Q4K];

/// Shapes and sizes of one mode.
struct Plan {
    iters: usize,
    copy_bytes: u64,
    /// `(rows, cols)`.
    matvec: &'static [(usize, usize)],
    /// `(rows, cols)` of [`OTHER_MATVEC_FORMATS`].
    matvec_other: &'static [(usize, usize)],
    /// Matrix-vector weights cycle through enough copies to make at least this many bytes
    /// (at most [`MAX_WEIGHT_COPIES`]), more than any GPU's caches (an H200 has 50 MB of L2,
    /// an RX 7900 XTX 96 MB of Infinity Cache): a decode step reads each matrix once, from
    /// memory, and a matrix repeated alone would be timed from the cache instead.
    stream_bytes: u64,
    /// `(rows, cols)` of the several-column matrix-vector rows.
    columns: (usize, usize),
    /// `(tokens, rows, cols)`.
    matmul: &'static [(usize, usize, usize)],
}

/// Decode-sized projections of 8-9B models (attention, FFN up at Qwen3.5-9B's 12288 and
/// Llama-3-8B's 14336, FFN down, vocabulary), then Qwen3.5-27B's layer shapes (hidden 5120,
/// FFN 17408).
const FULL: Plan = Plan {
    iters: 20,
    copy_bytes: 1 << 30,
    matvec: &[
        (4096, 4096),
        (12288, 4096),
        (14336, 4096),
        (4096, 12288),
        (248_320, 4096),
        (5120, 5120),
        (17408, 5120),
        (5120, 17408),
    ],
    matvec_other: &[(4096, 4096), (12288, 4096), (14336, 4096), (4096, 12288)],
    columns: (4096, 4096),
    matmul: &[(512, 4096, 4096)],
    stream_bytes: 512 << 20,
};

/// See [`Plan::stream_bytes`].
const MAX_WEIGHT_COPIES: u64 = 64;

/// Tiny shapes that run in seconds on the software adapter.
const QUICK: Plan = Plan {
    iters: 3,
    copy_bytes: 64 << 20,
    matvec: &[(256, 256), (512, 256)],
    matvec_other: &[(256, 256)],
    columns: (256, 256),
    matmul: &[(8, 256, 256)],
    stream_bytes: 0,
};

/// Opens the device, measures everything on the clock `--clock` asks for and returns the
/// report.
pub fn run(args: &KernelArgs) -> Result<Report, BenchError> {
    if let Some(unknown) = args.formats.iter().find(|f| {
        !MATVEC_FORMATS
            .iter()
            .chain(&OTHER_MATVEC_FORMATS)
            .chain(&MATMUL_FORMATS)
            .any(|ty| f.eq_ignore_ascii_case(ty.name()))
    }) {
        return Err(BenchError::NotSupported(format!(
            "--formats: {unknown:?} is not one of the benchmarked formats"
        )));
    }
    let gpu = Gpu::new()?;
    let plan = if args.quick { &QUICK } else { &FULL };
    let iters = args.iters.map_or(plan.iters, |n| n as usize);
    let timer = Timer::new(&gpu, args.clock, iters)?;
    let copies = copies::measure(&gpu, &timer, plan.copy_bytes)?;
    let copy_gb_s = per_second(copies.moved() as f64, copies.buffer) / 1e9;
    let shader_copy_gb_s = per_second(copies.moved() as f64, copies.shader.per_dispatch) / 1e9;
    let reference_gb_s = copy_gb_s.max(shader_copy_gb_s);
    tracing::info!(copy_gb_s, shader_copy_gb_s, "copies measured");

    let mut bench = Bench {
        gpu: &gpu,
        timer: &timer,
        rng: Rng::new(0x00a8_0be4),
    };
    let wanted = |ty: GgmlType| {
        args.formats.is_empty()
            || args
                .formats
                .iter()
                .any(|f| f.eq_ignore_ascii_case(ty.name()))
    };
    let shapes = if args.shapes.is_empty() {
        plan.matvec
    } else {
        &args.shapes[..]
    };
    let mut matvec = Vec::new();
    // `--shapes` replaces both lists.
    let other_shapes = if args.shapes.is_empty() {
        plan.matvec_other
    } else {
        &args.shapes[..]
    };
    let every_format = MATVEC_FORMATS.into_iter().map(|ty| (ty, shapes)).chain(
        OTHER_MATVEC_FORMATS
            .into_iter()
            .map(|ty| (ty, other_shapes)),
    );
    for (ty, shapes) in every_format.filter(|&(ty, _)| wanted(ty)) {
        for &(rows, cols) in shapes {
            let case = Case {
                kernel: Kernel::Matvec,
                ty,
                tokens: 1,
                rows,
                cols,
                weight_copies: weight_copies(ty, rows, cols, plan.stream_bytes),
            };
            matvec.push(match bench.time(&case)? {
                Ok(time) => Entry::Measured(case.matvec(time, reference_gb_s)),
                Err(reason) => Entry::Skipped(case.skipped(reason)),
            });
        }
    }
    let mut matvec_columns = Vec::new();
    let mut matvec_q8_columns = Vec::new();
    for (kernel, rows_out) in [
        (Kernel::MatvecColumns, &mut matvec_columns),
        (Kernel::MatvecQ8Columns, &mut matvec_q8_columns),
    ] {
        for ty in COLUMNS_FORMATS.into_iter().filter(|&ty| wanted(ty)) {
            let (rows, cols) = plan.columns;
            let mut one_column_us = None;
            for tokens in COLUMN_COUNTS {
                let case = Case {
                    kernel,
                    ty,
                    tokens,
                    rows,
                    cols,
                    weight_copies: weight_copies(ty, rows, cols, plan.stream_bytes),
                };
                rows_out.push(match bench.time(&case)? {
                    Ok(time) => {
                        if tokens == 1 {
                            one_column_us = Some(micros(time.per_dispatch));
                        }
                        Entry::Measured(case.matvec_columns(time, one_column_us))
                    }
                    Err(reason) => Entry::Skipped(case.skipped(reason)),
                });
            }
        }
    }
    let mut matvec_q8 = Vec::new();
    // Every format the integer-dot kernels take, each at its matvec rows' shapes.
    for &ty in MATVEC_Q8_TYPES.iter().filter(|&&ty| wanted(ty)) {
        let shapes = if MATVEC_FORMATS.contains(&ty) {
            shapes
        } else {
            other_shapes
        };
        for &(rows, cols) in shapes {
            let case = Case {
                kernel: Kernel::MatvecQ8,
                ty,
                tokens: 1,
                rows,
                cols,
                weight_copies: weight_copies(ty, rows, cols, plan.stream_bytes),
            };
            matvec_q8.push(match bench.time(&case)? {
                Ok(time) => Entry::Measured(case.matvec(time, reference_gb_s)),
                Err(reason) => Entry::Skipped(case.skipped(reason)),
            });
        }
    }
    let mut quantize_q8 = Vec::new();
    let mut widths: Vec<usize> = shapes
        .iter()
        .map(|&(_, cols)| cols)
        .filter(|cols| cols.is_multiple_of(Q8_PAIR))
        .collect();
    widths.sort_unstable();
    widths.dedup();
    for cols in widths {
        let case = Case {
            kernel: Kernel::QuantizeQ8,
            ty: GgmlType::F32,
            tokens: 1,
            rows: 0,
            cols,
            weight_copies: 1,
        };
        if let Ok(time) = bench.time(&case)? {
            quantize_q8.push(QuantizeQ8 {
                cols,
                batch: time.batch,
                us: micros(time.per_dispatch),
            });
        }
    }
    let mut matmul = Vec::new();
    for ty in MATMUL_FORMATS.into_iter().filter(|&ty| wanted(ty)) {
        for &(tokens, rows, cols) in plan.matmul {
            let case = Case {
                kernel: Kernel::Matmul,
                ty,
                tokens,
                rows,
                cols,
                weight_copies: 1,
            };
            matmul.push(match bench.time(&case)? {
                Ok(time) => Entry::Measured(case.matmul(time)),
                Err(reason) => Entry::Skipped(case.skipped(reason)),
            });
        }
    }

    let caps = gpu.caps();
    Ok(Report {
        adapter: Adapter {
            name: caps.adapter_name.clone(),
            driver: caps.driver.clone(),
            backend: format!("{:?}", caps.backend),
            device_type: format!("{:?}", caps.device_type),
        },
        commit: provenance::commit(),
        date: provenance::utc_now(),
        clock: timer.clock().name(),
        iters,
        quick: args.quick,
        copy_bytes_moved_per_iter: copies.moved(),
        copy_us: micros(copies.buffer),
        copy_gb_s,
        shader_copy_us: micros(copies.shader.per_dispatch),
        shader_copy_gb_s,
        reference_gb_s,
        matvec,
        matvec_columns,
        matvec_q8,
        matvec_q8_columns,
        quantize_q8,
        matmul,
    })
}

/// Copies of a `rows` x `cols` matrix of `ty` that make at least `stream_bytes`, in
/// 1..=[`MAX_WEIGHT_COPIES`].
fn weight_copies(ty: GgmlType, rows: usize, cols: usize, stream_bytes: u64) -> usize {
    let bytes = ty.bytes_for((rows * cols) as u64).unwrap_or(1).max(1);
    stream_bytes.div_ceil(bytes).clamp(1, MAX_WEIGHT_COPIES) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_copies_outgrow_the_caches_and_stay_bounded() {
        let stream = FULL.stream_bytes;
        // 4096 x 4096 Q4_K is 9 437 184 bytes: 57 copies make the first >= 512 MiB.
        assert_eq!(weight_copies(GgmlType::Q4K, 4096, 4096, stream), 57);
        // The output head alone is larger than the caches.
        assert_eq!(weight_copies(GgmlType::Q8_0, 248_320, 4096, stream), 1);
        // Tiny matrices stop at the cap.
        assert_eq!(
            weight_copies(GgmlType::Q4K, 256, 256, stream),
            MAX_WEIGHT_COPIES as usize
        );
        assert_eq!(
            weight_copies(GgmlType::Q4K, 256, 256, QUICK.stream_bytes),
            1
        );
    }
}

//! One benchmark case: random weights of a format and shape, uploaded and timed, and the
//! arithmetic that turns its time into bandwidth or throughput.

use super::BenchError;
use super::report::{Matmul, Matvec, MatvecColumns, Skipped};
use super::timing::{KernelTime, Timer};
use super::weights::{Rng, random_matrix};
use axon_formats::quant::GgmlType;
use axon_gpu::kernels::Reduction;
use axon_gpu::kernels::matmul::matmul;
use axon_gpu::kernels::matvec::{matvec, matvec_columns};
use axon_gpu::kernels::matvec_q8::{matvec_q8, matvec_q8_columns};
use axon_gpu::kernels::quantize_q8::{q8_words, quantize_q8};
use axon_gpu::{Gpu, GpuError};
use std::time::Duration;

/// Which kernel a case runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// [`matvec`]: one input vector.
    Matvec,
    /// [`matvec_columns`]: `tokens` input vectors in one dispatch.
    MatvecColumns,
    /// [`matvec_q8`]: one input vector, quantized to 8 bits before the timed dispatches.
    MatvecQ8,
    /// [`matvec_q8_columns`]: `tokens` input vectors, quantized to 8 bits (as one buffer)
    /// before the timed dispatches.
    MatvecQ8Columns,
    /// [`quantize_q8`] of one input vector of `cols` values (no weights).
    QuantizeQ8,
    /// [`matmul`]: `tokens` input vectors.
    Matmul,
}

/// One measurement to take: `y = W x` for `tokens` vectors `x` and `rows x cols` weights `W`.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// The kernel.
    pub kernel: Kernel,
    /// Weight format.
    pub ty: GgmlType,
    /// Input vectors (1 for [`Kernel::Matvec`], the column count for
    /// [`Kernel::MatvecColumns`]).
    pub tokens: usize,
    /// Output rows.
    pub rows: usize,
    /// Input columns.
    pub cols: usize,
    /// Distinct weight buffers the timed dispatches cycle through, so that together they
    /// pass the device's caches and each dispatch reads its weights from memory, as a decode
    /// step does ([`Plan::stream_bytes`](super::kernels) picks it).
    pub weight_copies: usize,
}

impl Case {
    fn label(&self) -> String {
        let (ty, rows, cols) = (self.ty.name(), self.rows, self.cols);
        match self.kernel {
            Kernel::Matvec => format!("bench.matvec.{ty}.{rows}x{cols}"),
            Kernel::MatvecColumns => {
                format!("bench.matvec_columns.{ty}.{rows}x{cols}x{}", self.tokens)
            }
            Kernel::MatvecQ8 => format!("bench.matvec_q8.{ty}.{rows}x{cols}"),
            Kernel::MatvecQ8Columns => {
                format!("bench.matvec_q8_columns.{ty}.{rows}x{cols}x{}", self.tokens)
            }
            Kernel::QuantizeQ8 => format!("bench.quantize_q8.{cols}"),
            Kernel::Matmul => format!("bench.matmul.{ty}.{}x{rows}x{cols}", self.tokens),
        }
    }

    /// Bytes of the weights, x and y; `None` when `cols` is not a whole number of blocks.
    fn operands(&self) -> Option<[(&'static str, u64); 3]> {
        let weights = self.ty.bytes_for((self.rows * self.cols) as u64)?;
        let x = match self.kernel {
            Kernel::MatvecQ8 | Kernel::MatvecQ8Columns => {
                4 * q8_words(self.tokens * self.cols) as u64
            }
            _ => 4 * (self.tokens * self.cols) as u64,
        };
        let y = 4 * (self.tokens * self.rows) as u64;
        Some([("weights", weights), ("x", x), ("y", y)])
    }

    /// The entry for a case that was not run.
    pub fn skipped(&self, skipped: String) -> Skipped {
        Skipped {
            format: self.ty.name(),
            tokens: (self.kernel == Kernel::Matmul).then_some(self.tokens),
            columns: matches!(self.kernel, Kernel::MatvecColumns | Kernel::MatvecQ8Columns)
                .then_some(self.tokens),
            rows: self.rows,
            cols: self.cols,
            skipped,
        }
    }

    /// The matrix-vector entry: bytes moved per second, and that as a percentage of
    /// `reference_gb_s` (the faster copy's bandwidth).
    pub fn matvec(&self, time: KernelTime, reference_gb_s: f64) -> Matvec {
        let operands = self.operands().unwrap_or_default();
        let bytes = operands.iter().map(|&(_, b)| b).sum::<u64>();
        let gb_s = per_second(bytes as f64, time.per_dispatch) / 1e9;
        Matvec {
            format: self.ty.name(),
            rows: self.rows,
            cols: self.cols,
            weight_bytes: operands[0].1,
            weight_copies: self.weight_copies,
            bytes,
            batch: time.batch,
            us: micros(time.per_dispatch),
            gb_s,
            pct_of_copy: 100.0 * gb_s / reference_gb_s,
        }
    }

    /// The entry of `tokens` input vectors in one dispatch, beside the same call's time at one
    /// column (`one_column_us`, when measured).
    pub fn matvec_columns(&self, time: KernelTime, one_column_us: Option<f64>) -> MatvecColumns {
        let us = micros(time.per_dispatch);
        MatvecColumns {
            format: self.ty.name(),
            rows: self.rows,
            cols: self.cols,
            columns: self.tokens,
            weight_copies: self.weight_copies,
            batch: time.batch,
            us,
            us_per_column: us / self.tokens as f64,
            vs_one_column: one_column_us.map(|one| us / one),
        }
    }

    /// The matrix-matrix entry: `2 * tokens * rows * cols` FLOPs per second.
    pub fn matmul(&self, time: KernelTime) -> Matmul {
        let flops = 2.0 * self.tokens as f64 * self.rows as f64 * self.cols as f64;
        Matmul {
            format: self.ty.name(),
            tokens: self.tokens,
            rows: self.rows,
            cols: self.cols,
            batch: time.batch,
            us: micros(time.per_dispatch),
            tflop_s: per_second(flops, time.per_dispatch) / 1e12,
        }
    }
}

/// What every case needs: the device, its timer and the source of random operands.
pub struct Bench<'a, 'g> {
    /// The device.
    pub gpu: &'g Gpu,
    /// The timer, shared by every case of one report.
    pub timer: &'a Timer<'g>,
    /// Random weights and inputs.
    pub rng: Rng,
}

impl Bench<'_, '_> {
    /// Times `case`: `Ok(Err(reason))` when it does not fit this device.
    pub fn time(&mut self, case: &Case) -> Result<Result<KernelTime, String>, BenchError> {
        let Some(operands) = case.operands() else {
            return Ok(Err("cols is not a whole number of blocks".to_owned()));
        };
        if let Some(reason) = too_large(self.gpu, &operands) {
            return Ok(Err(reason));
        }
        let result = self.upload_and_time(case);
        if let Ok(time) = &result {
            tracing::info!(case = case.label(), ?time, "measured");
        }
        skip_if_unfit(result)
    }

    fn upload_and_time(&mut self, case: &Case) -> Result<KernelTime, BenchError> {
        let &Case {
            kernel,
            ty,
            tokens,
            rows,
            cols,
            weight_copies,
        } = case;
        let label = case.label();
        let gpu = self.gpu;
        let reduction = Reduction::preferred(gpu.caps());
        let x = gpu.upload_f32("bench.x", &self.rng.f32s(tokens * cols))?;
        // x as 8-bit blocks (a few KiB): what `quantize_q8` writes and `matvec_q8` reads.
        let xq = gpu.zeros_f32("bench.xq", q8_words(tokens * cols))?;
        if kernel == Kernel::QuantizeQ8 {
            // No weights to make.
            return self.timer.kernel(&label, &mut || quantize_q8(gpu, &x, &xq));
        }
        let data = random_matrix(ty, rows, cols, &mut self.rng)
            .ok_or_else(|| BenchError::NotSupported(format!("no random {} weights", ty.name())))?;
        // The same bytes in distinct buffers: a dispatch finds none of its weights cached by
        // the dispatches before it once the copies together outgrow the caches.
        let copies = (0..weight_copies.max(1))
            .map(|_| self.gpu.upload_matrix(&label, ty, rows, cols, &data))
            .collect::<Result<Vec<_>, _>>()?;
        drop(data);
        let y = gpu.zeros_f32("bench.y", tokens * rows)?;
        if matches!(kernel, Kernel::MatvecQ8 | Kernel::MatvecQ8Columns) {
            gpu.run("bench.quantize_q8", &[quantize_q8(gpu, &x, &xq)?])?;
        }
        let mut made = 0usize;
        let mut make = || {
            // `copies` holds at least one matrix.
            let w = &copies[made % copies.len()];
            made += 1;
            match kernel {
                Kernel::Matvec => matvec(gpu, w, &x, &y, reduction),
                Kernel::MatvecColumns => matvec_columns(gpu, w, &x, &y, tokens, reduction),
                Kernel::MatvecQ8 => matvec_q8(gpu, w, &xq, &y, reduction),
                Kernel::MatvecQ8Columns => matvec_q8_columns(gpu, w, &xq, &y, tokens, reduction),
                Kernel::QuantizeQ8 => quantize_q8(gpu, &x, &xq),
                Kernel::Matmul => matmul(gpu, w, &x, &y, tokens),
            }
        };
        self.timer.kernel(&label, &mut make)
    }
}

/// Why an operand of `(name, bytes)` cannot be bound on this device, if one cannot.
fn too_large(gpu: &Gpu, operands: &[(&str, u64)]) -> Option<String> {
    let caps = gpu.caps();
    // Kernels index bytes with u32s, so no binding may pass u32::MAX either.
    let binding = caps.max_storage_binding_bytes().min(u64::from(u32::MAX));
    let buffer = caps.limits.max_buffer_size;
    operands.iter().find_map(|&(name, bytes)| {
        let bytes = bytes.next_multiple_of(4);
        (bytes > binding.min(buffer)).then(|| {
            format!(
                "{name} is {bytes} bytes, over this device's limit of {} bytes \
                 (storage binding {binding}, buffer {buffer})",
                binding.min(buffer)
            )
        })
    })
}

/// Sorts a case's failure: `Ok(Err(reason))` when the case does not fit this device (it is
/// skipped), `Err` when the device or the benchmark failed (the whole run stops).
fn skip_if_unfit(
    result: Result<KernelTime, BenchError>,
) -> Result<Result<KernelTime, String>, BenchError> {
    match result {
        Ok(time) => Ok(Ok(time)),
        Err(BenchError::NotSupported(reason)) => Ok(Err(reason)),
        Err(BenchError::Gpu(
            e @ (GpuError::OutOfMemory { .. }
            | GpuError::BindingTooLarge { .. }
            | GpuError::GridTooLarge { .. }
            | GpuError::MissingFeature { .. }),
        )) => Ok(Err(e.to_string())),
        Err(e) => Err(e),
    }
}

/// `amount / time`; infinite for a zero time (which the timers never return).
pub fn per_second(amount: f64, time: Duration) -> f64 {
    amount / time.as_secs_f64()
}

/// `time` in microseconds.
pub fn micros(time: Duration) -> f64 {
    time.as_secs_f64() * 1e6
}

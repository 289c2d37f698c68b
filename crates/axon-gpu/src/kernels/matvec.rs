//! Launcher for `wgsl/matvec.wgsl`: `y[r] = sum_c W[r, c] x[c]` against weights in a ggml
//! block format, decoded on the fly (decode-time projections).
//!
//! Contract: `weights` holds `rows` rows of `cols` values of its type (`cols` a multiple of the
//! kernel's block, [`kernel_block_len`]: the file's block length, 2 for F16 and BF16), `x` has
//! `cols` elements, `y` at least `rows` (elements past `rows` are never written). One
//! workgroup per `MATVEC_ROWS` rows. Every quantized format runs `wgsl/matvec_wide.wgsl`
//! (16-byte weight units, vec4 x loads, items laid along the bytes), and so do F16 and BF16
//! rows that are multiples of 8 on devices with `SHADER_F16_IN_F32` ([`aligned_block_len`]);
//! F32 and the other F16/BF16 rows run `wgsl/matvec.wgsl`. The CPU twin is
//! `axon_reference::ops::linear::linear_quantized`.

use super::{check_binding, check_len, grid};
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::kernels::Reduction;
use crate::kernels::glu::GluActivation;
use crate::kernels::repack::{repack_into, split_block};
use crate::pipelines::Kernel;
use crate::registry::ReducedPair;
use crate::registry::variants::{self as v, MATVEC_ROWS};
use axon_formats::quant::GgmlType;

/// The weight formats the matrix-vector kernel decodes directly.
pub const MATVEC_TYPES: &[GgmlType] = &[
    GgmlType::F32,
    GgmlType::F16,
    GgmlType::BF16,
    GgmlType::Q8_0,
    GgmlType::Q4_0,
    GgmlType::Q4_1,
    GgmlType::Q5_0,
    GgmlType::Q4K,
    GgmlType::Q6K,
    GgmlType::Q5K,
    GgmlType::Iq4Xs,
];

/// One weight format's kernels: its reduction pairs (matvec, matvec_glu) and how many values
/// one block of its `wgsl/parts/quant/` or `wgsl/parts/wide/` part covers.
struct Format {
    ty: GgmlType,
    kernels: Kernels,
    block_len: usize,
    /// F16 and BF16: the wide kernels (`wgsl/parts/wide/`), for rows whose length is a
    /// multiple of their block (rows then start 16-byte aligned) on devices with
    /// `SHADER_F16_IN_F32`; other rows and devices keep `kernels`.
    aligned: Option<(Kernels, usize)>,
}

/// A format's four matrix-vector pairs.
struct Kernels {
    plain: &'static ReducedPair,
    glu: &'static ReducedPair,
    /// The twins with folds (`parts/matvec_fold.wgsl`).
    plain_fold: &'static ReducedPair,
    glu_fold: &'static ReducedPair,
}

/// The values one block of the aligned F16 and BF16 kernels covers (`BLOCK_LEN` of
/// `wgsl/parts/wide/f16.wgsl` and `bf16.wgsl`): one 16-byte unit.
const ALIGNED_FLOAT_BLOCK: usize = 8;

/// Every format `matvec` decodes. `block_len` is the part's `BLOCK_LEN` (the registry test
/// compares them): the file format's block, except F16 and BF16, whose parts take two values
/// per 32-bit word.
static FORMATS: &[Format] = &[
    Format {
        ty: GgmlType::F32,
        kernels: Kernels {
            plain: &v::MATVEC_F32,
            glu: &v::MATVEC_GLU_F32,
            plain_fold: &v::MATVEC_FOLD_F32,
            glu_fold: &v::MATVEC_GLU_FOLD_F32,
        },
        block_len: 1,
        aligned: None,
    },
    Format {
        ty: GgmlType::F16,
        kernels: Kernels {
            plain: &v::MATVEC_F16,
            glu: &v::MATVEC_GLU_F16,
            plain_fold: &v::MATVEC_FOLD_F16,
            glu_fold: &v::MATVEC_GLU_FOLD_F16,
        },
        block_len: 2,
        aligned: Some((
            Kernels {
                plain: &v::MATVEC_F16_ALIGNED,
                glu: &v::MATVEC_GLU_F16_ALIGNED,
                plain_fold: &v::MATVEC_FOLD_F16_ALIGNED,
                glu_fold: &v::MATVEC_GLU_FOLD_F16_ALIGNED,
            },
            ALIGNED_FLOAT_BLOCK,
        )),
    },
    Format {
        ty: GgmlType::BF16,
        kernels: Kernels {
            plain: &v::MATVEC_BF16,
            glu: &v::MATVEC_GLU_BF16,
            plain_fold: &v::MATVEC_FOLD_BF16,
            glu_fold: &v::MATVEC_GLU_FOLD_BF16,
        },
        block_len: 2,
        aligned: Some((
            Kernels {
                plain: &v::MATVEC_BF16_ALIGNED,
                glu: &v::MATVEC_GLU_BF16_ALIGNED,
                plain_fold: &v::MATVEC_FOLD_BF16_ALIGNED,
                glu_fold: &v::MATVEC_GLU_FOLD_BF16_ALIGNED,
            },
            ALIGNED_FLOAT_BLOCK,
        )),
    },
    Format {
        ty: GgmlType::Q8_0,
        kernels: Kernels {
            plain: &v::MATVEC_Q8_0,
            glu: &v::MATVEC_GLU_Q8_0,
            plain_fold: &v::MATVEC_FOLD_Q8_0,
            glu_fold: &v::MATVEC_GLU_FOLD_Q8_0,
        },
        block_len: 32,
        aligned: None,
    },
    Format {
        ty: GgmlType::Q4_0,
        kernels: Kernels {
            plain: &v::MATVEC_Q4_0,
            glu: &v::MATVEC_GLU_Q4_0,
            plain_fold: &v::MATVEC_FOLD_Q4_0,
            glu_fold: &v::MATVEC_GLU_FOLD_Q4_0,
        },
        block_len: 32,
        aligned: None,
    },
    Format {
        ty: GgmlType::Q4_1,
        kernels: Kernels {
            plain: &v::MATVEC_Q4_1,
            glu: &v::MATVEC_GLU_Q4_1,
            plain_fold: &v::MATVEC_FOLD_Q4_1,
            glu_fold: &v::MATVEC_GLU_FOLD_Q4_1,
        },
        block_len: 32,
        aligned: None,
    },
    Format {
        ty: GgmlType::Q5_0,
        kernels: Kernels {
            plain: &v::MATVEC_Q5_0,
            glu: &v::MATVEC_GLU_Q5_0,
            plain_fold: &v::MATVEC_FOLD_Q5_0,
            glu_fold: &v::MATVEC_GLU_FOLD_Q5_0,
        },
        block_len: 32,
        aligned: None,
    },
    Format {
        ty: GgmlType::Q4K,
        kernels: Kernels {
            plain: &v::MATVEC_Q4_K,
            glu: &v::MATVEC_GLU_Q4_K,
            plain_fold: &v::MATVEC_FOLD_Q4_K,
            glu_fold: &v::MATVEC_GLU_FOLD_Q4_K,
        },
        block_len: 256,
        aligned: None,
    },
    Format {
        ty: GgmlType::Q6K,
        kernels: Kernels {
            plain: &v::MATVEC_Q6_K,
            glu: &v::MATVEC_GLU_Q6_K,
            plain_fold: &v::MATVEC_FOLD_Q6_K,
            glu_fold: &v::MATVEC_GLU_FOLD_Q6_K,
        },
        block_len: 256,
        aligned: None,
    },
    Format {
        ty: GgmlType::Q5K,
        kernels: Kernels {
            plain: &v::MATVEC_Q5_K,
            glu: &v::MATVEC_GLU_Q5_K,
            plain_fold: &v::MATVEC_FOLD_Q5_K,
            glu_fold: &v::MATVEC_GLU_FOLD_Q5_K,
        },
        block_len: 256,
        aligned: None,
    },
    Format {
        ty: GgmlType::Iq4Xs,
        kernels: Kernels {
            plain: &v::MATVEC_IQ4_XS,
            glu: &v::MATVEC_GLU_IQ4_XS,
            plain_fold: &v::MATVEC_FOLD_IQ4_XS,
            glu_fold: &v::MATVEC_GLU_FOLD_IQ4_XS,
        },
        block_len: 256,
        aligned: None,
    },
];

/// Values one block of `ty`'s kernel part covers (its WGSL `BLOCK_LEN`), or `None` for a
/// format `matvec` does not decode. `matvec` and `matvec_glu` need `cols` to be a multiple of
/// it: 2 for F16 and BF16 although their file blocks hold one value.
pub fn kernel_block_len(ty: GgmlType) -> Option<usize> {
    FORMATS.iter().find(|f| f.ty == ty).map(|f| f.block_len)
}

/// The block of `ty`'s aligned wide kernels, for formats that have them besides their
/// general ones (F16, BF16): rows whose length is a multiple of it run those.
pub fn aligned_block_len(ty: GgmlType) -> Option<usize> {
    FORMATS
        .iter()
        .find(|f| f.ty == ty)
        .and_then(|f| f.aligned.as_ref().map(|(_, len)| *len))
}

/// The reduction pair of `w`'s format (`glu`: the fused FFN entry point), after checking that
/// its columns are whole kernel blocks (the kernel's items are `cols / BLOCK_LEN` blocks; a
/// remainder would be dropped).
/// Q4_K rows of at least this many columns run 64 invocations per workgroup instead of the
/// table's 32, in matrices of at most [`WIDE_ROWS_MAX`] rows: each invocation then walks
/// two of a 4096-wide row's 128 items rather than four, and the 8-9B models' projections finish
/// sooner (H200, 2026-12-02, Q4_K_M decode: Qwen3.5-9B 214.4 → 217.5 tok/s, Llama-3-8B 229.5 →
/// 233.0). Narrower rows (Qwen3.5-0.8B's 1024: 32 items) would leave half the invocations idle
/// (602.7 → 514.6 tok/s with 64 everywhere); Q6_K measured slower at 64, and so did the
/// 248 320-row output head, whose workgroups already fill the GPU.
const WIDE_COLS_MIN: usize = 4096;
/// See [`WIDE_COLS_MIN`].
const WIDE_ROWS_MAX: usize = 65536;
const WIDE_WORKGROUP: u32 = 64;

/// The kernel `reduction` picks for `w`, at [`WIDE_WORKGROUP`] invocations where
/// [`WIDE_COLS_MIN`] says so. A one-subgroup reduction keeps its subgroup width.
pub(super) fn sized_for(
    gpu: &Gpu,
    kernel: &'static str,
    w: &QuantMatrix,
    pair: &'static ReducedPair,
    reduction: Reduction,
) -> Result<Kernel, GpuError> {
    let picked = reduction.pick(gpu, kernel, pair)?;
    match widened(w.ty, w.rows, w.cols) {
        Some(size) if reduction != Reduction::OneSubgroup => {
            Kernel::sized(picked.variant(), size, gpu.caps())
        }
        _ => Ok(picked),
    }
}

/// The workgroup size a `rows` × `cols` matrix of `ty` runs at instead of its variant's table
/// size (subgroup and workgroup reductions; a one-subgroup reduction keeps its width), if any.
pub fn widened(ty: GgmlType, rows: usize, cols: usize) -> Option<u32> {
    (ty == GgmlType::Q4K && cols >= WIDE_COLS_MIN && rows <= WIDE_ROWS_MAX)
        .then_some(WIDE_WORKGROUP)
}

fn pair(
    gpu: &Gpu,
    kernel: &'static str,
    w: &QuantMatrix,
    (glu, fold): (bool, bool),
) -> Result<&'static ReducedPair, GpuError> {
    let format = FORMATS
        .iter()
        .find(|f| f.ty == w.ty)
        .ok_or(GpuError::UnsupportedFormat {
            kernel,
            format: w.ty.name(),
        })?;
    whole_blocks(kernel, w, format.block_len)?;
    // Where the device lacks what the wide kernels need (unpack2x16float), the general F16
    // and BF16 kernels (which decode by hand) serve every row.
    let usable = |k: &Kernels| k.plain.workgroup.needs.missing(gpu.caps()).is_none();
    let kernels = match &format.aligned {
        Some((aligned, len)) if w.cols.is_multiple_of(*len) && usable(aligned) => aligned,
        _ => &format.kernels,
    };
    Ok(match (glu, fold) {
        (false, false) => kernels.plain,
        (true, false) => kernels.glu,
        (false, true) => kernels.plain_fold,
        (true, true) => kernels.glu_fold,
    })
}

/// Fails unless `w`'s rows are whole blocks of `block_len` values (a remainder would be dropped:
/// the kernels walk `cols / BLOCK_LEN` blocks).
pub(super) fn whole_blocks(
    kernel: &'static str,
    w: &QuantMatrix,
    block_len: usize,
) -> Result<(), GpuError> {
    if w.cols.is_multiple_of(block_len) {
        return Ok(());
    }
    Err(GpuError::ShapeMismatch {
        kernel,
        what: "columns (whole kernel blocks: F16 and BF16 rows need an even length)",
        expected: w.cols.next_multiple_of(block_len),
        got: w.cols,
    })
}

/// The outputs of a fused FFN matrix (gate rows, then as many up rows): half its rows, which
/// must be even.
pub(super) fn glu_rows(kernel: &'static str, gate_up: &QuantMatrix) -> Result<usize, GpuError> {
    if !gate_up.rows.is_multiple_of(2) {
        return Err(GpuError::ShapeMismatch {
            kernel,
            what: "gate_up rows (gate then up)",
            expected: gate_up.rows + 1,
            got: gate_up.rows,
        });
    }
    Ok(gate_up.rows / 2)
}

/// A weight matrix on the device, in its file's block format: the file's bytes, in the
/// file's layout or, for formats whose blocks are not whole 16-byte units, split into block
/// bodies then heads (`kernels/repack.rs`).
#[derive(Debug)]
pub struct QuantMatrix {
    buffer: wgpu::Buffer,
    ty: GgmlType,
    rows: usize,
    cols: usize,
    /// Bytes of one row as the kernels address it (of block bodies, when split).
    row_bytes: usize,
    /// Byte offset of the blocks' heads when split, else 0.
    head_offset: usize,
}

impl QuantMatrix {
    pub(crate) fn raw(&self) -> &wgpu::Buffer {
        &self.buffer
    }

    pub(crate) fn row_bytes(&self) -> usize {
        self.row_bytes
    }

    pub(crate) fn head_offset(&self) -> usize {
        self.head_offset
    }

    /// Bytes of the encoded rows as the file stores them (a split layout moves them; Q5_0's
    /// 6-byte heads take 8-byte slots on the device, 2 bytes a block more).
    pub fn byte_len(&self) -> u64 {
        (self.rows * (self.cols / self.ty.block_len()) * self.ty.block_bytes()) as u64
    }

    /// Element type.
    pub fn ty(&self) -> GgmlType {
        self.ty
    }

    /// Output rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Input columns.
    pub fn cols(&self) -> usize {
        self.cols
    }
}

impl Gpu {
    /// Uploads `rows` rows of `cols` values already encoded as `ty` (as a GGUF tensor stores
    /// them: dims `[cols, rows]`).
    pub fn upload_matrix(
        &self,
        label: &str,
        ty: GgmlType,
        rows: usize,
        cols: usize,
        data: &[u8],
    ) -> Result<QuantMatrix, GpuError> {
        const KERNEL: &str = "matvec";
        let row_bytes = ty
            .bytes_for(cols as u64)
            .filter(|_| MATVEC_TYPES.contains(&ty))
            .ok_or(GpuError::UnsupportedFormat {
                kernel: KERNEL,
                format: ty.name(),
            })? as usize;
        let expected = row_bytes * rows;
        if data.len() != expected {
            return Err(GpuError::ShapeMismatch {
                kernel: KERNEL,
                what: "weight bytes",
                expected,
                got: data.len(),
            });
        }
        // Blocks that are not whole 16-byte units are split: bodies first, then the heads.
        let split = split_block(ty);
        let packed = split.map_or(expected, |s| s.packed_len(expected));
        // Whole 16-byte units plus one: `matvec_wide.wgsl` binds the bytes as vec4<u32>s.
        let size = (packed as u64).next_multiple_of(16) + 16;
        let mut bytes = vec![0u8; size as usize];
        let (row_bytes, head_offset) = match split {
            Some(split) => {
                let head_offset = repack_into(split, data, &mut bytes);
                (
                    row_bytes / split.block_bytes * split.body_bytes(),
                    head_offset,
                )
            }
            None => {
                bytes[..expected].copy_from_slice(data);
                (row_bytes, 0)
            }
        };
        let buffer = self.create_buffer(
            label,
            size,
            wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
        )?;
        self.queue().write_buffer(&buffer, 0, &bytes);
        Ok(QuantMatrix {
            buffer,
            ty,
            rows,
            cols,
            row_bytes,
            head_offset,
        })
    }
}

/// Fails unless a weight buffer of `bytes` fits one storage binding and u32 byte offsets.
pub(crate) fn check_weights(
    gpu: &Gpu,
    kernel: &'static str,
    what: &'static str,
    bytes: u64,
) -> Result<(), GpuError> {
    let max = gpu
        .caps()
        .max_storage_binding_bytes()
        .min(u64::from(u32::MAX));
    if bytes > max {
        return Err(GpuError::BindingTooLarge {
            kernel,
            what,
            bytes,
            max,
        });
    }
    Ok(())
}

/// `MatvecParams` of `wgsl/matvec.wgsl` and `wgsl/matvec_wide.wgsl`.
#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
pub(super) struct Params {
    pub(super) rows: u32,
    pub(super) cols: u32,
    pub(super) row_bytes: u32,
    pub(super) weight_offset: u32,
    pub(super) activation: u32,
    pub(super) head_offset: u32,
    pub(super) flags: u32,
    pub(super) eps: f32,
}

/// WGSL's `NORM` and `ACCUMULATE` flags.
const NORM: u32 = 1;
const ACCUMULATE: u32 = 2;

/// What a matrix-vector call folds in around its dot products (decode), each the fusion of a
/// separate step it makes unnecessary.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fold<'a> {
    /// `x` is a residual stream and the call projects `RMSNorm(x) * weight` instead of `x`:
    /// `y = inverseSqrt(mean(x^2) + eps) * W (x * weight)` (the weight `[cols]`, the
    /// epsilon): the norm before a projection (unfused twin: `rms_norm`, then the call).
    pub norm: Option<(&'a DeviceBuffer, f32)>,
    /// `y += W x` instead of `y = W x`: the residual add after a projection (unfused twin:
    /// the call, then `add`). Not with [`matvec_glu`].
    pub accumulate: bool,
}

impl Fold<'_> {
    /// Checks the norm weight's length and binding; the flags and epsilon for the kernel.
    fn flags(&self, gpu: &Gpu, kernel: &'static str, cols: usize) -> Result<(u32, f32), GpuError> {
        let mut flags = if self.accumulate { ACCUMULATE } else { 0 };
        let mut eps = 0.0;
        if let Some((weight, e)) = self.norm {
            check_len(kernel, "norm weight", weight, cols)?;
            check_binding(gpu, kernel, "norm weight", weight)?;
            flags |= NORM;
            eps = e;
        }
        Ok((flags, eps))
    }
}

/// `y[..rows] = W x`.
pub fn matvec(
    gpu: &Gpu,
    w: &QuantMatrix,
    x: &DeviceBuffer,
    y: &DeviceBuffer,
    reduction: Reduction,
) -> Result<Dispatch, GpuError> {
    matvec_folded(gpu, w, x, y, Fold::default(), reduction)
}

/// [`matvec`] with a norm before it and/or the residual add after it folded in ([`Fold`]).
pub fn matvec_folded(
    gpu: &Gpu,
    w: &QuantMatrix,
    x: &DeviceBuffer,
    y: &DeviceBuffer,
    fold: Fold<'_>,
    reduction: Reduction,
) -> Result<Dispatch, GpuError> {
    launch(gpu, "matvec", w, (x, y), (1, fold), reduction)
}

/// Most input vectors one [`matvec_columns`] call takes (`MAX_COLUMNS` in the kernels, the
/// size of their accumulator arrays).
pub const MATVEC_MAX_COLUMNS: usize = 16;

/// `W x_c` for `columns` input vectors at once (several sequences' decode steps, or the tokens
/// of a speculative verify step): `x` holds the vectors one after another (`columns * cols`
/// values), and column c's result lands at `y[c * rows ..][..rows]` (`y` at least `columns *
/// rows`). Each weight word is loaded once for every column; the pipeline is specialised to the
/// count (`COLUMNS`). One column is [`matvec`]'s kernel; folds take one column only.
/// CPU twin: `axon_reference::ops::linear::linear_quantized`, once per column.
pub fn matvec_columns(
    gpu: &Gpu,
    w: &QuantMatrix,
    x: &DeviceBuffer,
    y: &DeviceBuffer,
    columns: usize,
    reduction: Reduction,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "matvec_columns";
    check_columns(KERNEL, columns)?;
    launch(
        gpu,
        KERNEL,
        w,
        (x, y),
        (columns, Fold::default()),
        reduction,
    )
}

/// Fails unless `columns` input vectors fit one dispatch: 1 to [`MATVEC_MAX_COLUMNS`].
pub(super) fn check_columns(kernel: &'static str, columns: usize) -> Result<(), GpuError> {
    if (1..=MATVEC_MAX_COLUMNS).contains(&columns) {
        return Ok(());
    }
    Err(GpuError::ShapeMismatch {
        kernel,
        what: "columns (1 to MATVEC_MAX_COLUMNS input vectors)",
        expected: columns.clamp(1, MATVEC_MAX_COLUMNS),
        got: columns,
    })
}

/// The dispatch behind [`matvec_folded`] and [`matvec_columns`]: `columns` vectors in x (at
/// most one with a fold; the callers see to it), checked against `w`'s shape.
fn launch(
    gpu: &Gpu,
    kernel_name: &'static str,
    w: &QuantMatrix,
    (x, y): (&DeviceBuffer, &DeviceBuffer),
    (columns, fold): (usize, Fold<'_>),
    reduction: Reduction,
) -> Result<Dispatch, GpuError> {
    if x.len() != columns * w.cols {
        return Err(GpuError::ShapeMismatch {
            kernel: kernel_name,
            what: "x (columns * cols)",
            expected: columns * w.cols,
            got: x.len(),
        });
    }
    if y.len() < columns * w.rows {
        return Err(GpuError::ShapeMismatch {
            kernel: kernel_name,
            what: "y (at least columns * rows)",
            expected: columns * w.rows,
            got: y.len(),
        });
    }
    check_binding(gpu, kernel_name, "x", x)?;
    check_binding(gpu, kernel_name, "y", y)?;
    check_weights(gpu, kernel_name, "weights", w.buffer.size())?;
    let (flags, eps) = fold.flags(gpu, kernel_name, w.cols)?;
    let folds = fold.norm.is_some() || fold.accumulate;
    let variant = pair(gpu, kernel_name, w, (false, folds))?;
    let kernel = sized_for(gpu, kernel_name, w, variant, reduction)?.with_columns(columns as u32);
    let workgroups = grid(
        gpu,
        kernel_name,
        (w.rows as u64).div_ceil(u64::from(MATVEC_ROWS)),
    )?;
    // The binding checks bound every index by u32::MAX.
    let params = Params {
        rows: w.rows as u32,
        cols: w.cols as u32,
        row_bytes: w.row_bytes as u32,
        weight_offset: 0,
        activation: 0,
        head_offset: w.head_offset as u32,
        flags,
        eps,
    };
    let uniform = gpu.uniform("matvec.params", &params)?;
    let norm_w = fold.norm.map_or(x, |(weight, _)| weight);
    let mut buffers = vec![&uniform, &w.buffer, x.raw(), y.raw()];
    if folds {
        buffers.push(norm_w.raw());
    }
    Dispatch::new(gpu, kernel, &buffers, workgroups)
}

/// The fused FFN input: `y[r] = act(G[r] · x) · (U[r] · x)` for `r < ff`, where `gate_up`
/// holds G's `ff` rows followed by U's (upload them as one matrix of `2 * ff` rows; the same
/// concatenation fuses Q, K and V into one [`matvec`]). CPU twin:
/// `axon_reference::ops::mlp::gated_mlp` before its down projection.
pub fn matvec_glu(
    gpu: &Gpu,
    gate_up: &QuantMatrix,
    x: &DeviceBuffer,
    y: &DeviceBuffer,
    activation: GluActivation,
    reduction: Reduction,
) -> Result<Dispatch, GpuError> {
    matvec_glu_folded(gpu, gate_up, x, y, (activation, None), reduction)
}

/// [`matvec_glu`] with the RMSNorm before it folded in (`norm`: the weight and epsilon, as
/// [`Fold::norm`]).
pub fn matvec_glu_folded(
    gpu: &Gpu,
    gate_up: &QuantMatrix,
    x: &DeviceBuffer,
    y: &DeviceBuffer,
    (activation, norm): (GluActivation, Option<(&DeviceBuffer, f32)>),
    reduction: Reduction,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "matvec_glu";
    let fold = Fold {
        norm,
        accumulate: false,
    };
    let ff = glu_rows(KERNEL, gate_up)?;
    if x.len() != gate_up.cols {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "x",
            expected: gate_up.cols,
            got: x.len(),
        });
    }
    if y.len() < ff {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "y (at least ff)",
            expected: ff,
            got: y.len(),
        });
    }
    check_binding(gpu, KERNEL, "x", x)?;
    check_binding(gpu, KERNEL, "y", y)?;
    check_weights(gpu, KERNEL, "gate_up", gate_up.buffer.size())?;
    let (flags, eps) = fold.flags(gpu, KERNEL, gate_up.cols)?;
    let glu = pair(gpu, KERNEL, gate_up, (true, norm.is_some()))?;
    let kernel = sized_for(gpu, KERNEL, gate_up, glu, reduction)?;
    let workgroups = grid(gpu, KERNEL, (ff as u64).div_ceil(u64::from(MATVEC_ROWS)))?;
    let params = Params {
        rows: ff as u32,
        cols: gate_up.cols as u32,
        row_bytes: gate_up.row_bytes as u32,
        weight_offset: 0,
        activation: u32::from(activation == GluActivation::GeluTanh),
        head_offset: gate_up.head_offset as u32,
        flags,
        eps,
    };
    let uniform = gpu.uniform("matvec_glu.params", &params)?;
    let mut buffers = vec![&uniform, &gate_up.buffer, x.raw(), y.raw()];
    if let Some((weight, _)) = norm {
        buffers.push(weight.raw());
    }
    Dispatch::new(gpu, kernel, &buffers, workgroups)
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        matvec_params: super::Params = variants::MATVEC_Q4_K_WORKGROUP,
        "MatvecParams" { rows, cols, row_bytes, weight_offset, activation, head_offset, flags, eps }
    );
}

#[cfg(test)]
mod formats {
    #[test]
    fn every_listed_type_has_kernels() {
        let listed: Vec<_> = super::FORMATS.iter().map(|f| f.ty).collect();
        assert_eq!(listed, super::MATVEC_TYPES);
    }
}

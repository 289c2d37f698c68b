//! Turns one plan step into kernel launches, binding each tensor the plan names to its
//! buffer: weights from the model, state from the session, scratch from the plan's placement,
//! token ids from the call.

use crate::engine::Prepared;
use crate::error::RuntimeError;
use crate::weights::DeviceWeights;
use axon_gpu::kernels::Reduction;
use axon_gpu::kernels::add::add;
use axon_gpu::kernels::argmax::{IndexBuffer, argmax_with};
use axon_gpu::kernels::attention::{DecodeAttention, attention_decode_at};
use axon_gpu::kernels::attention_input::{
    AttentionInput, HeadNorms, Heads, KvSource, QuerySource, attention_input_at,
};
use axon_gpu::kernels::attention_prefill::{PrefillAttention, attention_prefill_at};
use axon_gpu::kernels::copy::{Columns, cache_write_at, copy_columns};
use axon_gpu::kernels::deltanet::{
    DeltaShape, conv1d_silu, delta_chunked_with, delta_rule, deltanet_gates,
};
use axon_gpu::kernels::deltanet_input::{InputBuffers, InputShape, deltanet_input};
use axon_gpu::kernels::gather::gather;
use axon_gpu::kernels::glu::{GluActivation, glu};
use axon_gpu::kernels::l2_norm::l2_norm;
use axon_gpu::kernels::matmul::{matmul, matmul_glu};
use axon_gpu::kernels::matvec::{Fold, QuantMatrix, matvec_folded, matvec_glu_folded};
use axon_gpu::kernels::matvec_q8::{MATVEC_Q8_TYPES, matvec_glu_q8, matvec_q8};
use axon_gpu::kernels::position::Position;
use axon_gpu::kernels::quantize_q8::{Q8_PAIR, q8_words, quantize_q8};
use axon_gpu::kernels::rms_norm::{
    RmsNormParams, add_rms_norm, add_rms_norm_q8, gated_rms_norm, rms_norm, rms_norm_q8,
};
use axon_gpu::kernels::rope::rope_at;
use axon_gpu::{DeviceBuffer, Dispatch, Gpu};
use axon_models::config::{Activation, DeltaNetLayers, ModelConfig, RopeConfig, ValueHeadOrder};
use axon_models::decoder::DecoderOp;
use axon_models::plan::{TensorId, TensorKind, Use};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

/// What an encoded pass is for: its token count, the session's position uniform (the
/// position itself is written before each run), the reduction variant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'p> {
    pub(crate) tokens: usize,
    pub(crate) position: &'p Position,
    pub(crate) reduction: Reduction,
}

/// Every buffer a plan's tensors may live in. It records each tensor it hands out, so the
/// executor can check that a step bound exactly the tensors its op reports (the ones the
/// plan validator checked).
pub(crate) struct Bindings<'a> {
    pub(crate) prepared: &'a Prepared,
    pub(crate) weights: &'a dyn DeviceWeights,
    pub(crate) state: &'a HashMap<String, DeviceBuffer>,
    pub(crate) ids: &'a IndexBuffer,
    pub(crate) picks: &'a IndexBuffer,
    pub(crate) bound: RefCell<Vec<TensorId>>,
    /// The 8-bit x of the decode projections, when `EngineOptions::matvec_q8` asks for it.
    q8: Option<Q8Input<'a>>,
}

/// The buffer the decode projections' 8-bit x lives in, and the tensor it holds now: a
/// projection whose input is already there (Q/K/V, Gated DeltaNet's projections of one normed
/// row) skips the quantize. [`Bindings::note_writes`] forgets it once a step writes it.
struct Q8Input<'a> {
    buffer: &'a DeviceBuffer,
    /// Fewest columns of a projection that takes the 8-bit x (`EngineOptions::matvec_q8`).
    min_cols: usize,
    holds: Cell<Option<TensorId>>,
    /// The tensor the step being encoded quantizes as it writes it (a norm with an 8-bit
    /// output): the buffer holds it once the step's writes are noted.
    written: Cell<Option<TensorId>>,
}

impl<'a> Bindings<'a> {
    pub(crate) fn new(
        prepared: &'a Prepared,
        weights: &'a dyn DeviceWeights,
        state: &'a HashMap<String, DeviceBuffer>,
        [ids, picks]: [&'a IndexBuffer; 2],
    ) -> Self {
        Self {
            prepared,
            weights,
            state,
            ids,
            picks,
            bound: RefCell::default(),
            q8: None,
        }
    }

    /// Decode projections of the formats `matvec_q8` takes, of at least `min_cols` columns,
    /// quantize their x into `buffer` (at least `q8_words` of the widest such projection) and
    /// use the integer-dot kernels.
    pub(crate) fn with_q8(mut self, buffer: &'a DeviceBuffer, min_cols: usize) -> Self {
        self.q8 = Some(Q8Input {
            buffer,
            min_cols,
            holds: Cell::new(None),
            written: Cell::new(None),
        });
        self
    }

    /// After a step: the 8-bit x no longer stands for a tensor the step wrote, unless the
    /// step wrote it there too (a norm with an 8-bit output), and then it holds that one.
    pub(crate) fn note_writes(&self, operands: &[(TensorId, Use)]) {
        if let Some(q8) = &self.q8 {
            let written = |t| operands.iter().any(|&(o, u)| o == t && u != Use::Read);
            if let Some(t) = q8.written.take() {
                q8.holds.set(Some(t));
            } else if q8.holds.get().is_some_and(written) {
                q8.holds.set(None);
            }
        }
    }

    /// Where a one-row norm writing `out` should also write its 8-bit blocks: the 8-bit-x
    /// buffer, when decode uses it for rows this wide and it has room (whole pairs of
    /// blocks). The buffer then holds `out` after the step ([`Bindings::note_writes`]), so
    /// the projections reading `out` need no quantize.
    fn q8_output(&self, out: TensorId, cols: usize, rows: usize) -> Option<&'a DeviceBuffer> {
        let q8 = self.q8.as_ref()?;
        let fits = rows == 1
            && cols >= q8.min_cols
            && cols.is_multiple_of(Q8_PAIR)
            && q8.buffer.len() >= q8_words(cols);
        fits.then(|| {
            q8.written.set(Some(out));
            q8.buffer
        })
    }

    /// The tensors handed out since the last call, sorted, without repeats.
    pub(crate) fn take_bound(&self) -> Vec<TensorId> {
        let mut bound = std::mem::take(&mut *self.bound.borrow_mut());
        bound.sort_unstable();
        bound.dedup();
        bound
    }

    fn record(&self, t: TensorId) {
        self.bound.borrow_mut().push(t);
    }

    /// The token-id buffer, for the plan's input tensor `t`.
    fn ids(&self, t: TensorId) -> Result<&IndexBuffer, RuntimeError> {
        self.record(t);
        match self.prepared.plan.decl(t).map(|d| d.kind) {
            Some(TensorKind::Input) => Ok(self.ids),
            _ => Err(RuntimeError::Weight {
                name: self.name(t).to_owned(),
                problem: "not the plan's token-id input",
            }),
        }
    }

    fn name(&self, t: TensorId) -> &str {
        self.prepared.plan.decl(t).map_or("?", |d| d.name.as_str())
    }

    /// The picks buffer, for the plan's output tensor `t`.
    fn picks(&self, t: TensorId) -> Result<&IndexBuffer, RuntimeError> {
        self.record(t);
        match self.prepared.plan.decl(t).map(|d| d.kind) {
            Some(TensorKind::Output) => Ok(self.picks),
            _ => Err(RuntimeError::Weight {
                name: self.name(t).to_owned(),
                problem: "not the plan's picks output",
            }),
        }
    }

    /// An f32 tensor: scratch, state or a weight vector.
    pub(crate) fn f32(&self, t: TensorId) -> Result<&DeviceBuffer, RuntimeError> {
        self.record(t);
        let decl = self.prepared.plan.decl(t);
        let found = match decl.map(|d| d.kind) {
            Some(TensorKind::Scratch) => self
                .prepared
                .placement
                .buffer(t)
                .and_then(|b| self.prepared.scratch.get(b)),
            Some(TensorKind::State) => self.state.get(self.name(t)),
            Some(TensorKind::Weight) => self.weights.vector(self.name(t)),
            Some(TensorKind::Input | TensorKind::Output) | None => None,
        };
        found.ok_or_else(|| RuntimeError::Weight {
            name: self.name(t).to_owned(),
            problem: "no f32 buffer for this tensor",
        })
    }

    fn matrix(&self, t: TensorId) -> Result<&QuantMatrix, RuntimeError> {
        self.record(t);
        self.weights
            .matrix(self.name(t))
            .ok_or_else(|| RuntimeError::Weight {
                name: self.name(t).to_owned(),
                problem: "not a weight matrix of this model",
            })
    }

    /// The buffer of the plan's `logits` tensor.
    pub(crate) fn logits(&self) -> Result<&DeviceBuffer, RuntimeError> {
        self.f32(self.prepared.logits)
    }
}

/// The model's Gated DeltaNet layers, which its DeltaNet steps need.
fn deltanet(config: &ModelConfig) -> Result<&DeltaNetLayers, RuntimeError> {
    config.deltanet().ok_or(RuntimeError::Weight {
        name: "deltanet".to_owned(),
        problem: "a DeltaNet step in a model without DeltaNet layers",
    })
}

/// The RoPE of a layer: the sliding-window layers' (Gemma 3's local base) when `local` and
/// the model has one, else the global one.
fn rope_of(config: &ModelConfig, local: bool) -> &RopeConfig {
    match (local, config.local_rope()) {
        (true, Some(local)) => local,
        _ => &config.rope,
    }
}

/// The GLU kernels' gate for the model's activation.
fn glu_activation(activation: Activation) -> GluActivation {
    match activation {
        Activation::Silu => GluActivation::Silu,
        Activation::GeluTanh => GluActivation::GeluTanh,
    }
}

/// Whether `w` takes an 8-bit x in decode under a `min_cols` rule: a format `matvec_q8` takes,
/// rows of at least `min_cols` columns (the CPU reference's `ReferenceOptions::int8_x` rule).
pub(crate) fn q8_applies(w: &QuantMatrix, min_cols: usize) -> bool {
    MATVEC_Q8_TYPES.contains(&w.ty()) && w.cols() >= min_cols
}

/// The launches of a one-row projection against the 8-bit x, when it applies (the engine
/// asked for it, `w` is of a format `matvec_q8` takes, `x` is one row of its columns):
/// `quantize_q8` of `x` unless the buffer already holds it, then `launch` on the buffer.
fn q8_projection(
    gpu: &Gpu,
    b: &Bindings<'_>,
    w: &QuantMatrix,
    (x_id, x): (TensorId, &DeviceBuffer),
    launch: impl FnOnce(&DeviceBuffer) -> Result<Dispatch, axon_gpu::GpuError>,
) -> Option<Result<Vec<Dispatch>, RuntimeError>> {
    let q8 = b.q8.as_ref().filter(|q8| q8_applies(w, q8.min_cols))?;
    Some(q8_launches(gpu, q8, w, (x_id, x), launch))
}

/// [`q8_projection`]'s launches. The quantize covers all of `x` and the product reads `w`'s
/// columns of it, so the two lengths must agree (the f32 kernels refuse a mismatch too); the
/// launchers check the rest (the buffer's room, whole blocks).
fn q8_launches(
    gpu: &Gpu,
    q8: &Q8Input<'_>,
    w: &QuantMatrix,
    (x_id, x): (TensorId, &DeviceBuffer),
    launch: impl FnOnce(&DeviceBuffer) -> Result<Dispatch, axon_gpu::GpuError>,
) -> Result<Vec<Dispatch>, RuntimeError> {
    if x.len() != w.cols() {
        return Err(axon_gpu::GpuError::ShapeMismatch {
            kernel: "matvec_q8",
            what: "x (the projection's columns)",
            expected: w.cols(),
            got: x.len(),
        }
        .into());
    }
    let mut launches = Vec::with_capacity(2);
    if q8.holds.get() != Some(x_id) {
        launches.push(quantize_q8(gpu, x, q8.buffer)?);
        q8.holds.set(Some(x_id));
    }
    launches.push(launch(q8.buffer)?);
    Ok(launches)
}

/// The launches of one step.
pub(crate) fn encode_step(
    gpu: &Gpu,
    config: &ModelConfig,
    b: &Bindings<'_>,
    op: &DecoderOp,
    call: Call<'_>,
) -> Result<Vec<Dispatch>, RuntimeError> {
    let Call {
        tokens,
        position,
        reduction,
    } = call;
    let norm = RmsNormParams {
        eps: config.rms_eps,
        weight_offset: 0.0,
        reduction,
    };
    let one = |d: Result<Dispatch, axon_gpu::GpuError>| -> Result<Vec<Dispatch>, RuntimeError> {
        Ok(vec![d?])
    };
    // Only the matrix-vector kernels fold; a plan over more tokens asking for it is a bug.
    let fold_over_tokens = || RuntimeError::FoldOverTokens {
        op: format!("{op:?}"),
        tokens,
    };
    match *op {
        DecoderOp::Embed {
            table,
            ids,
            out,
            scale,
        } => one(gather(
            gpu,
            b.matrix(table)?,
            b.ids(ids)?,
            b.f32(out)?,
            scale,
        )),
        DecoderOp::Norm { x, weight, out } => {
            let out_id = out;
            let (x, weight, out) = (b.f32(x)?, b.f32(weight)?, b.f32(out)?);
            match b.q8_output(out_id, weight.len(), x.len() / weight.len().max(1)) {
                Some(xq) => one(rms_norm_q8(gpu, x, weight, (out, xq), norm)),
                None => one(rms_norm(gpu, x, weight, out, norm)),
            }
        }
        DecoderOp::AddNorm {
            residual,
            x,
            weight,
            out,
        } => {
            let out_id = out;
            let (residual, x) = (b.f32(residual)?, b.f32(x)?);
            let (weight, out) = (b.f32(weight)?, b.f32(out)?);
            match b.q8_output(out_id, weight.len(), x.len() / weight.len().max(1)) {
                Some(xq) => one(add_rms_norm_q8(gpu, residual, x, weight, (out, xq), norm)),
                None => one(add_rms_norm(gpu, residual, x, weight, out, norm)),
            }
        }
        DecoderOp::Add { a, b: x, out } => one(add(gpu, b.f32(a)?, b.f32(x)?, b.f32(out)?)),
        DecoderOp::LastRow { src, dst, cols } => one(copy_columns(
            gpu,
            [b.f32(src)?, b.f32(dst)?],
            [1, cols],
            Columns {
                stride: cols,
                offset: (tokens - 1) * cols,
            },
            Columns {
                stride: cols,
                offset: 0,
            },
        )),
        DecoderOp::Linear {
            w,
            x,
            y,
            single,
            norm: folded_norm,
            accumulate,
        } => {
            let x_id = x;
            let (w, x, y) = (b.matrix(w)?, b.f32(x)?, b.f32(y)?);
            let folded_norm = folded_norm.map(|n| b.f32(n)).transpose()?;
            // One row (a decode step, or the last token's logits alone) is a matrix-vector
            // product: the tiled matmul would decode every weight per element for one row.
            let row = tokens == 1 || single;
            if row && folded_norm.is_none() && !accumulate {
                if let Some(launches) = q8_projection(gpu, b, w, (x_id, x), |xq| {
                    matvec_q8(gpu, w, xq, y, reduction)
                }) {
                    return launches;
                }
            }
            if row {
                let fold = Fold {
                    norm: folded_norm.map(|n| (n, norm.eps)),
                    accumulate,
                };
                one(matvec_folded(gpu, w, x, y, fold, reduction))
            } else if folded_norm.is_none() && !accumulate {
                one(matmul(gpu, w, x, y, tokens))
            } else {
                Err(fold_over_tokens())
            }
        }
        DecoderOp::Glu {
            w,
            x,
            y,
            gate,
            norm: folded_norm,
        } => {
            let x_id = x;
            let (w, x, y) = (b.matrix(w)?, b.f32(x)?, b.f32(y)?);
            let folded_norm = folded_norm.map(|n| b.f32(n)).transpose()?;
            if tokens == 1 && folded_norm.is_none() {
                if let Some(launches) = q8_projection(gpu, b, w, (x_id, x), |xq| {
                    matvec_glu_q8(gpu, w, xq, y, glu_activation(gate), reduction)
                }) {
                    return launches;
                }
            }
            if tokens == 1 {
                let fold = (glu_activation(gate), folded_norm.map(|n| (n, norm.eps)));
                one(matvec_glu_folded(gpu, w, x, y, fold, reduction))
            } else if folded_norm.is_none() {
                one(matmul_glu(gpu, w, x, y, tokens, glu_activation(gate)))
            } else {
                Err(fold_over_tokens())
            }
        }
        DecoderOp::Gate {
            gate,
            up,
            y,
            activation,
        } => one(glu(
            gpu,
            [b.f32(gate)?, b.f32(up)?, b.f32(y)?],
            glu_activation(activation),
        )),
        DecoderOp::Split {
            src,
            src_cols,
            first,
            dst,
            cols,
            groups,
        } => one(copy_columns(
            gpu,
            [b.f32(src)?, b.f32(dst)?],
            [tokens * groups, cols],
            Columns {
                stride: src_cols,
                offset: first,
            },
            Columns {
                stride: cols,
                offset: 0,
            },
        )),
        DecoderOp::Rope { x, heads, local } => {
            let rope = rope_of(config, local);
            let shape = [tokens, heads, config.head_dim];
            one(rope_at(gpu, b.f32(x)?, shape, position, &rope.table()))
        }
        DecoderOp::CacheWrite {
            src,
            src_cols,
            first,
            cache,
            kv: kv_type,
        } => {
            let kv = config.kv_dim();
            let from = Columns {
                stride: src_cols,
                offset: first,
            };
            let to = Columns {
                stride: kv,
                offset: 0,
            };
            let bufs = [b.f32(src)?, b.f32(cache)?];
            one(cache_write_at(
                gpu,
                bufs,
                [tokens, kv],
                [from, to],
                (position, kv),
                kv_type,
            ))
        }
        DecoderOp::AttentionInput {
            q_src,
            k_src,
            v_src,
            norms,
            local,
            q,
            gate,
            keys,
            values,
            kv,
        } => {
            let rope = rope_of(config, local);
            let norms = match norms {
                Some((qn, kn)) => Some(HeadNorms {
                    q: b.f32(qn)?,
                    k: b.f32(kn)?,
                    eps: norm.eps,
                    weight_offset: norm.weight_offset,
                }),
                None => None,
            };
            let input = AttentionInput {
                q: QuerySource {
                    buffer: b.f32(q_src.tensor)?,
                    stride: q_src.stride,
                    head_stride: q_src.head_stride,
                    gate_first: q_src.gate_first,
                },
                k: KvSource {
                    buffer: b.f32(k_src.0)?,
                    stride: k_src.1,
                    first: k_src.2,
                },
                v: KvSource {
                    buffer: b.f32(v_src.0)?,
                    stride: v_src.1,
                    first: v_src.2,
                },
                norms,
                q_out: b.f32(q)?,
                gate_out: gate.map(|g| b.f32(g)).transpose()?,
                keys: b.f32(keys)?,
                values: b.f32(values)?,
                cache: kv,
            };
            let heads = Heads {
                heads: config.heads,
                kv_heads: config.kv_heads,
                head_dim: config.head_dim,
            };
            let rope = (position, &rope.table());
            one(attention_input_at(
                gpu, heads, tokens, input, rope, reduction,
            ))
        }
        DecoderOp::Attention {
            q,
            keys,
            values,
            partials,
            out,
            window,
            gate,
            kv,
        } => {
            let (q, keys, values, out) = (b.f32(q)?, b.f32(keys)?, b.f32(values)?, b.f32(out)?);
            let gate = gate.map(|g| b.f32(g)).transpose()?;
            match partials {
                Some(partials) if tokens == 1 => {
                    let a = DecodeAttention {
                        heads: config.heads,
                        kv_heads: config.kv_heads,
                        head_dim: config.head_dim,
                        pos: 0,
                        window,
                        scale: config.attention_scale,
                        reduction,
                        cache: kv,
                    };
                    let partials = b.f32(partials)?;
                    let bufs = [q, keys, values, partials, out];
                    Ok(attention_decode_at(gpu, &a, bufs, gate, position)?.into())
                }
                _ => {
                    let a = PrefillAttention {
                        heads: config.heads,
                        kv_heads: config.kv_heads,
                        head_dim: config.head_dim,
                        start: 0,
                        tokens,
                        window,
                        scale: config.attention_scale,
                        cache: kv,
                    };
                    let bufs = [q, keys, values, out];
                    one(attention_prefill_at(gpu, &a, bufs, gate, position))
                }
            }
        }
        DecoderOp::Conv { w, state, x, y } => {
            let kernel = deltanet(config)?.conv_kernel;
            one(conv1d_silu(
                gpu,
                b.f32(w)?,
                b.f32(state)?,
                b.f32(x)?,
                b.f32(y)?,
                kernel,
            ))
        }
        DecoderOp::L2Norm {
            x,
            out,
            cols,
            scale,
        } => one(l2_norm(
            gpu,
            b.f32(x)?,
            b.f32(out)?,
            cols,
            deltanet(config)?.l2_norm_eps,
            scale,
            reduction,
        )),
        DecoderOp::Gates {
            b: beta,
            a,
            a_neg,
            dt_bias,
            out,
        } => one(deltanet_gates(
            gpu,
            [
                b.f32(beta)?,
                b.f32(a)?,
                b.f32(a_neg)?,
                b.f32(dt_bias)?,
                b.f32(out)?,
            ],
        )),
        DecoderOp::DeltaNetInput {
            x,
            conv_w,
            conv_state,
            b: beta,
            a,
            a_neg,
            dt_bias,
            q,
            k,
            v,
            gates,
            q_scale,
        } => {
            let hy = deltanet(config)?;
            let shape = InputShape {
                k_heads: hy.k_heads,
                dk: hy.dk,
                v_heads: hy.v_heads,
                value_cols: hy.value_dim(),
                kernel: hy.conv_kernel,
                eps: hy.l2_norm_eps,
                q_scale,
            };
            let buffers = InputBuffers {
                conv_w: b.f32(conv_w)?,
                conv_state: b.f32(conv_state)?,
                x: b.f32(x)?,
                beta: b.f32(beta)?,
                alpha: b.f32(a)?,
                a_neg: b.f32(a_neg)?,
                dt_bias: b.f32(dt_bias)?,
                q: b.f32(q)?,
                k: b.f32(k)?,
                v: b.f32(v)?,
                gates: b.f32(gates)?,
            };
            one(deltanet_input(gpu, shape, buffers, reduction))
        }
        DecoderOp::DeltaRule {
            q,
            k,
            v,
            gates,
            state,
            out,
        } => {
            let hy = deltanet(config)?;
            let delta = DeltaShape {
                k_heads: hy.k_heads,
                v_heads: hy.v_heads,
                dk: hy.dk,
                dv: hy.dv,
                tiled: hy.value_head_order == ValueHeadOrder::Tiled,
            };
            let bufs = [
                b.f32(q)?,
                b.f32(k)?,
                b.f32(v)?,
                b.f32(gates)?,
                b.f32(state)?,
                b.f32(out)?,
            ];
            one(if tokens == 1 {
                delta_rule(gpu, delta, bufs)
            } else {
                delta_chunked_with(gpu, delta, bufs, reduction)
            })
        }
        DecoderOp::Argmax {
            logits,
            partials,
            picks,
            vocab,
        } => {
            let (logits, partials) = (b.f32(logits)?, b.f32(partials)?);
            let picks = b.picks(picks)?;
            Ok(argmax_with(gpu, logits, vocab, partials, picks, reduction)?.into())
        }
        DecoderOp::GatedNorm {
            x,
            gate,
            weight,
            out,
        } => one(gated_rms_norm(
            gpu,
            b.f32(x)?,
            b.f32(gate)?,
            b.f32(weight)?,
            b.f32(out)?,
            norm,
        )),
    }
}

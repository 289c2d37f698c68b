//! Builds the plan of one decoder forward pass over `tokens` tokens: embeddings, the blocks,
//! the final norm and the logits of every token.
//!
//! Whether a layer's Q/K/V (and gate/up) are one fused matrix is read from the weights, per
//! layer: `blk.N.attn_qkv` present means fused, else `attn_q`, `attn_k`, `attn_v`; likewise
//! `ffn_gate_up` or `ffn_gate` + `ffn_up` (then the gate is applied by its own step).
//!
//! Per block (pre-norm; Gemma 3's extras in brackets):
//! `n = norm(h)` (fused with the previous block's residual add), `q, k, v = n Wqkv` (one fused
//! matrix, split by columns, or three), [`q, k = norm per head`], rope(q, k), K and V rows into
//! the cache, `a = attention(q, cache)`, `o = a Wo` [`o = norm(o)`], `h += o` fused with
//! `n = norm(h)`, `f = act(n G) * (n U)`, `d = f Wdown` [`d = norm(d)`]; the next block (or
//! the final norm) adds `d` to `h`.

use super::DecoderOp;
use crate::config::ModelConfig;
use crate::plan::{Plan, TensorId, TensorKind};
use axon_gpu::kernels::argmax;
use axon_gpu::kernels::kv_cache::KvType;

/// Why a plan could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanBuildError {
    /// The weights have no tensor of this name.
    #[error("the model has no weight {0:?}, which the plan needs")]
    MissingWeight(String),
    /// Zero tokens, or more than the context holds.
    #[error("a plan for {tokens} tokens does not fit a context of {context}")]
    Tokens {
        /// Tokens asked for.
        tokens: usize,
        /// The context.
        context: usize,
    },
    /// An f16 KV cache packs two values per word; a head of odd size would share words
    /// with the next head.
    #[error("a {kv} KV cache needs an even head_dim, the model's is {head_dim}")]
    KvCacheHeadDim {
        /// The cache type asked for.
        kv: KvType,
        /// The model's head size.
        head_dim: usize,
    },
}

pub(super) const F32: u64 = 4;

pub(super) struct Builder<'a> {
    pub(super) plan: Plan<DecoderOp>,
    pub(super) weight_bytes: &'a dyn Fn(&str) -> Option<u64>,
    pub(super) tokens: usize,
    pub(super) options: PlanOptions,
    /// The tensor holding the residual stream now (it moves when the add is not fused).
    h: TensorId,
    /// Width of the residual stream.
    embd: usize,
}

/// Choices between equivalent plans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanOptions {
    /// Residual add fused with the next RMSNorm (`add_rms_norm`, in place), or an `add` into
    /// a new tensor followed by the norm.
    pub fuse_norm: bool,
    /// An attention layer's input (query split, q/k norms, RoPE, cache writes) as one
    /// [`DecoderOp::AttentionInput`] step, or as the separate steps.
    pub fuse_attention_input: bool,
    /// Gated DeltaNet's layer input (conv, split, L2 norms, gates) as one
    /// [`DecoderOp::DeltaNetInput`] step, or as the separate steps.
    pub fuse_deltanet_input: bool,
    /// In one-token plans, each RMSNorm before projections folded into them and each residual
    /// add after a projection folded into it ([`DecoderOp::Linear`]'s `norm` and
    /// `accumulate`), or separate `add_rms_norm` steps.
    pub fold_norms: bool,
    /// Logits for every token (`[tokens, vocab]`), or for the last one only (`[1, vocab]`:
    /// generation, and far less scratch for long prefill chunks).
    pub all_logits: bool,
    /// Element type of the KV caches.
    pub kv_cache: KvType,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self {
            fuse_norm: true,
            fold_norms: false,
            fuse_attention_input: true,
            fuse_deltanet_input: true,
            all_logits: true,
            kv_cache: KvType::default(),
        }
    }
}

impl Builder<'_> {
    pub(super) fn weight(&mut self, name: &str) -> Result<TensorId, PlanBuildError> {
        let bytes = (self.weight_bytes)(name)
            .ok_or_else(|| PlanBuildError::MissingWeight(name.to_owned()))?;
        Ok(self.plan.tensor(name, TensorKind::Weight, bytes))
    }

    /// A scratch tensor of `cols` f32 per token.
    pub(super) fn scratch(&mut self, name: impl Into<String>, cols: usize) -> TensorId {
        let bytes = (self.tokens * cols) as u64 * F32;
        self.plan.tensor(name, TensorKind::Scratch, bytes)
    }

    /// Appends a step; what it reads and writes comes from the op itself.
    pub(super) fn step(&mut self, op: DecoderOp) {
        self.plan.push(op);
    }
}

/// The plan of one forward pass over `tokens` tokens with a KV cache of `context` positions.
/// `weight_bytes` gives the size of each weight by name (`None`: absent).
pub fn build_plan(
    config: &ModelConfig,
    tokens: usize,
    context: usize,
    options: PlanOptions,
    weight_bytes: &dyn Fn(&str) -> Option<u64>,
) -> Result<Plan<DecoderOp>, PlanBuildError> {
    if tokens == 0 || tokens > context {
        return Err(PlanBuildError::Tokens { tokens, context });
    }
    let mut b = Builder {
        plan: Plan::new(),
        weight_bytes,
        tokens,
        options,
        h: TensorId(0),
        embd: config.embd,
    };
    let embd = config.embd;
    let ids = b.plan.tensor("ids", TensorKind::Input, tokens as u64 * F32);
    let table = b.weight("token_embd")?;
    let h = b.scratch("h", embd);
    b.h = h;
    b.step(DecoderOp::Embed {
        table,
        ids,
        out: h,
        scale: config.embedding_scale,
    });
    // The RMSNorms before projections and the residual adds after them fold into the
    // projections of a one-token plan (not around Gemma 3's post-norms, which sit between a
    // projection and its add).
    let fold =
        b.options.fold_norms && tokens == 1 && !config.post_attention_norm && !config.post_ffn_norm;
    // What the previous block added to h (its FFN output), not yet added.
    let mut pending: Option<TensorId> = None;
    for l in 0..config.layers {
        let w = |name: &str| format!("blk.{l}.{name}");
        let attn_norm = b.weight(&w("attn_norm"))?;
        let n = normed(
            &mut b,
            pending.take(),
            attn_norm,
            w("n"),
            &w("h_attn"),
            fold,
        );
        let (mixed, out_weight, out_name) = if config.is_deltanet(l) {
            super::deltanet::deltanet_block(&mut b, config, l, n)?
        } else {
            super::attention::attention_block(&mut b, config, l, n, context)?
        };
        let ffn_norm = b.weight(&w("ffn_norm"))?;
        let n2 = if fold {
            let h = b.h;
            add_linear(&mut b, &w(out_weight), mixed, h)?;
            Input::Normed {
                h,
                weight: ffn_norm,
            }
        } else {
            let o = linear(
                &mut b,
                &w(out_weight),
                Input::Plain(mixed),
                w(out_name),
                embd,
            )?;
            let o = post_norm(
                &mut b,
                config.post_attention_norm,
                &w("post_attention_norm"),
                o,
                w("o_normed"),
            )?;
            let n2 = b.scratch(w("n2"), embd);
            add_norm(&mut b, Some(o), ffn_norm, n2, &w("h_ffn"));
            Input::Plain(n2)
        };
        let f = feed_forward_input(&mut b, config, l, n2)?;
        if fold {
            let h = b.h;
            add_linear(&mut b, &w("ffn_down"), f, h)?;
            continue;
        }
        let d = linear(&mut b, &w("ffn_down"), Input::Plain(f), w("down"), embd)?;
        let d = post_norm(
            &mut b,
            config.post_ffn_norm,
            &w("post_ffw_norm"),
            d,
            w("down_normed"),
        )?;
        pending = Some(d);
    }
    let output_norm = b.weight("output_norm")?;
    let nf = normed(
        &mut b,
        pending,
        output_norm,
        "final_normed".to_owned(),
        "h_final",
        fold,
    );
    let output_name = if weight_bytes("output").is_some() {
        "output"
    } else {
        "token_embd"
    };
    let rows = if b.options.all_logits { tokens } else { 1 };
    let logits = if b.options.all_logits || tokens == 1 {
        linear(&mut b, output_name, nf, "logits".to_owned(), config.vocab)?
    } else {
        // Only the last token's logits: generation reads nothing else. (Several tokens: the
        // final norm is a step of its own, never folded.)
        let last = b
            .plan
            .tensor("final_last", TensorKind::Scratch, embd as u64 * F32);
        let op = DecoderOp::LastRow {
            src: nf.tensor(),
            dst: last,
            cols: embd,
        };
        b.step(op);
        let w = b.weight(output_name)?;
        let y = b
            .plan
            .tensor("logits", TensorKind::Scratch, config.vocab as u64 * F32);
        let op = DecoderOp::Linear {
            w,
            x: last,
            y,
            single: true,
            norm: None,
            accumulate: false,
        };
        b.step(op);
        y
    };
    // Every row's argmax and first non-finite column, read back with the logits.
    let picks = b
        .plan
        .tensor("picks", TensorKind::Output, (2 * rows) as u64 * 4);
    let partials = b.plan.tensor(
        "argmax_partials",
        TensorKind::Scratch,
        argmax::partials_len(rows, config.vocab) as u64 * 4,
    );
    b.step(DecoderOp::Argmax {
        logits,
        partials,
        picks,
        vocab: config.vocab,
    });
    Ok(b.plan)
}

/// `out = norm(h)`, after `h += pending` when a previous sub-layer left something to add:
/// in place and fused, or (unfused) into a new residual tensor named `new_h`.
fn add_norm(
    b: &mut Builder<'_>,
    pending: Option<TensorId>,
    weight: TensorId,
    out: TensorId,
    new_h: &str,
) {
    let h = b.h;
    match pending {
        None => norm(b, h, weight, out),
        Some(x) if b.options.fuse_norm => b.step(DecoderOp::AddNorm {
            residual: h,
            x,
            weight,
            out,
        }),
        Some(x) => {
            let sum = b.scratch(new_h, b.embd);
            b.step(DecoderOp::Add {
                a: h,
                b: x,
                out: sum,
            });
            b.h = sum;
            norm(b, sum, weight, out);
        }
    }
}

pub(super) fn norm(b: &mut Builder<'_>, x: TensorId, weight: TensorId, out: TensorId) {
    b.step(DecoderOp::Norm { x, weight, out });
}

/// Gemma 3's norm after a sub-layer; the input itself elsewhere.
fn post_norm(
    b: &mut Builder<'_>,
    present: bool,
    weight: &str,
    x: TensorId,
    out_name: String,
) -> Result<TensorId, PlanBuildError> {
    if !present {
        return Ok(x);
    }
    let weight = b.weight(weight)?;
    let embd = b.embd;
    let out = b.scratch(out_name, embd);
    norm(b, x, weight, out);
    Ok(out)
}

/// What a projection reads: a tensor, or the residual stream with the RMSNorm before the
/// projection folded into it.
#[derive(Debug, Clone, Copy)]
pub(super) enum Input {
    /// This tensor as it is.
    Plain(TensorId),
    /// `RMSNorm(h) * weight`, computed by the projection itself.
    Normed {
        /// The residual stream.
        h: TensorId,
        /// The norm weight.
        weight: TensorId,
    },
}

impl Input {
    /// The tensor the projection binds as its input.
    pub(super) fn tensor(self) -> TensorId {
        match self {
            Self::Plain(t) | Self::Normed { h: t, .. } => t,
        }
    }

    /// The norm weight it folds in, if any.
    pub(super) fn norm(self) -> Option<TensorId> {
        match self {
            Self::Plain(_) => None,
            Self::Normed { weight, .. } => Some(weight),
        }
    }
}

/// The normed residual stream a sub-layer reads, after `h += pending`: folded into its
/// projections, or (unfolded) a norm step writing `name` (see [`add_norm`]).
fn normed(
    b: &mut Builder<'_>,
    pending: Option<TensorId>,
    weight: TensorId,
    name: String,
    new_h: &str,
    fold: bool,
) -> Input {
    if fold && pending.is_none() {
        return Input::Normed { h: b.h, weight };
    }
    let n = b.scratch(name, b.embd);
    add_norm(b, pending, weight, n, new_h);
    Input::Plain(n)
}

pub(super) fn linear(
    b: &mut Builder<'_>,
    weight: &str,
    x: Input,
    out_name: String,
    rows: usize,
) -> Result<TensorId, PlanBuildError> {
    let w = b.weight(weight)?;
    let y = b.scratch(out_name, rows);
    b.step(DecoderOp::Linear {
        w,
        x: x.tensor(),
        y,
        single: false,
        norm: x.norm(),
        accumulate: false,
    });
    Ok(y)
}

/// `into += W x`: a projection with the residual add after it folded in.
fn add_linear(
    b: &mut Builder<'_>,
    weight: &str,
    x: TensorId,
    into: TensorId,
) -> Result<(), PlanBuildError> {
    let w = b.weight(weight)?;
    b.step(DecoderOp::Linear {
        w,
        x,
        y: into,
        single: false,
        norm: None,
        accumulate: true,
    });
    Ok(())
}

/// `act(n G) * (n U)`: one fused step, or two projections and the gate.
fn feed_forward_input(
    b: &mut Builder<'_>,
    config: &ModelConfig,
    l: usize,
    n: Input,
) -> Result<TensorId, PlanBuildError> {
    let w = |name: &str| format!("blk.{l}.{name}");
    let f = b.scratch(w("ffn"), config.ff);
    if (b.weight_bytes)(&w("ffn_gate_up")).is_some() {
        let gate_up = b.weight(&w("ffn_gate_up"))?;
        let op = DecoderOp::Glu {
            w: gate_up,
            x: n.tensor(),
            y: f,
            gate: config.activation,
            norm: n.norm(),
        };
        b.step(op);
        return Ok(f);
    }
    let gate = linear(b, &w("ffn_gate"), n, w("gate"), config.ff)?;
    let up = linear(b, &w("ffn_up"), n, w("up"), config.ff)?;
    let op = DecoderOp::Gate {
        gate,
        up,
        y: f,
        activation: config.activation,
    };
    b.step(op);
    Ok(f)
}

/// `cols` columns of `src` (a block: tensor, row length, first column) into a new contiguous
/// scratch tensor `name`.
pub(super) fn split_columns(
    b: &mut Builder<'_>,
    (src, src_cols, first): ColumnBlock,
    cols: usize,
    name: String,
) -> TensorId {
    let dst = b.scratch(name, cols);
    let op = DecoderOp::Split {
        src,
        src_cols,
        first,
        dst,
        cols,
        groups: 1,
    };
    b.step(op);
    dst
}

/// Where a block of columns is: (tensor, its row length, first column).
pub(super) type ColumnBlock = (TensorId, usize, usize);

//! The engine: a model's weights, its shape, and its plans, built and validated once per
//! (token count, context) and cached with their scratch buffers.

use crate::error::RuntimeError;
use crate::session::Session;
use crate::weights::DeviceWeights;
use axon_gpu::kernels::Reduction;
use axon_gpu::kernels::rope::RopeConfig;
use axon_gpu::{DeviceBuffer, Gpu};
use axon_models::config::{Architecture, ModelConfig, ValueHeadOrder};
use axon_models::decoder::{DecoderDims, DecoderOp, HybridDims, PlanOptions, build_plan};
use axon_models::plan::{Limits, Placement, Plan, ScratchMode, place_scratch, validate};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the executor needs besides the plan: the model's shape and per-model constants.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelShape {
    /// Sizes and per-layer structure.
    pub dims: DecoderDims,
    /// RoPE of full-attention layers.
    pub rope: RopeConfig,
    /// RoPE of sliding-window layers (Gemma 3), if different.
    pub local_rope: Option<RopeConfig>,
    /// RMSNorm epsilon.
    pub eps: f32,
    /// Factor on `q · k`.
    pub attention_scale: f32,
    /// Qwen3.5's Gated DeltaNet layers: their sizes and value-head order.
    pub linear_attention: Option<LinearAttention>,
}

/// What the executor needs to run Gated DeltaNet layers.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearAttention {
    /// Sizes (shared with the plan builder).
    pub dims: HybridDims,
    /// Value head `h` reads key head `h % k_heads` (llama.cpp's GGUF order) instead of
    /// `h / (v_heads / k_heads)` (Hugging Face's).
    pub tiled: bool,
    /// Epsilon of the query and key heads' L2 norm.
    pub l2_eps: f32,
}

impl ModelShape {
    /// The shape of a llama-family or Gemma 3 model.
    pub fn from_config(config: &ModelConfig) -> Self {
        let dims = DecoderDims {
            layers: config.layers,
            embd: config.embd,
            ff: config.ff,
            heads: config.heads,
            kv_heads: config.kv_heads,
            head_dim: config.head_dim,
            vocab: config.vocab,
            embed_scale: config.embedding_scale,
            gate: config.activation,
            qk_norm: config.qk_norm,
            post_norms: config.post_attention_norm || config.post_ffn_norm,
            windows: (0..config.layers)
                .map(|l| config.sliding_window(l))
                .collect(),
            hybrid: config.hybrid().map(|h| HybridDims {
                full_attention: h.full_attention.clone(),
                k_heads: h.k_heads,
                v_heads: h.v_heads,
                dk: h.dk,
                dv: h.dv,
                conv_kernel: h.conv_kernel,
            }),
        };
        let local_rope = match &config.architecture {
            Architecture::Gemma3(swa) => Some(swa.local_rope),
            Architecture::Llama | Architecture::Qwen35(_) => None,
        };
        let linear_attention = match (&dims.hybrid, config.hybrid()) {
            (Some(dims), Some(h)) => Some(LinearAttention {
                dims: dims.clone(),
                tiled: h.value_head_order == ValueHeadOrder::Tiled,
                l2_eps: h.l2_norm_eps,
            }),
            _ => None,
        };
        Self {
            dims,
            rope: config.rope,
            local_rope,
            eps: config.rms_eps,
            attention_scale: config.attention_scale,
            linear_attention,
        }
    }
}

/// Engine choices that must not change the logits (tests prove each on/off bit-identical).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineOptions {
    /// Scratch buffer reuse.
    pub scratch: ScratchMode,
    /// Reduction variant of the kernels that have two; `None`: the device's preferred.
    pub reduction: Option<Reduction>,
    /// Residual add fused with the next norm (`AXON_FUSE_NORM`).
    pub fuse_norm: bool,
    /// Observer: GPU timestamps around each forward pass ([`Engine::last_gpu_time`]).
    pub timestamps: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            scratch: ScratchMode::Reuse,
            reduction: None,
            fuse_norm: true,
            timestamps: false,
        }
    }
}

/// A validated plan with its scratch buffers.
pub(crate) struct Prepared {
    pub(crate) plan: Plan<DecoderOp>,
    pub(crate) placement: Placement,
    pub(crate) scratch: Vec<DeviceBuffer>,
}

/// A model ready to run on one device.
pub struct Engine<'g, W> {
    pub(crate) gpu: &'g Gpu,
    pub(crate) shape: ModelShape,
    pub(crate) weights: W,
    pub(crate) options: EngineOptions,
    /// By (tokens, context, all logits).
    plans: Mutex<HashMap<(usize, usize, bool), Arc<Prepared>>>,
    pub(crate) last_stats: Mutex<Option<ForwardStats>>,
}

/// What the last forward pass cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForwardStats {
    /// Kernel launches in its one submit.
    pub dispatches: usize,
    /// CPU time to bind and record them.
    pub encode: Duration,
    /// GPU time of the pass, with [`EngineOptions::timestamps`].
    pub gpu: Option<Duration>,
}

impl<W> std::fmt::Debug for Engine<'_, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("shape", &self.shape)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<'g, W: DeviceWeights> Engine<'g, W> {
    /// An engine over `weights` (already on `gpu`).
    pub fn new(gpu: &'g Gpu, shape: ModelShape, weights: W, options: EngineOptions) -> Self {
        Self {
            gpu,
            shape,
            weights,
            options,
            plans: Mutex::default(),
            last_stats: Mutex::default(),
        }
    }

    /// The model's shape.
    pub fn shape(&self) -> &ModelShape {
        &self.shape
    }

    /// The weights.
    pub fn weights(&self) -> &W {
        &self.weights
    }

    pub(crate) fn layout_key(&self) -> usize {
        self as *const Self as usize
    }

    /// A new session holding up to `context` tokens: the KV cache of every attention layer
    /// and the conv and recurrent state of every Gated DeltaNet layer, allocated (zeroed) now.
    pub fn session(&self, context: usize) -> Result<Session, RuntimeError> {
        let dims = &self.shape.dims;
        let mut sizes = Vec::new();
        for l in 0..dims.layers {
            match (&self.shape.linear_attention, dims.is_deltanet(l)) {
                (Some(la), true) => {
                    let hy = &la.dims;
                    let conv = (hy.conv_kernel.max(2) - 1) * hy.conv_channels();
                    sizes.push((format!("blk.{l}.conv_state"), conv));
                    sizes.push((format!("blk.{l}.ssm_state"), hy.v_heads * hy.dk * hy.dv));
                }
                _ => {
                    for which in ["cache_k", "cache_v"] {
                        sizes.push((format!("blk.{l}.{which}"), context * dims.kv_cols()));
                    }
                }
            }
        }
        let mut state = HashMap::new();
        for (name, len) in sizes {
            let buffer = self.gpu.zeros_f32(&name, len)?;
            state.insert(name, buffer);
        }
        Ok(Session {
            context,
            pos: 0,
            tokens: Vec::new(),
            state,
            layout_key: self.layout_key(),
            position: self.gpu.position(0)?,
            encoded: HashMap::new(),
        })
    }

    /// Forgets the session's sequence: position 0, no tokens; the Gated DeltaNet state is
    /// zeroed (the KV cache is overwritten from position 0 on, and attention never reads
    /// past the current position, so its stale rows are never seen).
    pub fn reset(&self, session: &mut Session) -> Result<(), RuntimeError> {
        if session.layout_key != self.layout_key() {
            return Err(RuntimeError::ForeignSession);
        }
        for (name, buffer) in &session.state {
            if name.ends_with("conv_state") || name.ends_with("ssm_state") {
                let zeros = vec![0u8; buffer.byte_len() as usize];
                self.gpu.queue().write_buffer(buffer.raw(), 0, &zeros);
            }
        }
        session.pos = 0;
        session.tokens.clear();
        Ok(())
    }

    /// The validated plan for `tokens` tokens and this context, built on first use.
    pub(crate) fn prepared(
        &self,
        tokens: usize,
        context: usize,
        all_logits: bool,
    ) -> Result<Arc<Prepared>, RuntimeError> {
        let key = (tokens, context, all_logits || tokens == 1);
        let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = plans.get(&key) {
            return Ok(Arc::clone(p));
        }
        let sizes = |name: &str| self.weights.bytes(name);
        let options = PlanOptions {
            fuse_norm: self.options.fuse_norm,
            all_logits,
        };
        let plan = build_plan(&self.shape.dims, tokens, context, options, &sizes)?;
        let placement = place_scratch(&plan, self.options.scratch);
        let limits = Limits {
            max_binding_bytes: self.gpu.caps().max_storage_binding_bytes(),
            scratch_bound: None,
        };
        validate(&plan, &placement, &limits)?;
        let scratch = placement
            .buffers
            .iter()
            .enumerate()
            .map(|(i, &bytes)| {
                self.gpu
                    .zeros_f32(&format!("scratch.{i}"), (bytes / 4) as usize)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let prepared = Arc::new(Prepared {
            plan,
            placement,
            scratch,
        });
        plans.insert(key, Arc::clone(&prepared));
        Ok(prepared)
    }

    /// GPU time of the last forward pass, when [`EngineOptions::timestamps`] is on.
    pub fn last_gpu_time(&self) -> Option<Duration> {
        self.last_stats().and_then(|s| s.gpu)
    }

    /// Dispatches, encode time and GPU time of the last forward pass.
    pub fn last_stats(&self) -> Option<ForwardStats> {
        *self.last_stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Bytes of the scratch buffers of every plan built so far.
    pub fn scratch_bytes(&self) -> u64 {
        let plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
        plans.values().map(|p| p.placement.total_bytes()).sum()
    }
}

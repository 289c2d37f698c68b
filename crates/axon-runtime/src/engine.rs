//! The engine: a model's weights, its shape, and its plans, built and validated once per
//! (token count, context) and cached with their scratch buffers.

use crate::error::RuntimeError;
use crate::gpu_ref::GpuRef;
use crate::session::Session;
use crate::weights::DeviceWeights;
use axon_gpu::kernels::Reduction;
use axon_gpu::kernels::rope::RopeConfig;
use axon_gpu::{DeviceBuffer, Gpu};
use axon_models::config::{Architecture, ModelConfig, ValueHeadOrder};
use axon_models::decoder::{DecoderDims, DecoderOp, HybridDims, PlanOptions, build_plan};
use axon_models::plan::{
    Limits, Placement, Plan, ScratchMode, TensorId, TensorKind, place_scratch, validate,
};
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
    /// The context the model was trained for, when its file says.
    pub trained_context: Option<usize>,
}

/// What the executor needs to run Gated DeltaNet layers besides their sizes (those are in
/// [`DecoderDims::hybrid`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LinearAttention {
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
            (Some(_), Some(h)) => Some(LinearAttention {
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
            trained_context: config.trained_context,
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
    /// Observer: empty dispatches appended to every pass (`AXON_INSERT_NOOP_DISPATCHES`), to
    /// measure the cost of one dispatch.
    pub noop_dispatches: usize,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            scratch: ScratchMode::Reuse,
            reduction: None,
            fuse_norm: true,
            timestamps: false,
            noop_dispatches: 0,
        }
    }
}

/// A validated plan with its scratch buffers.
pub(crate) struct Prepared {
    pub(crate) plan: Plan<DecoderOp>,
    /// The plan's `logits` tensor, the one a pass reads back.
    pub(crate) logits: TensorId,
    pub(crate) placement: Placement,
    pub(crate) scratch: Vec<DeviceBuffer>,
}

/// A model ready to run on one device.
pub struct Engine<'g, W> {
    pub(crate) gpu: GpuRef<'g>,
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
    pub fn new(
        gpu: impl Into<GpuRef<'g>>,
        shape: ModelShape,
        weights: W,
        options: EngineOptions,
    ) -> Self {
        Self {
            gpu: gpu.into(),
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

    /// The device it runs on.
    pub fn gpu(&self) -> &Gpu {
        &self.gpu
    }

    /// The weights.
    pub fn weights(&self) -> &W {
        &self.weights
    }

    pub(crate) fn layout_key(&self) -> usize {
        self as *const Self as usize
    }

    /// A new session holding up to `context` tokens: every state tensor its plans declare (the
    /// KV cache of each attention layer, the conv and recurrent state of each Gated DeltaNet
    /// layer), allocated and zeroed now.
    pub fn session(&self, context: usize) -> Result<Session, RuntimeError> {
        let decode = self.prepared(1, context, true)?;
        let mut state = HashMap::new();
        for t in decode.plan.tensors() {
            if t.kind == TensorKind::State {
                let buffer = self.gpu.zeros_f32(&t.name, (t.bytes / 4) as usize)?;
                state.insert(t.name.clone(), buffer);
            }
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

    /// Forgets the session's sequence: position 0, no tokens, every state buffer cleared on
    /// the GPU (the recurrent state must be; the KV cache need not, but one rule for all state
    /// is simpler than knowing which is which).
    pub fn reset(&self, session: &mut Session) -> Result<(), RuntimeError> {
        if session.layout_key != self.layout_key() {
            return Err(RuntimeError::ForeignSession);
        }
        let buffers: Vec<&DeviceBuffer> = session.state.values().collect();
        self.gpu.clear_f32("session.reset", &buffers)?;
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
        let logits = plan
            .tensors()
            .iter()
            .position(|t| t.name == "logits")
            .map(|i| TensorId(i as u32))
            .ok_or(RuntimeError::Weight {
                name: "logits".to_owned(),
                problem: "the plan has no logits tensor",
            })?;
        let prepared = Arc::new(Prepared {
            logits,
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

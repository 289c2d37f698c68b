//! The engine: a model's weights, its shape, and its plans, built and validated once per
//! (token count, context) and cached with their scratch buffers.

use crate::error::RuntimeError;
use crate::gpu_ref::GpuRef;
use crate::plan_cache::{LiveScratch, PlanCache};
use crate::session::EncodedPasses;
use crate::session::Session;
use crate::weights::DeviceWeights;
use axon_gpu::kernels::Reduction;
use axon_gpu::kernels::kv_cache::KvType;
use axon_gpu::kernels::{attention_input, deltanet_input};
use axon_gpu::{DeviceBuffer, Gpu};
use axon_models::config::{MAX_POSITIONS, ModelConfig};
use axon_models::decoder::{DecoderOp, PlanOptions, build_plan};
use axon_models::plan::{
    Limits, Placement, Plan, PlanError, ScratchMode, TensorId, TensorKind, place_scratch, validate,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Engine choices that must not change the logits (tests prove each on/off bit-identical).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineOptions {
    /// Scratch buffer reuse of plans over several tokens.
    pub scratch: ScratchMode,
    /// Scratch buffer reuse of one-token (decode) plans. [`ScratchMode::NoReuse`] by default:
    /// wgpu orders two dispatches that write one buffer with a pipeline barrier, which on the
    /// GPU waits for everything before it, so shared scratch serialized projections that read
    /// the same input (Q/K/V, Gated DeltaNet's four); their own buffers let them overlap. A
    /// decode step's scratch is small (`AXON_SCRATCH_REUSE=0` or `1` sets both).
    pub decode_scratch: ScratchMode,
    /// Reduction variant of the kernels that have two; `None`: the device's preferred.
    pub reduction: Option<Reduction>,
    /// Residual add fused with the next norm (`AXON_FUSE_NORM`).
    pub fuse_norm: bool,
    /// In decode plans, the RMSNorms folded into the projections after them and the residual
    /// adds into the projections before them (`AXON_FOLD_NORMS`; not around Gemma 3's
    /// post-norms). Off by default: on the H200 it was faster at Qwen3.5-0.8B (460 against
    /// 448 tok/s) and slower at Llama-3-8B (187 / 191) and Qwen3.5-9B (157 / 167), where every
    /// matrix-vector workgroup reading the norm weight beside x costs more than the norm
    /// steps it replaces (`docs/BENCHMARKS.md`).
    pub fold_norms: bool,
    /// Decode projections of quantized weights (`MATVEC_Q8_TYPES`) with at least this many
    /// columns take x quantized to 8-bit blocks and multiply with integer dot products
    /// (`quantize_q8` once per input, or the norm before them writes the blocks: `rms_norm_q8`;
    /// then `matvec_q8` / `matvec_glu_q8`); `None`: every projection takes x as it
    /// is (`AXON_MATVEC_Q8`: the column count, 0 for none). The result is `W` times the 8-bit
    /// x, which the CPU reference models (`ReferenceOptions::int8_min_cols`, the same rule).
    /// Default [`MATVEC_Q8_MIN_COLS`].
    pub matvec_q8: Option<usize>,
    /// An attention layer's input (query split, q/k norms, RoPE, cache writes) in one kernel
    /// (`AXON_FUSE_ATTENTION`), where the device binds enough storage buffers per stage
    /// (`attention_input::INPUT_STORAGE_BUFFERS`); else the separate kernels.
    pub fuse_attention_input: bool,
    /// Gated DeltaNet's layer input (conv, split, L2 norms, gates) in one kernel
    /// (`AXON_FUSE_DELTANET`), where the device binds enough storage buffers per stage
    /// (`deltanet_input::INPUT_STORAGE_BUFFERS`); else the separate kernels.
    pub fuse_deltanet_input: bool,
    /// Element type of the KV cache (`AXON_KV_CACHE`: `f32` or `f16`). f16 halves the cache's
    /// memory and attention's reads; the CPU reference models its rounding
    /// (`ReferenceOptions::kv_f16`). Needs an even head_dim.
    pub kv_cache: KvType,
    /// Greedy generation without a repetition penalty submits each pass before the previous
    /// one's pick is read, the token id copied on the GPU (`AXON_PIPELINE`); off, every
    /// pass is read (logits and all) before the next is submitted.
    pub pipeline: bool,
    /// Observer: GPU timestamps around each forward pass ([`Engine::last_gpu_time`]).
    pub timestamps: bool,
    /// Observer: empty dispatches appended to every pass (`AXON_INSERT_NOOP_DISPATCHES`), to
    /// measure the cost of one dispatch.
    pub noop_dispatches: usize,
    /// Bytes of plan scratch the engine keeps cached for reuse (least recently used plans
    /// past it are dropped; the newest is always kept). Plans a session still replays live
    /// on until it drops them.
    pub plan_cache_bytes: u64,
}

/// Default [`EngineOptions::matvec_q8`]: the integer-dot kernels from 4096 columns. On the H200
/// (`docs/BENCHMARKS.md`, 2026-12-02) they made decode 16-30 % faster at Llama-3-8B and
/// Qwen3.5-9B / 27B (4096- and 5120-wide rows) and 7-9 % slower at Qwen3.5-0.8B (1024-wide),
/// where the extra quantize dispatch per input costs more than the small products save.
pub const MATVEC_Q8_MIN_COLS: usize = 4096;

/// Default [`EngineOptions::plan_cache_bytes`]: room for a decode plan and several prefill
/// lengths of a mid-sized model.
pub const DEFAULT_PLAN_CACHE_BYTES: u64 = 256 << 20;

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            scratch: ScratchMode::Reuse,
            decode_scratch: ScratchMode::NoReuse,
            reduction: None,
            fuse_norm: true,
            fold_norms: false,
            matvec_q8: Some(MATVEC_Q8_MIN_COLS),
            fuse_attention_input: true,
            fuse_deltanet_input: true,
            kv_cache: KvType::default(),
            pipeline: true,
            timestamps: false,
            noop_dispatches: 0,
            plan_cache_bytes: DEFAULT_PLAN_CACHE_BYTES,
        }
    }
}

/// A validated plan with its scratch buffers.
pub(crate) struct Prepared {
    pub(crate) plan: Plan<DecoderOp>,
    /// The plan's `logits` tensor, the one a pass reads back.
    pub(crate) logits: TensorId,
    /// Rows of `logits` (the picks buffer holds two u32 per row).
    pub(crate) rows: usize,
    pub(crate) placement: Placement,
    pub(crate) scratch: Vec<DeviceBuffer>,
    /// The engine's count of live scratch bytes, decreased when this plan is dropped.
    live: Arc<LiveScratch>,
}

impl Drop for Prepared {
    fn drop(&mut self) {
        self.live.remove(self.placement.total_bytes());
    }
}

/// A model ready to run on one device.
pub struct Engine<'g, W> {
    pub(crate) gpu: GpuRef<'g>,
    pub(crate) config: ModelConfig,
    pub(crate) weights: W,
    pub(crate) options: EngineOptions,
    /// This engine among all engines of the process: what its sessions carry.
    pub(crate) id: u64,
    plans: Mutex<PlanCache>,
    /// Scratch bytes of every plan of this engine still alive.
    live: Arc<LiveScratch>,
    pub(crate) last_stats: Mutex<Option<ForwardStats>>,
}

/// Source of engine ids (never reused within a process).
static NEXT_ENGINE_ID: AtomicU64 = AtomicU64::new(1);

/// What the last forward pass cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForwardStats {
    /// Kernel launches in its one submit.
    pub dispatches: usize,
    /// CPU time to bind and record them.
    pub encode: Duration,
    /// CPU time to encode the pass into a command buffer and submit it (wgpu's recording,
    /// tracking and `queue.submit`); for passes read before the next is submitted, also the
    /// wait for the GPU and the read-back.
    pub submit: Duration,
    /// GPU time of the pass, with [`EngineOptions::timestamps`].
    pub gpu: Option<Duration>,
}

impl<W> std::fmt::Debug for Engine<'_, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("architecture", &self.config.architecture.name())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<'g, W: DeviceWeights> Engine<'g, W> {
    /// An engine over `weights` (already on `gpu`).
    pub fn new(
        gpu: impl Into<GpuRef<'g>>,
        config: ModelConfig,
        weights: W,
        options: EngineOptions,
    ) -> Self {
        Self {
            gpu: gpu.into(),
            config,
            weights,
            options,
            id: NEXT_ENGINE_ID.fetch_add(1, Ordering::Relaxed),
            plans: Mutex::default(),
            live: Arc::default(),
            last_stats: Mutex::default(),
        }
    }

    /// The model's hyperparameters: its one description, which plans are built from.
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// The device it runs on.
    pub fn gpu(&self) -> &Gpu {
        &self.gpu
    }

    /// The weights.
    pub fn weights(&self) -> &W {
        &self.weights
    }

    /// A new session holding up to `context` tokens: every state tensor its plans declare (the
    /// KV cache of each attention layer, the conv and recurrent state of each Gated DeltaNet
    /// layer), allocated and zeroed now.
    pub fn session(&self, context: usize) -> Result<Session, RuntimeError> {
        if context > MAX_POSITIONS {
            return Err(RuntimeError::ContextTooLarge {
                context,
                tensor: "positions".to_owned(),
                bytes: context as u64,
                max: MAX_POSITIONS as u64,
            });
        }
        // The decode plan sizes the state; its validation refuses, before anything is
        // allocated, a KV cache or scores buffer larger than one binding of this device.
        let decode = self.prepared(1, context, true).map_err(|e| match e {
            RuntimeError::Plan(PlanError::BindingTooLarge { tensor, bytes, max }) => {
                RuntimeError::ContextTooLarge {
                    context,
                    tensor,
                    bytes,
                    max,
                }
            }
            other => other,
        })?;
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
            engine: self.id,
            broken: None,
            position: self.gpu.position(0)?,
            encoded: EncodedPasses::default(),
        })
    }

    /// Forgets the session's sequence: position 0, no tokens, every state buffer cleared on
    /// the GPU (the recurrent state must be; the KV cache need not, but one rule for all state
    /// is simpler than knowing which is which). A broken session is whole again after it.
    pub fn reset(&self, session: &mut Session) -> Result<(), RuntimeError> {
        if session.engine != self.id {
            return Err(RuntimeError::ForeignSession);
        }
        let buffers: Vec<&DeviceBuffer> = session.state.values().collect();
        self.gpu.clear_f32("session.reset", &buffers)?;
        session.pos = 0;
        session.tokens.clear();
        session.broken = None;
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
            return Ok(p);
        }
        let sizes = |name: &str| self.weights.bytes(name);
        let caps = self.gpu.caps();
        let options = PlanOptions {
            fuse_norm: self.options.fuse_norm,
            fold_norms: self.options.fold_norms,
            fuse_attention_input: self.options.fuse_attention_input
                && caps.max_storage_buffers_per_stage() >= attention_input::INPUT_STORAGE_BUFFERS,
            fuse_deltanet_input: self.options.fuse_deltanet_input
                && caps.max_storage_buffers_per_stage() >= deltanet_input::INPUT_STORAGE_BUFFERS,
            all_logits,
            kv_cache: self.options.kv_cache,
        };
        let plan = build_plan(&self.config, tokens, context, options, &sizes)?;
        let mode = if tokens == 1 {
            self.options.decode_scratch
        } else {
            self.options.scratch
        };
        let placement = place_scratch(&plan, mode);
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
        let rows = plan
            .decl(logits)
            .map_or(0, |d| (d.bytes / 4) as usize / self.config.vocab.max(1));
        self.live.add(placement.total_bytes());
        let prepared = Arc::new(Prepared {
            logits,
            rows,
            plan,
            placement,
            scratch,
            live: Arc::clone(&self.live),
        });
        plans.insert(key, Arc::clone(&prepared), self.options.plan_cache_bytes);
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

    /// Bytes of the scratch buffers of the plans the engine keeps cached (at most
    /// [`EngineOptions::plan_cache_bytes`], or the one newest plan if that alone is larger).
    pub fn scratch_bytes(&self) -> u64 {
        self.plans.lock().unwrap_or_else(|e| e.into_inner()).bytes()
    }

    /// Plans the engine keeps cached.
    pub fn cached_plans(&self) -> usize {
        self.plans.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Bytes of scratch buffers alive now: the cached plans' and those that sessions still
    /// replay (a session keeps at most [`crate::MAX_ENCODED_PASSES`]).
    pub fn live_scratch_bytes(&self) -> u64 {
        self.live.bytes()
    }
}

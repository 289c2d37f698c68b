//! `axon bench`: performance measurements.
//!
//! - `axon bench kernels [--json] [--quick] [--iters N] [--clock auto|timestamp|wall]
//!   [--formats F,..] [--shapes ROWSxCOLS,..]`: copy bandwidth, matrix-vector bandwidth and matrix-matrix throughput on the chosen adapter.
//!   [`kernels`] lists the cases, [`copies`] times the two bandwidth references (buffer copy
//!   and copy shader), [`case`] sets one kernel case up (operands from [`weights`]) and turns
//!   its time into GB/s or TFLOP/s, [`timing`] takes the times (GPU timestamps through
//!   [`Gpu::run_timed`](axon_gpu::Gpu::run_timed) and [`stamps`], or the wall clock), and
//!   [`report`] prints the table or the JSON object (stamped by [`provenance`]).
//! - `axon bench --model FILE [--prompt N] [--gen N] [--repeat N] [--json]`: the whole-model
//!   benchmark ([`model`]).

mod case;
mod copies;
mod kernels;
mod model;
mod provenance;
mod report;
mod stamps;
mod timing;
mod weights;

use axon_gpu::{BringUpError, GpuError};
use model::ModelArgs;
use timing::ClockChoice;

/// `axon bench`: either a subcommand or the whole-model flags, never both.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct BenchArgs {
    /// What to measure instead of a whole model.
    #[command(subcommand)]
    pub command: Option<BenchCommand>,
    /// The whole-model benchmark's flags.
    #[command(flatten)]
    pub model: ModelArgs,
}

/// The `axon bench` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// Measure device-to-device copy bandwidth, matrix-vector bandwidth (every format the
    /// kernels decode; the 8-bit-x kernels for every quantized one, also at 1-16 columns)
    /// and matrix-matrix throughput (F16, Q4_K) on the adapter `axon info` chooses.
    ///
    /// Each kernel runs twice to warm up, then --iters times; the median is reported. The
    /// clock is GPU timestamps where the device has timestamp queries, the wall clock
    /// otherwise; `"clock"` in the report says which.
    Kernels(KernelArgs),
}

/// Flags of `axon bench kernels`.
#[derive(Debug, clap::Args)]
pub struct KernelArgs {
    /// Print one JSON object on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Tiny shapes and few iterations: seconds, even on the software adapter.
    #[arg(long)]
    pub quick: bool,
    /// Timed runs per kernel after two warm-up runs [default: 20, or 3 with --quick].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub iters: Option<u32>,
    /// Which clock times the kernels.
    #[arg(long, value_enum, default_value = "auto")]
    pub clock: ClockChoice,
    /// Only these weight formats, comma-separated ggml names (`Q4_K,Q6_K`) [default: every
    /// format the report covers].
    #[arg(long, value_delimiter = ',', value_name = "FORMATS")]
    pub formats: Vec<String>,
    /// Only these matrix-vector shapes, comma-separated `ROWSxCOLS` (`5120x17408`): a model's
    /// own projections [default: the plan's shapes].
    #[arg(long, value_delimiter = ',', value_name = "SHAPES", value_parser = parse_shape)]
    pub shapes: Vec<(usize, usize)>,
}

/// `ROWSxCOLS`, both positive.
fn parse_shape(text: &str) -> Result<(usize, usize), String> {
    let parsed = text.split_once(['x', 'X']).and_then(|(rows, cols)| {
        Some((
            rows.trim().parse::<usize>().ok()?,
            cols.trim().parse::<usize>().ok()?,
        ))
    });
    match parsed {
        Some((rows, cols)) if rows > 0 && cols > 0 => Ok((rows, cols)),
        _ => Err(format!("{text:?} is not ROWSxCOLS with positive numbers")),
    }
}

/// Why `axon bench` failed.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// No device could be opened.
    #[error(transparent)]
    BringUp(#[from] BringUpError),
    /// The device failed while measuring.
    #[error(transparent)]
    Gpu(#[from] GpuError),
    /// A request this build cannot serve yet.
    #[error("{0}")]
    NotSupported(String),
    /// The model could not be opened on the GPU.
    #[error(transparent)]
    Load(#[from] axon_runtime::LoadError),
    /// The engine failed while measuring.
    #[error(transparent)]
    Runtime(#[from] axon_runtime::RuntimeError),
    /// `--clock timestamp` on a device without timestamp queries (`auto` uses the wall clock
    /// there).
    #[error(
        "--clock timestamp cannot time kernels on adapter {adapter:?}: {why}; use --clock wall \
         or auto"
    )]
    NoTimestampClock {
        /// The adapter's name.
        adapter: String,
        /// What is missing.
        why: &'static str,
    },
    /// A measurement could not be taken.
    #[error("timing {what}: {reason}")]
    Timing {
        /// What was being timed.
        what: String,
        /// Why it failed.
        reason: String,
    },
    /// Writing the report failed.
    #[error("writing to stdout: {0}")]
    Io(#[from] std::io::Error),
    /// Encoding the JSON failed.
    #[error("encoding JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Runs `axon bench` as its arguments ask.
pub fn run(args: BenchArgs) -> Result<(), BenchError> {
    match args.command {
        Some(BenchCommand::Kernels(kernel_args)) => {
            let report = kernels::run(&kernel_args)?;
            report::print(&report, kernel_args.json)
        }
        None => model::run(&args.model),
    }
}

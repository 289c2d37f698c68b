//! Timing GPU work: the median of `iters` runs after [`WARMUP`] untimed ones (and, for kernels,
//! [`WARM_TIME`] of untimed runs at the final batch size), on one clock for the whole report.
//!
//! A kernel is timed in runs of `n` dispatches in one submit (one compute pass, so with the
//! barriers a sequence of dependent kernels has), `n` doubled until a run takes [`BATCH_TIME`]
//! (at most [`MAX_BATCH`]); the run's time divided by `n` is one sample.
//!
//! - **Timestamp clock**: GPU time of the one pass holding the `n` dispatches, from
//!   [`Gpu::run_timed`]; a buffer copy is timed between two [`Stamps`] marks in one encoder.
//!   Chosen by `auto` when the device has timestamp queries.
//! - **Wall clock**: the host's clock, from before recording to the end of the wait, so
//!   recording and submission are included (spread over the `n` dispatches).

use super::BenchError;
use super::stamps::{END, START, Stamps, new_encoder, timing_error};
use axon_gpu::{Dispatch, Gpu, GpuError};
use std::time::{Duration, Instant};

/// Untimed runs before the timed ones.
pub const WARMUP: usize = 2;
/// How long the sized run repeats, untimed, before the timed runs: long enough for the GPU to
/// leave its idle clocks (the CPU-side upload before a case can idle it for a second) and for
/// every weight copy to have been read once.
const WARM_TIME: Duration = Duration::from_millis(100);
/// How long one timed run of a kernel should take at least.
const BATCH_TIME: Duration = Duration::from_millis(2);
/// Most dispatches in one timed run.
const MAX_BATCH: usize = 1024;

/// The `--clock` flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClockChoice {
    /// Timestamps when the device has timestamp queries, the wall clock otherwise.
    Auto,
    /// GPU timestamps; an error where the device has none.
    Timestamp,
    /// The host's clock.
    Wall,
}

/// The clock that timed the work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// GPU timestamp queries.
    Timestamp,
    /// The host's monotonic clock.
    Wall,
}

impl Clock {
    /// `"timestamp"` or `"wall"`, as the JSON report spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Timestamp => "timestamp",
            Self::Wall => "wall",
        }
    }
}

/// A kernel's measurement.
#[derive(Debug, Clone, Copy)]
pub struct KernelTime {
    /// Median time of one dispatch.
    pub per_dispatch: Duration,
    /// Dispatches per timed run.
    pub batch: usize,
}

/// Times copies and kernels on one device.
#[derive(Debug)]
pub struct Timer<'g> {
    gpu: &'g Gpu,
    iters: usize,
    /// Present for the timestamp clock.
    stamps: Option<Stamps>,
}

impl<'g> Timer<'g> {
    /// A timer on the clock `choice` asks for, taking the median of `iters` runs.
    pub fn new(gpu: &'g Gpu, choice: ClockChoice, iters: usize) -> Result<Self, BenchError> {
        let has_stamps = gpu.caps().has_timestamps();
        let stamps = match (choice, has_stamps) {
            (ClockChoice::Wall, _) | (ClockChoice::Auto, false) => None,
            (ClockChoice::Timestamp, false) => {
                return Err(BenchError::NoTimestampClock {
                    adapter: gpu.caps().adapter_name.clone(),
                    why: "it has no timestamp queries",
                });
            }
            (_, true) => Some(Stamps::new(gpu)?),
        };
        Ok(Self { gpu, iters, stamps })
    }

    /// The clock this timer uses.
    pub fn clock(&self) -> Clock {
        match self.stamps {
            Some(_) => Clock::Timestamp,
            None => Clock::Wall,
        }
    }

    /// Median time of one `copy_buffer_to_buffer` of `bytes` bytes from `src` to `dst`.
    pub fn copy(
        &self,
        src: &wgpu::Buffer,
        dst: &wgpu::Buffer,
        bytes: u64,
    ) -> Result<Duration, BenchError> {
        const LABEL: &str = "bench.copy";
        let mut samples = Vec::with_capacity(self.iters);
        for run in 0..WARMUP + self.iters {
            self.gpu.wait_idle()?;
            let mut encoder = new_encoder(self.gpu, LABEL);
            let started = Instant::now();
            if let Some(stamps) = &self.stamps {
                stamps.mark(&mut encoder, START);
            }
            encoder.copy_buffer_to_buffer(src, 0, dst, 0, bytes);
            let elapsed = match &self.stamps {
                Some(stamps) => {
                    stamps.mark(&mut encoder, END);
                    stamps.resolve(&mut encoder);
                    self.gpu.submit(LABEL, encoder)?;
                    stamps.read(self.gpu, LABEL)?
                }
                None => {
                    let submission = self.gpu.submit(LABEL, encoder)?;
                    self.gpu.wait(Some(submission))?;
                    started.elapsed()
                }
            };
            if run >= WARMUP {
                samples.push(elapsed);
            }
        }
        nonzero(LABEL, median(samples))
    }

    /// Median time of one dispatch made by `make`, and the number of dispatches per timed
    /// run.
    ///
    /// A timed run holds `n` dispatches in one submit, `n` doubled until a run takes
    /// [`BATCH_TIME`] (at most [`MAX_BATCH`]), so that a fixed cost per run is spread thin.
    pub fn kernel(
        &self,
        label: &str,
        make: &mut dyn FnMut() -> Result<Dispatch, GpuError>,
    ) -> Result<KernelTime, BenchError> {
        let mut dispatches = vec![make()?];
        for _ in 0..WARMUP {
            let submission = self.gpu.run(label, &dispatches)?;
            self.gpu.wait(Some(submission))?;
        }
        while self.time_run(label, &dispatches)? < BATCH_TIME && dispatches.len() < MAX_BATCH {
            for _ in 0..dispatches.len() {
                dispatches.push(make()?);
            }
        }
        let n = dispatches.len();
        let warm_until = Instant::now() + WARM_TIME;
        while Instant::now() < warm_until {
            self.time_run(label, &dispatches)?;
        }
        let mut samples = Vec::with_capacity(self.iters);
        for _ in 0..self.iters {
            samples.push(self.time_run(label, &dispatches)? / n as u32);
        }
        tracing::debug!(label, n, ?samples, "kernel samples");
        Ok(KernelTime {
            per_dispatch: nonzero(label, median(samples))?,
            batch: n,
        })
    }

    /// Time of one run of `dispatches` on this timer's clock.
    fn time_run(&self, label: &str, dispatches: &[Dispatch]) -> Result<Duration, BenchError> {
        if self.stamps.is_some() {
            return Ok(self.gpu.run_timed(label, dispatches)?);
        }
        // Host time from before recording to the end of the wait.
        self.gpu.wait_idle()?;
        let started = Instant::now();
        let submission = self.gpu.run(label, dispatches)?;
        self.gpu.wait(Some(submission))?;
        Ok(started.elapsed())
    }
}

/// `time`, or a [`BenchError::Timing`] when the clock did not advance (no rate can be
/// computed from a zero time).
fn nonzero(what: &str, time: Duration) -> Result<Duration, BenchError> {
    if time.is_zero() {
        return Err(timing_error(what, "the median time is zero"));
    }
    Ok(time)
}

/// The median of `samples` (the mean of the middle two for an even count); zero when empty.
pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    let mid = samples.len() / 2;
    match (samples.get(mid.wrapping_sub(1)), samples.get(mid)) {
        (Some(&lo), Some(&hi)) if samples.len().is_multiple_of(2) => (lo + hi) / 2,
        (_, Some(&m)) => m,
        _ => Duration::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|&m| Duration::from_millis(m)).collect()
    }

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(ms(&[5, 1, 3])), Duration::from_millis(3));
        assert_eq!(median(ms(&[4, 1, 3, 2])), Duration::from_micros(2500));
        assert_eq!(median(ms(&[7])), Duration::from_millis(7));
        assert_eq!(median(Vec::new()), Duration::ZERO);
    }

    #[test]
    fn a_zero_time_is_an_error() {
        assert!(nonzero("x", Duration::ZERO).is_err());
        assert_eq!(
            nonzero("x", Duration::from_nanos(1)).ok(),
            Some(Duration::from_nanos(1))
        );
    }
}

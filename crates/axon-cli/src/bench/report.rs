//! The `axon bench kernels` report, as a table or as one JSON object on stdout. The JSON is a
//! contract outside scripts read: extend it, never rename a key.
//!
//! ```text
//! {"adapter": {"name", "driver", "backend", "device_type"},
//!  "commit": "<sha>" | null, "date": "YYYY-MM-DDTHH:MM:SSZ",
//!  "clock": "timestamp" | "wall", "iters", "quick",
//!  "copy_bytes_moved_per_iter",   // read + write bytes of one copy (2 x the buffer)
//!  "copy_us", "copy_gb_s",        // copy_buffer_to_buffer; copy_gb_s =
//!                                 //   copy_bytes_moved_per_iter / time, 1 GB = 1e9 B
//!  "shader_copy_us", "shader_copy_gb_s",   // the vec4 copy shader on the same buffers,
//!                                          //   same convention (read + write bytes / time)
//!  "reference_gb_s",              // max(copy_gb_s, shader_copy_gb_s)
//!  "matvec": [{"format", "rows", "cols", "weight_bytes",
//!              "weight_copies",   // distinct weight buffers the timed dispatches cycle
//!                                 //   through: enough to outgrow the caches (>= 512 MiB in
//!                                 //   all), so weights come from memory as in decode
//!              "bytes",           // weights + x + y: the bytes one dispatch reads + writes
//!              "batch",           // dispatches per timed run (see timing.rs)
//!              "us", "gb_s",      // gb_s = bytes / time
//!              "pct_of_copy"}     // 100 * gb_s / reference_gb_s (the name predates the
//!                                 //   shader copy; it is kept for the scripts that read it)
//!             | {"format", "rows", "cols", "skipped": "reason"}],
//!  "matvec_columns": [{"format", "rows", "cols",
//!              "columns",         // input vectors in one dispatch (1, 2, 4, 8, 9, 16)
//!              "weight_copies", "batch", "us",
//!              "us_per_column",   // us / columns
//!              "vs_one_column"}   // us / the same row's us at one column (null if that
//!                                 //   was skipped)
//!             | {"format", "columns", "rows", "cols", "skipped": "reason"}],
//!  "matvec_q8": [ as "matvec" ],  // the integer-dot kernel (matvec_q8) against x already
//!                                 //   quantized to 8 bits; "bytes" counts the 8-bit x
//!  "matvec_q8_columns": [ as "matvec_columns" ],  // the same against several 8-bit x
//!  "quantize_q8": [{"cols", "batch", "us"}],   // quantizing one x of `cols` values
//!  "matmul": [{"format", "tokens", "rows", "cols", "batch", "us",
//!              "tflop_s"}         // 2 * tokens * rows * cols / time, 1 TFLOP = 1e12
//!             | {"format", "tokens", "rows", "cols", "skipped": "reason"}]}
//! ```
//!
//! Times (`us`) are medians of one dispatch (of one copy for `copy_us`), in microseconds. The
//! copy buffers are 1 GiB (64 MiB with `--quick`), less where the device cannot bind that much.

use super::BenchError;
use serde::Serialize;
use std::io::Write;

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The device measured.
    pub adapter: Adapter,
    /// The source commit, when known.
    pub commit: Option<String>,
    /// When the measurement was taken (UTC, RFC 3339).
    pub date: String,
    /// `"timestamp"` or `"wall"`.
    pub clock: &'static str,
    /// Timed runs per measurement.
    pub iters: usize,
    /// Whether the tiny `--quick` shapes were used.
    pub quick: bool,
    /// Bytes one copy reads plus bytes it writes.
    pub copy_bytes_moved_per_iter: u64,
    /// Median time of one copy.
    pub copy_us: f64,
    /// Copy bandwidth, read + write, in GB/s.
    pub copy_gb_s: f64,
    /// Median time of one dispatch of the copy shader on the same buffers.
    pub shader_copy_us: f64,
    /// The copy shader's bandwidth, read + write, in GB/s.
    pub shader_copy_gb_s: f64,
    /// The larger of the two copy bandwidths: what `pct_of_copy` compares with.
    pub reference_gb_s: f64,
    /// Matrix-vector measurements.
    pub matvec: Vec<Entry<Matvec>>,
    /// Matrix-vector calls on several input vectors at once.
    pub matvec_columns: Vec<Entry<MatvecColumns>>,
    /// Matrix-vector measurements of the integer-dot kernel (x already 8-bit).
    pub matvec_q8: Vec<Entry<Matvec>>,
    /// The integer-dot kernel on several input vectors at once.
    pub matvec_q8_columns: Vec<Entry<MatvecColumns>>,
    /// Quantizing x to 8 bits, per input length.
    pub quantize_q8: Vec<QuantizeQ8>,
    /// Matrix-matrix measurements.
    pub matmul: Vec<Entry<Matmul>>,
}

/// One measurement of `quantize_q8` (no weights: the x of a `cols`-wide matrix).
#[derive(Debug, Serialize)]
pub struct QuantizeQ8 {
    /// Values quantized.
    pub cols: usize,
    /// Dispatches per timed run.
    pub batch: usize,
    /// Median time of one dispatch.
    pub us: f64,
}

/// The adapter's identity.
#[derive(Debug, Serialize)]
pub struct Adapter {
    /// Adapter name.
    pub name: String,
    /// Driver name and version.
    pub driver: String,
    /// Graphics API (always Vulkan).
    pub backend: String,
    /// Discrete, integrated, software (`Cpu`), ...
    pub device_type: String,
}

/// A measurement, or why a case was skipped.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Entry<T> {
    /// The case ran.
    Measured(T),
    /// The case did not fit this device.
    Skipped(Skipped),
}

/// A case that was not run.
#[derive(Debug, Serialize)]
pub struct Skipped {
    /// Weight format.
    pub format: &'static str,
    /// Tokens (matrix-matrix cases only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens: Option<usize>,
    /// Input vectors (matrix-vector cases of several columns only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub columns: Option<usize>,
    /// Output rows.
    pub rows: usize,
    /// Input columns.
    pub cols: usize,
    /// Why it was skipped.
    pub skipped: String,
}

/// One matrix-vector measurement.
#[derive(Debug, Serialize)]
pub struct Matvec {
    /// Weight format.
    pub format: &'static str,
    /// Output rows.
    pub rows: usize,
    /// Input columns.
    pub cols: usize,
    /// Bytes of the encoded weights.
    pub weight_bytes: u64,
    /// Distinct copies of the weights the dispatches cycle through (1: every dispatch reads
    /// the same buffer, which stays in the caches when it fits them).
    pub weight_copies: usize,
    /// Weights + x + y bytes.
    pub bytes: u64,
    /// Dispatches per timed run.
    pub batch: usize,
    /// Median time of one dispatch.
    pub us: f64,
    /// `bytes` per second, in GB/s.
    pub gb_s: f64,
    /// `gb_s` as a percentage of the reference (faster copy) bandwidth.
    pub pct_of_copy: f64,
}

/// One matrix-vector measurement on several input vectors in one dispatch.
#[derive(Debug, Serialize)]
pub struct MatvecColumns {
    /// Weight format.
    pub format: &'static str,
    /// Output rows.
    pub rows: usize,
    /// Input columns (values per vector).
    pub cols: usize,
    /// Input vectors in the dispatch.
    pub columns: usize,
    /// Distinct copies of the weights the dispatches cycle through.
    pub weight_copies: usize,
    /// Dispatches per timed run.
    pub batch: usize,
    /// Median time of one dispatch.
    pub us: f64,
    /// `us / columns`.
    pub us_per_column: f64,
    /// `us` over the same shape's time at one column.
    pub vs_one_column: Option<f64>,
}

/// One matrix-matrix measurement.
#[derive(Debug, Serialize)]
pub struct Matmul {
    /// Weight format.
    pub format: &'static str,
    /// Tokens (rows of x).
    pub tokens: usize,
    /// Output rows.
    pub rows: usize,
    /// Input columns.
    pub cols: usize,
    /// Dispatches per timed run.
    pub batch: usize,
    /// Median time of one dispatch.
    pub us: f64,
    /// `2 * tokens * rows * cols` per second, in TFLOP/s.
    pub tflop_s: f64,
}

/// Prints `report` as one JSON line (`json`) or as a table.
pub fn print(report: &Report, json: bool) -> Result<(), BenchError> {
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, report)?;
        writeln!(out)?;
        return Ok(());
    }
    let a = &report.adapter;
    writeln!(
        out,
        "adapter  {} [{}] driver=\"{}\"",
        a.name, a.device_type, a.driver
    )?;
    let commit = report.commit.as_deref().unwrap_or("unknown");
    writeln!(out, "commit   {commit}   date {}", report.date)?;
    writeln!(
        out,
        "clock    {}, median of {} runs after 2 warm-up runs{}",
        report.clock,
        report.iters,
        if report.quick {
            " (--quick shapes)"
        } else {
            ""
        }
    )?;
    let mib = sig(report.copy_bytes_moved_per_iter as f64 / 2.0 / MIB);
    writeln!(
        out,
        "copy     {mib} MiB device-to-device: {} us, {} GB/s (read + write)",
        sig(report.copy_us),
        sig(report.copy_gb_s)
    )?;
    writeln!(
        out,
        "         {mib} MiB by the copy shader: {} us, {} GB/s; % copy below is of {} GB/s\n",
        sig(report.shader_copy_us),
        sig(report.shader_copy_gb_s),
        sig(report.reference_gb_s)
    )?;
    matvec_lines(&mut out, "matvec", &report.matvec)?;
    matvec_lines(&mut out, "\nmatvec_q8", &report.matvec_q8)?;
    writeln!(out, "\nquantize_q8 {:>6} {:>10}", "cols", "us")?;
    for q in &report.quantize_q8 {
        writeln!(out, "            {:>6} {:>10}", q.cols, sig(q.us))?;
    }
    columns_lines(&mut out, "\ncolumns", &report.matvec_columns)?;
    columns_lines(&mut out, "\ncolumns_q8", &report.matvec_q8_columns)?;
    writeln!(
        out,
        "\nmatmul  {:<6} {:>7} {:>6} {:>6} {:>10} {:>9}",
        "format", "tokens", "rows", "cols", "us", "TFLOP/s"
    )?;
    for entry in &report.matmul {
        match entry {
            Entry::Measured(m) => writeln!(
                out,
                "        {:<6} {:>7} {:>6} {:>6} {:>10} {:>9}",
                m.format,
                m.tokens,
                m.rows,
                m.cols,
                sig(m.us),
                sig(m.tflop_s)
            )?,
            Entry::Skipped(s) => skipped_line(&mut out, s)?,
        }
    }
    Ok(())
}

const MIB: f64 = (1u64 << 20) as f64;

/// A matrix-vector table under `title`.
fn matvec_lines(
    out: &mut impl Write,
    title: &str,
    entries: &[Entry<Matvec>],
) -> std::io::Result<()> {
    writeln!(
        out,
        "{title:<8}{:<6} {:>7} {:>6} {:>9} {:>10} {:>9} {:>7}",
        "format", "rows", "cols", "MiB", "us", "GB/s", "% copy"
    )?;
    for entry in entries {
        match entry {
            Entry::Measured(m) => writeln!(
                out,
                "        {:<6} {:>7} {:>6} {:>9} {:>10} {:>9} {:>7}",
                m.format,
                m.rows,
                m.cols,
                sig(m.bytes as f64 / MIB),
                sig(m.us),
                sig(m.gb_s),
                sig(m.pct_of_copy)
            )?,
            Entry::Skipped(s) => skipped_line(out, s)?,
        }
    }
    Ok(())
}

/// The several-column rows under a `title` line.
fn columns_lines(
    out: &mut impl Write,
    title: &str,
    entries: &[Entry<MatvecColumns>],
) -> std::io::Result<()> {
    writeln!(
        out,
        "{title:<11} {:<6} {:>7} {:>6} {:>7} {:>10} {:>9} {:>7}",
        "format", "rows", "cols", "columns", "us", "us/col", "x 1col"
    )?;
    for entry in entries {
        match entry {
            Entry::Measured(m) => writeln!(
                out,
                "            {:<6} {:>7} {:>6} {:>7} {:>10} {:>9} {:>7}",
                m.format,
                m.rows,
                m.cols,
                m.columns,
                sig(m.us),
                sig(m.us_per_column),
                m.vs_one_column.map_or_else(|| "-".to_owned(), sig)
            )?,
            Entry::Skipped(s) => skipped_line(out, s)?,
        }
    }
    Ok(())
}

/// `x` with three significant digits (more left of the point when it is that large).
fn sig(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let decimals = (2 - x.abs().log10().floor() as i32).clamp(0, 9) as usize;
    format!("{x:.decimals$}")
}

fn skipped_line(out: &mut impl Write, s: &Skipped) -> std::io::Result<()> {
    let tokens = s
        .tokens
        .or(s.columns)
        .map_or_else(String::new, |t| format!("{t} x "));
    writeln!(
        out,
        "        {:<6} {tokens}{} x {}: skipped ({})",
        s.format, s.rows, s.cols, s.skipped
    )
}

#[cfg(test)]
mod tests {
    use super::sig;

    #[test]
    fn three_significant_digits() {
        assert_eq!(sig(1234.5), "1234");
        assert_eq!(sig(123.45), "123");
        assert_eq!(sig(4.5678), "4.57");
        assert_eq!(sig(0.000_288_7), "0.000289");
        assert_eq!(sig(0.0), "0");
    }
}

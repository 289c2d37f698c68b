//! `axon inspect FILE`: a GGUF file's metadata (arrays abbreviated) and tensor table.

use axon_formats::gguf::{GgufError, GgufFile, Value};
use std::io::Write;
use std::path::Path;

/// Why `axon inspect` failed.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// The file is not a readable GGUF file.
    #[error(transparent)]
    Gguf(#[from] GgufError),
    /// Writing to stdout failed.
    #[error("writing to stdout: {0}")]
    Io(#[from] std::io::Error),
}

/// Longest string value printed whole; longer ones (chat templates) are cut.
const MAX_STRING: usize = 120;

fn show(value: &Value) -> String {
    match value {
        Value::String(s) if s.chars().count() > MAX_STRING => {
            let head: String = s.chars().take(MAX_STRING).collect();
            format!("{head:?}... ({} chars)", s.chars().count())
        }
        other => other.to_string(),
    }
}

/// Prints the report for `path` to stdout.
pub fn run(path: &Path) -> Result<(), InspectError> {
    let file = GgufFile::open(path)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}: GGUF v{}, {} metadata entries, {} tensors, alignment {}, data at byte {}, {} bytes",
        path.display(),
        file.version(),
        file.metadata().count(),
        file.tensors().len(),
        file.alignment(),
        file.data_offset(),
        file.file_len()
    )?;
    writeln!(out, "\nMetadata:")?;
    for (key, value) in file.metadata() {
        writeln!(out, "  {key:<44} {}", show(value))?;
    }
    writeln!(out, "\nTensors:")?;
    writeln!(
        out,
        "  {:<40} {:<8} {:<24} {:>14} {:>12}",
        "name", "type", "shape", "offset", "bytes"
    )?;
    for t in file.tensors() {
        let shape = format!("{:?}", t.dims);
        let offset = file.data_offset() + t.offset;
        writeln!(
            out,
            "  {:<40} {:<8} {:<24} {:>14} {:>12}",
            t.name,
            t.ty.name(),
            shape,
            offset,
            t.size
        )?;
    }
    Ok(())
}

//! Shared by the integration tests: where the real model files are.

use std::path::PathBuf;

/// `models/<name>` at the repository root; fails (never skips) when absent.
pub fn model(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../models")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: run scripts/fetch-models (scripts/test does)",
        path.display()
    );
    path
}

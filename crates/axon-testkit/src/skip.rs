//! Declared skips. A test that cannot run on this adapter (a tensor larger than its binding
//! limit, no timestamp queries) calls [`skip`] and returns; the skip is visible and counted:
//!
//! - it fails the test unless `AXON_ALLOWED_SKIPS` (comma-separated test names, as libtest
//!   names them: `paths::timestamps_only_observe`, or the last segment alone) lists it;
//!   `scripts/test` sets the list for lavapipe only, so on a real GPU nothing may be skipped;
//! - it prints `[axon skip] NAME: REASON` and appends `NAME<TAB>REASON` to the file named by
//!   `AXON_SKIP_LOG`, from which `scripts/test` prints `[axon test] skipped: N (names)`.

use std::io::Write;

/// The variable listing the skips a run allows.
pub const ALLOWED_VAR: &str = "AXON_ALLOWED_SKIPS";
/// The variable naming the file skips are appended to.
pub const LOG_VAR: &str = "AXON_SKIP_LOG";

/// The running test's name, as libtest gives it to the test's thread.
fn current_test() -> String {
    std::thread::current()
        .name()
        .unwrap_or("unnamed test")
        .to_owned()
}

/// Whether `allowed` (the variable's value) lists `test` by full path or by its last segment.
pub fn is_allowed(allowed: &str, test: &str) -> bool {
    let short = test.rsplit("::").next().unwrap_or(test);
    allowed
        .split(',')
        .map(str::trim)
        .any(|name| !name.is_empty() && (name == test || name == short))
}

/// Records that the running test cannot run here because of `reason`; the caller then
/// returns. Panics (fails the test) unless the skip is declared in `AXON_ALLOWED_SKIPS`.
pub fn skip(reason: &str) {
    let test = current_test();
    let allowed = std::env::var(ALLOWED_VAR).unwrap_or_default();
    assert!(
        is_allowed(&allowed, &test),
        "{test} cannot run on this adapter ({reason}) and {ALLOWED_VAR} does not allow \
         skipping it (allowed: {allowed:?}); on a real GPU nothing may be skipped"
    );
    eprintln!("[axon skip] {test}: {reason}");
    if let Ok(path) = std::env::var(LOG_VAR) {
        let line = format!("{test}\t{}\n", reason.replace(['\n', '\t'], " "));
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(line.as_bytes()));
        if let Err(e) = written {
            panic!("{test}: could not record the skip in {path}: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_in_full_or_by_last_segment() {
        let list = "paths::timestamps_only_observe, gemma3_greedy_matches_reference";
        assert!(is_allowed(list, "paths::timestamps_only_observe"));
        assert!(is_allowed(list, "real::gemma3_greedy_matches_reference"));
        assert!(!is_allowed(list, "paths::scratch_reuse_is_bit_identical"));
        assert!(!is_allowed("", "anything"));
        assert!(!is_allowed(" , ", "anything"));
    }

    #[test]
    #[should_panic(expected = "does not allow skipping it")]
    fn an_undeclared_skip_fails_the_test() {
        // This test's own name is never in the list.
        skip("no reason at all");
    }
}

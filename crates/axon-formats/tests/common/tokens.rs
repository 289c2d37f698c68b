//! Shared by the tokenizer tests: fixtures and id comparison.

use std::path::PathBuf;

/// A JSON fixture of `tests/fixtures/`.
pub fn fixture(relative: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Token ids of a JSON array.
pub fn ids(v: &serde_json::Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect()
}

/// Encodes every `{"text", "ids"}` case (with `add_special`) and requires the oracle's ids and
/// a lossless decode; reports every difference at once.
pub fn assert_same_ids(
    tokenizer: &axon_formats::tokenizer::Tokenizer,
    cases: &serde_json::Value,
    add_special: bool,
    oracle: &str,
) {
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 20, "too few cases");
    let mut failures = Vec::new();
    for case in cases {
        let text = case["text"].as_str().unwrap();
        let got = tokenizer.encode(text, add_special).unwrap();
        let want = ids(&case["ids"]);
        if got != want {
            failures.push(format!("{text:?}\n  ours: {got:?}\n  {oracle}: {want:?}"));
        }
        let decoded = tokenizer.decode(&got, false).unwrap();
        if decoded != text {
            failures.push(format!("{text:?} decodes to {decoded:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

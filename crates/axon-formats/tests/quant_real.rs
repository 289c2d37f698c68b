//! Real tensors: for each fixture in `tests/fixtures/quant/real/` (written by
//! `scripts/fixtures/quant_fixtures.py --real` with the `gguf` Python package), read the
//! tensor's exact byte range from the model file with `std::fs` (independent of our GGUF
//! reader), dequantize it, and require the same values as gguf-py: the first 64 and a checksum
//! over every value's bits exactly, the f64 sums to 1e-9.
//!
//! The model files are git-ignored; a missing one fails the test: run `scripts/fetch-models`.

use axon_formats::quant::{GgmlType, dequantize};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

struct Fixture {
    path: PathBuf,
    json: serde_json::Value,
}

impl Fixture {
    fn load(path: PathBuf) -> Self {
        let text = std::fs::read_to_string(&path).unwrap();
        let json =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Fixture { path, json }
    }

    fn has(&self, key: &str) -> bool {
        self.json.get(key).is_some()
    }

    fn get(&self, key: &str) -> &serde_json::Value {
        self.json
            .get(key)
            .unwrap_or_else(|| panic!("{}: no {key}", self.path.display()))
    }

    fn str(&self, key: &str) -> &str {
        self.get(key)
            .as_str()
            .unwrap_or_else(|| panic!("{key}: not a string"))
    }

    fn num<T: std::str::FromStr>(&self, key: &str) -> T {
        let text = self.get(key).to_string();
        text.parse().unwrap_or_else(|_| panic!("{key}: {text}"))
    }

    fn nums<T: std::str::FromStr>(&self, key: &str) -> Vec<T> {
        let items = self
            .get(key)
            .as_array()
            .unwrap_or_else(|| panic!("{key}: not an array"));
        items
            .iter()
            .map(|j| {
                j.to_string()
                    .parse()
                    .unwrap_or_else(|_| panic!("{key}: {j}"))
            })
            .collect()
    }
}

fn fixtures() -> Vec<Fixture> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/quant/real");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths.into_iter().map(Fixture::load).collect()
}

fn read_range(file: &Path, offset: u64, len: usize) -> Vec<u8> {
    let mut f = std::fs::File::open(file).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run scripts/fetch-models to download the model files",
            file.display()
        )
    });
    f.seek(SeekFrom::Start(offset)).unwrap();
    let mut buf = vec![0; len];
    f.read_exact(&mut buf).unwrap();
    buf
}

/// Sum over i of bits_i · (2i + 1), wrapping: the script's whole-tensor checksum.
fn bits_checksum(values: &[f32]) -> u64 {
    values.iter().enumerate().fold(0u64, |acc, (i, v)| {
        acc.wrapping_add(u64::from(v.to_bits()).wrapping_mul(2 * i as u64 + 1))
    })
}

#[test]
fn real_tensors_match_gguf_py() {
    let fixtures = fixtures();
    for model in [
        "SmolLM2-135M-Instruct.Q4_1.gguf",
        "gemma-3-270m-q4_k_m.gguf",
    ] {
        assert!(
            fixtures.iter().any(|f| f.str("file") == model),
            "no fixture for {model}"
        );
    }
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
    for fx in &fixtures {
        let name = format!("{}:{}", fx.str("file"), fx.str("tensor"));
        let ty = GgmlType::from_name(fx.str("type")).unwrap();
        let n = fx.num::<usize>("n_elements");
        let shape = fx.nums::<usize>("shape");
        assert_eq!(shape.iter().product::<usize>(), n, "{name}");
        let bytes = read_range(
            &models.join(fx.str("file")),
            fx.num("data_offset"),
            fx.num("n_bytes"),
        );
        let values = dequantize(ty, &bytes, n).unwrap_or_else(|e| panic!("{name}: {e}"));

        // Gemma fixtures carry no values (licence), only the checksum and sums below.
        let has_values = fx.has("first_bits");
        let first_bits = if has_values {
            fx.nums::<u32>("first_bits")
        } else {
            Vec::new()
        };
        let first = if has_values {
            fx.nums::<f64>("first")
        } else {
            Vec::new()
        };
        if has_values {
            assert_eq!(first_bits.len(), 64.min(n), "{name}");
        }
        for (i, (bits, v)) in first_bits.iter().zip(&first).enumerate() {
            assert_eq!(
                f32::from_bits(*bits).to_bits(),
                (*v as f32).to_bits(),
                "{name}[{i}]"
            );
            assert_eq!(
                values[i].to_bits(),
                *bits,
                "{name}[{i}]: {} vs {v}",
                values[i]
            );
        }

        let checksum: u64 = fx.str("bits_checksum").parse().unwrap();
        assert_eq!(
            bits_checksum(&values),
            checksum,
            "{name}: whole-tensor bits differ"
        );

        // Sequential vs numpy's pairwise f64 summation differ by at most ~n·2⁻⁵³·Σ|x|,
        // far below 1e-9·Σ|x|; the sum itself can be near zero, so scale by Σ|x|.
        let sum: f64 = values.iter().map(|&v| f64::from(v)).sum();
        let sum_sq: f64 = values.iter().map(|&v| f64::from(v) * f64::from(v)).sum();
        let sum_abs: f64 = values.iter().map(|&v| f64::from(v).abs()).sum();
        let (want_sum, want_sq, want_abs) = (
            fx.num::<f64>("sum"),
            fx.num::<f64>("sum_sq"),
            fx.num::<f64>("sum_abs"),
        );
        assert!(
            (sum - want_sum).abs() <= 1e-9 * want_abs,
            "{name}: sum {sum} vs {want_sum}"
        );
        assert!(
            (sum_sq - want_sq).abs() <= 1e-9 * want_sq,
            "{name}: {sum_sq} vs {want_sq}"
        );
        assert!(
            (sum_abs - want_abs).abs() <= 1e-9 * want_abs,
            "{name}: {sum_abs} vs {want_abs}"
        );
    }
}

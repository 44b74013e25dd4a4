//! `spectra fetch` against a local HTTP server on 127.0.0.1, serving small archives made here:
//! a good one, a corrupted one, a truncated transfer, an error status. The URL and checksum
//! options exist for exactly this (and for mirrors); the real address is never contacted.
//!
//! The server answers a fixed number of requests and stops by itself after 30 seconds at most.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::{Run, command, finish, key_values, ok, value};
use md5::{Digest, Md5};

/// What the local server sends back.
#[derive(Clone)]
enum Reply {
    /// 200 with the whole body.
    Whole(Vec<u8>),
    /// 200 announcing the whole body's length, then half of it and a closed connection.
    CutShort(Vec<u8>),
    /// An error status, no body.
    Status(u16, &'static str),
}

struct Server {
    url: String,
    /// Ends with the number of requests answered.
    thread: JoinHandle<usize>,
}

impl Server {
    /// Answers `requests` requests with `reply`, then stops (or after 30 s, whichever is first).
    fn start(reply: Reply, requests: usize) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/imagenette2-320.tgz",
            listener.local_addr().unwrap()
        );
        listener.set_nonblocking(true).unwrap();
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(30);
            let mut served = 0;
            while served < requests && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        answer(stream, &reply);
                        served += 1;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    Err(_) => break,
                }
            }
            served
        });
        Server { url, thread }
    }

    /// How many requests were answered (waits for the server to stop).
    fn served(self) -> usize {
        self.thread.join().unwrap()
    }
}

fn answer(mut stream: std::net::TcpStream, reply: &Reply) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    // Read the request head (the client sends no body).
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
        head.push(byte[0]);
    }
    let (status, body, sent) = match reply {
        Reply::Whole(b) => ("200 OK".to_string(), b.as_slice(), b.len()),
        Reply::CutShort(b) => ("200 OK".to_string(), b.as_slice(), b.len() / 2),
        Reply::Status(code, text) => (format!("{code} {text}"), &[][..], 0),
    };
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/x-gzip\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(header.as_bytes());
    let _ = stream.write_all(&body[..sent]);
    let _ = stream.flush();
}

/// A small stand-in for Imagenette: two photos in its folder layout, and its CSV.
fn archive() -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    let mut add = |path: &str, data: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, path, data).unwrap();
    };
    for (k, path) in [
        "imagenette2-320/train/n01440764/ILSVRC2012_val_00000293.JPEG",
        "imagenette2-320/val/n03888605/n03888605_10.JPEG",
    ]
    .iter()
    .enumerate()
    {
        add(path, &photo(k as u64));
    }
    add(
        "imagenette2-320/noisy_imagenette.csv",
        b"path,noisy_labels_0\n",
    );
    tar.into_inner().unwrap().finish().unwrap()
}

/// A 64 × 48 JPEG of smoothed noise.
fn photo(seed: u64) -> Vec<u8> {
    let mut s = seed + 1;
    let img = bookkit::image::RgbImage::from_fn(64, 48, |x, y| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let v = ((x * 3 + y * 2) as u64 + (s >> 58)) as u8;
        bookkit::image::Rgb([v, v / 2, 255 - v])
    });
    let mut out = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut out),
        bookkit::image::ImageFormat::Jpeg,
    )
    .unwrap();
    out
}

fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `spectra fetch imagenette` from `url`, expecting the archive with `md5`, into `cache`.
fn fetch(cache: &Path, url: &str, md5: &str, json: bool) -> Run {
    let mut args = vec![
        "fetch".to_string(),
        "imagenette".into(),
        "--cache-dir".into(),
        cache.display().to_string(),
        "--url".into(),
        url.into(),
        "--md5".into(),
        md5.into(),
    ];
    if json {
        args.push("--json".into());
    }
    finish(command(&args))
}

/// An address where nothing listens: any attempt to download from it fails.
fn dead_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}/gone.tgz", listener.local_addr().unwrap())
}

/// The names in a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    n.sort();
    n
}

/// A failed fetch: one line naming `what`, and nothing left in the cache that looks like data.
fn assert_failed_cleanly(run: &Run, what: &str, words: &str, cache: &Path) {
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.starts_with(&format!("spectra: {what}: ")) && run.stderr.contains(words),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        names(cache).is_empty(),
        "left in the cache: {:?}",
        names(cache)
    );
}

#[test]
fn fetch_downloads_verifies_extracts_and_then_uses_the_cache() {
    let data = archive();
    let cache = tempfile::tempdir().unwrap();
    let server = Server::start(Reply::Whole(data.clone()), 1);
    let run = fetch(cache.path(), &server.url, &md5_hex(&data), false);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert_eq!(server.served(), 1);
    let folder: PathBuf = cache.path().join("imagenette/imagenette2-320");
    assert_eq!(run.stdout, format!("{}\n", folder.display()));
    // Only the finished folder remains: no archive, no partial download, no extraction folder.
    assert_eq!(names(cache.path()), ["imagenette"]);
    assert_eq!(
        names(&cache.path().join("imagenette")),
        [".complete", "imagenette2-320"]
    );
    assert_eq!(names(&folder), ["noisy_imagenette.csv", "train", "val"]);
    // The folder is what the other commands take.
    let kv = key_values(&ok(&["fit".as_ref(), folder.as_os_str()]));
    assert_eq!(value(&kv, "images"), 2.0);
    // A second fetch finds it in the cache and touches no network (the address is dead).
    let again = fetch(cache.path(), &dead_url(), &md5_hex(&data), true);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let v: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(v["folder"], folder.display().to_string());
    assert_eq!(v["downloaded"], false);
    assert_eq!(v["dataset"], "imagenette");
}

#[test]
fn a_corrupted_download_is_refused_and_the_next_run_starts_over() {
    let data = archive();
    let md5 = md5_hex(&data);
    let mut corrupted = data.clone();
    let middle = corrupted.len() / 2;
    corrupted[middle] ^= 0x40;
    let cache = tempfile::tempdir().unwrap();
    let server = Server::start(Reply::Whole(corrupted), 1);
    let run = fetch(cache.path(), &server.url, &md5, false);
    assert_failed_cleanly(&run, &server.url, "checksum mismatch", cache.path());
    assert!(run.stderr.contains(&format!("expected {md5}")));
    server.served();

    let server = Server::start(Reply::Whole(data), 1);
    let run = fetch(cache.path(), &server.url, &md5, false);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(server.served(), 1);
}

#[test]
fn a_truncated_transfer_is_refused_and_leftovers_of_a_killed_run_are_cleared() {
    let data = archive();
    let md5 = md5_hex(&data);
    let cache = tempfile::tempdir().unwrap();
    let server = Server::start(Reply::CutShort(data.clone()), 1);
    let run = fetch(cache.path(), &server.url, &md5, false);
    assert_failed_cleanly(&run, &server.url, "download interrupted", cache.path());
    server.served();

    // What a run killed mid-way could leave: a partial download, an extraction folder of a
    // process that is gone, a data set folder without its completion marker.
    let c = cache.path();
    std::fs::write(c.join("imagenette2-320.tgz.part"), &data[..100]).unwrap();
    std::fs::create_dir_all(c.join("imagenette.tmp-4000000000/imagenette2-320")).unwrap();
    std::fs::create_dir_all(c.join("imagenette/imagenette2-320/val")).unwrap();
    std::fs::write(c.join("imagenette/imagenette2-320/val/half.JPEG"), b"x").unwrap();
    let server = Server::start(Reply::Whole(data), 1);
    let run = fetch(c, &server.url, &md5, false);
    assert_eq!(run.code, 0, "{}", run.stderr);
    server.served();
    assert_eq!(names(c), ["imagenette"]);
    let val = c.join("imagenette/imagenette2-320/val/n03888605");
    assert_eq!(names(&val), ["n03888605_10.JPEG"]);
    assert!(!c.join("imagenette/imagenette2-320/val/half.JPEG").exists());
}

#[test]
fn error_statuses_and_broken_archives_fail_cleanly() {
    let cache = tempfile::tempdir().unwrap();
    let server = Server::start(Reply::Status(404, "Not Found"), 1);
    let run = fetch(cache.path(), &server.url, &"0".repeat(32), false);
    assert_failed_cleanly(&run, &server.url, "404", cache.path());
    server.served();

    // The right checksum, but not a .tar.gz: refused at extraction, nothing half-extracted.
    let junk = b"this is not an archive".to_vec();
    let server = Server::start(Reply::Whole(junk.clone()), 1);
    let run = fetch(cache.path(), &server.url, &md5_hex(&junk), false);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("not a valid .tar.gz archive"),
        "{}",
        run.stderr
    );
    server.served();
    assert!(!cache.path().join("imagenette").exists());
    assert!(names(cache.path()).iter().all(|n| !n.contains(".tmp-")));
}

#[test]
fn the_cache_folder_defaults_to_spectra_cache_then_xdg_cache_home() {
    let data = archive();
    let md5 = md5_hex(&data);
    let server = Server::start(Reply::Whole(data), 2);
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let args = ["fetch", "imagenette", "--url", &server.url, "--md5", &md5];
    let mut cmd = command(&args);
    cmd.env("SPECTRA_CACHE", a.path())
        .env("XDG_CACHE_HOME", b.path());
    let run = finish(cmd);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with(&a.path().display().to_string()));
    let mut cmd = command(&args);
    cmd.env_remove("SPECTRA_CACHE")
        .env("XDG_CACHE_HOME", b.path());
    let run = finish(cmd);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let expected = b.path().join("spectral-book/imagenette/imagenette2-320");
    assert_eq!(run.stdout, format!("{}\n", expected.display()));
    assert_eq!(server.served(), 2);
}

#[test]
fn the_published_address_and_checksum_are_imagenettes() {
    let d = spectra_cli::fetch::IMAGENETTE;
    assert_eq!(
        d.url,
        "https://s3.amazonaws.com/fast-ai-imageclas/imagenette2-320.tgz"
    );
    assert_eq!(d.md5, "3df6f0d01a2c9592104656642f5e78a3");
}

/// No network anywhere else: of the project's source files, only `fetch.rs` names the HTTP
/// client or opens connections (the tests' loopback server aside).
#[test]
fn only_the_fetch_module_uses_the_network() {
    let root = bookkit::data::workspace_root();
    let mut offenders = Vec::new();
    let mut stack = vec![root.join("listings"), root.join("xtask")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.ends_with("tests") && !path.ends_with("target") {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("spectra-cli/src/fetch.rs")
            {
                let text = std::fs::read_to_string(&path).unwrap();
                if ["ureq", "TcpStream", "TcpListener", "UdpSocket"]
                    .iter()
                    .any(|w| text.contains(w))
                {
                    offenders.push(path);
                }
            }
        }
    }
    assert!(offenders.is_empty(), "network code in {offenders:?}");
}

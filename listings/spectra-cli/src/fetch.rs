//! Downloading the post's own data sets, for readers with internet: the only code in the project
//! that touches the network, run only by `spectra fetch`.
//!
//! A fetch is built to be interrupted at any moment and run again:
//!
//! 1. the archive downloads to `<cache>/<archive>.part`, its MD5 computed on the way;
//! 2. only an archive with the expected MD5 is renamed to `<cache>/<archive>` (a wrong one is
//!    deleted);
//! 3. it is extracted into `<cache>/<name>.tmp-<pid>`, a `.complete` marker is written inside, and
//!    that folder is renamed to `<cache>/<name>` in one step; the archive is then deleted.
//!
//! So `<cache>/<name>` exists only complete. Whatever an interrupted run left (a `.part` file, a
//! `.tmp-<pid>` folder of a process that is gone, a folder without marker) is thrown away by the
//! next run, which starts over.

use std::fs::{self, File};
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use indicatif::ProgressBar;
use md5::{Digest, Md5};

/// A data set the post used, as published.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dataset {
    /// Its folder in the cache.
    pub name: &'static str,
    pub url: &'static str,
    /// MD5 of the archive, lower-case hex.
    pub md5: &'static str,
    /// The archive's file name in the cache while it is being downloaded and extracted.
    pub archive: &'static str,
}

/// Imagenette, 320-pixel version (fast.ai): the ten-class ImageNet subset the post measured its
/// image spectra on. The checksum is the one torchvision uses.
pub const IMAGENETTE: Dataset = Dataset {
    name: "imagenette",
    url: "https://s3.amazonaws.com/fast-ai-imageclas/imagenette2-320.tgz",
    md5: "3df6f0d01a2c9592104656642f5e78a3",
    archive: "imagenette2-320.tgz",
};

/// Environment variable naming the cache folder.
pub const CACHE_VAR: &str = "SPECTRA_CACHE";

/// Name of the marker file a complete data set folder holds (the archive's MD5 and URL).
pub const MARKER: &str = ".complete";

/// The cache folder: `$SPECTRA_CACHE`, else `$XDG_CACHE_HOME/spectral-book`, else
/// `~/.cache/spectral-book`.
pub fn default_cache_dir() -> Result<PathBuf> {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var(CACHE_VAR) {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = var("XDG_CACHE_HOME") {
        return Ok(PathBuf::from(dir).join("spectral-book"));
    }
    var("HOME")
        .map(|home| PathBuf::from(home).join(".cache/spectral-book"))
        .ok_or_else(|| anyhow!("no cache folder: set {CACHE_VAR} or HOME, or pass --cache-dir"))
}

/// Where to download from and what the archive must hash to (a mirror, or a test server).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub url: String,
    pub md5: String,
}

impl From<&Dataset> for Source {
    fn from(d: &Dataset) -> Source {
        Source {
            url: d.url.into(),
            md5: d.md5.into(),
        }
    }
}

/// What a fetch produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    /// The folder of images to pass to the other commands.
    pub folder: PathBuf,
    /// False when the data set was already in the cache (no network used).
    pub downloaded: bool,
}

/// Makes sure `dataset` is in `cache` (downloading, verifying and extracting it if not) and returns
/// its folder. `bar` shows the bytes downloaded, then the bytes of the archive extracted; the
/// caller finishes it.
pub fn fetch(
    dataset: &Dataset,
    source: &Source,
    cache: &Path,
    bar: &ProgressBar,
) -> Result<Fetched> {
    fs::create_dir_all(cache)
        .with_context(|| format!("{}: cannot create the cache folder", cache.display()))?;
    let target = cache.join(dataset.name);
    if is_complete(&target, &source.md5) {
        return Ok(Fetched {
            folder: data_folder(&target)?,
            downloaded: false,
        });
    }
    remove_leftovers(cache, dataset)?;
    let archive = cache.join(dataset.archive);
    let downloaded = !has_md5(&archive, &source.md5);
    if downloaded {
        download(source, &archive, bar)?;
    }
    bar.set_message("extracting");
    bar.set_position(0);
    bar.set_length(fs::metadata(&archive).map(|m| m.len()).unwrap_or(0));
    install(&archive, source, &target, bar)?;
    fs::remove_file(&archive)
        .with_context(|| format!("{}: cannot delete the archive", archive.display()))?;
    Ok(Fetched {
        folder: data_folder(&target)?,
        downloaded,
    })
}

/// Whether `dir` is a finished extraction of the archive with this MD5.
fn is_complete(dir: &Path, md5: &str) -> bool {
    fs::read_to_string(dir.join(MARKER)).is_ok_and(|m| m.lines().next() == Some(md5))
}

/// The folder to measure: the archive's single top folder if it has one (Imagenette's
/// `imagenette2-320`), else the extraction itself.
fn data_folder(dir: &Path) -> Result<PathBuf> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("{}: cannot list", dir.display()))? {
        let entry = entry.with_context(|| format!("{}: cannot list", dir.display()))?;
        if entry.file_name() != MARKER {
            entries.push(entry.path());
        }
    }
    Ok(match entries.as_slice() {
        [only] if only.is_dir() => only.clone(),
        _ => dir.to_path_buf(),
    })
}

/// Deletes what interrupted runs left: the partial download, extraction folders of processes that
/// no longer run, and the data set folder if it lacks its marker (or is another version).
fn remove_leftovers(cache: &Path, dataset: &Dataset) -> Result<()> {
    let remove = |path: &Path| -> Result<()> {
        let result = if path.is_dir() {
            fs::remove_dir_all(path)
        } else {
            fs::remove_file(path)
        };
        match result {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).with_context(|| format!("{}: cannot remove a leftover", path.display()))
            }
            _ => Ok(()),
        }
    };
    remove(&cache.join(format!("{}.part", dataset.archive)))?;
    remove(&cache.join(dataset.name))?;
    let prefix = format!("{}.tmp-", dataset.name);
    for entry in fs::read_dir(cache).with_context(|| format!("{}: cannot list", cache.display()))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some(pid) = name.strip_prefix(&prefix)
            && !process_is_running(pid)
        {
            remove(&cache.join(&name))?;
        }
    }
    Ok(())
}

/// Whether the process `pid` (text, from a folder name) still runs, where that can be told
/// (`/proc`); elsewhere every leftover counts as abandoned.
fn process_is_running(pid: &str) -> bool {
    let proc = Path::new("/proc");
    pid.parse::<u32>().is_ok_and(|p| p != std::process::id())
        && proc.is_dir()
        && proc.join(pid).exists()
}

/// Whether `path` is a file whose MD5 is `md5` (an archive a previous run verified but did not
/// get to extract).
fn has_md5(path: &Path, md5: &str) -> bool {
    File::open(path)
        .and_then(|f| md5_of(BufReader::new(f)))
        .is_ok_and(|m| m == md5)
}

fn md5_of(mut reader: impl Read) -> std::io::Result<String> {
    let mut hasher = Md5::new();
    let mut buf = vec![0; 1 << 16];
    loop {
        match reader.read(&mut buf)? {
            0 => return Ok(hex(&hasher.finalize())),
            n => hasher.update(&buf[..n]),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `s` is an MD5 checksum written as 32 hexadecimal digits.
pub fn is_md5(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Downloads `source` to `archive`, through `<archive>.part`, and checks its MD5. On any failure
/// the partial file is deleted: the next run starts over.
fn download(source: &Source, archive: &Path, bar: &ProgressBar) -> Result<()> {
    let part = archive.with_file_name(format!(
        "{}.part",
        archive.file_name().unwrap_or_default().to_string_lossy()
    ));
    let outcome = download_to(source, &part, bar).and_then(|md5| {
        if md5 == source.md5.to_ascii_lowercase() {
            Ok(())
        } else {
            Err(anyhow!(
                "{}: checksum mismatch: the download has MD5 {md5}, expected {} (a corrupted \
                 or incomplete download; it was deleted, run the command again)",
                source.url,
                source.md5
            ))
        }
    });
    if let Err(e) = outcome {
        let _ = fs::remove_file(&part);
        return Err(e);
    }
    fs::rename(&part, archive)
        .with_context(|| format!("{}: cannot move the download into place", archive.display()))
}

/// Streams the body of a GET of `source.url` into `part`, returning the MD5 of what arrived.
fn download_to(source: &Source, part: &Path, bar: &ProgressBar) -> Result<String> {
    let url = &source.url;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_recv_response(Some(Duration::from_secs(60)))
        .timeout_per_read(Some(Duration::from_secs(60)))
        .user_agent(concat!("spectra/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let response = agent
        .get(url)
        .call()
        .map_err(|e| anyhow!("{url}: download failed: {e}"))?;
    if let Some(len) = response.body().content_length() {
        bar.set_length(len);
    }
    let mut body = response.into_body().into_reader();
    let mut file =
        File::create(part).with_context(|| format!("{}: cannot write", part.display()))?;
    let (mut hasher, mut buf, mut received) = (Md5::new(), vec![0; 1 << 16], 0u64);
    loop {
        let n = body.read(&mut buf).map_err(|e| {
            anyhow!(
                "{url}: download interrupted after {received} bytes ({e}); run the command \
                 again to restart it"
            )
        })?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n])
            .with_context(|| format!("{}: write failed", part.display()))?;
        received += n as u64;
        bar.inc(n as u64);
    }
    file.sync_all()
        .with_context(|| format!("{}: write failed", part.display()))?;
    Ok(hex(&hasher.finalize()))
}

/// Extracts the verified `archive` into a temporary folder and renames that to `target`, complete
/// with its marker, in one step.
fn install(archive: &Path, source: &Source, target: &Path, bar: &ProgressBar) -> Result<()> {
    let tmp = target.with_file_name(format!(
        "{}.tmp-{}",
        target.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let result = extract(archive, &tmp, bar).and_then(|()| {
        fs::write(
            tmp.join(MARKER),
            format!("{}\n{}\n", source.md5, source.url),
        )
        .with_context(|| format!("{}: cannot write the marker", tmp.display()))?;
        fs::rename(&tmp, target)
            .with_context(|| format!("{}: cannot move the data set into place", target.display()))
    });
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}

/// Unpacks a `.tar.gz` into `dir`. The tar crate refuses entries that would land outside `dir`
/// (absolute paths, `..`), so a hostile archive cannot write elsewhere.
fn extract(archive: &Path, dir: &Path, bar: &ProgressBar) -> Result<()> {
    let file =
        File::open(archive).with_context(|| format!("{}: cannot open", archive.display()))?;
    fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let compressed = bar.wrap_read(BufReader::new(file));
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(compressed));
    tar.set_preserve_permissions(false);
    tar.set_overwrite(true);
    let unpacked = tar
        .unpack(dir)
        .with_context(|| format!("{}: not a valid .tar.gz archive", archive.display()));
    if unpacked.is_ok() && fs::read_dir(dir)?.next().is_none() {
        bail!("{}: the archive is empty", archive.display());
    }
    unpacked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_matches_the_reference_values() {
        // RFC 1321, appendix A.5.
        assert_eq!(
            md5_of(&b""[..]).unwrap(),
            "d41d8cd98f00b204e9800998ecf8427e"
        );
        assert_eq!(
            md5_of(&b"message digest"[..]).unwrap(),
            "f96b697d7cb7938d525a2f31aaf161d0"
        );
        assert!(is_md5(IMAGENETTE.md5));
        assert!(!is_md5("3df6f0d01a2c9592104656642f5e78a"));
    }

    #[test]
    fn leftovers_of_dead_processes_are_removed_and_live_ones_kept() {
        let cache = tempfile::tempdir().unwrap();
        let dead = cache.path().join("imagenette.tmp-4000000000");
        let mine = cache
            .path()
            .join(format!("imagenette.tmp-{}", std::process::id()));
        for d in [&dead, &mine] {
            fs::create_dir(d).unwrap();
        }
        fs::write(cache.path().join("imagenette2-320.tgz.part"), b"half").unwrap();
        remove_leftovers(cache.path(), &IMAGENETTE).unwrap();
        assert!(!dead.exists());
        assert!(!cache.path().join("imagenette2-320.tgz.part").exists());
        // Our own pid counts as abandoned too: this process is not extracting there.
        assert!(!mine.exists());
    }
}

//! What a reader names on a command line, or a listing in the repository, for every medium the
//! book measures: files taken as given, folders walked the same way for photos and recordings, and
//! one error, [`BadFile`], for anything that cannot be used, naming it and the problem.
//!
//! A walk never stops at the first problem: a missing path, an unreadable folder or a folder
//! without files of the medium each become a [`BadFile`] in the list, at the place the input was
//! named, so a caller can warn and go on with the rest ([`Medium::walk`]), or stop at the first
//! ([`Medium::files`]).

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// A file or folder that cannot be used, and why, for the reader: `<path>: <problem>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadFile {
    pub path: PathBuf,
    pub problem: String,
}

impl BadFile {
    pub fn new(path: &Path, problem: impl Into<String>) -> BadFile {
        BadFile {
            path: path.to_path_buf(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for BadFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.problem)
    }
}

impl std::error::Error for BadFile {}

/// An I/O error as a short phrase ("no such file or folder", "permission denied"), without the
/// "(os error 2)" that means nothing to a reader.
pub fn io_problem(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "no such file or folder".into(),
        PermissionDenied => "permission denied".into(),
        IsADirectory => "is a folder, not a file".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(end) => text[..end].to_lowercase(),
                None => text,
            }
        }
    }
}

/// A kind of file the book measures: what to call it, and which names a folder walk picks up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Medium {
    /// The word messages use ("no image files in this folder").
    pub noun: &'static str,
    /// File extensions a folder walk picks up (lower-case, compared case-insensitively). A file
    /// named directly is read whatever its name: its content decides the format.
    pub extensions: &'static [&'static str],
}

/// File extensions of the photo formats the loader reads.
pub const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "gif", "webp", "bmp", "tif", "tiff"];

/// File extensions of the recording formats the loader reads (WAV, FLAC, Ogg Vorbis, MP3, AIFF).
pub const AUDIO_EXTENSIONS: &[&str] = &[
    "wav", "wave", "flac", "ogg", "oga", "mp3", "aif", "aiff", "aifc",
];

/// Photos ([`crate::data`]).
pub const IMAGES: Medium = Medium {
    noun: "image",
    extensions: IMAGE_EXTENSIONS,
};

/// Recordings ([`crate::audio`]).
pub const RECORDINGS: Medium = Medium {
    noun: "audio",
    extensions: AUDIO_EXTENSIONS,
};

impl Medium {
    /// Every input in the order given, a folder expanded to its files of this medium sorted by
    /// path (so results never depend on directory order), each entry either a file to read or an
    /// input that cannot be used.
    ///
    /// Inside folders, hidden entries (names starting with `.`, such as the `._photo.jpg` files
    /// macOS leaves on shared drives) are skipped, and symbolic links to folders are not followed
    /// (a link loop would never end). Links to files are followed.
    pub fn walk(&self, inputs: &[PathBuf]) -> Vec<Result<PathBuf, BadFile>> {
        walk_files(inputs, self.extensions, self.noun)
    }

    /// Every file of this medium under `inputs`, sorted by path; the first input that cannot be
    /// used (missing, unreadable, a folder without such files) is the error.
    pub fn files(&self, inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
        let mut files = self
            .walk(inputs)
            .into_iter()
            .collect::<Result<Vec<_>, BadFile>>()?;
        files.sort();
        if files.is_empty() {
            let named: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
            bail!("no {} files found in {}", self.noun, named.join(", "));
        }
        Ok(files)
    }
}

/// [`Medium::walk`] for any list of extensions; `what` names the kind in the message about a
/// folder without any ("no audio files in this folder").
pub fn walk_files(
    inputs: &[PathBuf],
    extensions: &[&str],
    what: &str,
) -> Vec<Result<PathBuf, BadFile>> {
    let mut out = Vec::new();
    for input in inputs {
        match std::fs::metadata(input) {
            Err(e) => out.push(Err(BadFile::new(input, io_problem(&e)))),
            Ok(meta) if meta.is_dir() => {
                let start = out.len();
                walk_folder(input, extensions, &mut out);
                if out.len() == start {
                    out.push(Err(BadFile::new(input, nothing_here(extensions, what))));
                }
            }
            Ok(_) => out.push(Ok(input.clone())),
        }
    }
    out
}

/// "no image files in this folder (looked for .jpg, .jpeg, …)".
fn nothing_here(extensions: &[&str], what: &str) -> String {
    let dotted: Vec<String> = extensions.iter().map(|e| format!(".{e}")).collect();
    format!(
        "no {what} files in this folder (looked for {})",
        dotted.join(", ")
    )
}

/// Whether a file name ends in one of `extensions` (compared case-insensitively).
pub fn has_extension(p: &Path, extensions: &[&str]) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| extensions.contains(&e.to_ascii_lowercase().as_str()))
}

fn walk_folder(dir: &Path, extensions: &[&str], out: &mut Vec<Result<PathBuf, BadFile>>) {
    let entries = match sorted_entries(dir) {
        Ok(entries) => entries,
        Err(e) => {
            let problem = format!("cannot list this folder: {}", io_problem(&e));
            out.push(Err(BadFile::new(dir, problem)));
            return;
        }
    };
    for (path, is_dir) in entries {
        if is_dir {
            walk_folder(&path, extensions, out);
        } else if has_extension(&path, extensions) {
            out.push(Ok(path));
        }
    }
}

/// The visible entries of a folder, sorted by name, each with whether to descend into it.
fn sorted_entries(dir: &Path) -> std::io::Result<Vec<(PathBuf, bool)>> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        // `file_type` does not follow links: a link to a folder is neither walked nor read.
        let kind = entry.file_type()?;
        let is_dir = kind.is_dir();
        if kind.is_symlink() && entry.path().is_dir() {
            continue;
        }
        entries.push((entry.path(), is_dir));
    }
    entries.sort();
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_stay_in_place_and_the_walk_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a"),
            dir.path().join("b"),
            dir.path().join("c"),
        );
        for d in [&a, &b, &c] {
            std::fs::create_dir(d).unwrap();
        }
        for p in [
            "a/2.png",
            "a/1.JPEG",
            "a/.hidden.png",
            "a/notes.txt",
            "c/x.webp",
        ] {
            std::fs::write(dir.path().join(p), b"x").unwrap();
        }
        std::fs::create_dir(a.join(".git")).unwrap();
        std::fs::write(a.join(".git/3.png"), b"x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&a, a.join("loop")).unwrap();
        let missing = dir.path().join("missing.png");
        let walked = IMAGES.walk(&[c.clone(), a.clone(), b.clone(), missing.clone()]);
        let shown: Vec<String> = walked
            .iter()
            .map(|r| match r {
                Ok(p) => p.strip_prefix(dir.path()).unwrap().display().to_string(),
                Err(bad) => format!("bad {}", bad.path.display()),
            })
            .collect();
        let (b, missing) = (b.display(), missing.display());
        assert_eq!(
            shown,
            [
                "c/x.webp".to_string(),
                "a/1.JPEG".into(),
                "a/2.png".into(),
                format!("bad {b}"),
                format!("bad {missing}"),
            ]
        );
        let problems: Vec<String> = walked
            .into_iter()
            .filter_map(|r| r.err())
            .map(|e| e.problem)
            .collect();
        assert!(problems[0].starts_with("no image files in this folder (looked for .jpg"));
        assert_eq!(problems[1], "no such file or folder");
    }

    #[test]
    fn io_problems_read_as_plain_phrases() {
        let e = std::fs::read("/definitely/not/here").unwrap_err();
        assert_eq!(io_problem(&e), "no such file or folder");
    }

    /// Both media are walked by the same rules: recursively, by extension whatever its case,
    /// sorted, hidden entries skipped, and a folder without files of the medium is a bad input.
    #[test]
    fn photos_and_recordings_are_found_by_the_same_rules() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("speech_wav")).unwrap();
        for p in [
            "music-a.wav",
            "speech_wav/talk.WAV",
            "b.flac",
            "notes.txt",
            "c.au",
            ".d.wav",
            "e.PNG",
        ] {
            std::fs::write(dir.path().join(p), b"x").unwrap();
        }
        let named = |files: Vec<PathBuf>| -> Vec<String> {
            let relative = files.iter().map(|p| p.strip_prefix(dir.path()).unwrap());
            relative.map(|p| p.display().to_string()).collect()
        };
        let inputs = [dir.path().to_path_buf()];
        assert_eq!(
            named(RECORDINGS.files(&inputs).unwrap()),
            ["b.flac", "music-a.wav", "speech_wav/talk.WAV"]
        );
        assert_eq!(named(IMAGES.files(&inputs).unwrap()), ["e.PNG"]);
        let empty = tempfile::tempdir().unwrap();
        for (medium, words) in [(RECORDINGS, "no audio files"), (IMAGES, "no image files")] {
            let e = medium.files(&[empty.path().to_path_buf()]).unwrap_err();
            let e = e.to_string();
            assert!(e.starts_with(&empty.path().display().to_string()), "{e}");
            assert!(e.contains(words), "{e}");
        }
        assert!(
            IMAGES
                .files(&[])
                .unwrap_err()
                .to_string()
                .contains("no image files")
        );
    }

    /// A link from a folder back to itself (or to its parent) would make a walk that follows links
    /// go round forever, or until the path is too long; links to folders are never followed, for
    /// either medium. (If this test hangs, the walker follows them.)
    #[cfg(unix)]
    #[test]
    fn symbolic_link_loops_do_not_trap_the_walk() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("a.wav"), b"x").unwrap();
        std::fs::write(sub.join("a.png"), b"x").unwrap();
        std::os::unix::fs::symlink(&sub, sub.join("self")).unwrap();
        std::os::unix::fs::symlink(dir.path(), sub.join("up")).unwrap();
        // A link to a file is still followed.
        std::os::unix::fs::symlink(sub.join("a.wav"), dir.path().join("b.wav")).unwrap();
        let inputs = [dir.path().to_path_buf()];
        let wavs = RECORDINGS.files(&inputs).unwrap();
        assert_eq!(wavs, [dir.path().join("b.wav"), sub.join("a.wav")]);
        assert_eq!(IMAGES.files(&inputs).unwrap(), [sub.join("a.png")]);
    }
}

//! Finding the image files a reader names: files as given, folders walked recursively.
//!
//! A walk never stops at the first problem: a missing path, an unreadable folder or a folder
//! without images each become a [`BadFile`] in the list, at the place the input was named, so a
//! caller can warn and go on with the rest.

use std::path::{Path, PathBuf};

use super::decode::{BadFile, io_problem};

/// File extensions a folder walk picks up (compared case-insensitively). A file named on the
/// command line is read whatever its name: its content decides the format.
pub const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "gif", "webp", "bmp", "tif", "tiff"];

/// Every input in the order given, a folder expanded to its image files sorted by path (so results
/// never depend on directory order), each entry either a file to read or an input that cannot be
/// used.
///
/// Inside folders, hidden entries (names starting with `.`, such as the `._photo.jpg` files macOS
/// leaves on shared drives, which are not images) are skipped, and symbolic links to folders are
/// not followed (a link loop would never end). Links to files are followed.
pub fn walk_images(inputs: &[PathBuf]) -> Vec<Result<PathBuf, BadFile>> {
    walk_files(inputs, IMAGE_EXTENSIONS, "image")
}

/// [`walk_images`] for any kind of file: folders are searched for names ending in one of
/// `extensions` (compared case-insensitively); `what` names the kind in the message about a
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
        let walked = walk_images(&[c.clone(), a.clone(), b.clone(), missing.clone()]);
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
}

//! The figure registry. Every figure listing declares what it draws in its own `Cargo.toml`:
//!
//! ```toml
//! [package.metadata.book]
//! figures = [{ id = "F3", file = "f03-image-rapsd.png" }]
//! ```
//!
//! IDs F1…F17 are the post's figures, numbered in the order the post shows them; X1, X2, … are
//! figures beyond the post. Files are relative to the generated-output folder (`src/generated`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// One figure (or other generated file) and the listing package that draws it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Figure {
    pub id: String,
    pub file: String,
    pub package: String,
}

#[derive(Deserialize)]
struct Manifest {
    package: Package,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    book: Option<BookMetadata>,
}

#[derive(Deserialize)]
struct BookMetadata {
    #[serde(default)]
    figures: Vec<FigureEntry>,
    /// The names of the values (`generated/values/<name>.txt`) the listing writes.
    #[serde(default)]
    values: Vec<String>,
}

#[derive(Deserialize)]
struct FigureEntry {
    id: String,
    file: String,
}

/// Listing packages (folder name = package name) that declare figures, sorted by name.
pub fn listing_packages(root: &Path) -> Result<Vec<(String, Vec<Figure>)>> {
    Ok(listings(root)?
        .into_iter()
        .map(|l| (l.package, l.figures))
        .collect())
}

/// What one listing declares it writes.
pub struct Listing {
    pub package: String,
    pub figures: Vec<Figure>,
    pub values: Vec<String>,
}

/// Every package under `listings/` with a `[package.metadata.book]` table, sorted by folder.
pub fn listings(root: &Path) -> Result<Vec<Listing>> {
    let dir = root.join("listings");
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("{}: cannot list", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    entries.sort();
    for path in entries {
        let manifest_path = path.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest_path)?;
        let manifest: Manifest = toml::from_str(&text)
            .with_context(|| format!("{}: invalid manifest", manifest_path.display()))?;
        let Some(book) = manifest.package.metadata.and_then(|m| m.book) else {
            continue;
        };
        let name = manifest.package.name;
        let figures = book
            .figures
            .into_iter()
            .map(|f| Figure {
                id: f.id,
                file: f.file,
                package: name.clone(),
            })
            .collect();
        out.push(Listing {
            package: name,
            figures,
            values: book.values,
        });
    }
    Ok(out)
}

/// Every declared value with the package that writes it, sorted by value name (a value declared
/// twice appears twice).
pub fn value_producers(root: &Path) -> Result<Vec<(String, String)>> {
    let mut all: Vec<(String, String)> = listings(root)?
        .into_iter()
        .flat_map(|l| {
            let package = l.package;
            l.values.into_iter().map(move |v| (v, package.clone()))
        })
        .collect();
    all.sort();
    Ok(all)
}

/// All figures, ordered by ID: F1…F17 numerically, then X1, X2, …
pub fn registry(root: &Path) -> Result<Vec<Figure>> {
    let mut all: Vec<Figure> = listing_packages(root)?
        .into_iter()
        .flat_map(|(_, f)| f)
        .collect();
    all.sort_by_key(|f| sort_key(&f.id));
    for pair in all.windows(2) {
        if pair[0].id == pair[1].id {
            bail!(
                "figure {} is declared by both {} and {}",
                pair[0].id,
                pair[0].package,
                pair[1].package
            );
        }
    }
    Ok(all)
}

fn sort_key(id: &str) -> (u8, u32, String) {
    let (prefix, rest) = id.split_at(1);
    let n = rest
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .unwrap_or(u32::MAX);
    (if prefix == "F" { 0 } else { 1 }, n, id.to_string())
}

//! Showing figures inline in the book's evcxr (Rust Jupyter) notebooks.
//!
//! evcxr displays any output wrapped in `EVCXR_BEGIN_CONTENT <mime>` … `EVCXR_END_CONTENT` as
//! that MIME type, so a notebook cell runs a listing (which writes its figures as files, exactly as
//! for the book) and then calls [`show`] to display what it wrote.

use std::path::Path;

use anyhow::{Context, Result};

/// Displays a PNG or GIF file written by a listing (looked up in the figure output folder) inline.
pub fn show(file: &str) -> Result<()> {
    let path = crate::figure::out_dir().join(file);
    print!("{}", display_payload(&path)?);
    Ok(())
}

/// The text evcxr turns into an inline image.
pub fn display_payload(path: &Path) -> Result<String> {
    let bytes =
        std::fs::read(path).with_context(|| format!("{}: cannot read figure", path.display()))?;
    let mime = match path.extension().and_then(|e| e.to_str()) {
        Some("gif") => "image/gif",
        Some("svg") => "image/svg+xml",
        _ => "image/png",
    };
    Ok(format!(
        "EVCXR_BEGIN_CONTENT {mime}\n{}\nEVCXR_END_CONTENT\n",
        base64(&bytes)
    ))
}

/// Standard base64 (RFC 4648, with padding): small enough not to need a dependency. The book's one
/// encoder: inline figures here, pictures inside SVG figures, and the live figures' bundle
/// (`listings/live/examples/bundle.rs`).
pub fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(TABLE[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_test_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }
}

//! Library side of `cargo xtask`: the book checks and the figure registry, shared by the
//! command-line runner and the tests in the repository's `tests/` folder.
pub mod bench;
pub mod bookcheck;
pub mod figures;
pub mod notebooks;

use std::path::{Path, PathBuf};

/// The repository's top folder.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the repository")
        .to_path_buf()
}

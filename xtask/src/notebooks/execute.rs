//! Executing the generated notebooks headlessly, as `cargo xtask test` does: with the pinned
//! evcxr kernel and a small Python environment holding nbclient, both installed on first use.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result};

use crate::process::{QUICK, output_within, step, target_dir};
use crate::python::Venv;
use crate::{cargo, root, run};

/// The pinned Rust Jupyter kernel.
const EVCXR: (&str, &str) = ("evcxr_jupyter", "0.22.0");

/// What `tests/notebooks/execute.py` needs: nbclient and the versions it was checked with.
const NBCLIENT: &str = "nbclient==0.11.0\nnbformat==5.11.1\njupyter-client==8.10.0\n";

/// Executes every notebook in `notebooks/` with the evcxr kernel (tests/notebooks/execute.py),
/// writing the executed copies to `target/notebooks/`.
pub fn execute_all() -> Result<()> {
    step("executing the notebooks with the evcxr Rust kernel");
    ensure_kernel()?;
    let python = Venv {
        name: "nbvenv",
        requirements: NBCLIENT,
        purpose: "nbclient, to run the notebooks headlessly",
        pip_hint: "check the network or the pins in xtask/src/notebooks/execute.rs",
    }
    .ensure()?;
    run(Command::new(&python)
        .arg("tests/notebooks/execute.py")
        .arg(target_dir().join("notebooks"))
        .args(notebooks()?))
}

/// Installs the pinned evcxr_jupyter unless cargo already did, and registers its `rust`
/// kernelspec for this user (idempotent).
fn ensure_kernel() -> Result<()> {
    let (name, version) = EVCXR;
    // evcxr_jupyter has no --version: ask cargo which version it installed.
    let installed = output_within(cargo().args(["install", "--list"]), QUICK).ok();
    let listed = installed.map(|o| String::from_utf8_lossy(&o.stdout).to_string());
    if !listed.is_some_and(|list| list.contains(&format!("{name} v{version}:"))) {
        step(&format!(
            "installing {name} {version}: compiles once, about 12 minutes on 2 cores"
        ));
        run(cargo().args(["install", name, "--version", version, "--locked"]))?;
    }
    run(Command::new(name).arg("--install"))
}

/// The committed notebooks, in name order.
fn notebooks() -> Result<Vec<PathBuf>> {
    let dir = root().join("notebooks");
    let mut books: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("{}: cannot list", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ipynb"))
        .collect();
    books.sort();
    Ok(books)
}

//! The live figures' build: `listings/live` compiled to WebAssembly, wrapped by wasm-bindgen, and
//! written with the assets it offers into `src/live/` (git-ignored), where mdBook copies it into
//! the book like any other file under `src/`.
//!
//! ```text
//! cargo build --release --target wasm32-unknown-unknown -p live   (own target folder, see below)
//! wasm-bindgen --target no-modules live.wasm                      (classic-script glue)
//! cargo run -p live --example bundle                               (glue + base64 bytes + assets)
//! ```
//!
//! `--target no-modules` and base64: a book opened from disk (file://) may load classic scripts
//! but may neither fetch() the .wasm nor import ES modules; theme/live.js instantiates the module
//! from the decoded bytes, so the same files work from disk and from a web server.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::process::{QUICK, output_within, target_dir};
use crate::{cargo, run};

/// Must equal the `wasm-bindgen` version pinned in listings/live/Cargo.toml: the glue the CLI
/// writes only works with the crate of its own version.
pub const WASM_BINDGEN: &str = "0.2.130";
const TARGET: &str = "wasm32-unknown-unknown";
/// The module the page loads must stay small enough to embed in a page.
pub const MAX_WASM_BYTES: u64 = 1 << 20;

/// Builds the live figures into `root/src/live/`.
pub fn build_live(root: &Path) -> Result<()> {
    eprintln!("\n==> the live figures (listings/live for WebAssembly)");
    ensure_target()?;
    let bindgen = ensure_wasm_bindgen()?;
    // Its own target folder: the release profile is tuned for size here (LTO, one codegen unit,
    // abort on panic), which would otherwise rebuild the host's release artifacts every time.
    let target_dir = target_dir().join("live");
    run(cargo()
        .args([
            "build",
            "--quiet",
            "--release",
            "--target",
            TARGET,
            "-p",
            "live",
            "--lib",
        ])
        .args(["--config", "profile.release.lto=true"])
        .args(["--config", "profile.release.codegen-units=1"])
        .args(["--config", "profile.release.panic=\"abort\""])
        .arg("--target-dir")
        .arg(&target_dir))?;
    let module = target_dir.join(TARGET).join("release/live.wasm");
    let out = target_dir.join("bindgen");
    run(Command::new(&bindgen)
        .args(["--target", "no-modules", "--no-typescript", "--out-dir"])
        .arg(&out)
        .arg(&module))?;
    let wasm = out.join("live_bg.wasm");
    let size = std::fs::metadata(&wasm)
        .with_context(|| format!("{} was not written", wasm.display()))?
        .len();
    if size > MAX_WASM_BYTES {
        bail!(
            "the live figures' module is {size} bytes, over the {MAX_WASM_BYTES}-byte budget \
             (a page embeds it base64-encoded)"
        );
    }
    run(cargo()
        .args(["run", "--quiet", "-p", "live", "--example", "bundle", "--"])
        .arg(out.join("live.js"))
        .arg(&wasm)
        .arg(root.join("src/live")))
}

fn ensure_target() -> Result<()> {
    let installed = output_within(
        Command::new("rustup").args(["target", "list", "--installed"]),
        QUICK,
    );
    match installed {
        Ok(out) if String::from_utf8_lossy(&out.stdout).contains(TARGET) => Ok(()),
        Ok(_) => run(Command::new("rustup").args(["target", "add", TARGET])),
        Err(_) => bail!(
            "the live figures need the {TARGET} target, and rustup is not there to add it \
             (install Rust with rustup, or add the target to your toolchain)"
        ),
    }
}

/// `wasm-bindgen` of exactly [`WASM_BINDGEN`]: the one on PATH if it has that version, else the
/// one in the target folder's `tools/`, installed there on first use.
pub fn ensure_wasm_bindgen() -> Result<PathBuf> {
    let version = |cmd: &Path| {
        output_within(Command::new(cmd).arg("--version"), QUICK)
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let wanted = format!("wasm-bindgen {WASM_BINDGEN}");
    let on_path = PathBuf::from("wasm-bindgen");
    if version(&on_path).as_deref() == Some(wanted.as_str()) {
        return Ok(on_path);
    }
    let tools = target_dir().join("tools");
    let local = tools.join("bin/wasm-bindgen");
    if version(&local).as_deref() == Some(wanted.as_str()) {
        return Ok(local);
    }
    eprintln!(
        "    installing wasm-bindgen-cli {WASM_BINDGEN} into target/tools: it writes the page's \
         JavaScript glue for the WebAssembly module and must match the wasm-bindgen crate's \
         version exactly. Compiling it takes a few minutes on two cores, once."
    );
    let install = |locked: bool| {
        let mut cmd = cargo();
        cmd.args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            WASM_BINDGEN,
            "--root",
        ])
        .arg(&tools);
        if locked {
            cmd.arg("--locked");
        }
        run(&mut cmd)
    };
    if let Err(e) = install(true) {
        // A registry mirror may lack one of the exact versions of the CLI's lock file.
        eprintln!("    ({e:#}; trying again with the newest compatible dependencies)");
        install(false)?;
    }
    match version(&local) {
        Some(v) if v == wanted => Ok(local),
        other => bail!("{} reports {other:?}, not {wanted}", local.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_version_is_the_crates_version() {
        let manifest = std::fs::read_to_string(crate::root().join("listings/live/Cargo.toml"))
            .expect("listings/live/Cargo.toml");
        let pin = format!("wasm-bindgen = \"={WASM_BINDGEN}\"");
        assert!(
            manifest.contains(&pin),
            "listings/live/Cargo.toml must pin `{pin}`"
        );
    }
}

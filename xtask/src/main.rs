//! `cargo xtask`: the book's single entry point.
//!
//! ```text
//! cargo xtask book [--open]     figures + checks + mdBook build into book/ (installs pinned tools on first use)
//! cargo xtask serve             the same, then a live-reloading preview at http://localhost:3000
//! cargo xtask figures [--list]  run every figure listing (or list ID<TAB>PATH)
//! cargo xtask test              the whole test suite: unit tests, determinism, book checks, browser check
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use xtask::process::{step, target_dir};
use xtask::{bookcheck, cargo, figures, notebooks, root, run};

/// Tools the book build needs, pinned: mdBook 0.5 broke most 0.4 plugins, and these two are
/// known to work together.
const TOOLS: [(&str, &str); 2] = [("mdbook", "0.5.4"), ("mdbook-katex", "0.10.0")];

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    match args.first().map(String::as_str) {
        Some("book") => book(flag("--open")),
        Some("serve") => serve(),
        Some("figures") if flag("--list") => list_figures(),
        Some("figures") => figures_into(&generated_dir()).map(|_| ()),
        Some("test") => test(),
        Some("tools") => ensure_tools(),
        Some("notebooks") => write_notebooks(),
        Some("bench") => xtask::bench::run(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <book [--open] | serve | figures [--list] | test | tools | bench>"
            );
            std::process::exit(2)
        }
    }
}

fn generated_dir() -> PathBuf {
    root().join("src/generated")
}

/// Installs the pinned mdBook tools with `cargo install` unless the right versions are on PATH.
fn ensure_tools() -> Result<()> {
    for (name, version) in TOOLS {
        let found = Command::new(name)
            .arg("--version")
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).to_string());
        if found.as_deref().is_some_and(|v| {
            v.split_whitespace()
                .any(|w| w.trim_start_matches('v') == version)
        }) {
            continue;
        }
        step(&format!(
            "installing {name} {version} (found: {}). This compiles it from crates.io once, \
             a few minutes on a 2-core machine; later builds reuse it.",
            found.as_deref().map_or("none", str::trim)
        ));
        run(cargo().args(["install", name, "--version", version, "--locked"]))?;
    }
    Ok(())
}

/// Regenerates `notebooks/*.ipynb` from the chapters and listings.
fn write_notebooks() -> Result<()> {
    let root = root();
    std::fs::create_dir_all(root.join("notebooks"))?;
    for chapter in notebooks::chapters_with_listings(&root)? {
        let path = notebooks::notebook_path(&root, &chapter);
        std::fs::write(&path, notebooks::generate(&root, &chapter)?)?;
        eprintln!("    wrote {}", path.strip_prefix(&root)?.display());
    }
    Ok(())
}

fn list_figures() -> Result<()> {
    for f in figures::registry(&root())? {
        println!("{}\tsrc/generated/{}", f.id, f.file);
    }
    Ok(())
}

/// Builds every listing and runs each figure listing with its outputs sent to `out`. Each
/// listing's standard output is kept as `<package>.out.txt` for the chapter to show.
///
/// Listings are independent programs writing different files, so they run as many at a time as
/// there are cores (most of them are single-threaded); the log keeps the registry's order.
fn figures_into(out: &Path) -> Result<()> {
    step("building the listings");
    run(cargo().args(["build", "--workspace", "--bins"]))?;
    // Start from an empty folder: a figure renamed or dropped by a listing must not linger (and
    // be compared, or shown) from an earlier run.
    if out.exists() {
        std::fs::remove_dir_all(out)
            .with_context(|| format!("{}: cannot clear the old outputs", out.display()))?;
    }
    std::fs::create_dir_all(out)?;
    let started = Instant::now();
    let listings = figures::listing_packages(&root())?;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut results: Vec<(usize, Result<f64>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers.min(listings.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((package, declared)) = listings.get(i) else {
                            return done;
                        };
                        let t = Instant::now();
                        let result =
                            run_listing(package, declared, out).map(|()| t.elapsed().as_secs_f64());
                        done.push((i, result));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a listing runner panicked"))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    for (i, result) in results {
        eprintln!("    {:<28} {:>6.1} s", listings[i].0, result?);
    }
    eprintln!(
        "    all figures in {:.1} s ({workers} at a time)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Runs one figure listing and checks that it wrote every figure it declares.
fn run_listing(package: &str, declared: &[figures::Figure], out: &Path) -> Result<()> {
    let exe = target_dir().join("debug").join(package);
    let output = Command::new(&exe)
        .env("BOOK_OUT_DIR", out)
        .current_dir(root())
        .output()
        .with_context(|| format!("cannot run {}", exe.display()))?;
    if !output.status.success() {
        bail!(
            "listing {package} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    std::fs::write(out.join(format!("{package}.out.txt")), &output.stdout)?;
    for f in declared {
        for file in std::iter::once(&f.file).chain(&f.phone) {
            if !out.join(file).is_file() {
                bail!(
                    "listing {package} did not write its figure {} ({file})",
                    f.id
                );
            }
        }
    }
    Ok(())
}

/// The checks mdBook does not make (see `bookcheck`).
fn check_book_sources() -> Result<()> {
    let src = root().join("src");
    let problems: Vec<_> = bookcheck::check_includes(&src)?
        .into_iter()
        .chain(bookcheck::check_links(&src)?)
        .chain(bookcheck::check_code_widths(&src)?)
        .chain(bookcheck::check_values(
            &src,
            &xtask::figures::value_producers(&root())?,
        )?)
        .collect();
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("{p}");
        }
        bail!(
            "{} broken include(s), link(s), value(s) or over-wide code line(s) in the book",
            problems.len()
        );
    }
    Ok(())
}

fn mdbook_build() -> Result<()> {
    ensure_tools()?;
    step("checking includes, anchors and links");
    check_book_sources()?;
    step("building the book with mdBook");
    run(Command::new("mdbook").args(["build"]))
}

fn book(open: bool) -> Result<()> {
    ensure_tools()?;
    figures_into(&generated_dir())?;
    xtask::live::build_live(&root())?;
    mdbook_build()?;
    let index = root().join("book/index.html");
    eprintln!("\nThe book is at {}", index.display());
    if open {
        open_in_browser(&index);
    }
    Ok(())
}

fn open_in_browser(index: &Path) {
    for opener in ["xdg-open", "open"] {
        if Command::new(opener)
            .arg(index)
            .status()
            .is_ok_and(|s| s.success())
        {
            return;
        }
    }
    eprintln!("(no browser opener found here: open that file in your browser)");
}

fn serve() -> Result<()> {
    ensure_tools()?;
    figures_into(&generated_dir())?;
    xtask::live::build_live(&root())?;
    check_book_sources()?;
    run(Command::new("mdbook").args(["serve", "--open"]))
}

fn test() -> Result<()> {
    let started = Instant::now();
    step("figures (first run, into src/generated)");
    figures_into(&generated_dir())?;
    step("unit, numerical and book-structure tests");
    // After the figure run every value file and figure exists: a test that finds one missing
    // fails instead of noting it (a plain `cargo test` on a fresh clone only notes it).
    run(cargo()
        .args(["test", "--workspace"])
        .env("BOOK_REQUIRE_VALUES", "1")
        .env("BOOK_REQUIRE_GENERATED", "1"))?;
    wasm_check()?;
    msrv_check()?;
    step("figures again, into a temporary folder: two runs must be byte-identical");
    let second = tempfile::tempdir()?;
    figures_into(second.path())?;
    compare_trees(&generated_dir(), second.path())?;
    xtask::live::build_live(&root())?;
    mdbook_build()?;
    browser_check()?;
    notebooks::execute_all()?;
    eprintln!(
        "\nall checks passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The spectral core must stay free of I/O and threads so the book can later run it in the
/// browser: building it for WebAssembly proves it.
fn wasm_check() -> Result<()> {
    step("the spectral core compiles to WebAssembly");
    const TARGET: &str = "wasm32-unknown-unknown";
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    match installed {
        Ok(out) if !String::from_utf8_lossy(&out.stdout).contains(TARGET) => {
            run(Command::new("rustup").args(["target", "add", TARGET]))?
        }
        Ok(_) => {}
        Err(_) if std::env::var_os("CI").is_some() => {
            bail!("CI must check the WebAssembly build, but rustup is missing")
        }
        Err(_) => {
            eprintln!("    SKIPPED: rustup not found, cannot add the {TARGET} target");
            return Ok(());
        }
    }
    run(cargo().args(["build", "--quiet", "-p", "spectral", "--target", TARGET]))
}

/// The oldest Rust the workspace promises (`rust-version` in Cargo.toml): the code uses let
/// chains (stable since 1.88) and the resampler's AVX-512 build (its target feature is stable
/// since 1.89). Checked by building with exactly that toolchain, which `.ci/run`
/// installs; elsewhere it is checked when the toolchain is there and skipped with a note if not.
fn msrv_check() -> Result<()> {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml"))?;
    let table: toml::Table = toml::from_str(&manifest)?;
    let msrv = table
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("rust-version"))
        .and_then(|v| v.as_str())
        .context("Cargo.toml: [workspace.package] rust-version is missing")?
        .to_string();
    step(&format!(
        "the workspace builds with its minimum Rust, {msrv}"
    ));
    let toolchains = Command::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .unwrap_or_default();
    // rustup names a toolchain by its full version: "1.89" is installed as "1.89.0-<host>".
    let toolchain = if msrv.matches('.').count() == 1 {
        format!("{msrv}.0")
    } else {
        msrv.clone()
    };
    let installed = toolchains
        .lines()
        .any(|l| l.starts_with(&format!("{toolchain}-")));
    if !installed {
        if std::env::var_os("CI").is_some() {
            bail!("CI must check the minimum Rust {msrv}, but that toolchain is not installed");
        }
        eprintln!(
            "    SKIPPED: toolchain {toolchain} not installed (`rustup toolchain install {toolchain}`)"
        );
        return Ok(());
    }
    // Its own target folder: a different compiler would otherwise invalidate the main build.
    let target = target_dir().join("msrv");
    run(Command::new("rustup")
        .args([
            "run",
            &toolchain,
            "cargo",
            "check",
            "--quiet",
            "--workspace",
            "--all-targets",
        ])
        .arg("--target-dir")
        .arg(target))
}

/// Every file in `a` exists in `b` with identical bytes, and vice versa.
fn compare_trees(a: &Path, b: &Path) -> Result<()> {
    let (fa, fb) = (files_under(a)?, files_under(b)?);
    if fa != fb {
        bail!("the two figure runs wrote different sets of files:\n{fa:?}\n{fb:?}");
    }
    for rel in &fa {
        if std::fs::read(a.join(rel))? != std::fs::read(b.join(rel))? {
            bail!(
                "figure output {} differs between two runs: the listing is not deterministic",
                rel.display()
            );
        }
    }
    eprintln!("    {} files identical", fa.len());
    Ok(())
}

fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir)?.to_path_buf());
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Opens the built book in headless Chromium (tests/browser/check.mjs). Skipped with a clear
/// message when Chromium or Node.js is missing, except under CI, where it must run.
fn browser_check() -> Result<()> {
    step("browser check of the built book (headless Chromium)");
    let have = |cmd: &str| {
        Command::new(cmd)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !have("chromium") || !have("node") {
        if std::env::var_os("CI").is_some() {
            bail!("CI must run the browser check, but chromium or node is missing");
        }
        eprintln!(
            "    SKIPPED: needs `chromium` and `node` on PATH (apt-get install -y chromium nodejs)"
        );
        return Ok(());
    }
    let dir = root().join("tests/browser");
    if !dir.join("node_modules/playwright-core").is_dir() {
        run(Command::new("npm").args([
            "ci",
            "--prefix",
            "tests/browser",
            "--no-audit",
            "--no-fund",
        ]))?;
    }
    let titles: Vec<String> = bookcheck::chapters(&root().join("src"))?
        .into_iter()
        .map(|c| c.title)
        .collect();
    let shots = root().join("target/browser");
    std::fs::create_dir_all(&shots)?;
    let expected = shots.join("expected-chapters.json");
    std::fs::write(&expected, serde_json::to_string(&titles)?)?;
    run(Command::new("node")
        .arg(dir.join("check.mjs"))
        .arg(root().join("book"))
        .arg(&expected)
        .arg(&shots))?;
    step("the live figures in the built book, driven in headless Chromium");
    // Compares the f_max the page shows with the `spectra` binary's (built by the figure run).
    run(Command::new("node")
        .arg(dir.join("live.mjs"))
        .arg(root().join("book"))
        .arg(target_dir().join("debug/spectra"))
        .arg(root().join("target/browser-live")))
}

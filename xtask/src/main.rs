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

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

fn step(what: &str) {
    eprintln!("\n==> {what}");
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
        if !out.join(&f.file).is_file() {
            bail!(
                "listing {package} did not write its figure {} ({})",
                f.id,
                f.file
            );
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
        .collect();
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("{p}");
        }
        bail!(
            "{} broken include(s) or link(s) in the book",
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
    check_book_sources()?;
    run(Command::new("mdbook").args(["serve", "--open"]))
}

fn test() -> Result<()> {
    let started = Instant::now();
    step("figures (first run, into src/generated)");
    figures_into(&generated_dir())?;
    step("unit, numerical and book-structure tests");
    run(cargo().args(["test", "--workspace"]))?;
    wasm_check()?;
    step("figures again, into a temporary folder: two runs must be byte-identical");
    let second = tempfile::tempdir()?;
    figures_into(second.path())?;
    compare_trees(&generated_dir(), second.path())?;
    mdbook_build()?;
    browser_check()?;
    execute_notebooks()?;
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
        Err(_) => {
            eprintln!("    SKIPPED: rustup not found, cannot add the {TARGET} target");
            return Ok(());
        }
    }
    run(cargo().args(["build", "--quiet", "-p", "spectral", "--target", TARGET]))
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

/// The pinned Rust Jupyter kernel.
const EVCXR: (&str, &str) = ("evcxr_jupyter", "0.22.0");

/// Executes every notebook with the evcxr kernel (tests/notebooks/execute.py), installing the
/// kernel and a Python environment with nbclient under target/ on first use.
fn execute_notebooks() -> Result<()> {
    step("executing the notebooks with the evcxr Rust kernel");
    let (name, version) = EVCXR;
    // evcxr_jupyter has no --version: ask cargo which version it installed.
    let installed = cargo().args(["install", "--list"]).output().ok();
    let listed = installed.map(|o| String::from_utf8_lossy(&o.stdout).to_string());
    if !listed.is_some_and(|list| list.contains(&format!("{name} v{version}:"))) {
        step(&format!(
            "installing {name} {version}: compiles once, about 12 minutes on 2 cores"
        ));
        run(cargo().args(["install", name, "--version", version, "--locked"]))?;
    }
    // Registers the `rust` kernelspec for this user (idempotent).
    run(Command::new(name).arg("--install"))?;
    let venv = target_dir().join("nbvenv");
    let python = venv.join("bin/python");
    if !python.is_file() {
        step("creating a Python environment for nbclient (target/nbvenv)");
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        run(Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "nbclient==0.11.0",
            "nbformat==5.11.1",
            "jupyter-client==8.10.0",
        ]))?;
    }
    let mut books: Vec<PathBuf> = std::fs::read_dir(root().join("notebooks"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ipynb"))
        .collect();
    books.sort();
    run(Command::new(&python)
        .arg("tests/notebooks/execute.py")
        .arg(target_dir().join("notebooks"))
        .args(&books))
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
        .arg(&shots))
}

//! `cargo xtask`: the book's single entry point. `cargo xtask --help` lists the commands; each
//! declares its arguments in [`COMMANDS`], and anything else is refused with that list.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use xtask::cli::{self, Opt, Positional, Request, Subcommand};
use xtask::process::{LISTING, LONG, QUICK, SERVE, output_within, run_within, step, target_dir};
use xtask::runner::{self, Listing};
use xtask::{bookcheck, browser, cargo, figures, msrv, notebooks, root, run};

/// Tools the book build needs, pinned: mdBook 0.5 broke most 0.4 plugins, and these two are
/// known to work together.
const TOOLS: [(&str, &str); 2] = [("mdbook", "0.5.4"), ("mdbook-katex", "0.10.0")];

const NO_ARGUMENTS: &[Opt] = &[];

/// Every command, with the arguments it takes.
const COMMANDS: &[Subcommand] = &[
    Subcommand {
        name: "book",
        about: "figures + checks + mdBook build into book/ (installs the pinned tools on first use)",
        options: &[Opt {
            name: "--open",
            value: None,
            help: "open the built book in a browser",
        }],
        positionals: &[],
    },
    Subcommand {
        name: "serve",
        about: "the same, then a live-reloading preview at http://localhost:3000",
        options: NO_ARGUMENTS,
        positionals: &[],
    },
    Subcommand {
        name: "figures",
        about: "run every figure listing",
        options: &[Opt {
            name: "--list",
            value: None,
            help: "only list the figures, as ID<TAB>PATH",
        }],
        positionals: &[],
    },
    Subcommand {
        name: "test",
        about: "the whole test suite: formatting, lints, unit tests, determinism, book and browser checks",
        options: NO_ARGUMENTS,
        positionals: &[],
    },
    Subcommand {
        name: "tools",
        about: "install the pinned book tools (mdBook, mdbook-katex, wasm-bindgen-cli)",
        options: NO_ARGUMENTS,
        positionals: &[],
    },
    Subcommand {
        name: "notebooks",
        about: "regenerate notebooks/*.ipynb from the chapters",
        options: NO_ARGUMENTS,
        positionals: &[],
    },
    Subcommand {
        name: "embed",
        about: "regenerate the book data built into `spectra` (listings/spectra-cli/embedded/)",
        options: NO_ARGUMENTS,
        positionals: &[],
    },
    Subcommand {
        name: "train",
        about: "train one of the book's networks again (release build; minutes, never in CI)",
        options: &[
            Opt {
                name: "--smoke",
                value: None,
                help: "the tiny configuration for a few dozen steps, to try the command",
            },
            Opt {
                name: "--steps",
                value: Some("N"),
                help: "a trial run of N steps instead of the configuration's",
            },
        ],
        positionals: &[Positional {
            name: "PROCESS",
            choices: &["white", "equal", "flipped"],
            required: true,
            help: "the forward process the network learns to reverse",
        }],
    },
    Subcommand {
        name: "bench",
        about: "the Rust pipeline against the post's Python pipeline",
        options: &[
            Opt {
                name: "--images",
                value: Some("N"),
                help: "images in the benchmark set (512)",
            },
            Opt {
                name: "--reps",
                value: Some("R"),
                help: "timed rounds (5)",
            },
            Opt {
                name: "--no-figures",
                value: None,
                help: "skip timing the figure regeneration",
            },
            Opt {
                name: "--record",
                value: None,
                help: "also write bench/report.md, shown in the performance appendix",
            },
        ],
        positionals: &[],
    },
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = match cli::parse(COMMANDS, &args) {
        Ok(Request::Run(parsed)) => parsed,
        Ok(Request::Help) => {
            print!("{}", cli::usage(COMMANDS));
            return ExitCode::SUCCESS;
        }
        Err(problem) => {
            eprintln!(
                "cargo xtask: {problem}

{}",
                cli::usage(COMMANDS)
            );
            return ExitCode::from(2);
        }
    };
    let result = match parsed.command {
        "book" => book(parsed.flag("--open")),
        "serve" => serve(),
        "figures" if parsed.flag("--list") => list_figures(),
        "figures" => figures_into(&generated_dir()),
        "test" => test(),
        "tools" => ensure_tools().and_then(|()| xtask::live::ensure_wasm_bindgen().map(drop)),
        "notebooks" => write_notebooks(),
        "embed" => embed(),
        "train" => train(&parsed),
        "bench" => xtask::bench::Options::from_parsed(&parsed).and_then(xtask::bench::run),
        other => unreachable!("`{other}` is declared in COMMANDS but not run"),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e:?}");
            ExitCode::FAILURE
        }
    }
}

/// Trains a network with the `trained` package's own command, built with optimisations (a debug
/// build trains some twenty times slower). It writes the weights, the manifest entry and the loss
/// log into `data/models`, where `cargo xtask figures` reads them.
fn train(parsed: &cli::Parsed) -> Result<()> {
    let process = parsed.positional(0).context("`train` needs a process")?;
    let mut cmd = cargo();
    cmd.args([
        "run",
        "--release",
        "--quiet",
        "-p",
        "trained",
        "--bin",
        "train",
        "--",
    ]);
    cmd.arg(process);
    if parsed.flag("--smoke") {
        cmd.arg("--smoke");
    }
    if parsed.value("--steps").is_some() {
        let steps = parsed.number("--steps", 0).map_err(anyhow::Error::msg)?;
        cmd.args(["--steps", &steps.to_string()]);
    }
    run(cmd.current_dir(root()))
}

fn generated_dir() -> PathBuf {
    root().join("src/generated")
}

/// Installs the pinned mdBook tools with `cargo install` unless the right versions are on PATH.
fn ensure_tools() -> Result<()> {
    for (name, version) in TOOLS {
        let found = output_within(Command::new(name).arg("--version"), QUICK)
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

/// Builds every listing and runs each figure listing with its outputs sent to `out`
/// ([`runner`]: all of them, each with a time limit, every failure reported with its standard
/// error). Also writes `rust-version.txt`, the workspace's minimum Rust, which the book shows.
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
    std::fs::write(out.join(xtask::pages::RUST_VERSION_FILE), msrv()?)?;
    let started = Instant::now();
    let listings: Vec<Listing> = figures::listing_packages(&root())?
        .into_iter()
        .map(|(package, figures)| Listing {
            program: target_dir().join("debug").join(&package),
            package,
            figures,
        })
        .collect();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let results = runner::run_all(&listings, out, workers, LISTING);
    runner::report(&listings, &results)?;
    eprintln!(
        "    all figures in {:.1} s ({workers} at a time)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Regenerates the book data built into `spectra`.
fn embed() -> Result<()> {
    step("the book data built into spectra (listings/spectra-cli/embedded/)");
    run(cargo().args(["run", "--quiet", "-p", "spectra-cli", "--example", "embed"]))
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
    let built = output_within(
        Command::new("mdbook").arg("build").current_dir(root()),
        LONG,
    )?;
    let log = String::from_utf8_lossy(&built.stderr);
    eprint!("{}{log}", String::from_utf8_lossy(&built.stdout));
    if !built.status.success() {
        bail!("mdbook build failed ({})", built.status);
    }
    check_rendered_book(&log)
}

/// What mdBook renders but only warns about (see `bookcheck::rendered`): HTML it found
/// unbalanced, and struck-through text in the pages.
fn check_rendered_book(log: &str) -> Result<()> {
    let unbalanced = bookcheck::rendered::unbalanced_html(log);
    let struck = bookcheck::rendered::struck_through(&root().join("book"))?;
    for warning in &unbalanced {
        eprintln!("mdBook: {warning}");
    }
    for problem in &struck {
        eprintln!("{problem}");
    }
    if !unbalanced.is_empty() || !struck.is_empty() {
        bail!(
            "the built book has {} unbalanced-HTML warning(s) and {} struck-through passage(s)",
            unbalanced.len(),
            struck.len()
        );
    }
    Ok(())
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
        if output_within(Command::new(opener).arg(index), QUICK).is_ok_and(|o| o.status.success()) {
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
    run_within(Command::new("mdbook").args(["serve", "--open"]), SERVE)
}

fn test() -> Result<()> {
    let started = Instant::now();
    step("formatting (cargo fmt --check)");
    run(cargo().args(["fmt", "--all", "--check"]))
        .context("the code is not formatted as `cargo fmt` formats it: run `cargo fmt`")?;
    step("figures (first run, into src/generated)");
    figures_into(&generated_dir())?;
    step("unit, numerical and book-structure tests");
    // After the figure run every value file and figure exists: a test that finds one missing
    // fails instead of noting it (a plain `cargo test` on a fresh clone only notes it).
    run(cargo()
        .args(["test", "--workspace"])
        .env("BOOK_REQUIRE_VALUES", "1")
        .env("BOOK_REQUIRE_GENERATED", "1"))?;
    step("lints (cargo clippy --workspace --all-targets -- -D warnings)");
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
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
    let installed = output_within(
        Command::new("rustup").args(["target", "list", "--installed"]),
        QUICK,
    );
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
    // The core, and the page's decoding of readers' files, which must compile there too.
    run(cargo().args([
        "build", "--quiet", "-p", "spectral", "-p", "ingest", "--target", TARGET,
    ]))
}

/// The oldest Rust the workspace promises (`rust-version` in Cargo.toml): the code uses let
/// chains (stable since 1.88) and the resampler's AVX-512 build (its target feature is stable
/// since 1.89), and candle 0.11, which the trained denoiser uses, does not build with 1.89 (it
/// calls `__cpuid_count` outside `unsafe`, safe only in later compilers); 1.95 is the compiler the
/// networks were trained with. Checked by building with exactly that toolchain, which `.ci/run`
/// installs; elsewhere it is checked when the toolchain is there and skipped with a note if not.
fn msrv_check() -> Result<()> {
    let msrv = msrv()?;
    step(&format!(
        "the workspace builds with its minimum Rust, {msrv}"
    ));
    let toolchains = output_within(Command::new("rustup").args(["toolchain", "list"]), QUICK)
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
    // When cargo's own compiler is that version, the tests and clippy above already built every
    // target with it: a second build would add minutes and a target folder's worth of disk.
    let active = output_within(cargo_rustc().arg("--version"), QUICK)
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .unwrap_or_default();
    if rustc_version(&active) == Some(toolchain.as_str()) {
        eprintln!("    the build above used rustc {toolchain}, the minimum: checked");
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

/// The compiler cargo uses (`$RUSTC`, else `rustc`), as cargo finds it.
fn cargo_rustc() -> Command {
    Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
}

/// The version in `rustc --version`'s answer ("rustc 1.95.0 (59807616e 2026-04-14)" → "1.95.0").
fn rustc_version(answer: &str) -> Option<&str> {
    answer.strip_prefix("rustc ")?.split_whitespace().next()
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
/// message when Chromium or Node.js is missing, or Node.js is older than the scripts declare,
/// except under CI, where it must run.
fn browser_check() -> Result<()> {
    step("browser check of the built book (headless Chromium)");
    let dir = root().join("tests/browser");
    let required = browser::required_node(&dir.join("package.json"))?;
    let node = browser::node_version();
    let chromium = browser::find_chromium();
    let missing = match (&chromium, node) {
        (None, _) => Some(format!(
            "Chromium (none of {} on PATH, and $CHROMIUM unset)",
            browser::CHROMIUM_NAMES.join(", ")
        )),
        (_, None) => Some("Node.js (`node` on PATH)".to_string()),
        (_, Some(v)) if v < required => Some(format!(
            "Node.js {}.{}.{} or newer (tests/browser/package.json); this is {}.{}.{}",
            required.0, required.1, required.2, v.0, v.1, v.2
        )),
        _ => None,
    };
    if let Some(missing) = missing {
        if std::env::var_os("CI").is_some() {
            bail!("CI must run the browser check, but it needs {missing}");
        }
        eprintln!("    SKIPPED: needs {missing} (Debian: apt-get install -y chromium nodejs)");
        return Ok(());
    }
    let chromium = chromium.expect("checked above");
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
    let shots = target_dir().join("browser");
    std::fs::create_dir_all(&shots)?;
    let expected = shots.join("expected-chapters.json");
    std::fs::write(&expected, serde_json::to_string(&titles)?)?;
    run(Command::new("node")
        .env("CHROMIUM", &chromium)
        .arg(dir.join("check.mjs"))
        .arg(root().join("book"))
        .arg(&expected)
        .arg(&shots))?;
    step("the live figures in the built book, driven in headless Chromium");
    // Compares the f_max the page shows with the `spectra` binary's (built by the figure run).
    run(Command::new("node")
        .env("CHROMIUM", &chromium)
        .arg(dir.join("live.mjs"))
        .arg(root().join("book"))
        .arg(target_dir().join("debug/spectra"))
        .arg(target_dir().join("browser-live")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiler_version_is_read_from_rustc_version() {
        assert_eq!(
            rustc_version("rustc 1.95.0 (59807616e 2026-04-14)\n"),
            Some("1.95.0")
        );
        assert_eq!(
            rustc_version("rustc 1.96.0-nightly (abc 2026-05-01)"),
            Some("1.96.0-nightly")
        );
        assert_eq!(rustc_version("error: no such command"), None);
        assert_eq!(rustc_version(""), None);
    }
}

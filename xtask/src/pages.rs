//! Continuous integration and the published book: `.github/workflows/book.yml` runs the test
//! suite (`.ci/run`) on every push and pull request, and builds and publishes the book from
//! `main` only after it passed, with the README's command and the workspace's minimum Rust.
//!
//! Nothing here runs at build time; the module holds the tests that keep the workflow honest,
//! since GitHub is the only place it runs: a workflow that does not parse, publishes untested
//! code, or builds the book some other way than readers do would go unnoticed by every local
//! check. The minimum Rust is written once, as `rust-version` in Cargo.toml; these tests check
//! that everything else reads it from there.

/// Where GitHub looks for the workflow.
pub const WORKFLOW: &str = ".github/workflows/book.yml";

/// The file, in the generated folder, holding the minimum Rust for the book to include
/// (`cargo xtask figures` writes it from Cargo.toml).
pub const RUST_VERSION_FILE: &str = "rust-version.txt";

/// The build command the README gives readers (its first ```sh block, first command).
pub fn readme_build_command(readme: &str) -> Option<String> {
    let block = readme.split("```sh").nth(1)?.split("```").next()?;
    let line = block.lines().map(str::trim).find(|l| !l.is_empty())?;
    let command = line.split('#').next()?.trim();
    // `--open` opens a browser on the reader's machine; the build is the rest.
    Some(command.replace(" --open", ""))
}

/// Every Rust version (`1.` and two digits, as in "1.89") a text states.
pub fn rust_versions(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    (0..bytes.len())
        .filter(|&i| {
            bytes[i..].starts_with(b"1.")
                && digit(i + 2)
                && digit(i + 3)
                && !digit(i + 4)
                && (i == 0 || !(digit(i - 1) || bytes[i - 1] == b'.'))
        })
        .map(|i| &text[i..i + 4])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use yaml_rust2::{Yaml, YamlLoader};

    fn workflow() -> Yaml {
        let text = std::fs::read_to_string(crate::root().join(WORKFLOW)).expect("the workflow");
        YamlLoader::load_from_str(&text).expect("the workflow is valid YAML")[0].clone()
    }

    fn steps(job: &Yaml) -> Vec<Yaml> {
        job["steps"].as_vec().expect("steps").clone()
    }

    fn runs(job: &Yaml) -> Vec<String> {
        let runs = steps(job)
            .into_iter()
            .filter_map(|s| s["run"].as_str().map(str::to_string));
        runs.map(|r| r.trim().to_string()).collect()
    }

    fn needs(job: &Yaml) -> Vec<String> {
        match &job["needs"] {
            Yaml::String(s) => vec![s.clone()],
            Yaml::Array(a) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => vec![],
        }
    }

    #[test]
    fn every_push_and_pull_request_is_tested_and_only_tested_main_is_published() {
        let wf = workflow();
        // YAML 1.1 readers (GitHub's) take a bare `on` as a key named "on", which yaml-rust2 keeps.
        let on = &wf["on"];
        let branches = &on["push"]["branches"];
        assert!(
            branches
                .as_vec()
                .is_some_and(|b| b.iter().any(|v| v.as_str() == Some("main"))),
            "the workflow must run on pushes to main: {branches:?}"
        );
        assert!(
            !on["pull_request"].is_badvalue(),
            "the workflow must test pull requests"
        );
        let jobs = &wf["jobs"];
        assert_eq!(
            runs(&jobs["test"]),
            [".ci/run"],
            "the test job runs the gate"
        );
        assert_eq!(
            needs(&jobs["build"]),
            ["test"],
            "the book is built only after the tests"
        );
        let only_main = jobs["build"]["if"].as_str().unwrap_or_default();
        assert!(
            only_main.contains("refs/heads/main") && only_main.contains("pull_request"),
            "the build job must run for pushes to main only: {only_main:?}"
        );
        assert_eq!(needs(&jobs["deploy"]), ["build"]);
        let deploy = &jobs["deploy"]["steps"][0]["uses"];
        assert!(
            deploy
                .as_str()
                .is_some_and(|u| u.starts_with("actions/deploy-pages")),
            "a deploy job publishes the artifact: {deploy:?}"
        );
    }

    #[test]
    fn the_book_is_built_with_the_readme_command_and_the_minimum_rust() {
        let root = crate::root();
        let build = &workflow()["jobs"]["build"];
        let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
        let command = readme_build_command(&readme).expect("README's first ```sh block");
        assert_eq!(command, "cargo xtask book");
        let steps = steps(build);
        let at = |pred: &dyn Fn(&Yaml) -> bool| steps.iter().position(pred);
        let book = at(&|s| s["run"].as_str().map(str::trim) == Some(command.as_str()))
            .unwrap_or_else(|| panic!("the build job must run `{command}`"));
        let msrv_step = at(&|s| s["id"].as_str() == Some("msrv")).expect("a step with id msrv");
        let reads = steps[msrv_step]["run"].as_str().unwrap_or_default();
        assert!(
            reads.contains("rust-version") && reads.contains("Cargo.toml"),
            "the msrv step reads Cargo.toml's rust-version: {reads}"
        );
        let is_toolchain = |s: &Yaml| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("dtolnay/rust-toolchain"))
        };
        let toolchain = at(&|s| {
            is_toolchain(s)
                && s["with"]["toolchain"].as_str() == Some("${{ steps.msrv.outputs.version }}")
        })
        .expect("a step installing the minimum Rust");
        // The last toolchain installed before the build, so the default when the book is built.
        assert_eq!(
            steps[..book].iter().rposition(is_toolchain),
            Some(toolchain)
        );
        assert!(msrv_step < toolchain);
        let uploads = steps.iter().any(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-pages-artifact"))
                && s["with"]["path"] == Yaml::String("book".into())
        });
        assert!(uploads, "the build job must publish book/");
    }

    /// Cargo.toml alone states the minimum Rust: the gate and the workflow read it, the book
    /// includes it, and the README and STYLE.md, which readers see on GitHub, state the same.
    #[test]
    fn the_minimum_rust_is_written_once() {
        let root = crate::root();
        let msrv = crate::msrv().unwrap();
        let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
        for file in [WORKFLOW, ".ci/run"] {
            let text = read(file);
            assert!(
                rust_versions(&text).is_empty(),
                "{file} writes a Rust version"
            );
            assert!(
                text.contains("rust-version"),
                "{file} must read rust-version"
            );
        }
        for file in ["README.md", "STYLE.md"] {
            let text = read(file);
            let stated = rust_versions(&text);
            assert!(
                !stated.is_empty() && stated.iter().all(|v| *v == msrv),
                "{file}: {stated:?}"
            );
        }
        let running = read("src/running.md");
        assert!(running.contains(&format!("{{{{#include generated/{RUST_VERSION_FILE}}}}}")));
        for chapter in std::fs::read_dir(root.join("src")).unwrap() {
            let path = chapter.unwrap().path();
            if path.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&path).unwrap();
                let stated = rust_versions(&text);
                assert!(
                    !stated.contains(&msrv.as_str()),
                    "{} states the minimum Rust: include generated/{RUST_VERSION_FILE}",
                    path.display()
                );
            }
        }
    }

    #[test]
    fn versions_and_commands_are_read_from_text() {
        let readme = "text\n\n```sh\ncargo xtask book --open    # build\ncargo xtask test\n```\n";
        assert_eq!(
            readme_build_command(readme).as_deref(),
            Some("cargo xtask book")
        );
        assert_eq!(
            rust_versions("Rust 1.89 or newer; mdBook 0.5.4, 21.890, 1.100, v1.89.0"),
            ["1.89", "1.89"]
        );
    }
}

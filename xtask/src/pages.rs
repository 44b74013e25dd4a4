//! The published book: `.github/workflows/github-pages.yml` builds it with the README's command.
//!
//! Nothing here runs at build time; the module holds the test that keeps the workflow honest,
//! since GitHub is the only place it runs: a workflow that does not parse, or builds the book
//! some other way than readers do, would publish a different book (or none) without any local
//! check noticing.

/// Where GitHub looks for workflows.
pub const WORKFLOW: &str = ".github/workflows/github-pages.yml";

/// The build command the README gives readers (its first ```sh block, first command).
pub fn readme_build_command(readme: &str) -> Option<String> {
    let block = readme.split("```sh").nth(1)?.split("```").next()?;
    let line = block.lines().map(str::trim).find(|l| !l.is_empty())?;
    let command = line.split('#').next()?.trim();
    // `--open` opens a browser on the reader's machine; the build is the rest.
    Some(command.replace(" --open", ""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use yaml_rust2::{Yaml, YamlLoader};

    #[test]
    fn the_pages_workflow_parses_and_builds_with_the_readme_command() {
        let root = crate::root();
        let text = std::fs::read_to_string(root.join(WORKFLOW)).expect("the Pages workflow");
        let docs = YamlLoader::load_from_str(&text).expect("the workflow is valid YAML");
        let wf = &docs[0];
        // YAML 1.1 readers (GitHub's) take a bare `on` as a key named "on", which yaml-rust2 keeps.
        let branches = &wf["on"]["push"]["branches"];
        assert!(
            branches
                .as_vec()
                .is_some_and(|b| b.iter().any(|v| v.as_str() == Some("main"))),
            "the workflow must run on pushes to main: {branches:?}"
        );
        let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
        let command = readme_build_command(&readme).expect("README's first ```sh block");
        assert_eq!(command, "cargo xtask book");
        let steps = wf["jobs"]["build"]["steps"].as_vec().expect("build steps");
        let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
        assert!(
            runs.iter().any(|r| r.trim() == command),
            "the build job must run `{command}`, it runs {runs:?}"
        );
        let uploads = steps.iter().any(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-pages-artifact"))
                && s["with"]["path"] == Yaml::String("book".into())
        });
        assert!(uploads, "the build job must publish book/");
        let deploy = &wf["jobs"]["deploy"]["steps"][0]["uses"];
        assert!(
            deploy
                .as_str()
                .is_some_and(|u| u.starts_with("actions/deploy-pages")),
            "a deploy job publishes the artifact: {deploy:?}"
        );
    }

    #[test]
    fn the_readme_command_is_read_from_its_first_shell_block() {
        let readme = "text\n\n```sh\ncargo xtask book --open    # build\ncargo xtask test\n```\n";
        assert_eq!(
            readme_build_command(readme).as_deref(),
            Some("cargo xtask book")
        );
    }
}

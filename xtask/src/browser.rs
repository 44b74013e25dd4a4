//! The tools of the browser checks: Chromium, found here exactly as the scripts find it when run
//! by hand (`tests/browser/chromium.mjs`: `$CHROMIUM`, else the first of [`CHROMIUM_NAMES`] on
//! `PATH`), and Node.js of at least the version `tests/browser/package.json` declares
//! (`engines.node`), checked before the scripts run rather than failing inside them.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::process::{QUICK, output_within};

/// The names Chromium goes by, in the order tried: Debian's package, Ubuntu's and Fedora's, then
/// Google's builds.
pub const CHROMIUM_NAMES: [&str; 4] = [
    "chromium",
    "chromium-browser",
    "google-chrome-stable",
    "google-chrome",
];

/// Where the scripts find Chromium too.
pub const CHROMIUM_SCRIPT: &str = "tests/browser/chromium.mjs";

/// Chromium's path: `$CHROMIUM`, else the first of [`CHROMIUM_NAMES`] on `PATH`.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    CHROMIUM_NAMES
        .iter()
        .flat_map(|name| dirs.iter().map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

/// A version as (major, minor, patch).
pub type Version = (u32, u32, u32);

/// "v20.15.1", "20.15" or "20" as a version (missing parts are 0).
pub fn parse_version(text: &str) -> Option<Version> {
    let mut parts = text.trim().trim_start_matches('v').split('.');
    let mut next = || -> Option<u32> {
        match parts.next() {
            None => Some(0),
            Some(p) => p.parse().ok(),
        }
    };
    Some((next()?, next()?, next()?))
}

/// The lowest Node.js version `package.json` allows: its `engines.node`, which must read
/// `>=X.Y[.Z]` (the only form this check understands; anything else is an error, not a pass).
pub fn required_node(package_json: &Path) -> Result<Version> {
    let text = std::fs::read_to_string(package_json)
        .with_context(|| format!("{}: cannot read", package_json.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{}: not JSON", package_json.display()))?;
    let range = json["engines"]["node"]
        .as_str()
        .with_context(|| format!("{}: no engines.node", package_json.display()))?;
    range
        .strip_prefix(">=")
        .and_then(parse_version)
        .with_context(|| {
            format!(
                "{}: engines.node is {range:?}, not \">=X.Y\"",
                package_json.display()
            )
        })
}

/// The version of `node` on `PATH`, if it runs.
pub fn node_version() -> Option<Version> {
    let out = output_within(Command::new("node").arg("--version"), QUICK).ok()?;
    out.status
        .success()
        .then(|| parse_version(&String::from_utf8_lossy(&out.stdout)))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scripts, run by hand, must find the browser `cargo xtask test` finds.
    #[test]
    fn the_scripts_try_the_same_names_in_the_same_order() {
        let script = std::fs::read_to_string(crate::root().join(CHROMIUM_SCRIPT)).unwrap();
        let line = script
            .lines()
            .find(|l| l.starts_with("export const CHROMIUM_NAMES = ["))
            .expect("chromium.mjs lists CHROMIUM_NAMES on one line");
        let list = line
            .split_once('[')
            .and_then(|(_, rest)| rest.split_once(']'))
            .map(|(list, _)| list)
            .unwrap();
        let names: Vec<&str> = list
            .split(',')
            .map(|n| n.trim().trim_matches('\''))
            .collect();
        assert_eq!(names, CHROMIUM_NAMES);
        for script in ["check.mjs", "live.mjs", "live-bench.mjs"] {
            let text =
                std::fs::read_to_string(crate::root().join("tests/browser").join(script)).unwrap();
            assert!(
                text.contains("const CHROMIUM = findChromium();")
                    && !text.contains("/usr/bin/chromium"),
                "{script} must find Chromium through chromium.mjs"
            );
        }
    }

    #[test]
    fn the_declared_node_version_is_read_and_compared() {
        let root = crate::root();
        let required = required_node(&root.join("tests/browser/package.json")).unwrap();
        // playwright-core needs Node 20; the live check uses zlib.crc32 (Node 20.15).
        assert!(required >= (20, 15, 0), "{required:?}");
        assert_eq!(parse_version("v20.20.2\n"), Some((20, 20, 2)));
        assert_eq!(parse_version("20.15"), Some((20, 15, 0)));
        assert_eq!(parse_version("vx"), None);
        assert!(parse_version("v18.19.0").unwrap() < required);
        let dir = tempfile::tempdir().unwrap();
        let odd = dir.path().join("package.json");
        std::fs::write(&odd, r#"{"engines": {"node": "^20"}}"#).unwrap();
        assert!(required_node(&odd).is_err());
    }
}

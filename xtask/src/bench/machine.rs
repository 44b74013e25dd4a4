//! Facts about the machine a run happened on: timings mean nothing without them.

use std::process::Command;

use serde::Serialize;

use crate::process::first_line;

/// Facts about the machine, for the report.
#[derive(Clone, Debug, Serialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub os: String,
    pub load_before: String,
    pub load_after: String,
    pub rustc: String,
    pub python: String,
}

/// The 1, 5 and 15 minute load averages: other work on the machine shares its cores.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

pub fn os_name() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_string())
}

/// Today's date (UTC) as YYYY-MM-DD, from `date`; "an unknown date" without it.
pub fn today() -> String {
    let date = first_line(Command::new("date").args(["-u", "+%Y-%m-%d"]));
    if date.is_empty() || date == "unknown" {
        "an unknown date".into()
    } else {
        date
    }
}

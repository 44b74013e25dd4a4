//! The audio commands of `spectra` (`audio`, `mel-rapsd`, `fit --mel`) on the book's own
//! recordings: every number must equal what the library computes in-process, the way the chapter
//! "What about sound?" computes it.

mod common;

use bookkit::audio::{
    centred_excerpts, default_audio_dir, default_clips, log_mean_mel_rapsd, log_mean_spectrum,
};
use common::{csv, key_values, ok, spectra, value};
use ingest::fixtures::{with_data_length, with_sample_rate};
use spectral::audio::CLIP_SAMPLES;
use spectral::fit::fit_power_law;
use std::path::{Path, PathBuf};

fn book_clips() -> Vec<bookkit::audio::Clip> {
    centred_excerpts(&default_clips().unwrap(), CLIP_SAMPLES).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1e-300)
}

#[test]
fn audio_prints_the_log_mean_power_spectrum_in_hz() {
    let dir = default_audio_dir();
    let (header, rows) = csv(&ok(&[std::ffi::OsStr::new("audio"), dir.as_os_str()]));
    assert_eq!(header, "frequency_hz,power");
    let want = log_mean_spectrum(&book_clips()).unwrap();
    assert_eq!(rows.len(), CLIP_SAMPLES / 2 + 1);
    assert_eq!(rows[1].0, 0.5);
    assert_eq!(rows[rows.len() - 1].0, 11_025.0);
    for ((f, p), (wf, wp)) in rows.iter().zip(want.frequency_hz.iter().zip(&want.power)) {
        assert!(close(*f, *wf) && close(*p, *wp), "{f} {p} vs {wf} {wp}");
    }
}

#[test]
fn mel_rapsd_and_fit_mel_match_the_chapter() {
    let dir = default_audio_dir();
    let (header, rows) = csv(&ok(&[std::ffi::OsStr::new("mel-rapsd"), dir.as_os_str()]));
    assert_eq!(header, "frequency,power");
    let want = log_mean_mel_rapsd(&book_clips()).unwrap();
    assert_eq!(rows.len(), 64, "a 128 × 87 log-mel image has radii 0 … 63");
    for ((f, p), (wf, wp)) in rows.iter().zip(want.frequency.iter().zip(&want.power)) {
        assert!(close(*f, *wf) && close(*p, *wp), "{f} {p} vs {wf} {wp}");
    }
    let kv = key_values(&ok(&[
        std::ffi::OsStr::new("fit"),
        std::ffi::OsStr::new("--mel"),
        std::ffi::OsStr::new("--bootstrap"),
        std::ffi::OsStr::new("50"),
        dir.as_os_str(),
    ]));
    let law = fit_power_law(&want.frequency[1..], &want.power[1..]);
    assert!(close(value(&kv, "alpha"), law.alpha), "{kv:?} vs {law:?}");
    assert!(close(value(&kv, "C"), law.c));
    assert!(value(&kv, "alpha_low") <= law.alpha && law.alpha <= value(&kv, "alpha_high"));
}

#[test]
fn audio_commands_refuse_a_folder_without_recordings() {
    let empty = tempfile::tempdir().unwrap();
    for cmd in ["audio", "mel-rapsd"] {
        let run = spectra(&[std::ffi::OsStr::new(cmd), empty.path().as_os_str()]);
        assert_eq!(run.code, 1, "{cmd}: {}", run.stderr);
        assert!(run.stdout.is_empty());
        assert!(
            run.stderr.contains(&empty.path().display().to_string()),
            "{}",
            run.stderr
        );
    }
}

/// One of the book's recordings with its header's sample rate or data length overwritten: a few
/// kilobytes that would have `spectra` allocate gigabytes, which aborts the process.
fn damaged_copy(dir: &Path, name: &str, damage: impl Fn(Vec<u8>) -> Vec<u8>) -> PathBuf {
    let bytes = std::fs::read(default_audio_dir().join("speech-02-danish.wav")).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, damage(bytes)).unwrap();
    path
}

#[test]
fn headers_claiming_absurd_rates_or_lengths_are_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            damaged_copy(dir.path(), "one-hertz.wav", |b| with_sample_rate(b, 1)),
            "a sample rate of 1 Hz, outside the 4000 to 768000 Hz that recordings use",
        ),
        (
            damaged_copy(dir.path(), "fast.wav", |b| with_sample_rate(b, 5_000_000)),
            "a sample rate of 5000000 Hz",
        ),
        (
            damaged_copy(dir.path(), "endless.wav", |b| {
                with_data_length(b, u32::MAX - 3)
            }),
            "truncated or damaged WAV: the header claims 2147483646 samples",
        ),
    ];
    for (path, words) in &cases {
        for cmd in ["audio", "mel-rapsd"] {
            let run = spectra(&[std::ffi::OsStr::new(cmd), path.as_os_str()]);
            common::assert_failed_naming(&run, cmd, path);
            assert!(run.stderr.contains(words), "{cmd}: {}", run.stderr);
        }
    }
}

/// Recordings are found by the same walker as photos: a link from a folder back to itself is not
/// followed (the audio walker once followed it and looped), and a link to a file is measured once.
#[cfg(unix)]
#[test]
fn a_folder_with_a_link_loop_is_walked_once() {
    let dir = tempfile::tempdir().unwrap();
    let book = default_audio_dir();
    for name in ["speech-01-french.wav", "music-03-fiddle.wav"] {
        std::os::unix::fs::symlink(book.join(name), dir.path().join(name)).unwrap();
    }
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
    let out = ok(&[
        std::ffi::OsStr::new("audio"),
        std::ffi::OsStr::new("--json"),
        dir.path().as_os_str(),
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["recordings"], 2, "{out}");
    assert_eq!(v["frequency_hz"][1], 0.5);
}

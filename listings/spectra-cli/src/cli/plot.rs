//! `spectra plot`: the reader's log-mean spectrum and its power-law fit, beside the same
//! measurement of a reference set (the book's embedded photos or recordings unless told
//! otherwise), drawn in the book's style: red for the reader's data, blue for the reference, fits
//! dotted.
//!
//! Photos are measured as everywhere in the tool (the RAPSD of one channel); recordings as in the
//! sound chapter (the RAPSD of the log-mel spectrogram of their middle 2 s). Which of the two the
//! inputs are is told from the files' extensions. The book's own sets are built into the binary
//! ([`crate::embedded`]), measured by this same code, so `plot` needs no copy of the book.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use serde::Serialize;
use spectral::fit::{PowerLaw, fit_power_law};
use spectral::spectrum::Rapsd;

use super::measure::{Measured, measure_recordings};
use super::report::{Skipped, check_fittable, powerless, skipped};
use super::{Input, Spectra, Warn, measure};
use crate::embedded::{self, Reference};
use bookkit::audio::AUDIO_EXTENSIONS;
use bookkit::data::{BOOK_SIZE, IMAGE_EXTENSIONS, Preprocess, has_extension, walk_files};
use bookkit::figure::write_atomic;
use bookkit::plot::{BLUE, Chart, RED, Series, Style};

#[derive(Clone, Debug, Args)]
pub struct PlotArgs {
    #[command(flatten)]
    pub input: Input,
    /// The picture to write: .png or .svg (written whole or not at all)
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Folder of images (or recordings) to compare with [default: the book's, built in]
    #[arg(long, value_name = "DIR")]
    pub reference: Option<PathBuf>,
    /// Draw your images alone, without a reference set
    #[arg(long, conflicts_with = "reference")]
    pub no_reference: bool,
    /// Title above the chart
    #[arg(long)]
    pub title: Option<String>,
    /// Width of the picture in pixels
    #[arg(long, value_name = "PX", default_value_t = 720,
          value_parser = clap::value_parser!(u32).range(200..=8000))]
    pub width: u32,
    /// Height of the picture in pixels
    #[arg(long, value_name = "PX", default_value_t = 440,
          value_parser = clap::value_parser!(u32).range(150..=8000))]
    pub height: u32,
}

/// The picture formats `plot` writes, chosen by the output's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    /// The format a file name asks for; anything but .png and .svg is refused before any work.
    pub fn of(path: &Path) -> Result<Format> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("png") => Ok(Format::Png),
            Some("svg") => Ok(Format::Svg),
            _ => bail!(
                "{}: cannot tell the picture format from the name: use .png or .svg",
                path.display()
            ),
        }
    }
}

/// What the inputs hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Material {
    Images,
    Recordings,
}

impl Material {
    /// Recordings if the inputs name audio files and no images, else images (whose loader then
    /// explains what is wrong with anything else). Both at once is refused: their spectra are not
    /// comparable.
    pub fn of(paths: &[PathBuf]) -> Result<Material> {
        let count = |extensions: &[&str]| {
            walk_files(paths, extensions, "")
                .into_iter()
                .filter_map(Result::ok)
                .filter(|p| has_extension(p, extensions))
                .count()
        };
        match (count(IMAGE_EXTENSIONS), count(AUDIO_EXTENSIONS)) {
            (0, a) if a > 0 => Ok(Material::Recordings),
            (i, a) if i > 0 && a > 0 => bail!(
                "{}: {i} {} and {a} {}: their spectra cannot share a chart, plot one kind at \
                 a time",
                paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                Material::Images.noun(i),
                Material::Recordings.noun(a),
            ),
            _ => Ok(Material::Images),
        }
    }

    /// "images" or "recordings" (singular for one).
    pub fn noun(self, n: usize) -> &'static str {
        match (self, n) {
            (Material::Images, 1) => "image",
            (Material::Images, _) => "images",
            (Material::Recordings, 1) => "recording",
            (Material::Recordings, _) => "recordings",
        }
    }

    fn measure(self, input: &Input) -> Measured {
        match self {
            Material::Images => measure(input),
            Material::Recordings => measure_recordings(&input.paths, input.strict),
        }
    }

    /// The book's own set of this material as the input's options would measure it, and its
    /// legend label: built in for the book's preparation (any channel, 320 × 320), which is the
    /// only one it was measured with.
    fn book_set(self, input: &Input) -> Result<(&'static str, Reference)> {
        match self {
            Material::Recordings => Ok(("the book's recordings", embedded::recordings())),
            Material::Images if input.preprocess() == Preprocess::default() => {
                Ok(("the book's photos", embedded::photos(input.channel)))
            }
            Material::Images => bail!(
                "the book's photos are built into spectra as measured at {BOOK_SIZE}×{BOOK_SIZE}: \
                 with --size or --no-resize, pass --reference DIR (the book's are in its \
                 data/images) or --no-reference"
            ),
        }
    }
}

/// One measured set as the chart and the summary show it.
struct Set {
    label: String,
    material: Material,
    files: usize,
    /// The log-domain mean curve, DC first.
    mean: Rapsd,
    law: PowerLaw,
}

impl Set {
    /// Measures (warning about bad files) and fits one set; also returns the measurement.
    fn measure(
        label: String,
        material: Material,
        input: &Input,
        warn: Warn<'_>,
    ) -> Result<(Set, Spectra)> {
        let spectra = material.measure(input).settle(Some(&powerless), warn)?;
        check_fittable(&spectra)?;
        let reference = Reference {
            files: spectra.curves.len(),
            mean: spectra.log_mean(),
        };
        Ok((Set::of(label, material, reference), spectra))
    }

    /// A set already measured: its fit.
    fn of(label: String, material: Material, reference: Reference) -> Set {
        let mean = reference.mean.without_dc();
        let law = fit_power_law(&mean.frequency, &mean.power);
        Set {
            label,
            material,
            files: reference.files,
            mean: reference.mean,
            law,
        }
    }

    /// The data curve and its fit, in one colour.
    fn series(&self, color: bookkit::plot::RGBColor) -> [Series; 2] {
        let mean = self.mean.without_dc();
        let fitted: Vec<f64> = mean.frequency.iter().map(|f| self.law.eval(*f)).collect();
        let n = self.files;
        let noun = self.material.noun(n);
        [
            Series::new(&mean.frequency, &mean.power, color, Style::LineDots)
                .label(&format!("{} ({n} {noun})", self.label)),
            Series::new(&mean.frequency, &fitted, color, Style::Dotted)
                .label(&format!("power-law fit, α = {:.3}", self.law.alpha)),
        ]
    }
}

/// What `plot --json` prints.
#[derive(Serialize)]
struct Summary {
    output: String,
    /// "images" or "recordings".
    kind: &'static str,
    files: usize,
    alpha: f64,
    #[serde(rename = "C")]
    c: f64,
    reference: Option<ReferenceSummary>,
    skipped: Vec<Skipped>,
}

#[derive(Serialize)]
struct ReferenceSummary {
    folder: String,
    files: usize,
    alpha: f64,
}

/// Measures, fits, draws and writes the picture; returns the summary for stdout.
pub fn plot(args: &PlotArgs, warn: Warn<'_>) -> Result<String> {
    let format = Format::of(&args.output)?;
    let material = Material::of(&args.input.paths)?;
    let compare = compare_with(args, material)?;
    let yours = match material {
        Material::Images => "your images",
        Material::Recordings => "your recordings",
    };
    let (ours, spectra) = Set::measure(yours.into(), material, &args.input, &mut *warn)?;
    let theirs = match compare {
        Compare::Nothing => None,
        Compare::Book(label, set) => Some((Set::of(label.into(), material, set), BUILT_IN.into())),
        Compare::Folder(dir) => {
            let input = Input {
                paths: vec![dir.clone()],
                ..args.input.clone()
            };
            let (set, _) = Set::measure("reference".into(), material, &input, &mut *warn)?;
            Some((set, dir.display().to_string()))
        }
    };
    let chart = chart(args, &ours, theirs.as_ref().map(|(set, _)| set));
    let bytes = match format {
        Format::Png => png_bytes(&chart.render(args.width, args.height)?)?,
        Format::Svg => chart.svg(args.width, args.height).into_bytes(),
    };
    write_atomic(&args.output, &bytes)?;
    Ok(summary(args, &ours, &spectra, theirs.as_ref()))
}

/// What `--json` names as the reference folder when the book's built-in set is drawn.
pub const BUILT_IN: &str = "built into spectra (the book's data/)";

/// What the reader's set is drawn beside.
enum Compare {
    Nothing,
    /// The book's set, built in, with its legend label.
    Book(&'static str, Reference),
    Folder(PathBuf),
}

/// The reference set, decided before any work is done.
fn compare_with(args: &PlotArgs, material: Material) -> Result<Compare> {
    if args.no_reference {
        return Ok(Compare::Nothing);
    }
    if let Some(dir) = &args.reference {
        return Ok(Compare::Folder(dir.clone()));
    }
    let (label, set) = material.book_set(&args.input)?;
    Ok(Compare::Book(label, set))
}

fn chart(args: &PlotArgs, ours: &Set, theirs: Option<&Set>) -> Chart {
    let mut chart = Chart::loglog();
    if let Some(title) = &args.title {
        chart = chart.title(title);
    }
    // The reference goes first, so the reader's curve is drawn on top of it.
    for s in theirs.map(|t| t.series(BLUE)).into_iter().flatten() {
        chart = chart.with(s);
    }
    for s in ours.series(RED) {
        chart = chart.with(s);
    }
    chart
}

fn png_bytes(img: &bookkit::image::RgbImage) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut bytes),
        bookkit::image::ImageFormat::Png,
    )
    .context("encoding the PNG failed")?;
    Ok(bytes)
}

fn summary(
    args: &PlotArgs,
    ours: &Set,
    spectra: &Spectra,
    theirs: Option<&(Set, String)>,
) -> String {
    let output = args.output.display().to_string();
    let n = ours.files;
    if !args.input.json {
        let mut line = format!(
            "{output}: {n} {}, alpha = {:.3}",
            ours.material.noun(n),
            ours.law.alpha
        );
        if let Some((set, _)) = theirs {
            line += &format!("; {}: alpha = {:.3}", set.label, set.law.alpha);
        }
        return line + "\n";
    }
    let summary = Summary {
        output,
        kind: ours.material.noun(2),
        files: n,
        alpha: ours.law.alpha,
        c: ours.law.c,
        reference: theirs.map(|(set, folder)| ReferenceSummary {
            folder: folder.clone(),
            files: set.files,
            alpha: set.law.alpha,
        }),
        skipped: skipped(spectra),
    };
    let mut s = serde_json::to_string(&summary).expect("finite numbers and strings serialise");
    s.push('\n');
    s
}

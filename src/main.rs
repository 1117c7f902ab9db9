//! The `mist` command line: estimates I(X;Y) in nats from a CSV file or from two `.npy` files.
//!
//! Stdout carries only the estimate (BMI's external-estimator convention); a human summary
//! and errors go to stderr. Exit codes: 2 for usage and input errors, 1 for estimation errors.

use clap::{Parser, ValueEnum};
use mist::baselines::{Estimator, Gaussian, Ksg, bootstrap_interval};
use mist::io::{IoError, read_csv, read_npy_pair};
use ndarray::Array2;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const EXAMPLES: &str = "\
Examples:
  mist samples.csv 2 1                   2 X columns, then 1 Y column (BMI's convention)
  mist samples.csv                       DIM_X, DIM_Y read from an X0,X1,Y0 header
  mist x.npy y.npy --method gaussian     X and Y as two .npy arrays (rows = samples)
  mist samples.csv 2 1 --bootstrap 200   adds a 90% bootstrap interval to the summary";

/// Estimates the mutual information I(X;Y) of paired samples and prints it in nats on stdout.
#[derive(Parser)]
#[command(
    version,
    override_usage = "mist [OPTIONS] FILE.csv [DIM_X DIM_Y]\n       mist [OPTIONS] X.npy Y.npy",
    after_help = EXAMPLES
)]
struct Cli {
    /// CSV file with the X columns then the Y columns (header optional), or X.npy
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Number of X columns of the CSV, or Y.npy
    #[arg(value_name = "DIM_X|Y.npy")]
    second: Option<String>,
    /// Number of Y columns of the CSV
    #[arg(value_name = "DIM_Y")]
    dim_y: Option<usize>,
    /// Estimation method
    #[arg(long, value_enum, default_value_t = Method::Ksg)]
    method: Method,
    /// Number of nearest neighbours for KSG
    #[arg(long, default_value_t = Ksg::default().k)]
    k: usize,
    /// Adds a percentile bootstrap interval from B resamples to the stderr summary
    #[arg(long, value_name = "B")]
    bootstrap: Option<usize>,
    /// Coverage level of the bootstrap interval
    #[arg(long, default_value_t = 0.9)]
    level: f64,
    /// Seed of the bootstrap resampling
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Never prints the summary line on stderr
    #[arg(long, short, conflicts_with = "verbose")]
    quiet: bool,
    /// Always prints the summary line on stderr (by default only when stderr is a terminal, since
    /// BMI reads stdout and stderr together and expects one float)
    #[arg(long, short)]
    verbose: bool,
}

/// The estimators `--method` chooses from; a new one is a variant plus its arm in `estimator`.
#[derive(Clone, Copy, ValueEnum)]
enum Method {
    /// Kraskov–Stögbauer–Grassberger k-nearest-neighbour estimator (uses --k)
    Ksg,
    /// Gaussian (canonical-correlation) estimator, exact for jointly Gaussian data
    Gaussian,
}

impl Method {
    /// The estimator this method names, with `k` neighbours where that applies.
    fn estimator(self, k: usize) -> Box<dyn Estimator> {
        match self {
            Method::Ksg => Box::new(Ksg { k }),
            Method::Gaussian => Box::new(Gaussian),
        }
    }
}

/// Why a run failed; printed as `mist: error: <message>`.
#[derive(Debug, thiserror::Error)]
enum Failure {
    /// The positional arguments do not form a valid invocation.
    #[error("{0}")]
    Usage(String),
    /// The data file(s) could not be read.
    #[error(transparent)]
    Input(#[from] IoError),
    /// The estimator rejected the data or its parameters.
    #[error(transparent)]
    Estimate(#[from] mist::Error),
    /// The estimate could not be written to stdout.
    #[error("cannot write to stdout: {0}")]
    Output(std::io::Error),
}

impl Failure {
    /// 2 for usage and input errors, 1 for estimation (and output) errors.
    fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) | Failure::Input(_) => 2,
            Failure::Estimate(_) | Failure::Output(_) => 1,
        }
    }
}

/// Parses the arguments and runs; a failure becomes `mist: error: <message>` and its exit code.
fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("mist: error: {failure}");
            ExitCode::from(failure.exit_code())
        }
    }
}

/// Reads the data, estimates MI (and the interval), prints the estimate and the summary.
fn run(cli: &Cli) -> Result<(), Failure> {
    let (x, y) = load(cli)?;
    let estimator = cli.method.estimator(cli.k);
    let mi = estimator.estimate(x.view(), y.view())?;
    let interval = cli
        .bootstrap
        .map(|b| bootstrap_interval(estimator.as_ref(), x.view(), y.view(), b, cli.level, cli.seed))
        .transpose()?;
    writeln!(std::io::stdout(), "{mi}").map_err(Failure::Output)?;
    if cli.verbose || (!cli.quiet && std::io::stderr().is_terminal()) {
        let mut summary = format!(
            "mist: I(X;Y) ≈ {mi:.4} nats by {} on n = {} rows, dx = {}, dy = {}",
            estimator.name(),
            x.nrows(),
            x.ncols(),
            y.ncols()
        );
        if let Some(iv) = interval {
            let percent = (iv.level * 1e4).round() / 1e2;
            summary += &format!("; {percent}% bootstrap interval [{:.4}, {:.4}] nats", iv.lo, iv.hi);
        }
        eprintln!("{summary}");
    }
    Ok(())
}

/// Reads X and Y as the positional arguments say: `FILE.csv [DIM_X DIM_Y]` or `X.npy Y.npy`.
fn load(cli: &Cli) -> Result<(Array2<f64>, Array2<f64>), Failure> {
    let is_npy = |p: &Path| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    let file = &cli.file;
    match (cli.second.as_deref(), cli.dim_y) {
        (Some(y), None) if is_npy(file) && is_npy(Path::new(y)) => Ok(read_npy_pair(file, Path::new(y))?),
        _ if is_npy(file) => Err(Failure::Usage(format!(
            "{} is a .npy file: give X and Y as two .npy files, e.g. `mist x.npy y.npy`",
            file.display()
        ))),
        (None, None) => Ok(read_csv(file, None)?),
        (Some(dx), Some(dy)) => {
            let dx =
                dx.parse().map_err(|_| Failure::Usage(format!("DIM_X must be a number of columns, got {dx:?}")))?;
            Ok(read_csv(file, Some((dx, dy)))?)
        }
        _ => Err(Failure::Usage(
            "give both DIM_X and DIM_Y, or neither to read them from an X0,...,Y0,... header".to_string(),
        )),
    }
}

//! The `mist` command line: estimates I(X;Y) in nats from a CSV file or from two `.npy` files.
//!
//! Stdout carries only the estimate (BMI's external-estimator convention); a human summary
//! and errors go to stderr. Exit codes: 2 for usage and input errors, 1 for estimation errors.

use clap::{Parser, ValueEnum};
use mist::auto::Kind;
use mist::baselines::discrete::TableMethod;
use mist::baselines::{Estimator, Ksg, bootstrap_interval};
use mist::input::varying_columns;
use mist::permutation::Test;
use mist::runtime::{EstimatorOptions, MistEstimator, ModelSource, RuntimeError};
use mist_cli::columns::{ColumnList, Columns};
use mist_cli::delimiter::Delimiter;
use mist_cli::io::{CsvOptions, IoError, Samples, read_csv, read_npy_pair};
use ndarray::{Array2, Axis};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const EXAMPLES: &str = "\
Examples:
  mist samples.csv 2 1                   2 X columns, then 1 Y column (BMI's convention)
  mist samples.csv                       DIM_X, DIM_Y read from an X0,X1,Y0 header
  mist data.csv --x age,height --y 4     X = the columns named age and height, Y = the 4th column
  mist data.csv 2 1 --delimiter ';'      cells separated by ';' (auto-detected by default)
  mist x.npy y.npy --method gaussian     X and Y as two .npy arrays (rows = samples)
  mist samples.csv 2 1 --method gcmi     the Gaussian-copula baseline (GCMI)
  mist samples.csv 2 1 -v --quantiles 0.05,0.5,0.95
                                         adds the model's quantiles (a 90% interval) to the summary
  mist samples.csv 2 1 --bootstrap 200   adds a 90% subsampling interval to the summary
  mist samples.csv 2 1 --test 199        a permutation test of independence: prints the estimate and
                                         the p-value

The default method, mist, runs the learned model embedded in the binary with ONNX Runtime, found in
this order: --onnxruntime, $MIST_ORT_LIB, libonnxruntime.so next to the executable, the build tree's
vendor/onnxruntime/lib (scripts/setup-onnxruntime).";

/// Estimates the mutual information I(X;Y) of paired samples and prints it in nats on stdout.
#[derive(Parser)]
#[command(
    version,
    override_usage = "mist [OPTIONS] FILE.csv [DIM_X DIM_Y]\n       mist [OPTIONS] FILE.csv --x COLS --y COLS\n       \
                      mist [OPTIONS] X.npy Y.npy",
    after_help = EXAMPLES
)]
struct Cli {
    /// CSV file with the X columns then the Y columns (header optional; R's write.csv row names are
    /// skipped), or X.npy
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Number of X columns of the CSV, or Y.npy
    #[arg(value_name = "DIM_X|Y.npy")]
    second: Option<String>,
    /// Number of Y columns of the CSV
    #[arg(value_name = "DIM_Y")]
    dim_y: Option<usize>,
    /// The CSV's X columns, instead of DIM_X DIM_Y: header names or positions counted from 1,
    /// separated by commas (e.g. a,b or 1,2); columns in neither --x nor --y are ignored
    #[arg(long, value_name = "COLS")]
    x: Option<ColumnList>,
    /// The CSV's Y columns, as for --x
    #[arg(long, value_name = "COLS")]
    y: Option<ColumnList>,
    /// What separates the CSV's cells: ',', ';', tab (or \t), or auto: the one of the three found
    /// most often outside quotes in the first line (',' when none is)
    #[arg(long, value_name = "DELIM", default_value = "auto")]
    delimiter: Delimiter,
    /// Estimation method
    #[arg(long, value_enum, default_value_t = Method::Auto)]
    method: Method,
    /// With --method auto: every X column is discrete (categories or counts), whatever its number
    /// of distinct values; otherwise a column is discrete when it takes 2 to 10 distinct values,
    /// each repeated on average
    #[arg(long)]
    discrete_x: bool,
    /// With --method auto: every Y column is discrete, as --discrete-x
    #[arg(long)]
    discrete_y: bool,
    /// Quantile levels of the learned model's MI distribution added to the summary, e.g.
    /// 0.05,0.5,0.95 (method mist only; stdout keeps the point estimate)
    #[arg(long, value_delimiter = ',', value_name = "TAUS")]
    quantiles: Option<Vec<f64>>,
    /// An .onnx model exported by the MIST trainer, instead of the embedded one (method mist)
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// The ONNX Runtime library (libonnxruntime.so) to load (method mist)
    #[arg(long, value_name = "PATH")]
    onnxruntime: Option<PathBuf>,
    /// Number of nearest neighbours for KSG
    #[arg(long, default_value_t = Ksg::default().k)]
    k: usize,
    /// Adds a subsampling interval to the stderr summary: B estimates on half the rows, drawn
    /// without replacement (with replacement, copied rows bias nearest-neighbour estimates)
    #[arg(long, value_name = "B")]
    bootstrap: Option<usize>,
    /// A permutation test of independence with B row permutations of Y: stdout then holds the
    /// estimate (nats) and the p-value, (1 + #{permuted estimates ≥ estimate}) / (1 + B), on one
    /// line, separated by a space
    #[arg(long, value_name = "B", conflicts_with_all = ["quantiles", "bootstrap"])]
    test: Option<usize>,
    /// Missing values (empty, NA or NaN cells; NaN in .npy files): error names the first one, drop
    /// leaves out every row with one in X or Y (said on stderr)
    #[arg(long, value_enum, value_name = "POLICY", default_value_t = Na::Error)]
    na: Na,
    /// Coverage level of the subsampling interval
    #[arg(long, default_value_t = 0.9)]
    level: f64,
    /// Seed of the subsampling and the permutations, and of mist's row chunking (n above its
    /// maximum) and tie breaking
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

/// What `--na` does with a missing value.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Na {
    /// A missing value is an error naming its line and column
    Error,
    /// Rows with a missing value in X or Y are left out
    Drop,
}

/// The estimators `--method` chooses from; a new one is a variant plus its arm in `estimator`.
#[derive(Clone, Copy, ValueEnum)]
enum Method {
    /// The estimator that fits the columns' kinds: the learned model when every column is
    /// continuous (or a rounded measurement), NSB when every one is discrete, Ross when one
    /// side is discrete and the other continuous, KSG when a side has both (see --discrete-x)
    Auto,
    /// The learned estimator (MIST): a set model run with ONNX Runtime
    Mist,
    /// Kraskov–Stögbauer–Grassberger k-nearest-neighbour estimator (uses --k)
    Ksg,
    /// Gaussian (canonical-correlation) estimator, exact for jointly Gaussian data
    Gaussian,
    /// Gaussian-copula estimator (GCMI), exact for any Gaussian copula, blind to monotone transforms
    Gcmi,
    /// Discrete X and Y (each row's values one category): plug-in estimate of the contingency table
    Plugin,
    /// Discrete X and Y: plug-in with the Miller-Madow correction
    MillerMadow,
    /// Discrete X and Y: James-Stein shrinkage (Hausser & Strimmer), as infotheo's "shrink"
    Shrink,
    /// Discrete X and Y: the NSB estimate (Nemenman, Shafee & Bialek), for tables with few rows per cell
    Nsb,
    /// Discrete X (a class), continuous Y: Ross's nearest-neighbour estimator (uses --k)
    Ross,
}

impl Method {
    /// The library's name for this method, with the options that apply to it.
    fn library(self, cli: &Cli) -> mist::method::Method {
        use mist::method::Method as M;
        match self {
            Method::Auto => M::Auto,
            Method::Mist => M::Model,
            Method::Ksg => M::Ksg { k: cli.k },
            Method::Gaussian => M::Gaussian,
            Method::Gcmi => M::Gcmi,
            Method::Plugin => M::Table(TableMethod::Plugin),
            Method::MillerMadow => M::Table(TableMethod::MillerMadow),
            Method::Shrink => M::Table(TableMethod::Shrink),
            Method::Nsb => M::Table(TableMethod::Nsb),
            Method::Ross => M::Ross { k: cli.k, swap: false },
        }
    }
}

/// The learned estimator with the model, ONNX Runtime and seed of the command line, on the CPU
/// (sessions are created as calls need them: one, or one per CPU for subsamples).
fn learned(cli: &Cli) -> Result<MistEstimator, Failure> {
    let options = EstimatorOptions {
        model: cli.model.clone().map_or(ModelSource::Embedded, ModelSource::Path),
        onnxruntime_path: cli.onnxruntime.clone(),
        seed: cli.seed,
        ..EstimatorOptions::default()
    };
    Ok(MistEstimator::new(options)?)
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
    /// The learned estimator could not be loaded or run (model, ONNX Runtime), or rejected the data.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// The estimate could not be written to stdout.
    #[error("cannot write to stdout: {0}")]
    Output(std::io::Error),
}

impl Failure {
    /// The message in the words of the command line: the flag the user typed for the options'
    /// field the library names, and a discrete column counted from 1 within X or Y, with the
    /// methods that answer it.
    fn user_message(&self) -> String {
        let discrete = match self {
            Failure::Estimate(e) | Failure::Runtime(RuntimeError::Input(e)) => match e {
                mist::Error::Discrete { which, col, levels, n } => Some((which, col, levels, n)),
                _ => None,
            },
            _ => None,
        };
        match discrete {
            Some((which, col, levels, n)) => format!(
                "{which} column {} looks discrete: it takes {levels} distinct values in {n} rows. --method mist \
                 answers continuous data and rounded measurements; --method auto (the default) answers \
                 discrete data too",
                col + 1
            ),
            None => self.to_string().replace(mist::runtime::ort_lib::OPTIONS_PATH, "--onnxruntime"),
        }
    }

    /// 2 for usage and input errors, 1 for estimation (and output) errors.
    fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) | Failure::Input(_) => 2,
            Failure::Estimate(_) | Failure::Runtime(_) | Failure::Output(_) => 1,
        }
    }
}

/// Parses the arguments and runs; a failure becomes `mist: error: <message>` and its exit code.
fn main() -> ExitCode {
    let (name, value) = mist::runtime::ort_lib::QUIET_ENV;
    if std::env::var_os(name).is_none() {
        // SAFETY: the first statement of `main`, before any other thread exists.
        unsafe { std::env::set_var(name, value) };
    }
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let message = failure.user_message();
            eprintln!("mist: error: {message}");
            ExitCode::from(failure.exit_code())
        }
    }
}

/// Reads the data, estimates MI (and the interval), prints the estimate and the summary.
fn run(cli: &Cli) -> Result<(), Failure> {
    if cli.quantiles.is_some() && !matches!(cli.method, Method::Mist | Method::Auto) {
        return Err(Failure::Usage("--quantiles needs --method mist (the learned model's quantile head)".into()));
    }
    if (cli.discrete_x || cli.discrete_y) && !matches!(cli.method, Method::Auto) {
        return Err(Failure::Usage("--discrete-x and --discrete-y go with --method auto".into()));
    }
    check_quantiles(cli.quantiles.as_deref().unwrap_or_default())?;
    let Samples { x, y, row_names, dropped } = load(cli)?;
    if let (Some(skipped), false) = (row_names, cli.quiet) {
        eprintln!("mist: skipping the first column of {}: {skipped}", cli.file.display());
    }
    if dropped > 0 && !cli.quiet {
        let rows = if dropped == 1 { "row" } else { "rows" };
        eprintln!("mist: --na drop: left out {dropped} {rows} with a missing value, {} rows remain", x.nrows());
    }
    let kinds = |discrete: bool, m: &Array2<f64>| discrete.then(|| vec![Kind::Discrete; m.ncols()]);
    let (kx, ky) = (kinds(cli.discrete_x, &x), kinds(cli.discrete_y, &y));
    if let Some(permutations) = cli.test {
        if permutations == 0 || permutations > mist::permutation::MAX_PERMUTATIONS {
            return Err(Failure::Usage(format!(
                "--test {permutations}: give the number of permutations, 1 to {}, e.g. --test 199",
                mist::permutation::MAX_PERMUTATIONS
            )));
        }
        return permutation_test(cli, &x, &y, (kx.as_deref(), ky.as_deref()), permutations);
    }
    let auto = matches!(cli.method, Method::Auto);
    let baseline = cli.method.library(cli).resolve(x.view(), y.view(), kx.as_deref(), ky.as_deref()).baseline();
    // Ross's estimator reads the discrete side as X: auto may swap the sides (MI is symmetric).
    let swapped = matches!(baseline, Some((_, true)));
    let (x, y) = if swapped { (y, x) } else { (x, y) };
    if let (Some((estimator, _)), Some(_), true) = (&baseline, &cli.quantiles, auto) {
        return Err(Failure::Usage(format!(
            "--quantiles needs the learned model, and --method auto chose {} for these columns",
            estimator.name()
        )));
    }
    let (estimator, mi, quantiles): (Box<dyn Estimator>, f64, Vec<(f64, f64)>) = match baseline {
        Some((estimator, _)) => {
            let mi = estimator.estimate(x.view(), y.view())?;
            (estimator, mi, Vec::new())
        }
        None => {
            let model = learned(cli)?;
            let taus = cli.quantiles.as_deref().unwrap_or_default();
            let (mi, q) = match taus {
                [] => (model.estimate(x.view(), y.view())?, Vec::new()),
                _ => model.estimate_with_quantiles(x.view(), y.view(), taus)?,
            };
            (Box::new(model), mi, taus.iter().copied().zip(q).collect())
        }
    };
    let interval = cli
        .bootstrap
        .map(|b| bootstrap_interval(estimator.as_ref(), x.view(), y.view(), b, cli.level, cli.seed))
        .transpose()?;
    writeln!(std::io::stdout(), "{mi}").map_err(Failure::Output)?;
    if cli.verbose || (!cli.quiet && std::io::stderr().is_terminal()) {
        let mut summary = format!(
            "mist: I(X;Y) ≈ {mi:.4} nats by {}{} on n = {} rows, dx = {}, dy = {}",
            estimator.name(),
            if auto { " (chosen by --method auto)" } else { "" },
            x.nrows(),
            width(if swapped { &y } else { &x }),
            width(if swapped { &x } else { &y })
        );
        if !quantiles.is_empty() {
            let parts: Vec<String> = quantiles.iter().map(|(tau, q)| format!("q{tau} = {q:.4}")).collect();
            summary += &format!("; quantiles {} nats", parts.join(", "));
        }
        if let Some(iv) = interval {
            let percent = (iv.level * 1e4).round() / 1e2;
            summary += &format!("; {percent}% subsampling interval [{:.4}, {:.4}] nats", iv.lo, iv.hi);
        }
        eprintln!("{summary}");
    }
    Ok(())
}

/// Runs `--test`: prints the estimate and the p-value on stdout, and the summary.
fn permutation_test(
    cli: &Cli,
    x: &Array2<f64>,
    y: &Array2<f64>,
    (kx, ky): (Option<&[Kind]>, Option<&[Kind]>),
    permutations: usize,
) -> Result<(), Failure> {
    let method = cli.method.library(cli).resolve(x.view(), y.view(), kx, ky);
    let model = if method == mist::method::Method::Model { Some(learned(cli)?) } else { None };
    let test = Test { method, permutations, seed: cli.seed };
    let r = test.run(model.as_ref(), x.view(), y.view(), None, None)?;
    writeln!(std::io::stdout(), "{} {}", r.estimate, r.p_value).map_err(Failure::Output)?;
    if cli.verbose || (!cli.quiet && std::io::stderr().is_terminal()) {
        eprintln!(
            "mist: I(X;Y) ≈ {:.4} nats by {}{} on n = {} rows; permutation test of independence with B = {}: \
             p = {:.4}",
            r.estimate,
            model.as_ref().map_or_else(|| r.method.name(), |m| m.name()),
            if matches!(cli.method, Method::Auto) { " (chosen by --method auto)" } else { "" },
            x.nrows(),
            r.permutations,
            r.p_value
        );
    }
    Ok(())
}

/// `dx = 2` for a matrix of 2 columns, with how many of them are constant (which every estimator
/// leaves out: they carry no information), e.g. `2 (1 constant column left out)`.
fn width(m: &Array2<f64>) -> String {
    match m.ncols() - varying_columns(m.view()).len() {
        0 => m.ncols().to_string(),
        1 => format!("{} (1 constant column left out)", m.ncols()),
        constant => format!("{} ({constant} constant columns left out)", m.ncols()),
    }
}

/// Refuses a quantile level outside (0, 1) before anything is read, in the words of the command
/// line (percentages such as 5,50,95 are the likely mistake).
fn check_quantiles(taus: &[f64]) -> Result<(), Failure> {
    match taus.iter().find(|&&tau| !(tau > 0.0 && tau < 1.0)) {
        Some(tau) => {
            Err(Failure::Usage(format!("--quantiles: {tau} is outside (0, 1); give levels such as 0.05,0.5,0.95")))
        }
        None => Ok(()),
    }
}

/// Reads X and Y as the arguments say: `FILE.csv [DIM_X DIM_Y]`, `FILE.csv --x COLS --y COLS` or
/// `X.npy Y.npy`.
fn load(cli: &Cli) -> Result<Samples, Failure> {
    let is_npy = |p: &Path| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    let file = &cli.file;
    let selected = cli.x.is_some() || cli.y.is_some();
    let csv =
        |columns| read_csv(file, &CsvOptions { delimiter: cli.delimiter, columns, drop_missing: cli.na == Na::Drop });
    match (cli.second.as_deref(), cli.dim_y) {
        (Some(y), None) if is_npy(file) && is_npy(Path::new(y)) && !selected => {
            let (x, y) = read_npy_pair(file, Path::new(y))?;
            Ok(if cli.na == Na::Drop { drop_nan_rows(x, y) } else { Samples { x, y, row_names: None, dropped: 0 } })
        }
        _ if is_npy(file) && selected => Err(Failure::Usage(
            "--x and --y choose columns of a CSV file; give .npy files as `mist x.npy y.npy`".to_string(),
        )),
        _ if is_npy(file) => Err(Failure::Usage(format!(
            "{} is a .npy file: give X and Y as two .npy files, e.g. `mist x.npy y.npy`",
            file.display()
        ))),
        (None, None) => Ok(csv(selection(cli)?)?),
        _ if selected => {
            Err(Failure::Usage("give the columns either as DIM_X DIM_Y or as --x and --y, not both".to_string()))
        }
        (Some(dx), Some(dy)) => {
            let dx =
                dx.parse().map_err(|_| Failure::Usage(format!("DIM_X must be a number of columns, got {dx:?}")))?;
            Ok(csv(Columns::Split { dx, dy })?)
        }
        _ => Err(Failure::Usage(
            "give both DIM_X and DIM_Y, or neither to read them from an X0,...,Y0,... header".to_string(),
        )),
    }
}

/// `x` and `y` without the rows that hold a NaN in either (`--na drop` on `.npy` files).
fn drop_nan_rows(x: Array2<f64>, y: Array2<f64>) -> Samples {
    let keep: Vec<usize> =
        (0..x.nrows()).filter(|&i| !x.row(i).iter().chain(y.row(i).iter()).any(|v| v.is_nan())).collect();
    let dropped = x.nrows() - keep.len();
    let (x, y) = (x.select(Axis(0), &keep), y.select(Axis(0), &keep));
    Samples { x, y, row_names: None, dropped }
}

/// The CSV columns `--x` and `--y` choose (both or neither: then a BMI-style header says).
fn selection(cli: &Cli) -> Result<Columns, Failure> {
    match (&cli.x, &cli.y) {
        (Some(x), Some(y)) => Ok(Columns::Select { x: x.0.clone(), y: y.0.clone() }),
        (None, None) => Ok(Columns::FromHeader),
        (Some(_), None) => Err(Failure::Usage("--x needs --y: give the Y columns too".to_string())),
        (None, Some(_)) => Err(Failure::Usage("--y needs --x: give the X columns too".to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn widths_count_constant_columns() {
        assert_eq!(width(&array![[1.0, 2.0], [3.0, 4.0]]), "2");
        assert_eq!(width(&array![[1.0, 7.0], [3.0, 7.0]]), "2 (1 constant column left out)");
        assert_eq!(width(&array![[1.0, 7.0, 0.0], [3.0, 7.0, 0.0]]), "3 (2 constant columns left out)");
    }

    #[test]
    fn quantile_levels_must_lie_in_the_open_unit_interval() {
        assert!(check_quantiles(&[]).is_ok());
        assert!(check_quantiles(&[0.05, 0.5, 0.95]).is_ok());
        for (taus, bad) in [(&[5.0, 50.0, 95.0][..], "5"), (&[0.5, 1.0], "1"), (&[0.0], "0"), (&[f64::NAN], "NaN")] {
            let message = check_quantiles(taus).unwrap_err().to_string();
            assert_eq!(message, format!("--quantiles: {bad} is outside (0, 1); give levels such as 0.05,0.5,0.95"));
        }
    }
}

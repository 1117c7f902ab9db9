//! Reading paired samples (X, Y) from a CSV file or from a pair of `.npy` files.
//!
//! CSV files are read as they come: cells separated by `,`, `;` or tabs (see [`crate::delimiter`]),
//! an optional header, and R's `write.csv` row names (a first column whose header cell is empty),
//! which are skipped. Every error names the file and the problem on one line, ready for a CLI to
//! print.

use crate::columns::{Columns, LayoutError, label, resolve};
use crate::delimiter::{Chosen, Delimiter};
use csv::{ReaderBuilder, StringRecord, Trim};
use ndarray::{Array2, ArrayD, Axis, Ix1, Ix2};
use ndarray_npy::npy::header::{Header, ReadHeaderError};
use ndarray_npy::{ReadNpyError, ReadNpyExt};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

/// Why a data file could not be turned into samples; each message is one line naming the file.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    /// The file could not be read (missing, a directory, no permission, ...).
    #[error("{path}: cannot read file: {source}")]
    Unreadable { path: PathBuf, source: std::io::Error },
    /// The file holds no data rows (it may hold a header).
    #[error("{path}: file has no data rows")]
    Empty { path: PathBuf },
    /// Every data row has a missing value in X or Y, and `--na drop` dropped them all.
    #[error("{path}: every one of its {dropped} data rows has a missing value in X or Y")]
    AllMissing { path: PathBuf, dropped: usize },
    /// The CSV itself is malformed (e.g. not UTF-8).
    #[error("{path}: {source}")]
    Csv { path: PathBuf, source: csv::Error },
    /// The first line has one cell only: X and Y need a column each, so the cells are probably
    /// separated by another character than the one used.
    #[error("{path}: the file has one column when {}", chosen.one_column_hint())]
    OneColumn { path: PathBuf, chosen: Chosen },
    /// A row has a different number of cells than the first row.
    #[error("{path}: line {line} has {got} columns, expected {expected}")]
    Ragged { path: PathBuf, line: u64, got: usize, expected: usize },
    /// A cell is not a number (`column` is its number from 1, with its header name if any).
    #[error("{path}: line {line}, column {column}: {cell:?} is not a number")]
    NotNumeric { path: PathBuf, line: u64, column: String, cell: String },
    /// A cell is missing: empty, `NA` or `NaN` (see [`is_missing`]).
    #[error(
        "{path}: line {line}, column {column}: {} is a missing value; --na drop drops the rows that have one",
        describe_missing(cell)
    )]
    Missing { path: PathBuf, line: u64, column: String, cell: String },
    /// A cell is infinite.
    #[error("{path}: line {line}, column {column}: {cell} is not finite (Inf is not allowed)")]
    NonFinite { path: PathBuf, line: u64, column: String, cell: String },
    /// The columns asked for as X and Y are not in the file (see [`LayoutError`]); `row_names`
    /// when a row-names column was skipped (and is not counted).
    #[error("{path}: {source}{}", if *row_names { "; its first column, of row names, is not counted" } else { "" })]
    Layout { path: PathBuf, source: LayoutError, row_names: bool },
    /// The `.npy` file is corrupt or not an `.npy` file.
    #[error("{path}: not a valid .npy file: {}", one_line(&source.to_string()))]
    Npy { path: PathBuf, source: ReadNpyError },
    /// The `.npy` array has an element type other than float64, float32 or int64.
    #[error("{path}: unsupported .npy dtype {}; expected float64, float32 or int64", one_line(dtype))]
    NpyDtype { path: PathBuf, dtype: String },
    /// The `.npy` header is longer than the file, too long or too deeply nested to be read.
    #[error("{path}: not a valid .npy file: {reason}")]
    NpyHeader { path: PathBuf, reason: String },
    /// The `.npy` header's shape does not match the number of data bytes after the header (or the
    /// size it implies overflows).
    #[error(
        "{path}: the .npy header's shape {shape} disagrees with the file size: it needs {needed} bytes of data \
         ({item_size} per element), the file has {found} after the header"
    )]
    NpyShape { path: PathBuf, shape: String, needed: String, item_size: usize, found: usize },
    /// The `.npy` array is neither 1-D nor 2-D.
    #[error("{path}: .npy array has {ndim} dimensions; expected 1 (one column) or 2 (rows x columns)")]
    NpyNdim { path: PathBuf, ndim: usize },
    /// The two `.npy` arrays have different row counts.
    #[error("{x} has {x_rows} rows but {y} has {y_rows}; X and Y must have the same number of rows")]
    NpyRows { x: PathBuf, x_rows: usize, y: PathBuf, y_rows: usize },
}

/// `text` on one line of at most 300 characters: the header parser's syntax errors span several
/// lines and quote the whole header, so the lines quoting it (`1 | ...`, `  |  ^---`) are dropped,
/// the others joined and whitespace runs collapsed.
fn one_line(text: &str) -> String {
    const MAX_CHARS: usize = 300;
    let kept: Vec<&str> = text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.contains('|')).collect();
    let joined = if kept.is_empty() { text.replace('|', " ") } else { kept.join(" ") };
    let collapsed = joined.split_whitespace().collect::<Vec<_>>().join(" ");
    match collapsed.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}...", &collapsed[..cut]),
        None => collapsed,
    }
}

/// How to read a CSV file: what separates its cells, which columns are X and Y, and whether rows
/// with a missing value in them are dropped (otherwise a missing value is an error).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsvOptions {
    pub delimiter: Delimiter,
    pub columns: Columns,
    pub drop_missing: bool,
}

/// Whether `cell` (trimmed) marks a missing value: empty, or `NA`, `NaN` or `nan` as R, Julia,
/// pandas and NumPy write one.
pub fn is_missing(cell: &str) -> bool {
    cell.is_empty() || cell == "NA" || cell.eq_ignore_ascii_case("nan")
}

/// A missing cell as a message names it.
fn describe_missing(cell: &str) -> String {
    if cell.is_empty() { "an empty cell".to_string() } else { format!("{cell:?}") }
}

/// Paired samples read from a file, and the row-names column left out of it, if any (for the
/// CLI to say so).
#[derive(Debug)]
pub struct Samples {
    pub x: Array2<f64>,
    pub y: Array2<f64>,
    pub row_names: Option<RowNames>,
    /// Rows dropped for a missing value in X or Y (with [`CsvOptions::drop_missing`]).
    pub dropped: usize,
}

/// A first column skipped as row names: its header cell is empty and every other is not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowNames {
    /// The empty header cell is quoted (`""`), as R's `write.csv` writes it.
    Quoted,
    /// The empty header cell is bare, as pandas' `to_csv` (and R with `quote = FALSE`) write it.
    Bare,
    /// The header has one cell fewer than the rows, as R's `write.table` writes it.
    Short,
}

/// What was skipped, for a message such as `skipping the first column of FILE: <this>`.
impl fmt::Display for RowNames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RowNames::Quoted => "row names, as written by R's write.csv",
            RowNames::Bare => {
                "its header cell is empty (row names or an index, as R's write.csv or pandas' to_csv write them)"
            }
            RowNames::Short => "row names, under a header one cell shorter, as written by R's write.table",
        })
    }
}

/// Reads a CSV of samples and takes X and Y from the columns `options` chooses.
///
/// A header row is optional: the first row is a header when any of its cells is not a number.
/// A first column whose header cell is empty, under a header whose other cells are all named, holds
/// row names (R's `write.csv`, pandas' `to_csv`), and so does the first column of rows one cell
/// longer than the header (R's `write.table`): it is skipped, and columns are counted after it.
/// Cells are trimmed; only the chosen columns need to hold numbers.
pub fn read_csv(path: &Path, options: &CsvOptions) -> Result<Samples, IoError> {
    let bytes = fs::read(path).map_err(|source| IoError::Unreadable { path: path.into(), source })?;
    parse_csv_with(path, &bytes, options)
}

/// Reads X and Y from two `.npy` files (float64, float32 or int64; a 1-D array is one column).
pub fn read_npy_pair(x: &Path, y: &Path) -> Result<(Array2<f64>, Array2<f64>), IoError> {
    let (xs, ys) = (read_npy_matrix(x)?, read_npy_matrix(y)?);
    if xs.nrows() != ys.nrows() {
        return Err(IoError::NpyRows { x: x.into(), x_rows: xs.nrows(), y: y.into(), y_rows: ys.nrows() });
    }
    Ok((xs, ys))
}

/// [`parse_csv_with`] with the delimiter detected and BMI's layout: the first `dx` columns are X and
/// the next `dy` are Y, or with `dims = None` a BMI-style header (`X0,X1,...,Y0,...`: names
/// starting with X, then names starting with Y, case-insensitive) says so.
pub fn parse_csv(
    path: &Path,
    bytes: &[u8],
    dims: Option<(usize, usize)>,
) -> Result<(Array2<f64>, Array2<f64>), IoError> {
    let columns = dims.map_or(Columns::FromHeader, |(dx, dy)| Columns::Split { dx, dy });
    let samples =
        parse_csv_with(path, bytes, &CsvOptions { delimiter: Delimiter::Auto, columns, drop_missing: false })?;
    Ok((samples.x, samples.y))
}

/// Parses the CSV text `bytes` read from `path` (only named in errors); see [`read_csv`].
pub fn parse_csv_with(path: &Path, bytes: &[u8], options: &CsvOptions) -> Result<Samples, IoError> {
    let csv_error = |source| IoError::Csv { path: path.into(), source };
    let chosen = Chosen::for_file(options.delimiter, bytes);
    let mut reader = ReaderBuilder::new()
        .delimiter(chosen.separator.byte())
        .has_headers(false)
        .flexible(true)
        .trim(Trim::All)
        .from_reader(bytes);
    let mut records = reader.records().peekable();
    let first = records.next().ok_or_else(|| IoError::Empty { path: path.into() })?.map_err(csv_error)?;
    let header = is_header(&first);
    // R's write.table: every header cell named, the rows one cell longer (their row names first).
    let short = header && records.peek().is_some_and(|r| r.as_ref().is_ok_and(|r| r.len() == first.len() + 1));
    let cells = first.len() + usize::from(short);
    if cells == 1 {
        return Err(IoError::OneColumn { path: path.into(), chosen });
    }
    let row_names = if short { Some(RowNames::Short) } else { header.then(|| row_names(&first, bytes)).flatten() };
    let skip = usize::from(row_names.is_some());
    let named = usize::from(row_names.is_some() && !short);
    let names: Option<Vec<String>> = header.then(|| first.iter().skip(named).map(str::to_string).collect());
    let names = names.as_deref();
    let (xs, ys) = resolve(&options.columns, names, cells - skip).map_err(|source| IoError::Layout {
        path: path.into(),
        source,
        row_names: skip == 1,
    })?;

    // The chosen columns in file order (so that the leftmost bad cell is reported), 0-based after
    // the row names; `row` holds one line's values, by column.
    let mut used: Vec<usize> = xs.iter().chain(&ys).copied().collect();
    used.sort_unstable();
    let (mut row, mut xv, mut yv) = (vec![0.0; cells - skip], Vec::new(), Vec::new());
    let mut dropped = 0;
    let first_data = (!header).then_some(Ok(first));
    for record in first_data.into_iter().chain(records) {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != cells {
            return Err(IoError::Ragged { path: path.into(), line, got: record.len(), expected: cells });
        }
        if options.drop_missing && used.iter().any(|&i| is_missing(&record[skip + i])) {
            dropped += 1;
            continue;
        }
        for &i in &used {
            row[i] = number(path, line, &record[skip + i], || label(i, names))?;
        }
        xv.extend(xs.iter().map(|&i| row[i]));
        yv.extend(ys.iter().map(|&i| row[i]));
    }
    if xv.is_empty() {
        return Err(match dropped {
            0 => IoError::Empty { path: path.into() },
            dropped => IoError::AllMissing { path: path.into(), dropped },
        });
    }
    let matrix = |values: Vec<f64>, width: usize| {
        Array2::from_shape_vec((values.len() / width, width), values).expect("every row gave `width` values")
    };
    Ok(Samples { x: matrix(xv, xs.len()), y: matrix(yv, ys.len()), row_names, dropped })
}

/// The finite number in `cell` (on `line`, in the column `column` labels), or why it is not one.
fn number(path: &Path, line: u64, cell: &str, column: impl Fn() -> String) -> Result<f64, IoError> {
    if is_missing(cell) {
        return Err(IoError::Missing { path: path.into(), line, column: column(), cell: cell.to_string() });
    }
    let value: f64 = cell.parse().map_err(|_| IoError::NotNumeric {
        path: path.into(),
        line,
        column: column(),
        cell: cell.to_string(),
    })?;
    if !value.is_finite() {
        return Err(IoError::NonFinite { path: path.into(), line, column: column(), cell: cell.to_string() });
    }
    Ok(value)
}

/// A row is a header when any of its cells is neither a number nor a missing value.
fn is_header(row: &StringRecord) -> bool {
    row.iter().any(|cell| cell.parse::<f64>().is_err() && !is_missing(cell))
}

/// Whether the `header` (the first record of the file `bytes`) starts with a row-names column: its
/// first cell is empty and every other is not, and there is at least one other. Quoted when the
/// file (after a UTF-8 byte-order mark and blanks) starts with `""`.
fn row_names(header: &StringRecord, bytes: &[u8]) -> Option<RowNames> {
    let named = header.len() >= 2 && header[0].is_empty() && header.iter().skip(1).all(|cell| !cell.is_empty());
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let text = &text[text.iter().position(|b| !matches!(b, b' ' | b'\t')).unwrap_or(text.len())..];
    named.then_some(if text.starts_with(b"\"\"") { RowNames::Quoted } else { RowNames::Bare })
}

/// Reads one `.npy` file as an n × d matrix of f64 (see [`parse_npy`]).
fn read_npy_matrix(path: &Path) -> Result<Array2<f64>, IoError> {
    let bytes = fs::read(path).map_err(|source| IoError::Unreadable { path: path.into(), source })?;
    parse_npy(path, &bytes)
}

/// Parses the `.npy` file `bytes` read from `path` (only named in errors) as an n × d matrix of f64,
/// converting float32/int64 and 1-D arrays (one column).
///
/// The header is checked against the data before anything is allocated: its length must fit in the
/// file, its dtype must be one of float64, float32 or int64 (either byte order), and its shape times
/// the element size must equal the number of bytes after the header.
pub fn parse_npy(path: &Path, bytes: &[u8]) -> Result<Array2<f64>, IoError> {
    let npy_error = |source| IoError::Npy { path: path.into(), source };
    check_header_fits(path, bytes)?;
    let mut data = bytes;
    let header = Header::from_reader(&mut data).map_err(|e: ReadHeaderError| npy_error(e.into()))?;
    let dtype = header.type_descriptor.as_string().map(String::as_str);
    let item_size = match dtype {
        Some("<f8" | ">f8" | "<i8" | ">i8") => 8,
        Some("<f4" | ">f4") => 4,
        _ => return Err(IoError::NpyDtype { path: path.into(), dtype: header.type_descriptor.to_string() }),
    };
    check_shape_fits(path, &header.shape, item_size, data.len())?;
    let array = match dtype {
        Some("<f8" | ">f8") => ArrayD::<f64>::read_npy(bytes),
        Some("<f4" | ">f4") => ArrayD::<f32>::read_npy(bytes).map(|a| a.mapv(f64::from)),
        _ => ArrayD::<i64>::read_npy(bytes).map(|a| a.mapv(|v| v as f64)),
    };
    let array = array.map_err(npy_error)?;
    let matrix = match array.ndim() {
        1 => array.into_dimensionality::<Ix1>().map(|column| column.insert_axis(Axis(1))),
        2 => array.into_dimensionality::<Ix2>(),
        ndim => {
            return Err(IoError::NpyNdim { path: path.into(), ndim });
        }
    };
    Ok(matrix.expect("ndim was checked"))
}

/// Longest `.npy` header dictionary read, in bytes: numpy's own default limit (`max_header_size` of
/// `numpy.load`), well above the ~120 bytes of a plain array's header.
const MAX_NPY_HEADER: usize = 10_000;

/// Deepest bracket nesting read in an `.npy` header: a plain array's header nests 2 deep (the dict
/// and the shape tuple), a structured dtype (refused anyway) 3 or more. The header parser backtracks
/// between the readings of each bracket, so its time grows exponentially with the nesting (10 nested
/// `{` took 13 s; 3 levels over a 10,000-byte header take well under a second).
const MAX_NPY_NESTING: usize = 3;

/// Checks the header an `.npy` file's prefix announces before the header reader sees it: it must fit
/// in the file (the reader allocates the announced length, up to 4 GiB, first), be at most
/// [`MAX_NPY_HEADER`] bytes and nest brackets at most [`MAX_NPY_NESTING`] deep. Files too short to
/// hold the prefix, or with another magic string or version, are left to the header reader (which
/// reports them).
fn check_header_fits(path: &Path, bytes: &[u8]) -> Result<(), IoError> {
    const MAGIC: &[u8] = b"\x93NUMPY";
    if bytes.len() < MAGIC.len() + 2 || !bytes.starts_with(MAGIC) {
        return Ok(());
    }
    let (announced, prefix) = match bytes[MAGIC.len()] {
        1 => match bytes.get(8..10) {
            Some(len) => (usize::from(u16::from_le_bytes([len[0], len[1]])), 10),
            None => return Ok(()),
        },
        2 | 3 => match bytes.get(8..12) {
            Some(len) => (u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize, 12),
            None => return Ok(()),
        },
        _ => return Ok(()),
    };
    let bad = |reason: String| Err(IoError::NpyHeader { path: path.into(), reason });
    let found = bytes.len() - prefix;
    if announced > found {
        return bad(format!("the header claims {announced} bytes but the file has {found} after its prefix"));
    }
    if announced > MAX_NPY_HEADER {
        return bad(format!("the header is {announced} bytes long; at most {MAX_NPY_HEADER} are read"));
    }
    let (mut depth, mut deepest) = (0usize, 0usize);
    for &b in &bytes[prefix..prefix + announced] {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest > MAX_NPY_NESTING {
        return bad(format!(
            "the header nests brackets {deepest} deep; at most {MAX_NPY_NESTING} are read (a plain array's header nests 2)"
        ));
    }
    Ok(())
}

/// Checks that `shape` of `item_size`-byte elements needs exactly the `found` bytes after the header.
/// The product of the non-zero axes must also fit in `isize::MAX` bytes (as ndarray requires even
/// for an array with a zero axis); a shape that overflows disagrees with every file size.
fn check_shape_fits(path: &Path, shape: &[usize], item_size: usize, found: usize) -> Result<(), IoError> {
    let nonzero = shape
        .iter()
        .filter(|&&axis| axis != 0)
        .try_fold(item_size, |bytes, &axis| bytes.checked_mul(axis))
        .filter(|&bytes| bytes <= isize::MAX as usize);
    let needed = match nonzero {
        Some(_) if shape.contains(&0) => Some(0),
        other => other,
    };
    if needed == Some(found) {
        return Ok(());
    }
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let shape = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let needed = needed.map_or_else(|| format!("more than {}", isize::MAX), |n| n.to_string());
    Err(IoError::NpyShape { path: path.into(), shape, needed, item_size, found })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn parse(text: &str, dims: Option<(usize, usize)>) -> Result<(Array2<f64>, Array2<f64>), IoError> {
        parse_csv(Path::new("t.csv"), text.as_bytes(), dims)
    }

    fn record(cells: &[&str]) -> StringRecord {
        StringRecord::from(cells.to_vec())
    }

    #[test]
    fn detects_header_by_any_non_numeric_cell() {
        assert!(is_header(&record(&["X0", "X1", "Y0"])));
        assert!(is_header(&record(&["1.5", "b", "3"])));
        assert!(!is_header(&record(&["1", "-2.5e3", "NaN"])));
        assert!(!is_header(&record(&["NA", "", "2"])), "missing values are data, not names");
    }

    #[test]
    fn drop_missing_leaves_out_rows_with_empty_na_or_nan_cells_in_x_or_y() {
        let text = "a,b,c\n1,2,x\nNA,3,x\n4,,x\n5,NaN,x\n6,7,\n";
        let options = CsvOptions { drop_missing: true, ..select("a", "b") };
        let samples = parse_csv_with(Path::new("t.csv"), text.as_bytes(), &options).unwrap();
        // Column c is not chosen: its empty cell keeps row 6.
        assert_eq!((samples.x, samples.y, samples.dropped), (array![[1.0], [6.0]], array![[2.0], [7.0]], 3));
        let all = parse_csv_with(Path::new("t.csv"), b"a,b\nNA,1\n,2\n", &options).unwrap_err();
        assert_eq!(all.to_string(), "t.csv: every one of its 2 data rows has a missing value in X or Y");
        let strict = parse_csv_with(Path::new("t.csv"), text.as_bytes(), &select("a", "b")).unwrap_err();
        assert_eq!(
            strict.to_string(),
            "t.csv: line 3, column 1 (a): \"NA\" is a missing value; --na drop drops the rows that have one"
        );
    }

    #[test]
    fn reads_with_and_without_header() {
        let (x, y) = parse(" X0 , X1 ,Y0\n1, 2 ,3\n4,5,6\n", None).unwrap();
        assert_eq!((x, y), (array![[1.0, 2.0], [4.0, 5.0]], array![[3.0], [6.0]]));
        let (x, y) = parse("1,2,3\n4,5,6\n", Some((1, 2))).unwrap();
        assert_eq!((x, y), (array![[1.0], [4.0]], array![[2.0, 3.0], [5.0, 6.0]]));
    }

    #[test]
    fn errors_name_line_column_and_cell() {
        let msg = |text, dims| parse(text, dims).unwrap_err().to_string();
        assert_eq!(msg("1,2\n3,4,5\n", Some((1, 1))), "t.csv: line 2 has 3 columns, expected 2");
        assert_eq!(msg("1,2\n3,abc\n", Some((1, 1))), "t.csv: line 2, column 2: \"abc\" is not a number");
        assert_eq!(msg("x,y\n1,2\n3,abc\n", Some((1, 1))), "t.csv: line 3, column 2 (y): \"abc\" is not a number");
        assert_eq!(msg("x,y\n1,2\n-inf,4\n", None).split(" is").next(), Some("t.csv: line 3, column 1 (x): -inf"));
        assert_eq!(
            msg("1,2\nnan,4\n", Some((1, 1))),
            "t.csv: line 2, column 1: \"nan\" is a missing value; --na drop drops the rows that have one"
        );
        assert!(msg("a,b\n1,\n", Some((1, 1))).contains("line 2, column 2 (b): an empty cell is a missing value"));
        assert!(msg("1,2\ninf,4\n", Some((1, 1))).ends_with("inf is not finite (Inf is not allowed)"));
        assert!(msg("1,2,3\n", Some((1, 1))).contains("DIM_X + DIM_Y = 3"));
        assert!(msg("1,2\n", None).contains("DIM_X DIM_Y are needed"));
        assert!(msg("a,b\n", Some((1, 1))).contains("no data rows"));
        assert!(msg("", None).contains("no data rows"));
    }

    /// Reads `text` with `options` (the delimiter detected and a BMI layout when `None`).
    fn read(text: &str, options: &CsvOptions) -> Result<Samples, String> {
        parse_csv_with(Path::new("t.csv"), text.as_bytes(), options).map_err(|e| e.to_string())
    }

    fn select(x: &str, y: &str) -> CsvOptions {
        let list = |text: &str| text.parse::<crate::columns::ColumnList>().unwrap().0;
        CsvOptions { columns: Columns::Select { x: list(x), y: list(y) }, ..CsvOptions::default() }
    }

    fn split(dx: usize, dy: usize) -> CsvOptions {
        CsvOptions { columns: Columns::Split { dx, dy }, ..CsvOptions::default() }
    }

    #[test]
    fn reads_semicolons_and_tabs_as_commas() {
        let expected = (array![[1.5, 2.0], [4.0, 5.0]], array![[3.0], [6.0]]);
        for text in
            ["X0,X1,Y0\n1.5,2,3\n4,5,6\n", "X0;X1;Y0\n1.5;2;3\n4;5;6\n", "X0\tX1\tY0\r\n1.5\t2\t3\r\n4\t5\t6\r\n"]
        {
            let samples = read(text, &CsvOptions::default()).unwrap();
            assert_eq!((samples.x, samples.y), expected, "{text:?}");
        }
        // A UTF-8 byte-order mark (Excel's "CSV UTF-8") is not part of the first name.
        let samples = read("\u{feff}X0;X1;Y0\n1.5;2;3\n4;5;6\n", &CsvOptions::default()).unwrap();
        assert_eq!((samples.x, samples.y), expected);
        // A given delimiter is used as given.
        let semicolon = CsvOptions { delimiter: ";".parse().unwrap(), ..split(1, 1) };
        assert_eq!(
            read("a;b\n1,5;2\n", &semicolon).unwrap_err(),
            "t.csv: line 2, column 1 (a): \"1,5\" is not a number"
        );
    }

    #[test]
    fn one_column_names_the_delimiter_and_suggests_another() {
        assert_eq!(
            read("1 2 3\n4 5 6\n", &split(2, 1)).unwrap_err(),
            "t.csv: the file has one column when split at ',' (the default: its first line holds no ',', ';' or \
             tab), and X and Y need one each; if its cells are separated by ';' or tabs, give --delimiter ';' or \
             --delimiter tab"
        );
        let comma = CsvOptions { delimiter: ",".parse().unwrap(), ..split(2, 1) };
        assert_eq!(
            read("1;2;3\n4;5;6\n", &comma).unwrap_err(),
            "t.csv: the file has one column when split at ',' (as --delimiter says), and X and Y need one each; if \
             its cells are separated by ';' or tabs, give --delimiter ';' or --delimiter tab"
        );
        let tab = CsvOptions { delimiter: "tab".parse().unwrap(), ..CsvOptions::default() };
        assert!(read("a,b\n1,2\n", &tab).unwrap_err().ends_with("give --delimiter , or --delimiter ';'"));
    }

    #[test]
    fn skips_row_names_under_an_empty_header_cell() {
        let r = "\"\",\"a\",\"b\"\n\"1\",0.5,1.2\n\"2\",-1,3\n\"3\",2,2.5\n";
        let samples = read(r, &split(1, 1)).unwrap();
        assert_eq!(samples.row_names, Some(RowNames::Quoted));
        assert_eq!((samples.x, samples.y), (array![[0.5], [-1.0], [2.0]], array![[1.2], [3.0], [2.5]]));
        // Row names may be any text, and a bare empty cell (pandas' index) counts too.
        let named = ",a,b\nfirst,0.5,1.2\nsecond,-1,3\n";
        let samples = read(named, &select("b", "a")).unwrap();
        assert_eq!(samples.row_names, Some(RowNames::Bare));
        assert_eq!((samples.x, samples.y), (array![[1.2], [3.0]], array![[0.5], [-1.0]]));
        // R's write.table: a header one cell shorter than the rows.
        let table = "\"a\",\"b\"\n\"1\",0.5,1.2\n\"2\",-1,3\n\"3\",2,2.5\n";
        let samples = read(table, &select("a", "b")).unwrap();
        assert_eq!(samples.row_names, Some(RowNames::Short));
        assert_eq!((samples.x, samples.y), (array![[0.5], [-1.0], [2.0]], array![[1.2], [3.0], [2.5]]));
        assert_eq!(read(table, &split(1, 1)).unwrap().x, array![[0.5], [-1.0], [2.0]]);
        // Positions count after the row names; R's X.., Y.. names still give the layout.
        let samples = read(r, &select("2", "1")).unwrap();
        assert_eq!(samples.x, array![[1.2], [3.0], [2.5]]);
        assert_eq!(
            read(r, &select("3", "1")).unwrap_err(),
            "t.csv: there is no column 3: the file has 2 columns (counted from 1); its first column, of row names, \
             is not counted"
        );
        let samples = read("\"\";\"X1\";\"Y1\"\n\"1\";1;2\n", &CsvOptions::default()).unwrap();
        assert_eq!((samples.x, samples.y, samples.row_names), (array![[1.0]], array![[2.0]], Some(RowNames::Quoted)));
        // Not row names: another header cell is empty too, or there is no header.
        assert_eq!(read(",a,\n1,2,3\n", &split(2, 1)).unwrap().row_names, None);
        assert!(read(",a,\n1,2,3\n", &split(1, 1)).unwrap_err().contains("do not split its 3 columns"));
        assert_eq!(read("1,2,3\n4,5,6\n", &split(2, 1)).unwrap().row_names, None);
    }

    #[test]
    fn selected_columns_are_read_and_the_others_ignored() {
        let text = "id,a,b,c,label\n1,0.5,1,2,cat\n2,1.5,3,4,dog\n";
        let samples = read(text, &select("c,a", "b")).unwrap();
        assert_eq!((samples.x, samples.y), (array![[2.0, 0.5], [4.0, 1.5]], array![[1.0], [3.0]]));
        assert_eq!(
            read(text, &select("2,5", "3")).unwrap_err(),
            "t.csv: line 2, column 5 (label): \"cat\" is not a number"
        );
        assert_eq!(
            read(text, &select("a,e", "b")).unwrap_err(),
            "t.csv: no column is named \"e\"; the header has \"id\", \"a\", \"b\", \"c\", \"label\""
        );
        assert_eq!(
            read(text, &select("6", "b")).unwrap_err(),
            "t.csv: there is no column 6: the file has 5 columns (counted from 1)"
        );
        // Every line still needs every cell.
        assert_eq!(
            read("a,b,c\n1,2,3\n4,5\n", &select("a", "b")).unwrap_err(),
            "t.csv: line 3 has 2 columns, expected 3"
        );
    }

    /// A version 1.0 `.npy` file with header dictionary `dict`, followed by `data`.
    fn npy(dict: &str, data: &[u8]) -> Vec<u8> {
        let mut header = format!("{dict}\n").into_bytes();
        while (10 + header.len()) % 64 != 0 {
            header.insert(header.len() - 1, b' ');
        }
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        bytes.extend_from_slice(&u16::try_from(header.len()).unwrap().to_le_bytes());
        bytes.extend_from_slice(&header);
        bytes.extend_from_slice(data);
        bytes
    }

    fn f64_dict(shape: &str) -> String {
        format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}")
    }

    fn parse_npy_err(bytes: &[u8]) -> String {
        let message = parse_npy(Path::new("t.npy"), bytes).unwrap_err().to_string();
        assert!(!message.contains('\n'), "{message}");
        message
    }

    #[test]
    fn parses_npy_from_bytes() {
        let data: Vec<u8> = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0].iter().flat_map(|v| v.to_le_bytes()).collect();
        let m = parse_npy(Path::new("t.npy"), &npy(&f64_dict("(3, 2)"), &data)).unwrap();
        assert_eq!(m, array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
        let column = parse_npy(Path::new("t.npy"), &npy(&f64_dict("(6,)"), &data)).unwrap();
        assert_eq!(column.dim(), (6, 1));
        let ints: Vec<u8> = [7i64, -8].iter().flat_map(|v| v.to_be_bytes()).collect();
        let dict = "{'descr': '>i8', 'fortran_order': True, 'shape': (2, 1), }";
        assert_eq!(parse_npy(Path::new("t.npy"), &npy(dict, &ints)).unwrap(), array![[7.0], [-8.0]]);
        let dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (1000000000000,), }";
        assert!(parse_npy_err(&npy(dict, &[])).contains("unsupported .npy dtype '<i4'"));
    }

    #[test]
    fn npy_shape_larger_than_the_file_is_an_error_not_an_allocation() {
        // 300 × 2 doubles under a header claiming 100,000,000,000 rows: used to abort the process
        // with "memory allocation of 1600000000000 bytes failed".
        let data = vec![0u8; 300 * 2 * 8];
        let message = parse_npy_err(&npy(&f64_dict("(100000000000, 2)"), &data));
        assert_eq!(
            message,
            "t.npy: the .npy header's shape (100000000000, 2) disagrees with the file size: it needs \
             1600000000000 bytes of data (8 per element), the file has 4800 after the header"
        );
        // A product that overflows, and one with a zero axis that ndarray could not represent.
        let message = parse_npy_err(&npy(&f64_dict("(4294967296, 4294967296, 2)"), &data));
        assert!(message.contains("disagrees with the file size: it needs more than 9223372036854775807 bytes"));
        let message = parse_npy_err(&npy(&f64_dict("(0, 9223372036854775807)"), &[]));
        assert!(message.contains("disagrees with the file size"), "{message}");
        // Extra bytes after the data.
        assert!(parse_npy_err(&npy(&f64_dict("(299, 2)"), &data)).contains("needs 4784 bytes"));
    }

    #[test]
    fn npy_header_syntax_errors_are_one_line() {
        // pest's syntax errors quote the header over several lines.
        let message = parse_npy_err(&npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2) + }", &[]));
        assert!(message.starts_with("t.npy: not a valid .npy file: error parsing header:"), "{message}");
        assert!(message.len() < 400, "{message}");
        let unclosed = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {}", "[".repeat(2));
        assert!(parse_npy_err(&npy(&unclosed, &[])).contains("error parsing header"));
        assert_eq!(one_line("a\n  |\n1 | {x}\n  |  ^---\n  = expected value"), "a = expected value");
        assert_eq!(one_line("x".repeat(400).as_str()).len(), 303);
    }

    #[test]
    fn deeply_nested_or_long_npy_headers_are_refused_before_parsing() {
        // 10 nested braces kept the header parser busy for 13 s (found by fuzzing).
        let braces = format!("{{         {}", "{".repeat(90));
        assert_eq!(
            parse_npy_err(&npy(&braces, &[])),
            "t.npy: not a valid .npy file: the header nests brackets 91 deep; at most 3 are read (a plain array's \
             header nests 2)"
        );
        let shape = format!("({}3, 2{})", "(".repeat(2), ")".repeat(2));
        assert!(parse_npy_err(&npy(&f64_dict(&shape), &[])).contains("nests brackets 4 deep"));
        let structured = "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3,), }";
        assert!(parse_npy_err(&npy(structured, &[])).contains("unsupported .npy dtype"));
        let long = f64_dict(&format!("(1,{}2)", " ".repeat(MAX_NPY_HEADER)));
        assert!(parse_npy_err(&npy(&long, &[0; 16])).contains("at most 10000 are read"));
    }

    #[test]
    fn truncated_npy_is_an_error() {
        let data: Vec<u8> = (0..20).flat_map(|v| f64::from(v).to_le_bytes()).collect();
        let whole = npy(&f64_dict("(10, 2)"), &data);
        assert_eq!(parse_npy(Path::new("t.npy"), &whole).unwrap().dim(), (10, 2));
        let message = parse_npy_err(&whole[..whole.len() - 3]);
        assert!(message.ends_with("it needs 160 bytes of data (8 per element), the file has 157 after the header"));
        // Cut inside the header, inside the header length, inside the magic string; empty.
        for cut in [40, 9, 3, 0] {
            assert!(parse_npy_err(&whole[..cut]).starts_with("t.npy: not a valid .npy file: "), "cut at {cut}");
        }
        // A header length far beyond the file (version 2.0: 4 bytes of length).
        let mut claim = b"\x93NUMPY\x02\x00".to_vec();
        claim.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(parse_npy_err(&claim).contains("the header claims 4294967295 bytes but the file has 0"));
    }
}

//! Reading paired samples (X, Y) from a CSV file or from a pair of `.npy` files.
//!
//! Every error names the file and the problem on one line, ready for a CLI to print.

use csv::{ReaderBuilder, StringRecord, Trim};
use ndarray::{Array2, ArrayD, Axis, Ix1, Ix2, s};
use ndarray_npy::npy::header::{Header, ReadHeaderError};
use ndarray_npy::{ReadNpyError, ReadNpyExt};
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
    /// The CSV itself is malformed (e.g. not UTF-8).
    #[error("{path}: {source}")]
    Csv { path: PathBuf, source: csv::Error },
    /// A row has a different number of cells than the first row.
    #[error("{path}: line {line} has {got} columns, expected {expected}")]
    Ragged { path: PathBuf, line: u64, got: usize, expected: usize },
    /// A cell is not a number.
    #[error("{path}: line {line}, column {column}: {cell:?} is not a number")]
    NotNumeric { path: PathBuf, line: u64, column: usize, cell: String },
    /// A cell is NaN or infinite.
    #[error("{path}: line {line}, column {column}: {cell} is not finite (NaN/Inf are not allowed)")]
    NonFinite { path: PathBuf, line: u64, column: usize, cell: String },
    /// DIM_X and DIM_Y do not split the columns (both must be ≥ 1 and add up to the column count).
    #[error(
        "{path}: DIM_X = {dx} and DIM_Y = {dy} do not split its {columns} columns \
         (need DIM_X, DIM_Y >= 1 and DIM_X + DIM_Y = {columns})"
    )]
    BadDims { path: PathBuf, dx: usize, dy: usize, columns: usize },
    /// No dims were given and there is no `X0,...,Y0,...` header to infer them from.
    #[error("{path}: DIM_X DIM_Y are needed: the file has no X..,Y.. header (e.g. X0,X1,Y0) to infer them from")]
    DimsNeeded { path: PathBuf },
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

/// Reads a CSV of samples and splits its columns into X (the first `dx`) and Y (the next `dy`).
///
/// A header row is optional: the first row is a header when any of its cells is not a number.
/// With `dims = None`, `(dx, dy)` come from a BMI-style header (`X0,X1,...,Y0,...`: names
/// starting with X, then names starting with Y, case-insensitive). Cells are trimmed.
pub fn read_csv(path: &Path, dims: Option<(usize, usize)>) -> Result<(Array2<f64>, Array2<f64>), IoError> {
    let bytes = fs::read(path).map_err(|source| IoError::Unreadable { path: path.into(), source })?;
    parse_csv(path, &bytes, dims)
}

/// Reads X and Y from two `.npy` files (float64, float32 or int64; a 1-D array is one column).
pub fn read_npy_pair(x: &Path, y: &Path) -> Result<(Array2<f64>, Array2<f64>), IoError> {
    let (xs, ys) = (read_npy_matrix(x)?, read_npy_matrix(y)?);
    if xs.nrows() != ys.nrows() {
        return Err(IoError::NpyRows { x: x.into(), x_rows: xs.nrows(), y: y.into(), y_rows: ys.nrows() });
    }
    Ok((xs, ys))
}

/// Parses the CSV text `bytes` read from `path` (only named in errors); see [`read_csv`].
pub fn parse_csv(
    path: &Path,
    bytes: &[u8],
    dims: Option<(usize, usize)>,
) -> Result<(Array2<f64>, Array2<f64>), IoError> {
    let csv_error = |source| IoError::Csv { path: path.into(), source };
    let mut reader = ReaderBuilder::new().has_headers(false).flexible(true).trim(Trim::All).from_reader(bytes);
    let mut records = reader.records();
    let first = records.next().ok_or_else(|| IoError::Empty { path: path.into() })?.map_err(csv_error)?;
    let columns = first.len();
    let header = is_header(&first);
    let (dx, dy) = match dims {
        Some(dims) => dims,
        None => {
            header.then(|| bmi_dims(first.iter())).flatten().ok_or_else(|| IoError::DimsNeeded { path: path.into() })?
        }
    };
    if dx == 0 || dy == 0 || dx.checked_add(dy) != Some(columns) {
        return Err(IoError::BadDims { path: path.into(), dx, dy, columns });
    }

    let mut values = Vec::new();
    let first_data = (!header).then_some(Ok(first));
    for record in first_data.into_iter().chain(records) {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != columns {
            return Err(IoError::Ragged { path: path.into(), line, got: record.len(), expected: columns });
        }
        for (i, cell) in record.iter().enumerate() {
            let column = i + 1;
            let value: f64 = cell.parse().map_err(|_| IoError::NotNumeric {
                path: path.into(),
                line,
                column,
                cell: cell.to_string(),
            })?;
            if !value.is_finite() {
                return Err(IoError::NonFinite { path: path.into(), line, column, cell: cell.to_string() });
            }
            values.push(value);
        }
    }
    if values.is_empty() {
        return Err(IoError::Empty { path: path.into() });
    }
    let data = Array2::from_shape_vec((values.len() / columns, columns), values)
        .expect("every row has exactly `columns` cells");
    Ok((data.slice(s![.., ..dx]).to_owned(), data.slice(s![.., dx..]).to_owned()))
}

/// A row is a header when any of its cells does not parse as a number.
fn is_header(row: &StringRecord) -> bool {
    row.iter().any(|cell| cell.parse::<f64>().is_err())
}

/// `(dx, dy)` from a BMI-style header: ≥ 1 names starting with X, then ≥ 1 starting with Y.
fn bmi_dims<'a>(names: impl Iterator<Item = &'a str>) -> Option<(usize, usize)> {
    let (mut dx, mut dy) = (0, 0);
    for name in names {
        match name.chars().next().map(|c| c.to_ascii_uppercase()) {
            Some('X') if dy == 0 => dx += 1,
            Some('Y') => dy += 1,
            _ => return None,
        }
    }
    (dx > 0 && dy > 0).then_some((dx, dy))
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
    }

    #[test]
    fn infers_dims_from_bmi_header() {
        let dims = |names: &[&str]| bmi_dims(names.iter().copied());
        assert_eq!(dims(&["X0", "X1", "Y0"]), Some((2, 1)));
        assert_eq!(dims(&["x1", "y1", "Y2"]), Some((1, 2)));
        assert_eq!(dims(&["Y0", "X0"]), None);
        assert_eq!(dims(&["X0", "X1"]), None);
        assert_eq!(dims(&["seed", "X1", "Y1"]), None);
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
        assert!(msg("1,2\nnan,4\n", Some((1, 1))).starts_with("t.csv: line 2, column 1: nan is not finite"));
        assert!(msg("1,2,3\n", Some((1, 1))).contains("DIM_X + DIM_Y = 3"));
        assert!(msg("1,2\n", None).contains("DIM_X DIM_Y are needed"));
        assert!(msg("a,b\n", Some((1, 1))).contains("no data rows"));
        assert!(msg("", None).contains("no data rows"));
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

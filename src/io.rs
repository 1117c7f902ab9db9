//! Reading paired samples (X, Y) from a CSV file or from a pair of `.npy` files.
//!
//! Every error names the file and the problem on one line, ready for a CLI to print.

use csv::{ReaderBuilder, StringRecord, Trim};
use ndarray::{Array2, ArrayD, Axis, Ix1, Ix2, s};
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
    #[error("{path}: not a valid .npy file: {source}")]
    Npy { path: PathBuf, source: ReadNpyError },
    /// The `.npy` array has an element type other than float64, float32 or int64.
    #[error("{path}: unsupported .npy dtype {dtype}; expected float64, float32 or int64")]
    NpyDtype { path: PathBuf, dtype: String },
    /// The `.npy` array is neither 1-D nor 2-D.
    #[error("{path}: .npy array has {ndim} dimensions; expected 1 (one column) or 2 (rows x columns)")]
    NpyNdim { path: PathBuf, ndim: usize },
    /// The two `.npy` arrays have different row counts.
    #[error("{x} has {x_rows} rows but {y} has {y_rows}; X and Y must have the same number of rows")]
    NpyRows { x: PathBuf, x_rows: usize, y: PathBuf, y_rows: usize },
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

/// Parses the CSV text `bytes` read from `path` (named in errors); see [`read_csv`].
fn parse_csv(path: &Path, bytes: &[u8], dims: Option<(usize, usize)>) -> Result<(Array2<f64>, Array2<f64>), IoError> {
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

/// Reads one `.npy` file as an n × d matrix of f64, converting f32/i64 and 1-D arrays.
fn read_npy_matrix(path: &Path) -> Result<Array2<f64>, IoError> {
    let bytes = fs::read(path).map_err(|source| IoError::Unreadable { path: path.into(), source })?;
    let mut array = ArrayD::<f64>::read_npy(bytes.as_slice());
    if let Err(ReadNpyError::WrongDescriptor(_)) = array {
        array = ArrayD::<f32>::read_npy(bytes.as_slice()).map(|a| a.mapv(f64::from));
    }
    if let Err(ReadNpyError::WrongDescriptor(_)) = array {
        array = ArrayD::<i64>::read_npy(bytes.as_slice()).map(|a| a.mapv(|v| v as f64));
    }
    let array = array.map_err(|e| match e {
        ReadNpyError::WrongDescriptor(dtype) => IoError::NpyDtype { path: path.into(), dtype: dtype.to_string() },
        source => IoError::Npy { path: path.into(), source },
    })?;
    let matrix = match array.ndim() {
        1 => array.into_dimensionality::<Ix1>().map(|column| column.insert_axis(Axis(1))),
        2 => array.into_dimensionality::<Ix2>(),
        ndim => {
            return Err(IoError::NpyNdim { path: path.into(), ndim });
        }
    };
    Ok(matrix.expect("ndim was checked"))
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
}

//! Which columns of a CSV file are X and which are Y: BMI's `DIM_X DIM_Y` split, a BMI-style
//! header (`X0,X1,Y0`), or lists of names and positions (`--x a,b --y 3`).
//!
//! Columns are counted from 1, after a row-names column the reader skipped (so that position 1 of
//! an R `write.csv` file is the data frame's first column, as in R).

use std::fmt;
use std::str::FromStr;

/// One column as the user names it: by position (digits only, counted from 1) or by header name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ColumnRef {
    Position(usize),
    Name(String),
}

/// A comma-separated list of columns, as `--x` and `--y` take it (e.g. `a,b`, `1,2` or `a,3`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnList(pub Vec<ColumnRef>);

/// Why a column list was refused.
#[derive(Debug, thiserror::Error)]
#[error("a column name is empty; give names or positions (from 1) separated by commas, e.g. a,b or 1,2")]
pub struct ColumnListError;

/// Splits at commas and trims each item; an item of digits only is a position, any other a name.
impl FromStr for ColumnList {
    type Err = ColumnListError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let items = text.split(',').map(str::trim);
        // Digits too many for a usize are a position out of range all the same.
        let parse = |item: &str| match item {
            "" => None,
            _ if item.bytes().all(|b| b.is_ascii_digit()) => {
                Some(ColumnRef::Position(item.parse().unwrap_or(usize::MAX)))
            }
            _ => Some(ColumnRef::Name(item.to_string())),
        };
        items.map(parse).collect::<Option<Vec<_>>>().map(ColumnList).ok_or(ColumnListError)
    }
}

/// Which columns are X and which Y.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Columns {
    /// From a BMI-style header: names starting with X, then names starting with Y.
    #[default]
    FromHeader,
    /// The first `dx` columns are X and the next `dy` are Y, and there are no others (BMI's
    /// `DIM_X DIM_Y`).
    Split { dx: usize, dy: usize },
    /// The listed columns in the listed order; the others are ignored.
    Select { x: Vec<ColumnRef>, y: Vec<ColumnRef> },
}

/// Why the columns asked for are not in the file; each message is one line (the reader adds the
/// file's name in front).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    /// DIM_X and DIM_Y do not split the columns (both must be ≥ 1 and add up to the column count).
    #[error(
        "DIM_X = {dx} and DIM_Y = {dy} do not split its {columns} columns \
         (need DIM_X, DIM_Y >= 1 and DIM_X + DIM_Y = {columns})"
    )]
    BadDims { dx: usize, dy: usize, columns: usize },
    /// No layout was given and there is no `X0,...,Y0,...` header to infer it from.
    #[error(
        "DIM_X DIM_Y are needed, or --x and --y: the file has no X..,Y.. header (e.g. X0,X1,Y0) to infer them from"
    )]
    DimsNeeded,
    /// A name that is not in the header (`names` lists the header, or says there is none).
    #[error("no column is named {name:?}; {names}")]
    UnknownName { name: String, names: String },
    /// A position outside 1..=columns.
    #[error("there is no column {position}: the file has {columns} columns (counted from 1)")]
    OutOfRange { position: usize, columns: usize },
    /// A column chosen twice, in the same list or in both.
    #[error("column {column} is {how}; each column may be chosen once, for X or for Y")]
    Twice { column: String, how: &'static str },
}

/// The 0-based indices of the X columns and of the Y columns, among `columns` columns whose header
/// names are `names` (`None` without a header).
pub fn resolve(
    layout: &Columns,
    names: Option<&[String]>,
    columns: usize,
) -> Result<(Vec<usize>, Vec<usize>), LayoutError> {
    match layout {
        Columns::FromHeader => {
            let (dx, dy) =
                names.and_then(|names| bmi_dims(names.iter().map(String::as_str))).ok_or(LayoutError::DimsNeeded)?;
            split(dx, dy, columns)
        }
        &Columns::Split { dx, dy } => split(dx, dy, columns),
        Columns::Select { x, y } => select(x, y, names, columns),
    }
}

/// The first `dx` indices and the next `dy`, which must be all `columns` of them.
fn split(dx: usize, dy: usize, columns: usize) -> Result<(Vec<usize>, Vec<usize>), LayoutError> {
    if dx == 0 || dy == 0 || dx.checked_add(dy) != Some(columns) {
        return Err(LayoutError::BadDims { dx, dy, columns });
    }
    Ok(((0..dx).collect(), (dx..columns).collect()))
}

/// The indices of the columns listed for X and for Y; no column may be listed twice.
fn select(
    x: &[ColumnRef],
    y: &[ColumnRef],
    names: Option<&[String]>,
    columns: usize,
) -> Result<(Vec<usize>, Vec<usize>), LayoutError> {
    let find = |column: &ColumnRef| index_of(column, names, columns);
    let xs = x.iter().map(find).collect::<Result<Vec<_>, _>>()?;
    let ys = y.iter().map(find).collect::<Result<Vec<_>, _>>()?;
    let twice = |index: usize, how| LayoutError::Twice { column: label(index, names), how };
    for (list, how) in [(&xs, "given twice in --x"), (&ys, "given twice in --y")] {
        if let Some(i) = (1..list.len()).find(|&i| list[..i].contains(&list[i])) {
            return Err(twice(list[i], how));
        }
    }
    if let Some(&both) = xs.iter().find(|i| ys.contains(i)) {
        return Err(twice(both, "in both --x and --y"));
    }
    Ok((xs, ys))
}

/// The 0-based index of `column` among `columns` columns named `names`.
fn index_of(column: &ColumnRef, names: Option<&[String]>, columns: usize) -> Result<usize, LayoutError> {
    match column {
        &ColumnRef::Position(position) if (1..=columns).contains(&position) => Ok(position - 1),
        &ColumnRef::Position(position) => Err(LayoutError::OutOfRange { position, columns }),
        ColumnRef::Name(name) => names
            .and_then(|names| names.iter().position(|n| n == name))
            .ok_or_else(|| LayoutError::UnknownName { name: name.clone(), names: listing(names, columns) }),
    }
}

/// The header's names for an unknown-name message, or why there are none.
fn listing(names: Option<&[String]>, columns: usize) -> String {
    const SHOWN: usize = 20;
    let Some(names) = names else {
        return format!("the file has no header (its first line is all numbers): give positions, 1 to {columns}");
    };
    let quoted: Vec<String> = names.iter().take(SHOWN).map(|n| format!("{n:?}")).collect();
    let more = match names.len() {
        n if n > SHOWN => format!(", ... ({n} in all)"),
        _ => String::new(),
    };
    format!("the header has {}{more}", quoted.join(", "))
}

/// Column `index` as messages name it: its number from 1, and its header name when there is one
/// (e.g. `2 (b)`).
pub fn label(index: usize, names: Option<&[String]>) -> String {
    ColumnLabel { number: index + 1, name: names.and_then(|names| names.get(index)).map(String::as_str) }.to_string()
}

/// A column's number and name, displayed as `2 (b)`, or `2` without a (non-empty) name; a name
/// with control characters (a quoted line break) is shown escaped, to keep messages one line.
struct ColumnLabel<'a> {
    number: usize,
    name: Option<&'a str>,
}

impl fmt::Display for ColumnLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name {
            None | Some("") => write!(f, "{}", self.number),
            Some(name) if name.chars().any(char::is_control) => write!(f, "{} ({name:?})", self.number),
            Some(name) => write!(f, "{} ({name})", self.number),
        }
    }
}

/// `(dx, dy)` from a BMI-style header: ≥ 1 names starting with X, then ≥ 1 starting with Y.
pub fn bmi_dims<'a>(names: impl Iterator<Item = &'a str>) -> Option<(usize, usize)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn list(text: &str) -> Vec<ColumnRef> {
        text.parse::<ColumnList>().unwrap().0
    }

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    fn select(x: &str, y: &str, header: Option<&[String]>, columns: usize) -> Result<(Vec<usize>, Vec<usize>), String> {
        let layout = Columns::Select { x: list(x), y: list(y) };
        resolve(&layout, header, columns).map_err(|e| e.to_string())
    }

    #[test]
    fn parses_names_and_positions() {
        use ColumnRef::{Name, Position};
        assert_eq!(list("a, 2 ,b c"), vec![Name("a".into()), Position(2), Name("b c".into())]);
        assert_eq!(list("+1,0x1,-1"), vec![Name("+1".into()), Name("0x1".into()), Name("-1".into())]);
        assert_eq!(list("0"), vec![Position(0)]);
        assert_eq!(list("99999999999999999999999"), vec![Position(usize::MAX)]);
        let error = "a,,b".parse::<ColumnList>().unwrap_err().to_string();
        assert_eq!(
            error,
            "a column name is empty; give names or positions (from 1) separated by commas, e.g. a,b or 1,2"
        );
        assert!("".parse::<ColumnList>().is_err());
    }

    #[test]
    fn selects_by_name_position_or_both() {
        let header = names(&["a", "b", "c", "d"]);
        let header = Some(header.as_slice());
        assert_eq!(select("a,b", "c", header, 4), Ok((vec![0, 1], vec![2])));
        assert_eq!(select("1,2", "3", header, 4), Ok((vec![0, 1], vec![2])));
        assert_eq!(select("d,1", "3", header, 4), Ok((vec![3, 0], vec![2])));
        assert_eq!(select("2", "4", None, 4), Ok((vec![1], vec![3])));
    }

    #[test]
    fn selection_errors_name_the_column() {
        let header = names(&["a", "b", "c"]);
        let header = Some(header.as_slice());
        assert_eq!(
            select("a,z", "c", header, 3),
            Err("no column is named \"z\"; the header has \"a\", \"b\", \"c\"".into())
        );
        assert_eq!(
            select("a", "c", None, 3),
            Err("no column is named \"a\"; the file has no header (its first line is all numbers): give positions, 1 to 3"
                .into())
        );
        assert_eq!(
            select("4", "1", header, 3),
            Err("there is no column 4: the file has 3 columns (counted from 1)".into())
        );
        assert_eq!(
            select("0", "1", header, 3),
            Err("there is no column 0: the file has 3 columns (counted from 1)".into())
        );
        assert_eq!(
            select("a,b", "2", header, 3),
            Err("column 2 (b) is in both --x and --y; each column may be chosen once, for X or for Y".into())
        );
        assert_eq!(
            select("1,a", "c", header, 3),
            Err("column 1 (a) is given twice in --x; each column may be chosen once, for X or for Y".into())
        );
        assert_eq!(
            select("1", "3,3", None, 3),
            Err("column 3 is given twice in --y; each column may be chosen once, for X or for Y".into())
        );
        let many: Vec<String> = (0..25).map(|i| format!("c{i}")).collect();
        let message = select("z", "1", Some(&many), 25).unwrap_err();
        assert!(message.ends_with("\"c18\", \"c19\", ... (25 in all)"), "{message}");
    }

    #[test]
    fn labels_are_one_line() {
        let header = names(&["a", "", "two\nlines"]);
        assert_eq!(label(0, Some(&header)), "1 (a)");
        assert_eq!(label(1, Some(&header)), "2");
        assert_eq!(label(2, Some(&header)), "3 (\"two\\nlines\")");
        assert_eq!(label(2, None), "3");
    }

    #[test]
    fn split_and_header_layouts() {
        assert_eq!(resolve(&Columns::Split { dx: 1, dy: 2 }, None, 3), Ok((vec![0], vec![1, 2])));
        assert_eq!(
            resolve(&Columns::Split { dx: 2, dy: 2 }, None, 3),
            Err(LayoutError::BadDims { dx: 2, dy: 2, columns: 3 })
        );
        let header = names(&["X0", "x1", "Y0"]);
        assert_eq!(resolve(&Columns::FromHeader, Some(&header), 3), Ok((vec![0, 1], vec![2])));
        assert_eq!(resolve(&Columns::FromHeader, None, 3), Err(LayoutError::DimsNeeded));
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
}

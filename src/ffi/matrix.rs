//! `MistMatrix`: a read-only view of the caller's memory, row- or column-major, never copied.

use super::pointer::check_array;
use super::status::FfiError;
use ndarray::{ArrayView2, ShapeBuilder};
use std::ffi::c_int;
use std::ptr::NonNull;

/// How the elements of a matrix are laid out in memory.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MistLayout {
    /// Row after row: element (i, j) at `data[i * cols + j]` (C, NumPy's default).
    RowMajor = 0,
    /// Column after column: element (i, j) at `data[j * rows + i]` (R, Julia, Fortran).
    ColMajor = 1,
}

/// A `rows × cols` matrix of doubles in the caller's memory: rows are samples, columns are
/// dimensions. libmist reads it in place (no copy is needed on the caller's side) and never writes
/// it. `data` may be NULL only when `rows * cols` is 0; it must be aligned for double.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MistMatrix {
    /// The first element.
    pub data: *const f64,
    /// Number of rows (samples, n).
    pub rows: usize,
    /// Number of columns (dimensions, dx or dy).
    pub cols: usize,
    /// MIST_LAYOUT_ROW_MAJOR or MIST_LAYOUT_COL_MAJOR.
    pub layout: MistLayout,
}

/// Reads the matrix at `m` as an ndarray view of the caller's memory (no copy).
///
/// Fields are read one by one through raw pointers, so an invalid `layout` value from C is reported
/// as an error rather than being undefined behaviour.
///
/// # Safety
/// `m` must be NULL or point to a `MistMatrix` whose `data` holds `rows * cols` doubles that stay
/// valid and unchanged for `'a`.
pub(crate) unsafe fn view<'a>(m: *const MistMatrix, name: &str) -> Result<ArrayView2<'a, f64>, FfiError> {
    if m.is_null() {
        return Err(FfiError::null(name));
    }
    if !m.is_aligned() {
        return Err(FfiError::invalid(format!("{name} = {m:p} is not aligned for a MistMatrix")));
    }
    // SAFETY: `m` is non-NULL, aligned and points to a MistMatrix (caller); plain fields are read
    // as their own types, the enum as its underlying C int.
    let (data, rows, cols, layout) = unsafe {
        (
            (&raw const (*m).data).read(),
            (&raw const (*m).rows).read(),
            (&raw const (*m).cols).read(),
            (&raw const (*m).layout).cast::<c_int>().read(),
        )
    };
    let column_major = match layout {
        0 => false,
        1 => true,
        other => {
            return Err(FfiError::invalid(format!(
                "{name}.layout = {other} is not a MistLayout (0 = MIST_LAYOUT_ROW_MAJOR, 1 = MIST_LAYOUT_COL_MAJOR)"
            )));
        }
    };
    let len = rows
        .checked_mul(cols)
        .ok_or_else(|| FfiError::invalid(format!("{name}: rows × cols = {rows} × {cols} overflows size_t")))?;
    if len > 0 && data.is_null() {
        return Err(FfiError::null(&format!("{name}.data")).with_detail(format!("but {name} is {rows} × {cols}")));
    }
    check_array(data, len, &format!("{name}.data"))?;
    let ptr = if len == 0 { NonNull::<f64>::dangling().as_ptr().cast_const() } else { data };
    // SAFETY: `ptr` is aligned and non-NULL, holds `rows * cols` doubles (≤ isize::MAX bytes, checked)
    // when non-empty; the strides of either layout stay inside that block.
    Ok(unsafe {
        if column_major {
            ArrayView2::from_shape_ptr((rows, cols).f(), ptr)
        } else {
            ArrayView2::from_shape_ptr((rows, cols), ptr)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::MistStatus;

    #[test]
    fn both_layouts_read_the_same_matrix_without_copying() {
        let row_major = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]; // [[1, 2, 3], [4, 5, 6]]
        let col_major = [1.0, 4.0, 2.0, 5.0, 3.0, 6.0];
        let r = MistMatrix { data: row_major.as_ptr(), rows: 2, cols: 3, layout: MistLayout::RowMajor };
        let c = MistMatrix { data: col_major.as_ptr(), rows: 2, cols: 3, layout: MistLayout::ColMajor };
        let (vr, vc) = unsafe { (view(&r, "x").unwrap(), view(&c, "y").unwrap()) };
        assert_eq!(vr, vc);
        assert_eq!(vr[(1, 2)], 6.0);
        assert_eq!(vc.as_ptr(), col_major.as_ptr());
    }

    #[test]
    fn bad_matrices_are_reported_by_name() {
        let m = MistMatrix { data: std::ptr::null(), rows: 3, cols: 2, layout: MistLayout::RowMajor };
        let e = unsafe { view(&m, "x") }.unwrap_err();
        assert_eq!((e.status, e.message.as_str()), (MistStatus::NullPointer, "x.data is NULL but x is 3 × 2"));
        let e = unsafe { view(std::ptr::null(), "y") }.unwrap_err();
        assert_eq!(e.message, "y is NULL");
        let huge = MistMatrix { data: [0.0].as_ptr(), rows: usize::MAX, cols: 2, layout: MistLayout::RowMajor };
        assert_eq!(unsafe { view(&huge, "x") }.unwrap_err().status, MistStatus::InvalidArgument);
        let too_big = MistMatrix { data: [0.0].as_ptr(), rows: usize::MAX / 8, cols: 2, layout: MistLayout::RowMajor };
        assert_eq!(unsafe { view(&too_big, "x") }.unwrap_err().status, MistStatus::InvalidArgument);
        let empty = MistMatrix { data: std::ptr::null(), rows: 0, cols: 2, layout: MistLayout::ColMajor };
        assert_eq!(unsafe { view(&empty, "x") }.unwrap().dim(), (0, 2));
        // An out-of-range layout written by C.
        let mut raw = MistMatrix { data: [0.0].as_ptr(), rows: 1, cols: 1, layout: MistLayout::RowMajor };
        unsafe { (&raw mut raw.layout).cast::<c_int>().write(7) };
        let e = unsafe { view(&raw const raw, "x") }.unwrap_err();
        assert!(e.message.starts_with("x.layout = 7 is not a MistLayout"), "{}", e.message);
    }
}

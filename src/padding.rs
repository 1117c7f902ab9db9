//! The model's input layout, shared by the trainer and the runtime: datasets padded to one row
//! count and to the model's `max_dx`/`max_dy` columns, with row and column masks (`docs/onnx-contract.md`).

use ndarray::ArrayView2;

/// Padded model input of `b` datasets, as flat row-major `f32` buffers (already rank-Gaussian data).
#[derive(Debug, Clone, PartialEq)]
pub struct PaddedBatch {
    /// `[b, n, max_dx]`: X, zero-padded.
    pub x: Vec<f32>,
    /// `[b, n, max_dy]`: Y, zero-padded.
    pub y: Vec<f32>,
    /// `[b, n]`: 1 for a real row.
    pub row_mask: Vec<f32>,
    /// `[b, max_dx]`: 1 for a real X column.
    pub x_col_mask: Vec<f32>,
    /// `[b, max_dy]`: 1 for a real Y column.
    pub y_col_mask: Vec<f32>,
}

impl PaddedBatch {
    /// Pads each `(x, y)` of `chunks` to `n` rows, `max_dx` and `max_dy` columns.
    ///
    /// # Panics
    /// If a chunk has more than `n` rows or more columns than the maximum (checked before).
    pub fn new<'a>(
        chunks: impl ExactSizeIterator<Item = (ArrayView2<'a, f64>, ArrayView2<'a, f64>)>,
        n: usize,
        max_dx: usize,
        max_dy: usize,
    ) -> Self {
        let b = chunks.len();
        let mut batch = PaddedBatch {
            x: vec![0.0; b * n * max_dx],
            y: vec![0.0; b * n * max_dy],
            row_mask: vec![0.0; b * n],
            x_col_mask: vec![0.0; b * max_dx],
            y_col_mask: vec![0.0; b * max_dy],
        };
        for (i, (x, y)) in chunks.enumerate() {
            assert!(x.nrows() <= n && x.ncols() <= max_dx && y.ncols() <= max_dy, "chunk larger than its padding");
            pad_into(&mut batch.x[i * n * max_dx..(i + 1) * n * max_dx], x, max_dx);
            pad_into(&mut batch.y[i * n * max_dy..(i + 1) * n * max_dy], y, max_dy);
            batch.row_mask[i * n..i * n + x.nrows()].fill(1.0);
            batch.x_col_mask[i * max_dx..i * max_dx + x.ncols()].fill(1.0);
            batch.y_col_mask[i * max_dy..i * max_dy + y.ncols()].fill(1.0);
        }
        batch
    }
}

/// Writes the rows of `m` into `dst` with a row stride of `width`, as `f32`.
fn pad_into(dst: &mut [f32], m: ArrayView2<f64>, width: usize) {
    for (r, row) in m.rows().into_iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            dst[r * width + c] = *v as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, ShapeBuilder, array};

    #[test]
    fn padding_follows_the_model_layout() {
        // Two chunks padded to n = 3 rows, max_dx = 3, max_dy = 2.
        let (x0, y0) = (array![[1.0, 2.0], [3.0, 4.0]], array![[5.0], [6.0]]);
        let (x1, y1) = (array![[7.0], [8.0], [9.0]], array![[1.5, 2.5], [3.5, 4.5], [5.5, 6.5]]);
        let batch = PaddedBatch::new([(x0.view(), y0.view()), (x1.view(), y1.view())].into_iter(), 3, 3, 2);
        #[rustfmt::skip]
        let x = vec![
            1.0, 2.0, 0.0,  3.0, 4.0, 0.0,  0.0, 0.0, 0.0,
            7.0, 0.0, 0.0,  8.0, 0.0, 0.0,  9.0, 0.0, 0.0,
        ];
        #[rustfmt::skip]
        let y = vec![
            5.0, 0.0,  6.0, 0.0,  0.0, 0.0,
            1.5, 2.5,  3.5, 4.5,  5.5, 6.5,
        ];
        assert_eq!(batch.x, x);
        assert_eq!(batch.y, y);
        assert_eq!(batch.row_mask, vec![1.0, 1.0, 0.0, 1.0, 1.0, 1.0]);
        assert_eq!(batch.x_col_mask, vec![1.0, 1.0, 0.0, 1.0, 0.0, 0.0]);
        assert_eq!(batch.y_col_mask, vec![1.0, 0.0, 1.0, 1.0]);
    }

    #[test]
    fn padding_reads_column_major_views() {
        let x = array![[1.0, 2.0], [3.0, 4.0]];
        let mut fortran = Array2::zeros(x.raw_dim().f());
        fortran.assign(&x);
        assert!(!fortran.is_standard_layout());
        let a = PaddedBatch::new([(x.view(), x.view())].into_iter(), 2, 2, 2);
        let b = PaddedBatch::new([(fortran.view(), fortran.view())].into_iter(), 2, 2, 2);
        assert_eq!(a, b);
    }
}

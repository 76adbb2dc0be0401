//! Matrix operands of a product: [`MatrixLayout`] (strides, for a GEMM call) and
//! [`MatRef`] (a stored row-major matrix, possibly only chosen rows of it, possibly used
//! transposed), with the generic products every element type can use.
//!
//! A minibatch is a [`MatRef::gathered`] view of the data set's rows: the product reads
//! them where they are, so a training step never copies its batch.

use crate::float::Float;

/// Strides of a row-major or transposed matrix operand, in elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatrixLayout {
    /// Distance between consecutive rows.
    pub row_stride: isize,
    /// Distance between consecutive columns.
    pub col_stride: isize,
}

impl MatrixLayout {
    /// A row-major matrix with `cols` columns.
    pub fn row_major(cols: usize) -> Self {
        MatrixLayout {
            row_stride: cols as isize,
            col_stride: 1,
        }
    }

    /// The transpose of a row-major matrix with `cols` columns (read column by column).
    pub fn transposed(cols: usize) -> Self {
        MatrixLayout {
            row_stride: 1,
            col_stride: cols as isize,
        }
    }
}

/// One operand of a matrix product: `rows x cols` elements stored row-major, every row
/// contiguous, optionally taken from chosen rows of a larger matrix, and optionally used
/// transposed.
///
/// ```
/// use tape::MatRef;
/// let data = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]; // 3 rows of 2
/// let batch = MatRef::gathered(&data, 2, &[2, 0]); // rows 2 and 0, read in place
/// assert_eq!(batch.shape(), (2, 2));
/// assert_eq!(batch.stored_row(0), &[5.0, 6.0]);
/// assert_eq!(batch.t().shape(), (2, 2));
/// assert_eq!(batch.t().get(0, 1), 1.0); // column 0 of the batch, row 1
/// ```
#[derive(Clone, Copy, Debug)]
pub struct MatRef<'a, T> {
    data: &'a [T],
    rows: usize,
    cols: usize,
    row_index: Option<&'a [usize]>,
    transposed: bool,
}

impl<'a, T: Float> MatRef<'a, T> {
    /// The row-major `rows x cols` matrix at the start of `data`.
    ///
    /// # Panics
    /// If `data` holds fewer than `rows * cols` elements.
    pub fn row_major(data: &'a [T], rows: usize, cols: usize) -> Self {
        assert!(
            rows.checked_mul(cols).is_some_and(|n| n <= data.len()),
            "MatRef: {} elements cannot hold {rows} x {cols}",
            data.len()
        );
        MatRef {
            data,
            rows,
            cols,
            row_index: None,
            transposed: false,
        }
    }

    /// The rows `row_index` (in that order) of the row-major matrix `data` with `cols`
    /// columns, read in place.
    ///
    /// # Panics
    /// If a row index is out of range.
    pub fn gathered(data: &'a [T], cols: usize, row_index: &'a [usize]) -> Self {
        let available = data.len().checked_div(cols).unwrap_or(usize::MAX);
        if let Some(&row) = row_index.iter().find(|&&row| row >= available) {
            panic!("MatRef: row {row} is out of range for {available} rows");
        }
        MatRef {
            data,
            rows: row_index.len(),
            cols,
            row_index: Some(row_index),
            transposed: false,
        }
    }

    /// The same stored matrix, used transposed.
    pub fn t(self) -> Self {
        MatRef {
            transposed: !self.transposed,
            ..self
        }
    }

    /// `(rows, cols)` of the operand as used (after any transposition).
    pub fn shape(&self) -> (usize, usize) {
        if self.transposed {
            (self.cols, self.rows)
        } else {
            (self.rows, self.cols)
        }
    }

    /// `(rows, cols)` of the stored matrix.
    pub fn stored_shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// True if the operand is the stored matrix transposed.
    pub fn is_transposed(&self) -> bool {
        self.transposed
    }

    /// True if the stored rows are chosen rows of a larger matrix.
    pub fn is_gathered(&self) -> bool {
        self.row_index.is_some()
    }

    /// Stored row `i` (a row of the operand, or a column if it is transposed).
    #[inline]
    pub fn stored_row(&self, i: usize) -> &'a [T] {
        let row = self.row_index.map_or(i, |index| index[i]);
        &self.data[row * self.cols..][..self.cols]
    }

    /// Element `(i, j)` of the operand as used.
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> T {
        if self.transposed {
            self.stored_row(j)[i]
        } else {
            self.stored_row(i)[j]
        }
    }

    /// The stored elements if the rows are contiguous (not gathered).
    pub fn contiguous(&self) -> Option<&'a [T]> {
        match self.row_index {
            None => Some(&self.data[..self.rows * self.cols]),
            Some(_) => None,
        }
    }

    /// The stored rows copied into one contiguous row-major buffer.
    pub fn to_row_major(&self, out: &mut Vec<T>) {
        out.clear();
        out.reserve(self.rows * self.cols);
        for i in 0..self.rows {
            out.extend_from_slice(self.stored_row(i));
        }
    }
}

/// The generic product behind [`Float::matmul`]'s default: gathered operands are copied
/// into contiguous buffers, and the product goes to [`Float::gemm`] with strided
/// layouts, so an element type with its own GEMM (a dual number's three real products)
/// serves every product.
///
/// # Panics
/// If the shapes do not fit: `a` is `m x k`, `b` is `k x n`, `c` holds `m * n`.
pub fn matmul_via_gemm<T: Float>(
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    c: &mut [T],
    accumulate: bool,
) {
    let ((m, k), (k2, n)) = (a.shape(), b.shape());
    assert_eq!(k, k2, "matmul: inner dimensions {k} and {k2} differ");
    let (mut a_buffer, mut b_buffer) = (Vec::new(), Vec::new());
    let (a_data, a_layout) = gemm_operand(&a, &mut a_buffer);
    let (b_data, b_layout) = gemm_operand(&b, &mut b_buffer);
    T::gemm(m, k, n, a_data, a_layout, b_data, b_layout, c, accumulate);
}

/// Contiguous elements and strides of an operand, copying gathered rows into `buffer`.
pub(crate) fn gemm_operand<'a, T: Float>(
    operand: &MatRef<'a, T>,
    buffer: &'a mut Vec<T>,
) -> (&'a [T], MatrixLayout) {
    let data = match operand.contiguous() {
        Some(data) => data,
        None => {
            operand.to_row_major(buffer);
            &buffer[..]
        }
    };
    let layout = if operand.is_transposed() {
        MatrixLayout::transposed(operand.cols)
    } else {
        MatrixLayout::row_major(operand.cols)
    };
    (data, layout)
}

/// The generic matrix product behind [`Float::gemm`]'s default: a plain triple loop, for
/// element types without a tuned kernel, and the reference the tuned kernels are tested
/// against.
#[allow(clippy::too_many_arguments)]
pub fn gemm_fallback<T: Float>(
    m: usize,
    k: usize,
    n: usize,
    a: &[T],
    a_layout: MatrixLayout,
    b: &[T],
    b_layout: MatrixLayout,
    c: &mut [T],
    accumulate: bool,
) {
    check_gemm_bounds(m, k, n, a.len(), a_layout, b.len(), b_layout, c.len());
    let at = |i: usize, j: usize, l: MatrixLayout| {
        (i as isize * l.row_stride + j as isize * l.col_stride) as usize
    };
    for i in 0..m {
        for j in 0..n {
            let mut sum = T::ZERO;
            for p in 0..k {
                sum += a[at(i, p, a_layout)] * b[at(p, j, b_layout)];
            }
            let out = &mut c[i * n + j];
            *out = if accumulate { *out + sum } else { sum };
        }
    }
}

/// Panics unless every element the GEMM touches lies inside its slice; this makes the
/// raw-pointer GEMM calls sound.
#[allow(clippy::too_many_arguments)]
pub(crate) fn check_gemm_bounds(
    m: usize,
    k: usize,
    n: usize,
    a_len: usize,
    a: MatrixLayout,
    b_len: usize,
    b: MatrixLayout,
    c_len: usize,
) {
    let last = |rows: usize, cols: usize, l: MatrixLayout| {
        if rows == 0 || cols == 0 {
            0
        } else {
            (rows - 1) as isize * l.row_stride + (cols - 1) as isize * l.col_stride + 1
        }
    };
    assert!(a.row_stride >= 0 && a.col_stride >= 0 && b.row_stride >= 0 && b.col_stride >= 0);
    assert!(last(m, k, a) as usize <= a_len, "gemm: a is too short");
    assert!(last(k, n, b) as usize <= b_len, "gemm: b is too short");
    assert!(m * n <= c_len, "gemm: c is too short");
}

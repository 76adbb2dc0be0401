//! Matrix product and transpose.

use crate::float::{Float, MatrixLayout};
use crate::kernels;
use crate::ops::Op;
use crate::shape::{Dims, ShapeError};
use crate::tape::{adjoint_of, NodeId, OutShape, Output, Recorded};
use crate::tensor::matmul_dims;
use crate::var::Var;

impl<'t, T: Float> Var<'t, T> {
    /// Matrix product `[m, k] x [k, n] -> [m, n]`, or an error naming both shapes.
    pub fn try_matmul(self, other: Self) -> Result<Self, ShapeError> {
        self.same_tape(&other, "matmul");
        let (a, b) = (self.index, other.index);
        let (m, k, n) = self
            .tape
            .with_recorded(|r| matmul_dims(r.dims(a), r.dims(b)))?;
        Ok(self.tape.record(
            Op::MatMul(a, b),
            OutShape::Dims(&[m, n]),
            false,
            |r, out| kernels::matmul(r.value(a), r.value(b), m, k, n, out),
        ))
    }

    /// Matrix product `[m, k] x [k, n] -> [m, n]`.
    ///
    /// # Panics
    /// If the shapes do not fit, for example
    /// `matmul: [256, 784] x [10, 784]: inner dimensions 784 and 10 differ`.
    pub fn matmul(self, other: Self) -> Self {
        self.try_matmul(other).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Matrix transpose of a 2-d var (0-d and 1-d vars are returned unchanged).
    ///
    /// # Panics
    /// For more than two dimensions.
    pub fn t(self) -> Self {
        let x = self.index;
        let dims = self.shape();
        match dims[..] {
            [] | [_] => self,
            [rows, cols] => self.tape.record(
                Op::Transpose(x),
                OutShape::Dims(&[cols, rows]),
                false,
                |r, out| kernels::transpose2(r.value(x), rows, cols, out),
            ),
            _ => panic!(
                "transpose: expects at most 2 dimensions, got {}",
                Dims(&dims)
            ),
        }
    }
}

/// `C = A B`: `dA += dC B^T` and `dB += A^T dC`, straight into the adjoints by GEMM with
/// transposed layouts (no copies).
pub(crate) fn matmul_backward<T: Float>(
    a: NodeId,
    b: NodeId,
    recorded: &Recorded<'_, T>,
    out: &Output<'_, T>,
    grads: &mut [T],
) {
    let (ad, bd) = (recorded.dims(a), recorded.dims(b));
    let (m, k, n) = (ad[0], ad[1], bd[1]);
    if let Some(da) = adjoint_of(recorded, grads, a) {
        let b_t = MatrixLayout::transposed(n);
        T::gemm(
            m,
            n,
            k,
            out.adjoint,
            MatrixLayout::row_major(n),
            recorded.value(b),
            b_t,
            da,
            true,
        );
    }
    if let Some(db) = adjoint_of(recorded, grads, b) {
        let a_t = MatrixLayout::transposed(k);
        T::gemm(
            k,
            m,
            n,
            recorded.value(a),
            a_t,
            out.adjoint,
            MatrixLayout::row_major(n),
            db,
            true,
        );
    }
}

/// `y = x^T`: `dx += dy^T`.
pub(crate) fn transpose_backward<T: Float>(
    x: NodeId,
    recorded: &Recorded<'_, T>,
    out: &Output<'_, T>,
    grads: &mut [T],
) {
    // x is [rows, cols]; y = x^T is [cols, rows], so x[i, j] went to y[j, i].
    let (rows, cols) = (out.dims[1], out.dims[0]);
    if let Some(dx) = adjoint_of(recorded, grads, x) {
        for i in 0..rows {
            for j in 0..cols {
                dx[i * cols + j] += out.adjoint[j * rows + i];
            }
        }
    }
}

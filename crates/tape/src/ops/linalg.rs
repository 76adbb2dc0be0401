//! Matrix product and transpose.

use crate::float::Float;
use crate::kernels;
use crate::matrix::MatRef;
use crate::ops::toolkit::{
    adjoint_of, product, Adjoints, NodeId, Operand, OutShape, Output, Recorded,
};
use crate::ops::Op;
use crate::shape::matmul_dims;
use crate::shape::{Dims, ShapeError};
use crate::var::Var;

impl<'t, T: Float> Var<'t, T> {
    /// Matrix product `[m, k] x [k, n] -> [m, n]`, or an error naming both shapes.
    ///
    /// An operand that is a transposed var (`w.t()`) is read in its stored layout, as
    /// GEMM reads a transposed operand by its strides: `x.matmul(w.t())` does not copy
    /// `w`, and the gradient goes to `w` directly.
    pub fn try_matmul(self, other: Self) -> Result<Self, ShapeError> {
        self.same_tape(&other, "matmul");
        let tape = self.tape;
        let (m, _, n) =
            tape.with_recorded(|r| matmul_dims(r.dims(self.index), r.dims(other.index)))?;
        let ((a, a_transposed), (b, b_transposed)) = tape.with_recorded(|r| {
            (
                stored_operand(r, self.index),
                stored_operand(r, other.index),
            )
        });
        let op = Op::MatMul {
            a,
            b,
            a_transposed,
            b_transposed,
        };
        Ok(tape.record(op, OutShape::Dims(&[m, n]), false, |r, out| {
            product(
                r.operand(a, a_transposed),
                r.operand(b, b_transposed),
                out,
                false,
            )
        }))
    }

    /// Matrix product `[m, k] x [k, n] -> [m, n]`.
    ///
    /// # Panics
    /// If the shapes do not fit, for example
    /// `matmul: [256, 784] x [10, 784]: inner dimensions 784 and 10 differ`.
    pub fn matmul(self, other: Self) -> Self {
        self.try_matmul(other).unwrap_or_else(|e| panic!("{e}"))
    }

    /// `self · otherᵀ`, `[m, k] x [n, k] -> [m, n]`: a layer's `X Wᵀ` with `W` stored a row
    /// per output, as `x.matmul(w.t())` computes it (the same product, bit for bit) but
    /// without recording `w.t()`, whose value would be a copy of `w` made only to be
    /// ignored by the product.
    ///
    /// ```
    /// use tape::Tape;
    /// let tape = Tape::<f64>::new();
    /// let x = tape.var_from_slice(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    /// let w = tape.var_from_slice(&[1.0, 0.0, 1.0, 1.0, 0.0, 2.0], &[3, 2]);
    /// let y = x.matmul_transposed(w);
    /// assert_eq!(y.shape()[..], [2, 3]);
    /// assert_eq!(y.value(), x.matmul(w.t()).value());
    /// ```
    ///
    /// # Panics
    /// If the shapes do not fit, for example
    /// `matmul_transposed: [256, 784] x [784, 10]^T: expects [m, k] and [n, k]`.
    pub fn matmul_transposed(self, other: Self) -> Self {
        self.same_tape(&other, "matmul_transposed");
        let (a_dims, b_dims) = (self.shape(), other.shape());
        let (m, n) = match (&a_dims[..], &b_dims[..]) {
            ([m, k], [n, k2]) if k == k2 => (*m, *n),
            _ => panic!(
                "matmul_transposed: {} x {}^T: expects [m, k] and [n, k]",
                Dims(&a_dims),
                Dims(&b_dims)
            ),
        };
        let tape = self.tape;
        let (a, a_transposed) = tape.with_recorded(|r| stored_operand(r, self.index));
        let b = other.index;
        let op = Op::MatMul {
            a,
            b,
            a_transposed,
            b_transposed: true,
        };
        tape.record(op, OutShape::Dims(&[m, n]), false, |r, out| {
            product(r.operand(a, a_transposed), r.operand(b, true), out, false)
        })
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

/// The var a product reads for operand `id`: the input of a transpose, used transposed,
/// or `id` itself.
fn stored_operand<T: Float>(recorded: &Recorded<'_, T>, id: NodeId) -> (NodeId, bool) {
    match recorded.node(id).op {
        Op::Transpose(x) => (x, true),
        _ => (id, false),
    }
}

/// `C = op(A) op(B)`: `d op(A) = dC op(B)^T` and `d op(B) = op(A)^T dC`, added straight
/// into the adjoints. An operand stored transposed takes the transpose of its part:
/// `dA = op(B) dC^T` if `op(A) = A^T`, and `dB = dC^T op(A)` if `op(B) = B^T`.
pub(crate) fn matmul_backward<T: Float>(
    (a, a_transposed): (NodeId, bool),
    (b, b_transposed): (NodeId, bool),
    recorded: &Recorded<'_, T>,
    out: &Output<'_, T>,
    adjoints: &mut Adjoints<'_, T>,
) {
    let dc = Operand::Values(MatRef::row_major(out.adjoint, out.dims[0], out.dims[1]));
    let (op_a, op_b) = (
        recorded.operand(a, a_transposed),
        recorded.operand(b, b_transposed),
    );
    if let Some(da) = adjoint_of(recorded, adjoints, a) {
        if a_transposed {
            product(op_b, dc.t(), da, true);
        } else {
            product(dc, op_b.t(), da, true);
        }
    }
    if let Some(db) = adjoint_of(recorded, adjoints, b) {
        if b_transposed {
            product(dc.t(), op_a, db, true);
        } else {
            product(op_a.t(), dc, db, true);
        }
    }
}

/// `y = x^T`: `dx += dy^T`.
pub(crate) fn transpose_backward<T: Float>(
    x: NodeId,
    recorded: &Recorded<'_, T>,
    out: &Output<'_, T>,
    adjoints: &mut Adjoints<'_, T>,
) {
    // x is [rows, cols]; y = x^T is [cols, rows], so x[i, j] went to y[j, i].
    let (rows, cols) = (out.dims[1], out.dims[0]);
    if let Some(dx) = adjoint_of(recorded, adjoints, x) {
        for i in 0..rows {
            for j in 0..cols {
                dx[i * cols + j] += out.adjoint[j * rows + i];
            }
        }
    }
}

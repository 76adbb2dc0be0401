//! Reductions: sum, mean and max, over everything or along one axis.

use crate::float::Float;
use crate::kernels;
use crate::ops::Op;
use crate::shape::{reduced_shape, resolve_axis, split_at_axis};
use crate::tape::{adjoint_of, Adjoints, NodeId, OutShape, Output, Recorded};
use crate::var::Var;

/// Which reduction a node computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    /// Sum of the elements.
    Sum,
    /// Arithmetic mean.
    Mean,
    /// Maximum; its gradient goes to the first maximal element.
    Max,
}

impl<'t, T: Float> Var<'t, T> {
    fn reduce_all(self, kind: Reduction) -> Self {
        let x = self.index;
        self.tape.record(
            Op::Reduce(kind, x, None),
            OutShape::Dims(&[]),
            false,
            |r, out| {
                let v = r.value(x);
                out[0] = match kind {
                    Reduction::Sum => kernels::sum_all(v),
                    Reduction::Mean => kernels::sum_all(v) / T::from_usize(v.len()),
                    Reduction::Max => kernels::max_all(v),
                }
            },
        )
    }

    fn reduce_axis(self, kind: Reduction, axis: isize, keepdim: bool, name: &str) -> Self {
        let x = self.index;
        let dims = self.shape();
        let axis = resolve_axis(name, axis, dims.len()).unwrap_or_else(|e| panic!("{e}"));
        let out_dims = reduced_shape(&dims, axis, keepdim);
        self.tape.record(
            Op::Reduce(kind, x, Some(axis as u8)),
            OutShape::Dims(&out_dims),
            false,
            |r, out| {
                let v = r.value(x);
                match kind {
                    Reduction::Sum => kernels::sum_axis(v, &dims, axis, out),
                    Reduction::Mean => {
                        kernels::sum_axis(v, &dims, axis, out);
                        let len = T::from_usize(dims[axis]);
                        out.iter_mut().for_each(|o| *o /= len);
                    }
                    Reduction::Max => kernels::max_axis(v, &dims, axis, out),
                }
            },
        )
    }

    /// Sum of all elements (a 0-d var).
    pub fn sum(self) -> Self {
        self.reduce_all(Reduction::Sum)
    }
    /// Mean of all elements (a 0-d var).
    pub fn mean(self) -> Self {
        self.reduce_all(Reduction::Mean)
    }
    /// Maximum of all elements (a 0-d var).
    pub fn max(self) -> Self {
        self.reduce_all(Reduction::Max)
    }
    /// Sum along `axis` (negative counts from the end), keeping it as size 1 if `keepdim`.
    ///
    /// # Panics
    /// If `axis` is out of range.
    pub fn sum_axis(self, axis: isize, keepdim: bool) -> Self {
        self.reduce_axis(Reduction::Sum, axis, keepdim, "sum_axis")
    }
    /// Mean along `axis`.
    pub fn mean_axis(self, axis: isize, keepdim: bool) -> Self {
        self.reduce_axis(Reduction::Mean, axis, keepdim, "mean_axis")
    }
    /// Maximum along `axis`.
    pub fn max_axis(self, axis: isize, keepdim: bool) -> Self {
        self.reduce_axis(Reduction::Max, axis, keepdim, "max_axis")
    }
}

/// Sum: every input element gets `dy`. Mean: `dy / n`. Max: the first element equal to
/// the maximum gets `dy` (a subgradient; ties are measure-zero for real data).
pub(crate) fn reduce_backward<T: Float>(
    kind: Reduction,
    x: NodeId,
    axis: Option<u8>,
    recorded: &Recorded<'_, T>,
    out: &Output<'_, T>,
    adjoints: &mut Adjoints<'_, T>,
) {
    let xs = recorded.value(x);
    let dims = recorded.dims(x);
    let Some(dx) = adjoint_of(recorded, adjoints, x) else {
        return;
    };
    // View every reduction as (outer, len, inner): reducing everything is outer = inner = 1.
    let (outer, len, inner) = match axis {
        None => (1, xs.len(), 1),
        Some(axis) => split_at_axis(dims, axis as usize),
    };
    match kind {
        Reduction::Sum | Reduction::Mean => {
            let scale = match kind {
                Reduction::Mean => T::from_usize(len).recip(),
                _ => T::ONE,
            };
            if inner == 1 {
                // The last axis (or everything): each output's adjoint spreads over a row.
                for (row, &g) in dx.chunks_exact_mut(len.max(1)).zip(out.adjoint) {
                    row.iter_mut().for_each(|d| *d += g * scale);
                }
                return;
            }
            for o in 0..outer {
                for i in 0..len {
                    let dx = &mut dx[(o * len + i) * inner..][..inner];
                    let dy = &out.adjoint[o * inner..][..inner];
                    dx.iter_mut().zip(dy).for_each(|(d, &g)| *d += g * scale);
                }
            }
        }
        Reduction::Max => {
            for o in 0..outer {
                for r in 0..inner {
                    let (dy, y) = (out.adjoint[o * inner + r], out.value[o * inner + r]);
                    let at = |i: usize| (o * len + i) * inner + r;
                    if let Some(i) = (0..len).find(|&i| xs[at(i)] == y || xs[at(i)].is_nan()) {
                        dx[at(i)] += dy;
                    }
                }
            }
        }
    }
}

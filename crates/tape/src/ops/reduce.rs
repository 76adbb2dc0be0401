//! Reductions: sum, mean, max and min, over everything or along one axis.
//!
//! ## Ties
//!
//! Where several elements share the maximum (or minimum), the max is not differentiable
//! and any split of the gradient among them is a valid subgradient. We split it
//! **evenly**, as PyTorch's `amax`/`amin` do: the result does not depend on the order of
//! the elements, and for a tie of two it is exactly what central differences measure
//! (nudging one of two equal elements up moves the max by `eps`, down by 0: slope 1/2), so
//! [`gradcheck`](crate::gradcheck()) agrees there. A NaN element makes the result NaN, and
//! the gradient is split among the NaN elements.

use crate::float::Float;
use crate::kernels;
use crate::ops::toolkit::{adjoint_of, Adjoints, NodeId, OutShape, Output, Recorded};
use crate::ops::Op;
use crate::parallel::for_each_chunk_mut;
use crate::shape::{reduced_shape, resolve_axis, split_at_axis};
use crate::var::Var;

/// Which reduction a node computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    /// Sum of the elements.
    Sum,
    /// Arithmetic mean.
    Mean,
    /// Maximum; a tie splits the gradient evenly among the maximal elements.
    Max,
    /// Minimum; a tie splits the gradient evenly among the minimal elements.
    Min,
}

impl Reduction {
    /// The name of the method that records this reduction over everything (`sum`, ...);
    /// along an axis it is this name with `_axis`.
    pub fn name(self) -> &'static str {
        match self {
            Reduction::Sum => "sum",
            Reduction::Mean => "mean",
            Reduction::Max => "max",
            Reduction::Min => "min",
        }
    }
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
                    Reduction::Min => v.iter().copied().fold(T::INFINITY, smaller),
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
                    Reduction::Min => min_axis(v, &dims, axis, out),
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
    ///
    /// Ties split the gradient evenly among the maximal elements (as PyTorch's `amax`);
    /// see [the module documentation](crate::ops::reduce#ties).
    ///
    /// ```
    /// use tape::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.var(&Tensor::from_vec(vec![1.0, 3.0, 3.0], &[3]));
    /// let grads = x.max().backward();
    /// assert_eq!(grads.wrt(x), &[0.0, 0.5, 0.5]);
    /// ```
    pub fn max(self) -> Self {
        self.reduce_all(Reduction::Max)
    }
    /// Minimum of all elements (a 0-d var). Ties split the gradient evenly, as for
    /// [`max`](Var::max).
    pub fn min(self) -> Self {
        self.reduce_all(Reduction::Min)
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
    /// Maximum along `axis`. Ties split the gradient evenly among the maximal elements
    /// of each lane, as for [`max`](Var::max).
    pub fn max_axis(self, axis: isize, keepdim: bool) -> Self {
        self.reduce_axis(Reduction::Max, axis, keepdim, "max_axis")
    }
    /// Minimum along `axis`. Ties split the gradient evenly among the minimal elements
    /// of each lane, as for [`max`](Var::max).
    ///
    /// ```
    /// use tape::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.var(&Tensor::from_vec(vec![4.0, 2.0, 2.0, 1.0, 5.0, 6.0], &[2, 3]));
    /// let m = x.min_axis(-1, false);
    /// assert_eq!(m.value().data(), &[2.0, 1.0]);
    /// assert_eq!(m.sum().backward().wrt(x), &[0.0, 0.5, 0.5, 1.0, 0.0, 0.0]);
    /// ```
    pub fn min_axis(self, axis: isize, keepdim: bool) -> Self {
        self.reduce_axis(Reduction::Min, axis, keepdim, "min_axis")
    }
}

/// The smaller of a running minimum and the next element; a NaN wins, so it propagates.
fn smaller<T: Float>(min: T, x: T) -> T {
    if x < min || x.is_nan() {
        x
    } else {
        min
    }
}

/// `out[o, r] = min_i x[o, i, r]`; `+inf` for an empty axis. (Max has a tuned kernel for
/// log-sum-exp's hot path; min walks each lane.)
fn min_axis<T: Float>(x: &[T], dims: &[usize], axis: usize, out: &mut [T]) {
    let (_, len, inner) = split_at_axis(dims, axis);
    for (lane, min) in out.iter_mut().enumerate() {
        let (o, r) = (lane / inner, lane % inner);
        *min = (0..len)
            .map(|i| x[(o * len + i) * inner + r])
            .fold(T::INFINITY, smaller);
    }
}

/// Sum: every input element gets `dy`. Mean: `dy / n`. Max and min: the elements equal to
/// the result share `dy` evenly (see [Ties](self#ties)).
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
                for_each_chunk_mut(dx, len.max(1), &|range, dx| {
                    let first = range.start / len.max(1);
                    let rows = dx.chunks_exact_mut(len.max(1)).zip(&out.adjoint[first..]);
                    for (row, &g) in rows {
                        row.iter_mut().for_each(|d| *d += g * scale);
                    }
                });
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
        Reduction::Max | Reduction::Min => {
            for o in 0..outer {
                for r in 0..inner {
                    let (dy, y) = (out.adjoint[o * inner + r], out.value[o * inner + r]);
                    let at = |i: usize| (o * len + i) * inner + r;
                    let attains = |i: usize| xs[at(i)] == y || (xs[at(i)].is_nan() && y.is_nan());
                    let ties = (0..len).filter(|&i| attains(i)).count();
                    let share = dy / T::from_usize(ties.max(1));
                    (0..len)
                        .filter(|&i| attains(i))
                        .for_each(|i| dx[at(i)] += share);
                }
            }
        }
    }
}

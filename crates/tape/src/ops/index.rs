//! Indexing: pick one element per row (the label term of cross-entropy), one-hot rows.

use crate::float::Float;
use crate::ops::toolkit::{adjoint_of, Adjoints, NodeId, OutShape, Output, Recorded};
use crate::ops::Op;
use crate::shape::pick_dims;
use crate::shape::{check_labels, ShapeError};
use crate::tape::Tape;
use crate::var::Var;

impl<'t, T: Float> Var<'t, T> {
    /// Picks one element per row along the last axis: `out[i] = x[i, indices[i]]`.
    /// For logits `o` of shape `[n, k]` and labels `y`, `o.pick(y)` is `o[i, y_i]`.
    pub fn try_pick(self, indices: &[usize]) -> Result<Self, ShapeError> {
        let x = self.index;
        let dims = self.shape();
        let (rows, cols) = pick_dims(&dims, indices)?;
        let (labels, _) = self.tape.push_indices(indices.iter().copied());
        Ok(self.tape.record(
            Op::Pick { x, labels },
            OutShape::Dims(&dims[..dims.len() - 1]),
            false,
            |r, out| {
                let v = r.value(x);
                for (i, o) in out.iter_mut().enumerate().take(rows) {
                    *o = v[i * cols + indices[i]];
                }
            },
        ))
    }

    /// Picks one element per row along the last axis.
    ///
    /// # Panics
    /// If there is not one index per row, or an index is out of range.
    pub fn pick(self, indices: &[usize]) -> Self {
        self.try_pick(indices).unwrap_or_else(|e| panic!("{e}"))
    }
}

impl<T: Float> Tape<T> {
    /// One-hot rows `[labels.len(), classes]` as a constant, or an error naming the first
    /// label that is not below `classes` (as [`Tensor::try_one_hot`](crate::Tensor::try_one_hot)).
    pub fn try_one_hot(&self, labels: &[usize], classes: usize) -> Result<Var<'_, T>, ShapeError> {
        check_labels("one_hot", labels, classes)?;
        Ok(self.record(
            Op::Leaf,
            OutShape::Dims(&[labels.len(), classes]),
            false,
            |_, out| {
                // The output may hold an earlier recording's values (see `Tape::record`).
                out.fill(T::ZERO);
                for (row, &label) in out.chunks_exact_mut(classes.max(1)).zip(labels) {
                    row[label] = T::ONE;
                }
            },
        ))
    }

    /// One-hot rows `[labels.len(), classes]` as a constant.
    ///
    /// # Panics
    /// If a label is not below `classes`.
    pub fn one_hot(&self, labels: &[usize], classes: usize) -> Var<'_, T> {
        self.try_one_hot(labels, classes)
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

/// `dx[i, y_i] += dy[i]`; every other element of `x` gets nothing.
pub(crate) fn pick_backward<T: Float>(
    x: NodeId,
    labels: u32,
    recorded: &Recorded<'_, T>,
    out: &Output<'_, T>,
    adjoints: &mut Adjoints<'_, T>,
) {
    let cols = *recorded.dims(x).last().expect("pick input has an axis");
    let labels = &recorded.indices[labels as usize..][..out.adjoint.len()];
    if let Some(dx) = adjoint_of(recorded, adjoints, x) {
        for (i, (&label, &g)) in labels.iter().zip(out.adjoint).enumerate() {
            dx[i * cols + label] += g;
        }
    }
}

//! Selecting parts of a var: a range along an axis ([`narrow`](Var::narrow)), whole slices
//! by index ([`index_select`](Var::index_select)), and one element per position along an
//! axis ([`gather`](Var::gather)).
//!
//! Each forward pass copies elements from where they are read to where they land; each
//! backward rule sends the output's adjoint back along the same path, adding where an
//! element was read more than once (a repeated index).

use crate::float::Float;
use crate::ops::toolkit::{adjoint_of, Adjoints, NodeId, OutShape, Output, Recorded};
use crate::ops::Op;
use crate::shape::{numel, resolve_axis, split_at_axis, Dims, ShapeError};
use crate::var::Var;

/// Which slices along an axis `narrow` and `index_select` take.
#[derive(Clone, Copy)]
enum Slices<'a> {
    /// `start..start + len`.
    Range { start: usize, len: usize },
    /// These, in this order.
    At(&'a [usize]),
}

impl Slices<'_> {
    /// Calls `f(from, to, n)` for every run of `n` contiguous elements the selection moves:
    /// input elements `from..from + n` of a tensor of shape `dims` land at output elements
    /// `to..to + n`.
    fn for_each_run(self, dims: &[usize], axis: usize, mut f: impl FnMut(usize, usize, usize)) {
        let (outer, total, inner) = split_at_axis(dims, axis);
        for o in 0..outer {
            match self {
                // The whole range is one run per outer position.
                Slices::Range { start, len } => {
                    f((o * total + start) * inner, o * len * inner, len * inner)
                }
                Slices::At(indices) => {
                    for (j, &index) in indices.iter().enumerate() {
                        f(
                            (o * total + index) * inner,
                            (o * indices.len() + j) * inner,
                            inner,
                        );
                    }
                }
            }
        }
    }
}

/// The offset in `x` (of shape `x_dims`) that each output element of a gather reads, in
/// output order: output position `p` (of shape `index_dims`) reads `x` at `p` with
/// `p[axis]` replaced by `index[p]`.
fn gather_sources<'a>(
    x_dims: &'a [usize],
    axis: usize,
    index_dims: &'a [usize],
    index: &'a [usize],
) -> impl Iterator<Item = usize> + 'a {
    index.iter().enumerate().map(move |(flat, &i)| {
        let (mut rest, mut offset, mut stride) = (flat, 0, 1);
        for d in (0..x_dims.len()).rev() {
            let at = if d == axis { i } else { rest % index_dims[d] };
            rest /= index_dims[d];
            offset += at * stride;
            stride *= x_dims[d];
        }
        offset
    })
}

impl<'t, T: Float> Var<'t, T> {
    /// Records `narrow` or `index_select`: the output has `count` slices along `axis`.
    fn select_slices(self, op: Op, axis: usize, count: usize, slices: Slices<'_>) -> Self {
        let x = self.index;
        let dims = self.shape();
        let mut out_dims = dims.clone();
        out_dims[axis] = count;
        self.tape
            .record(op, OutShape::Dims(&out_dims), false, |r, out| {
                let v = r.value(x);
                slices.for_each_run(&dims, axis, |from, to, n| {
                    out[to..to + n].copy_from_slice(&v[from..from + n])
                });
            })
    }

    /// The elements `start..start + len` along `axis` (negative counts from the end), as
    /// PyTorch's `narrow` or NumPy's `x[..., start:start + len, ...]`. The gradient flows
    /// back into that range; the rest of `x` gets none.
    ///
    /// ```
    /// use tape::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.var(&Tensor::from_vec((1..=6).map(f64::from).collect(), &[2, 3]));
    /// let y = x.narrow(1, 1, 2); // columns 1 and 2
    /// assert_eq!(y.value().data(), &[2.0, 3.0, 5.0, 6.0]);
    /// assert_eq!(y.sum().backward().wrt(x), &[0.0, 1.0, 1.0, 0.0, 1.0, 1.0]);
    /// ```
    pub fn try_narrow(self, axis: isize, start: usize, len: usize) -> Result<Self, ShapeError> {
        let dims = self.shape();
        let axis = resolve_axis("narrow", axis, dims.len())?;
        let end = start.checked_add(len).filter(|&end| end <= dims[axis]);
        let (Some(_), Ok(start32)) = (end, u32::try_from(start)) else {
            return Err(ShapeError::new(
                "narrow",
                format_args!(
                    "range {start}..{} is out of bounds for axis {axis} of length {} in shape {}",
                    start.saturating_add(len),
                    dims[axis],
                    Dims(&dims)
                ),
            ));
        };
        let op = Op::Select {
            x: self.index,
            axis: axis as u8,
            selection: Selection::Range { start: start32 },
        };
        Ok(self.select_slices(op, axis, len, Slices::Range { start, len }))
    }

    /// The elements `start..start + len` along `axis`.
    ///
    /// # Panics
    /// If the axis or the range is out of bounds; the message names the shape.
    pub fn narrow(self, axis: isize, start: usize, len: usize) -> Self {
        self.try_narrow(axis, start, len)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The slices of `x` at `indices` along `axis`, in that order, as PyTorch's
    /// `index_select` or NumPy's `take(x, indices, axis)`: rows by index for `axis = 0`.
    /// An index may repeat; its slice's gradient is then the sum over its copies.
    ///
    /// ```
    /// use tape::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.var(&Tensor::from_vec((1..=6).map(f64::from).collect(), &[3, 2]));
    /// let rows = x.index_select(0, &[2, 0, 2]);
    /// assert_eq!(rows.value().data(), &[5.0, 6.0, 1.0, 2.0, 5.0, 6.0]);
    /// assert_eq!(rows.sum().backward().wrt(x), &[1.0, 1.0, 0.0, 0.0, 2.0, 2.0]);
    /// ```
    pub fn try_index_select(self, axis: isize, indices: &[usize]) -> Result<Self, ShapeError> {
        let dims = self.shape();
        let axis = resolve_axis("index_select", axis, dims.len())?;
        if let Some((at, &index)) = indices.iter().enumerate().find(|(_, &i)| i >= dims[axis]) {
            return Err(ShapeError::new(
                "index_select",
                format_args!(
                    "index {index} at position {at} is out of range for axis {axis} of length {} in shape {}",
                    dims[axis],
                    Dims(&dims)
                ),
            ));
        }
        let (at, _) = self.tape.push_indices(indices.iter().copied());
        let op = Op::Select {
            x: self.index,
            axis: axis as u8,
            selection: Selection::Indices { at },
        };
        Ok(self.select_slices(op, axis, indices.len(), Slices::At(indices)))
    }

    /// The slices at `indices` along `axis`.
    ///
    /// # Panics
    /// If the axis or an index is out of range; the message names it.
    pub fn index_select(self, axis: isize, indices: &[usize]) -> Self {
        self.try_index_select(axis, indices)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// One element per position along `axis`, as PyTorch's `gather`: with `index` of shape
    /// `index_dims` (row-major, as many dimensions as `x`, and no larger than `x` off
    /// `axis`), the output has shape `index_dims` and
    /// `out[i][j] = x[index[i][j]][j]` for `axis = 0`, `out[i][j] = x[i][index[i][j]]` for
    /// `axis = 1`. Elements read more than once sum their gradients.
    ///
    /// ```
    /// use tape::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.var(&Tensor::from_vec((1..=6).map(f64::from).collect(), &[2, 3]));
    /// // From row 0 take columns 0 and 0, from row 1 columns 2 and 1.
    /// let y = x.gather(1, &[0, 0, 2, 1], &[2, 2]);
    /// assert_eq!(y.value().data(), &[1.0, 1.0, 6.0, 5.0]);
    /// assert_eq!(y.sum().backward().wrt(x), &[2.0, 0.0, 0.0, 0.0, 1.0, 1.0]);
    /// ```
    pub fn try_gather(
        self,
        axis: isize,
        index: &[usize],
        index_dims: &[usize],
    ) -> Result<Self, ShapeError> {
        let x = self.index;
        let dims = self.shape();
        let axis = resolve_axis("gather", axis, dims.len())?;
        check_gather_index(&dims, axis, index, index_dims)?;
        let (at, _) = self.tape.push_indices(index.iter().copied());
        let op = Op::Select {
            x,
            axis: axis as u8,
            selection: Selection::Gather { at },
        };
        Ok(self
            .tape
            .record(op, OutShape::Dims(index_dims), false, |r, out| {
                let v = r.value(x);
                for (o, from) in out
                    .iter_mut()
                    .zip(gather_sources(&dims, axis, index_dims, index))
                {
                    *o = v[from];
                }
            }))
    }

    /// One element per position along `axis`, chosen by `index` of shape `index_dims`.
    ///
    /// # Panics
    /// If the shapes do not fit or an index is out of range; the message says which.
    pub fn gather(self, axis: isize, index: &[usize], index_dims: &[usize]) -> Self {
        self.try_gather(axis, index, index_dims)
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

/// Checks a gather index against the input's shape, naming the first problem.
fn check_gather_index(
    dims: &[usize],
    axis: usize,
    index: &[usize],
    index_dims: &[usize],
) -> Result<(), ShapeError> {
    let fail = |detail: std::fmt::Arguments<'_>| Err(ShapeError::new("gather", detail));
    if index_dims.len() != dims.len() {
        return fail(format_args!(
            "index of shape {} has {} dimensions but the input {} has {}",
            Dims(index_dims),
            index_dims.len(),
            Dims(dims),
            dims.len()
        ));
    }
    if let Some(d) = (0..dims.len()).find(|&d| d != axis && index_dims[d] > dims[d]) {
        return fail(format_args!(
            "index of shape {} is larger than the input {} on axis {d}",
            Dims(index_dims),
            Dims(dims)
        ));
    }
    if index.len() != numel(index_dims) {
        return fail(format_args!(
            "{} indices do not fill the index shape {}",
            index.len(),
            Dims(index_dims)
        ));
    }
    if let Some((at, &i)) = index.iter().enumerate().find(|(_, &i)| i >= dims[axis]) {
        return fail(format_args!(
            "index {i} at position {at} is out of range for axis {axis} of length {} in shape {}",
            dims[axis],
            Dims(dims)
        ));
    }
    Ok(())
}

/// What a recorded selection took along its axis.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Selection {
    /// `narrow`: from `start`, as many as the output has along the axis.
    Range { start: u32 },
    /// `index_select`: the indices stored from this offset of the index arena, as many as
    /// the output has along the axis.
    Indices { at: u32 },
    /// `gather`: the index (of the output's shape) stored from this offset.
    Gather { at: u32 },
}

/// Every selected element's adjoint goes back to where it was read, summing where an
/// element was read more than once.
pub(crate) fn select_backward<T: Float>(
    x: NodeId,
    axis: u8,
    selection: Selection,
    recorded: &Recorded<'_, T>,
    out: &Output<'_, T>,
    adjoints: &mut Adjoints<'_, T>,
) {
    let (axis, dims) = (axis as usize, recorded.dims(x));
    let Some(dx) = adjoint_of(recorded, adjoints, x) else {
        return;
    };
    let count = out.dims[axis];
    let slices = match selection {
        Selection::Range { start } => Slices::Range {
            start: start as usize,
            len: count,
        },
        Selection::Indices { at } => Slices::At(&recorded.indices[at as usize..][..count]),
        Selection::Gather { at } => {
            let index = &recorded.indices[at as usize..][..out.adjoint.len()];
            for (from, &g) in gather_sources(dims, axis, out.dims, index).zip(out.adjoint) {
                dx[from] += g;
            }
            return;
        }
    };
    slices.for_each_run(dims, axis, |from, to, n| {
        dx[from..from + n]
            .iter_mut()
            .zip(&out.adjoint[to..to + n])
            .for_each(|(d, &g)| *d += g)
    });
}

#[cfg(test)]
mod tests {
    use crate::Tape;

    #[test]
    fn the_tape_listing_names_each_selection() {
        let tape = Tape::<f64>::new();
        let x = tape.var_from_slice(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
        let _ = x.narrow(1, 1, 1);
        let _ = x.index_select(0, &[1, 1]);
        let _ = x.gather(0, &[1, 0], &[1, 2]);
        let listing = tape.to_string();
        for op in [
            "narrow(#0, 1, 1)",
            "index_select(#0, 0, indices)",
            "gather(#0, 0, index)",
        ] {
            assert!(listing.contains(op), "{listing}");
        }
    }
}

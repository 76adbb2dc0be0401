//! Ops that move values without arithmetic: reshape, broadcast, concatenation, detach.

use crate::float::Float;
use crate::kernels::for_each_broadcast;
use crate::ops::toolkit::{adjoint_of, Adjoints, NodeId, OutShape, Output, Recorded};
use crate::ops::Op;
use crate::shape::transpose_dims;
use crate::shape::{broadcast_shapes, numel, resolve_axis, split_at_axis, Dims, Shape, ShapeError};
use crate::var::Var;

impl<'t, T: Float> Var<'t, T> {
    /// The same elements under a new shape with as many elements.
    pub fn try_reshape(self, dims: &[usize]) -> Result<Self, ShapeError> {
        let x = self.index;
        let (len, from) = (self.len(), self.shape());
        if numel(dims) != len {
            return Err(ShapeError::new(
                "reshape",
                format_args!("cannot reshape {} into {}", Dims(&from), Dims(dims)),
            ));
        }
        Ok(self
            .tape
            .record(Op::Reshape(x), OutShape::Dims(dims), false, |r, out| {
                out.copy_from_slice(r.value(x))
            }))
    }

    /// The same elements under a new shape.
    ///
    /// # Panics
    /// If the element counts differ.
    pub fn reshape(self, dims: &[usize]) -> Self {
        self.try_reshape(dims).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Repeats the value along broadcast axes to fill `dims` (NumPy rules).
    pub fn try_broadcast_to(self, dims: &[usize]) -> Result<Self, ShapeError> {
        let x = self.index;
        let from = self.shape();
        let out_dims = broadcast_shapes("broadcast_to", &from, dims)?;
        if out_dims[..] != *dims {
            return Err(ShapeError::new(
                "broadcast_to",
                format_args!("cannot broadcast {} to {}", Dims(&from), Dims(dims)),
            ));
        }
        Ok(self
            .tape
            .record(Op::BroadcastTo(x), OutShape::Dims(dims), false, |r, out| {
                let v = r.value(x);
                for_each_broadcast(dims, &from, dims, |o, i, _| out[o] = v[i]);
            }))
    }

    /// Repeats the value along broadcast axes to fill `dims`.
    ///
    /// # Panics
    /// If the shape does not broadcast to `dims`.
    pub fn broadcast_to(self, dims: &[usize]) -> Self {
        self.try_broadcast_to(dims)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Matrix transpose of a 2-d var; 0-d and 1-d vars are returned unchanged (as
    /// PyTorch's `t()`); an error for more dimensions. The op and its backward rule are
    /// those of [`t`](Var::t), in [`linalg`](crate::ops::linalg).
    pub fn try_transpose(self) -> Result<Self, ShapeError> {
        transpose_dims(&self.shape())?;
        Ok(self.t())
    }

    /// Matrix transpose of a 2-d var (0-d and 1-d vars are returned unchanged), as
    /// [`Tensor::transpose`](crate::Tensor::transpose); [`t`](Var::t) is its shorthand.
    ///
    /// # Panics
    /// For more than two dimensions.
    pub fn transpose(self) -> Self {
        self.try_transpose().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Stop-gradient: the same value, but no gradient flows back through it.
    pub fn detach(self) -> Self {
        let x = self.index;
        self.tape
            .record(Op::Detach(x), OutShape::SameAs(x), false, |r, out| {
                out.copy_from_slice(r.value(x))
            })
    }

    /// Joins vars along `axis`; all other axes must agree.
    pub fn try_concat(parts: &[Self], axis: isize) -> Result<Self, ShapeError> {
        let Some(first) = parts.first() else {
            return Err(ShapeError::new("concat", "needs at least one input"));
        };
        let tape = first.tape;
        parts.iter().for_each(|p| first.same_tape(p, "concat"));
        let first_dims = first.shape();
        let axis = resolve_axis("concat", axis, first_dims.len())?;
        let mut out_dims: Shape = first_dims.clone();
        out_dims[axis] = 0;
        for p in parts {
            let d = p.shape();
            let agrees = d.len() == first_dims.len()
                && d.iter()
                    .zip(first_dims.iter())
                    .enumerate()
                    .all(|(i, (a, b))| i == axis || a == b);
            if !agrees {
                return Err(ShapeError::new(
                    "concat",
                    format_args!(
                        "shapes {} and {} differ off axis {axis}",
                        Dims(&first_dims),
                        Dims(&d)
                    ),
                ));
            }
            out_dims[axis] += d[axis];
        }
        let (inputs, count) = tape.push_indices(parts.iter().map(|p| p.index as usize));
        let op = Op::Concat {
            axis: axis as u8,
            inputs,
            count,
        };
        Ok(tape.record(op, OutShape::Dims(&out_dims), false, |r, out| {
            let (outer, total, inner) = split_at_axis(&out_dims, axis);
            let mut offset = 0;
            for &id in &r.indices[inputs as usize..][..count as usize] {
                let (v, len) = (r.value(id as NodeId), r.dims(id as NodeId)[axis]);
                for o in 0..outer {
                    out[(o * total + offset) * inner..][..len * inner]
                        .copy_from_slice(&v[o * len * inner..][..len * inner]);
                }
                offset += len;
            }
        }))
    }

    /// Joins vars along `axis`.
    ///
    /// # Panics
    /// If `parts` is empty or the shapes disagree off `axis`.
    pub fn concat(parts: &[Self], axis: isize) -> Self {
        Self::try_concat(parts, axis).unwrap_or_else(|e| panic!("{e}"))
    }
}

/// Reshape moves no element: `dx += dy` in the same order.
pub(crate) fn reshape_backward<T: Float>(
    x: NodeId,
    recorded: &Recorded<'_, T>,
    out: &Output<'_, T>,
    adjoints: &mut Adjoints<'_, T>,
) {
    if let Some(dx) = adjoint_of(recorded, adjoints, x) {
        dx.iter_mut().zip(out.adjoint).for_each(|(d, &g)| *d += g);
    }
}

/// Broadcasting copies an element to many places, so its gradient sums over them.
pub(crate) fn broadcast_backward<T: Float>(
    x: NodeId,
    recorded: &Recorded<'_, T>,
    out: &Output<'_, T>,
    adjoints: &mut Adjoints<'_, T>,
) {
    let from = recorded.dims(x);
    if let Some(dx) = adjoint_of(recorded, adjoints, x) {
        for_each_broadcast(out.dims, from, out.dims, |o, i, _| dx[i] += out.adjoint[o]);
    }
}

/// Concatenation: each input takes back its own slab of the output's adjoint.
pub(crate) fn concat_backward<T: Float>(
    axis: u8,
    inputs: u32,
    count: u32,
    recorded: &Recorded<'_, T>,
    out: &Output<'_, T>,
    adjoints: &mut Adjoints<'_, T>,
) {
    let axis = axis as usize;
    let (outer, total, inner) = split_at_axis(out.dims, axis);
    let mut offset = 0;
    for &id in &recorded.indices[inputs as usize..][..count as usize] {
        let len = recorded.dims(id as NodeId)[axis];
        if let Some(dx) = adjoint_of(recorded, adjoints, id as NodeId) {
            for o in 0..outer {
                let src = &out.adjoint[(o * total + offset) * inner..][..len * inner];
                dx[o * len * inner..][..len * inner]
                    .iter_mut()
                    .zip(src)
                    .for_each(|(d, &g)| *d += g);
            }
        }
        offset += len;
    }
}

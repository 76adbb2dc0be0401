//! The op-author toolkit: what an op's forward computation and backward rule see of the
//! tape. See the [module documentation of `ops`](super) for how to add an op.
//!
//! - [`NodeId`] names a recorded node; a `Var` holds one.
//! - [`OutShape`] says the shape of the node being recorded.
//! - [`Recorded`] reads everything recorded before that node: values, shapes, side data.
//! - [`Output`] is what a backward rule knows of its own node: value, adjoint, shape.
//! - [`adjoint_of`] lends an input's adjoint to add into ([`Adjoints`] holds them all).

use crate::float::Float;
use crate::matrix::MatRef;
use crate::ops::Op;
use crate::tape::{Borrowed, Node};
use std::borrow::Cow;

/// Position of a node on its tape.
pub(crate) type NodeId = u32;

/// The shape of a node being recorded: given, or that of an earlier node.
#[derive(Clone, Copy)]
pub(crate) enum OutShape<'a> {
    Dims(&'a [usize]),
    SameAs(NodeId),
}

/// Read access to everything recorded before the node being computed or differentiated.
pub(crate) struct Recorded<'a, T> {
    pub nodes: &'a [Node],
    pub values: &'a [T],
    pub dims: &'a [usize],
    pub indices: &'a [usize],
    pub borrowed: &'a [Borrowed<T>],
    pub params: &'a [T],
}

impl<'a, T: Float> Recorded<'a, T> {
    pub fn node(&self, id: NodeId) -> &'a Node {
        &self.nodes[id as usize]
    }
    /// The value of a node as one contiguous slice.
    ///
    /// # Panics
    /// For rows read in place; `Tape::record` copies those into the arena before an op
    /// other than a matrix product sees them.
    pub fn value(&self, id: NodeId) -> &'a [T] {
        let n = self.node(id);
        match n.op {
            Op::Borrowed(slot) => {
                let borrowed = &self.borrowed[slot as usize];
                assert!(
                    borrowed.rows.is_none(),
                    "rows read in place are not contiguous"
                );
                borrowed.data()
            }
            _ => &self.values[n.range()],
        }
    }
    /// The value of a 2-d node as a matrix operand (rows read in place stay in place),
    /// transposed if asked.
    pub fn matrix(&self, id: NodeId, transposed: bool) -> MatRef<'a, T> {
        let dims = self.dims(id);
        let matrix = match self.node(id).op {
            Op::Borrowed(slot) => match &self.borrowed[slot as usize] {
                Borrowed {
                    rows: Some((start, count)),
                    row_len,
                    ..
                } => {
                    let borrowed = &self.borrowed[slot as usize];
                    MatRef::gathered(
                        borrowed.data(),
                        *row_len,
                        &self.indices[*start..start + count],
                    )
                }
                _ => MatRef::row_major(self.value(id), dims[0], dims[1]),
            },
            _ => MatRef::row_major(self.value(id), dims[0], dims[1]),
        };
        if transposed {
            matrix.t()
        } else {
            matrix
        }
    }
    /// A matrix operand as a product reads it: borrowed reals as reals, any other node
    /// as [`Recorded::matrix`] gives it.
    pub fn operand(&self, id: NodeId, transposed: bool) -> Operand<'a, T> {
        if let Op::Borrowed(slot) = self.node(id).op {
            if let Some(reals) = self.borrowed[slot as usize].real_data() {
                let dims = self.dims(id);
                let matrix = MatRef::row_major(reals, dims[0], dims[1]);
                return Operand::Real(if transposed { matrix.t() } else { matrix });
            }
        }
        Operand::Values(self.matrix(id, transposed))
    }
    /// The value of a node, gathered (or converted from reals) into a new buffer if it is
    /// rows read in place (or borrowed reals).
    pub fn value_cow(&self, id: NodeId) -> Cow<'a, [T]> {
        if let Op::Borrowed(slot) = self.node(id).op {
            let borrowed = &self.borrowed[slot as usize];
            if let Some(values) = borrowed.real_values() {
                return Cow::Owned(values.collect());
            }
            if borrowed.rows.is_some() {
                let mut rows = Vec::new();
                self.matrix(id, false).to_row_major(&mut rows);
                return Cow::Owned(rows);
            }
        }
        Cow::Borrowed(self.value(id))
    }
    pub fn dims(&self, id: NodeId) -> &'a [usize] {
        let n = self.node(id);
        &self.dims[n.dims_start as usize..n.dims_start as usize + n.ndim as usize]
    }
    pub fn requires_grad(&self, id: NodeId) -> bool {
        self.node(id).requires_grad
    }
}

/// One operand of a matrix product on a tape of `T`s: values of the tape's type, or
/// borrowed reals ([`Float::Real`]).
#[derive(Clone, Copy)]
pub(crate) enum Operand<'a, T: Float> {
    Values(MatRef<'a, T>),
    Real(MatRef<'a, T::Real>),
}

impl<T: Float> Operand<'_, T> {
    /// The operand transposed.
    pub fn t(self) -> Self {
        match self {
            Operand::Values(m) => Operand::Values(m.t()),
            Operand::Real(m) => Operand::Real(m.t()),
        }
    }
}

/// `c = a b` (or `c += a b` if `accumulate`), with whichever of [`Float::matmul`],
/// [`Float::matmul_real_left`] and [`Float::matmul_real_right`] fits the operands.
pub(crate) fn product<T: Float>(
    a: Operand<'_, T>,
    b: Operand<'_, T>,
    c: &mut [T],
    accumulate: bool,
) {
    match (a, b) {
        (Operand::Values(a), Operand::Values(b)) => T::matmul(a, b, c, accumulate),
        (Operand::Real(a), Operand::Values(b)) => T::matmul_real_left(a, b, c, accumulate),
        (Operand::Values(a), Operand::Real(b)) => T::matmul_real_right(a, b, c, accumulate),
        (Operand::Real(a), Operand::Real(b)) => {
            // Two constants: a product of reals, converted.
            let ((m, _), (_, n)) = (a.shape(), b.shape());
            let mut reals = vec![T::Real::ZERO; m * n];
            T::Real::matmul(a, b, &mut reals, false);
            for (c, x) in c[..m * n].iter_mut().zip(reals) {
                let x = T::from_real(x);
                *c = if accumulate { *c + x } else { x };
            }
        }
    }
}

/// The adjoints of the nodes recorded before the one being differentiated, and which of
/// them the sweep has reached.
pub(crate) struct Adjoints<'a, T> {
    values: &'a mut [T],
    reached: &'a mut [bool],
}

impl<'a, T> Adjoints<'a, T> {
    /// The adjoints of the first `reached.len()` nodes, laid out as their values.
    pub(crate) fn new(values: &'a mut [T], reached: &'a mut [bool]) -> Self {
        Adjoints { values, reached }
    }
}

/// Mutable adjoint slice of a node, when it wants a gradient. Asking for it marks the node
/// reached, so the sweep will differentiate it in turn; the first time, it is zeroed (the
/// buffer holds the previous sweep's adjoints).
pub(crate) fn adjoint_of<'g, T: Float>(
    recorded: &Recorded<'_, T>,
    adjoints: &'g mut Adjoints<'_, T>,
    id: NodeId,
) -> Option<&'g mut [T]> {
    let n = &recorded.nodes[id as usize];
    if !n.requires_grad {
        return None;
    }
    let adjoint = &mut adjoints.values[n.range()];
    if !adjoints.reached[id as usize] {
        adjoint.fill(T::ZERO);
        adjoints.reached[id as usize] = true;
    }
    Some(adjoint)
}

/// What a backward rule knows of the node it differentiates.
pub(crate) struct Output<'a, T> {
    /// The node's forward value.
    pub value: &'a [T],
    /// d(result)/d(this node), already complete when the rule runs.
    pub adjoint: &'a [T],
    /// The node's shape.
    pub dims: &'a [usize],
}

//! The primitive ops. Each file keeps an op's forward computation (the `Var` method that
//! records it) next to its backward rule (the vector-Jacobian product):
//!
//! - [`elementwise`]: unary and binary elementwise ops, declared as `(f, df)` pairs
//! - [`linalg`]: matrix product and transpose
//! - [`reduce`]: sum, mean and max, over everything or along an axis
//! - [`layout`]: reshape, broadcast, concatenation, detach
//! - [`index`]: pick by index (the label term of cross-entropy), one-hot
//! - [`select`]: parts of a var: a range along an axis (narrow), slices by index
//!   (index_select), one element per position along an axis (gather)

pub mod elementwise;
pub mod index;
pub mod layout;
pub mod linalg;
pub mod reduce;
pub mod select;

use crate::float::Float;
use crate::tape::{Adjoints, NodeId, Output, Recorded};
pub(crate) use elementwise::PackedUnary;
pub use elementwise::{Binary, Unary};
pub use reduce::Reduction;

/// What a node computed, with the ids of its inputs. Side data (labels, input lists)
/// lives in the tape's index arena so that this stays small and `Copy`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Op {
    /// An input: a trainable var or a constant.
    Leaf,
    /// A constant whose values stay outside the tape, in the tape's borrowed slot.
    Borrowed(u32),
    /// A copy through which no gradient flows (stop-gradient).
    Detach(NodeId),
    /// A unary elementwise op; its parameter, if a float, sits in the tape's `params`.
    Unary(PackedUnary, NodeId),
    Binary(Binary, NodeId, NodeId),
    /// `op(a) op(b)`, where `op` transposes a stored operand if its flag is set: a product
    /// with a transposed var reads the var in its stored layout.
    MatMul {
        a: NodeId,
        b: NodeId,
        a_transposed: bool,
        b_transposed: bool,
    },
    Transpose(NodeId),
    Reshape(NodeId),
    BroadcastTo(NodeId),
    /// A reduction over everything (`None`) or along one axis.
    Reduce(Reduction, NodeId, Option<u8>),
    /// `out[i] = x[i, labels[i]]` with the labels at `indices[labels..]`.
    Pick {
        x: NodeId,
        labels: u32,
    },
    /// Inputs at `indices[inputs..inputs + count]`, joined along `axis`.
    Concat {
        axis: u8,
        inputs: u32,
        count: u32,
    },
    /// Elements of `x` selected along `axis`: a range (`narrow`), slices by index
    /// (`index_select`) or one element per position (`gather`).
    Select {
        x: NodeId,
        axis: u8,
        selection: select::Selection,
    },
}

impl Op {
    /// How the op reads in a listing of the tape, e.g. `mul(#0, #1)` or `sum_axis(#4, 1)`
    /// (`params` holds unary ops' float parameters).
    pub(crate) fn describe<T: Float>(&self, indices: &[usize], params: &[T]) -> String {
        match self {
            Op::Leaf | Op::Borrowed(_) => "leaf".into(),
            Op::Detach(x) => format!("detach(#{x})"),
            Op::Unary(packed, x) => {
                let kind = packed.unpack(params);
                match kind.param() {
                    None => format!("{}(#{x})", kind.name()),
                    Some(param) => format!("{}(#{x}, {param})", kind.name()),
                }
            }
            Op::Binary(kind, a, b) => format!("{}(#{a}, #{b})", kind.name()),
            Op::MatMul {
                a,
                b,
                a_transposed,
                b_transposed,
            } => {
                let t = |transposed: &bool| if *transposed { "^T" } else { "" };
                format!("matmul(#{a}{}, #{b}{})", t(a_transposed), t(b_transposed))
            }
            Op::Transpose(x) => format!("transpose(#{x})"),
            Op::Reshape(x) => format!("reshape(#{x})"),
            Op::BroadcastTo(x) => format!("broadcast_to(#{x})"),
            Op::Reduce(kind, x, None) => format!("{}(#{x})", format!("{kind:?}").to_lowercase()),
            Op::Reduce(kind, x, Some(axis)) => {
                format!("{}_axis(#{x}, {axis})", format!("{kind:?}").to_lowercase())
            }
            Op::Pick { x, .. } => format!("pick(#{x}, labels)"),
            Op::Concat {
                axis,
                inputs,
                count,
            } => {
                let ids: Vec<String> = indices[*inputs as usize..][..*count as usize]
                    .iter()
                    .map(|i| format!("#{i}"))
                    .collect();
                format!("concat([{}], {axis})", ids.join(", "))
            }
            Op::Select {
                x,
                axis,
                selection: select::Selection::Range { start },
            } => format!("narrow(#{x}, {axis}, {start})"),
            Op::Select {
                x,
                axis,
                selection: select::Selection::Indices { .. },
            } => format!("index_select(#{x}, {axis}, indices)"),
            Op::Select { x, axis, .. } => format!("gather(#{x}, {axis}, index)"),
        }
    }

    /// True for nodes without inputs: vars and constants.
    pub(crate) fn is_leaf(&self) -> bool {
        matches!(self, Op::Leaf | Op::Borrowed(_))
    }

    /// False for ops that read rows in place (matrix products) or read no input; true for
    /// every op that needs its inputs as contiguous slices.
    pub(crate) fn reads_contiguous_inputs(&self) -> bool {
        !matches!(self, Op::Leaf | Op::Borrowed(_) | Op::MatMul { .. })
    }

    /// Calls `f` with the id of every input of this op.
    pub(crate) fn for_each_input(&self, indices: &[usize], mut f: impl FnMut(NodeId)) {
        match *self {
            Op::Leaf | Op::Borrowed(_) => {}
            Op::Detach(x)
            | Op::Unary(_, x)
            | Op::Transpose(x)
            | Op::Reshape(x)
            | Op::BroadcastTo(x)
            | Op::Reduce(_, x, _)
            | Op::Pick { x, .. }
            | Op::Select { x, .. } => f(x),
            Op::Binary(_, a, b) | Op::MatMul { a, b, .. } => {
                f(a);
                f(b);
            }
            Op::Concat { inputs, count, .. } => indices[inputs as usize..][..count as usize]
                .iter()
                .for_each(|&id| f(id as NodeId)),
        }
    }

    /// True if any input of this op wants a gradient (so this node does too).
    pub(crate) fn any_input_requires_grad<T: Float>(&self, recorded: &Recorded<'_, T>) -> bool {
        if let Op::Detach(_) = self {
            return false;
        }
        let mut any = false;
        self.for_each_input(recorded.indices, |id| any |= recorded.requires_grad(id));
        any
    }

    /// Adds this node's contribution to the adjoints of its inputs (`adjoints` holds the
    /// adjoints of every earlier node).
    pub(crate) fn backward<T: Float>(
        &self,
        recorded: &Recorded<'_, T>,
        out: &Output<'_, T>,
        adjoints: &mut Adjoints<'_, T>,
    ) {
        match *self {
            Op::Leaf | Op::Borrowed(_) | Op::Detach(_) => {}
            Op::Unary(packed, x) => {
                let kind = packed.unpack(recorded.params);
                elementwise::unary_backward(kind, x, recorded, out, adjoints)
            }
            Op::Binary(kind, a, b) => {
                elementwise::binary_backward(kind, a, b, recorded, out, adjoints)
            }
            Op::MatMul {
                a,
                b,
                a_transposed,
                b_transposed,
            } => linalg::matmul_backward(
                (a, a_transposed),
                (b, b_transposed),
                recorded,
                out,
                adjoints,
            ),
            Op::Transpose(x) => linalg::transpose_backward(x, recorded, out, adjoints),
            Op::Reshape(x) => layout::reshape_backward(x, recorded, out, adjoints),
            Op::BroadcastTo(x) => layout::broadcast_backward(x, recorded, out, adjoints),
            Op::Reduce(kind, x, axis) => {
                reduce::reduce_backward(kind, x, axis, recorded, out, adjoints)
            }
            Op::Pick { x, labels } => index::pick_backward(x, labels, recorded, out, adjoints),
            Op::Concat {
                axis,
                inputs,
                count,
            } => layout::concat_backward(axis, inputs, count, recorded, out, adjoints),
            Op::Select { x, axis, selection } => {
                select::select_backward(x, axis, selection, recorded, out, adjoints)
            }
        }
    }
}

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
use crate::tape::{NodeId, Output, Recorded};
pub use elementwise::{Binary, Unary};
pub use reduce::Reduction;

/// What a node computed, with the ids of its inputs. Side data (labels, input lists)
/// lives in the tape's index arena so that this stays small and `Copy`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Op<T> {
    /// An input: a trainable var or a constant.
    Leaf,
    /// A copy through which no gradient flows (stop-gradient).
    Detach(NodeId),
    Unary(Unary<T>, NodeId),
    Binary(Binary, NodeId, NodeId),
    MatMul(NodeId, NodeId),
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

impl<T: Float> Op<T> {
    /// How the op reads in a listing of the tape, e.g. `mul(#0, #1)` or `sum_axis(#4, 1)`.
    pub(crate) fn describe(&self, indices: &[usize]) -> String {
        let unary = |kind: &Unary<T>| {
            let name = format!("{kind:?}");
            let (head, param) = name
                .split_once('(')
                .map_or((name.as_str(), ""), |(h, p)| (h, p.trim_end_matches(')')));
            let mut snake = String::new();
            for (i, c) in head.chars().enumerate() {
                if c.is_uppercase() && i > 0 {
                    snake.push('_');
                }
                snake.push(c.to_ascii_lowercase());
            }
            (snake, param.to_string())
        };
        match self {
            Op::Leaf => "leaf".into(),
            Op::Detach(x) => format!("detach(#{x})"),
            Op::Unary(kind, x) => match unary(kind) {
                (name, param) if param.is_empty() => format!("{name}(#{x})"),
                (name, param) => format!("{name}(#{x}, {param})"),
            },
            Op::Binary(kind, a, b) => format!("{}(#{a}, #{b})", kind.name()),
            Op::MatMul(a, b) => format!("matmul(#{a}, #{b})"),
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

    /// True if any input of this op wants a gradient (so this node does too).
    pub(crate) fn any_input_requires_grad(&self, recorded: &Recorded<'_, T>) -> bool {
        let rg = |id: NodeId| recorded.requires_grad(id);
        match *self {
            Op::Leaf | Op::Detach(_) => false,
            Op::Unary(_, x)
            | Op::Transpose(x)
            | Op::Reshape(x)
            | Op::BroadcastTo(x)
            | Op::Reduce(_, x, _)
            | Op::Pick { x, .. }
            | Op::Select { x, .. } => rg(x),
            Op::Binary(_, a, b) | Op::MatMul(a, b) => rg(a) || rg(b),
            Op::Concat { inputs, count, .. } => recorded.indices[inputs as usize..]
                [..count as usize]
                .iter()
                .any(|&id| rg(id as NodeId)),
        }
    }

    /// Adds this node's contribution to the adjoints of its inputs (`grads` holds the
    /// adjoints of every earlier node).
    pub(crate) fn backward(
        &self,
        recorded: &Recorded<'_, T>,
        out: &Output<'_, T>,
        grads: &mut [T],
    ) {
        match *self {
            Op::Leaf | Op::Detach(_) => {}
            Op::Unary(kind, x) => elementwise::unary_backward(kind, x, recorded, out, grads),
            Op::Binary(kind, a, b) => {
                elementwise::binary_backward(kind, a, b, recorded, out, grads)
            }
            Op::MatMul(a, b) => linalg::matmul_backward(a, b, recorded, out, grads),
            Op::Transpose(x) => linalg::transpose_backward(x, recorded, out, grads),
            Op::Reshape(x) => layout::reshape_backward(x, recorded, out, grads),
            Op::BroadcastTo(x) => layout::broadcast_backward(x, recorded, out, grads),
            Op::Reduce(kind, x, axis) => {
                reduce::reduce_backward(kind, x, axis, recorded, out, grads)
            }
            Op::Pick { x, labels } => index::pick_backward(x, labels, recorded, out, grads),
            Op::Concat {
                axis,
                inputs,
                count,
            } => layout::concat_backward(axis, inputs, count, recorded, out, grads),
            Op::Select { x, axis, selection } => {
                select::select_backward(x, axis, selection, recorded, out, grads)
            }
        }
    }
}

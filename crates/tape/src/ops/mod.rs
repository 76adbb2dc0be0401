//! The primitive ops. Each file keeps an op's forward computation (the `Var` method that
//! records it) next to its backward rule (the vector-Jacobian product):
//!
//! - [`elementwise`]: unary and binary elementwise ops, declared as `(f, df)` pairs
//! - [`linalg`]: matrix product and transpose
//! - [`reduce`]: sum, mean, max and min, over everything or along an axis
//! - [`layout`]: reshape, broadcast, concatenation, detach
//! - [`index`]: pick by index (the label term of cross-entropy), one-hot
//! - [`select`]: parts of a var: a range along an axis (narrow), slices by index
//!   (index_select), one element per position along an axis (gather)
//!
//! and `toolkit`, what an op sees of the tape: `NodeId`, `OutShape`, `Recorded`,
//! `Output`, `adjoint_of`. The tape itself (`tape.rs`) is storage, recording and the
//! reverse sweep; an op author does not need to read it.
//!
//! # How to add an op
//!
//! **An elementwise op** is one row of the table in [`elementwise`]: `unary_ops!` for
//! `f(x)`, `binary_ops!` for `f(a, b)`.
//!
//! ```text
//! /// Hyperbolic sine `sinh x`: derivative `cosh x`.
//! Sinh = "sinh", fn sinh: |x| x.sinh(), |x, _y| x.cosh();
//! ```
//!
//! The row gives the [`Unary`] (or [`Binary`]) variant, the forward pass, the chain rule
//! (broadcasting and the scalar fast lane included), the name a listing of the tape and
//! its DOT graph print, and, because it names `fn sinh`, the method `Var::sinh`
//! documented by the row's doc comment. `y` is the forward output, which many
//! derivatives reuse. A parameter goes in parentheses: `Powf(p: T) = "powf", fn powf:
//! ...`. If `f` needs a function [`Float`] lacks, add it to the trait with its `f32`,
//! `f64` and [`Dual`](crate::Dual) implementations (the dual one is what makes the new op
//! twice differentiable). Then test it: one line in the `unary_gradcheck!` (or
//! `binary_gradcheck!`) list of `tests/gradcheck_ops.rs` (central differences against the
//! tape), and, if it is twice differentiable, one `Prim` in `tests/second_order.rs`
//! (`gradgradcheck`).
//!
//! **Any other op** takes four steps, all in this folder and `shape.rs`:
//!
//! 1. *Its shape rule*, in `shape.rs` if it is not trivial: a function from the input
//!    shapes to the output shape that returns a [`ShapeError`](crate::ShapeError) naming
//!    the op and the shapes (`matmul_dims`, `pick_dims`).
//! 2. *Its variant* in `Op` below, holding its inputs' `NodeId`s (integer side data,
//!    such as labels, goes in the tape's index arena through `Tape::push_indices`, so that
//!    `Op` stays small). Add its arm to `describe` (how a listing prints it),
//!    `for_each_input` and `backward`. The compiler points at each `match` that misses it.
//! 3. *Its forward pass*: the `Var` methods, `try_name` returning `Result` and `name`
//!    panicking with the same message. Each calls
//!    `tape.record(op, OutShape::Dims(&dims), false, |recorded, out| ...)`, which appends
//!    the node and lets the closure write the output from its inputs' values
//!    (`recorded.value(id)`, `recorded.dims(id)`; `recorded.matrix(id, transposed)` for a
//!    matrix operand that may be rows read in place).
//! 4. *Its backward rule*, next to it in the same file:
//!    `fn name_backward(x: NodeId, recorded: &Recorded<T>, out: &Output<T>, adjoints:
//!    &mut Adjoints<T>)`. `out.adjoint` is `d(result)/d(output)`, complete when the rule
//!    runs; for each input, `if let Some(dx) = adjoint_of(recorded, adjoints, x)` lends
//!    its adjoint (`None` if it wants no gradient), and the rule **adds** its
//!    vector-Jacobian product into it (an input may feed several ops).
//!
//! Then test it as an elementwise op is tested (`tests/gradcheck_ops.rs`,
//! `tests/second_order.rs`), and its shape errors in `tests/errors.rs`.
//! [`select`] is a complete recent example: one variant, three methods, one backward rule.

pub mod elementwise;
pub mod index;
pub mod layout;
pub mod linalg;
pub mod reduce;
pub mod select;
pub(crate) mod toolkit;

use crate::float::Float;
pub(crate) use elementwise::PackedUnary;
pub use elementwise::{Binary, Unary};
pub use reduce::Reduction;
pub(crate) use toolkit::{Adjoints, NodeId, OutShape, Output, Recorded};

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
            Op::Reduce(kind, x, None) => format!("{}(#{x})", kind.name()),
            Op::Reduce(kind, x, Some(axis)) => format!("{}_axis(#{x}, {axis})", kind.name()),
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

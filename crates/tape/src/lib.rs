//! # tape: reverse-mode automatic differentiation
//!
//! A [`Tape`] is a *Wengert list*: as a computation runs, every operation appends a node
//! holding its output value and the ids of its inputs. Values flow **forward** as the
//! list is written. To differentiate, the list is walked **backward**: each node's
//! adjoint `dL/dnode` is complete by the time the walk reaches it (every consumer of a
//! node comes later on the tape), and its backward rule adds `dL/dnode * dnode/dinput`
//! to the adjoint of each input. One sweep gives the gradient with respect to every
//! input, at a cost of a small constant times the forward pass.
//!
//! ```
//! use tape::{Tape, Tensor};
//!
//! let tape = Tape::<f64>::new();
//! // Forward: record f(x, y) = x * y + sin-free stuff, node by node.
//! let x = tape.var_scalar(3.0);
//! let y = tape.var_scalar(4.0);
//! let f = x * y + x.exp().ln(); // = xy + x
//! assert_eq!(f.item(), 15.0);
//!
//! // Backward: one sweep gives df/dx = y + 1 and df/dy = x.
//! let grads = f.backward();
//! assert_eq!(grads.item(x), 5.0);
//! assert_eq!(grads.item(y), 3.0);
//!
//! // Tensors live on the same tape, with NumPy broadcasting.
//! let w = tape.var(&Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], &[2, 2]));
//! let b = tape.var(&Tensor::from_vec(vec![0.5, -0.5], &[2]));
//! let loss = (w.matmul(w) + b).relu().sum();
//! let grads = loss.backward();
//! assert_eq!(grads.wrt(b), &[2.0, 2.0]);
//! ```
//!
//! Properties the design keeps:
//!
//! - **Tape order is topological order**, so backward is a plain loop over the nodes in
//!   reverse: no recursion (a chain of a million ops cannot overflow the stack), no sort.
//! - **Backward returns [`Grads`]** instead of accumulating into parameters: no
//!   `zero_grad`, and calling backward twice gives the same answer.
//! - **An op and its backward rule live together** in [`ops`]; elementwise ops are
//!   declared once as `(f, df)` pairs.
//! - **[`Var`] is `Copy` and borrows its tape**, so it cannot outlive it, and
//!   `a * b + c` reads like the maths.
//! - **An arena**: values (and, during backward, adjoints) live in one growing buffer;
//!   [`Tape::clear`] keeps the capacity, so recording and differentiating the same
//!   computation again allocates nothing, matrix products included
//!   (`tests/allocation.rs` counts).
//! - **Data read in place**: [`Tape::constant_borrowed`] and [`Tape::constant_rows`]
//!   record constants whose values stay in the caller's buffer (a minibatch is a list of
//!   row indices), for as long as the vars that use them live.
//! - **Generic over [`Float`]**: `f32` for speed, `f64` for [`gradcheck()`]. Matrix
//!   products with a small side (softmax regression's: 10 classes) stream the large
//!   operand once through SIMD kernels of this crate, split over the cores
//!   ([`parallel`]) with the same bits for any thread count; others go to the
//!   `matrixmultiply` GEMM kernels.
//! - **Second order by forward-over-reverse**: [`Dual`] numbers are a `Float` too, so a
//!   `Tape<Dual<f64>>` differentiates its own reverse sweep. [`hvp`] gives Hessian-vector
//!   products at a few gradients' cost, [`hessian`] small dense Hessians, and
//!   [`gradgradcheck()`] checks them against finite differences of the gradient. A
//!   [`ScalarFunction`] is written once for `f32`, `f64` and dual tapes.

#![warn(missing_docs)]

mod arena_cell;
mod convert;
pub mod dot;
pub mod dual;
pub mod float;
pub mod gradcheck;
pub mod gradgradcheck;
mod grads;
mod kernels;
mod matrix;
pub mod ops;
mod overload;
pub mod parallel;
pub mod second_order;
pub mod shape;
mod tape;
mod tensor;
mod var;

pub use dual::Dual;
pub use float::Float;
pub use gradcheck::{
    gradcheck, gradcheck_fast, Directional, GradcheckError, GradcheckOptions, GradcheckReport,
};
pub use gradgradcheck::gradgradcheck;
pub use grads::Grads;
pub use matrix::{gemm_fallback, matmul_via_gemm, MatRef, MatrixLayout};
pub use second_order::{
    hessian, hvp, symmetric_eigenvalues, value_and_grad, Hvp, HvpTape, ScalarFunction,
};
pub use shape::{Shape, ShapeError};
pub use tape::{Tape, TapeCapacity};
pub use tensor::Tensor;
pub use var::Var;

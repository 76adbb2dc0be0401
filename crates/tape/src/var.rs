//! [`Var`]: the handle through which a computation is recorded on a [`Tape`].

use crate::float::Float;
use crate::grads::Grads;
use crate::ops::NodeId;
use crate::shape::Shape;
use crate::tape::Tape;
use crate::tensor::Tensor;

/// A value recorded on a tape: a cheap `Copy` handle (a tape reference and an index).
///
/// The lifetime ties it to its tape, so a var cannot outlive the tape or survive
/// [`Tape::clear`]. Arithmetic on vars records new nodes:
///
/// ```
/// use tape::{Tape, Tensor};
/// let tape = Tape::<f64>::new();
/// let w = tape.var(&Tensor::from_vec(vec![1.0, 2.0], &[2]));
/// let x = tape.constant(&Tensor::from_vec(vec![3.0, 4.0], &[2]));
/// let loss = (w * x).sum().powi(2); // (w . x)^2 = 121
/// let grads = loss.backward();
/// assert_eq!(loss.item(), 121.0);
/// assert_eq!(grads.wrt(w), &[66.0, 88.0]); // 2 (w . x) x
/// ```
///
/// Compound assignment records too: `y += x` records `y + x` and points `y` at the new
/// node. The old node stays on the tape, so the var is a name for the latest value, as in
/// micrograd:
///
/// ```
/// use tape::Tape;
/// let tape = Tape::<f64>::new();
/// let x = tape.var_from_slice(&[2.0], &[]);
/// let mut y = x;
/// y *= x; // x^2
/// y += 1.0; // x^2 + 1
/// y /= x; // x + 1/x
/// assert_eq!(y.item(), 2.5);
/// assert_eq!(y.backward().item(x), 0.75); // 1 - 1/x^2
/// ```
#[derive(Clone, Copy)]
pub struct Var<'t, T: Float = f64> {
    pub(crate) tape: &'t Tape<T>,
    pub(crate) index: NodeId,
}

impl<'t, T: Float> Var<'t, T> {
    /// The tape this var is recorded on.
    pub fn tape(&self) -> &'t Tape<T> {
        self.tape
    }

    /// Position of this var's node on its tape.
    pub fn index(&self) -> usize {
        self.index as usize
    }

    /// The shape of the value.
    pub fn shape(&self) -> Shape {
        self.tape
            .with_recorded(|r| Shape::from_slice(r.dims(self.index)))
    }

    /// Number of elements of the value.
    pub fn len(&self) -> usize {
        self.tape.node_len(self.index)
    }

    /// True if the value has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy of the value.
    pub fn value(&self) -> Tensor<T> {
        self.tape.with_recorded(|r| {
            Tensor::from_vec(r.value_cow(self.index).into_owned(), r.dims(self.index))
        })
    }

    /// Runs `f` on the value without copying it.
    pub fn with_value<R>(&self, f: impl FnOnce(&[T]) -> R) -> R {
        self.tape.lend_recorded(|r| f(&r.value_cow(self.index)))
    }

    /// The value of a one-element var.
    ///
    /// # Panics
    /// If the var does not hold exactly one element.
    pub fn item(&self) -> T {
        self.with_value(|v| {
            assert_eq!(
                v.len(),
                1,
                "item: var with {} elements is not a single number",
                v.len()
            );
            v[0]
        })
    }

    /// True if a gradient can flow into this var.
    pub fn requires_grad(&self) -> bool {
        self.tape.with_recorded(|r| r.requires_grad(self.index))
    }

    /// Gradient of this scalar with respect to every var of its tape.
    ///
    /// # Panics
    /// If the var holds more than one element: use [`backward_with`](Var::backward_with)
    /// and a seed then.
    pub fn backward(&self) -> Grads<T> {
        let mut grads = Grads::new();
        self.tape.backward_into(*self, &mut grads);
        grads
    }

    /// Gradient of `sum(seed * self)` with respect to every var of the tape, for a var of
    /// any shape: the vector-Jacobian product `seed^T J`, as PyTorch's
    /// `y.backward(gradient=seed)`. The same as [`Tape::vjp`]`(self, seed)`.
    ///
    /// # Panics
    /// If `seed` does not have this var's shape.
    ///
    /// ```
    /// use tape::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.var(&Tensor::from_vec(vec![1.0, 2.0, 3.0], &[3]));
    /// let y = x * x; // dy_i/dx_i = 2 x_i
    /// let grads = y.backward_with(&Tensor::from_vec(vec![1.0, 0.0, -1.0], &[3]));
    /// assert_eq!(grads.wrt(x), &[2.0, 0.0, -6.0]);
    /// ```
    pub fn backward_with(&self, seed: &Tensor<T>) -> Grads<T> {
        self.tape.vjp(*self, seed)
    }

    /// Panics with a clear message unless `other` is on the same tape.
    #[inline]
    pub(crate) fn same_tape(&self, other: &Var<'t, T>, op: &str) {
        assert!(
            std::ptr::eq(self.tape, other.tape),
            "{op}: the operands are recorded on different tapes; vars of two tapes cannot be mixed"
        );
    }
}

impl<T: Float> std::fmt::Debug for Var<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Var#{}{:?}", self.index, self.value())
    }
}

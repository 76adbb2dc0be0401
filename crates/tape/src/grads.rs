//! [`Grads`]: the result of a reverse sweep, queried by [`Var`].

use crate::float::Float;
use crate::tape::Adjoint;
use crate::tensor::Tensor;
use crate::var::Var;

/// Gradients of one output with respect to every var of a tape, looked up by var.
///
/// Backward *returns* this value rather than accumulating into parameters, so there is
/// no `zero_grad` to forget and running backward twice gives the same answer.
///
/// ```
/// use tape::Tape;
/// let tape = Tape::<f64>::new();
/// let x = tape.var_scalar(2.0);
/// let y = x * x + x * x; // x is used twice: its adjoints add up to 4x
/// let grads = y.backward();
/// assert_eq!(grads[x], [8.0]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Grads<T> {
    adjoints: Vec<T>,
    /// Zeros, at least as many as the largest constant holds: the gradient of a constant,
    /// whose adjoint no sweep writes (only ever grown, so never cleared).
    zeros: Vec<T>,
    /// Which nodes the last sweep reached (a scratch buffer kept for reuse).
    reached: Vec<bool>,
    tape_id: u64,
    generation: u64,
}

impl<T: Float> Grads<T> {
    /// An empty gradient store, to be filled by [`Tape::backward_into`](crate::Tape::backward_into).
    pub fn new() -> Self {
        Grads {
            adjoints: Vec::new(),
            zeros: Vec::new(),
            reached: Vec::new(),
            tape_id: 0,
            generation: 0,
        }
    }

    /// Sizes the buffers for a sweep over a tape of `nodes` nodes whose values have `len`
    /// elements, `constant` of them in its largest constant, keeping their capacity.
    /// `reached` is cleared; the adjoints keep whatever they held (the sweep writes the
    /// adjoint of every node that needs a gradient when it first reaches it, and zeroes
    /// those it never reaches; constants read `zeros`), so no pass over the
    /// whole buffer is needed.
    pub(crate) fn reset(
        &mut self,
        tape_id: u64,
        generation: u64,
        (len, constant): (usize, usize),
        nodes: usize,
    ) -> (&mut [T], &mut [bool]) {
        self.tape_id = tape_id;
        self.generation = generation;
        self.adjoints.resize(len, T::ZERO);
        if self.zeros.len() < constant {
            self.zeros.resize(constant, T::ZERO);
        }
        self.reached.clear();
        self.reached.resize(nodes, false);
        (&mut self.adjoints, &mut self.reached)
    }

    /// The gradient with respect to `var`, in the var's row-major layout. Zero for vars
    /// the output does not depend on, and for constants.
    ///
    /// # Panics
    /// If the gradients were computed on another tape or before the tape was cleared, if
    /// `var` was recorded after they were computed, or if `var` is a borrowed constant
    /// ([`Tape::constant_rows`](crate::Tape::constant_rows),
    /// [`Tape::constant_borrowed`](crate::Tape::constant_borrowed)), for which no
    /// gradient is kept.
    pub fn wrt(&self, var: Var<'_, T>) -> &[T] {
        let tape = var.tape();
        assert!(
            self.tape_id == tape.id() && self.generation == tape.generation(),
            "Grads::wrt: these gradients come from another tape, or from before the tape was cleared"
        );
        assert!(
            (var.index as usize) < self.reached.len(),
            "Grads::wrt: var #{} was recorded after these gradients were computed; \
             sweep again to differentiate with respect to it",
            var.index
        );
        match tape.adjoint_of(var.index) {
            Adjoint::Stored(start, len) => &self.adjoints[start..start + len],
            Adjoint::Zero(len) => &self.zeros[..len],
            Adjoint::None => panic!(
                "Grads::wrt: var #{} is a borrowed constant, for which no gradient is kept",
                var.index
            ),
        }
    }

    /// The gradient with respect to `var` as a tensor of the var's shape.
    pub fn tensor(&self, var: Var<'_, T>) -> Tensor<T> {
        Tensor::from_vec(self.wrt(var).to_vec(), &var.shape())
    }

    /// The gradient with respect to a scalar var.
    ///
    /// # Panics
    /// If `var` holds more than one element.
    pub fn item(&self, var: Var<'_, T>) -> T {
        let g = self.wrt(var);
        assert_eq!(
            g.len(),
            1,
            "Grads::item: var with {} elements is not a scalar",
            g.len()
        );
        g[0]
    }
}

impl<'t, T: Float> std::ops::Index<Var<'t, T>> for Grads<T> {
    type Output = [T];
    fn index(&self, var: Var<'t, T>) -> &[T] {
        self.wrt(var)
    }
}

//! Elementwise ops, each declared once as a pair: the function `f` and its derivative
//! `df`. One generic driver records the forward pass and applies the chain rule
//! `dx += dy * df` in the backward pass, broadcasting where the shapes differ.

use crate::float::Float;
use crate::kernels::for_each_broadcast;
use crate::shape::{broadcast_shapes, ShapeError};
use crate::tape::{adjoint_of, Adjoints, NodeId, OutShape, Output, Recorded};
use crate::var::Var;

/// Declares the unary ops: `Name(param: Type): |x| f(x), |x, y| df(x, y);` where `y` is
/// the forward output `f(x)`, which many derivatives reuse (`exp`, `tanh`, `sigmoid`).
macro_rules! unary_ops {
    ($( $(#[$doc:meta])* $name:ident $(($p:ident : $pt:ty))? : |$x:ident| $f:expr, |$dx:ident, $y:ident| $df:expr; )*) => {
        /// A unary elementwise op with its derivative.
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub enum Unary<T> {
            $( $(#[$doc])* $name $(($pt))?, )*
        }

        impl<T: Float> Unary<T> {
            /// `f(x)`.
            #[inline(always)]
            pub fn f(self, x: T) -> T {
                match self {
                    $( Unary::$name $(($p))? => { let $x = x; $f } )*
                }
            }

            /// `f'(x)`, given `x` and `y = f(x)`.
            #[inline(always)]
            #[allow(unused_variables)] // a shift's derivative ignores its constant
            pub fn df(self, x: T, y: T) -> T {
                match self {
                    $( Unary::$name $(($p))? => { let ($dx, $y) = (x, y); $df } )*
                }
            }

            /// `out[i] = f(xs[i])`, matching the op once rather than per element.
            pub(crate) fn apply(self, xs: &[T], out: &mut [T]) {
                match self {
                    $( Unary::$name $(($p))? => {
                        for (o, &v) in out.iter_mut().zip(xs) {
                            let $x = v;
                            *o = $f;
                        }
                    } )*
                }
            }

            /// The chain rule `dxs[i] += dys[i] * f'(xs[i])`, with `ys = f(xs)`, matching
            /// the op once: a match per element lets the compiler hoist one arm's work
            /// (such as `1 / c`) into every other arm, on whatever bits the payload holds.
            #[allow(unused_variables)]
            pub(crate) fn chain_rule(self, xs: &[T], ys: &[T], dys: &[T], dxs: &mut [T]) {
                match self {
                    $( Unary::$name $(($p))? => {
                        for (((d, &xv), &yv), &g) in dxs.iter_mut().zip(xs).zip(ys).zip(dys) {
                            let ($dx, $y) = (xv, yv);
                            *d += g * $df;
                        }
                    } )*
                }
            }
        }
    };
}

unary_ops! {
    /// `-x`
    Neg: |x| -x, |_x, _y| -T::ONE;
    /// `e^x`: its own derivative.
    Exp: |x| x.exp(), |_x, y| y;
    /// `ln x`
    Ln: |x| x.ln(), |x, _y| x.recip();
    /// `sqrt x`: `1 / (2 sqrt x)`.
    Sqrt: |x| x.sqrt(), |_x, y| (y + y).recip();
    /// `tanh x`: `1 - tanh^2 x`.
    Tanh: |x| x.tanh(), |_x, y| T::ONE - y * y;
    /// `1 / (1 + e^-x)`, computed without overflow: `s (1 - s)`.
    Sigmoid: |x| sigmoid(x), |_x, y| y * (T::ONE - y);
    /// `max(x, 0)`: derivative 1 for `x > 0`, else 0.
    Relu: |x| if x > T::ZERO { x } else { T::ZERO }, |x, _y| if x > T::ZERO { T::ONE } else { T::ZERO };
    /// `|x|`: derivative `sign(x)` (0 at the kink).
    Abs: |x| x.abs(), |x, _y| x.signum();
    /// `x^n`: `n x^(n-1)` (0 for `n = 0`, at `x = 0` too, where `0 * 0^-1` is NaN).
    Powi(n: i32): |x| x.powi(n), |x, _y| if n == 0 { T::ZERO } else { T::from_f64(n as f64) * x.powi(n - 1) };
    /// `x^p`: `p x^(p-1)` (0 for `p = 0`, as for `powi`).
    Powf(p: T): |x| x.powf(p), |x, _y| if p == T::ZERO { T::ZERO } else { p * x.powf(p - T::ONE) };
    /// `x + c`
    AddConst(c: T): |x| x + c, |_x, _y| T::ONE;
    /// `x * c`
    MulConst(c: T): |x| x * c, |_x, _y| c;
    /// `x / c`
    DivConst(c: T): |x| x / c, |_x, _y| c.recip();
    /// `c - x`
    ConstSub(c: T): |x| c - x, |_x, _y| -T::ONE;
    /// `c / x`: `-c / x^2 = -y / x`.
    ConstDiv(c: T): |x| c / x, |x, y| -y / x;
}

/// The logistic function, evaluated on the side where `e^-|x|` cannot overflow.
#[inline(always)]
fn sigmoid<T: Float>(x: T) -> T {
    if x >= T::ZERO {
        (T::ONE + (-x).exp()).recip()
    } else {
        let e = x.exp();
        e / (T::ONE + e)
    }
}

/// Declares the binary ops: `Name: |a, b| f(a, b), |a, b, y| (df/da, df/db);`.
macro_rules! binary_ops {
    ($( $(#[$doc:meta])* $name:ident ($label:literal) : |$a:ident, $b:ident| $f:expr, |$da:ident, $db:ident, $y:ident| $df:expr; )*) => {
        /// A binary elementwise op with its two partial derivatives.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Binary {
            $( $(#[$doc])* $name, )*
        }

        impl Binary {
            /// `f(a, b)`.
            #[inline(always)]
            pub fn f<T: Float>(self, a: T, b: T) -> T {
                match self {
                    $( Binary::$name => { let ($a, $b) = (a, b); $f } )*
                }
            }

            /// `(df/da, df/db)` given `a`, `b` and `y = f(a, b)`.
            #[inline(always)]
            pub fn df<T: Float>(self, a: T, b: T, y: T) -> (T, T) {
                match self {
                    $( Binary::$name => { let ($da, $db, $y) = (a, b, y); $df } )*
                }
            }

            /// The op's name, for error messages.
            pub fn name(self) -> &'static str {
                match self {
                    $( Binary::$name => $label, )*
                }
            }

            /// `out[o] = f(a[i], b[j])` over the broadcast of `a` (shape `a_dims`) and `b`
            /// to `out_dims`, matching the op once rather than per element.
            pub(crate) fn apply<T: Float>(
                self,
                [out_dims, a_dims, b_dims]: [&[usize]; 3],
                av: &[T],
                bv: &[T],
                out: &mut [T],
            ) {
                match self {
                    $( Binary::$name => for_each_broadcast(out_dims, a_dims, b_dims, |o, i, j| {
                        let ($a, $b) = (av[i], bv[j]);
                        out[o] = $f;
                    }), )*
                }
            }

            /// The chain rule for one operand: `dx += dy * df/dx`, summed over the axes it
            /// was broadcast along, where `x` is `a` (`wrt_a`) or `b`. One match per node.
            #[allow(unused_variables, clippy::too_many_arguments)]
            pub(crate) fn chain_rule<T: Float>(
                self,
                wrt_a: bool,
                [out_dims, a_dims, b_dims]: [&[usize]; 3],
                av: &[T],
                bv: &[T],
                ys: &[T],
                dys: &[T],
                dx: &mut [T],
            ) {
                match self {
                    $( Binary::$name => if wrt_a {
                        for_each_broadcast(out_dims, a_dims, b_dims, |o, i, j| {
                            let ($da, $db, $y) = (av[i], bv[j], ys[o]);
                            dx[i] += dys[o] * ($df).0;
                        })
                    } else {
                        for_each_broadcast(out_dims, a_dims, b_dims, |o, i, j| {
                            let ($da, $db, $y) = (av[i], bv[j], ys[o]);
                            dx[j] += dys[o] * ($df).1;
                        })
                    }, )*
                }
            }
        }
    };
}

binary_ops! {
    /// `a + b`
    Add("add"): |a, b| a + b, |_a, _b, _y| (T::ONE, T::ONE);
    /// `a - b`
    Sub("sub"): |a, b| a - b, |_a, _b, _y| (T::ONE, -T::ONE);
    /// `a * b`
    Mul("mul"): |a, b| a * b, |a, b, _y| (b, a);
    /// `a / b`: `(1 / b, -a / b^2 = -y / b)`.
    Div("div"): |a, b| a / b, |_a, b, y| (b.recip(), -y / b);
    /// Elementwise maximum (NaN if either is NaN); a tie splits the gradient evenly.
    Maximum("maximum"): |a, b| if b > a || b.is_nan() { b } else { a }, |a, b, y| extremum_partials(a, b, y);
    /// Elementwise minimum (NaN if either is NaN); a tie splits the gradient evenly.
    Minimum("minimum"): |a, b| if b < a || b.is_nan() { b } else { a }, |a, b, y| extremum_partials(a, b, y);
}

/// The partial derivatives of `y = max(a, b)` or `min(a, b)`: the operand equal to `y`
/// takes the gradient, and a tie splits it evenly, as the reductions do (see
/// [Ties](crate::ops::reduce#ties)). A NaN operand counts as equal to a NaN result.
#[inline(always)]
fn extremum_partials<T: Float>(a: T, b: T, y: T) -> (T, T) {
    let attains = |x: T| x == y || (x.is_nan() && y.is_nan());
    match (attains(a), attains(b)) {
        (true, true) => (T::from_f64(0.5), T::from_f64(0.5)),
        (true, false) => (T::ONE, T::ZERO),
        (false, true) => (T::ZERO, T::ONE),
        (false, false) => (T::ZERO, T::ZERO),
    }
}

/// `dx += dy * f'(x)`.
pub(crate) fn unary_backward<T: Float>(
    kind: Unary<T>,
    x: NodeId,
    recorded: &Recorded<'_, T>,
    out: &Output<'_, T>,
    adjoints: &mut Adjoints<'_, T>,
) {
    let xs = recorded.value(x);
    if let Some(dx) = adjoint_of(recorded, adjoints, x) {
        kind.chain_rule(xs, out.value, out.adjoint, dx);
    }
}

/// `da += dy * df/da` and `db += dy * df/db`, summed over the axes each was broadcast
/// along. The two passes run one after the other so that `a` and `b` may be the same
/// node (as in `x * x`).
pub(crate) fn binary_backward<T: Float>(
    kind: Binary,
    a: NodeId,
    b: NodeId,
    recorded: &Recorded<'_, T>,
    out: &Output<'_, T>,
    adjoints: &mut Adjoints<'_, T>,
) {
    let (av, bv) = (recorded.value(a), recorded.value(b));
    let shapes = [out.dims, recorded.dims(a), recorded.dims(b)];
    if let Some(da) = adjoint_of(recorded, adjoints, a) {
        kind.chain_rule(true, shapes, av, bv, out.value, out.adjoint, da);
    }
    if let Some(db) = adjoint_of(recorded, adjoints, b) {
        kind.chain_rule(false, shapes, av, bv, out.value, out.adjoint, db);
    }
}

impl<'t, T: Float> Var<'t, T> {
    /// Records a unary elementwise op.
    pub fn unary(self, kind: Unary<T>) -> Self {
        let x = self.index;
        if let Some(y) = self
            .tape
            .record_scalar(Op::Unary(kind, x), [x], |[v]| kind.f(v))
        {
            return y;
        }
        self.tape
            .record(Op::Unary(kind, x), OutShape::SameAs(x), false, |r, out| {
                kind.apply(r.value(x), out)
            })
    }

    /// Records a binary elementwise op with NumPy broadcasting, or explains why the
    /// shapes do not broadcast.
    pub fn try_binary(self, other: Self, kind: Binary) -> Result<Self, ShapeError> {
        self.same_tape(&other, kind.name());
        let (a, b) = (self.index, other.index);
        // The scalar lane: two 0-d operands skip the broadcasting machinery.
        let op = Op::Binary(kind, a, b);
        if let Some(y) = self.tape.record_scalar(op, [a, b], |[x, y]| kind.f(x, y)) {
            return Ok(y);
        }
        let dims = self
            .tape
            .with_recorded(|r| broadcast_shapes(kind.name(), r.dims(a), r.dims(b)))?;
        Ok(self.tape.record(
            Op::Binary(kind, a, b),
            OutShape::Dims(&dims),
            false,
            |r, out| kind.apply([&dims, r.dims(a), r.dims(b)], r.value(a), r.value(b), out),
        ))
    }

    /// Records a binary elementwise op.
    ///
    /// # Panics
    /// If the shapes do not broadcast; the message names the op and both shapes.
    pub fn binary(self, other: Self, kind: Binary) -> Self {
        self.try_binary(other, kind)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// `e^x`, elementwise.
    pub fn exp(self) -> Self {
        self.unary(Unary::Exp)
    }
    /// Natural logarithm, elementwise.
    pub fn ln(self) -> Self {
        self.unary(Unary::Ln)
    }
    /// Square root, elementwise.
    pub fn sqrt(self) -> Self {
        self.unary(Unary::Sqrt)
    }
    /// Hyperbolic tangent, elementwise.
    pub fn tanh(self) -> Self {
        self.unary(Unary::Tanh)
    }
    /// Logistic sigmoid `1 / (1 + e^-x)`, elementwise.
    pub fn sigmoid(self) -> Self {
        self.unary(Unary::Sigmoid)
    }
    /// `max(x, 0)`, elementwise.
    pub fn relu(self) -> Self {
        self.unary(Unary::Relu)
    }
    /// Absolute value, elementwise.
    pub fn abs(self) -> Self {
        self.unary(Unary::Abs)
    }
    /// `x^n` for an integer `n`, elementwise.
    pub fn powi(self, n: i32) -> Self {
        self.unary(Unary::Powi(n))
    }
    /// `x^p` for a real `p`, elementwise.
    pub fn powf(self, p: T) -> Self {
        self.unary(Unary::Powf(p))
    }
    /// Elementwise maximum of two vars (broadcasting); NaN where either is NaN.
    ///
    /// Where the two are equal, each gets half the gradient (as in PyTorch), which is also
    /// what central differences measure there; see [Ties](crate::ops::reduce#ties).
    ///
    /// ```
    /// use tape::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let a = tape.var(&Tensor::from_vec(vec![1.0, 2.0, 3.0], &[3]));
    /// let b = tape.var(&Tensor::from_vec(vec![1.0, 1.0, 4.0], &[3]));
    /// let grads = a.maximum(b).sum().backward();
    /// assert_eq!(grads.wrt(a), &[0.5, 1.0, 0.0]);
    /// assert_eq!(grads.wrt(b), &[0.5, 0.0, 1.0]);
    /// ```
    pub fn maximum(self, other: Self) -> Self {
        self.binary(other, Binary::Maximum)
    }
    /// Elementwise minimum of two vars (broadcasting); NaN where either is NaN. Ties split
    /// the gradient evenly, as for [`maximum`](Var::maximum).
    pub fn minimum(self, other: Self) -> Self {
        self.binary(other, Binary::Minimum)
    }
}

use crate::ops::Op;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivatives_by_hand() {
        let x = 0.7f64;
        assert_eq!(Unary::Exp.df(x, x.exp()), x.exp());
        assert_eq!(Unary::Ln.df(x, x.ln()), 1.0 / x);
        let t = x.tanh();
        assert_eq!(Unary::Tanh.df(x, t), 1.0 - t * t);
        assert_eq!(Unary::Powi(3).df(x, 0.0), 3.0 * x * x);
        assert_eq!(Binary::Div.df(3.0f64, 2.0, 1.5), (0.5, -0.75));
    }

    #[test]
    fn sigmoid_does_not_overflow() {
        assert_eq!(Unary::Sigmoid.f(-1000.0f64), 0.0);
        assert_eq!(Unary::Sigmoid.f(1000.0f64), 1.0);
        assert!((Unary::Sigmoid.f(0.3f64) - 1.0 / (1.0 + (-0.3f64).exp())).abs() < 1e-16);
    }
}

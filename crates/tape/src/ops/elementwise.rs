//! Elementwise ops, each declared once as a pair: the function `f` and its derivative
//! `df`. One generic driver records the forward pass and applies the chain rule
//! `dx += dy * df` in the backward pass, broadcasting where the shapes differ.

use crate::float::Float;
use crate::kernels::{for_each_broadcast, Spread, SpreadKind};
use crate::ops::toolkit::{adjoint_of, Adjoints, NodeId, OutShape, Output, Recorded};
use crate::ops::Op;
use crate::parallel::{for_each_chunk_mut, PARALLEL_ELEMENTS};
use crate::shape::{broadcast_shapes, ShapeError};
use crate::tape::Arena;
use crate::var::Var;

/// Declares the unary ops, one row each:
///
/// ```text
/// /// doc
/// Name(param: Type) = "printed_name", fn var_method: |x| f(x), |x, y| df(x, y);
/// ```
///
/// where `y` is the forward output `f(x)`, which many derivatives reuse (`exp`, `tanh`,
/// `sigmoid`). The parameter and `fn var_method` are optional: a row with a method gets
/// `Var::var_method` (documented by the row's doc), one without is reached through an
/// operator (`x + 2.0` records `AddConst(2.0)`).
macro_rules! unary_ops {
    ($( $(#[$doc:meta])* $name:ident $(($p:ident : $pt:ty))? = $label:literal $(, fn $method:ident)? : |$x:ident| $f:expr, |$dx:ident, $y:ident| $df:expr; )*) => {
        /// A unary elementwise op with its derivative.
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub enum Unary<T> {
            $( $(#[$doc])* $name $(($pt))?, )*
        }

        /// Which unary op a node applies, without its parameter.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        pub(crate) enum UnaryTag {
            $( $name, )*
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

            /// The op's name as a listing of the tape prints it, e.g. `add_const`.
            pub fn name(self) -> &'static str {
                match self {
                    $( Unary::$name $(($p))? => { $( let _ = $p; )? $label } )*
                }
            }

            /// The op's parameter, printed (`None` for ops without one).
            pub(crate) fn param(self) -> Option<String> {
                match self {
                    $( Unary::$name $(($p))? => { None $( .or(Some(format!("{:?}", $p))) )? } )*
                }
            }

            /// The op as a node stores it: its tag, and its parameter (a `T` goes to the
            /// tape's `params`, the node keeps its index).
            #[inline(always)]
            pub(crate) fn pack(self, params: &mut Vec<T>) -> PackedUnary {
                #[allow(unused_mut, unused_assignments)]
                match self {
                    $( Unary::$name $(($p))? => {
                        let mut param = 0;
                        $( param = <$pt as UnaryParam<T>>::pack($p, params); )?
                        PackedUnary { tag: UnaryTag::$name, param }
                    } )*
                }
            }

            /// True for ops with a parameter.
            #[inline(always)]
            pub(crate) fn has_param(self) -> bool {
                match self {
                    $( Unary::$name $(($p))? => { false $( || { let _ = $p; true } )? } )*
                }
            }

            /// `out[i] = f(xs[i])`, matching the op once rather than per element.
            pub(crate) fn apply(self, xs: &[T], out: &mut [T]) {
                if let Unary::Exp = self {
                    // A vector `exp` where the type has one.
                    return for_each_chunk_mut(out, 1, &|range, out| T::exp_slice(&xs[range], out));
                }
                match self {
                    $( Unary::$name $(($p))? => {
                        for_each_chunk_mut(out, 1, &|range, out| {
                            for (o, &v) in out.iter_mut().zip(&xs[range]) {
                                let $x = v;
                                *o = $f;
                            }
                        })
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
                        for_each_chunk_mut(dxs, 1, &|r, dxs| {
                            let (xs, ys, dys) = (&xs[r.clone()], &ys[r.clone()], &dys[r]);
                            for (((d, &xv), &yv), &g) in dxs.iter_mut().zip(xs).zip(ys).zip(dys) {
                                let ($dx, $y) = (xv, yv);
                                *d += g * $df;
                            }
                        })
                    } )*
                }
            }
        }

        impl PackedUnary {
            /// The op this packs, its parameter read back from the tape's `params`.
            #[inline(always)]
            pub(crate) fn unpack<T: Float>(self, params: &[T]) -> Unary<T> {
                #[allow(unused_variables)]
                let bits = self.param;
                match self.tag {
                    $( UnaryTag::$name => Unary::$name $(( <$pt as UnaryParam<T>>::unpack(bits, params) ))?, )*
                }
            }
        }

        $( unary_method!($(#[$doc])* $name $(($p: $pt))? $(, fn $method)?); )*
    };
}

/// The `Var` method of one row of [`unary_ops!`], if the row names one.
macro_rules! unary_method {
    ($(#[$doc:meta])* $name:ident $(($p:ident : $pt:ty))?) => {};
    ($(#[$doc:meta])* $name:ident $(($p:ident : $pt:ty))?, fn $method:ident) => {
        impl<'t, T: Float> Var<'t, T> {
            $(#[$doc])*
            ///
            /// Elementwise; see [`Unary`] for the derivative.
            #[inline]
            pub fn $method(self $(, $p: $pt)?) -> Self {
                self.unary(Unary::$name $(($p))?)
            }
        }
    };
}

/// A unary op as a node stores it: a tag and a parameter slot, so that nodes stay small
/// whatever the element type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PackedUnary {
    tag: UnaryTag,
    param: u32,
}

/// How a unary op's parameter is stored in a node's `u32` slot.
pub(crate) trait UnaryParam<T>: Copy {
    /// The slot's content, keeping whatever does not fit in `params`.
    fn pack(self, params: &mut Vec<T>) -> u32;
    /// The parameter back from the slot.
    fn unpack(bits: u32, params: &[T]) -> Self;
}

/// A float parameter lives in the tape's `params`; the slot holds its index.
impl<T: Float> UnaryParam<T> for T {
    #[inline(always)]
    fn pack(self, params: &mut Vec<T>) -> u32 {
        params.push(self);
        u32::try_from(params.len() - 1).expect("a tape holds at most 2^32 parameters")
    }
    #[inline(always)]
    fn unpack(bits: u32, params: &[T]) -> Self {
        params[bits as usize]
    }
}

/// An integer exponent fits in the slot itself.
impl<T: Float> UnaryParam<T> for i32 {
    #[inline(always)]
    fn pack(self, _params: &mut Vec<T>) -> u32 {
        self as u32
    }
    #[inline(always)]
    fn unpack(bits: u32, _params: &[T]) -> Self {
        bits as i32
    }
}

unary_ops! {
    /// `-x`
    Neg = "neg": |x| -x, |_x, _y| -T::ONE;
    /// `e^x`: its own derivative.
    Exp = "exp", fn exp: |x| x.exp(), |_x, y| y;
    /// Natural logarithm `ln x`: derivative `1 / x`.
    Ln = "ln", fn ln: |x| x.ln(), |x, _y| x.recip();
    /// Square root `sqrt x`: derivative `1 / (2 sqrt x)`.
    Sqrt = "sqrt", fn sqrt: |x| x.sqrt(), |_x, y| (y + y).recip();
    /// Hyperbolic tangent `tanh x`: derivative `1 - tanh^2 x`.
    Tanh = "tanh", fn tanh: |x| x.tanh(), |_x, y| T::ONE - y * y;
    /// Logistic sigmoid `1 / (1 + e^-x)`, computed without overflow: derivative `s (1 - s)`.
    Sigmoid = "sigmoid", fn sigmoid: |x| sigmoid(x), |_x, y| y * (T::ONE - y);
    /// `max(x, 0)`: derivative 1 for `x > 0`, else 0. NaN stays NaN, as in PyTorch.
    Relu = "relu", fn relu: |x| if x <= T::ZERO { T::ZERO } else { x }, |x, _y| if x > T::ZERO { T::ONE } else { T::ZERO };
    /// Absolute value `|x|`: derivative `sign(x)` (0 at the kink).
    Abs = "abs", fn abs: |x| x.abs(), |x, _y| x.signum();
    /// `x^n` for an integer `n`: derivative `n x^(n-1)` (0 for `n = 0`, at `x = 0` too,
    /// where `0 * 0^-1` is NaN).
    Powi(n: i32) = "powi", fn powi: |x| x.powi(n), |x, _y| if n == 0 { T::ZERO } else { T::from_f64(n as f64) * x.powi(n - 1) };
    /// `x^p` for a real `p`: derivative `p x^(p-1)` (0 for `p = 0`, as for `powi`).
    Powf(p: T) = "powf", fn powf: |x| x.powf(p), |x, _y| if p == T::ZERO { T::ZERO } else { p * x.powf(p - T::ONE) };
    /// `max(x, c)`: derivative 1 where `x >= c` (at `c` too, as PyTorch's `clamp`), else 0.
    /// NaN stays NaN.
    ClampMin(c: T) = "clamp_min", fn clamp_min: |x| if x < c { c } else { x }, |x, _y| if x >= c { T::ONE } else { T::ZERO };
    /// `min(x, c)`: derivative 1 where `x <= c` (at `c` too, as PyTorch's `clamp`), else 0.
    /// NaN stays NaN.
    ClampMax(c: T) = "clamp_max", fn clamp_max: |x| if x > c { c } else { x }, |x, _y| if x <= c { T::ONE } else { T::ZERO };
    /// `x + c`
    AddConst(c: T) = "add_const": |x| x + c, |_x, _y| T::ONE;
    /// `x * c`
    MulConst(c: T) = "mul_const": |x| x * c, |_x, _y| c;
    /// `x / c`
    DivConst(c: T) = "div_const": |x| x / c, |_x, _y| c.recip();
    /// `c - x`
    ConstSub(c: T) = "const_sub": |x| c - x, |_x, _y| -T::ONE;
    /// `c / x`: `-c / x^2 = -y / x`.
    ConstDiv(c: T) = "const_div": |x| c / x, |x, y| -y / x;
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

/// Declares the binary ops, one row each, as [`unary_ops!`] does:
///
/// ```text
/// /// doc
/// Name = "printed_name", fn var_method: |a, b| f(a, b), |a, b, y| (df/da, df/db);
/// ```
///
/// A row with `fn var_method` gets `Var::var_method(self, other)`, broadcasting; one
/// without is reached through an operator (`a + b` records `Add`).
macro_rules! binary_ops {
    ($( $(#[$doc:meta])* $name:ident = $label:literal $(, fn $method:ident)? : |$a:ident, $b:ident| $f:expr, |$da:ident, $db:ident, $y:ident| $df:expr; )*) => {
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
                // A simple spread goes row by row as zipped slices, a block of rows per
                // thread if the output is large.
                match (self, Spread::of(out_dims, a_dims, b_dims)) {
                    $( (Binary::$name, Some(spread)) => for_each_chunk_mut(out, spread.row_len, &|range, out| {
                        spread.map(range, av, bv, out, |$a, $b| $f)
                    }),
                    (Binary::$name, None) => for_each_broadcast(out_dims, a_dims, b_dims, |o, i, j| {
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
                // The operand with the output's shape takes its gradient a block of rows
                // per thread; the other sums over the rows, on one thread.
                let spread = Spread::of(out_dims, a_dims, b_dims)
                    .filter(|s| s.full_is_a == wrt_a || s.kind == SpreadKind::Same)
                    .filter(|_| ys.len() >= PARALLEL_ELEMENTS);
                match (self, spread) {
                    $( (Binary::$name, Some(spread)) => for_each_chunk_mut(dx, spread.row_len, &|range, dx| {
                        let first = range.start;
                        spread.for_each(range, |o, i, j| {
                            let ($da, $db, $y) = (av[i], bv[j], ys[o]);
                            dx[o - first] += dys[o] * if wrt_a { ($df).0 } else { ($df).1 };
                        })
                    }),
                    (Binary::$name, None) => if wrt_a {
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

        $( binary_method!($(#[$doc])* $name $(, fn $method)?); )*
    };
}

/// The `Var` method of one row of [`binary_ops!`], if the row names one.
macro_rules! binary_method {
    ($(#[$doc:meta])* $name:ident) => {};
    ($(#[$doc:meta])* $name:ident, fn $method:ident) => {
        impl<'t, T: Float> Var<'t, T> {
            $(#[$doc])*
            ///
            /// # Panics
            /// If the shapes do not broadcast; the message names the op and both shapes.
            #[inline]
            pub fn $method(self, other: Self) -> Self {
                self.binary(other, Binary::$name)
            }
        }
    };
}

binary_ops! {
    /// `a + b`
    Add = "add": |a, b| a + b, |_a, _b, _y| (T::ONE, T::ONE);
    /// `a - b`
    Sub = "sub": |a, b| a - b, |_a, _b, _y| (T::ONE, -T::ONE);
    /// `a * b`
    Mul = "mul": |a, b| a * b, |a, b, _y| (b, a);
    /// `a / b`: `(1 / b, -a / b^2 = -y / b)`.
    Div = "div": |a, b| a / b, |_a, b, y| (b.recip(), -y / b);
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
    Maximum = "maximum", fn maximum: |a, b| if b > a || b.is_nan() { b } else { a }, |a, b, y| extremum_partials(a, b, y);
    /// Elementwise minimum of two vars (broadcasting); NaN where either is NaN. Ties split
    /// the gradient evenly, as for [`maximum`](Var::maximum).
    Minimum = "minimum", fn minimum: |a, b| if b < a || b.is_nan() { b } else { a }, |a, b, y| extremum_partials(a, b, y);
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

impl Op {
    /// The scalar lane of the chain rule: for a 0-d unary or binary node of 0-d inputs,
    /// `dx += dy * f'(x)` applied straight to the adjoint buffer (`out` is the node's
    /// offset), marking the inputs reached, and true. False, doing nothing, for any other
    /// node: it takes the general path of [`Op::backward`].
    #[inline]
    pub(crate) fn scalar_chain_rule<T: Float>(
        &self,
        arena: &Arena<T>,
        adjoints: &mut [T],
        reached: &mut [bool],
        out: usize,
    ) -> bool {
        let (nodes, values) = (&arena.nodes, &arena.values);
        match *self {
            Op::Unary(packed, x) => {
                let kind = packed.unpack(&arena.params);
                let input = &nodes[x as usize];
                if input.ndim != 0 {
                    return false;
                }
                if input.requires_grad {
                    let dx = adjoints[out] * kind.df(values[input.start()], values[out]);
                    accumulate(adjoints, reached, input.start(), x, dx);
                }
                true
            }
            Op::Binary(kind, a, b) => {
                let (left, right) = (&nodes[a as usize], &nodes[b as usize]);
                if left.ndim != 0 || right.ndim != 0 {
                    return false;
                }
                let dy = adjoints[out];
                let (da, db) = kind.df(values[left.start()], values[right.start()], values[out]);
                // One after the other, so that `a` and `b` may be the same node (`x * x`).
                if left.requires_grad {
                    accumulate(adjoints, reached, left.start(), a, dy * da);
                }
                if right.requires_grad {
                    accumulate(adjoints, reached, right.start(), b, dy * db);
                }
                true
            }
            _ => false,
        }
    }
}

/// Adds `dx` to the adjoint of the 0-d node `id` at `at`, which holds a stale value until
/// the sweep first reaches the node.
#[inline(always)]
fn accumulate<T: Float>(adjoints: &mut [T], reached: &mut [bool], at: usize, id: NodeId, dx: T) {
    if reached[id as usize] {
        adjoints[at] += dx;
    } else {
        adjoints[at] = dx;
        reached[id as usize] = true;
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
    if matches!(kind, Binary::Add | Binary::Sub) && out.adjoint.len() < PARALLEL_ELEMENTS {
        // A sum or difference passes its adjoint on, negated for `b` of `a - b`: no
        // multiplication by a derivative of one (on a dual tape, a product of duals).
        if let Some(da) = adjoint_of(recorded, adjoints, a) {
            pass_adjoint(false, true, shapes, out.adjoint, da);
        }
        if let Some(db) = adjoint_of(recorded, adjoints, b) {
            pass_adjoint(kind == Binary::Sub, false, shapes, out.adjoint, db);
        }
        return;
    }
    if let Some(da) = adjoint_of(recorded, adjoints, a) {
        kind.chain_rule(true, shapes, av, bv, out.value, out.adjoint, da);
    }
    if let Some(db) = adjoint_of(recorded, adjoints, b) {
        kind.chain_rule(false, shapes, av, bv, out.value, out.adjoint, db);
    }
}

/// `dx += dy` (or `dx -= dy` if `negate`), summed over the axes along which the operand
/// `x` (`a` if `wrt_a`, else `b`) was broadcast.
fn pass_adjoint<T: Float>(
    negate: bool,
    wrt_a: bool,
    [out_dims, a_dims, b_dims]: [&[usize]; 3],
    dys: &[T],
    dx: &mut [T],
) {
    let add = |d: &mut T, g: T| if negate { *d -= g } else { *d += g };
    if dx.len() == dys.len() {
        // The operand has the output's shape.
        dx.iter_mut().zip(dys).for_each(|(d, &g)| add(d, g));
        return;
    }
    // A row (a bias) or a column (a maximum) spread over a matrix gathers its adjoint as
    // slices, row after row: the same sums in the same order as the general walk below,
    // without an index computed and a store made per element.
    let spread = Spread::of(out_dims, a_dims, b_dims).filter(|s| s.full_is_a != wrt_a);
    let row_len = out_dims.last().copied().unwrap_or(1).max(1);
    match spread.map(|s| s.kind) {
        Some(SpreadKind::Row) => {
            for row in dys.chunks_exact(row_len) {
                dx.iter_mut().zip(row).for_each(|(d, &g)| add(d, g));
            }
        }
        Some(SpreadKind::Column) => {
            for (d, row) in dx.iter_mut().zip(dys.chunks_exact(row_len)) {
                row.iter().for_each(|&g| add(d, g));
            }
        }
        _ if wrt_a => {
            for_each_broadcast(out_dims, a_dims, b_dims, |o, i, _| add(&mut dx[i], dys[o]))
        }
        _ => for_each_broadcast(out_dims, a_dims, b_dims, |o, _, j| add(&mut dx[j], dys[o])),
    }
}

impl<'t, T: Float> Var<'t, T> {
    /// `x` limited to `[lo, hi]`: `min(max(x, lo), hi)`, recorded as
    /// [`clamp_min`](Var::clamp_min) then [`clamp_max`](Var::clamp_max). The gradient is 1
    /// inside the interval and on its ends, 0 outside, as in PyTorch; NaN stays NaN (with
    /// gradient 0). If `lo > hi` every element becomes `hi`, as in PyTorch and NumPy.
    ///
    /// A probability clamped away from 0 before its logarithm keeps a loss finite:
    ///
    /// ```
    /// use tape::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let p = tape.var(&Tensor::from_vec(vec![0.0, 0.5, 1.0], &[3]));
    /// let q = p.clamp(1e-12, 1.0 - 1e-12);
    /// assert_eq!(q.value().data(), &[1e-12, 0.5, 1.0 - 1e-12]);
    /// let grads = q.ln().sum().backward();
    /// // Only the element inside the interval passes a gradient: 1 / 0.5.
    /// assert_eq!(grads.wrt(p), &[0.0, 2.0, 0.0]);
    /// ```
    pub fn clamp(self, lo: T, hi: T) -> Self {
        self.clamp_min(lo).clamp_max(hi)
    }

    /// Records a unary elementwise op.
    #[inline(always)]
    pub fn unary(self, kind: Unary<T>) -> Self {
        let x = self.index;
        let op = Op::Unary(self.tape.pack_unary(kind), x);
        // The scalar lane, inlined so that the op's match folds away at the call.
        if let Some(y) = self.tape.record_scalar(op, [x], |[v]| kind.f(v)) {
            return y;
        }
        self.unary_tensor(kind, op)
    }

    /// [`unary`](Var::unary) on a tensor.
    #[inline(never)]
    fn unary_tensor(self, kind: Unary<T>, op: Op) -> Self {
        let x = self.index;
        self.tape.record(op, OutShape::SameAs(x), false, |r, out| {
            kind.apply(r.value(x), out)
        })
    }

    /// Records a binary elementwise op with NumPy broadcasting, or explains why the
    /// shapes do not broadcast.
    #[inline(always)]
    pub fn try_binary(self, other: Self, kind: Binary) -> Result<Self, ShapeError> {
        self.same_tape(&other, kind.name());
        let (a, b) = (self.index, other.index);
        // The scalar lane: two 0-d operands skip the broadcasting machinery.
        let op = Op::Binary(kind, a, b);
        if let Some(y) = self.tape.record_scalar(op, [a, b], |[x, y]| kind.f(x, y)) {
            return Ok(y);
        }
        self.try_binary_tensor(other, kind)
    }

    /// [`try_binary`](Var::try_binary) on tensors (or a tensor and a scalar).
    #[inline(never)]
    fn try_binary_tensor(self, other: Self, kind: Binary) -> Result<Self, ShapeError> {
        let (a, b) = (self.index, other.index);
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
    #[inline(always)]
    pub fn binary(self, other: Self, kind: Binary) -> Self {
        self.same_tape(&other, kind.name());
        let (a, b) = (self.index, other.index);
        let op = Op::Binary(kind, a, b);
        if let Some(y) = self.tape.record_scalar(op, [a, b], |[x, y]| kind.f(x, y)) {
            return y;
        }
        match self.try_binary_tensor(other, kind) {
            Ok(y) => y,
            Err(e) => panic!("{e}"),
        }
    }
}

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

    /// The row and column paths of `pass_adjoint` add the same terms in the same order as
    /// the general broadcast walk, so their sums agree to the bit, for either operand and
    /// either sign (values of mixed magnitudes, where the order shows in the rounding).
    #[test]
    fn passed_adjoints_sum_as_the_general_walk_does() {
        let cases: [(&[usize], &[usize], &[usize]); 6] = [
            (&[7, 10], &[7, 10], &[10]),
            (&[7, 10], &[7, 10], &[1, 10]),
            (&[7, 10], &[7, 10], &[7, 1]),
            (&[2, 3, 5], &[2, 3, 5], &[2, 3, 1]),
            (&[2, 3, 5], &[2, 3, 5], &[5]),
            (&[4, 1], &[4, 1], &[4, 1]),
        ];
        for (out, full, other) in cases {
            let n: usize = out.iter().product();
            let dys: Vec<f32> = (0..n)
                .map(|i| ((i * 7919 % 1000) as f32 - 500.0) * 10f32.powi(i as i32 % 7 - 3))
                .collect();
            for (wrt_a, shapes) in [(false, [out, full, other]), (true, [out, other, full])] {
                for negate in [false, true] {
                    let len: usize = other.iter().product();
                    let start: Vec<f32> = (0..len).map(|i| 0.1 * i as f32).collect();
                    let mut fast = start.clone();
                    pass_adjoint(negate, wrt_a, shapes, &dys, &mut fast);
                    let mut walked = start;
                    let [o, a, b] = shapes;
                    for_each_broadcast(o, a, b, |o, i, j| {
                        let d = &mut walked[if wrt_a { i } else { j }];
                        *d = if negate { *d - dys[o] } else { *d + dys[o] };
                    });
                    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&fast), bits(&walked), "{shapes:?} wrt_a {wrt_a}");
                }
            }
        }
    }

    #[test]
    fn sigmoid_does_not_overflow() {
        assert_eq!(Unary::Sigmoid.f(-1000.0f64), 0.0);
        assert_eq!(Unary::Sigmoid.f(1000.0f64), 1.0);
        assert!((Unary::Sigmoid.f(0.3f64) - 1.0 / (1.0 + (-0.3f64).exp())).abs() < 1e-16);
    }
}

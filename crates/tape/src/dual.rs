//! Dual numbers: [`Dual<T>`] carries a value and a tangent, `a + b ε` with `ε^2 = 0`.
//!
//! Arithmetic on duals is forward-mode differentiation: `f(a + b ε) = f(a) + f'(a) b ε`,
//! so the tangent of every result is the derivative of that result along the direction
//! the inputs' tangents point to. `Dual<T>` implements [`Float`], so a `Tape<Dual<f64>>`
//! records any function written generically over `Float`, and its reverse sweep (itself a
//! sequence of `Float` operations) is differentiated too: the tangents of the adjoints are
//! the Hessian-vector product (forward-over-reverse; see [`hvp`](crate::hvp())).
//!
//! ```
//! use tape::{Dual, Float};
//! // d/dx (x^3 + e^x) at x = 1: the tangent 1 marks x as the variable
//! let x = Dual::new(1.0, 1.0);
//! let y = x.powi(3) + x.exp();
//! assert_eq!(y.value, 1.0 + 1f64.exp());
//! assert_eq!(y.tangent, 3.0 + 1f64.exp());
//! ```
//!
//! Two rules keep a dual computation's value part bit-for-bit the real computation:
//!
//! - **Comparisons and predicates see the value only** (`<`, `==`, `is_nan`,
//!   `is_finite`), so every branch (relu, max, abs, the side sigmoid evaluates on) goes
//!   the way the real computation goes, and the tangent follows the chosen branch.
//! - **A zero tangent stays zero**: a derivative is only multiplied into a tangent that
//!   is not zero, so a constant at a singular point (`ln 0`, `sqrt 0`, a `-inf` logit)
//!   does not turn into `0 * inf = NaN`.

use crate::float::{Float, MatrixLayout};
use crate::matrix::MatRef;
use std::cmp::Ordering;
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// A dual number `value + tangent ε` (`ε^2 = 0`): a value and its derivative along one
/// direction.
///
/// `repr(C)` so that a slice of duals is a slice of reals with the value at even and the
/// tangent at odd positions: matrix products split into real GEMM calls without copying
/// the operands.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Dual<T> {
    /// The real part.
    pub value: T,
    /// The derivative part (the coefficient of `ε`).
    pub tangent: T,
}

impl<T: Float> Dual<T> {
    /// `value + tangent ε`.
    pub const fn new(value: T, tangent: T) -> Self {
        Dual { value, tangent }
    }

    /// A constant: tangent zero.
    pub const fn constant(value: T) -> Self {
        Dual {
            value,
            tangent: T::ZERO,
        }
    }

    /// `f(self)` given `f(value)` and `f'(value)`: the chain rule on the tangent.
    #[inline(always)]
    fn chain(self, value: T, derivative: T) -> Self {
        Dual {
            value,
            tangent: scale(self.tangent, derivative),
        }
    }
}

/// `tangent * derivative`, but zero for a zero tangent whatever the derivative (a
/// constant stays constant at a singular point, where the derivative is infinite).
#[inline(always)]
fn scale<T: Float>(tangent: T, derivative: T) -> T {
    if tangent == T::ZERO {
        T::ZERO
    } else {
        tangent * derivative
    }
}

/// Value only, as every comparison of duals (see the module docs).
impl<T: Float> PartialEq for Dual<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

/// Value only: branches follow the real computation.
impl<T: Float> PartialOrd for Dual<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.value.partial_cmp(&other.value)
    }
}

/// `value+tangentε`, e.g. `2+3ε`.
impl<T: Float> fmt::Display for Dual<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)?;
        if self.tangent >= T::ZERO || self.tangent.is_nan() {
            f.write_str("+")?;
        }
        fmt::Display::fmt(&self.tangent, f)?;
        f.write_str("ε")
    }
}

impl<T: Float> Add for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Dual::new(self.value + rhs.value, self.tangent + rhs.tangent)
    }
}

impl<T: Float> Sub for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Dual::new(self.value - rhs.value, self.tangent - rhs.tangent)
    }
}

/// `(a + a' ε)(b + b' ε) = ab + (a b' + a' b) ε`.
impl<T: Float> Mul for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        Dual::new(
            self.value * rhs.value,
            scale(rhs.tangent, self.value) + scale(self.tangent, rhs.value),
        )
    }
}

/// `(a + a' ε) / (b + b' ε) = q + (a' - q b') / b ε` with `q = a / b`.
impl<T: Float> Div for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn div(self, rhs: Self) -> Self {
        let q = self.value / rhs.value;
        let r = rhs.value.recip();
        Dual::new(q, scale(self.tangent, r) - scale(rhs.tangent, q * r))
    }
}

impl<T: Float> Neg for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Dual::new(-self.value, -self.tangent)
    }
}

macro_rules! assign_from_binary {
    ($($trait:ident $method:ident $op:tt;)*) => {$(
        impl<T: Float> $trait for Dual<T> {
            #[inline(always)]
            fn $method(&mut self, rhs: Self) {
                *self = *self $op rhs;
            }
        }
    )*};
}

assign_from_binary! {
    AddAssign add_assign +;
    SubAssign sub_assign -;
    MulAssign mul_assign *;
    DivAssign div_assign /;
}

impl<T: Float> Sum for Dual<T> {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, Add::add)
    }
}

impl<T: Float> Float for Dual<T> {
    type Real = T;

    /// A constant.
    fn from_real(x: T) -> Self {
        Dual::constant(x)
    }

    const ZERO: Self = Dual::constant(T::ZERO);
    const ONE: Self = Dual::constant(T::ONE);
    const INFINITY: Self = Dual::constant(T::INFINITY);
    const NEG_INFINITY: Self = Dual::constant(T::NEG_INFINITY);
    const EPSILON: Self = Dual::constant(T::EPSILON);

    /// A constant.
    fn from_f64(x: f64) -> Self {
        Dual::constant(T::from_f64(x))
    }
    /// The value; the tangent is dropped.
    fn to_f64(self) -> f64 {
        self.value.to_f64()
    }

    fn exp(self) -> Self {
        let y = self.value.exp();
        self.chain(y, y)
    }
    /// [`Dual::exp`] on each element, with the values' `exp` taken a vector at a time by
    /// `T::exp_slice`, through a buffer on the stack.
    fn exp_slice(xs: &[Self], out: &mut [Self]) {
        const CHUNK: usize = 64;
        for (xs, out) in xs.chunks(CHUNK).zip(out.chunks_mut(CHUNK)) {
            let (mut values, mut exps) = ([T::ZERO; CHUNK], [T::ZERO; CHUNK]);
            let n = xs.len().min(out.len());
            values.iter_mut().zip(xs).for_each(|(v, x)| *v = x.value);
            T::exp_slice(&values[..n], &mut exps[..n]);
            for ((y, x), &e) in out.iter_mut().zip(xs).zip(&exps) {
                *y = x.chain(e, e);
            }
        }
    }
    fn ln(self) -> Self {
        self.chain(self.value.ln(), self.value.recip())
    }
    fn sqrt(self) -> Self {
        let y = self.value.sqrt();
        self.chain(y, (y + y).recip())
    }
    fn tanh(self) -> Self {
        let y = self.value.tanh();
        self.chain(y, T::ONE - y * y)
    }
    /// `x^n`; `x^0 = 1` is a constant even at `x = 0` (where `0 * 0^-1` would be NaN).
    fn powi(self, n: i32) -> Self {
        match n {
            0 => Self::ONE,
            _ => self.chain(
                self.value.powi(n),
                T::from_f64(f64::from(n)) * self.value.powi(n - 1),
            ),
        }
    }
    /// `x^p = e^(p ln x)`: tangent `p x^(p-1) x' + x^p ln(x) p'`. The second term is
    /// left out when `p` is a constant (it would be `0 * NaN` for `x < 0`), the first
    /// when `p = 0` (`x^0 = 1` whatever `x`, also at `x = 0`).
    fn powf(self, p: Self) -> Self {
        let y = self.value.powf(p.value);
        let along_x = if p.value == T::ZERO {
            T::ZERO
        } else {
            scale(self.tangent, p.value * self.value.powf(p.value - T::ONE))
        };
        // d/dp x^p = x^p ln x, which is 0 where x^p is (0^p for p > 0), not 0 * -inf.
        let log_rate = if y == T::ZERO {
            T::ZERO
        } else {
            y * self.value.ln()
        };
        let along_p = scale(p.tangent, log_rate);
        Dual::new(y, along_x + along_p)
    }
    /// `|x|`, with tangent `sign(x) x'` (0 at the kink, as the tape's `abs` rule).
    fn abs(self) -> Self {
        self.chain(self.value.abs(), self.value.signum())
    }
    fn recip(self) -> Self {
        let r = self.value.recip();
        self.chain(r, -(r * r))
    }
    /// A constant: the sign is flat wherever it is differentiable.
    fn signum(self) -> Self {
        Dual::constant(self.value.signum())
    }
    /// Of the value (see the module docs).
    fn is_finite(self) -> bool {
        self.value.is_finite()
    }
    /// Of the value.
    fn is_nan(self) -> bool {
        self.value.is_nan()
    }

    /// A product of duals is three real products by `T::matmul`, on the operands' value
    /// and tangent planes laid out as the operands are, so the value is computed by the
    /// very kernel (and with the very rounding) the real tape uses:
    /// `(A + A' ε)(B + B' ε) = AB + (A B' + A' B) ε`. A product with a zero tangent is
    /// skipped.
    fn matmul(a: MatRef<'_, Self>, b: MatRef<'_, Self>, c: &mut [Self], accumulate: bool) {
        let mut planes = PlaneBuffers::<T>::take();
        let [a_value, a_tangent, b_value, b_tangent, value, tangent] = &mut planes.0;
        let a_moves = split_planes(&a, a_value, a_tangent);
        let b_moves = split_planes(&b, b_value, b_tangent);
        let a_parts = (
            real_like(a_value, &a),
            a_moves.then(|| real_like(a_tangent, &a)),
        );
        let b_parts = (
            real_like(b_value, &b),
            b_moves.then(|| real_like(b_tangent, &b)),
        );
        product_of_parts(a_parts, b_parts, c, accumulate, [value, tangent]);
        planes.put_back();
    }

    /// `A (B + B' ε) = AB + AB' ε`: two real products that read the real `A` where it is
    /// (a block of data), with only the small dual operand split into planes.
    fn matmul_real_left(a: MatRef<'_, T>, b: MatRef<'_, Self>, c: &mut [Self], accumulate: bool) {
        with_planes(&b, |b, out| {
            product_of_parts((a, None), b, c, accumulate, out)
        })
    }

    /// `(A + A' ε) B = AB + A'B ε`, as [`Float::matmul_real_left`].
    fn matmul_real_right(a: MatRef<'_, Self>, b: MatRef<'_, T>, c: &mut [Self], accumulate: bool) {
        with_planes(&a, |a, out| {
            product_of_parts(a, (b, None), c, accumulate, out)
        })
    }

    /// A product of duals is three real products:
    /// `(A + A' ε)(B + B' ε) = AB + (A B' + A' B) ε`, each by `T::gemm` (the tuned kernel
    /// for `f32` and `f64`). The operands are read in place (a dual slice is a real one
    /// with doubled strides); `A' B` is skipped when `A'` is zero, as for a constant
    /// batch of data times weights, and `A B'` when `B'` is.
    fn gemm(
        m: usize,
        k: usize,
        n: usize,
        a: &[Self],
        a_layout: MatrixLayout,
        b: &[Self],
        b_layout: MatrixLayout,
        c: &mut [Self],
        accumulate: bool,
    ) {
        assert!(m * n <= c.len(), "gemm: c is too short");
        let (a_value, a_tangent, a_real) = split_parts(a, a_layout);
        let (b_value, b_tangent, b_real) = split_parts(b, b_layout);
        let mut value = vec![T::ZERO; m * n];
        let mut tangent = vec![T::ZERO; m * n];
        T::gemm(m, k, n, a_value, a_real, b_value, b_real, &mut value, false);
        if has_tangent(b) {
            T::gemm(
                m,
                k,
                n,
                a_value,
                a_real,
                b_tangent,
                b_real,
                &mut tangent,
                false,
            );
        }
        if has_tangent(a) {
            T::gemm(
                m,
                k,
                n,
                a_tangent,
                a_real,
                b_value,
                b_real,
                &mut tangent,
                true,
            );
        }
        for ((out, v), t) in c[..m * n].iter_mut().zip(value).zip(tangent) {
            *out = if accumulate {
                *out + Dual::new(v, t)
            } else {
                Dual::new(v, t)
            };
        }
    }
}

/// The value and tangent planes of a dual matrix operand (`None`: a zero tangent).
type Parts<'a, T> = (MatRef<'a, T>, Option<MatRef<'a, T>>);

/// `c (+)= (A + A' ε)(B + B' ε) = AB + (A B' + A' B) ε` from the operands' planes, by
/// `T::matmul` into the real buffers `out` (the output's value and tangent planes),
/// skipping the products with a zero tangent.
fn product_of_parts<T: Float>(
    (a, a_tangent): Parts<'_, T>,
    (b, b_tangent): Parts<'_, T>,
    c: &mut [Dual<T>],
    accumulate: bool,
    [value, tangent]: [&mut Vec<T>; 2],
) {
    let ((m, _), (_, n)) = (a.shape(), b.shape());
    let c = &mut c[..m * n];
    // Accumulating products start from the output's parts, as the real kernels do.
    value.clear();
    tangent.clear();
    if accumulate {
        value.extend(c.iter().map(|d| d.value));
        tangent.extend(c.iter().map(|d| d.tangent));
    } else {
        value.resize(m * n, T::ZERO);
        tangent.resize(m * n, T::ZERO);
    }
    T::matmul(a, b, value, accumulate);
    if let Some(b_tangent) = b_tangent {
        T::matmul(a, b_tangent, tangent, true);
    }
    if let Some(a_tangent) = a_tangent {
        T::matmul(a_tangent, b, tangent, true);
    }
    for ((out, &v), &t) in c.iter_mut().zip(value.iter()).zip(tangent.iter()) {
        *out = Dual::new(v, t);
    }
}

/// Calls `f` with the planes of the dual operand `x` and the buffers of the output's
/// planes, all from this thread's `PlaneBuffers`.
fn with_planes<T: Float>(x: &MatRef<'_, Dual<T>>, f: impl FnOnce(Parts<'_, T>, [&mut Vec<T>; 2])) {
    let mut planes = PlaneBuffers::<T>::take();
    let [x_value, x_tangent, value, tangent, ..] = &mut planes.0;
    let moves = split_planes(x, x_value, x_tangent);
    f(
        (
            real_like(x_value, x),
            moves.then(|| real_like(x_tangent, x)),
        ),
        [value, tangent],
    );
    planes.put_back();
}

/// Writes the value and tangent planes of a dual operand into `value` and `tangent` as
/// real, contiguous row-major buffers of its stored rows (gathered rows gathered), and
/// returns false when the tangent is zero throughout, as for a constant batch of data.
fn split_planes<T: Float>(
    x: &MatRef<'_, Dual<T>>,
    value: &mut Vec<T>,
    tangent: &mut Vec<T>,
) -> bool {
    let rows = || (0..x.stored_shape().0).map(|i| x.stored_row(i));
    // One pass writes the value plane and looks at the tangents on the way (without
    // stopping early, so that it stays a straight vector loop); a constant's tangent
    // plane is then not written at all.
    value.clear();
    let mut moves = false;
    rows().for_each(|row| {
        value.extend(row.iter().map(|d| {
            moves |= d.tangent != T::ZERO;
            d.value
        }))
    });
    tangent.clear();
    if moves {
        rows().for_each(|row| tangent.extend(row.iter().map(|d| d.tangent)));
    }
    moves
}

/// The six real buffers of a dual product (the operands' value and tangent planes, and
/// the output's), kept per thread and real type from one product to the next: an HVP
/// makes the same products again and again, and fresh buffers of their size come from
/// the system as fresh pages, which it zeroes first (twice the work of the product on a
/// digits-sized problem).
struct PlaneBuffers<T>([Vec<T>; 6]);

thread_local! {
    /// This thread's idle `PlaneBuffers`, one per real type.
    static IDLE_PLANES: std::cell::RefCell<Vec<Box<dyn std::any::Any>>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

impl<T: Float> PlaneBuffers<T> {
    /// This thread's buffers for `T`, or empty ones if they are in use (a nested dual
    /// product) or were never made.
    fn take() -> Self {
        IDLE_PLANES.with(|idle| {
            let mut idle = idle.borrow_mut();
            let kept = idle.iter_mut().find_map(|b| b.downcast_mut::<Self>());
            PlaneBuffers(kept.map(|b| std::mem::take(&mut b.0)).unwrap_or_default())
        })
    }

    /// Keeps the buffers for this thread's next product.
    fn put_back(self) {
        IDLE_PLANES.with(|idle| {
            let mut idle = idle.borrow_mut();
            match idle.iter_mut().find_map(|b| b.downcast_mut::<Self>()) {
                Some(slot) => *slot = self,
                None => idle.push(Box::new(self)),
            }
        })
    }
}

/// A real plane laid out as the dual operand it came from (same stored shape and
/// transposition).
fn real_like<'a, T: Float>(plane: &'a [T], like: &MatRef<'_, Dual<T>>) -> MatRef<'a, T> {
    let (rows, cols) = like.stored_shape();
    let real = MatRef::row_major(plane, rows, cols);
    if like.is_transposed() {
        real.t()
    } else {
        real
    }
}

/// True unless every tangent is zero.
fn has_tangent<T: Float>(x: &[Dual<T>]) -> bool {
    x.iter().any(|d| d.tangent != T::ZERO)
}

/// A dual matrix seen as two real ones: the values, the tangents (the same slice one
/// element on), and the real layout of both (strides doubled).
fn split_parts<T: Float>(x: &[Dual<T>], layout: MatrixLayout) -> (&[T], &[T], MatrixLayout) {
    // SAFETY: `Dual<T>` is `repr(C)` with two fields of type `T`, so it has the size of
    // `[T; 2]` and no padding (a type's size is a multiple of its alignment); the slice
    // of `2 len` reals covers exactly the memory of the `len` duals, which stays borrowed.
    let reals: &[T] = unsafe { std::slice::from_raw_parts(x.as_ptr().cast::<T>(), 2 * x.len()) };
    let layout = MatrixLayout {
        row_stride: 2 * layout.row_stride,
        col_stride: 2 * layout.col_stride,
    };
    let tangents = reals.get(1..).unwrap_or(&[]);
    (reals, tangents, layout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::float::gemm_fallback;

    fn d(value: f64, tangent: f64) -> Dual<f64> {
        Dual::new(value, tangent)
    }

    /// `exp_slice` on duals equals `exp` on each, value and tangent bit for bit, across
    /// the stack buffer's chunks, with zero and infinite tangents, and on nested duals.
    #[test]
    fn slice_exp_of_duals_equals_exp_of_each() {
        let xs: Vec<Dual<f64>> = (0..150)
            .map(|i| {
                d(
                    i as f64 * 0.77 - 60.0,
                    [0.0, 1.5, -2.0, f64::INFINITY][i % 4],
                )
            })
            .collect();
        let mut out = vec![d(0.0, 0.0); xs.len()];
        Dual::exp_slice(&xs, &mut out);
        for (x, y) in xs.iter().zip(&out) {
            let want = x.exp();
            assert_eq!(y.value.to_bits(), want.value.to_bits(), "{x:?}");
            assert_eq!(y.tangent.to_bits(), want.tangent.to_bits(), "{x:?}");
        }
        let nested: Vec<Dual<Dual<f64>>> = xs.iter().map(|&x| Dual::new(x, d(0.5, -1.0))).collect();
        let mut out = vec![Dual::new(d(0.0, 0.0), d(0.0, 0.0)); nested.len()];
        Dual::exp_slice(&nested, &mut out);
        for (x, y) in nested.iter().zip(&out) {
            assert_eq!(format!("{y:?}"), format!("{:?}", x.exp()));
        }
    }

    /// Each function's tangent against a central difference of its value.
    #[test]
    fn tangents_are_derivatives() {
        let x = 0.7;
        let h = 1e-6;
        type Case = (&'static str, fn(Dual<f64>) -> Dual<f64>);
        let cases: [Case; 9] = [
            ("exp", |x| x.exp()),
            ("ln", |x| x.ln()),
            ("sqrt", |x| x.sqrt()),
            ("tanh", |x| x.tanh()),
            ("powi", |x| x.powi(3)),
            ("powf", |x| x.powf(Dual::constant(2.5))),
            ("recip", |x| x.recip()),
            ("div", |x| {
                (x * x + Dual::constant(1.0)) / (x + Dual::constant(2.0))
            }),
            ("abs", |x| (-x).abs()),
        ];
        for (name, f) in cases {
            let y = f(d(x, 1.0));
            let numeric = (f(d(x + h, 0.0)).value - f(d(x - h, 0.0)).value) / (2.0 * h);
            assert!(
                (y.tangent - numeric).abs() < 1e-8,
                "{name}: {} vs {numeric}",
                y.tangent
            );
        }
    }

    #[test]
    fn powf_differentiates_the_exponent_too() {
        // d/dp 2^p = 2^p ln 2
        let y = Float::powf(d(2.0, 0.0), d(3.0, 1.0));
        assert_eq!(y.value, 8.0);
        assert!((y.tangent - 8.0 * 2f64.ln()).abs() < 1e-14);
        // 0^p is 0 for every p > 0, so its derivative along p is 0 (PyTorch's too).
        let y = Float::powf(d(0.0, 0.0), d(2.0, 1.0));
        assert_eq!((y.value, y.tangent), (0.0, 0.0));
    }

    #[test]
    fn constants_stay_constant_at_singular_points() {
        for y in [
            d(0.0, 0.0).ln(),
            d(0.0, 0.0).sqrt(),
            d(0.0, 0.0).recip(),
            d(f64::NEG_INFINITY, 0.0) * d(0.0, 0.0),
            d(0.0, 0.0).powf(d(0.5, 0.0)),
        ] {
            assert_eq!(y.tangent, 0.0, "{y}");
        }
        // x^0 and x^1 at zero: derivatives 0 and 1, no NaN
        assert_eq!(d(0.0, 1.0).powi(0).tangent, 0.0);
        assert_eq!(d(0.0, 1.0).powi(1).tangent, 1.0);
        assert_eq!(d(0.0, 1.0).powf(d(0.0, 0.0)).tangent, 0.0);
        assert_eq!(d(0.0, 1.0).powf(d(1.0, 0.0)).tangent, 1.0);
    }

    #[test]
    fn comparisons_see_the_value_only() {
        assert_eq!(d(1.0, 5.0), d(1.0, -5.0));
        assert!(d(1.0, 5.0) < d(2.0, -5.0));
        assert!(!d(1.0, f64::NAN).is_nan());
        // max picks the whole dual of the larger value
        assert_eq!(Float::max(d(1.0, 5.0), d(2.0, 7.0)).tangent, 7.0);
        assert_eq!(d(2.0, -3.0).to_string(), "2-3ε");
    }

    /// The three-GEMM product against the generic triple loop on duals, with transposed
    /// layouts, accumulation, and constant (tangent-free) operands.
    #[test]
    fn gemm_splits_into_real_products() {
        let (m, k, n) = (5, 7, 3);
        let a: Vec<Dual<f64>> = (0..m * k)
            .map(|i| d((i as f64 * 0.37).sin(), (i as f64 * 0.11).cos()))
            .collect();
        let b: Vec<Dual<f64>> = (0..k * n)
            .map(|i| d((i as f64 * 0.23).cos(), (i as f64 * 0.53).sin()))
            .collect();
        let b_constant: Vec<Dual<f64>> = b.iter().map(|x| Dual::constant(x.value)).collect();
        for (b, b_layout) in [
            (&b, MatrixLayout::row_major(n)),
            (&b, MatrixLayout::transposed(k)),
            (&b_constant, MatrixLayout::row_major(n)),
        ] {
            for accumulate in [false, true] {
                let start: Vec<Dual<f64>> = (0..m * n).map(|i| d(i as f64, -(i as f64))).collect();
                let (mut fast, mut slow) = (start.clone(), start);
                let a_layout = MatrixLayout::row_major(k);
                Dual::gemm(m, k, n, &a, a_layout, b, b_layout, &mut fast, accumulate);
                gemm_fallback(m, k, n, &a, a_layout, b, b_layout, &mut slow, accumulate);
                for (x, y) in fast.iter().zip(&slow) {
                    assert!((x.value - y.value).abs() < 1e-12, "{x} vs {y}");
                    assert!((x.tangent - y.tangent).abs() < 1e-12, "{x} vs {y}");
                }
            }
        }
    }
}

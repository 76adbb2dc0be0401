//! Second order: Hessian-vector products by forward-over-reverse, and dense Hessians.
//!
//! Put [`Dual`] numbers on the tape, with the direction `v` as the inputs' tangents.
//! The forward pass then computes `f(x + t v)` and its `t`-derivative side by side, and
//! so does the reverse sweep, which is only more `Float` arithmetic: the adjoints it
//! produces are `grad f(x + t v)`, their values the gradient and their tangents
//! `d/dt grad f(x + t v) = H v`. One sweep gives the value, the gradient and the
//! Hessian-vector product, at a small multiple of a gradient's cost (dual arithmetic is
//! about three real operations; a dual matrix product three real ones), without ever
//! forming `H`. This is `jax.jvp(jax.grad(f))`.
//!
//! A function is written once for every element type by implementing
//! [`ScalarFunction`]; see its documentation for one definition serving `f32` training,
//! `f64` gradient checks and dual Hessian-vector products.

use crate::dual::Dual;
use crate::float::Float;
use crate::grads::Grads;
use crate::shape::Dims;
use crate::tape::Tape;
use crate::tensor::Tensor;
use crate::var::Var;

/// A scalar function of tensor inputs, written once for every element type.
///
/// Rust closures cannot be generic, so a function that must run on `f32` (training),
/// `f64` ([`gradcheck`](crate::gradcheck())) and [`Dual`] ([`hvp`], [`hessian`],
/// [`gradgradcheck`](crate::gradgradcheck())) tapes is a type with a generic method. Its
/// data lives in the type, in any one element type, and goes onto each tape with
/// [`Tape::constant_cast`].
///
/// ```
/// use tape::{gradcheck, hvp, ScalarFunction, Float, GradcheckOptions, Tape, Tensor, Var};
///
/// /// Least squares `1/(2n) ||X w - y||^2`, with its data in f32.
/// struct LeastSquares { x: Tensor<f32>, y: Tensor<f32> }
///
/// impl ScalarFunction for LeastSquares {
///     fn eval<'t, T: Float>(&self, tape: &'t Tape<T>, inputs: &[Var<'t, T>]) -> Var<'t, T> {
///         let x = tape.constant_cast(self.x.data(), self.x.shape());
///         let y = tape.constant_cast(self.y.data(), self.y.shape());
///         let n = T::from_usize(self.x.shape()[0]);
///         (x.matmul(inputs[0]) - y).powi(2).sum() / (n + n)
///     }
/// }
///
/// let f = LeastSquares {
///     x: Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 7.0], &[3, 2]),
///     y: Tensor::from_vec(vec![1.0, 0.0, 2.0], &[3, 1]),
/// };
///
/// // f32 training: one gradient step.
/// let tape = Tape::<f32>::new();
/// let w = tape.var(&Tensor::zeros(&[2, 1]));
/// let grads = f.eval(&tape, &[w]).backward();
/// assert!(grads.wrt(w).iter().all(|g| g.is_finite()));
///
/// // f64 gradient check, through a closure over the same definition.
/// let w0 = Tensor::from_vec(vec![0.3, -0.2], &[2, 1]);
/// gradcheck(|t, v| f.eval(t, v), &[w0.clone()], &GradcheckOptions::default()).unwrap();
///
/// // Dual Hessian-vector product: here H = X^T X / n exactly.
/// let v = Tensor::from_vec(vec![1.0, 0.0], &[2, 1]);
/// let out = hvp(&f, &[w0], &[v]);
/// let h_v = out.hvp[0].data();
/// assert!((h_v[0] - (1.0 + 9.0 + 25.0) / 3.0).abs() < 1e-12);   // (X^T X)_00 / n
/// assert!((h_v[1] - (2.0 + 12.0 + 35.0) / 3.0).abs() < 1e-12);  // (X^T X)_10 / n
/// ```
pub trait ScalarFunction {
    /// Records the function of `inputs` (vars on `tape`, in the order the caller gave the
    /// input tensors) and returns its scalar result.
    fn eval<'t, T: Float>(&self, tape: &'t Tape<T>, inputs: &[Var<'t, T>]) -> Var<'t, T>;
}

/// What [`hvp`] computes at a point: the value, the gradient and `H v`, the gradient and
/// `H v` as one tensor per input.
#[derive(Clone, Debug, PartialEq)]
pub struct Hvp<T: Float> {
    /// `f(x)`.
    pub value: T,
    /// `grad f(x)`, one tensor per input.
    pub gradient: Vec<Tensor<T>>,
    /// `H v = d/dt grad f(x + t v)` at `t = 0`, one tensor per input.
    pub hvp: Vec<Tensor<T>>,
}

/// The value and gradient of `f` at `inputs`, on a fresh tape.
///
/// # Panics
/// If `f` does not return a single number.
pub fn value_and_grad<T: Float, F: ScalarFunction + ?Sized>(
    f: &F,
    inputs: &[Tensor<T>],
) -> (T, Vec<Tensor<T>>) {
    let tape = Tape::<T>::new();
    let vars: Vec<_> = inputs.iter().map(|x| tape.var(x)).collect();
    let out = f.eval(&tape, &vars);
    let grads = out.backward();
    (out.item(), vars.iter().map(|&v| grads.tensor(v)).collect())
}

/// A dual-number tape kept between Hessian-vector products, so that a solver asking
/// for many (conjugate gradients) reuses its buffers.
#[derive(Debug, Default)]
pub struct HvpTape<T: Float> {
    tape: Tape<Dual<T>>,
    grads: Grads<Dual<T>>,
    seeded: Vec<Dual<T>>,
}

impl<T: Float> HvpTape<T> {
    /// An empty tape.
    pub fn new() -> Self {
        HvpTape {
            tape: Tape::new(),
            grads: Grads::new(),
            seeded: Vec::new(),
        }
    }

    /// [`hvp`] on this tape.
    ///
    /// # Panics
    /// As [`hvp`].
    pub fn hvp<F: ScalarFunction + ?Sized>(
        &mut self,
        f: &F,
        inputs: &[Tensor<T>],
        directions: &[Tensor<T>],
    ) -> Hvp<T> {
        assert_eq!(
            inputs.len(),
            directions.len(),
            "hvp: {} inputs but {} directions",
            inputs.len(),
            directions.len()
        );
        let HvpTape {
            tape,
            grads,
            seeded,
        } = self;
        tape.clear();
        let tape = &*tape;
        let vars: Vec<Var<'_, Dual<T>>> = inputs
            .iter()
            .zip(directions)
            .enumerate()
            .map(|(i, (x, v))| {
                assert_eq!(
                    x.shape(),
                    v.shape(),
                    "hvp: input {i} has shape {} but its direction {}",
                    Dims(x.shape()),
                    Dims(v.shape())
                );
                // x + t v: the direction is the tangent.
                seeded.clear();
                seeded.extend(
                    x.data()
                        .iter()
                        .zip(v.data())
                        .map(|(&x, &v)| Dual::new(x, v)),
                );
                tape.var_from_slice(seeded, x.shape())
            })
            .collect();
        let out = f.eval(tape, &vars);
        assert_eq!(
            out.len(),
            1,
            "hvp: the function must return a single number, not shape {}",
            Dims(&out.shape())
        );
        tape.backward_into(out, grads);
        let part = |var: Var<'_, Dual<T>>, tangent: bool| {
            let data = grads
                .wrt(var)
                .iter()
                .map(|d| if tangent { d.tangent } else { d.value })
                .collect();
            Tensor::from_vec(data, &var.shape())
        };
        Hvp {
            value: out.item().value,
            gradient: vars.iter().map(|&v| part(v, false)).collect(),
            hvp: vars.iter().map(|&v| part(v, true)).collect(),
        }
    }
}

/// The value, the gradient and the Hessian-vector product `H v` of a scalar function at
/// `inputs`, with one direction tensor per input (of its shape): one forward and one
/// reverse sweep of a [`Dual`] tape.
///
/// ```
/// use tape::{hvp, ScalarFunction, Float, Tape, Tensor, Var};
/// /// f(x, y) = x^2 y: H = [[2y, 2x], [2x, 0]].
/// struct F;
/// impl ScalarFunction for F {
///     fn eval<'t, T: Float>(&self, _: &'t Tape<T>, v: &[Var<'t, T>]) -> Var<'t, T> {
///         (v[0] * v[0] * v[1]).sum()
///     }
/// }
/// let (x, y) = (Tensor::scalar(3.0), Tensor::scalar(5.0));
/// let out = hvp(&F, &[x, y], &[Tensor::scalar(1.0), Tensor::scalar(0.0)]);
/// assert_eq!(out.value, 45.0);
/// assert_eq!(out.gradient[0].item(), 30.0); // 2xy
/// assert_eq!(out.hvp[0].item(), 10.0);      // d2f/dx2 = 2y
/// assert_eq!(out.hvp[1].item(), 6.0);       // d2f/dy dx = 2x
/// ```
///
/// # Panics
/// If the number or shapes of the directions differ from the inputs', or `f` does not
/// return a single number.
pub fn hvp<T: Float, F: ScalarFunction + ?Sized>(
    f: &F,
    inputs: &[Tensor<T>],
    directions: &[Tensor<T>],
) -> Hvp<T> {
    HvpTape::new().hvp(f, inputs, directions)
}

/// The dense Hessian of `f` at `inputs`, `[N, N]` for `N` elements over all inputs
/// (ordered input by input, each row-major), built column by column from `N`
/// Hessian-vector products with the unit vectors. Meant for small inputs: it costs `N`
/// gradients' worth and `N^2` numbers; solvers use [`hvp`] instead.
///
/// ```
/// use tape::{hessian, ScalarFunction, Float, Tape, Tensor, Var};
/// struct F; // f(a, b) = a^2 b + b^3
/// impl ScalarFunction for F {
///     fn eval<'t, T: Float>(&self, _: &'t Tape<T>, v: &[Var<'t, T>]) -> Var<'t, T> {
///         let (a, b) = (v[0], v[1]);
///         a * a * b + b.powi(3)
///     }
/// }
/// let h = hessian(&F, &[Tensor::scalar(1.0), Tensor::scalar(2.0)]);
/// assert_eq!(h.data(), &[4.0, 2.0, 2.0, 12.0]); // [[2b, 2a], [2a, 6b]]
/// ```
pub fn hessian<T: Float, F: ScalarFunction + ?Sized>(f: &F, inputs: &[Tensor<T>]) -> Tensor<T> {
    let n: usize = inputs.iter().map(Tensor::len).sum();
    let mut directions: Vec<Tensor<T>> = inputs.iter().map(|x| Tensor::zeros(x.shape())).collect();
    let mut h = Tensor::zeros(&[n, n]);
    let mut tape = HvpTape::new();
    let mut column = 0;
    for input in 0..inputs.len() {
        for j in 0..inputs[input].len() {
            directions[input].data_mut()[j] = T::ONE;
            let out = tape.hvp(f, inputs, &directions);
            directions[input].data_mut()[j] = T::ZERO;
            let entries = out.hvp.iter().flat_map(|t| t.data().iter().copied());
            for (row, value) in entries.enumerate() {
                h.data_mut()[row * n + column] = value;
            }
            column += 1;
        }
    }
    h
}

/// The eigenvalues of a symmetric matrix `[N, N]` (such as a [`hessian`]), ascending, by
/// cyclic Jacobi rotations: slow (`O(N^3)` per sweep) but accurate to a few ulps of the
/// largest, which is what reading off a small Hessian's curvature needs.
///
/// ```
/// use tape::{symmetric_eigenvalues, Tensor};
/// let h = Tensor::from_vec(vec![2.0, 1.0, 1.0, 2.0], &[2, 2]);
/// let eig = symmetric_eigenvalues(&h);
/// assert!((eig[0] - 1.0).abs() < 1e-14 && (eig[1] - 3.0).abs() < 1e-14);
/// ```
///
/// # Panics
/// If the matrix is not square.
pub fn symmetric_eigenvalues(h: &Tensor<f64>) -> Vec<f64> {
    let n = h.shape().first().copied().unwrap_or(0);
    assert_eq!(
        h.shape(),
        [n, n],
        "symmetric_eigenvalues: not a square matrix"
    );
    let mut a = h.data().to_vec();
    let off_diagonal = |a: &[f64]| -> f64 {
        (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum()
    };
    let total: f64 = a.iter().map(|x| x * x).sum();
    for _sweep in 0..100 {
        if off_diagonal(&a) <= 1e-30 * total {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                // The rotation that zeroes a[p][q] (Golub and Van Loan, 8.5.2).
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
            }
        }
    }
    let mut eigenvalues: Vec<f64> = (0..n).map(|i| a[i * n + i]).collect();
    eigenvalues.sort_by(f64::total_cmp);
    eigenvalues
}

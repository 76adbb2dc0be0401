//! What a solver minimises: a function of a flat parameter vector with its gradient
//! ([`Differentiable`]) and, for Newton-CG, its Hessian-vector products
//! ([`TwiceDifferentiable`]). [`TapeProblem`] makes any [`ScalarFunction`] one, with the
//! tape computing both.

use tape::{HvpTape, ScalarFunction, Tape, Tensor};

/// A smooth function `f: R^n -> R` with its gradient.
pub trait Differentiable {
    /// The number of parameters `n`.
    fn dim(&self) -> usize;
    /// `f(x)`, with `grad f(x)` written to `grad`.
    fn value_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64;
}

/// A [`Differentiable`] function whose Hessian-vector products are available.
pub trait TwiceDifferentiable: Differentiable {
    /// `H(x) v`, written to `hv`.
    fn hvp(&mut self, x: &[f64], v: &[f64], hv: &mut [f64]);
}

/// A [`ScalarFunction`] of tensors of fixed shapes, seen as a function of their
/// elements laid end to end: gradients from an `f64` tape, Hessian-vector products from
/// a dual one.
///
/// ```
/// use nn::solver::{lbfgs, LbfgsOptions, TapeProblem};
/// use tape::{Float, ScalarFunction, Tape, Var};
/// /// The Rosenbrock function (1 - a)^2 + 100 (b - a^2)^2, minimum at (1, 1).
/// struct Rosenbrock;
/// impl ScalarFunction for Rosenbrock {
///     fn eval<'t, T: Float>(&self, _: &'t Tape<T>, v: &[Var<'t, T>]) -> Var<'t, T> {
///         let (a, b) = (v[0], v[1]);
///         (a - T::ONE).powi(2) + (b - a * a).powi(2) * T::from_f64(100.0)
///     }
/// }
/// let mut problem = TapeProblem::new(Rosenbrock, &[&[], &[]]);
/// let report = lbfgs(&mut problem, &[-1.2, 1.0], &LbfgsOptions::default()).unwrap();
/// assert!((report.x[0] - 1.0).abs() < 1e-5 && (report.x[1] - 1.0).abs() < 1e-5);
/// ```
pub struct TapeProblem<F> {
    function: F,
    shapes: Vec<Vec<usize>>,
    hvp_tape: HvpTape<f64>,
}

impl<F: ScalarFunction> TapeProblem<F> {
    /// The function of inputs of the given shapes (`&[]` for a scalar).
    pub fn new(function: F, shapes: &[&[usize]]) -> Self {
        TapeProblem {
            function,
            shapes: shapes.iter().map(|s| s.to_vec()).collect(),
            hvp_tape: HvpTape::new(),
        }
    }

    /// The flat vector `x` cut into tensors of the inputs' shapes.
    pub fn unflatten(&self, x: &[f64]) -> Vec<Tensor<f64>> {
        let mut offset = 0;
        self.shapes
            .iter()
            .map(|dims| {
                let len = dims.iter().product::<usize>();
                offset += len;
                Tensor::from_vec(x[offset - len..offset].to_vec(), dims)
            })
            .collect()
    }
}

/// Writes tensors end to end into `out`.
fn flatten_into(parts: &[Tensor<f64>], out: &mut [f64]) {
    let mut offset = 0;
    for part in parts {
        out[offset..offset + part.len()].copy_from_slice(part.data());
        offset += part.len();
    }
}

impl<F: ScalarFunction> Differentiable for TapeProblem<F> {
    fn dim(&self) -> usize {
        self.shapes
            .iter()
            .map(|d| d.iter().product::<usize>())
            .sum()
    }

    fn value_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        let tape = Tape::<f64>::new();
        let vars: Vec<_> = self.unflatten(x).iter().map(|t| tape.var(t)).collect();
        let out = self.function.eval(&tape, &vars);
        let grads = out.backward();
        let parts: Vec<_> = vars.iter().map(|&v| grads.tensor(v)).collect();
        flatten_into(&parts, grad);
        out.item()
    }
}

impl<F: ScalarFunction> TwiceDifferentiable for TapeProblem<F> {
    fn hvp(&mut self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        let (inputs, directions) = (self.unflatten(x), self.unflatten(v));
        let out = self.hvp_tape.hvp(&self.function, &inputs, &directions);
        flatten_into(&out.hvp, hv);
    }
}

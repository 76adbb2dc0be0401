//! L-BFGS: a quasi-Newton method that keeps the last `m` steps `s_i = x_{i+1} - x_i` and
//! gradient changes `y_i = g_{i+1} - g_i`, and applies the inverse-Hessian model they
//! define to the gradient by the two-loop recursion (Nocedal and Wright, algorithm 7.4),
//! in `O(m n)` per iteration.

use super::line_search::{dot, Point};
use super::problem::Differentiable;
use super::{run, Method, SolveError, SolveReport, Stopping};
use std::collections::VecDeque;

/// Settings of [`lbfgs`]. The defaults suit a well-scaled objective of order 1, such as
/// a mean cross-entropy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LbfgsOptions {
    /// Pairs `(s, y)` kept (scikit-learn's, through SciPy: 10).
    pub memory: usize,
    /// Iteration cap.
    pub max_iterations: usize,
    /// Stop when `max_i |g_i|` is at most this.
    pub gradient_tolerance: f64,
    /// Stop when a step decreases the objective by less than this, relative.
    pub value_tolerance: f64,
}

impl Default for LbfgsOptions {
    fn default() -> Self {
        LbfgsOptions {
            memory: 10,
            max_iterations: 1000,
            gradient_tolerance: 1e-6,
            value_tolerance: 64.0 * f64::EPSILON,
        }
    }
}

/// The curvature pairs, oldest first.
struct Lbfgs {
    memory: usize,
    pairs: VecDeque<(Vec<f64>, Vec<f64>, f64)>,
}

impl<P: Differentiable> Method<P> for Lbfgs {
    fn direction(&mut self, _: &mut P, point: &Point) -> (Vec<f64>, f64) {
        let Some((s, y, _)) = self.pairs.back() else {
            return super::steepest_descent(point);
        };
        // H0 = gamma I with gamma = s^T y / y^T y, the scale of the latest curvature.
        let gamma = dot(s, y) / dot(y, y);
        let mut q = point.grad.clone();
        let mut alphas = Vec::with_capacity(self.pairs.len());
        for (s, y, rho) in self.pairs.iter().rev() {
            let alpha = rho * dot(s, &q);
            q.iter_mut().zip(y).for_each(|(q, y)| *q -= alpha * y);
            alphas.push(alpha);
        }
        q.iter_mut().for_each(|q| *q *= gamma);
        for ((s, y, rho), alpha) in self.pairs.iter().zip(alphas.iter().rev()) {
            let beta = rho * dot(y, &q);
            q.iter_mut()
                .zip(s)
                .for_each(|(q, s)| *q += (alpha - beta) * s);
        }
        q.iter_mut().for_each(|q| *q = -*q);
        (q, 1.0)
    }

    fn accepted(&mut self, from: &Point, to: &Point) {
        let s: Vec<f64> = to.x.iter().zip(&from.x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = to.grad.iter().zip(&from.grad).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        // The strong Wolfe conditions make s^T y > 0; skip a pair that rounding spoilt,
        // which would make the model indefinite.
        if sy > f64::EPSILON * dot(&y, &y) {
            if self.pairs.len() == self.memory {
                self.pairs.pop_front();
            }
            self.pairs.push_back((s, y, 1.0 / sy));
        }
    }

    fn reset(&mut self) {
        self.pairs.clear();
    }

    fn hvps(&self) -> usize {
        0
    }
}

/// Minimises `problem` from `x0` by L-BFGS with a strong Wolfe line search.
///
/// ```
/// use nn::solver::{lbfgs, Differentiable, LbfgsOptions};
/// /// An ill-conditioned quadratic: f(x) = sum_i 10^i x_i^2 / 2.
/// struct Quadratic;
/// impl Differentiable for Quadratic {
///     fn dim(&self) -> usize { 4 }
///     fn value_and_grad(&mut self, x: &[f64], g: &mut [f64]) -> f64 {
///         let mut f = 0.0;
///         for (i, (g, x)) in g.iter_mut().zip(x).enumerate() {
///             *g = 10f64.powi(i as i32) * x;
///             f += 0.5 * *g * x;
///         }
///         f
///     }
/// }
/// let report = lbfgs(&mut Quadratic, &[1.0; 4], &LbfgsOptions::default()).unwrap();
/// assert!(report.gradient_max <= 1e-6 && report.iterations < 30);
/// ```
pub fn lbfgs<P: Differentiable>(
    problem: &mut P,
    x0: &[f64],
    options: &LbfgsOptions,
) -> Result<SolveReport, SolveError> {
    let mut method = Lbfgs {
        memory: options.memory.max(1),
        pairs: VecDeque::new(),
    };
    let stopping = Stopping {
        max_iterations: options.max_iterations,
        gradient_tolerance: options.gradient_tolerance,
        value_tolerance: options.value_tolerance,
    };
    run(problem, x0, &mut method, stopping)
}

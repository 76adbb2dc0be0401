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
    /// Pairs `(s, y)` kept: 100 by default, as PyTorch's `LBFGS` (`history_size`).
    /// scikit-learn, through SciPy, keeps 10; on the full MNIST 100 pairs reach
    /// scikit-learn's objective after 200 iterations in 87 (10 pairs take 202), while each
    /// iteration costs `O(m n)` more work, small beside an evaluation over the data. The
    /// pairs hold `2 m n` numbers for `n` parameters; fewer are kept when that would pass
    /// [`PAIRS_BUDGET`] bytes, but never fewer than 10.
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
            memory: 100,
            max_iterations: 1000,
            gradient_tolerance: 1e-6,
            value_tolerance: 64.0 * f64::EPSILON,
        }
    }
}

/// The most memory the curvature pairs take, unless that leaves fewer than 10 of them:
/// 256 MiB, 100 pairs up to about 168,000 parameters.
pub const PAIRS_BUDGET: usize = 256 << 20;

/// The pairs kept for `dim` parameters when `memory` are asked for.
fn pairs_kept(memory: usize, dim: usize) -> usize {
    let affordable = PAIRS_BUDGET / (2 * std::mem::size_of::<f64>() * dim.max(1));
    memory.min(affordable.max(10)).max(1)
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
        memory: pairs_kept(options.memory, problem.dim()),
        pairs: VecDeque::new(),
    };
    let stopping = Stopping {
        max_iterations: options.max_iterations,
        gradient_tolerance: options.gradient_tolerance,
        value_tolerance: options.value_tolerance,
    };
    run(problem, x0, &mut method, stopping)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pairs_kept_fit_the_budget_but_never_drop_below_ten() {
        assert_eq!(pairs_kept(100, 7_850), 100); // MNIST's W and b: 12.6 MB
        let big = 10_000_000;
        assert_eq!(pairs_kept(100, big), 10);
        let mid = PAIRS_BUDGET / (16 * 40);
        assert_eq!(pairs_kept(100, mid), 40);
        assert!(40 * 16 * mid <= PAIRS_BUDGET);
        assert_eq!(pairs_kept(5, 7_850), 5);
        assert_eq!(pairs_kept(0, 7_850), 1);
    }
}

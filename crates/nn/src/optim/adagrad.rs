//! AdaGrad: per-coordinate steps that shrink with the squared gradients seen.

use super::{assert_finite_nonnegative, for_each_element, zeroed_like, Optimizer, ParamLayout};
use tape::{Float, Tensor};

/// AdaGrad (`torch.optim.Adagrad` without learning-rate decay): each coordinate's step
/// shrinks with the total squared gradient it has seen.
///
/// ```text
/// g <- g + lambda w                      (weight decay, if lambda != 0)
/// G <- G + g^2                           (G starts at 0)
/// w <- w - eta g / (sqrt(G) + eps)       (eps = 1e-10 by default)
/// ```
#[derive(Clone, Debug)]
pub struct AdaGrad<T> {
    eps: T,
    weight_decay: T,
    sum_of_squares: Vec<Vec<T>>,
    layout: ParamLayout,
}

impl<T: Float> AdaGrad<T> {
    /// The default `eps` of PyTorch.
    pub const DEFAULT_EPS: f64 = 1e-10;

    /// AdaGrad with `eps = 1e-10` and no weight decay.
    pub fn new() -> Self {
        AdaGrad {
            eps: T::from_f64(Self::DEFAULT_EPS),
            weight_decay: T::ZERO,
            sum_of_squares: Vec::new(),
            layout: ParamLayout::default(),
        }
    }

    /// Sets `eps`, added to `sqrt(G)` to avoid dividing by zero.
    ///
    /// # Panics
    /// If `eps` is negative or not finite.
    pub fn eps(mut self, eps: T) -> Self {
        assert_finite_nonnegative("AdaGrad: eps", eps);
        self.eps = eps;
        self
    }

    /// Adds L2 weight decay: `weight_decay * w` is added to the gradient.
    ///
    /// # Panics
    /// If `weight_decay` is negative or not finite.
    pub fn weight_decay(mut self, weight_decay: T) -> Self {
        assert_finite_nonnegative("AdaGrad: weight decay", weight_decay);
        self.weight_decay = weight_decay;
        self
    }

    /// The accumulated `G = sum of g^2` of parameter `index`, once the first step has
    /// created it.
    pub fn sum_of_squares(&self, index: usize) -> Option<&[T]> {
        self.sum_of_squares.get(index).map(Vec::as_slice)
    }
}

impl<T: Float> Default for AdaGrad<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Float> Optimizer<T> for AdaGrad<T> {
    fn step(&mut self, params: &mut [&mut Tensor<T>], grads: &[&[T]], learning_rate: T) {
        if self.layout.check("AdaGrad", params, grads) {
            self.sum_of_squares = zeroed_like(params);
        }
        let (eps, eta) = (self.eps, learning_rate);
        let sums = [&mut self.sum_of_squares];
        for_each_element(params, grads, self.weight_decay, sums, |w, g, [big_g]| {
            *big_g += g * g;
            *w -= eta * g / (big_g.sqrt() + eps);
        });
    }

    fn reset(&mut self) {
        self.sum_of_squares.clear();
        self.layout.reset();
    }
}

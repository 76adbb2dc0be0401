//! Stochastic gradient descent, with momentum and Nesterov.

use super::{assert_finite_nonnegative, for_each_element, zeroed_like, Optimizer, ParamLayout};
use tape::{Float, Tensor};

/// Stochastic gradient descent, optionally with momentum (heavy ball or Nesterov) and
/// L2 weight decay; PyTorch's `torch.optim.SGD` with dampening 0.
///
/// With learning rate `eta`, momentum `mu` and weight decay `lambda`, each step is
///
/// ```text
/// g <- g + lambda w                      (weight decay, if lambda != 0)
/// b <- mu b + g      (b <- g on the first step; only if mu != 0)
/// d <- g + mu b      (Nesterov)   or   d <- b   (heavy ball)   or   d <- g   (mu = 0)
/// w <- w - eta d
/// ```
///
/// so plain SGD is `w <- w - eta g` and Nesterov is `v <- mu v + g; w <- w - eta (g + mu v)`.
#[derive(Clone, Debug)]
pub struct Sgd<T> {
    momentum: T,
    nesterov: bool,
    weight_decay: T,
    momentum_buffers: Vec<Vec<T>>,
    layout: ParamLayout,
}

impl<T: Float> Sgd<T> {
    /// Plain SGD: `w <- w - eta g`. No state.
    pub fn new() -> Self {
        Sgd {
            momentum: T::ZERO,
            nesterov: false,
            weight_decay: T::ZERO,
            momentum_buffers: Vec::new(),
            layout: ParamLayout::default(),
        }
    }

    /// SGD with heavy-ball momentum `momentum`: `b <- mu b + g; w <- w - eta b`.
    ///
    /// # Panics
    /// If `momentum` is negative or not finite.
    pub fn with_momentum(momentum: T) -> Self {
        assert_finite_nonnegative("Sgd: momentum", momentum);
        Sgd {
            momentum,
            ..Self::new()
        }
    }

    /// SGD with Nesterov momentum: `b <- mu b + g; w <- w - eta (g + mu b)`.
    ///
    /// # Panics
    /// If `momentum` is not positive and finite (Nesterov needs momentum).
    pub fn nesterov(momentum: T) -> Self {
        assert!(
            momentum.is_finite() && momentum > T::ZERO,
            "Sgd: Nesterov momentum must be positive and finite, got {momentum}"
        );
        Sgd {
            momentum,
            nesterov: true,
            ..Self::new()
        }
    }

    /// Adds L2 weight decay: `weight_decay * w` is added to the gradient.
    ///
    /// # Panics
    /// If `weight_decay` is negative or not finite.
    pub fn weight_decay(mut self, weight_decay: T) -> Self {
        assert_finite_nonnegative("Sgd: weight decay", weight_decay);
        self.weight_decay = weight_decay;
        self
    }

    /// The momentum coefficient `mu` (0 for plain SGD).
    pub fn momentum(&self) -> T {
        self.momentum
    }

    /// The momentum buffer `b` of parameter `index`, once the first step has created it
    /// (never for plain SGD).
    pub fn momentum_buffer(&self, index: usize) -> Option<&[T]> {
        self.momentum_buffers.get(index).map(Vec::as_slice)
    }
}

impl<T: Float> Default for Sgd<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Float> Optimizer<T> for Sgd<T> {
    fn step(&mut self, params: &mut [&mut Tensor<T>], grads: &[&[T]], learning_rate: T) {
        let first_step = self.layout.check("Sgd", params, grads);
        let (mu, nesterov, eta) = (self.momentum, self.nesterov, learning_rate);
        if mu == T::ZERO {
            for_each_element(params, grads, self.weight_decay, [], |w, g, []| {
                *w -= eta * g
            });
            return;
        }
        if first_step {
            self.momentum_buffers = zeroed_like(params);
        }
        let buffers = [&mut self.momentum_buffers];
        for_each_element(params, grads, self.weight_decay, buffers, |w, g, [b]| {
            *b = if first_step { g } else { mu * *b + g };
            *w -= eta * if nesterov { g + mu * *b } else { *b };
        });
    }

    fn reset(&mut self) {
        self.momentum_buffers.clear();
        self.layout.reset();
    }
}

//! RMSProp: AdaGrad with a forgetting running mean.

use super::{
    assert_finite_nonnegative, assert_unit_interval, for_each_element, zeroed_like, Optimizer,
    ParamLayout,
};
use tape::{Float, Tensor};

/// RMSProp (`torch.optim.RMSprop`, not centred, without momentum): AdaGrad with a
/// forgetting running mean instead of a sum.
///
/// ```text
/// g <- g + lambda w                      (weight decay, if lambda != 0)
/// s <- rho s + (1 - rho) g^2             (s starts at 0; rho = 0.99 by default)
/// w <- w - eta g / (sqrt(s) + eps)       (eps = 1e-8 by default)
/// ```
#[derive(Clone, Debug)]
pub struct RmsProp<T> {
    rho: T,
    eps: T,
    weight_decay: T,
    mean_square: Vec<Vec<T>>,
    layout: ParamLayout,
}

impl<T: Float> RmsProp<T> {
    /// The default decay `rho` of the running mean (PyTorch's `alpha`).
    pub const DEFAULT_RHO: f64 = 0.99;
    /// The default `eps`.
    pub const DEFAULT_EPS: f64 = 1e-8;

    /// RMSProp with `rho = 0.99`, `eps = 1e-8` and no weight decay.
    pub fn new() -> Self {
        RmsProp {
            rho: T::from_f64(Self::DEFAULT_RHO),
            eps: T::from_f64(Self::DEFAULT_EPS),
            weight_decay: T::ZERO,
            mean_square: Vec::new(),
            layout: ParamLayout::default(),
        }
    }

    /// Sets the decay `rho` of the running mean of `g^2`.
    ///
    /// # Panics
    /// Unless `0 <= rho < 1`.
    pub fn rho(mut self, rho: T) -> Self {
        assert_unit_interval("RmsProp: rho", rho);
        self.rho = rho;
        self
    }

    /// Sets `eps`, added to `sqrt(s)` to avoid dividing by zero.
    ///
    /// # Panics
    /// If `eps` is negative or not finite.
    pub fn eps(mut self, eps: T) -> Self {
        assert_finite_nonnegative("RmsProp: eps", eps);
        self.eps = eps;
        self
    }

    /// Adds L2 weight decay: `weight_decay * w` is added to the gradient.
    ///
    /// # Panics
    /// If `weight_decay` is negative or not finite.
    pub fn weight_decay(mut self, weight_decay: T) -> Self {
        assert_finite_nonnegative("RmsProp: weight decay", weight_decay);
        self.weight_decay = weight_decay;
        self
    }

    /// The running mean `s` of `g^2` of parameter `index`, once the first step has
    /// created it.
    pub fn mean_square(&self, index: usize) -> Option<&[T]> {
        self.mean_square.get(index).map(Vec::as_slice)
    }
}

impl<T: Float> Default for RmsProp<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Float> Optimizer<T> for RmsProp<T> {
    fn step(&mut self, params: &mut [&mut Tensor<T>], grads: &[&[T]], learning_rate: T) {
        if self.layout.check("RmsProp", params, grads) {
            self.mean_square = zeroed_like(params);
        }
        let (rho, eps, eta) = (self.rho, self.eps, learning_rate);
        let means = [&mut self.mean_square];
        for_each_element(params, grads, self.weight_decay, means, |w, g, [s]| {
            *s = rho * *s + (T::ONE - rho) * g * g;
            *w -= eta * g / (s.sqrt() + eps);
        });
    }

    fn reset(&mut self) {
        self.mean_square.clear();
        self.layout.reset();
    }
}

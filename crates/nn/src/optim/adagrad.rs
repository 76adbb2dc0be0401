//! AdaGrad: per-coordinate steps that shrink with the squared gradients seen.

use super::{
    finite_nonnegative, finite_positive, for_each_element, validated, zeroed_like, Optimizer,
    OptimizerKind, ParamLayout, Preset,
};
use serde::{Deserialize, Serialize};
use tape::{Float, Tensor};

/// [`AdaGrad`]'s hyperparameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdaGradConfig {
    /// Added to `sqrt(G)`.
    pub eps: f64,
    /// L2 weight decay added to the gradient (0 if absent from JSON).
    #[serde(default)]
    pub weight_decay: f64,
}

impl AdaGradConfig {
    /// PyTorch's defaults: `eps = 1e-10`, no weight decay.
    pub const DEFAULTS: Self = AdaGradConfig {
        eps: 1e-10,
        weight_decay: 0.0,
    };
}

impl OptimizerKind for AdaGradConfig {
    const PRESETS: &'static [Preset<Self>] = &[Preset::new(
        "adagrad",
        "AdaGrad: per-coordinate steps that shrink with the squared gradients seen",
        Self::DEFAULTS,
    )];

    fn validate(&self) -> Result<(), String> {
        finite_positive("eps", self.eps)?;
        finite_nonnegative("weight_decay", self.weight_decay)
    }

    fn build<T: Float>(&self) -> Box<dyn Optimizer<T>> {
        Box::new(AdaGrad::from_config(*self))
    }
}

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
    config: AdaGradConfig,
    sum_of_squares: Vec<Vec<T>>,
    layout: ParamLayout,
}

impl<T: Float> AdaGrad<T> {
    /// The default `eps` of PyTorch.
    pub const DEFAULT_EPS: f64 = AdaGradConfig::DEFAULTS.eps;

    /// AdaGrad with these hyperparameters.
    ///
    /// # Panics
    /// If [`AdaGradConfig`]'s check fails; the message names the hyperparameter.
    pub fn from_config(config: AdaGradConfig) -> Self {
        AdaGrad {
            config: validated("AdaGrad", config),
            sum_of_squares: Vec::new(),
            layout: ParamLayout::default(),
        }
    }

    /// AdaGrad with `eps = 1e-10` and no weight decay.
    pub fn new() -> Self {
        Self::from_config(AdaGradConfig::DEFAULTS)
    }

    /// Sets `eps`, added to `sqrt(G)` to avoid dividing by zero.
    ///
    /// # Panics
    /// If `eps` is negative or not finite.
    pub fn eps(self, eps: T) -> Self {
        Self::from_config(AdaGradConfig {
            eps: eps.to_f64(),
            ..self.config
        })
    }

    /// Adds L2 weight decay: `weight_decay * w` is added to the gradient.
    ///
    /// # Panics
    /// If `weight_decay` is negative or not finite.
    pub fn weight_decay(self, weight_decay: T) -> Self {
        Self::from_config(AdaGradConfig {
            weight_decay: weight_decay.to_f64(),
            ..self.config
        })
    }

    /// The hyperparameters.
    pub fn config(&self) -> &AdaGradConfig {
        &self.config
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
        let (eps, eta) = (T::from_f64(self.config.eps), learning_rate);
        let weight_decay = T::from_f64(self.config.weight_decay);
        let sums = [&mut self.sum_of_squares];
        for_each_element(params, grads, weight_decay, sums, |w, g, [big_g]| {
            *big_g += g * g;
            *w -= eta * g / (big_g.sqrt() + eps);
        });
    }

    fn reset(&mut self) {
        self.sum_of_squares.clear();
        self.layout.reset();
    }
}

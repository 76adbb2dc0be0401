//! RMSProp: AdaGrad with a forgetting running mean.

use super::{
    finite_nonnegative, finite_positive, for_each_element, unit_interval, validated, zeroed_like,
    Optimizer, OptimizerKind, ParamLayout, Preset,
};
use serde::{Deserialize, Serialize};
use tape::{Float, Tensor};

/// [`RmsProp`]'s hyperparameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RmsPropConfig {
    /// Decay of the running mean of `g^2` (PyTorch's `alpha`).
    pub rho: f64,
    /// Added to `sqrt(s)`.
    pub eps: f64,
    /// L2 weight decay added to the gradient (0 if absent from JSON).
    #[serde(default)]
    pub weight_decay: f64,
}

impl RmsPropConfig {
    /// PyTorch's defaults: `rho = 0.99`, `eps = 1e-8`, no weight decay.
    pub const DEFAULTS: Self = RmsPropConfig {
        rho: 0.99,
        eps: 1e-8,
        weight_decay: 0.0,
    };
}

impl OptimizerKind for RmsPropConfig {
    const PRESETS: &'static [Preset<Self>] = &[Preset::new(
        "rmsprop",
        "RMSProp: AdaGrad with a forgetting running mean of g^2",
        Self::DEFAULTS,
    )];

    fn validate(&self) -> Result<(), String> {
        unit_interval("rho", self.rho)?;
        finite_positive("eps", self.eps)?;
        finite_nonnegative("weight_decay", self.weight_decay)
    }

    fn build<T: Float>(&self) -> Box<dyn Optimizer<T>> {
        Box::new(RmsProp::from_config(*self))
    }
}

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
    config: RmsPropConfig,
    mean_square: Vec<Vec<T>>,
    layout: ParamLayout,
}

impl<T: Float> RmsProp<T> {
    /// The default decay `rho` of the running mean (PyTorch's `alpha`).
    pub const DEFAULT_RHO: f64 = RmsPropConfig::DEFAULTS.rho;
    /// The default `eps`.
    pub const DEFAULT_EPS: f64 = RmsPropConfig::DEFAULTS.eps;

    /// RMSProp with these hyperparameters.
    ///
    /// # Panics
    /// If [`RmsPropConfig`]'s check fails; the message names the hyperparameter.
    pub fn from_config(config: RmsPropConfig) -> Self {
        RmsProp {
            config: validated("RmsProp", config),
            mean_square: Vec::new(),
            layout: ParamLayout::default(),
        }
    }

    /// RMSProp with `rho = 0.99`, `eps = 1e-8` and no weight decay.
    pub fn new() -> Self {
        Self::from_config(RmsPropConfig::DEFAULTS)
    }

    /// Sets the decay `rho` of the running mean of `g^2`.
    ///
    /// # Panics
    /// Unless `0 <= rho < 1`.
    pub fn rho(self, rho: T) -> Self {
        Self::from_config(RmsPropConfig {
            rho: rho.to_f64(),
            ..self.config
        })
    }

    /// Sets `eps`, added to `sqrt(s)` to avoid dividing by zero.
    ///
    /// # Panics
    /// If `eps` is negative or not finite.
    pub fn eps(self, eps: T) -> Self {
        Self::from_config(RmsPropConfig {
            eps: eps.to_f64(),
            ..self.config
        })
    }

    /// Adds L2 weight decay: `weight_decay * w` is added to the gradient.
    ///
    /// # Panics
    /// If `weight_decay` is negative or not finite.
    pub fn weight_decay(self, weight_decay: T) -> Self {
        Self::from_config(RmsPropConfig {
            weight_decay: weight_decay.to_f64(),
            ..self.config
        })
    }

    /// The hyperparameters.
    pub fn config(&self) -> &RmsPropConfig {
        &self.config
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
        let (rho, eps, eta) = (
            T::from_f64(self.config.rho),
            T::from_f64(self.config.eps),
            learning_rate,
        );
        let weight_decay = T::from_f64(self.config.weight_decay);
        let means = [&mut self.mean_square];
        for_each_element(params, grads, weight_decay, means, |w, g, [s]| {
            *s = rho * *s + (T::ONE - rho) * g * g;
            *w -= eta * g / (s.sqrt() + eps);
        });
    }

    fn reset(&mut self) {
        self.mean_square.clear();
        self.layout.reset();
    }
}

//! Stochastic gradient descent, with momentum and Nesterov.

use super::{
    finite_nonnegative, for_each_element, validated, zeroed_like, Optimizer, OptimizerKind,
    ParamLayout, Preset,
};
use serde::{Deserialize, Serialize};
use tape::{Float, Tensor};

/// [`Sgd`]'s hyperparameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SgdConfig {
    /// Momentum `mu` (0 for plain SGD).
    pub momentum: f64,
    /// Nesterov momentum (needs `momentum > 0`).
    pub nesterov: bool,
    /// L2 weight decay added to the gradient.
    pub weight_decay: f64,
}

impl SgdConfig {
    /// Plain SGD: no momentum, no weight decay.
    pub const DEFAULTS: Self = SgdConfig {
        momentum: 0.0,
        nesterov: false,
        weight_decay: 0.0,
    };

    /// The momentum of the presets `momentum` and `nesterov`.
    pub const DEFAULT_MOMENTUM: f64 = 0.9;
}

impl OptimizerKind for SgdConfig {
    const PRESETS: &'static [Preset<Self>] = &[
        Preset::new("sgd", "plain stochastic gradient descent", Self::DEFAULTS),
        Preset::new(
            "momentum",
            "SGD with heavy-ball momentum",
            SgdConfig {
                momentum: Self::DEFAULT_MOMENTUM,
                ..Self::DEFAULTS
            },
        ),
        Preset::new(
            "nesterov",
            "SGD with Nesterov momentum",
            SgdConfig {
                momentum: Self::DEFAULT_MOMENTUM,
                nesterov: true,
                ..Self::DEFAULTS
            },
        ),
    ];

    fn validate(&self) -> Result<(), String> {
        finite_nonnegative("momentum", self.momentum)?;
        finite_nonnegative("weight_decay", self.weight_decay)?;
        if self.nesterov && self.momentum == 0.0 {
            return Err("Nesterov momentum must be positive, got 0".into());
        }
        Ok(())
    }

    fn build<T: Float>(&self) -> Box<dyn Optimizer<T>> {
        Box::new(Sgd::from_config(*self))
    }

    fn name(&self) -> &'static str {
        match self {
            SgdConfig { nesterov: true, .. } => "nesterov",
            SgdConfig { momentum, .. } if *momentum != 0.0 => "momentum",
            _ => "sgd",
        }
    }
}

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
    config: SgdConfig,
    momentum_buffers: Vec<Vec<T>>,
    layout: ParamLayout,
}

impl<T: Float> Sgd<T> {
    /// SGD with these hyperparameters.
    ///
    /// # Panics
    /// If [`SgdConfig`]'s check fails; the message names the hyperparameter.
    pub fn from_config(config: SgdConfig) -> Self {
        Sgd {
            config: validated("Sgd", config),
            momentum_buffers: Vec::new(),
            layout: ParamLayout::default(),
        }
    }

    /// Plain SGD: `w <- w - eta g`. No state.
    pub fn new() -> Self {
        Self::from_config(SgdConfig::DEFAULTS)
    }

    /// SGD with heavy-ball momentum `momentum`: `b <- mu b + g; w <- w - eta b`.
    ///
    /// # Panics
    /// If `momentum` is negative or not finite.
    pub fn with_momentum(momentum: T) -> Self {
        Self::from_config(SgdConfig {
            momentum: momentum.to_f64(),
            ..SgdConfig::DEFAULTS
        })
    }

    /// SGD with Nesterov momentum: `b <- mu b + g; w <- w - eta (g + mu b)`.
    ///
    /// # Panics
    /// If `momentum` is not positive and finite (Nesterov needs momentum).
    pub fn nesterov(momentum: T) -> Self {
        Self::from_config(SgdConfig {
            momentum: momentum.to_f64(),
            nesterov: true,
            ..SgdConfig::DEFAULTS
        })
    }

    /// Adds L2 weight decay: `weight_decay * w` is added to the gradient.
    ///
    /// # Panics
    /// If `weight_decay` is negative or not finite.
    pub fn weight_decay(self, weight_decay: T) -> Self {
        Self::from_config(SgdConfig {
            weight_decay: weight_decay.to_f64(),
            ..self.config
        })
    }

    /// The hyperparameters.
    pub fn config(&self) -> &SgdConfig {
        &self.config
    }

    /// The momentum coefficient `mu` (0 for plain SGD).
    pub fn momentum(&self) -> T {
        T::from_f64(self.config.momentum)
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
        let (mu, nesterov, eta) = (self.momentum(), self.config.nesterov, learning_rate);
        let weight_decay = T::from_f64(self.config.weight_decay);
        if mu == T::ZERO {
            for_each_element(params, grads, weight_decay, [], |w, g, []| *w -= eta * g);
            return;
        }
        if first_step {
            self.momentum_buffers = zeroed_like(params);
        }
        let buffers = [&mut self.momentum_buffers];
        let update = |w: &mut T, g: T, b: &mut T, first_step: bool, nesterov: bool| {
            *b = if first_step { g } else { mu * *b + g };
            *w -= eta * if nesterov { g + mu * *b } else { *b };
        };
        // One loop per case, so that none tests the case per element.
        match (first_step, nesterov) {
            (false, false) => {
                for_each_element(params, grads, weight_decay, buffers, |w, g, [b]| {
                    update(w, g, b, false, false)
                })
            }
            (false, true) => for_each_element(params, grads, weight_decay, buffers, |w, g, [b]| {
                update(w, g, b, false, true)
            }),
            (true, nesterov) => {
                for_each_element(params, grads, weight_decay, buffers, |w, g, [b]| {
                    update(w, g, b, true, nesterov)
                })
            }
        }
    }

    fn reset(&mut self) {
        self.momentum_buffers.clear();
        self.layout.reset();
    }
}

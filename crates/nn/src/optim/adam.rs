//! Adam and AdamW: bias-corrected moment estimates.

use super::{
    finite_nonnegative, finite_positive, for_each_element, unit_interval, validated, zeroed_like,
    Optimizer, OptimizerKind, ParamLayout, Preset,
};
use serde::{Deserialize, Serialize};
use tape::{Float, Tensor};

/// [`Adam`]'s hyperparameters (with L2 weight decay; [`AdamWConfig`] for decoupled).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdamConfig {
    /// Decay of the first moment.
    pub beta1: f64,
    /// Decay of the second moment.
    pub beta2: f64,
    /// Added to `sqrt(v_hat)`.
    pub eps: f64,
    /// Weight decay: added to the gradient (Adam) or applied to the weights (AdamW).
    pub weight_decay: f64,
}

impl AdamConfig {
    /// PyTorch's defaults: `beta1 = 0.9`, `beta2 = 0.999`, `eps = 1e-8`, no weight decay.
    pub const DEFAULTS: Self = AdamConfig {
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weight_decay: 0.0,
    };
}

impl OptimizerKind for AdamConfig {
    const PRESETS: &'static [Preset<Self>] = &[Preset::new(
        "adam",
        "Adam: bias-corrected moment estimates, L2 weight decay",
        Self::DEFAULTS,
    )];

    fn validate(&self) -> Result<(), String> {
        unit_interval("beta1", self.beta1)?;
        unit_interval("beta2", self.beta2)?;
        finite_positive("eps", self.eps)?;
        finite_nonnegative("weight_decay", self.weight_decay)
    }

    fn build<T: Float>(&self) -> Box<dyn Optimizer<T>> {
        Box::new(Adam::from_config(*self))
    }
}

/// AdamW's hyperparameters: Adam's, with the weight decay decoupled from the gradient.
/// In JSON and text it has the same fields as [`AdamConfig`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AdamWConfig(pub AdamConfig);

impl AdamWConfig {
    /// PyTorch's defaults: Adam's, with decoupled weight decay 0.01.
    pub const DEFAULTS: Self = AdamWConfig(AdamConfig {
        weight_decay: 0.01,
        ..AdamConfig::DEFAULTS
    });
}

impl OptimizerKind for AdamWConfig {
    const PRESETS: &'static [Preset<Self>] = &[Preset::new(
        "adamw",
        "AdamW: Adam with decoupled weight decay",
        Self::DEFAULTS,
    )];

    fn validate(&self) -> Result<(), String> {
        self.0.validate()
    }

    fn build<T: Float>(&self) -> Box<dyn Optimizer<T>> {
        Box::new(Adam::adamw_from_config(*self))
    }
}

/// Adam (`torch.optim.Adam`) and, with decoupled weight decay, AdamW
/// (`torch.optim.AdamW`).
///
/// With step count `t` (1 on the first step), learning rate `eta`, weight decay
/// `lambda`:
///
/// ```text
/// g <- g + lambda w                 (Adam: L2 weight decay, if lambda != 0)
/// w <- w - eta lambda w             (AdamW: decoupled weight decay, before the Adam step)
/// m <- beta1 m + (1 - beta1) g      (first moment, starts at 0)
/// v <- beta2 v + (1 - beta2) g^2    (second moment, starts at 0)
/// m_hat = m / (1 - beta1^t)         (bias corrections; see the module docs)
/// v_hat = v / (1 - beta2^t)
/// w <- w - eta m_hat / (sqrt(v_hat) + eps)
/// ```
///
/// Defaults: `beta1 = 0.9`, `beta2 = 0.999`, `eps = 1e-8`; weight decay 0 for Adam and
/// 0.01 for AdamW. As in PyTorch, the decoupled decay is applied as `w <- w (1 - eta lambda)`
/// and the last line as `w <- w - (eta / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)`.
#[derive(Clone, Debug)]
pub struct Adam<T> {
    config: AdamConfig,
    decoupled: bool,
    step_count: u64,
    first_moment: Vec<Vec<T>>,
    second_moment: Vec<Vec<T>>,
    layout: ParamLayout,
}

impl<T: Float> Adam<T> {
    /// The default `beta1`.
    pub const DEFAULT_BETA1: f64 = AdamConfig::DEFAULTS.beta1;
    /// The default `beta2`.
    pub const DEFAULT_BETA2: f64 = AdamConfig::DEFAULTS.beta2;
    /// The default `eps`.
    pub const DEFAULT_EPS: f64 = AdamConfig::DEFAULTS.eps;
    /// The default weight decay of AdamW (Adam's is 0).
    pub const DEFAULT_ADAMW_WEIGHT_DECAY: f64 = AdamWConfig::DEFAULTS.0.weight_decay;

    /// Adam or AdamW with these hyperparameters, checked.
    fn with(config: AdamConfig, decoupled: bool) -> Self {
        Adam {
            config: validated(if decoupled { "AdamW" } else { "Adam" }, config),
            decoupled,
            step_count: 0,
            first_moment: Vec::new(),
            second_moment: Vec::new(),
            layout: ParamLayout::default(),
        }
    }

    /// Adam (L2 weight decay) with these hyperparameters.
    ///
    /// # Panics
    /// If [`AdamConfig`]'s check fails; the message names the hyperparameter.
    pub fn from_config(config: AdamConfig) -> Self {
        Self::with(config, false)
    }

    /// AdamW (decoupled weight decay) with these hyperparameters.
    ///
    /// # Panics
    /// If the check fails; the message names the hyperparameter.
    pub fn adamw_from_config(config: AdamWConfig) -> Self {
        Self::with(config.0, true)
    }

    /// Adam with `beta1 = 0.9`, `beta2 = 0.999`, `eps = 1e-8` and no weight decay.
    pub fn new() -> Self {
        Self::from_config(AdamConfig::DEFAULTS)
    }

    /// AdamW: Adam's defaults with decoupled weight decay 0.01.
    pub fn adamw() -> Self {
        Self::adamw_from_config(AdamWConfig::DEFAULTS)
    }

    /// Sets the decay rates of the first and second moments.
    ///
    /// # Panics
    /// Unless both lie in `[0, 1)`.
    pub fn betas(self, beta1: T, beta2: T) -> Self {
        let config = AdamConfig {
            beta1: beta1.to_f64(),
            beta2: beta2.to_f64(),
            ..self.config
        };
        Self::with(config, self.decoupled)
    }

    /// Sets `eps`, added to `sqrt(v_hat)` to avoid dividing by zero.
    ///
    /// # Panics
    /// If `eps` is negative or not finite.
    pub fn eps(self, eps: T) -> Self {
        let config = AdamConfig {
            eps: eps.to_f64(),
            ..self.config
        };
        Self::with(config, self.decoupled)
    }

    /// Sets the weight decay: L2 (added to the gradient) for Adam, decoupled for AdamW.
    ///
    /// # Panics
    /// If `weight_decay` is negative or not finite.
    pub fn weight_decay(self, weight_decay: T) -> Self {
        let config = AdamConfig {
            weight_decay: weight_decay.to_f64(),
            ..self.config
        };
        Self::with(config, self.decoupled)
    }

    /// The hyperparameters.
    pub fn config(&self) -> &AdamConfig {
        &self.config
    }

    /// True for AdamW (decoupled weight decay), false for Adam (L2 weight decay).
    pub fn is_decoupled(&self) -> bool {
        self.decoupled
    }

    /// The number of steps taken since construction or the last reset (`t`).
    pub fn step_count(&self) -> u64 {
        self.step_count
    }

    /// The first moment `m` of parameter `index`, once the first step has created it.
    pub fn first_moment(&self, index: usize) -> Option<&[T]> {
        self.first_moment.get(index).map(Vec::as_slice)
    }

    /// The second moment `v` of parameter `index`, once the first step has created it.
    pub fn second_moment(&self, index: usize) -> Option<&[T]> {
        self.second_moment.get(index).map(Vec::as_slice)
    }
}

impl<T: Float> Default for Adam<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Float> Optimizer<T> for Adam<T> {
    fn step(&mut self, params: &mut [&mut Tensor<T>], grads: &[&[T]], learning_rate: T) {
        let name = if self.decoupled { "AdamW" } else { "Adam" };
        if self.layout.check(name, params, grads) {
            self.first_moment = zeroed_like(params);
            self.second_moment = zeroed_like(params);
        }
        self.step_count += 1;
        let t = i32::try_from(self.step_count).unwrap_or(i32::MAX);
        let t_of = T::from_f64;
        let (beta1, beta2) = (t_of(self.config.beta1), t_of(self.config.beta2));
        let (eps, weight_decay, eta) = (
            t_of(self.config.eps),
            t_of(self.config.weight_decay),
            learning_rate,
        );
        let bias_correction1 = T::ONE - beta1.powi(t);
        let bias_correction2_sqrt = (T::ONE - beta2.powi(t)).sqrt();
        let step_size = eta / bias_correction1;
        // Adam adds the decay to the gradient (L2); AdamW shrinks the weight directly.
        let (l2_decay, decoupled_factor) = if self.decoupled {
            (T::ZERO, T::ONE - eta * weight_decay)
        } else {
            (weight_decay, T::ONE)
        };
        let moments = [&mut self.first_moment, &mut self.second_moment];
        let update = |w: &mut T, g: T, m: &mut T, v: &mut T, shrink: bool| {
            if shrink {
                *w *= decoupled_factor;
            }
            *m = beta1 * *m + (T::ONE - beta1) * g;
            *v = beta2 * *v + (T::ONE - beta2) * g * g;
            *w -= step_size * *m / (v.sqrt() / bias_correction2_sqrt + eps);
        };
        // One loop per case, so that neither tests it per element.
        if decoupled_factor != T::ONE {
            for_each_element(params, grads, l2_decay, moments, |w, g, [m, v]| {
                update(w, g, m, v, true)
            });
        } else {
            for_each_element(params, grads, l2_decay, moments, |w, g, [m, v]| {
                update(w, g, m, v, false)
            });
        }
    }

    fn reset(&mut self) {
        self.step_count = 0;
        self.first_moment.clear();
        self.second_moment.clear();
        self.layout.reset();
    }
}

//! [`OptimizerConfig`]: an optimizer named in text or JSON, built into a boxed [`Optimizer`].

use super::{AdaGrad, Adam, Optimizer, RmsProp, Sgd};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use tape::Float;

/// A serializable description of an optimizer and its hyperparameters, for the command
/// line and model files.
///
/// In JSON the variant is named by a `kind` field, spelt like the names [`FromStr`]
/// accepts (`sgd`, `adagrad`, `rmsprop`, `adam`, `adamw`):
/// `{"kind":"adam","beta1":0.9,"beta2":0.999,"eps":1e-8,"weight_decay":0.0}`.
/// [`FromStr`] accepts a bare name with default hyperparameters (see
/// [`OptimizerConfig::NAMES`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OptimizerConfig {
    /// [`Sgd`]: plain, heavy-ball momentum, or Nesterov, with L2 weight decay.
    Sgd {
        /// Momentum `mu` (0 for plain SGD).
        momentum: f64,
        /// Nesterov momentum (needs `momentum > 0`).
        nesterov: bool,
        /// L2 weight decay added to the gradient.
        weight_decay: f64,
    },
    /// [`AdaGrad`].
    #[serde(rename = "adagrad", alias = "ada_grad")]
    AdaGrad {
        /// Added to `sqrt(G)`.
        eps: f64,
    },
    /// [`RmsProp`].
    #[serde(rename = "rmsprop", alias = "rms_prop")]
    RmsProp {
        /// Decay of the running mean of `g^2`.
        rho: f64,
        /// Added to `sqrt(s)`.
        eps: f64,
    },
    /// [`Adam`] with L2 weight decay.
    Adam {
        /// Decay of the first moment.
        beta1: f64,
        /// Decay of the second moment.
        beta2: f64,
        /// Added to `sqrt(v_hat)`.
        eps: f64,
        /// L2 weight decay added to the gradient.
        weight_decay: f64,
    },
    /// [`Adam`] with decoupled weight decay (AdamW).
    #[serde(rename = "adamw", alias = "adam_w")]
    AdamW {
        /// Decay of the first moment.
        beta1: f64,
        /// Decay of the second moment.
        beta2: f64,
        /// Added to `sqrt(v_hat)`.
        eps: f64,
        /// Decoupled weight decay: `w <- w - eta weight_decay w`.
        weight_decay: f64,
    },
}

impl OptimizerConfig {
    /// The names [`FromStr`] accepts, each meaning that optimizer with its defaults.
    pub const NAMES: [&'static str; 7] = [
        "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw",
    ];

    /// Momentum used by the names `momentum` and `nesterov`.
    pub const DEFAULT_MOMENTUM: f64 = 0.9;

    /// Plain SGD.
    pub fn sgd() -> Self {
        OptimizerConfig::Sgd {
            momentum: 0.0,
            nesterov: false,
            weight_decay: 0.0,
        }
    }

    /// SGD with heavy-ball momentum `momentum`.
    pub fn momentum(momentum: f64) -> Self {
        OptimizerConfig::Sgd {
            momentum,
            nesterov: false,
            weight_decay: 0.0,
        }
    }

    /// SGD with Nesterov momentum `momentum`.
    pub fn nesterov(momentum: f64) -> Self {
        OptimizerConfig::Sgd {
            momentum,
            nesterov: true,
            weight_decay: 0.0,
        }
    }

    /// AdaGrad with `eps = 1e-10`.
    pub fn adagrad() -> Self {
        OptimizerConfig::AdaGrad {
            eps: AdaGrad::<f64>::DEFAULT_EPS,
        }
    }

    /// RMSProp with `rho = 0.99`, `eps = 1e-8`.
    pub fn rmsprop() -> Self {
        OptimizerConfig::RmsProp {
            rho: RmsProp::<f64>::DEFAULT_RHO,
            eps: RmsProp::<f64>::DEFAULT_EPS,
        }
    }

    /// Adam with `beta1 = 0.9`, `beta2 = 0.999`, `eps = 1e-8`, no weight decay.
    pub fn adam() -> Self {
        OptimizerConfig::Adam {
            beta1: Adam::<f64>::DEFAULT_BETA1,
            beta2: Adam::<f64>::DEFAULT_BETA2,
            eps: Adam::<f64>::DEFAULT_EPS,
            weight_decay: 0.0,
        }
    }

    /// AdamW with Adam's defaults and decoupled weight decay 0.01.
    pub fn adamw() -> Self {
        OptimizerConfig::AdamW {
            beta1: Adam::<f64>::DEFAULT_BETA1,
            beta2: Adam::<f64>::DEFAULT_BETA2,
            eps: Adam::<f64>::DEFAULT_EPS,
            weight_decay: Adam::<f64>::DEFAULT_ADAMW_WEIGHT_DECAY,
        }
    }

    /// A short name of the optimizer (one of [`OptimizerConfig::NAMES`]).
    pub fn name(&self) -> &'static str {
        match self {
            OptimizerConfig::Sgd { nesterov: true, .. } => "nesterov",
            OptimizerConfig::Sgd { momentum, .. } if *momentum != 0.0 => "momentum",
            OptimizerConfig::Sgd { .. } => "sgd",
            OptimizerConfig::AdaGrad { .. } => "adagrad",
            OptimizerConfig::RmsProp { .. } => "rmsprop",
            OptimizerConfig::Adam { .. } => "adam",
            OptimizerConfig::AdamW { .. } => "adamw",
        }
    }

    /// Checks the hyperparameters: decay rates in `[0, 1)`, non-negative finite momentum,
    /// eps and weight decay, and positive momentum for Nesterov.
    pub fn validate(&self) -> Result<(), String> {
        let non_negative = |what: &str, x: f64| {
            if x.is_finite() && x >= 0.0 {
                Ok(())
            } else {
                Err(format!(
                    "{}: {what} must be finite and non-negative, got {x}",
                    self.name()
                ))
            }
        };
        let unit = |what: &str, x: f64| {
            if (0.0..1.0).contains(&x) {
                Ok(())
            } else {
                Err(format!(
                    "{}: {what} must lie in [0, 1), got {x}",
                    self.name()
                ))
            }
        };
        match *self {
            OptimizerConfig::Sgd {
                momentum,
                nesterov,
                weight_decay,
            } => {
                non_negative("momentum", momentum)?;
                non_negative("weight_decay", weight_decay)?;
                if nesterov && momentum <= 0.0 {
                    return Err("nesterov: Nesterov momentum needs momentum > 0".to_string());
                }
                Ok(())
            }
            OptimizerConfig::AdaGrad { eps } => non_negative("eps", eps),
            OptimizerConfig::RmsProp { rho, eps } => {
                unit("rho", rho)?;
                non_negative("eps", eps)
            }
            OptimizerConfig::Adam {
                beta1,
                beta2,
                eps,
                weight_decay,
            }
            | OptimizerConfig::AdamW {
                beta1,
                beta2,
                eps,
                weight_decay,
            } => {
                unit("beta1", beta1)?;
                unit("beta2", beta2)?;
                non_negative("eps", eps)?;
                non_negative("weight_decay", weight_decay)
            }
        }
    }

    /// A fresh optimizer (no state) with these hyperparameters.
    ///
    /// # Panics
    /// If [`validate`](OptimizerConfig::validate) fails; the message says why.
    pub fn build<T: Float>(&self) -> Box<dyn Optimizer<T>> {
        if let Err(message) = self.validate() {
            panic!("OptimizerConfig::build: {message}");
        }
        let t = T::from_f64;
        match *self {
            OptimizerConfig::Sgd {
                momentum,
                nesterov,
                weight_decay,
            } => {
                let sgd = if nesterov {
                    Sgd::nesterov(t(momentum))
                } else {
                    Sgd::with_momentum(t(momentum))
                };
                Box::new(sgd.weight_decay(t(weight_decay)))
            }
            OptimizerConfig::AdaGrad { eps } => Box::new(AdaGrad::new().eps(t(eps))),
            OptimizerConfig::RmsProp { rho, eps } => {
                Box::new(RmsProp::new().rho(t(rho)).eps(t(eps)))
            }
            OptimizerConfig::Adam {
                beta1,
                beta2,
                eps,
                weight_decay,
            } => Box::new(
                Adam::new()
                    .betas(t(beta1), t(beta2))
                    .eps(t(eps))
                    .weight_decay(t(weight_decay)),
            ),
            OptimizerConfig::AdamW {
                beta1,
                beta2,
                eps,
                weight_decay,
            } => Box::new(
                Adam::adamw()
                    .betas(t(beta1), t(beta2))
                    .eps(t(eps))
                    .weight_decay(t(weight_decay)),
            ),
        }
    }
}

impl Default for OptimizerConfig {
    /// Plain SGD.
    fn default() -> Self {
        Self::sgd()
    }
}

impl FromStr for OptimizerConfig {
    type Err = String;

    /// Parses one of [`OptimizerConfig::NAMES`] (case-insensitive), giving that optimizer
    /// with default hyperparameters: `sgd` (plain), `momentum` and `nesterov` (momentum
    /// 0.9), `adagrad`, `rmsprop`, `adam`, `adamw`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sgd" => Ok(Self::sgd()),
            "momentum" => Ok(Self::momentum(Self::DEFAULT_MOMENTUM)),
            "nesterov" => Ok(Self::nesterov(Self::DEFAULT_MOMENTUM)),
            "adagrad" => Ok(Self::adagrad()),
            "rmsprop" => Ok(Self::rmsprop()),
            "adam" => Ok(Self::adam()),
            "adamw" => Ok(Self::adamw()),
            _ => Err(format!(
                "unknown optimizer `{s}`; expected one of: {}",
                Self::NAMES.join(", ")
            )),
        }
    }
}

impl fmt::Display for OptimizerConfig {
    /// The name and hyperparameters, e.g. `adam (beta1 0.9, beta2 0.999, eps 0.00000001,
    /// weight decay 0)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name())?;
        match *self {
            OptimizerConfig::Sgd {
                momentum,
                weight_decay,
                ..
            } => write!(f, " (momentum {momentum}, weight decay {weight_decay})"),
            OptimizerConfig::AdaGrad { eps } => write!(f, " (eps {eps})"),
            OptimizerConfig::RmsProp { rho, eps } => write!(f, " (rho {rho}, eps {eps})"),
            OptimizerConfig::Adam {
                beta1,
                beta2,
                eps,
                weight_decay,
            }
            | OptimizerConfig::AdamW {
                beta1,
                beta2,
                eps,
                weight_decay,
            } => write!(
                f,
                " (beta1 {beta1}, beta2 {beta2}, eps {eps}, weight decay {weight_decay})"
            ),
        }
    }
}

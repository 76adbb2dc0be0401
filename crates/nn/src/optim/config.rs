//! [`OptimizerConfig`]: an optimizer named in text or JSON, built into a boxed
//! [`Optimizer`]. The enum and its dispatch come from the registry in
//! [`optim`](super); what is written here works for every registered optimizer alike.

use super::Optimizer;
use data::display::float;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::fmt;
use std::str::FromStr;
use tape::Float;

/// What a step-wise optimizer registers: its hyperparameters (the implementing type, a
/// struct of `f64`s and `bool`s that serializes to a JSON object), the one check of
/// them, the names it is asked for by, and how to build it.
pub trait OptimizerKind:
    Copy + fmt::Debug + PartialEq + Serialize + DeserializeOwned + Into<OptimizerConfig> + 'static
{
    /// The names this optimizer is asked for by, each with a summary and the
    /// hyperparameters it stands for. The first is the optimizer's defaults.
    const PRESETS: &'static [Preset<Self>];

    /// Checks the hyperparameters, naming the one that is wrong and why. The optimizer's
    /// builders, [`OptimizerConfig::validate`] and the parser all use this.
    fn validate(&self) -> Result<(), String>;

    /// A fresh optimizer (no state) with these hyperparameters.
    ///
    /// # Panics
    /// If [`validate`](OptimizerKind::validate) fails.
    fn build<T: Float>(&self) -> Box<dyn Optimizer<T>>;

    /// The name of the preset that describes these hyperparameters best (by default the
    /// first: `momentum` for SGD with momentum, say, overrides it).
    fn name(&self) -> &'static str {
        Self::PRESETS[0].name
    }
}

/// A name an optimizer is asked for by, with the hyperparameters it stands for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Preset<C> {
    /// What the parser accepts, e.g. `momentum`.
    pub name: &'static str,
    /// One line for help texts.
    pub summary: &'static str,
    /// The hyperparameters.
    pub config: C,
}

impl<C> Preset<C> {
    /// The preset `name`, described by `summary`, standing for `config`.
    pub const fn new(name: &'static str, summary: &'static str, config: C) -> Self {
        Preset {
            name,
            summary,
            config,
        }
    }
}

/// Generates, from the registry's list of `Variant(ConfigType) = "tag" | "alias"`, the
/// serializable [`OptimizerConfig`] enum (tagged by `kind` in JSON) and its dispatch to
/// each config type's [`OptimizerKind`] implementation.
macro_rules! register_optimizers {
    ($( $(#[$doc:meta])* $variant:ident($config:ty) = $tag:literal $(| $alias:literal)* ),* $(,)?) => {
        /// A serializable description of an optimizer and its hyperparameters, for the
        /// command line and model files: one variant per registered optimizer, holding its
        /// config type.
        ///
        /// In JSON the variant is named by a `kind` field:
        /// `{"kind":"adam","beta1":0.9,"beta2":0.999,"eps":1e-8,"weight_decay":0.0}`. In
        /// text ([`FromStr`](std::str::FromStr), [`Display`](std::fmt::Display)) it is a
        /// preset name, optionally with hyperparameters set:
        /// `adam:beta1=0.8,weight_decay=0.01`. [`OptimizerConfig::presets`] lists the names.
        #[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(tag = "kind")]
        pub enum OptimizerConfig {
            $(
                $(#[$doc])*
                #[serde(rename = $tag $(, alias = $alias)*)]
                $variant($config),
            )*
        }

        impl OptimizerConfig {
            /// Every preset of every registered optimizer, in registration order: the
            /// names [`FromStr`](std::str::FromStr) accepts.
            pub fn presets() -> Vec<$crate::optim::Preset<OptimizerConfig>> {
                let mut all = Vec::new();
                $(
                    all.extend(
                        <$config as $crate::optim::OptimizerKind>::PRESETS
                            .iter()
                            .map(|p| $crate::optim::Preset {
                                name: p.name,
                                summary: p.summary,
                                config: OptimizerConfig::$variant(p.config),
                            }),
                    );
                )*
                all
            }

            /// The name of the preset that describes this configuration best (one of
            /// [`OptimizerConfig::names`]).
            pub fn name(&self) -> &'static str {
                match self {
                    $( OptimizerConfig::$variant(c) => $crate::optim::OptimizerKind::name(c), )*
                }
            }

            /// Checks the hyperparameters with the optimizer's own check; the error
            /// starts with the optimizer's name.
            pub fn validate(&self) -> Result<(), String> {
                let result = match self {
                    $( OptimizerConfig::$variant(c) => $crate::optim::OptimizerKind::validate(c), )*
                };
                result.map_err(|reason| format!("{}: {reason}", self.name()))
            }

            /// A fresh optimizer (no state) with these hyperparameters.
            ///
            /// # Panics
            /// If [`validate`](OptimizerConfig::validate) fails; the message says why.
            pub fn build<T: tape::Float>(&self) -> Box<dyn $crate::optim::Optimizer<T>> {
                if let Err(message) = self.validate() {
                    panic!("OptimizerConfig::build: {message}");
                }
                match self {
                    $( OptimizerConfig::$variant(c) => $crate::optim::OptimizerKind::build(c), )*
                }
            }
        }

        $(
            impl From<$config> for OptimizerConfig {
                fn from(config: $config) -> Self {
                    OptimizerConfig::$variant(config)
                }
            }
        )*
    };
}
pub(crate) use register_optimizers;

use super::{AdaGradConfig, AdamConfig, AdamWConfig, OptimizerConfig, RmsPropConfig, SgdConfig};

impl OptimizerConfig {
    /// The names [`FromStr`] accepts, each meaning that optimizer with its preset
    /// hyperparameters, in registration order.
    pub fn names() -> Vec<&'static str> {
        Self::presets().iter().map(|p| p.name).collect()
    }

    /// The configuration a preset name stands for (case-insensitive).
    pub fn preset(name: &str) -> Option<Self> {
        let name = name.trim().to_ascii_lowercase();
        Self::presets()
            .into_iter()
            .find(|p| p.name == name)
            .map(|p| p.config)
    }

    /// The hyperparameters by name, as the text syntax and JSON spell them.
    fn hyperparameters(&self) -> serde_json::Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(mut fields)) => {
                fields.remove("kind");
                fields
            }
            _ => unreachable!("a registered optimizer's config serializes to a JSON object"),
        }
    }

    /// This configuration with the hyperparameters of `settings` (`key=value,...`) set,
    /// or an error naming the key or value that does not fit. Works on the JSON form, so
    /// every registered optimizer's fields are settable by their own names.
    fn with_settings(&self, settings: &str) -> Result<Self, String> {
        let mut json = serde_json::to_value(self).expect("a config serializes");
        let fields = json.as_object_mut().expect("a config is a JSON object");
        // Each key once: with `beta1=0.9,beta1=0.8` one of the two would be dropped unseen.
        let mut set: Vec<(&str, &str)> = Vec::new();
        for setting in settings.split(',') {
            let Some((key, text)) = setting.split_once('=') else {
                return Err(format!("`{}` is not KEY=VALUE", setting.trim()));
            };
            let (key, text) = (key.trim(), text.trim());
            if let Some((_, first)) = set.iter().find(|(k, _)| *k == key) {
                return Err(format!(
                    "{key} is set twice ({key}={first}, then {key}={text}); set it once"
                ));
            }
            set.push((key, text));
            let slot = match fields.get_mut(key) {
                Some(slot) if key != "kind" => slot,
                _ => {
                    let keys: Vec<String> =
                        self.hyperparameters().into_iter().map(|(k, _)| k).collect();
                    return Err(format!(
                        "{} has no hyperparameter `{key}`; it has {}",
                        self.name(),
                        keys.join(", ")
                    ));
                }
            };
            *slot = match slot {
                Value::Bool(_) => Value::Bool(
                    text.parse()
                        .map_err(|_| format!("{key} must be true or false, got `{text}`"))?,
                ),
                _ => match text.parse::<f64>() {
                    Ok(x) if x.is_finite() => Value::from(x),
                    _ => return Err(format!("{key} must be a finite number, got `{text}`")),
                },
            };
        }
        serde_json::from_value(json).map_err(|e| e.to_string())
    }

    /// Plain SGD.
    pub fn sgd() -> Self {
        SgdConfig::DEFAULTS.into()
    }

    /// SGD with heavy-ball momentum `momentum`.
    pub fn momentum(momentum: f64) -> Self {
        SgdConfig {
            momentum,
            ..SgdConfig::DEFAULTS
        }
        .into()
    }

    /// SGD with Nesterov momentum `momentum`.
    pub fn nesterov(momentum: f64) -> Self {
        SgdConfig {
            momentum,
            nesterov: true,
            ..SgdConfig::DEFAULTS
        }
        .into()
    }

    /// AdaGrad with its defaults.
    pub fn adagrad() -> Self {
        AdaGradConfig::DEFAULTS.into()
    }

    /// RMSProp with its defaults.
    pub fn rmsprop() -> Self {
        RmsPropConfig::DEFAULTS.into()
    }

    /// Adam with its defaults (no weight decay).
    pub fn adam() -> Self {
        AdamConfig::DEFAULTS.into()
    }

    /// AdamW with its defaults (decoupled weight decay 0.01).
    pub fn adamw() -> Self {
        AdamWConfig::DEFAULTS.into()
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

    /// Parses a preset name (one of [`OptimizerConfig::names`], case-insensitive),
    /// optionally followed by `:` and hyperparameters to set, `KEY=VALUE` separated by
    /// commas, each key at most once: `adam`, `momentum:momentum=0.95`,
    /// `adagrad:weight_decay=1e-4`. The result is validated.
    fn from_str(text: &str) -> Result<Self, String> {
        let (name, settings) = text.split_once(':').unwrap_or((text, ""));
        let Some(preset) = Self::preset(name) else {
            return Err(format!(
                "unknown optimizer `{}`; expected one of: {}",
                name.trim(),
                Self::names().join(", ")
            ));
        };
        let config = if settings.trim().is_empty() {
            preset
        } else {
            preset.with_settings(settings)?
        };
        config.validate()?;
        Ok(config)
    }
}

impl fmt::Display for OptimizerConfig {
    /// The text [`FromStr`] reads back to an equal configuration: the name and every
    /// hyperparameter, e.g. `adam:beta1=0.9,beta2=0.999,eps=1e-8,weight_decay=0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name())?;
        for (i, (key, value)) in self.hyperparameters().iter().enumerate() {
            let separator = if i == 0 { ':' } else { ',' };
            match value.as_f64() {
                Some(x) => write!(f, "{separator}{key}={}", float(x))?,
                None => write!(f, "{separator}{key}={value}")?,
            }
        }
        Ok(())
    }
}

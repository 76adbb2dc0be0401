//! From `tapegrad train` flags to a [`TrainConfig`]: parsing the value syntaxes (sampling,
//! optimizer, schedule, initialisation) and filling every flag the user left out with a
//! default chosen for the data.

use crate::cli::TrainArgs;
use crate::error::{CliError, Result};
use data::display::float;
use nn::linear::Init;
use nn::optim::OptimizerConfig;
use nn::sampling::Sampling;
use nn::schedule::Schedule;
use nn::train::{EarlyStopping, TrainConfig, RUNAWAY_FACTOR};

/// Defaults that depend on the data.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Defaults {
    /// Passes over the training data.
    pub epochs: usize,
    /// Minibatch size.
    pub batch_size: usize,
    /// L2 penalty on the weights.
    pub l2: f64,
    /// Peak rate of the cosine schedule.
    pub initial_rate: f64,
    /// Final rate of the cosine schedule.
    pub final_rate: f64,
    /// Linear warm-up of the cosine schedule, in epochs.
    pub warmup_epochs: f64,
    /// Whether to standardise features.
    pub standardize: bool,
}

impl Defaults {
    /// For tables of measurements (iris, wine, CSV files): features on unrelated scales are
    /// standardised; small data sets take many short epochs.
    pub const TABLE: Defaults = Defaults {
        epochs: 50,
        batch_size: 32,
        l2: 0.0,
        initial_rate: 0.1,
        final_rate: 0.001,
        warmup_epochs: 0.0,
        standardize: true,
    };

    /// For MNIST-format images, as the project's MNIST example trains them (about 92.5%
    /// test accuracy on full MNIST): pixels are already in `[0, 1]`, and standardising
    /// near-constant border pixels would only amplify noise.
    pub const PIXELS: Defaults = Defaults {
        epochs: 10,
        batch_size: 100,
        l2: 1e-4,
        initial_rate: 0.1,
        final_rate: 0.001,
        warmup_epochs: 0.5,
        standardize: false,
    };
}

/// `--l2`'s value, or a usage error unless it is finite and non-negative.
pub fn checked_l2(l2: f64) -> Result<f64> {
    if l2.is_finite() && l2 >= 0.0 {
        Ok(l2)
    } else {
        Err(CliError::usage(format!(
            "--l2 must be finite and non-negative, got {}",
            float(l2)
        )))
    }
}

/// The training configuration for `args` on `n_train` training examples, with `defaults`
/// for every flag left out. Every value is checked here, so training cannot panic on it.
pub fn resolve(args: &TrainArgs, defaults: Defaults, n_train: usize) -> Result<TrainConfig> {
    let epochs = match args.epochs {
        Some(epochs) => usize::try_from(epochs)
            .map_err(|_| CliError::usage(format!("--epochs {epochs} is too large")))?,
        None => defaults.epochs,
    };
    let sampling = match (&args.sampling, args.batch_size) {
        (Some(text), _) => parse("--sampling", text)?,
        (None, Some(0)) => return Err(CliError::usage("--batch-size must be at least 1")),
        (None, Some(batch_size)) => Sampling::Minibatch { batch_size },
        (None, None) => Sampling::Minibatch {
            batch_size: defaults.batch_size,
        },
    };
    let optimizer: OptimizerConfig = parse("--optimizer", &args.optimizer)?;
    let schedule = match (&args.schedule, args.lr) {
        (Some(text), _) => parse("--schedule", text)?,
        (None, Some(rate)) => {
            let schedule = Schedule::Constant { rate };
            schedule
                .validate()
                .map_err(|e| CliError::usage(format!("invalid --lr {}: {e}", float(rate))))?;
            schedule
        }
        (None, None) => {
            let steps_per_epoch = sampling.steps_per_epoch(n_train).max(1);
            Schedule::Cosine {
                initial: defaults.initial_rate,
                min: defaults.final_rate,
                total_steps: epochs.saturating_mul(steps_per_epoch),
                warmup_steps: (defaults.warmup_epochs * steps_per_epoch as f64) as usize,
            }
        }
    };
    let l2 = checked_l2(args.l2.unwrap_or(defaults.l2))?;
    let standardize = if args.standardize {
        true
    } else if args.no_standardize {
        false
    } else {
        defaults.standardize
    };
    let config = TrainConfig {
        epochs,
        sampling,
        schedule,
        optimizer,
        l2,
        early_stopping: args.early_stopping.map(|patience| EarlyStopping {
            patience,
            min_delta: 0.0,
        }),
        standardize,
        init: parse("--init", args.init.as_deref().unwrap_or("zeros"))?,
        seed: args.seed(),
        runaway_factor: Some(RUNAWAY_FACTOR),
    };
    if args.seed.is_some() && !uses_randomness(&config) {
        return Err(CliError::usage(
            "--seed has no effect on this run: the weights start at zeros (--init zeros), \
             every step takes the full batch (--sampling full) and no validation part is \
             drawn (no --early-stopping); the train/test split's seed is --split-seed",
        ));
    }
    Ok(config)
}

/// Whether training with `config` draws random numbers, so that its seed matters: for the
/// initial weights, the order of examples, or the validation part.
fn uses_randomness(config: &TrainConfig) -> bool {
    config.init != Init::Zeros
        || config.sampling != Sampling::FullBatch
        || config.early_stopping.is_some()
}

/// Parses a flag's value with its type's parser, naming the flag and the text on error (a
/// usage error).
fn parse<T: std::str::FromStr<Err = String>>(flag: &str, text: &str) -> Result<T> {
    text.parse()
        .map_err(|e| CliError::usage(format!("invalid {flag} `{text}`: {e}")))
}

/// A warning if `schedule`'s horizon does not match a run of `steps` optimizer steps: a
/// cosine planned for another length, a piecewise rate or a step decay that never comes.
pub fn schedule_warning(schedule: &Schedule, steps: usize) -> Option<String> {
    match *schedule {
        Schedule::Cosine {
            initial,
            min,
            total_steps,
            warmup_steps,
        } if total_steps != steps => {
            let fitted = Schedule::Cosine {
                initial,
                min,
                total_steps: steps,
                warmup_steps: warmup_steps.min(steps),
            };
            let what = if total_steps > steps {
                let last = schedule.rate(steps.saturating_sub(1));
                format!(
                    "so the rate only falls to {:.4} instead of {}",
                    float(last),
                    float(min)
                )
            } else {
                format!(
                    "so its last {} steps run at the final rate {}",
                    steps - total_steps,
                    float(min)
                )
            };
            Some(format!(
                "the cosine schedule plans {total_steps} steps but this run takes {steps}, \
                 {what}; --schedule {fitted} would fit the run"
            ))
        }
        Schedule::Piecewise { ref boundaries, .. } => boundaries
            .iter()
            .find(|&&b| b.saturating_add(1) >= steps)
            .map(|b| {
                format!(
                    "the piecewise schedule changes rate after step {b}, but this run takes \
                     only {steps} steps (0 to {})",
                    steps.saturating_sub(1)
                )
            }),
        Schedule::StepDecay { every, .. } if every >= steps => Some(format!(
            "the step schedule decays every {every} steps, but this run takes only {steps}: \
             the rate never decays"
        )),
        _ => None,
    }
}

/// The configuration as printed before training, one `name: value` per line.
pub fn describe(config: &TrainConfig) -> String {
    let early = match config.early_stopping {
        Some(rule) => format!("patience {} epochs", rule.patience),
        None => "no".into(),
    };
    format!(
        "epochs: {}\nsampling: {}\noptimizer: {}\nschedule: {}\nl2: {}\nearly stopping: {early}\n\
         standardize: {}\ninit: {}\nseed: {}",
        config.epochs,
        config.sampling,
        config.optimizer,
        config.schedule,
        float(config.l2),
        if config.standardize { "yes" } else { "no" },
        config.init,
        config.seed
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn train_args(flags: &[&str]) -> TrainArgs {
        let argv = ["tapegrad", "train", "--data", "iris"].iter().chain(flags);
        match Cli::parse_from(argv).command {
            Command::Train(args) => *args,
            _ => unreachable!("a train command"),
        }
    }

    #[test]
    fn pixel_defaults_follow_the_mnist_example() {
        let config = resolve(&train_args(&[]), Defaults::PIXELS, 60_000).unwrap();
        assert_eq!(config.epochs, 10);
        assert_eq!(config.sampling, Sampling::Minibatch { batch_size: 100 });
        assert_eq!(
            config.schedule,
            Schedule::Cosine {
                initial: 0.1,
                min: 0.001,
                total_steps: 6000,
                warmup_steps: 300
            }
        );
        assert_eq!(config.optimizer, OptimizerConfig::momentum(0.9));
        assert_eq!(config.l2, 1e-4);
        assert!(!config.standardize);
    }

    #[test]
    fn flags_override_defaults() {
        let args = train_args(&[
            "--epochs",
            "3",
            "--batch-size",
            "8",
            "--lr",
            "0.5",
            "--l2",
            "0.01",
            "--standardize",
            "--init",
            "normal:0.1",
            "--optimizer",
            "adam",
        ]);
        let config = resolve(&args, Defaults::PIXELS, 100).unwrap();
        assert_eq!(config.epochs, 3);
        assert_eq!(config.sampling, Sampling::Minibatch { batch_size: 8 });
        assert_eq!(config.schedule, Schedule::Constant { rate: 0.5 });
        assert_eq!(config.l2, 0.01);
        assert!(config.standardize);
        assert_eq!(config.init, Init::Normal { std: 0.1 });
        assert_eq!(config.optimizer.name(), "adam");
    }

    #[test]
    fn bad_values_are_errors_that_quote_them() {
        let cases: [(&[&str], &str); 6] = [
            (
                &["--schedule", "cosine:0.1"],
                "invalid --schedule `cosine:0.1`: cosine schedule takes",
            ),
            (
                &["--optimizer", "lbfgs"],
                "invalid --optimizer `lbfgs`: unknown optimizer",
            ),
            (&["--sampling", "some"], "invalid --sampling `some`"),
            (&["--lr", "-1"], "invalid --lr -1"),
            (&["--l2", "-1"], "--l2 must be finite and non-negative"),
            (&["--init", "ones"], "invalid --init `ones`"),
        ];
        for (flags, expected) in cases {
            let err = resolve(&train_args(flags), Defaults::TABLE, 100).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{flags:?}: a usage error");
            let err = err.to_string();
            assert!(err.starts_with(expected), "{flags:?}: {err}");
        }
    }

    #[test]
    fn a_seed_is_refused_where_nothing_is_random() {
        let full = ["--sampling", "full", "--seed", "3"];
        let err = resolve(&train_args(&full), Defaults::TABLE, 100).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string()
                .starts_with("--seed has no effect on this run: the weights start at zeros"),
            "{err}"
        );
        // Each source of randomness makes the seed count; left out, it is 0.
        for flags in [
            &["--seed", "3", "--sampling", "full", "--init", "xavier"][..],
            &["--seed", "3", "--sampling", "full", "--early-stopping", "3"],
            &["--seed", "3", "--sampling", "sgd"],
        ] {
            let config = resolve(&train_args(flags), Defaults::TABLE, 100).unwrap();
            assert_eq!(config.seed, 3, "{flags:?}");
        }
        let config = resolve(&train_args(&full[..2]), Defaults::TABLE, 100).unwrap();
        assert_eq!((config.seed, config.init), (0, Init::Zeros));
    }

    #[test]
    fn schedules_that_do_not_fit_the_run_are_warned_about() {
        let cosine: Schedule = "cosine:0.05,0.0005,1000,50".parse().unwrap();
        let warning = schedule_warning(&cosine, 200).unwrap();
        assert!(
            warning.starts_with("the cosine schedule plans 1000 steps but this run takes 200, so the rate only falls to 0.04"),
            "{warning}"
        );
        assert!(
            warning.ends_with("--schedule cosine:0.05,0.0005,200,50 would fit the run"),
            "{warning}"
        );
        assert!(schedule_warning(&cosine, 1000).is_none());
        let short: Schedule = "cosine:0.1,0.001,100".parse().unwrap();
        assert!(schedule_warning(&short, 150)
            .unwrap()
            .contains("its last 50 steps run at the final rate 0.001"));
        let piecewise: Schedule = "piecewise:0.5@100,0.1@200,0.01".parse().unwrap();
        assert!(schedule_warning(&piecewise, 500).is_none());
        assert!(schedule_warning(&piecewise, 150)
            .unwrap()
            .contains("changes rate after step 200, but this run takes only 150 steps"));
        let step: Schedule = "step:0.5,0.5,10".parse().unwrap();
        assert!(schedule_warning(&step, 10)
            .unwrap()
            .contains("never decays"));
        assert!(schedule_warning(&step, 11).is_none());
        assert!(schedule_warning(&Schedule::Constant { rate: 0.1 }, 5).is_none());
    }
}

//! What `tapegrad train` shows while it trains: a progress bar over the steps of the
//! current epoch (on standard error, only when it is a terminal), and one table line per
//! epoch on standard output (standard error under `--json`).

use crate::error::{CliError, Result};
use data::display::float;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nn::train::{EpochReport, Progress};
use std::io::IsTerminal;
use std::ops::ControlFlow;

/// Receives the training loop's events and shows them.
pub struct TrainingDisplay {
    bar: Option<ProgressBar>,
    epochs: usize,
    print_epochs: bool,
    /// A failed write of an epoch line, which stops training.
    error: Option<CliError>,
}

impl TrainingDisplay {
    /// A display for a run of `epochs` epochs. `quiet` hides both the bar and the epoch
    /// lines; the bar is also hidden when standard error is not a terminal.
    pub fn new(epochs: usize, quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg} [{bar:30}] {human_pos}/{human_len} steps, eta {eta}",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            bar
        });
        TrainingDisplay {
            bar,
            epochs,
            print_epochs: !quiet,
            error: None,
        }
    }

    /// The header of the epoch table; `evaluation` names the evaluated part (`test`, `val`;
    /// `None` if there is none).
    pub fn header(&self, evaluation: Option<&str>) -> Result<()> {
        if self.print_epochs {
            let evaluation = evaluation.unwrap_or("no test");
            say!(
                "{:>5}  {:>10}  {:>9}  {:>9}  {:>9}  {:>8}",
                "epoch",
                "train loss",
                "train acc",
                format!("{evaluation} loss"),
                format!("{evaluation} acc"),
                "lr"
            );
        }
        Ok(())
    }

    /// The error that stopped training, if writing an epoch line failed.
    pub fn take_error(&mut self) -> Option<CliError> {
        self.error.take()
    }

    /// The hook for `fit_with_progress`: advances the bar on every step and prints a line
    /// after every epoch. Stops training only if that line cannot be written (see
    /// [`take_error`](Self::take_error)).
    pub fn on_event(&mut self, event: Progress<'_>) -> ControlFlow<()> {
        match event {
            Progress::Step {
                epoch,
                step,
                steps_per_epoch,
                loss,
            } => {
                if let Some(bar) = &self.bar {
                    if step == 1 {
                        bar.reset();
                        bar.set_length(steps_per_epoch as u64);
                    }
                    bar.set_position(step as u64);
                    if step == 1 || step % 10 == 0 || step == steps_per_epoch {
                        bar.set_message(format!(
                            "epoch {epoch}/{} loss {:.4}",
                            self.epochs,
                            float(loss)
                        ));
                    }
                }
            }
            Progress::Epoch(report) => {
                if self.print_epochs {
                    let line = epoch_line(report);
                    let print = || crate::console::human_line(format_args!("{line}"));
                    let printed = match &self.bar {
                        Some(bar) => bar.suspend(print),
                        None => print(),
                    };
                    if let Err(error) = printed {
                        self.error = Some(error);
                        return ControlFlow::Break(());
                    }
                }
            }
        }
        ControlFlow::Continue(())
    }
}

impl Drop for TrainingDisplay {
    /// Removes the bar from the terminal, whether training finished or failed.
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// One line of the epoch table; `-` where there is no evaluated part.
pub fn epoch_line(r: &EpochReport) -> String {
    let optional = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.4}", float(v)));
    format!(
        "{:>5}  {:>10.4}  {:>9.4}  {:>9}  {:>9}  {:>8.5}",
        r.epoch,
        float(r.train_loss),
        float(r.train_metric),
        optional(r.validation_loss),
        optional(r.validation_metric),
        float(r.learning_rate)
    )
}

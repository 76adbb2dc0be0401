//! The per-epoch history of a training run as CSV, for `tapegrad train --history`.

use data::display::float;
use nn::train::History;
use std::io::{self, Write};

/// Writes `epoch,train_loss,train_accuracy,<e>_loss,<e>_accuracy,learning_rate,steps`,
/// one row per epoch, where `<e>` is `evaluation` (`test`, or `validation` under early
/// stopping). Numbers are written in full precision, in [`float`]'s short form.
pub fn write_history(out: &mut dyn Write, history: &History, evaluation: &str) -> io::Result<()> {
    writeln!(
        out,
        "epoch,train_loss,train_accuracy,{evaluation}_loss,{evaluation}_accuracy,learning_rate,steps"
    )?;
    let optional = |v: Option<f64>| v.map_or(String::new(), |v| float(v).to_string());
    for r in &history.epochs {
        writeln!(
            out,
            "{},{},{},{},{},{},{}",
            r.epoch,
            float(r.train_loss),
            float(r.train_metric),
            optional(r.validation_loss),
            optional(r.validation_metric),
            float(r.learning_rate),
            r.steps
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use nn::train::EpochReport;

    #[test]
    fn one_row_per_epoch() {
        let report = |epoch| EpochReport {
            epoch,
            train_loss: 0.5,
            train_metric: 0.75,
            validation_loss: Some(0.25),
            validation_metric: None,
            learning_rate: 0.1,
            steps: 4 * epoch,
        };
        let history = History {
            epochs: vec![report(1), report(2)],
            best_epoch: Some(2),
            stopped_early: false,
        };
        let mut out = Vec::new();
        write_history(&mut out, &history, "test").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "epoch,train_loss,train_accuracy,test_loss,test_accuracy,learning_rate,steps\n\
             1,0.5,0.75,0.25,,0.1,4\n2,0.5,0.75,0.25,,0.1,8\n"
        );
    }
}

//! Loss and accuracy curves of a training run as SVG, drawn with `plotters`, for
//! `tapegrad train --plot`.
//!
//! Each y-axis fits its curves (a loss that moves between 0.31 and 0.35 is not drawn
//! against 0), runs of few epochs get a marker per epoch, and the epoch whose parameters
//! the model keeps (under early stopping) is marked when it is not the last one.
//!
//! Text is written as SVG `<text>` elements, so no font library is needed to draw and any
//! SVG viewer renders the labels with its own sans-serif font.

use nn::train::History;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Size of the image in pixels.
const SIZE: (u32, u32) = (1000, 440);

/// Runs of at most this many epochs get a marker at every point.
const MARKERS_UP_TO: usize = 30;

/// One curve: a name for the legend, a colour and `(epoch, value)` points.
struct Curve {
    name: String,
    color: RGBColor,
    points: Vec<(f64, f64)>,
}

/// The SVG text of two panels, loss and accuracy against epochs, each with the training
/// curve and the `evaluation` curve (`test` or `validation`), under the title `title`.
pub fn render_svg(history: &History, evaluation: &str, title: &str) -> Result<String, String> {
    let curves = |train: fn(&nn::train::EpochReport) -> f64,
                  eval: fn(&nn::train::EpochReport) -> Option<f64>| {
        let points = |value: &dyn Fn(&nn::train::EpochReport) -> Option<f64>| {
            history
                .epochs
                .iter()
                .filter_map(|r| {
                    value(r)
                        .filter(|v| v.is_finite())
                        .map(|v| (r.epoch as f64, v))
                })
                .collect()
        };
        [
            Curve {
                name: "train".into(),
                color: BLUE,
                points: points(&|r| Some(train(r))),
            },
            Curve {
                name: evaluation.into(),
                color: RED,
                points: points(&eval),
            },
        ]
    };
    let loss = curves(|r| r.train_loss, |r| r.validation_loss);
    let accuracy = curves(|r| r.train_metric, |r| r.validation_metric);
    let epochs = history.epochs.len().max(1) as f64;
    let marks = Marks {
        points: history.epochs.len() <= MARKERS_UP_TO,
        kept: history
            .best_epoch
            .filter(|&best| Some(best) != history.epochs.last().map(|r| r.epoch)),
    };

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let root = root
            .titled(title, ("sans-serif", 22))
            .map_err(|e| e.to_string())?;
        let (left, right) = root.split_horizontally(SIZE.0 / 2);
        draw_panel(
            &left,
            "cross-entropy loss",
            &loss,
            epochs,
            fitted_range(&loss, (0.0, f64::INFINITY)),
            SeriesLabelPosition::UpperRight,
            marks,
        )?;
        draw_panel(
            &right,
            "accuracy",
            &accuracy,
            epochs,
            fitted_range(&accuracy, (0.0, 1.0)),
            SeriesLabelPosition::LowerRight,
            marks,
        )?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// What is marked besides the curves.
#[derive(Clone, Copy, Debug)]
struct Marks {
    /// A marker at every point (few epochs).
    points: bool,
    /// The epoch whose parameters the model keeps, when it is not the last.
    kept: Option<usize>,
}

/// A y-range that fits the curves' values with a margin, within `bounds` (the values a
/// loss or an accuracy can take), and is never empty.
fn fitted_range(curves: &[Curve], bounds: (f64, f64)) -> (f64, f64) {
    let values = curves.iter().flat_map(|c| c.points.iter().map(|p| p.1));
    let (min, max) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if min > max {
        return (bounds.0, bounds.0 + 1.0);
    }
    let span = (max - min).max(max.abs() * 0.02).max(1e-3);
    let low = (min - 0.08 * span).max(bounds.0);
    let high = (max + 0.08 * span).min(bounds.1);
    (low, high.max(low + 1e-3))
}

/// One panel: axes with a caption, the curves (with markers if asked), the kept epoch and
/// the legend at `legend`.
fn draw_panel(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    caption: &str,
    curves: &[Curve],
    epochs: f64,
    (y_min, y_max): (f64, f64),
    legend: SeriesLabelPosition,
    marks: Marks,
) -> Result<(), String> {
    let error = |e: DrawingAreaErrorKind<std::io::Error>| e.to_string();
    let x_max = epochs.max(2.0);
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(1.0..x_max, y_min..y_max)
        .map_err(error)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .x_labels(x_max.min(10.0) as usize)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| {
            let digits = (2 - (y_max - y_min).log10().floor() as i32).clamp(2, 6) as usize;
            format!("{y:.digits$}")
        })
        .draw()
        .map_err(error)?;
    if let Some(kept) = marks.kept {
        let x = kept as f64;
        chart
            .draw_series(LineSeries::new(
                [(x, y_min), (x, y_max)],
                BLACK.mix(0.5).stroke_width(1),
            ))
            .map_err(error)?;
        let label = format!("kept: epoch {kept}");
        let style = ("sans-serif", 13).into_font().color(&BLACK);
        chart
            .draw_series([Text::new(label, (x, y_max), style)])
            .map_err(error)?;
    }
    for curve in curves {
        let color = curve.color;
        chart
            .draw_series(LineSeries::new(
                curve.points.iter().copied(),
                color.stroke_width(2),
            ))
            .map_err(error)?
            .label(curve.name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        if marks.points {
            chart
                .draw_series(
                    curve
                        .points
                        .iter()
                        .map(|&point| Circle::new(point, 3, color.filled())),
                )
                .map_err(error)?;
        }
    }
    chart
        .configure_series_labels()
        .position(legend)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use nn::train::EpochReport;

    #[test]
    fn draws_curves_axes_and_text() {
        let history = History {
            epochs: (1..=5)
                .map(|epoch| EpochReport {
                    epoch,
                    train_loss: 1.0 / epoch as f64,
                    train_metric: 0.8 + 0.03 * epoch as f64,
                    validation_loss: Some(1.2 / epoch as f64),
                    validation_metric: Some(0.78 + 0.03 * epoch as f64),
                    learning_rate: 0.1,
                    steps: 10 * epoch,
                })
                .collect(),
            best_epoch: Some(5),
            stopped_early: false,
        };
        let svg = render_svg(&history, "test", "iris").unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..100]);
        for text in [
            "iris",
            "accuracy",
            "cross-entropy loss",
            "epoch",
            "\ntrain\n",
            "\ntest\n",
        ] {
            assert!(svg.contains(text), "no {text} in the SVG");
        }
        assert!(svg.contains("<polyline"));
    }

    #[test]
    fn a_single_epoch_or_none_still_draws() {
        let mut history = History::default();
        assert!(render_svg(&history, "test", "empty").is_ok());
        history.epochs.push(EpochReport {
            epoch: 1,
            train_loss: 0.5,
            train_metric: 0.9,
            validation_loss: None,
            validation_metric: None,
            learning_rate: 0.1,
            steps: 3,
        });
        assert!(render_svg(&history, "test", "one").is_ok());
    }

    #[test]
    fn ranges_fit_the_data_within_bounds() {
        let curve = |values: &[f64]| Curve {
            name: "train".into(),
            color: BLUE,
            points: values
                .iter()
                .enumerate()
                .map(|(i, &v)| (i as f64, v))
                .collect(),
        };
        let (low, high) = fitted_range(&[curve(&[0.31, 0.35])], (0.0, f64::INFINITY));
        assert!(
            low > 0.3 && low < 0.31 && high > 0.35 && high < 0.36,
            "{low} {high}"
        );
        let (low, high) = fitted_range(&[curve(&[0.9, 1.0])], (0.0, 1.0));
        assert!(low > 0.89 && high == 1.0, "{low} {high}");
        let (low, high) = fitted_range(&[curve(&[0.5])], (0.0, 1.0));
        assert!(low < 0.5 && high > 0.5, "{low} {high}");
        assert_eq!(fitted_range(&[], (0.0, 1.0)), (0.0, 1.0));
    }

    #[test]
    fn few_epochs_get_markers_and_the_kept_epoch_is_marked() {
        let report = |epoch| EpochReport {
            epoch,
            train_loss: 1.0 / epoch as f64,
            train_metric: 0.8,
            validation_loss: Some(1.0 + (epoch as f64 - 3.0).powi(2) / 10.0),
            validation_metric: Some(0.7),
            learning_rate: 0.1,
            steps: epoch,
        };
        let history = History {
            epochs: (1..=6).map(report).collect(),
            best_epoch: Some(3),
            stopped_early: true,
        };
        let svg = render_svg(&history, "validation", "t").unwrap();
        assert!(svg.contains("<circle"), "markers for 6 epochs");
        assert!(svg.contains("kept: epoch 3"), "the kept epoch is marked");
        let long = History {
            epochs: (1..=100).map(report).collect(),
            best_epoch: Some(100),
            stopped_early: false,
        };
        let svg = render_svg(&long, "test", "t").unwrap();
        assert!(!svg.contains("<circle"), "no markers for 100 epochs");
        assert!(
            !svg.contains("kept:"),
            "the last epoch is kept: nothing to mark"
        );
    }
}

//! Charts for the examples, drawn with `plotters` as SVG: one or more panels, each with
//! a caption, labelled axes (linear or logarithmic), a legend and any mix of lines,
//! dashed lines, markers and bars.
//!
//! Text is written as SVG `<text>` in a sans-serif font, so no font library is needed to
//! draw, and any SVG viewer sets the labels.

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;

/// A colour-blind-safe palette (Okabe and Ito), in the order series get it.
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(230, 159, 0),   // orange
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
];

/// A neutral grey for reference lines and contours.
pub const GREY: RGBColor = RGBColor(120, 120, 120);

const FONT: &str = "sans-serif";
const CAPTION_SIZE: u32 = 20;
const AXIS_SIZE: u32 = 17;
const TICK_SIZE: u32 = 14;
const LEGEND_SIZE: u32 = 14;
const MARGIN: u32 = 14;
const X_LABEL_AREA: u32 = 52;
const Y_LABEL_AREA: u32 = 74;

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Style {
    /// A solid line.
    Line,
    /// A thin dashed line (references, predictions).
    Dashed,
    /// Filled circles, unconnected.
    Markers,
    /// A solid line with a filled circle at every point (iterates of an optimiser).
    LineMarkers,
    /// Bars of the given width centred on each x, from the bottom of the axis (or 0).
    Bars(f64),
}

/// One named series of `(x, y)` points.
#[derive(Clone, Debug)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub color: RGBColor,
    pub style: Style,
    /// Line width (or marker radius) in pixels.
    pub width: u32,
}

impl Series {
    /// A series with the `index`-th palette colour, drawn as a 2-pixel line.
    pub fn new(name: &str, index: usize, points: Vec<(f64, f64)>) -> Series {
        Series {
            name: name.to_string(),
            points,
            color: PALETTE[index % PALETTE.len()],
            style: Style::Line,
            width: 2,
        }
    }

    /// The same series drawn in another style.
    pub fn style(mut self, style: Style) -> Series {
        if matches!(style, Style::Markers | Style::LineMarkers) {
            self.width = self.width.max(3);
        }
        self.style = style;
        self
    }

    /// The same series in another colour.
    pub fn color(mut self, color: RGBColor) -> Series {
        self.color = color;
        self
    }

    /// The same series with another line width (marker radius).
    pub fn width(mut self, width: u32) -> Series {
        self.width = width;
        self
    }

    /// Leaves the series out of the legend.
    pub fn unlisted(mut self) -> Series {
        self.name.clear();
        self
    }
}

/// Bars for categories 0, 1, 2, ...: one group of bars per `(name, colour, values)`,
/// side by side within each category (use with [`Axis::categories`]).
pub fn grouped_bars(groups: &[(&str, usize, &[f64])]) -> Vec<Series> {
    let width = 0.8 / groups.len() as f64;
    groups
        .iter()
        .enumerate()
        .map(|(g, &(name, color, values))| {
            let offset = -0.4 + width * (g as f64 + 0.5);
            let points = values
                .iter()
                .enumerate()
                .map(|(j, &v)| (j as f64 + offset, v))
                .collect();
            Series::new(name, color, points).style(Style::Bars(width * 0.9))
        })
        .collect()
}

/// A horizontal axis: linear or logarithmic, with an optional label per integer value
/// (for categories such as classes or features).
#[derive(Clone, Debug)]
pub struct Axis {
    pub label: String,
    pub range: Option<Range<f64>>,
    pub log: bool,
    pub categories: Vec<String>,
}

impl Axis {
    /// A linear axis with its range fitted to the data.
    pub fn linear(label: &str) -> Axis {
        Axis {
            label: label.to_string(),
            range: None,
            log: false,
            categories: Vec::new(),
        }
    }

    /// A logarithmic axis with its range fitted to the data.
    pub fn log(label: &str) -> Axis {
        Axis {
            log: true,
            ..Axis::linear(label)
        }
    }

    /// Category names at 0, 1, 2, ... (the axis runs from -0.5 to n - 0.5).
    pub fn categories(label: &str, names: &[&str]) -> Axis {
        Axis {
            range: Some(-0.5..names.len() as f64 - 0.5),
            categories: names.iter().map(|s| s.to_string()).collect(),
            ..Axis::linear(label)
        }
    }

    /// The same axis over a fixed range.
    pub fn range(mut self, range: Range<f64>) -> Axis {
        self.range = Some(range);
        self
    }
}

/// One panel: a caption, two axes, the series, text notes and the legend's place.
#[derive(Clone, Debug)]
pub struct Chart {
    pub caption: String,
    pub x: Axis,
    pub y: Axis,
    pub series: Vec<Series>,
    /// Text at data coordinates, e.g. a label next to a curve.
    pub notes: Vec<(f64, f64, String)>,
    pub legend: SeriesLabelPosition,
    /// Widen one range so that a unit has the same length on both axes (for contours).
    pub equal_aspect: bool,
}

impl Chart {
    /// An empty panel with a legend in the upper right.
    pub fn new(caption: &str, x: Axis, y: Axis) -> Chart {
        Chart {
            caption: caption.to_string(),
            x,
            y,
            series: Vec::new(),
            notes: Vec::new(),
            legend: SeriesLabelPosition::UpperRight,
            equal_aspect: false,
        }
    }

    /// Adds a series.
    pub fn with(mut self, series: Series) -> Chart {
        self.series.push(series);
        self
    }

    /// Adds several series.
    pub fn with_all(mut self, series: impl IntoIterator<Item = Series>) -> Chart {
        self.series.extend(series);
        self
    }

    /// Puts the legend elsewhere.
    pub fn legend(mut self, position: SeriesLabelPosition) -> Chart {
        self.legend = position;
        self
    }

    /// Writes `text` at data coordinates `(x, y)`.
    pub fn note(mut self, x: f64, y: f64, text: &str) -> Chart {
        self.notes.push((x, y, text.to_string()));
        self
    }

    /// Makes a unit as long on the x axis as on the y axis.
    pub fn equal_aspect(mut self) -> Chart {
        self.equal_aspect = true;
        self
    }
}

/// A figure: a title over a grid of panels, `columns` wide, of `width` x `height`
/// pixels in all. Returns the SVG text.
pub fn figure(
    title: &str,
    (width, height): (u32, u32),
    columns: usize,
    panels: &[Chart],
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let root = if title.is_empty() {
            root
        } else {
            root.titled(
                title,
                (FONT, CAPTION_SIZE + 2).into_font().style(FontStyle::Bold),
            )
            .map_err(|e| e.to_string())?
        };
        let rows = panels.len().div_ceil(columns.max(1));
        let areas = root.split_evenly((rows, columns.max(1)));
        for (chart, area) in panels.iter().zip(&areas) {
            draw_chart(area, chart)?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Range of the data along one axis, padded a little and kept positive on a log axis.
fn data_range(chart: &Chart, axis: &Axis, pick: fn(&(f64, f64)) -> f64, is_y: bool) -> Range<f64> {
    if let Some(range) = &axis.range {
        return range.clone();
    }
    let values = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(pick))
        .filter(|v| v.is_finite() && (!axis.log || *v > 0.0));
    let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        return if axis.log { 0.1..10.0 } else { 0.0..1.0 };
    }
    let bars = is_y
        && chart
            .series
            .iter()
            .any(|s| matches!(s.style, Style::Bars(_)));
    if axis.log {
        let (a, b) = (lo.log10(), hi.log10());
        let pad = ((b - a) * 0.05).max(0.05);
        return 10f64.powf(a - pad)..10f64.powf(b + pad);
    }
    if bars {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if hi - lo < 1e-12 {
        (lo, hi) = (lo - 0.5, hi + 0.5);
    }
    let pad = 0.05 * (hi - lo);
    let lo = if bars && lo == 0.0 { 0.0 } else { lo - pad };
    let hi = if bars && hi == 0.0 { 0.0 } else { hi + pad };
    lo..hi
}

/// Widens `x` or `y` so a unit spans the same number of pixels on both axes of `area`.
fn equalise(area: &Area<'_>, x: Range<f64>, y: Range<f64>) -> (Range<f64>, Range<f64>) {
    let (w, h) = area.dim_in_pixel();
    let plot_w = w.saturating_sub(Y_LABEL_AREA + 2 * MARGIN).max(1) as f64;
    let plot_h = h
        .saturating_sub(X_LABEL_AREA + 2 * MARGIN + CAPTION_SIZE + 10)
        .max(1) as f64;
    let (dx, dy) = (x.end - x.start, y.end - y.start);
    if dx / plot_w > dy / plot_h {
        let grow = (dx / plot_w * plot_h - dy) / 2.0;
        (x, y.start - grow..y.end + grow)
    } else {
        let grow = (dy / plot_h * plot_w - dx) / 2.0;
        (x.start - grow..x.end + grow, y)
    }
}

fn draw_chart(area: &Area<'_>, chart: &Chart) -> Result<(), String> {
    let mut x = data_range(chart, &chart.x, |p| p.0, false);
    let mut y = data_range(chart, &chart.y, |p| p.1, true);
    if chart.equal_aspect && !chart.x.log && !chart.y.log {
        (x, y) = equalise(area, x, y);
    }
    let bounds = (x.clone(), y.clone());
    match (chart.x.log, chart.y.log) {
        (false, false) => draw_in(area, chart, x, y, bounds),
        (false, true) => draw_in(area, chart, x, y.log_scale(), bounds),
        (true, false) => draw_in(area, chart, x.log_scale(), y, bounds),
        (true, true) => draw_in(area, chart, x.log_scale(), y.log_scale(), bounds),
    }
}

/// A tick label: plain for ordinary numbers, `1e-6` style for powers of ten and extremes.
pub fn tick(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        let exponent = a.log10().round();
        if (a.log10() - exponent).abs() < 1e-9 {
            return format!("{}1e{}", if v < 0.0 { "-" } else { "" }, exponent as i32);
        }
        return format!("{v:.0e}");
    }
    let text = format!("{v:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The parts of a polyline inside `[x0, x1] x [y0, y1]` (Liang-Barsky, segment by
/// segment), so lines stop at the axes instead of running over the labels.
fn clip(points: &[(f64, f64)], x: &Range<f64>, y: &Range<f64>) -> Vec<Vec<(f64, f64)>> {
    let mut pieces: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut open = false;
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        let mut inside = true;
        for (p, q) in [
            (-dx, a.0 - x.start),
            (dx, x.end - a.0),
            (-dy, a.1 - y.start),
            (dy, y.end - a.1),
        ] {
            if p == 0.0 {
                inside &= q >= 0.0;
            } else if p < 0.0 {
                t0 = t0.max(q / p);
            } else {
                t1 = t1.min(q / p);
            }
        }
        if !inside || t0 > t1 {
            open = false;
            continue;
        }
        let start = (a.0 + t0 * dx, a.1 + t0 * dy);
        let end = (a.0 + t1 * dx, a.1 + t1 * dy);
        if !open || t0 > 0.0 {
            pieces.push(vec![start]);
        }
        pieces.last_mut().expect("a piece").push(end);
        open = t1 >= 1.0;
    }
    pieces
}

fn draw_in<X, Y>(
    area: &Area<'_>,
    chart: &Chart,
    x: X,
    y: Y,
    bounds: (Range<f64>, Range<f64>),
) -> Result<(), String>
where
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let error = |e: DrawingAreaErrorKind<std::io::Error>| e.to_string();
    let y_bottom = bounds.1.start;
    // Lines are clipped to the axes in the axes' own scale (logarithms on a log axis).
    let to_axis = |p: (f64, f64)| {
        (
            if chart.x.log { p.0.ln() } else { p.0 },
            if chart.y.log { p.1.ln() } else { p.1 },
        )
    };
    let from_axis = |p: (f64, f64)| {
        (
            if chart.x.log { p.0.exp() } else { p.0 },
            if chart.y.log { p.1.exp() } else { p.1 },
        )
    };
    let (low, high) = (
        to_axis((bounds.0.start, bounds.1.start)),
        to_axis((bounds.0.end, bounds.1.end)),
    );
    let (clip_x, clip_y) = (low.0..high.0, low.1..high.1);
    let pieces = |points: &[(f64, f64)]| -> Vec<Vec<(f64, f64)>> {
        let mapped: Vec<(f64, f64)> = points.iter().map(|&p| to_axis(p)).collect();
        clip(&mapped, &clip_x, &clip_y)
            .into_iter()
            .map(|piece| piece.into_iter().map(from_axis).collect())
            .collect()
    };
    let visible = |p: &(f64, f64)| {
        let (px, py) = to_axis(*p);
        clip_x.contains(&px) && clip_y.contains(&py)
    };
    let mut context = ChartBuilder::on(area)
        .caption(&chart.caption, (FONT, CAPTION_SIZE))
        .margin(MARGIN)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(x, y)
        .map_err(error)?;
    // Tick positions computed in floating point can miss 0 by a rounding error.
    let (x_span, y_span) = (bounds.0.end - bounds.0.start, bounds.1.end - bounds.1.start);
    let near_zero = |v: f64, span: f64, log: bool| !log && v.abs() < 1e-9 * span;
    let categories = &chart.x.categories;
    let x_format = |v: &f64| {
        if categories.is_empty() {
            if near_zero(*v, x_span, chart.x.log) {
                "0".to_string()
            } else {
                tick(*v)
            }
        } else {
            let i = v.round();
            let exact = (v - i).abs() < 1e-6 && i >= 0.0;
            categories
                .get(i as usize)
                .filter(|_| exact)
                .cloned()
                .unwrap_or_default()
        }
    };
    let y_format = |v: &f64| {
        if near_zero(*v, y_span, chart.y.log) {
            "0".to_string()
        } else {
            tick(*v)
        }
    };
    let mut mesh = context.configure_mesh();
    mesh.x_desc(chart.x.label.as_str())
        .y_desc(chart.y.label.as_str())
        .axis_desc_style((FONT, AXIS_SIZE))
        .label_style((FONT, TICK_SIZE))
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .bold_line_style(BLACK.mix(0.08))
        .light_line_style(TRANSPARENT);
    if !categories.is_empty() {
        mesh.x_labels(categories.len() * 2 + 1).disable_x_mesh();
    }
    mesh.draw().map_err(error)?;

    for series in &chart.series {
        let color = series.color;
        let width = series.width;
        let finite: Vec<(f64, f64)> = series
            .points
            .iter()
            .copied()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .collect();
        let points = finite.iter().copied().filter(visible);
        let line_width = if series.style == Style::LineMarkers {
            2
        } else {
            width
        };
        if matches!(
            series.style,
            Style::Line | Style::LineMarkers | Style::Dashed
        ) {
            for piece in pieces(&finite) {
                let style = color.stroke_width(line_width);
                if series.style == Style::Dashed {
                    context
                        .draw_series(DashedLineSeries::new(piece, 6, 4, style))
                        .map_err(error)?;
                } else {
                    context
                        .draw_series(LineSeries::new(piece, style))
                        .map_err(error)?;
                }
            }
        }
        // The legend entry hangs on a series of its own (markers, bars, or nothing).
        let drawn = match series.style {
            Style::Line | Style::Dashed => context
                .draw_series(std::iter::empty::<Circle<(f64, f64), u32>>())
                .map_err(error)?,
            Style::Markers => context
                .draw_series(points.map(|p| Circle::new(p, width, color.mix(0.85).filled())))
                .map_err(error)?,
            Style::LineMarkers => context
                .draw_series(points.map(|p| Circle::new(p, width, color.filled())))
                .map_err(error)?,
            Style::Bars(bar) => context
                .draw_series(points.map(|(px, py)| {
                    let base = if y_bottom > 0.0 { y_bottom } else { 0.0 };
                    Rectangle::new(
                        [(px - bar / 2.0, base), (px + bar / 2.0, py)],
                        color.filled(),
                    )
                }))
                .map_err(error)?,
        };
        if series.name.is_empty() {
            continue;
        }
        let style = series.style;
        drawn
            .label(series.name.as_str())
            .legend(move |(lx, ly)| match style {
                Style::Markers => Circle::new((lx + 10, ly), 4, color.filled()).into_dyn(),
                Style::Bars(_) => {
                    Rectangle::new([(lx + 2, ly - 6), (lx + 18, ly + 6)], color.filled()).into_dyn()
                }
                Style::Dashed => {
                    PathElement::new(vec![(lx, ly), (lx + 8, ly)], color.stroke_width(2)).into_dyn()
                }
                _ => PathElement::new(vec![(lx, ly), (lx + 20, ly)], color.stroke_width(2))
                    .into_dyn(),
            });
    }
    for (nx, ny, text) in &chart.notes {
        let style = TextStyle::from((FONT, TICK_SIZE).into_font())
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        context
            .draw_series(std::iter::once(Text::new(text.clone(), (*nx, *ny), style)))
            .map_err(error)?;
    }
    if chart.series.iter().any(|s| !s.name.is_empty()) {
        context
            .configure_series_labels()
            .position(chart.legend.clone())
            .label_font((FONT, LEGEND_SIZE))
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.4))
            .draw()
            .map_err(error)?;
    }
    Ok(())
}

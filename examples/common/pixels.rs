//! Images as compact SVG: a pixel grid (an MNIST digit, a row of weights reshaped to
//! 28 x 28) becomes one `<path>` per colour, each a list of horizontal runs, instead of
//! one element per pixel, so ten 28 x 28 templates take tens of kilobytes, not a megabyte.
//! [`Svg`] also writes the text, bars and colour bar around them.

use std::fmt::Write;

/// A `width` x `height` grid of values, row-major, top row first.
pub struct Image<'a> {
    pub width: usize,
    pub height: usize,
    pub pixels: &'a [f64],
}

/// How values become colours.
#[derive(Clone, Copy, Debug)]
pub enum ColorMap {
    /// Blue for negative, white for 0, red for positive, saturating at `±limit`.
    Diverging { limit: f64 },
    /// White for 0 to black for `max` (ink on paper).
    Ink { max: f64 },
}

/// Colour levels per map: enough for smooth shading, few enough for short SVG.
const LEVELS: i32 = 16;

impl ColorMap {
    /// The quantised level of `v`: `-LEVELS..=LEVELS` (diverging) or `0..=LEVELS` (ink).
    fn level(self, v: f64) -> i32 {
        match self {
            ColorMap::Diverging { limit } => {
                ((v / limit).clamp(-1.0, 1.0) * LEVELS as f64).round() as i32
            }
            ColorMap::Ink { max } => ((v / max).clamp(0.0, 1.0) * LEVELS as f64).round() as i32,
        }
    }

    /// The colour of a level, as `#rrggbb`.
    fn color(self, level: i32) -> String {
        let t = level.unsigned_abs() as f64 / LEVELS as f64;
        let mix = |to: [f64; 3]| {
            let c: Vec<u8> = to
                .iter()
                .map(|&channel| (255.0 + (channel - 255.0) * t).round() as u8)
                .collect();
            format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
        };
        match self {
            ColorMap::Diverging { .. } if level < 0 => mix([33.0, 102.0, 172.0]),
            ColorMap::Diverging { .. } => mix([178.0, 24.0, 43.0]),
            ColorMap::Ink { .. } => mix([0.0, 0.0, 0.0]),
        }
    }
}

/// An SVG document being written: white background, sans-serif text.
pub struct Svg {
    width: f64,
    height: f64,
    body: String,
}

impl Svg {
    /// An empty `width` x `height` picture.
    pub fn new(width: f64, height: f64) -> Svg {
        Svg {
            width,
            height,
            body: String::new(),
        }
    }

    /// An empty picture with `title` centred at its top.
    pub fn titled(width: f64, height: f64, title: &str) -> Svg {
        let mut svg = Svg::new(width, height);
        svg.text(width / 2.0, 28.0, 20.0, "middle", title);
        svg
    }

    /// Text at `(x, y)` (the baseline), anchored `start`, `middle` or `end`.
    pub fn text(&mut self, x: f64, y: f64, size: f64, anchor: &str, text: &str) {
        let text = text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        let _ = writeln!(
            self.body,
            r#"<text x="{x:.1}" y="{y:.1}" font-size="{size}" text-anchor="{anchor}">{text}</text>"#
        );
    }

    /// A filled rectangle.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str) {
        let _ = writeln!(
            self.body,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{fill}"/>"#
        );
    }

    /// An unfilled rectangle (a frame).
    pub fn frame(&mut self, x: f64, y: f64, w: f64, h: f64, stroke: &str) {
        let _ = writeln!(
            self.body,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="none" stroke="{stroke}"/>"#
        );
    }

    /// `image` with its top left corner at `(x, y)`, each pixel a `scale`-sized square,
    /// framed in grey. Pixels of level 0 (white) are left out.
    pub fn image(&mut self, x: f64, y: f64, scale: f64, image: &Image<'_>, map: ColorMap) {
        let _ = writeln!(
            self.body,
            r#"<g transform="translate({x:.1} {y:.1}) scale({scale})" shape-rendering="crispEdges">"#
        );
        let levels: Vec<i32> = image.pixels.iter().map(|&v| map.level(v)).collect();
        let mut used: Vec<i32> = levels.iter().copied().filter(|&l| l != 0).collect();
        used.sort_unstable();
        used.dedup();
        for level in used {
            let mut d = String::new();
            for row in 0..image.height {
                let line = &levels[row * image.width..(row + 1) * image.width];
                let mut col = 0;
                while col < image.width {
                    if line[col] != level {
                        col += 1;
                        continue;
                    }
                    let start = col;
                    while col < image.width && line[col] == level {
                        col += 1;
                    }
                    let _ = write!(d, "M{start} {row}h{}v1h-{}z", col - start, col - start);
                }
            }
            let _ = writeln!(self.body, r#"<path fill="{}" d="{d}"/>"#, map.color(level));
        }
        let _ = writeln!(self.body, "</g>");
        let (w, h) = (image.width as f64 * scale, image.height as f64 * scale);
        self.frame(x, y, w, h, "#999999");
    }

    /// A vertical colour bar for `map` from `low` to `high`, with ticks at both ends and
    /// the middle, and a label beside it.
    pub fn colorbar(&mut self, x: f64, y: f64, h: f64, map: ColorMap, label: &str) {
        let (low, high) = match map {
            ColorMap::Diverging { limit } => (-limit, limit),
            ColorMap::Ink { max } => (0.0, max),
        };
        let steps = 64;
        for i in 0..steps {
            let v = high - (high - low) * (i as f64 + 0.5) / steps as f64;
            let fill = map.color(map.level(v));
            self.rect(
                x,
                y + h * i as f64 / steps as f64,
                16.0,
                h / steps as f64 + 0.5,
                &fill,
            );
        }
        self.frame(x, y, 16.0, h, "#666666");
        for (value, at) in [(high, 0.0), ((high + low) / 2.0, 0.5), (low, 1.0)] {
            self.text(
                x + 22.0,
                y + h * at + 5.0,
                13.0,
                "start",
                &format!("{value:+.2}"),
            );
        }
        let _ = writeln!(
            self.body,
            r#"<text transform="translate({:.1} {:.1}) rotate(90)" font-size="14" text-anchor="middle">{label}</text>"#,
            x + 68.0,
            y + h / 2.0
        );
    }

    /// The finished SVG text.
    pub fn finish(self) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{}</svg>\n",
            self.body,
            w = self.width,
            h = self.height
        )
    }
}

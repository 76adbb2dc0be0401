//! A Graphviz DOT graph laid out and drawn as SVG by the `layout-rs` crate, in pure
//! Rust: no system Graphviz needed.

use layout::backends::svg::SVGWriter;
use layout::gv::{DotParser, GraphBuilder};

/// The SVG picture of the DOT text `dot`.
pub fn dot_to_svg(dot: &str) -> Result<String, String> {
    let mut parser = DotParser::new(dot);
    let graph = parser.process()?;
    let mut builder = GraphBuilder::new();
    builder.visit_graph(&graph);
    let mut visual = builder.get();
    let mut svg = SVGWriter::new();
    visual.do_it(false, false, false, &mut svg);
    // layout-rs sets every label in Times; the examples' figures use sans-serif.
    let svg = svg
        .finalize()
        .replace("font-family: Times, serif", "font-family: sans-serif");
    Ok(sorted_styles(&svg))
}

/// The SVG with the lines of its `<style>` block sorted: layout-rs lists them in hash
/// order, which would make the same graph a different file on every run.
fn sorted_styles(svg: &str) -> String {
    let (Some(start), Some(end)) = (svg.find("<style>\n"), svg.find("</style>")) else {
        return svg.to_string();
    };
    let start = start + "<style>\n".len();
    let mut lines: Vec<&str> = svg[start..end].lines().collect();
    lines.sort_unstable();
    format!("{}{}\n{}", &svg[..start], lines.join("\n"), &svg[end..])
}

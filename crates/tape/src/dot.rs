//! The tape as a graph: a Graphviz DOT export, in the spirit of micrograd's `draw_dot`.
//!
//! Every recorded node becomes one box listing its index, its op (as in the tape's
//! listing), its shape, its value and, given the [`Grads`] of a reverse sweep, its adjoint.
//! Edges run from each input to the op that consumed it, so the picture reads left to
//! right in the order the values flowed; an input used twice (`x * x`) has two edges, one
//! per contribution to its adjoint. DOT is plain text: render it with Graphviz
//! (`dot -Tsvg`) or, without a system Graphviz, with a pure-Rust layout engine such as
//! the `layout-rs` crate (the `tape_walkthrough` example does).

use crate::float::Float;
use crate::grads::Grads;
use crate::ops::NodeId;
use crate::ops::Op;
use crate::shape::Dims;
use crate::tape::Tape;
use crate::var::Var;
use std::fmt;

/// A Graphviz DOT picture of a tape, built by [`Tape::dot`]; its [`Display`](fmt::Display)
/// is the DOT text.
///
/// ```
/// use tape::Tape;
/// let tape = Tape::<f64>::new();
/// let x = tape.var_scalar(3.0);
/// let y = x * x + 1.0;
/// let grads = y.backward();
/// let dot = tape.dot().names(&[(x, "x")]).with_grads(&grads).to_string();
/// assert!(dot.starts_with("digraph tape {"));
/// assert!(dot.contains("n0 -> n1")); // x feeds mul(#0, #0), twice
/// assert!(dot.contains("grad 6")); // dy/dx = 2x
/// ```
pub struct Dot<'a, T: Float> {
    tape: &'a Tape<T>,
    grads: Option<&'a Grads<T>>,
    names: Vec<(NodeId, String)>,
    top_to_bottom: bool,
}

impl<T: Float> Tape<T> {
    /// A DOT picture of everything recorded so far: one node per op, edges from inputs
    /// to the ops that use them. Add adjoints with [`Dot::with_grads`].
    pub fn dot(&self) -> Dot<'_, T> {
        Dot {
            tape: self,
            grads: None,
            names: Vec::new(),
            top_to_bottom: false,
        }
    }
}

impl<'a, T: Float> Dot<'a, T> {
    /// Shows each node's adjoint `d(output)/d(node)` from a reverse sweep of this tape
    /// (constants, which get no gradient, say so).
    ///
    /// # Panics
    /// When the graph is written, if `grads` come from another tape or from before the
    /// tape was cleared.
    pub fn with_grads(mut self, grads: &'a Grads<T>) -> Self {
        self.grads = Some(grads);
        self
    }

    /// Labels the nodes of some vars with names, such as the variables they hold in the
    /// maths (`f = ln s` rather than `#5 ln(#4)` alone).
    ///
    /// # Panics
    /// If a var belongs to another tape.
    pub fn names(mut self, names: &[(Var<'_, T>, &str)]) -> Self {
        for (var, name) in names {
            assert!(
                std::ptr::eq(var.tape, self.tape),
                "Dot::names: the var named {name} belongs to another tape"
            );
            self.names.push((var.index, name.to_string()));
        }
        self
    }

    /// Lays the graph out from top to bottom, each node's fields stacked, instead of
    /// left to right: better for long tapes, which would be very wide.
    pub fn top_to_bottom(mut self) -> Self {
        self.top_to_bottom = true;
        self
    }
}

impl<T: Float> fmt::Display for Dot<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "digraph tape {{")?;
        // Record fields run across the rank direction; braces turn them the other way.
        let (rankdir, open, close) = if self.top_to_bottom {
            ("TB", "{", "}")
        } else {
            ("LR", "", "")
        };
        writeln!(f, "  rankdir={rankdir};")?;
        writeln!(
            f,
            "  node [shape=record, fontname=\"sans-serif\", fontsize=12];"
        )?;
        // Values are read through `Recorded`, the one read accessor of the arena.
        self.tape.lend_recorded(|recorded| {
            for (i, node) in recorded.nodes.iter().enumerate() {
                let id = i as NodeId;
                let op = match node.op {
                    Op::Leaf if node.requires_grad => "var".to_string(),
                    Op::Leaf => "const".to_string(),
                    Op::Borrowed(_) => "const (borrowed)".to_string(),
                    op => op.describe(recorded.indices, recorded.params),
                };
                let name = self
                    .names
                    .iter()
                    .rev()
                    .find(|(n, _)| *n == id)
                    .map_or(String::new(), |(_, name)| format!("{name} = "));
                let dims = recorded.dims(id);
                let shape = if dims.is_empty() {
                    "scalar".to_string()
                } else {
                    format!("shape {}", Dims(dims))
                };
                let mut fields = vec![
                    format!("#{i} {name}{op}"),
                    shape,
                    match node.op {
                        // Borrowed values may be gone by now: they are never read here.
                        Op::Borrowed(_) => "value not kept".to_string(),
                        _ => format!("value {}", summary(recorded.value(id))),
                    },
                ];
                if let Some(grads) = self.grads {
                    fields.push(if node.requires_grad {
                        let var = Var {
                            tape: self.tape,
                            index: id,
                        };
                        format!("grad {}", summary(grads.wrt(var)))
                    } else {
                        "no grad".to_string()
                    });
                }
                let fields: Vec<String> = fields.iter().map(|s| escape(s)).collect();
                let fill = match node.op {
                    Op::Leaf if node.requires_grad => "lightblue",
                    Op::Leaf => "lightgray",
                    _ => "white",
                };
                writeln!(
                    f,
                    "  n{i} [label=\"{open}{}{close}\", style=filled, fillcolor={fill}];",
                    fields.join(" | ")
                )?;
                let mut edges = Ok(());
                node.op.for_each_input(recorded.indices, |input| {
                    edges = edges.and_then(|()| writeln!(f, "  n{input} -> n{i};"));
                });
                edges?;
            }
            Ok(())
        })?;
        writeln!(f, "}}")
    }
}

/// A value to four significant digits, or, for more than four elements, its mean and range.
fn summary<T: Float>(values: &[T]) -> String {
    let values: Vec<f64> = values.iter().map(|v| v.to_f64()).collect();
    match values.as_slice() {
        [x] => short(*x),
        xs if xs.len() <= 4 => {
            let shown: Vec<String> = xs.iter().map(|&x| short(x)).collect();
            format!("[{}]", shown.join(", "))
        }
        xs => {
            let mean = xs.iter().sum::<f64>() / xs.len() as f64;
            let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
            let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            format!(
                "mean {}, range [{}, {}]",
                short(mean),
                short(min),
                short(max)
            )
        }
    }
}

/// Four significant digits, without trailing zeros; scientific notation when very large
/// or very small.
fn short(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let magnitude = x.abs().log10().floor() as i32;
    if (-3..5).contains(&magnitude) {
        let decimals = (3 - magnitude).max(0) as usize;
        let text = format!("{x:.decimals$}");
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        }
    } else {
        format!("{x:.3e}")
    }
}

/// Escapes the characters that are special in a DOT record label or string.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '"' | '\\' | '{' | '}' | '|' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers() {
        assert_eq!(short(13.389056), "13.39");
        assert_eq!(short(0.0746891), "0.07469");
        assert_eq!(short(1.0), "1");
        assert_eq!(short(-2.5), "-2.5");
        assert_eq!(short(123456.0), "1.235e5");
        assert_eq!(short(0.0), "0");
        assert_eq!(short(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn summaries() {
        assert_eq!(summary(&[1.0f64, 2.5]), "[1, 2.5]");
        assert_eq!(
            summary(&[1.0f64, 2.0, 3.0, 4.0, 5.0]),
            "mean 3, range [1, 5]"
        );
    }

    #[test]
    fn record_characters_are_escaped() {
        assert_eq!(escape("a|b{c}<d>\"e\""), "a\\|b\\{c\\}\\<d\\>\\\"e\\\"");
    }
}

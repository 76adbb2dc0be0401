//! The DOT export draws the tape as it is: one node per recorded op, an edge from every
//! input of an op to the op (twice for an input used twice), and, given the gradients of
//! a reverse sweep, each node's adjoint.

use tape::{Tape, Tensor, Var};

/// The `nK [label="..."]` lines: node index and label.
fn nodes(dot: &str) -> Vec<(usize, String)> {
    dot.lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix('n')?;
            let (index, rest) = rest.split_once(" [label=\"")?;
            let label = rest.split("\", style=").next()?;
            Some((index.parse().ok()?, label.to_string()))
        })
        .collect()
}

/// The `nA -> nB;` lines as `(A, B)`.
fn edges(dot: &str) -> Vec<(usize, usize)> {
    dot.lines()
        .filter_map(|line| {
            let (from, to) = line.trim().strip_suffix(';')?.split_once(" -> ")?;
            Some((
                from.strip_prefix('n')?.parse().ok()?,
                to.strip_prefix('n')?.parse().ok()?,
            ))
        })
        .collect()
}

/// The inputs of every node as the tape's own listing names them (`mul(#0, #1)`).
fn listed_inputs(tape: &Tape<f64>) -> Vec<(usize, usize)> {
    let mut expected = Vec::new();
    for (node, line) in tape.to_string().lines().enumerate() {
        // `#5   add(#3, #4)   [2]   = ...`: the inputs are the `#k` after the first.
        let op = line.split(" = ").next().expect("a listing line");
        for part in op.split('#').skip(2) {
            let digits: String = part.chars().take_while(|c| c.is_ascii_digit()).collect();
            expected.push((digits.parse().expect("an input index"), node));
        }
    }
    expected
}

/// A small softmax-regression step touching most kinds of op.
fn record(tape: &Tape<f64>) -> (Var<'_, f64>, Var<'_, f64>, Var<'_, f64>) {
    let w = tape.var(&Tensor::from_vec(
        vec![0.1, -0.2, 0.3, 0.4, 0.0, -0.1],
        &[2, 3],
    ));
    let b = tape.var(&Tensor::from_vec(vec![0.5, -0.5], &[2]));
    let x = tape.constant(&Tensor::from_fn(&[4, 3], |i| i as f64 / 6.0 - 1.0));
    let logits = x.matmul(w.t()) + b;
    let m = logits.max_axis(-1, true).detach();
    let lse = (logits - m).exp().sum_axis(-1, false).ln() + m.reshape(&[4]);
    let joined = Var::concat(&[lse, lse * 2.0], 0);
    let loss = (lse - logits.pick(&[0, 1, 1, 0])).mean() + joined.sum() * 0.0 + (b * b).sum();
    (loss, w, b)
}

#[test]
fn one_node_per_recorded_op() {
    let tape = Tape::<f64>::new();
    let _ = record(&tape);
    let dot = tape.dot().to_string();
    let found = nodes(&dot);
    assert_eq!(found.len(), tape.len());
    let indices: Vec<usize> = found.iter().map(|n| n.0).collect();
    assert_eq!(indices, (0..tape.len()).collect::<Vec<_>>());
    assert!(dot.starts_with("digraph tape {") && dot.trim_end().ends_with('}'));
}

#[test]
fn edges_follow_the_inputs() {
    let tape = Tape::<f64>::new();
    let _ = record(&tape);
    let mut found = edges(&tape.dot().to_string());
    let mut expected = listed_inputs(&tape);
    found.sort_unstable();
    expected.sort_unstable();
    assert_eq!(found, expected);
    // Every edge points forward: tape order is topological order.
    assert!(found.iter().all(|(from, to)| from < to));
}

#[test]
fn an_input_used_twice_has_two_edges() {
    let tape = Tape::<f64>::new();
    let x = tape.var_scalar(3.0);
    let _ = x * x;
    assert_eq!(edges(&tape.dot().to_string()), [(0, 1), (0, 1)]);
}

#[test]
fn labels_show_op_shape_and_value() {
    let tape = Tape::<f64>::new();
    let x = tape.var_scalar(2.0);
    let y = tape.constant(&Tensor::from_vec(
        vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        &[2, 3],
    ));
    let z = (y * x).sum();
    let dot = tape.dot().names(&[(x, "x"), (z, "z")]).to_string();
    let labels: Vec<String> = nodes(&dot).into_iter().map(|n| n.1).collect();
    assert_eq!(labels[0], "#0 x = var | scalar | value 2");
    assert_eq!(
        labels[1],
        "#1 const | shape [2, 3] | value mean 3.5, range [1, 6]"
    );
    assert!(
        labels[2].starts_with("#2 mul(#1, #0) | shape [2, 3]"),
        "{}",
        labels[2]
    );
    assert_eq!(labels[3], "#3 z = sum(#2) | scalar | value 42");
    assert!(!dot.contains("grad"), "no adjoints before a reverse sweep");
}

#[test]
fn adjoints_appear_after_backward() {
    let tape = Tape::<f64>::new();
    let (loss, w, b) = record(&tape);
    let grads = loss.backward();
    let dot = tape.dot().with_grads(&grads).to_string();
    let found = nodes(&dot);
    assert_eq!(found.len(), tape.len());
    // The output's adjoint is the seed, 1.
    assert!(
        found[loss.index()].1.ends_with("| grad 1"),
        "{}",
        found[loss.index()].1
    );
    // b has two elements, so its adjoint is listed in full and equals the gradient.
    let gb = grads.wrt(b);
    let b_label = &found[b.index()].1;
    let listed: Vec<f64> = b_label
        .rsplit("grad [")
        .next()
        .and_then(|s| s.strip_suffix(']'))
        .expect("b's adjoint listed in full")
        .split(", ")
        .map(|v| v.parse().unwrap())
        .collect();
    for (shown, exact) in listed.iter().zip(gb) {
        assert!(
            (shown - exact).abs() <= 5e-4 * exact.abs(),
            "{shown} vs {exact}"
        );
    }
    // W has six elements: a summary of its adjoint.
    assert!(
        found[w.index()].1.contains("| grad mean "),
        "{}",
        found[w.index()].1
    );
    // Constants and detached values get no gradient and say so; every node says either.
    for (i, label) in &found {
        if label.contains(" const ") || label.contains(" detach(") {
            assert!(label.ends_with("| no grad"), "#{i}: {label}");
        } else {
            assert!(
                label.ends_with("| no grad") || label.contains("| grad "),
                "#{i}: {label}"
            );
        }
    }
    let with_grad = found.iter().filter(|n| n.1.contains("| grad ")).count();
    assert!(
        with_grad > found.len() / 2,
        "only {with_grad} nodes show an adjoint"
    );
}

#[test]
fn top_to_bottom_stacks_the_fields() {
    let tape = Tape::<f64>::new();
    let x = tape.var_scalar(2.0);
    let _ = x.exp();
    let dot = tape.dot().top_to_bottom().to_string();
    assert!(dot.contains("rankdir=TB;"));
    let labels: Vec<String> = nodes(&dot).into_iter().map(|n| n.1).collect();
    assert_eq!(labels[0], "{#0 var | scalar | value 2}");
    assert!(tape.dot().to_string().contains("rankdir=LR;"));
}

#[test]
#[should_panic(expected = "another tape")]
fn names_from_another_tape_are_refused() {
    let tape = Tape::<f64>::new();
    let other = Tape::<f64>::new();
    let x = other.var_scalar(1.0);
    let _ = tape.dot().names(&[(x, "x")]);
}

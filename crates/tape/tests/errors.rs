//! Error messages: a shape mismatch names the op and both shapes, in the `try_` form
//! (an `Err`) and in the panicking form; vars of two tapes do not mix; backward needs a
//! scalar; and gradcheck catches a deliberately wrong gradient and names where.

use tape::{gradcheck, gradcheck_fast, GradcheckError, GradcheckOptions, Tape, Tensor, Var};

fn zeros<'t>(tape: &'t Tape<f64>, dims: &[usize]) -> Var<'t, f64> {
    tape.var(&Tensor::zeros(dims))
}

fn zeros32<'t>(tape: &'t Tape<f32>, dims: &[usize]) -> Var<'t, f32> {
    tape.var(&Tensor::zeros(dims))
}

// --- matmul ---------------------------------------------------------------------------

#[test]
fn try_matmul_names_both_shapes() {
    let tape = Tape::<f32>::new();
    let a = zeros32(&tape, &[256, 784]);
    let b = zeros32(&tape, &[10, 784]);
    let before = tape.len();
    let err = a.try_matmul(b).unwrap_err();
    assert_eq!(
        err.to_string(),
        "matmul: [256, 784] x [10, 784]: inner dimensions 784 and 10 differ"
    );
    assert_eq!(tape.len(), before, "a failed op records nothing");
    // With the right orientation it works.
    assert_eq!(&a.try_matmul(b.t()).unwrap().shape()[..], &[256, 10]);

    let tape = Tape::<f64>::new();
    let err = zeros(&tape, &[3])
        .try_matmul(zeros(&tape, &[3, 2]))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "matmul: [3] x [3, 2]: both operands must be 2-d"
    );
}

#[test]
#[should_panic(expected = "matmul: [256, 784] x [10, 784]: inner dimensions 784 and 10 differ")]
fn matmul_panics_with_the_same_message() {
    let tape = Tape::<f64>::new();
    let _ = zeros(&tape, &[256, 784]).matmul(zeros(&tape, &[10, 784]));
}

#[test]
#[should_panic(expected = "matmul_transposed: [256, 784] x [784, 10]^T: expects [m, k] and [n, k]")]
fn matmul_transposed_panics_naming_both_shapes() {
    let tape = Tape::<f64>::new();
    let _ = zeros(&tape, &[256, 784]).matmul_transposed(zeros(&tape, &[784, 10]));
}

// --- broadcasting binary ops ----------------------------------------------------------

#[test]
fn try_binary_names_the_op_and_both_shapes() {
    use tape::ops::Binary;
    let tape = Tape::<f64>::new();
    let a = zeros(&tape, &[2, 3]);
    let b = zeros(&tape, &[4]);
    for (kind, name) in [
        (Binary::Add, "add"),
        (Binary::Sub, "sub"),
        (Binary::Mul, "mul"),
        (Binary::Div, "div"),
        (Binary::Maximum, "maximum"),
        (Binary::Minimum, "minimum"),
    ] {
        let err = a.try_binary(b, kind).unwrap_err().to_string();
        assert_eq!(
            err,
            format!("{name}: shapes [2, 3] and [4] cannot be broadcast: axis 1 has 3 and 4")
        );
    }
    // The order of the operands is kept in the message.
    let err = b.try_binary(a, Binary::Add).unwrap_err().to_string();
    assert!(err.starts_with("add: shapes [4] and [2, 3]"), "{err}");
}

#[test]
#[should_panic(expected = "add: shapes [2, 3] and [4] cannot be broadcast")]
fn add_operator_panics_naming_both_shapes() {
    let tape = Tape::<f64>::new();
    let _ = zeros(&tape, &[2, 3]) + zeros(&tape, &[4]);
}

#[test]
#[should_panic(expected = "mul: shapes [2, 3] and [4] cannot be broadcast")]
fn mul_operator_panics_naming_both_shapes_f32() {
    let tape = Tape::<f32>::new();
    let _ = zeros32(&tape, &[2, 3]) * zeros32(&tape, &[4]);
}

#[test]
#[should_panic(expected = "div: shapes [5, 1, 2] and [3, 3] cannot be broadcast")]
fn div_operator_panics_naming_both_shapes() {
    let tape = Tape::<f64>::new();
    let _ = zeros(&tape, &[5, 1, 2]) / zeros(&tape, &[3, 3]);
}

#[test]
#[should_panic(expected = "sub: shapes [2] and [3] cannot be broadcast")]
fn sub_operator_panics_naming_both_shapes() {
    let tape = Tape::<f64>::new();
    let _ = zeros(&tape, &[2]) - zeros(&tape, &[3]);
}

#[test]
fn broadcast_to_a_smaller_shape_is_an_error() {
    let tape = Tape::<f64>::new();
    let err = zeros(&tape, &[2, 3]).try_broadcast_to(&[3]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "broadcast_to: cannot broadcast [2, 3] to [3]"
    );
    let err = zeros(&tape, &[2]).try_broadcast_to(&[2, 3]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("broadcast_to: shapes [2] and [2, 3]"),
        "{err}"
    );
}

// --- reshape, pick, concat, axes ------------------------------------------------------

#[test]
fn reshape_with_a_wrong_count() {
    let tape = Tape::<f64>::new();
    let err = zeros(&tape, &[2, 3]).try_reshape(&[4]).unwrap_err();
    assert_eq!(err.to_string(), "reshape: cannot reshape [2, 3] into [4]");
}

#[test]
#[should_panic(expected = "reshape: cannot reshape [2, 3] into [7]")]
fn reshape_panics_with_a_wrong_count() {
    let tape = Tape::<f32>::new();
    let _ = zeros32(&tape, &[2, 3]).reshape(&[7]);
}

#[test]
fn pick_out_of_range_and_wrong_count() {
    let tape = Tape::<f64>::new();
    let x = zeros(&tape, &[2, 3]);
    let err = x.try_pick(&[0, 3]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "pick: index 3 at row 1 is out of range for 3 columns"
    );
    let err = x.try_pick(&[0]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "pick: 1 indices for a tensor of shape [2, 3] with 2 rows"
    );
    let err = tape.var_scalar(1.0).try_pick(&[0]).unwrap_err();
    assert_eq!(err.to_string(), "pick: cannot pick from a 0-d tensor");
}

#[test]
#[should_panic(expected = "pick: index 5 at row 0 is out of range for 3 columns")]
fn pick_panics_on_an_out_of_range_label() {
    let tape = Tape::<f32>::new();
    let _ = zeros32(&tape, &[2, 3]).pick(&[5, 0]);
}

#[test]
#[should_panic(expected = "one_hot: label 4 at row 1 is not below 4 classes")]
fn one_hot_panics_on_an_out_of_range_label() {
    let tape = Tape::<f64>::new();
    let _ = tape.one_hot(&[0, 4], 4);
}

#[test]
fn narrow_index_select_and_gather_name_what_is_out_of_range() {
    let tape = Tape::<f64>::new();
    let x = zeros(&tape, &[2, 3]);
    let before = tape.len();
    let cases = [
        (
            x.try_narrow(1, 2, 2).unwrap_err(),
            "narrow: range 2..4 is out of bounds for axis 1 of length 3 in shape [2, 3]",
        ),
        (
            x.try_narrow(2, 0, 1).unwrap_err(),
            "narrow: axis 2 is out of range for a 2-d tensor",
        ),
        (
            x.try_index_select(-2, &[0, 2]).unwrap_err(),
            "index_select: index 2 at position 1 is out of range for axis 0 of length 2 in shape [2, 3]",
        ),
        (
            x.try_gather(1, &[0, 3], &[2, 1]).unwrap_err(),
            "gather: index 3 at position 1 is out of range for axis 1 of length 3 in shape [2, 3]",
        ),
        (
            x.try_gather(1, &[0, 1], &[2]).unwrap_err(),
            "gather: index of shape [2] has 1 dimensions but the input [2, 3] has 2",
        ),
        (
            x.try_gather(1, &[0; 6], &[3, 2]).unwrap_err(),
            "gather: index of shape [3, 2] is larger than the input [2, 3] on axis 0",
        ),
        (
            x.try_gather(0, &[0; 3], &[2, 2]).unwrap_err(),
            "gather: 3 indices do not fill the index shape [2, 2]",
        ),
    ];
    for (err, expected) in cases {
        assert_eq!(err.to_string(), expected);
    }
    assert_eq!(tape.len(), before, "a failed op records nothing");
    // Along the gathered axis the index may be longer than the input.
    assert_eq!(
        &x.try_gather(1, &[2; 10], &[2, 5]).unwrap().shape()[..],
        &[2, 5]
    );
}

#[test]
#[should_panic(
    expected = "narrow: range 1..5 is out of bounds for axis 0 of length 4 in shape [4]"
)]
fn narrow_panics_with_the_same_message() {
    let tape = Tape::<f32>::new();
    let _ = zeros32(&tape, &[4]).narrow(0, 1, 4);
}

#[test]
#[should_panic(expected = "index_select: index 7 at position 0 is out of range for axis 1")]
fn index_select_panics_with_the_same_message() {
    let tape = Tape::<f64>::new();
    let _ = zeros(&tape, &[2, 3]).index_select(1, &[7]);
}

#[test]
#[should_panic(expected = "gather: index 4 at position 0 is out of range for axis 0")]
fn gather_panics_with_the_same_message() {
    let tape = Tape::<f64>::new();
    let _ = zeros(&tape, &[3]).gather(0, &[4], &[1]);
}

#[test]
fn concat_with_mismatched_shapes() {
    let tape = Tape::<f64>::new();
    let a = zeros(&tape, &[2, 3]);
    let b = zeros(&tape, &[2, 4]);
    let err = Var::try_concat(&[a, b], 0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "concat: shapes [2, 3] and [2, 4] differ off axis 0"
    );
    // Along the axis where they differ it works.
    assert_eq!(&Var::try_concat(&[a, b], -1).unwrap().shape()[..], &[2, 7]);
    let c = zeros(&tape, &[2, 3, 1]);
    let err = Var::try_concat(&[a, c], 1).unwrap_err();
    assert_eq!(
        err.to_string(),
        "concat: shapes [2, 3] and [2, 3, 1] differ off axis 1"
    );
    let err = Var::try_concat(&[a, b], 2).unwrap_err();
    assert_eq!(
        err.to_string(),
        "concat: axis 2 is out of range for a 2-d tensor"
    );
    let err = Var::<f64>::try_concat(&[], 0).unwrap_err();
    assert_eq!(err.to_string(), "concat: needs at least one input");
}

#[test]
#[should_panic(expected = "concat: shapes [2, 3] and [3, 3] differ off axis 1")]
fn concat_panics_with_mismatched_shapes() {
    let tape = Tape::<f64>::new();
    let _ = Var::concat(&[zeros(&tape, &[2, 3]), zeros(&tape, &[3, 3])], 1);
}

#[test]
#[should_panic(expected = "sum_axis: axis -3 is out of range for a 2-d tensor")]
fn reduction_axis_out_of_range() {
    let tape = Tape::<f64>::new();
    let _ = zeros(&tape, &[2, 3]).sum_axis(-3, false);
}

#[test]
#[should_panic(expected = "transpose: expects at most 2 dimensions, got [2, 3, 4]")]
fn transpose_of_a_3d_var() {
    let tape = Tape::<f64>::new();
    let _ = zeros(&tape, &[2, 3, 4]).t();
}

#[test]
#[should_panic(expected = "leaf: 5 elements do not fill shape [2, 3]")]
fn var_from_slice_with_a_wrong_length() {
    let tape = Tape::<f64>::new();
    let _ = tape.var_from_slice(&[0.0; 5], &[2, 3]);
}

// --- one convention: `try_x` returns the error, `x` panics with the same message ------

/// The message `f` panics with.
fn panic_message<R>(f: impl FnOnce() -> R) -> String {
    let Err(payload) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) else {
        panic!("the call should panic");
    };
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload
            .downcast::<&str>()
            .map(|m| m.to_string())
            .unwrap_or_default(),
    }
}

#[test]
fn tensor_and_var_calls_fail_alike_in_both_forms() {
    let a = Tensor::<f64>::zeros(&[2, 3]);
    let b = Tensor::<f64>::zeros(&[4]);
    let cube = Tensor::<f64>::zeros(&[1, 2, 3]);
    let tape = Tape::<f64>::new();
    let (va, vb, vcube) = (tape.var(&a), tape.var(&b), tape.var(&cube));
    // (the try_ form's error, the message of the panicking form)
    let pairs: Vec<(String, String)> = vec![
        (
            a.try_reshape(&[4]).unwrap_err().to_string(),
            panic_message(|| a.reshape(&[4])),
        ),
        (
            va.try_reshape(&[4]).unwrap_err().to_string(),
            panic_message(|| va.reshape(&[4])),
        ),
        (
            a.try_matmul(&a).unwrap_err().to_string(),
            panic_message(|| a.matmul(&a)),
        ),
        (
            va.try_matmul(va).unwrap_err().to_string(),
            panic_message(|| va.matmul(va)),
        ),
        (
            cube.try_transpose().unwrap_err().to_string(),
            panic_message(|| cube.transpose()),
        ),
        (
            vcube.try_transpose().unwrap_err().to_string(),
            panic_message(|| vcube.transpose()),
        ),
        (
            a.try_pick(&[0, 5]).unwrap_err().to_string(),
            panic_message(|| a.pick(&[0, 5])),
        ),
        (
            va.try_pick(&[0, 5]).unwrap_err().to_string(),
            panic_message(|| va.pick(&[0, 5])),
        ),
        (
            a.try_zip_with(&b, "add", |x, y| x + y)
                .unwrap_err()
                .to_string(),
            panic_message(|| &a + &b),
        ),
        (
            va.try_binary(vb, tape::ops::Binary::Add)
                .unwrap_err()
                .to_string(),
            panic_message(|| va + vb),
        ),
        (
            Tensor::<f64>::try_one_hot(&[0, 4], 4)
                .unwrap_err()
                .to_string(),
            panic_message(|| Tensor::<f64>::one_hot(&[0, 4], 4)),
        ),
        (
            tape.try_one_hot(&[0, 4], 4).unwrap_err().to_string(),
            panic_message(|| tape.one_hot(&[0, 4], 4)),
        ),
    ];
    for (error, panic) in &pairs {
        assert_eq!(error, panic);
    }
    // Tensor and Var say the same thing about the same mistake.
    for pair in pairs.chunks(2) {
        assert_eq!(pair[0].0, pair[1].0);
    }
    assert_eq!(
        pairs[4].0,
        "transpose: expects at most 2 dimensions, got [1, 2, 3]"
    );
    assert_eq!(
        pairs[10].0,
        "one_hot: label 4 at row 1 is not below 4 classes"
    );
}

#[test]
fn transpose_has_one_name_on_tensor_and_var() {
    let a = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let tape = Tape::<f64>::new();
    let v = tape.var(&a);
    assert_eq!(v.transpose().value(), a.transpose());
    assert_eq!(v.t().value(), a.t());
    assert_eq!(a.t(), a.try_transpose().unwrap());
    let grads = (v.transpose() * tape.constant(&a.t())).sum().backward();
    assert_eq!(grads.wrt(v), a.data(), "d/dv sum(v^T * a^T) = a");
}

// --- tapes do not mix -----------------------------------------------------------------

#[test]
#[should_panic(expected = "different tapes")]
fn vars_of_two_tapes_cannot_be_added() {
    let one = Tape::<f64>::new();
    let two = Tape::<f64>::new();
    let _ = one.var_scalar(1.0) + two.var_scalar(2.0);
}

#[test]
#[should_panic(expected = "different tapes")]
fn vars_of_two_tapes_cannot_be_multiplied_f32() {
    let one = Tape::<f32>::new();
    let two = Tape::<f32>::new();
    let _ = zeros32(&one, &[2, 2]) * zeros32(&two, &[2, 2]);
}

#[test]
#[should_panic(expected = "matmul: the operands are recorded on different tapes")]
fn vars_of_two_tapes_cannot_be_matmuled() {
    let one = Tape::<f64>::new();
    let two = Tape::<f64>::new();
    let _ = zeros(&one, &[2, 2]).matmul(zeros(&two, &[2, 2]));
}

#[test]
#[should_panic(expected = "concat: the operands are recorded on different tapes")]
fn vars_of_two_tapes_cannot_be_concatenated() {
    let one = Tape::<f64>::new();
    let two = Tape::<f64>::new();
    let _ = Var::concat(&[zeros(&one, &[2]), zeros(&two, &[2])], 0);
}

#[test]
#[should_panic(expected = "vjp: the output var belongs to another tape")]
fn backward_into_on_another_tape() {
    let one = Tape::<f64>::new();
    let two = Tape::<f64>::new();
    let y = one.var_scalar(1.0) * 2.0;
    two.backward_into(y, &mut tape::Grads::new());
}

// --- backward needs a scalar ----------------------------------------------------------

#[test]
#[should_panic(expected = "not a scalar")]
fn backward_on_a_non_scalar() {
    let tape = Tape::<f64>::new();
    let _ = zeros(&tape, &[2, 3]).exp().backward();
}

#[test]
#[should_panic(expected = "backward: output of shape [3] is not a scalar")]
fn backward_on_a_non_scalar_f32() {
    let tape = Tape::<f32>::new();
    let _ = zeros32(&tape, &[3]).backward();
}

#[test]
fn backward_on_a_one_element_non_0d_var_is_fine() {
    let tape = Tape::<f64>::new();
    let x = tape.var(&Tensor::from_vec(vec![3.0], &[1, 1]));
    assert_eq!((x * x).backward().wrt(x), &[6.0]);
}

#[test]
#[should_panic(expected = "vjp: seed of shape [3] does not match output of shape [2, 3]")]
fn vjp_with_a_wrongly_shaped_seed() {
    let tape = Tape::<f64>::new();
    let y = zeros(&tape, &[2, 3]).exp();
    let _ = tape.vjp(y, &Tensor::zeros(&[3]));
}

// --- gradcheck catches a wrong gradient -----------------------------------------------

/// Value `x^2 / 2` but gradient `sign(x)`, through detach; `y` is used correctly.
fn wrong<'t>(v: &[Var<'t, f64>]) -> Var<'t, f64> {
    let (y, x) = (v[0], v[1]);
    let x_wrong = x.abs() - x.abs().detach() + (x * x * 0.5).detach();
    y.exp().sum() + x_wrong.sum()
}

#[test]
fn gradcheck_names_the_worst_wrong_element() {
    let y = Tensor::from_vec(vec![0.1, -0.2, 0.3], &[3]);
    // sign(x) against x: errors 0.5, 1, 0 and 2; the worst is [1, 1].
    let x = Tensor::from_vec(vec![0.5, -2.0, 1.0, 3.0], &[2, 2]);
    let err = gradcheck(|_, v| wrong(v), &[y, x], &GradcheckOptions::default()).unwrap_err();
    match &err {
        GradcheckError::Mismatch {
            input,
            index,
            analytic,
            numeric,
            tolerance,
            report,
        } => {
            assert_eq!(*input, Some(1));
            assert_eq!(index, &vec![1, 1]);
            assert!((analytic - 1.0).abs() < 1e-12, "analytic {analytic}");
            assert!((numeric - 3.0).abs() < 1e-6, "numeric {numeric}");
            assert!((tolerance - (1e-5 + 1e-3 * numeric.abs())).abs() < 1e-12);
            // The report holds both Jacobians: exp(y) for y, and sign(x) against x.
            assert_eq!(report.checked, 7);
            assert_eq!(report.analytic[1].data(), &[1.0, -1.0, 1.0, 1.0]);
            let numeric_x = report.numeric[1].data();
            for (got, want) in numeric_x.iter().zip([0.5, -2.0, 1.0, 3.0]) {
                assert!((got - want).abs() < 1e-6, "{numeric_x:?}");
            }
            for (a, n) in report.analytic[0]
                .data()
                .iter()
                .zip(report.numeric[0].data())
            {
                assert!((a - n).abs() < 1e-8);
            }
            // Every element appears in the table, the worst one among them.
            let table = report.to_string();
            assert_eq!(table.lines().count(), 1 + 7, "{table}");
            assert!(
                table.lines().any(|l| l.starts_with("1      [1, 1]")),
                "{table}"
            );
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains("input 1 element [1, 1]"), "{message}");
    assert!(message.contains("analytic 1e0"), "{message}");

    // With x = 1 where the gradient happens to be right, the check passes.
    let y = Tensor::from_vec(vec![0.1], &[1]);
    let x = Tensor::from_vec(vec![1.0], &[1]);
    let report = gradcheck(|_, v| wrong(v), &[y, x], &GradcheckOptions::default()).unwrap();
    assert_eq!(report.checked, 2);
    assert_eq!(report.elements().count(), 2);
    assert!(report.directional.is_none());
}

#[test]
fn gradcheck_fast_catches_the_wrong_gradient() {
    let y = Tensor::from_vec(vec![0.1, -0.2, 0.3], &[3]);
    let x = Tensor::from_vec(vec![0.5, -2.0, 1.0, 3.0], &[2, 2]);
    for seed in 0..5 {
        let options = GradcheckOptions {
            seed,
            ..GradcheckOptions::default()
        };
        let err = gradcheck_fast(|_, v| wrong(v), &[y.clone(), x.clone()], &options).unwrap_err();
        let GradcheckError::Mismatch {
            input: None,
            index,
            analytic,
            numeric,
            report,
            ..
        } = err
        else {
            panic!("expected a fast-mode mismatch, got {err:?}");
        };
        assert!(index.is_empty());
        // The report holds the direction and both directional derivatives: grad . u with
        // the tape's gradient (sign(x) for x) and with the true one (x).
        let directional = report
            .directional
            .as_ref()
            .expect("fast mode reports its direction");
        assert_eq!(
            (directional.analytic, directional.numeric),
            (analytic, numeric)
        );
        let dot = |g: &[f64], u: &Tensor<f64>| -> f64 {
            g.iter().zip(u.data()).map(|(a, b)| a * b).sum()
        };
        let y_part = dot(
            &y.data().iter().map(|v| v.exp()).collect::<Vec<_>>(),
            &directional.direction[0],
        );
        assert!(
            (analytic - y_part - dot(&[1.0, -1.0, 1.0, 1.0], &directional.direction[1])).abs()
                < 1e-12
        );
        assert!((numeric - y_part - dot(x.data(), &directional.direction[1])).abs() < 1e-6);
        assert!(report.numeric.is_empty() && report.elements().next().is_none());
    }
}

#[test]
fn gradcheck_rejects_non_scalar_and_non_finite_outputs() {
    let x = Tensor::from_vec(vec![1.0, 2.0], &[2]);
    let err = gradcheck(
        |_, v| v[0].exp(),
        std::slice::from_ref(&x),
        &GradcheckOptions::default(),
    );
    assert_eq!(err, Err(GradcheckError::NotScalar { shape: vec![2] }));
    let err = gradcheck(
        |_, v| (v[0] - 1.0).ln().sum(),
        &[x],
        &GradcheckOptions::default(),
    );
    assert!(
        matches!(err, Err(GradcheckError::NonFinite { value }) if value == f64::NEG_INFINITY),
        "{err:?}"
    );
}

#[test]
#[should_panic(expected = "constant_rows: row 3 is out of range for 3 rows")]
fn constant_rows_names_a_row_out_of_range() {
    let tape = tape::Tape::<f64>::new();
    tape.constant_rows(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, &[0, 3]);
}

/// A closure given a var's values cannot record on the tape meanwhile (the values could
/// move): it panics with a message that says so, as a `RefCell` would.
#[test]
#[should_panic(expected = "cannot record while the tape's values are lent out")]
fn recording_inside_with_value_panics() {
    let tape = tape::Tape::<f64>::new();
    let x = tape.var_scalar(1.0);
    x.with_value(|_| tape.var_scalar(2.0));
}

/// Reading the tape inside such a closure is fine.
#[test]
fn reading_inside_with_value_is_fine() {
    let tape = tape::Tape::<f64>::new();
    let x = tape.var_scalar(1.0);
    let y = x * 3.0;
    let (len, shape) = x.with_value(|_| (tape.len(), y.shape()));
    assert_eq!((len, shape.len()), (2, 0));
}

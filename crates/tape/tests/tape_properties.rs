//! Properties of the tape itself, in `f32` and `f64`: adjoints accumulate over uses, a
//! very deep chain differentiates without recursion, backward is repeatable, unrelated
//! vars and constants get zero (also where a reused buffer held adjoints), ops on a
//! cleared tape ignore what it held, `vjp` (and `backward_with`) is the gradient of a
//! seeded sum, compound assignment records the spelt-out op, a reused tape stops growing, and
//! gradients refuse vars of another tape.

use tape::{Float, Grads, Tape, Tensor, Var};

fn t<T: Float>(x: f64) -> T {
    T::from_f64(x)
}

fn tensor<T: Float>(data: &[f64], dims: &[usize]) -> Tensor<T> {
    Tensor::from_vec(data.iter().map(|&x| t(x)).collect(), dims)
}

fn bits<T: Float>(xs: &[T]) -> Vec<u64> {
    // f32 -> f64 is exact and injective, so this compares f32 bit patterns too.
    xs.iter().map(|x| x.to_f64().to_bits()).collect()
}

/// A computation touching most ops, for the repeatability and reuse tests.
fn model<'t, T: Float>(
    tape: &'t Tape<T>,
    w: &Tensor<T>,
    b: &Tensor<T>,
    x: &Tensor<T>,
) -> (Var<'t, T>, Var<'t, T>, Var<'t, T>) {
    let w = tape.var(w);
    let b = tape.var(b);
    let x = tape.constant(x);
    let h = (x.matmul(w.t()) + b).tanh(); // [5, 3]
    let m = h.max_axis(-1, true).detach();
    let lse = (h - m).exp().sum_axis(-1, true).ln() + m;
    let z = Var::concat(&[h - lse, h.sigmoid()], 1); // [5, 6]
    let loss = -z.pick(&[0, 5, 2, 3, 1]).mean() + (w * w).sum() * t::<T>(0.01) - b.abs().max()
        + z.reshape(&[30]).powi(2).mean_axis(0, false);
    (loss, w, b)
}

fn model_inputs<T: Float>() -> (Tensor<T>, Tensor<T>, Tensor<T>) {
    let w: Vec<f64> = (0..12).map(|i| (i as f64 * 0.7).sin() * 0.5).collect();
    let x: Vec<f64> = (0..20).map(|i| (i as f64 * 1.3).cos()).collect();
    (
        tensor(&w, &[3, 4]),
        tensor(&[0.1, -0.3, 0.2], &[3]),
        tensor(&x, &[5, 4]),
    )
}

fn accumulates_over_uses<T: Float>() {
    // x*x + x*x = 2x^2 has derivative 4x: both uses in each product, and both products.
    let tape = Tape::<T>::new();
    let x = tape.var_scalar(t(1.5));
    assert_eq!((x * x + x * x).backward().item(x), t(6.0));

    let data = [-2.0, -0.5, 0.0, 0.75, 3.0, 10.0];
    let x = tape.var(&tensor(&data, &[2, 3]));
    let grads = (x * x + x * x).sum().backward();
    let want: Vec<T> = data.iter().map(|&v| t(4.0 * v)).collect();
    assert_eq!(grads.wrt(x), &want[..]);
    // Through a broadcast too: a [3] bias used against [2, 3] and directly.
    let b = tape.var(&tensor(&[1.0, 2.0, 3.0], &[3]));
    let grads = ((x + b).sum() + (b * t::<T>(2.0)).sum()).backward();
    assert_eq!(grads.wrt(b), &[t::<T>(4.0); 3][..]);
}

/// `steps` times `y = y * a + 0`: 2 * `steps` nodes, derivative `a^steps`. Runs on the
/// calling thread (a test thread's 2 MiB stack would not survive a recursive backward).
fn deep_chain<T: Float>(a: f64, steps: usize, rtol: f64) {
    let tape = Tape::<T>::new();
    let x = tape.var_scalar(t(1.0));
    let mut y = x;
    for _ in 0..steps {
        y = y * t::<T>(a) + t::<T>(0.0);
    }
    assert_eq!(tape.len(), 2 * steps + 1);
    let grads = y.backward();
    let want = T::from_f64(a).to_f64().powi(steps as i32);
    let got = grads.item(x).to_f64();
    assert!((got - want).abs() <= rtol * want, "got {got}, want {want}");
    // A chain whose derivative changes at every step: y = y + tanh(y) * c. The forward
    // values are replayed in `T` (the same ops in the same order, so the same numbers as
    // the tape's) and dy/dx = prod (1 + c (1 - tanh^2 y)) is accumulated in f64.
    let c = t::<T>(0.001);
    let tape = Tape::<T>::new();
    let x = tape.var_scalar(t(0.3));
    let (mut y, mut value, mut deriv) = (x, t::<T>(0.3), 1.0f64);
    for _ in 0..steps / 2 {
        y = y + y.tanh() * c;
        let th = value.tanh();
        deriv *= 1.0 + c.to_f64() * (1.0 - th.to_f64() * th.to_f64());
        value += th * c;
    }
    assert_eq!(y.item().to_f64().to_bits(), value.to_f64().to_bits());
    assert!(deriv > 2.0, "a chain with a trivial derivative: {deriv}");
    let got = y.backward().item(x).to_f64();
    assert!(
        (got - deriv).abs() <= rtol * deriv,
        "got {got}, want {deriv}"
    );
}

fn backward_is_repeatable<T: Float>() {
    let (w, b, x) = model_inputs::<T>();
    let tape = Tape::<T>::new();
    let (loss, w, b) = model(&tape, &w, &b, &x);
    let first = loss.backward();
    let second = loss.backward();
    assert_eq!(bits(first.wrt(w)), bits(second.wrt(w)));
    assert_eq!(bits(first.wrt(b)), bits(second.wrt(b)));
    // Into a reused store as well, twice.
    let mut grads = Grads::new();
    for _ in 0..2 {
        tape.backward_into(loss, &mut grads);
        assert_eq!(bits(first.wrt(w)), bits(grads.wrt(w)));
        assert_eq!(bits(first.wrt(b)), bits(grads.wrt(b)));
    }
    assert!(first.wrt(w).iter().any(|&g| g != T::ZERO));
}

fn unrelated_vars_and_constants_get_zero<T: Float>() {
    let tape = Tape::<T>::new();
    let x = tape.var(&tensor(&[1.0, 2.0, 3.0], &[3]));
    let unused = tape.var(&tensor(&[4.0, 5.0], &[2]));
    let c = tape.constant(&tensor(&[0.5, 0.25, 2.0], &[3]));
    let cs = tape.constant_scalar(t(3.0));
    let c2 = tape.constant_from_slice(&[t(1.0), t(1.0), t(1.0)], &[3]);
    assert!(x.requires_grad() && unused.requires_grad());
    assert!(!c.requires_grad() && !cs.requires_grad() && !c2.requires_grad());
    let only_constants = (c * cs + c2).exp();
    assert!(!only_constants.requires_grad());
    let after = tape.var(&tensor(&[7.0], &[1])); // recorded after the output
    let y = (x * c * cs + only_constants).sum();
    let grads = y.backward();
    assert_eq!(grads.wrt(x), &[t::<T>(1.5), t(0.75), t(6.0)][..]);
    for v in [unused, c, cs, c2, only_constants] {
        assert!(grads.wrt(v).iter().all(|&g| g == T::ZERO), "{v:?}");
    }
    assert!(grads.wrt(after).iter().all(|&g| g == T::ZERO));
}

/// A constant's gradient is zero even where the reused gradient buffer held a var's
/// nonzero adjoint in an earlier sweep (sweeps do not zero constants' adjoints: their
/// gradient is read from zeros kept aside).
fn constants_get_zero_where_a_reused_buffer_held_adjoints<T: Float>() {
    let mut tape = Tape::<T>::new();
    let mut grads = Grads::new();
    let x = tape.var(&tensor(&[1.0, 2.0, 3.0, 4.0], &[4]));
    tape.backward_into((x * x).sum(), &mut grads);
    assert_eq!(grads.wrt(x), &[t::<T>(2.0), t(4.0), t(6.0), t(8.0)][..]);
    tape.clear();
    // The same places in the buffer, now a constant (bigger than before) and a var.
    let c = tape.constant(&tensor(&[1.0, 1.0, 1.0, 1.0, 1.0, 1.0], &[6]));
    let w = tape.var(&tensor(&[2.0; 6], &[6]));
    tape.backward_into((c * w).sum(), &mut grads);
    assert_eq!(grads.wrt(c), &[T::ZERO; 6][..]);
    assert_eq!(grads.wrt(w), &[t::<T>(1.0); 6][..]);
}

/// Every op writes all of its output: recorded on a tape cleared after it held NaN
/// everywhere (`clear` keeps the buffer, and a node's output is not zeroed for its op),
/// it gives what it gives on a fresh tape, bit for bit.
fn ops_on_a_cleared_tape_ignore_what_it_held<T: Float>() {
    let record = |tape: &Tape<T>| -> Vec<Vec<u64>> {
        let x = tape.var(&tensor(&[0.5, -1.0, 2.0, 0.25, 1.5, -0.75], &[2, 3]));
        let empty = tape.var(&Tensor::zeros(&[2, 0]));
        let outputs = [
            tape.one_hot(&[2, 0], 3),
            x.pick(&[1, 2]),
            x.gather(1, &[2, 0, 0, 1], &[2, 2]),
            x.index_select(1, &[2, 2, 0]),
            x.narrow(1, 1, 2),
            Var::concat(&[x, empty, x], 1),
            x.broadcast_to(&[2, 2, 3]),
            empty.matmul(tape.var(&Tensor::zeros(&[0, 4]))),
            x.max_axis(1, true),
            x.sum_axis(0, false),
        ];
        outputs.iter().map(|y| bits(y.value().data())).collect()
    };
    let fresh = record(&Tape::new());
    let mut tape = Tape::<T>::new();
    let nan = tape.constant(&Tensor::full(&[4096], t::<T>(f64::NAN)));
    let _ = (nan * nan).exp();
    tape.clear();
    assert_eq!(record(&tape), fresh);
}

fn vjp_is_a_seeded_sum<T: Float>() {
    let tape = Tape::<T>::new();
    let a = tape.var(&tensor(&[0.5, -1.0, 2.0, 0.25, 1.5, -0.75], &[2, 3]));
    let b = tape.var(&tensor(&[1.0, -2.0, 0.5], &[3]));
    let y = (a * b).tanh().matmul(a.t()) + a.sum_axis(1, true); // [2, 2]
    let seed = tensor::<T>(&[1.0, -3.0, 0.5, 2.0], &[2, 2]);
    let by_vjp = tape.vjp(y, &seed);
    let by_sum = (y * tape.constant(&seed)).sum().backward();
    assert_eq!(bits(by_vjp.wrt(a)), bits(by_sum.wrt(a)));
    assert_eq!(bits(by_vjp.wrt(b)), bits(by_sum.wrt(b)));
    assert!(by_vjp.wrt(b).iter().all(|&g| g != T::ZERO));
    // The seeded backward on the var itself is the same product.
    let by_var = y.backward_with(&seed);
    assert_eq!(bits(by_var.wrt(a)), bits(by_vjp.wrt(a)));
    assert_eq!(bits(by_var.wrt(b)), bits(by_vjp.wrt(b)));
    // With a seed of 1, a scalar's seeded backward is its backward.
    let loss = y.sum();
    let seeded = loss.backward_with(&Tensor::scalar(T::ONE));
    assert_eq!(bits(seeded.wrt(a)), bits(loss.backward().wrt(a)));
}

/// `y op= x` records `y op x` and moves `y` to it: the same values and gradients as the
/// spelt-out form, for vars and for plain numbers on the right, with broadcasting.
fn compound_assignment_is_the_spelt_out_op<T: Float>() {
    let tape = Tape::<T>::new();
    let a = tape.var(&tensor(&[0.5, -1.0, 2.0, 0.25, 1.5, -0.75], &[2, 3]));
    let b = tape.var(&tensor(&[1.0, -2.0, 0.5], &[3]));
    let mut y = a;
    y += b;
    y *= a;
    y -= t::<T>(0.5);
    y /= b;
    y *= t::<T>(3.0);
    y -= b;
    y += t::<T>(1.0);
    y /= t::<T>(2.0);
    let spelt_out =
        (((((a + b) * a - t::<T>(0.5)) / b) * t::<T>(3.0) - b) + t::<T>(1.0)) / t::<T>(2.0);
    assert_eq!(
        bits(&y.value().into_vec()),
        bits(&spelt_out.value().into_vec())
    );
    let (by_assign, by_ops) = (y.sum().backward(), spelt_out.sum().backward());
    assert_eq!(bits(by_assign.wrt(a)), bits(by_ops.wrt(a)));
    assert_eq!(bits(by_assign.wrt(b)), bits(by_ops.wrt(b)));
    assert_ne!(
        y.index(),
        a.index(),
        "y moved to a new node; a is unchanged"
    );
}

/// Clear, record, backward_into, 10,000 times: the buffers keep the size of the first
/// step (the high-water mark) and every step gives the same loss and gradient.
fn reused_tape_stops_growing<T: Float>() {
    let (w, b, x) = model_inputs::<T>();
    let mut tape = Tape::<T>::new();
    let mut grads = Grads::new();
    let mut first = None;
    for step in 0..10_000 {
        tape.clear();
        let (loss, wv, _) = model(&tape, &w, &b, &x);
        tape.backward_into(loss, &mut grads);
        let now = (
            loss.item().to_f64().to_bits(),
            bits(grads.wrt(wv)),
            tape.len(),
        );
        match &first {
            None => first = Some((now, tape.capacity())),
            Some((then, capacity)) => {
                assert_eq!(&now, then, "step {step} differs from step 0");
                assert_eq!(tape.capacity(), *capacity, "step {step} grew the tape");
            }
        }
    }
}

macro_rules! for_both_types {
    ($($name:ident $(($($arg:expr),*))?),* $(,)?) => {
        mod f32_checks {
            $( #[test] fn $name() { super::$name::<f32>($($($arg.0),*)?) } )*
        }
        mod f64_checks {
            $( #[test] fn $name() { super::$name::<f64>($($($arg.1),*)?) } )*
        }
    };
}

for_both_types!(
    accumulates_over_uses,
    deep_chain((1.000_000_1, 1.000_000_1), (100_000, 100_000), (1e-3, 1e-9)),
    backward_is_repeatable,
    unrelated_vars_and_constants_get_zero,
    constants_get_zero_where_a_reused_buffer_held_adjoints,
    ops_on_a_cleared_tape_ignore_what_it_held,
    vjp_is_a_seeded_sum,
    compound_assignment_is_the_spelt_out_op,
    reused_tape_stops_growing,
);

#[test]
#[should_panic(expected = "Grads::wrt: these gradients come from another tape")]
fn grads_refuse_a_var_of_another_tape_f64() {
    let one = Tape::<f64>::new();
    let two = Tape::<f64>::new();
    let x = one.var_scalar(1.0);
    let y = two.var_scalar(1.0);
    let grads = (x * 2.0).backward();
    let _ = grads.wrt(y);
}

#[test]
#[should_panic(expected = "Grads::wrt: these gradients come from another tape")]
fn grads_refuse_a_var_of_another_tape_f32() {
    let one = Tape::<f32>::new();
    let two = Tape::<f32>::new();
    let x = one.var(&Tensor::from_vec(vec![1.0, 2.0], &[2]));
    let y = two.var(&Tensor::from_vec(vec![1.0, 2.0], &[2]));
    let grads = (x * 2.0f32).sum().backward();
    let _ = &grads[y];
}

#[test]
#[should_panic(expected = "was recorded after these gradients were computed")]
fn grads_refuse_a_var_recorded_after_the_sweep() {
    let tape = Tape::<f64>::new();
    let x = tape.var(&Tensor::from_vec(vec![1.0, 2.0], &[2]));
    let grads = (x * 2.0).sum().backward();
    let later = tape.var(&Tensor::zeros(&[1000]));
    let _ = grads.wrt(later);
}

#[test]
#[should_panic(expected = "or from before the tape was cleared")]
fn grads_refuse_a_var_recorded_after_clear() {
    let mut tape = Tape::<f64>::new();
    let grads = {
        let x = tape.var_scalar(1.0);
        (x * 2.0).backward()
    };
    tape.clear();
    let x = tape.var_scalar(1.0);
    let _ = grads.item(x);
}

/// `Tape::scalar` was renamed `var_scalar`; the old name is deprecated but still records
/// a trainable scalar.
#[test]
#[allow(deprecated)]
fn the_old_name_of_var_scalar_still_records_a_trainable_scalar() {
    let tape = Tape::<f64>::new();
    let x = tape.scalar(2.0);
    assert!(x.requires_grad());
    assert_eq!((x * x).backward().item(x), 4.0);
    assert!(tape.var_scalar(1.0).requires_grad());
    assert!(!tape.constant_scalar(1.0).requires_grad());
}

/// Rows read in place, used by a product and then by an op that has them copied into the
/// tape (past the product's node): the product's backward rule still reads them, and
/// the gradient is that of the same rows recorded as an ordinary constant.
#[test]
fn rows_read_in_place_then_copied_in_are_still_read_by_earlier_products() {
    let source = [0.5, -1.0, 2.0, 0.25, -0.75, 1.5];
    let w0 = Tensor::from_vec(vec![0.3, -0.2], &[2, 1]);
    let gradient = |in_place: bool| {
        let tape = Tape::<f64>::new();
        let x = if in_place {
            tape.constant_rows(&source, 2, &[2, 0])
        } else {
            tape.constant(&Tensor::from_vec(vec![-0.75, 1.5, 0.5, -1.0], &[2, 2]))
        };
        let w = tape.var(&w0);
        let loss = x.matmul(w).tanh().sum() + x.exp().sum();
        let grads = loss.backward();
        (loss.item(), grads.wrt(w).to_vec())
    };
    assert_eq!(gradient(true), gradient(false));
}

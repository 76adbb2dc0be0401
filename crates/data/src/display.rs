//! How values from users' data and command lines are shown in messages, reports and
//! files: floats in a short form ([`float`]).
//!
//! Every crate of the project prints such values through these functions, so a learning
//! rate of `1e300` reads `1e300` everywhere.

use std::fmt;

/// `x` in a short form that reads back to `x` exactly: Rust's `{}` where that is short
/// (`0`, or `1e-4 <= |x| < 1e15`), its `{:e}` elsewhere, since `{}` never uses an exponent
/// and would write `1e300` with 301 digits and `1e-300` with 302. NaN and infinities print
/// as `{}` does. The formatter's width, fill, alignment, sign and precision apply as they
/// would to the number itself (`{:>8.5}` gives `0.10000`, `1.00000e-300`).
///
/// ```
/// use data::display::float;
/// assert_eq!(float(0.1).to_string(), "0.1");
/// assert_eq!(float(1e300).to_string(), "1e300");
/// assert_eq!(float(-2.5e-7).to_string(), "-2.5e-7");
/// assert_eq!(float(1e300).to_string().parse::<f64>(), Ok(1e300));
/// assert_eq!(format!("{:>7.3}", float(0.5)), "  0.500");
/// assert_eq!(float(1e-5_f32).to_string(), "1e-5"); // f32 keeps its own shortest form
/// ```
pub fn float<T: ShortFloat>(x: T) -> Float<T> {
    Float(x)
}

/// The floats [`float`] shows: `f64` and `f32`, each in its own shortest form.
pub trait ShortFloat: Copy + Into<f64> + fmt::Display + fmt::LowerExp {}

impl ShortFloat for f64 {}
impl ShortFloat for f32 {}

/// A float shown by [`float`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Float<T>(T);

impl<T: ShortFloat> fmt::Display for Float<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let magnitude = self.0.into().abs();
        let plain = magnitude == 0.0 || !magnitude.is_finite() || (1e-4..1e15).contains(&magnitude);
        if plain {
            fmt::Display::fmt(&self.0, f)
        } else {
            fmt::LowerExp::fmt(&self.0, f)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn floats_are_plain_in_a_readable_range_and_exponents_outside_it() {
        let cases: [(f64, &str); 12] = [
            (0.0, "0"),
            (-0.0, "-0"),
            (0.1, "0.1"),
            (1e-4, "0.0001"),
            (9.99e-5, "9.99e-5"),
            (123.5, "123.5"),
            (1e15, "1e15"),
            (999_999_999_999_999.0, "999999999999999"),
            (1e300, "1e300"),
            (-1e-300, "-1e-300"),
            (f64::INFINITY, "inf"),
            (f64::NAN, "NaN"),
        ];
        for (x, shown) in cases {
            assert_eq!(float(x).to_string(), shown, "{x:e}");
        }
        assert_eq!(format!("{:>8.5}", float(0.1)), " 0.10000");
        assert_eq!(format!("{:.2}", float(1e-300)), "1.00e-300");
        assert_eq!(float(1e-30_f32).to_string(), "1e-30");
        assert_eq!(float(0.1_f32).to_string(), "0.1");
    }

    proptest! {
        #[test]
        fn floats_read_back_exactly_and_are_short(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            prop_assume!(x.is_finite());
            let text = float(x).to_string();
            prop_assert_eq!(text.parse::<f64>().unwrap().to_bits(), x.to_bits());
            prop_assert!(text.len() <= 24, "{}", text);
        }

        #[test]
        fn f32_floats_read_back_exactly(bits in any::<u32>()) {
            let x = f32::from_bits(bits);
            prop_assume!(x.is_finite());
            let text = float(x).to_string();
            prop_assert_eq!(text.parse::<f32>().unwrap().to_bits(), x.to_bits());
        }
    }
}

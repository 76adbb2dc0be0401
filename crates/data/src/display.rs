//! How values from users' data and command lines are shown in messages, reports and
//! files: floats in a short form ([`float`]), class and column names so that two different
//! names never print alike ([`label`], [`visible_form`]).
//!
//! Every crate of the project prints such values through these functions, so a learning
//! rate of `1e300` reads `1e300` everywhere, and a label with a trailing no-break space
//! reads `"setosa\u{a0}"` everywhere.

use std::borrow::Cow;
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

/// Whether `c` cannot be seen, or cannot be told from another character, when printed: a
/// control character (NUL, DEL, ...) or a format character (a byte order mark U+FEFF, the
/// zero-width space, joiners and directional marks U+200B-U+200F, the soft hyphen, ...).
/// Spaces are not in this set: [`visible_form`] turns every kind of space into one.
fn is_invisible(c: char) -> bool {
    (c.is_control() && !c.is_whitespace())
        || matches!(
            c,
            '\u{ad}'
                | '\u{34f}'
                | '\u{61c}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{17b4}'
                | '\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{3164}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{fff0}'..='\u{fffb}'
        )
}

/// `text` as it looks when printed: invisible characters (controls such as NUL, format
/// characters such as U+FEFF and the zero-width spaces U+200B-U+200D) removed, every
/// kind of space (a tab, a no-break space U+00A0, an ideographic space) made an ASCII
/// space, and spaces at either end trimmed. Two labels with the same visible form print
/// alike, though they are different texts.
///
/// ```
/// use data::display::visible_form;
/// assert_eq!(visible_form("setosa\u{a0}"), "setosa");
/// assert_eq!(visible_form("\u{feff}iris\u{200b} setosa\0"), "iris setosa");
/// assert_eq!(visible_form("iris\u{a0}setosa"), "iris setosa");
/// ```
pub fn visible_form(text: &str) -> String {
    let visible: String = text
        .chars()
        .filter(|&c| !is_invisible(c))
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    match visible.trim() {
        trimmed if trimmed.len() == visible.len() => visible,
        trimmed => trimmed.to_string(),
    }
}

/// A class or column name as messages print it: as it is when it prints unambiguously,
/// else [`quoted`]: when it holds an invisible character, a space other than an ASCII
/// space, a space at either end, or a leading quote (or is empty). So `setosa` prints
/// `setosa`, and `setosa` with a no-break space at its end prints `"setosa\u{a0}"`: two
/// different names never print alike.
///
/// ```
/// use data::display::label;
/// assert_eq!(label("iris setosa"), "iris setosa");
/// assert_eq!(label("setosa\u{a0}"), r#""setosa\u{a0}""#);
/// assert_eq!(label("a\0"), r#""a\0""#);
/// assert_eq!(label(" a"), r#"" a""#);
/// ```
pub fn label(name: &str) -> Cow<'_, str> {
    let plain = !name.is_empty()
        && !name.starts_with('"')
        && name.chars().all(|c| !needs_escape(c))
        && name.trim_matches(' ').len() == name.len();
    if plain {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(quoted(name))
    }
}

/// `name` in double quotes, with every invisible character and every space but the ASCII
/// space escaped as Rust's `{:?}` writes them (`\0`, `\t`, `\u{a0}`, `\u{feff}`), and
/// quotes and backslashes escaped: different names always give different texts.
///
/// ```
/// use data::display::quoted;
/// assert_eq!(quoted("set\u{200b}osa"), r#""set\u{200b}osa""#);
/// assert_eq!(quoted("café \"noir\""), r#""café \"noir\"""#);
/// ```
pub fn quoted(name: &str) -> String {
    let mut text = String::with_capacity(name.len() + 2);
    text.push('"');
    for c in name.chars() {
        match c {
            '"' | '\\' => {
                text.push('\\');
                text.push(c);
            }
            '\0' => text.push_str("\\0"),
            '\t' => text.push_str("\\t"),
            '\n' => text.push_str("\\n"),
            '\r' => text.push_str("\\r"),
            c if needs_escape(c) => text.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => text.push(c),
        }
    }
    text.push('"');
    text
}

/// Whether `c` is escaped in names: it is invisible, or a space that looks like another.
fn needs_escape(c: char) -> bool {
    is_invisible(c) || (c.is_whitespace() && c != ' ')
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

    /// `float(x)` reads back to `x` bit for bit, in at most 24 characters.
    fn reads_back_exactly<T>(x: T) -> Result<(), TestCaseError>
    where
        T: ShortFloat + std::str::FromStr,
        T::Err: fmt::Debug,
    {
        let text = float(x).to_string();
        let back: T = text.parse().unwrap();
        prop_assert_eq!(back.into().to_bits(), x.into().to_bits(), "{}", text);
        prop_assert!(text.len() <= 24, "{}", text);
        Ok(())
    }

    proptest! {
        #[test]
        fn f64_floats_read_back_exactly(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            prop_assume!(x.is_finite());
            reads_back_exactly(x)?;
        }

        #[test]
        fn f32_floats_read_back_exactly(bits in any::<u32>()) {
            let x = f32::from_bits(bits);
            prop_assume!(x.is_finite());
            reads_back_exactly(x)?;
        }
    }

    #[test]
    fn names_that_differ_by_invisible_characters_never_print_alike() {
        let names = [
            "setosa",
            "setosa\u{a0}",
            "setosa\0",
            "\u{feff}setosa",
            "set\u{200b}osa",
            "set\u{200c}osa",
            "set\u{200d}osa",
            "setosa ",
            "\"setosa\"",
            "setosa\t",
        ];
        let shown: Vec<String> = names.iter().map(|n| label(n).into_owned()).collect();
        for (i, a) in shown.iter().enumerate() {
            for b in &shown[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(shown[0], "setosa");
        assert!(names[1..]
            .iter()
            .all(|n| visible_form(n) == "setosa" || n.contains('"')));
        assert_eq!(label("caf\u{e9}"), "caf\u{e9}");
        assert_eq!(label(""), "\"\"");
        // The escapes are those of Rust's `{:?}`.
        for name in &names[1..] {
            assert_eq!(quoted(name), format!("{name:?}"));
        }
    }

    /// No two names print alike, whatever their mix of letters, quotes, backslashes, spaces
    /// and invisible characters: every name of up to 3 of these characters, compared.
    #[test]
    fn labels_are_shown_one_to_one() {
        let alphabet = [
            'a', '"', '\\', ' ', '\u{a0}', '\u{feff}', '\u{200b}', '\u{3164}', '\t', '\0',
        ];
        let mut names = vec![String::new()];
        for length in 1..=3 {
            let shorter: Vec<String> = names
                .iter()
                .filter(|n| n.chars().count() == length - 1)
                .cloned()
                .collect();
            for name in shorter {
                names.extend(alphabet.iter().map(|c| format!("{name}{c}")));
            }
        }
        assert_eq!(names.len(), 1 + 10 + 100 + 1000);
        let shown: std::collections::HashSet<String> =
            names.iter().map(|n| label(n).into_owned()).collect();
        assert_eq!(shown.len(), names.len());
    }
}

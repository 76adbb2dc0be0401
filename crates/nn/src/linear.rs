//! The affine map `o = W x + b`, applied to a batch as `O = X W^T + b`.

use rand::SeedableRng;
use serde::{Deserialize, Serialize};
use tape::{Float, MatRef, ShapeError, Tape, Tensor, Var};

/// How to initialise a weight matrix. Biases always start at zero.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Init {
    /// All zeros: fine for convex models such as softmax regression, whose loss has
    /// no symmetry to break.
    Zeros,
    /// `N(0, std^2)`, for example `std = 0.01`.
    Normal {
        /// Standard deviation.
        std: f64,
    },
    /// Glorot/Xavier uniform: `U(-a, a)` with `a = sqrt(6 / (inputs + outputs))`, which
    /// keeps the variance of activations and gradients roughly equal across layers.
    Xavier,
}

impl Init {
    /// The small-normal initialiser with standard deviation 0.01.
    pub fn small_normal() -> Self {
        Init::Normal { std: 0.01 }
    }
}

/// Reads `zeros`, `normal` (std 0.01), `normal:STD` or `xavier` (case-insensitive; also
/// `zero` and `glorot`), as the command line names an initialiser.
///
/// ```
/// use nn::linear::Init;
/// assert_eq!("normal:0.1".parse::<Init>(), Ok(Init::Normal { std: 0.1 }));
/// assert!("ones".parse::<Init>().is_err());
/// ```
impl std::str::FromStr for Init {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "zeros" | "zero" => Ok(Init::Zeros),
            "xavier" | "glorot" => Ok(Init::Xavier),
            "normal" => Ok(Init::small_normal()),
            other => match other.strip_prefix("normal:").map(str::parse::<f64>) {
                Some(Ok(std)) if std.is_finite() && std >= 0.0 => Ok(Init::Normal { std }),
                Some(_) => {
                    Err("the standard deviation must be a finite non-negative number".into())
                }
                None => Err("expected zeros, normal, normal:STD or xavier".into()),
            },
        }
    }
}

/// `zeros`, `normal (std 0.01)` or `xavier`.
impl std::fmt::Display for Init {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Init::Zeros => f.write_str("zeros"),
            Init::Normal { std } => write!(f, "normal (std {})", data::display::float(*std)),
            Init::Xavier => f.write_str("xavier"),
        }
    }
}

/// An affine layer: weight `W` of shape `[k, d]` (one row per output), bias `b` of
/// shape `[k]`.
///
/// ```
/// use nn::linear::{Init, Linear};
/// use tape::{Tape, Tensor};
/// let layer = Linear::<f64>::new(3, 2, Init::Xavier, 42);
/// let tape = Tape::new();
/// let params = layer.on_tape(&tape);
/// let x = tape.constant(&Tensor::ones(&[5, 3])); // a batch of 5 examples
/// let o = params.forward(x);
/// assert_eq!(o.shape().as_slice(), &[5, 2]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Linear<T: Float> {
    /// `[k, d]`: row `j` holds the weights of output `j`.
    pub weight: Tensor<T>,
    /// `[k]`.
    pub bias: Tensor<T>,
}

impl<T: Float> Linear<T> {
    /// A layer from `inputs` (d) features to `outputs` (k), initialised deterministically
    /// from `seed`.
    pub fn new(inputs: usize, outputs: usize, init: Init, seed: u64) -> Self {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let dims = [outputs, inputs];
        let weight = match init {
            Init::Zeros => Tensor::zeros(&dims),
            Init::Normal { std } => {
                Tensor::random_normal(&dims, T::ZERO, T::from_f64(std), &mut rng)
            }
            Init::Xavier => {
                let a = T::from_f64((6.0 / (inputs + outputs) as f64).sqrt());
                Tensor::random_uniform(&dims, -a, a, &mut rng)
            }
        };
        Linear {
            weight,
            bias: Tensor::zeros(&[outputs]),
        }
    }

    /// A layer from given weights `[k, d]` and bias `[k]`, or an error naming both shapes.
    pub fn try_from_parts(weight: Tensor<T>, bias: Tensor<T>) -> Result<Self, ShapeError> {
        if weight.ndim() != 2 || bias.shape() != [weight.shape()[0]] {
            return Err(ShapeError::new(
                "Linear",
                format_args!(
                    "weight {:?} and bias {:?} do not fit: the weight must be [k, d] and the bias [k]",
                    weight.shape(),
                    bias.shape()
                ),
            ));
        }
        Ok(Linear { weight, bias })
    }

    /// A layer from given weights `[k, d]` and bias `[k]`.
    ///
    /// # Panics
    /// If the shapes do not fit together.
    pub fn from_parts(weight: Tensor<T>, bias: Tensor<T>) -> Self {
        Self::try_from_parts(weight, bias).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Number of input features `d`.
    pub fn inputs(&self) -> usize {
        self.weight.shape()[1]
    }

    /// Number of outputs `k`.
    pub fn outputs(&self) -> usize {
        self.weight.shape()[0]
    }

    /// Records the parameters on `tape` as trainable vars.
    pub fn on_tape<'t>(&self, tape: &'t Tape<T>) -> LinearVars<'t, T> {
        LinearVars {
            weight: tape.var(&self.weight),
            bias: tape.var(&self.bias),
        }
    }

    /// `X W^T + b` for the rows of `x` (row-major, `d` features each), for prediction
    /// without a tape: each row streams past `W` once, read in place.
    ///
    /// # Panics
    /// If the length of `x` is not a multiple of `d`.
    pub fn apply_rows(&self, x: &[T]) -> Tensor<T> {
        let (k, d) = (self.outputs(), self.inputs());
        assert!(
            x.len().is_multiple_of(d.max(1)),
            "Linear: {} numbers are not rows of {d} features",
            x.len()
        );
        let n = x.len().checked_div(d).unwrap_or(0);
        let mut out = vec![T::ZERO; n * k];
        T::matmul(
            MatRef::row_major(x, n, d),
            MatRef::row_major(self.weight.data(), k, d).t(),
            &mut out,
            false,
        );
        for row in out.chunks_exact_mut(k.max(1)) {
            row.iter_mut()
                .zip(self.bias.data())
                .for_each(|(o, &b)| *o += b);
        }
        Tensor::from_vec(out, &[n, k])
    }

    /// `X W^T + b` on plain tensors, for prediction without a tape.
    ///
    /// # Panics
    /// If `x` is not `[n, d]`.
    pub fn apply(&self, x: &Tensor<T>) -> Tensor<T> {
        match x.shape() {
            [_, d] if *d == self.inputs() => self.apply_rows(x.data()),
            shape => panic!(
                "Linear: input of shape {shape:?} is not [n, {}]",
                self.inputs()
            ),
        }
    }

    /// The parameters, weight first.
    pub fn params_mut(&mut self) -> [&mut Tensor<T>; 2] {
        [&mut self.weight, &mut self.bias]
    }
}

/// A [`Linear`] layer's parameters recorded on a tape.
#[derive(Clone, Copy, Debug)]
pub struct LinearVars<'t, T: Float> {
    /// `W`, `[k, d]`.
    pub weight: Var<'t, T>,
    /// `b`, `[k]`.
    pub bias: Var<'t, T>,
}

impl<'t, T: Float> LinearVars<'t, T> {
    /// `O = X W^T + b` for a batch `X` of shape `[n, d]`: row `i` is `W x_i + b`.
    pub fn forward(&self, x: Var<'t, T>) -> Var<'t, T> {
        x.matmul_transposed(self.weight) + self.bias
    }
}

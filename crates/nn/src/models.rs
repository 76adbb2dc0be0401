//! The models: [`SoftmaxRegression`] (multinomial logistic regression) and
//! [`LinearRegression`], both a [`Linear`] layer trained by [`train::fit`](crate::train).

use crate::functions::{cross_entropy, softmax, squared_loss};
use crate::linear::Linear;
use crate::metrics;
use crate::model_file::{ModelError, ModelFile, Standardization};
use crate::solver::{
    Differentiable, LinearObjective, LinearProblem, SolveConfig, SolveError, SolveReport, Solver,
};
use crate::train::{self, Examples, History, Objective, Progress, TrainConfig, TrainError};
use data::{Dataset, Standardizer};
use std::ops::ControlFlow;
use std::path::Path;
use tape::{Float, Tape, Tensor, Var};

/// Softmax regression: `p(y = j | x) = softmax(W x + b)_j`, trained by minimising the
/// mean cross-entropy.
///
/// ```
/// use nn::models::SoftmaxRegression;
/// use nn::train::TrainConfig;
/// let iris = data::bundled::iris();
/// let (train, test) = data::train_test_split_stratified(&iris, 0.25, 0);
/// let mut model = SoftmaxRegression::<f32>::for_dataset(&train);
/// let config = TrainConfig { epochs: 30, optimizer: "momentum".parse().unwrap(), ..TrainConfig::default() };
/// let history = model.fit(&train, Some(&test), &config).unwrap();
/// assert!(history.last().unwrap().train_loss < 0.3);
/// assert!(model.score(&test).unwrap() > 0.9);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SoftmaxRegression<T: Float = f32> {
    linear: Linear<T>,
    standardizer: Option<Standardizer>,
    feature_names: Vec<String>,
    class_names: Vec<String>,
}

/// Cross-entropy on integer labels; accuracy as the metric.
struct Classification;

impl<T: Float> Objective<T> for Classification {
    type Target = usize;
    fn loss<'t>(&self, outputs: Var<'t, T>, labels: &[usize]) -> Var<'t, T> {
        cross_entropy(outputs, labels)
    }
    fn metric(&self, outputs: &Tensor<T>, labels: &[usize]) -> f64 {
        metrics::accuracy(outputs, labels)
    }
}

/// Half the squared error; RMSE as the metric.
struct Regression;

impl<T: Float> Objective<T> for Regression {
    type Target = T;
    fn loss<'t>(&self, outputs: Var<'t, T>, targets: &[T]) -> Var<'t, T> {
        let n = targets.len();
        let y = outputs.tape().constant_from_slice(targets, &[n]);
        squared_loss(outputs.reshape(&[n]), y)
    }
    fn metric(&self, outputs: &Tensor<T>, targets: &[T]) -> f64 {
        metrics::rmse(outputs.data(), targets)
    }
}

impl<T: Float> SoftmaxRegression<T> {
    /// An untrained model for `n_features` inputs and `n_classes` classes.
    pub fn new(n_features: usize, n_classes: usize) -> Self {
        SoftmaxRegression {
            linear: Linear::new(n_features, n_classes, crate::linear::Init::Zeros, 0),
            standardizer: None,
            feature_names: (0..n_features).map(|i| format!("x{i}")).collect(),
            class_names: (0..n_classes).map(|j| j.to_string()).collect(),
        }
    }

    /// An untrained model shaped for a data set (its features, classes and names).
    pub fn for_dataset(data: &Dataset) -> Self {
        let mut model = Self::new(data.n_features(), data.n_classes());
        model.feature_names = data.feature_names().to_vec();
        model.class_names = data.class_names().to_vec();
        model
    }

    /// The linear layer (`W`: `[k, d]`, `b`: `[k]`), acting on standardised features.
    pub fn linear(&self) -> &Linear<T> {
        &self.linear
    }

    /// The feature standardisation learnt by [`fit`](Self::fit), if any.
    pub fn standardizer(&self) -> Option<&Standardizer> {
        self.standardizer.as_ref()
    }

    /// Class names, indexed by label.
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// Feature names, in column order.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// Number of input features.
    pub fn n_features(&self) -> usize {
        self.linear.inputs()
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.linear.outputs()
    }

    fn check_shape(&self, data: &Dataset) -> Result<(), TrainError> {
        if data.n_features() != self.n_features() {
            return Err(TrainError::Invalid(format!(
                "the data has {} features but the model expects {}",
                data.n_features(),
                self.n_features()
            )));
        }
        if let Some(&bad) = data.labels().iter().find(|&&y| y >= self.n_classes()) {
            return Err(TrainError::Invalid(format!(
                "label {bad} is out of range for a model of {} classes",
                self.n_classes()
            )));
        }
        Ok(())
    }

    /// Features as `[n, d]` in `T`, standardised as the model was trained.
    fn prepare(&self, data: &Dataset) -> Tensor<T> {
        prepare_rows(
            self.standardizer.as_ref(),
            data.features(),
            data.n_features(),
        )
    }

    /// The logits `X W^T + b` of raw feature rows, standardised as the model was trained.
    fn logits(&self, features: &[f32]) -> Tensor<T> {
        self.linear.apply(&prepare_rows(
            self.standardizer.as_ref(),
            features,
            self.n_features(),
        ))
    }

    /// Trains from the configured initialisation, evaluating on `validation` (if given)
    /// after every epoch.
    pub fn fit(
        &mut self,
        train: &Dataset,
        validation: Option<&Dataset>,
        config: &TrainConfig,
    ) -> Result<History, TrainError> {
        self.fit_with_progress(train, validation, config, |_| ControlFlow::Continue(()))
    }

    /// [`fit`](Self::fit) with a hook called after every step and every epoch; returning
    /// `ControlFlow::Break(())` stops training.
    pub fn fit_with_progress(
        &mut self,
        train: &Dataset,
        validation: Option<&Dataset>,
        config: &TrainConfig,
        mut progress: impl FnMut(Progress<'_>) -> ControlFlow<()>,
    ) -> Result<History, TrainError> {
        self.check_shape(train)?;
        if let Some(v) = validation {
            self.check_shape(v)?;
        }
        self.standardizer = config.standardize.then(|| Standardizer::fit(train));
        self.linear = Linear::new(
            self.n_features(),
            self.n_classes(),
            config.init,
            config.seed,
        );
        let x = self.prepare(train);
        let train_examples = Examples {
            x: &x,
            y: train.labels(),
        };
        let val_x = validation.map(|v| self.prepare(v));
        let val_examples = validation
            .zip(val_x.as_ref())
            .map(|(v, x)| Examples { x, y: v.labels() });
        train::fit(
            &mut self.linear,
            &Classification,
            &train_examples,
            val_examples.as_ref(),
            config,
            &mut progress,
        )
    }

    /// Class probabilities `[n, k]` for raw feature rows (`features.len() = n * d`).
    ///
    /// # Panics
    /// If the length is not a multiple of the number of features.
    pub fn predict_proba_rows(&self, features: &[f32]) -> Tensor<T> {
        let d = self.n_features();
        assert!(
            features.len() % d == 0,
            "predict: {} numbers are not rows of {d} features",
            features.len()
        );
        let tape = Tape::new();
        softmax(tape.constant(&self.logits(features)), -1).value()
    }

    /// Class probabilities `[n, k]`.
    pub fn predict_proba(&self, data: &Dataset) -> Tensor<T> {
        self.predict_proba_rows(data.features())
    }

    /// The most probable class of each row.
    pub fn predict(&self, data: &Dataset) -> Vec<usize> {
        self.logits(data.features()).argmax_axis(-1)
    }

    /// Accuracy on a labelled data set.
    pub fn score(&self, data: &Dataset) -> Result<f64, TrainError> {
        self.check_shape(data)?;
        Ok(metrics::accuracy(
            &self.logits(data.features()),
            data.labels(),
        ))
    }

    /// Mean cross-entropy on a labelled data set.
    pub fn loss(&self, data: &Dataset) -> Result<f64, TrainError> {
        self.check_shape(data)?;
        let x = self.prepare(data);
        Ok(train::evaluate(
            &self.linear,
            &Classification,
            &Examples {
                x: &x,
                y: data.labels(),
            },
        )
        .0)
    }

    /// Saves the model as versioned JSON, atomically.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ModelError> {
        to_file(
            &self.linear,
            "softmax_regression",
            &self.feature_names,
            &self.class_names,
            self.standardizer.as_ref(),
        )
        .save(path.as_ref())
    }

    /// Loads a model saved by [`save`](Self::save), checking version and shapes.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ModelError> {
        let path = path.as_ref();
        let file = ModelFile::load(path, "softmax_regression")?;
        let (linear, standardizer) = from_file(&file, path)?;
        // A file may leave the classes unnamed; they are then named by index, as in `new`.
        let class_names = if file.class_names.is_empty() {
            (0..file.n_outputs).map(|j| j.to_string()).collect()
        } else {
            file.class_names
        };
        Ok(SoftmaxRegression {
            linear,
            standardizer,
            feature_names: file.feature_names,
            class_names,
        })
    }
}

/// Linear regression `y_hat = w . x + b`, trained by minimising half the mean squared error.
/// Features are used as given (no standardisation), so the weights keep their meaning.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearRegression<T: Float = f32> {
    linear: Linear<T>,
}

impl<T: Float> LinearRegression<T> {
    /// An untrained model for `n_features` inputs.
    pub fn new(n_features: usize) -> Self {
        LinearRegression {
            linear: Linear::new(n_features, 1, crate::linear::Init::Zeros, 0),
        }
    }

    /// The weights `w`.
    pub fn weights(&self) -> &[T] {
        self.linear.weight.data()
    }

    /// The intercept `b`.
    pub fn intercept(&self) -> T {
        self.linear.bias.data()[0]
    }

    fn check(&self, x: &Tensor<T>, y: &[T]) -> Result<(), TrainError> {
        match x.shape() {
            [n, d] if *d == self.linear.inputs() && *n == y.len() => Ok(()),
            shape => Err(TrainError::Invalid(format!(
                "features {shape:?} and {} targets do not fit a model of {} features",
                y.len(),
                self.linear.inputs()
            ))),
        }
    }

    /// Trains on features `x` (`[n, d]`) and targets `y` (`n`), evaluating on
    /// `validation` after every epoch. `config.standardize` is ignored.
    pub fn fit(
        &mut self,
        x: &Tensor<T>,
        y: &[T],
        validation: Option<(&Tensor<T>, &[T])>,
        config: &TrainConfig,
    ) -> Result<History, TrainError> {
        self.check(x, y)?;
        if let Some((vx, vy)) = validation {
            self.check(vx, vy)?;
        }
        self.linear = Linear::new(self.linear.inputs(), 1, config.init, config.seed);
        let train_examples = Examples { x, y };
        let val_examples = validation.map(|(x, y)| Examples { x, y });
        let mut no_hook = |_: Progress<'_>| ControlFlow::Continue(());
        train::fit(
            &mut self.linear,
            &Regression,
            &train_examples,
            val_examples.as_ref(),
            config,
            &mut no_hook,
        )
    }

    /// Predictions `w . x_i + b` for the rows of `x`.
    pub fn predict(&self, x: &Tensor<T>) -> Vec<T> {
        self.linear.apply(x).into_vec()
    }

    /// Root-mean-square error on `(x, y)`.
    pub fn score(&self, x: &Tensor<T>, y: &[T]) -> Result<f64, TrainError> {
        self.check(x, y)?;
        Ok(metrics::rmse(&self.predict(x), y))
    }

    /// Saves the model as versioned JSON, atomically.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ModelError> {
        let names: Vec<String> = (0..self.linear.inputs()).map(|i| format!("x{i}")).collect();
        to_file(&self.linear, "linear_regression", &names, &[], None).save(path.as_ref())
    }

    /// Loads a model saved by [`save`](Self::save).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ModelError> {
        let path = path.as_ref();
        let file = ModelFile::load(path, "linear_regression")?;
        Ok(LinearRegression {
            linear: from_file(&file, path)?.0,
        })
    }
}

/// Raw `f32` rows to a `[n, d]` tensor in `T`, standardised if a standardizer is given.
fn prepare_rows<T: Float>(
    standardizer: Option<&Standardizer>,
    features: &[f32],
    d: usize,
) -> Tensor<T> {
    let mut rows = features.to_vec();
    if let Some(s) = standardizer {
        rows.chunks_exact_mut(d)
            .for_each(|row| s.transform_row(row));
    }
    let n = rows.len() / d.max(1);
    Tensor::from_vec(
        rows.into_iter().map(|v| T::from_f64(v as f64)).collect(),
        &[n, d],
    )
    .expect("rows of d features")
}

fn to_file<T: Float>(
    linear: &Linear<T>,
    kind: &str,
    feature_names: &[String],
    class_names: &[String],
    standardizer: Option<&Standardizer>,
) -> ModelFile {
    let as_f64 = |t: &Tensor<T>| t.data().iter().map(|v| v.to_f64()).collect();
    ModelFile {
        format: crate::model_file::FORMAT.into(),
        version: crate::model_file::VERSION,
        kind: kind.into(),
        n_features: linear.inputs(),
        n_outputs: linear.outputs(),
        weight: as_f64(&linear.weight),
        bias: as_f64(&linear.bias),
        feature_names: feature_names.to_vec(),
        class_names: class_names.to_vec(),
        standardization: standardizer.map(|s| Standardization {
            means: s.means().to_vec(),
            stds: s.stds().to_vec(),
        }),
    }
}

fn from_file<T: Float>(
    file: &ModelFile,
    path: &Path,
) -> Result<(Linear<T>, Option<Standardizer>), ModelError> {
    let tensor = |v: &[f64], dims: &[usize]| {
        Tensor::from_vec(v.iter().map(|&x| T::from_f64(x)).collect(), dims)
            .expect("validated shapes")
    };
    let linear = Linear::from_parts(
        tensor(&file.weight, &[file.n_outputs, file.n_features]),
        tensor(&file.bias, &[file.n_outputs]),
    );
    let standardizer = match &file.standardization {
        None => None,
        Some(s) => Some(
            Standardizer::from_parts(s.means.clone(), s.stds.clone()).map_err(|e| {
                ModelError::Invalid {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                }
            })?,
        ),
    };
    Ok((linear, standardizer))
}

// ---------------------------------------------------------------------------------------
// Full-batch solvers (L-BFGS, Newton-CG): see `crate::solver`.
// ---------------------------------------------------------------------------------------

impl From<SolveError> for TrainError {
    fn from(e: SolveError) -> Self {
        TrainError::Invalid(e.to_string())
    }
}

/// Raw `f32` rows standardised in `f64` (no rounding to `f32` on the way, so that the
/// objective is the one a reference computes in double precision).
fn standardized_f64(standardizer: &Standardizer, features: &[f32], d: usize) -> Tensor<f64> {
    let n = features.len() / d.max(1);
    let (means, stds) = (standardizer.means(), standardizer.stds());
    Tensor::from_fn(&[n, d], |i| {
        (f64::from(features[i]) - means[i % d]) / stds[i % d]
    })
}

/// Minimises `objective` from zero and returns the report with `(W, b)`.
fn solve_linear<S: Float>(
    objective: LinearObjective<'_, S>,
    solver: &Solver,
) -> Result<(SolveReport, Tensor<f64>, Tensor<f64>), TrainError> {
    let mut problem = LinearProblem::new(objective);
    let x0 = vec![0.0; problem.dim()];
    let report = solver.minimise(&mut problem, &x0)?;
    let (w, b) = problem.unflatten(&report.x);
    Ok((report, w, b))
}

impl<T: Float> SoftmaxRegression<T> {
    /// Fits the model by a full-batch solver (L-BFGS or Newton-CG) from zero weights,
    /// minimising the mean cross-entropy plus `l2/2 ||W||^2`, and returns the solver's
    /// report (objective per iteration, time, why it stopped). The objective is
    /// evaluated in `f64` whatever `T`.
    ///
    /// ```
    /// use nn::models::SoftmaxRegression;
    /// use nn::solver::{SolveConfig, Solver};
    /// let (train, test) = data::train_test_split_stratified(&data::bundled::iris(), 0.25, 0);
    /// let mut model = SoftmaxRegression::<f32>::for_dataset(&train);
    /// // scikit-learn's LogisticRegression() objective (C = 1)
    /// let config = SolveConfig::logistic_regression("newton-cg".parse().unwrap(), 1.0, train.len());
    /// let report = model.solve(&train, &config).unwrap();
    /// assert!(report.gradient_max <= 1e-6);
    /// assert!(model.score(&test).unwrap() > 0.9);
    /// ```
    pub fn solve(
        &mut self,
        train: &Dataset,
        config: &SolveConfig,
    ) -> Result<SolveReport, TrainError> {
        self.check_shape(train)?;
        if train.is_empty() {
            return Err(TrainError::Invalid(
                "cannot train on an empty data set".into(),
            ));
        }
        let (d, k, labels) = (self.n_features(), self.n_classes(), train.labels());
        self.standardizer = config.standardize.then(|| Standardizer::fit(train));
        let (report, w, b) = match &self.standardizer {
            Some(s) => {
                let x = standardized_f64(s, train.features(), d);
                solve_linear(
                    LinearObjective::softmax(&x, labels, k, config.l2),
                    &config.solver,
                )?
            }
            // Unstandardised data is read in its own `f32`: half the bytes per evaluation.
            None => {
                let x = Tensor::from_vec(train.features().to_vec(), &[train.len(), d])
                    .expect("rows of d features");
                solve_linear(
                    LinearObjective::softmax(&x, labels, k, config.l2),
                    &config.solver,
                )?
            }
        };
        self.linear = Linear::from_parts(w.cast(), b.cast());
        Ok(report)
    }
}

impl<T: Float> LinearRegression<T> {
    /// Fits the model by a full-batch solver from zero weights, minimising half the mean
    /// squared error plus `l2/2 ||w||^2` (`config.standardize` is ignored), and returns
    /// the solver's report.
    ///
    /// ```
    /// use nn::models::LinearRegression;
    /// use nn::solver::{SolveConfig, Solver};
    /// use tape::Tensor;
    /// let x = Tensor::from_fn(&[20, 2], |i| (i as f64 * 0.7).sin());
    /// let y: Vec<f64> = x.data().chunks(2).map(|r| 2.0 * r[0] - r[1] + 0.5).collect();
    /// let config = SolveConfig { solver: "lbfgs".parse().unwrap(), l2: 0.0, standardize: false };
    /// let mut model = LinearRegression::<f64>::new(2);
    /// model.solve(&x, &y, &config).unwrap();
    /// assert!((model.weights()[0] - 2.0).abs() < 1e-6 && (model.intercept() - 0.5).abs() < 1e-6);
    /// ```
    pub fn solve(
        &mut self,
        x: &Tensor<T>,
        y: &[T],
        config: &SolveConfig,
    ) -> Result<SolveReport, TrainError> {
        self.check(x, y)?;
        if y.is_empty() {
            return Err(TrainError::Invalid(
                "cannot train on an empty data set".into(),
            ));
        }
        let objective = LinearObjective::least_squares(x, y, config.l2);
        let (report, w, b) = solve_linear(objective, &config.solver)?;
        self.linear = Linear::from_parts(w.cast(), b.cast());
        Ok(report)
    }
}

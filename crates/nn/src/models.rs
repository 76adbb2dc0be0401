//! The models: [`SoftmaxRegression`] (multinomial logistic regression) and
//! [`LinearRegression`], both a [`Linear`] layer trained by [`train::fit`](crate::train).

use crate::functions::{cross_entropy, softmax, squared_loss};
use crate::linear::Linear;
use crate::metrics;
use crate::model_file::{ModelError, ModelFile, Standardization, TrainingData};
use crate::solver::{
    Differentiable, LinearObjective, LinearProblem, SolveConfig, SolveError, SolveReport, Solver,
};
use crate::train::{self, Examples, History, Objective, Progress, TrainConfig, TrainError};
use data::{Dataset, Standardizer};
use std::borrow::Cow;
use std::ops::ControlFlow;
use std::path::Path;
use tape::{Float, ShapeError, Tape, Tensor, Var};

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
    training_data: Option<TrainingData>,
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
    fn baseline_loss(&self, classes: usize) -> Option<f64> {
        Some((classes as f64).ln())
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
        Self::from_linear(Linear::new(
            n_features,
            n_classes,
            crate::linear::Init::Zeros,
            0,
        ))
    }

    /// A model with features named `x0, x1, ...`, classes `0, 1, ...`, no standardisation.
    fn from_linear(linear: Linear<T>) -> Self {
        SoftmaxRegression {
            feature_names: (0..linear.inputs()).map(|i| format!("x{i}")).collect(),
            class_names: (0..linear.outputs()).map(|j| j.to_string()).collect(),
            linear,
            standardizer: None,
            training_data: None,
        }
    }

    /// A model with given parameters, without a trip through a file: `weight` `[k, d]`
    /// (row `j` scores class `j`) and `bias` `[k]`, applied to the features as they are
    /// (add [`with_standardizer`](Self::with_standardizer) for standardised ones), with
    /// features named `x0, x1, ...` and classes `0, 1, ...` (see
    /// [`with_feature_names`](Self::with_feature_names),
    /// [`with_class_names`](Self::with_class_names)).
    ///
    /// ```
    /// use nn::models::SoftmaxRegression;
    /// use tape::Tensor;
    /// let weight = Tensor::from_vec(vec![1.0, 0.0, -1.0, 0.0], &[2, 2]);
    /// let mut model = SoftmaxRegression::<f64>::from_parameters(weight, Tensor::zeros(&[2]));
    /// let p = model.predict_proba_rows(&[2.0, 5.0]);
    /// assert!((p.data()[0] - 1.0 / (1.0 + (-4.0f64).exp())).abs() < 1e-15); // softmax(2, -2)
    /// model.bias_mut()[1] = 4.0; // now softmax(2, 2)
    /// let p = model.predict_proba_rows(&[2.0, 5.0]);
    /// assert!(p.data().iter().all(|&p| (p - 0.5).abs() < 1e-15));
    /// ```
    ///
    /// # Panics
    /// If the shapes do not fit; [`try_from_parameters`](Self::try_from_parameters)
    /// returns the error instead.
    pub fn from_parameters(weight: Tensor<T>, bias: Tensor<T>) -> Self {
        Self::try_from_parameters(weight, bias).unwrap_or_else(|e| panic!("{e}"))
    }

    /// [`from_parameters`](Self::from_parameters), or an error naming both shapes.
    pub fn try_from_parameters(weight: Tensor<T>, bias: Tensor<T>) -> Result<Self, ShapeError> {
        Ok(Self::from_linear(Linear::try_from_parts(weight, bias)?))
    }

    /// The same model, standardising features with `standardizer` before the linear layer.
    ///
    /// # Panics
    /// If the standardizer was fitted on another number of features.
    pub fn with_standardizer(mut self, standardizer: Standardizer) -> Self {
        assert_eq!(
            standardizer.n_features(),
            self.n_features(),
            "with_standardizer: a standardizer of {} features for a model of {}",
            standardizer.n_features(),
            self.n_features()
        );
        self.standardizer = Some(standardizer);
        self
    }

    /// The same model with a record of the rows it was trained on, saved with it.
    pub fn with_training_data(mut self, training_data: TrainingData) -> Self {
        self.training_data = Some(training_data);
        self
    }

    /// The rows the model was trained on, if its file recorded them.
    pub fn training_data(&self) -> Option<&TrainingData> {
        self.training_data.as_ref()
    }

    /// The same model with its features named (in column order).
    ///
    /// # Panics
    /// If there is not one name per feature.
    pub fn with_feature_names(mut self, names: Vec<String>) -> Self {
        assert_eq!(
            names.len(),
            self.n_features(),
            "with_feature_names: {} names for {} features",
            names.len(),
            self.n_features()
        );
        self.feature_names = names;
        self
    }

    /// The same model with its classes named (by label).
    ///
    /// # Panics
    /// If there is not one name per class.
    pub fn with_class_names(mut self, names: Vec<String>) -> Self {
        assert_eq!(
            names.len(),
            self.n_classes(),
            "with_class_names: {} names for {} classes",
            names.len(),
            self.n_classes()
        );
        self.class_names = names;
        self
    }

    /// The weights `W`, `[k, d]`: row `j` scores class `j`.
    pub fn weight(&self) -> &Tensor<T> {
        &self.linear.weight
    }

    /// The biases `b`, `[k]`.
    pub fn bias(&self) -> &Tensor<T> {
        &self.linear.bias
    }

    /// The weights in row-major order (`[k, d]`), to change in place; the shape stays.
    pub fn weight_mut(&mut self) -> &mut [T] {
        self.linear.weight.data_mut()
    }

    /// The biases (`[k]`), to change in place.
    pub fn bias_mut(&mut self) -> &mut [T] {
        self.linear.bias.data_mut()
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

    /// Features as row-major `[n, d]` in `T`, standardised as the model was trained: the
    /// data set's own rows when nothing needs converting (`f32`, not standardised).
    fn prepare<'d>(&self, data: &'d Dataset) -> Cow<'d, [T]> {
        match (&self.standardizer, T::borrow_f32(data.features())) {
            (None, Some(features)) => Cow::Borrowed(features),
            _ => {
                let features = data.features().iter().map(|&x| f64::from(x));
                Cow::Owned(prepare_rows(
                    self.standardizer.as_ref(),
                    features,
                    data.n_features(),
                ))
            }
        }
    }

    /// The logits `X W^T + b` of a data set's rows, standardised as the model was trained.
    fn logits(&self, data: &Dataset) -> Tensor<T> {
        self.linear.apply_rows(&self.prepare(data))
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
        let (x, d) = (self.prepare(train), train.n_features());
        let train_examples = Examples {
            x: &x,
            d,
            y: train.labels(),
        };
        let val_x = validation.map(|v| self.prepare(v));
        let val_examples = validation.zip(val_x.as_ref()).map(|(v, x)| Examples {
            x,
            d,
            y: v.labels(),
        });
        train::fit(
            &mut self.linear,
            &Classification,
            &train_examples,
            val_examples.as_ref(),
            config,
            &mut progress,
        )
    }

    /// Class probabilities `[n, k]` for raw feature rows (`features.len() = n * d`), in
    /// the model's own float type (no rounding through `f32` for a model in `f64`).
    ///
    /// # Panics
    /// If the length is not a multiple of the number of features.
    pub fn predict_proba_rows(&self, features: &[T]) -> Tensor<T> {
        let d = self.n_features();
        assert!(
            features.len().is_multiple_of(d),
            "predict: {} numbers are not rows of {d} features",
            features.len()
        );
        let rows = features.iter().map(|x| x.to_f64());
        let logits = self
            .linear
            .apply_rows(&prepare_rows(self.standardizer.as_ref(), rows, d));
        probabilities(&logits)
    }

    /// Class probabilities `[n, k]`.
    pub fn predict_proba(&self, data: &Dataset) -> Tensor<T> {
        probabilities(&self.logits(data))
    }

    /// The most probable class of each row.
    pub fn predict(&self, data: &Dataset) -> Vec<usize> {
        self.logits(data).argmax_axis(-1)
    }

    /// Accuracy on a labelled data set.
    pub fn score(&self, data: &Dataset) -> Result<f64, TrainError> {
        self.check_shape(data)?;
        Ok(metrics::accuracy(&self.logits(data), data.labels()))
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
                d: data.n_features(),
                y: data.labels(),
            },
        )
        .0)
    }

    /// Saves the model as versioned JSON, atomically.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ModelError> {
        self.model_file().save(path.as_ref())
    }

    /// The versioned JSON that [`save`](Self::save) writes, for writing the model along
    /// with other files or somewhere other than a path.
    pub fn to_json(&self) -> String {
        self.model_file().to_json()
    }

    fn model_file(&self) -> ModelFile {
        ModelFile {
            training_data: self.training_data.clone(),
            ..to_file(
                &self.linear,
                "softmax_regression",
                &self.feature_names,
                &self.class_names,
                self.standardizer.as_ref(),
            )
        }
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
            training_data: file.training_data,
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

    /// A model with given weights `w` (one per feature) and intercept `b`, without a trip
    /// through a file.
    ///
    /// ```
    /// use nn::models::LinearRegression;
    /// use tape::Tensor;
    /// let mut model = LinearRegression::from_parameters(&[2.0, -1.0], 0.5);
    /// let x = Tensor::from_vec(vec![1.0, 1.0, 3.0, 2.0], &[2, 2]);
    /// assert_eq!(model.predict(&x), vec![1.5, 4.5]);
    /// *model.intercept_mut() = 0.0;
    /// model.weights_mut()[1] = 0.0;
    /// assert_eq!(model.predict(&x), vec![2.0, 6.0]);
    /// ```
    pub fn from_parameters(weights: &[T], intercept: T) -> Self {
        let weight = Tensor::from_vec(weights.to_vec(), &[1, weights.len()]);
        LinearRegression {
            linear: Linear::from_parts(weight, Tensor::scalar(intercept).reshape(&[1])),
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

    /// The weights, to change in place.
    pub fn weights_mut(&mut self) -> &mut [T] {
        self.linear.weight.data_mut()
    }

    /// The intercept, to change in place.
    pub fn intercept_mut(&mut self) -> &mut T {
        &mut self.linear.bias.data_mut()[0]
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
        let train_examples = Examples {
            x: x.data(),
            d: self.linear.inputs(),
            y,
        };
        let val_examples = validation.map(|(x, y)| Examples {
            x: x.data(),
            d: self.linear.inputs(),
            y,
        });
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

/// Raw feature values, row after row, to a `[n, d]` tensor in `T`, standardised (in
/// `f64`, then rounded once to `T`) if a standardizer is given.
fn prepare_rows<T: Float>(
    standardizer: Option<&Standardizer>,
    features: impl Iterator<Item = f64>,
    d: usize,
) -> Vec<T> {
    features
        .enumerate()
        .map(|(i, x)| T::from_f64(standardizer.map_or(x, |s| s.standardize(i % d, x))))
        .collect()
}

/// `softmax` of each row of logits, on a throwaway tape.
fn probabilities<T: Float>(logits: &Tensor<T>) -> Tensor<T> {
    let tape = Tape::new();
    softmax(tape.constant(logits), -1).value()
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
        training_data: None,
    }
}

fn from_file<T: Float>(
    file: &ModelFile,
    path: &Path,
) -> Result<(Linear<T>, Option<Standardizer>), ModelError> {
    let invalid = |message: String| ModelError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    // Finite as f64 (checked by validate) is not enough: 1e300 is infinite as f32.
    let tensor = |v: &[f64], dims: &[usize], what: &str| {
        let values: Vec<T> = v.iter().map(|&x| T::from_f64(x)).collect();
        if let Some(i) = values.iter().position(|x| !x.to_f64().is_finite()) {
            return Err(invalid(format!(
                "{what} number {i} ({:e}) is too large for {}",
                v[i],
                std::any::type_name::<T>()
            )));
        }
        Ok(Tensor::from_vec(values, dims))
    };
    let linear = Linear::from_parts(
        tensor(&file.weight, &[file.n_outputs, file.n_features], "weight")?,
        tensor(&file.bias, &[file.n_outputs], "bias")?,
    );
    let standardizer = match &file.standardization {
        None => None,
        Some(s) => Some(
            Standardizer::from_parts(s.means.clone(), s.stds.clone())
                .map_err(|e| invalid(e.to_string()))?,
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
                let x = Tensor::from_vec(train.features().to_vec(), &[train.len(), d]);
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

//! The bundled data sets load with the shapes, class counts and contents documented in
//! `data/README.md`, and the files on disk match the SHA-256 sums given there.

use std::io::Read;
use std::path::{Path, PathBuf};

use data::{bundled, Dataset};
use sha2::{Digest, Sha256};

fn check(ds: &Dataset, n: usize, d: usize, counts: &[usize], class_names: &[&str]) {
    assert_eq!(ds.len(), n);
    assert_eq!(ds.n_features(), d);
    assert_eq!(ds.features().len(), n * d);
    assert_eq!(ds.feature_names().len(), d);
    assert_eq!(ds.class_counts(), counts);
    assert_eq!(ds.class_names(), class_names);
}

fn digit_names() -> Vec<String> {
    (0..10).map(|d| d.to_string()).collect()
}

#[test]
fn iris() {
    let ds = bundled::iris();
    check(
        &ds,
        150,
        4,
        &[50, 50, 50],
        &["setosa", "versicolor", "virginica"],
    );
    assert_eq!(
        ds.feature_names(),
        [
            "sepal_length_cm",
            "sepal_width_cm",
            "petal_length_cm",
            "petal_width_cm"
        ]
    );
    assert_eq!(ds.row(0), &[5.1, 3.5, 1.4, 0.2]);
    // The corrected data rows 35 and 38 (1-based) of data/README.md.
    assert_eq!(ds.row(34), &[4.9, 3.1, 1.5, 0.2]);
    assert_eq!(ds.row(37), &[4.9, 3.6, 1.4, 0.1]);
    assert_eq!(ds.row(142), ds.row(101));
}

#[test]
fn wine() {
    let ds = bundled::wine();
    check(
        &ds,
        178,
        13,
        &[59, 71, 48],
        &["class_0", "class_1", "class_2"],
    );
    assert_eq!(ds.feature_names()[12], "proline");
    assert_eq!(ds.row(0)[12], 1065.0);
    assert_eq!(ds.features().iter().copied().fold(0.0, f32::max), 1680.0);
}

#[test]
fn breast_cancer() {
    let ds = bundled::breast_cancer();
    check(&ds, 569, 30, &[212, 357], &["malignant", "benign"]);
    assert_eq!(ds.feature_names()[0], "mean_radius");
    assert_eq!(ds.feature_names()[29], "worst_fractal_dimension");
}

#[test]
fn digits() {
    let ds = bundled::digits();
    let names = digit_names();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    check(
        &ds,
        1797,
        64,
        &[178, 182, 177, 183, 181, 182, 181, 179, 174, 180],
        &names,
    );
    assert_eq!(ds.feature_names()[9], "pixel_1_1");
    assert_eq!(&ds.labels()[..12], &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    assert!(ds
        .features()
        .iter()
        .all(|&x| (0.0..=16.0).contains(&x) && x.fract() == 0.0));
}

#[test]
fn mnist5k() {
    let split = bundled::mnist5k();
    let names = digit_names();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    check(&split.train, 4000, 784, &[400; 10], &names);
    check(&split.test, 1000, 784, &[100; 10], &names);
    assert_eq!(&split.train.labels()[..10], &[5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    assert_eq!(split.train.feature_names()[28 * 3 + 5], "pixel_3_5");
    for ds in [&split.train, &split.test] {
        assert!(ds.features().iter().all(|&x| (0.0..=1.0).contains(&x)));
        let mean =
            ds.features().iter().map(|&x| f64::from(x)).sum::<f64>() / ds.features().len() as f64;
        // data/README.md: pixel mean about 33.4 on the 0-255 scale.
        assert!((mean * 255.0 - 33.4).abs() < 1.0, "mean pixel {mean}");
    }
    // The two parts share no image.
    let train_rows: std::collections::HashSet<Vec<u32>> = (0..split.train.len())
        .map(|i| split.train.row(i).iter().map(|x| x.to_bits()).collect())
        .collect();
    assert!((0..split.test.len()).all(|i| !train_rows.contains(
        &split
            .test
            .row(i)
            .iter()
            .map(|x| x.to_bits())
            .collect::<Vec<_>>()
    )));
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

#[test]
fn full_mnist() {
    let dir = bundled::mnist_dir().expect("the project's data/mnist");
    assert_eq!(dir, data_dir().join("mnist").canonicalize().unwrap());
    let mnist = bundled::mnist();
    assert_eq!(
        data::read_mnist_dir(&dir).unwrap(),
        mnist,
        "the embedded copy is the files'"
    );
    let names = digit_names();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    check(
        &mnist.train,
        60_000,
        784,
        &[5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
        &names,
    );
    check(
        &mnist.test,
        10_000,
        784,
        &[980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
        &names,
    );
    assert_eq!(&mnist.train.labels()[..10], &[5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    assert_eq!(&mnist.test.labels()[..10], &[7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);

    // data/README.md: mnist5k/train is the first 400 images of each digit of MNIST train,
    // and mnist5k/t10k the next 100, both in MNIST order.
    let mut seen = [0usize; 10];
    let (mut first400, mut next100) = (Vec::new(), Vec::new());
    for (i, &label) in mnist.train.labels().iter().enumerate() {
        seen[label] += 1;
        match seen[label] {
            1..=400 => first400.push(i),
            401..=500 => next100.push(i),
            _ => {}
        }
    }
    let small = bundled::mnist5k();
    assert_eq!(mnist.train.subset(&first400), small.train);
    assert_eq!(mnist.train.subset(&next100), small.test);
}

/// SHA-256 of the decompressed files, from data/README.md.
const DECOMPRESSED_SHA256: [(&str, &str); 9] = [
    (
        "digits.csv.gz",
        "7a93e51f73dadeb4429b4fc0718b334d12864332b906bdf44f9da7599a7e0e01",
    ),
    (
        "mnist5k/train-images-idx3-ubyte.gz",
        "1edb0376ad770d05deea6c696693f5882c993d72d1a2f8ea7f0e3f057f1cfb2f",
    ),
    (
        "mnist5k/train-labels-idx1-ubyte.gz",
        "eff120e01f651c4673776d501e2c9cb8986959930f915af888eeda19e96879f6",
    ),
    (
        "mnist5k/t10k-images-idx3-ubyte.gz",
        "af0e8803969c5c2f6a0d83ab42f82a1cb41bf1342a970b35c892ec2e156a5eb3",
    ),
    (
        "mnist5k/t10k-labels-idx1-ubyte.gz",
        "cdcf773408af8745d01de5bef0d186422d9969c8d219f6c85cb6e0d62082fc6e",
    ),
    (
        "mnist/train-images-idx3-ubyte.gz",
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    ),
    (
        "mnist/train-labels-idx1-ubyte.gz",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    ),
    (
        "mnist/t10k-images-idx3-ubyte.gz",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    ),
    (
        "mnist/t10k-labels-idx1-ubyte.gz",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ),
];

/// SHA-256 of the files as stored, from data/README.md.
const STORED_SHA256: [(&str, &str); 3] = [
    (
        "iris.csv",
        "87f0ef5229d3c2825151152009663887281a6e3e164d35161efdbdfb69951049",
    ),
    (
        "wine.csv",
        "23e4194a5c52a750cd051677786d41f8de435bb6fc210f597f07080b5d910ef7",
    ),
    (
        "breast_cancer.csv",
        "5c3e458a6f8780b7dd2bc07e65dc975d149b6f8324cb7442a6ead4c5c9858d07",
    ),
];

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn files_match_the_documented_hashes() {
    for (name, expected) in DECOMPRESSED_SHA256 {
        let gz = std::fs::read(data_dir().join(name)).unwrap();
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut decoded)
            .unwrap();
        assert_eq!(hex_sha256(&decoded), expected, "{name} (decompressed)");
    }
    for (name, expected) in STORED_SHA256 {
        let bytes = std::fs::read(data_dir().join(name)).unwrap();
        assert_eq!(hex_sha256(&bytes), expected, "{name}");
    }
}

#[test]
fn read_mnist_dir_reads_the_bundled_subset_from_disk() {
    let split = data::read_mnist_dir(data_dir().join("mnist5k")).unwrap();
    assert_eq!(split, bundled::mnist5k());
}

#[test]
fn read_csv_reads_gzipped_files_from_disk() {
    let from_disk = data::read_csv(data_dir().join("digits.csv.gz"), &Default::default()).unwrap();
    assert_eq!(from_disk.features(), bundled::digits().features());
    assert_eq!(from_disk.class_names()[3], "3");
}

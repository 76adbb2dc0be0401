//! Reading the IDX format of MNIST: [`read_idx_images`], [`read_idx_labels`],
//! [`read_mnist_dir`] and their in-memory forms.
//!
//! An IDX file is a big-endian header followed by raw bytes. Images: magic `0x00000803`,
//! then `u32` count, rows and columns, then `count * rows * cols` pixel bytes. Labels: magic
//! `0x00000801`, then a `u32` count, then `count` label bytes. Files may be gzipped; gzip is
//! recognised by its magic bytes, not by the file name.
//!
//! Files are read as a stream through the crate's bounded [`ReadLimits`]. The length a
//! header claims is never trusted for an allocation: memory is reserved only as far as the
//! file can really hold (its length, or what a gzip stream of its length can expand to),
//! and a plain file's length is checked against the claim before anything is read. So a
//! corrupt header cannot make the reader allocate gigabytes or panic: a short or long file
//! is a [`DataError::IdxLength`], a gzip bomb a [`DataError::TooLarge`].

use std::fmt;
use std::path::{Path, PathBuf};

use crate::files::Input;
use crate::{DataError, Dataset, ReadLimits};

/// Bytes read and converted at a time.
const CHUNK_BYTES: usize = 64 * 1024;

/// Magic number of an IDX file of unsigned-byte images (3 dimensions).
pub const IDX_IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of an IDX file of unsigned-byte labels (1 dimension).
pub const IDX_LABELS_MAGIC: u32 = 0x0000_0801;

/// Images read from an IDX file, pixels scaled to `[0, 1]`.
#[derive(Clone, PartialEq)]
pub struct IdxImages {
    /// The file the images came from (used in error messages).
    pub file: String,
    /// Number of images.
    pub count: usize,
    /// Rows per image.
    pub rows: usize,
    /// Columns per image.
    pub cols: usize,
    /// `count * rows * cols` pixels, image after image, each row-major; byte value / 255.
    pub pixels: Vec<f32>,
}

/// Shows the shape, not the pixels.
impl fmt::Debug for IdxImages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdxImages")
            .field("file", &self.file)
            .field("count", &self.count)
            .field("rows", &self.rows)
            .field("cols", &self.cols)
            .finish_non_exhaustive()
    }
}

/// Labels read from an IDX file.
#[derive(Debug, Clone, PartialEq)]
pub struct IdxLabels {
    /// The file the labels came from (used in error messages).
    pub file: String,
    /// One label byte per item.
    pub labels: Vec<u8>,
}

/// A training set and a test set, as MNIST comes.
#[derive(Debug, Clone, PartialEq)]
pub struct MnistSplit {
    /// The training set (`train-*` files).
    pub train: Dataset,
    /// The test set (`t10k-*` files).
    pub test: Dataset,
}

impl IdxImages {
    /// Pairs the images with their labels into a [`Dataset`].
    ///
    /// Feature names are `pixel_<row>_<col>`. Class names are `"0"` to `"9"` (more if a label
    /// exceeds 9), so every digit data set has the same ten classes even if a subset lacks
    /// one. Fails with [`DataError::CountMismatch`] if the counts differ.
    pub fn with_labels(self, labels: IdxLabels) -> Result<Dataset, DataError> {
        let classes = classes_for(&labels.labels);
        self.with_labels_of(labels, classes)
    }

    /// [`IdxImages::with_labels`] with the classes `"0"` to `classes - 1`.
    fn with_labels_of(self, labels: IdxLabels, classes: usize) -> Result<Dataset, DataError> {
        if self.count != labels.labels.len() {
            return Err(DataError::CountMismatch {
                images_file: self.file,
                images: self.count,
                labels_file: labels.file,
                labels: labels.labels.len(),
            });
        }
        let class_names = (0..classes).map(|c| c.to_string()).collect();
        let feature_names = (0..self.rows)
            .flat_map(|r| (0..self.cols).map(move |c| format!("pixel_{r}_{c}")))
            .collect();
        let labels = labels.labels.iter().map(|&l| usize::from(l)).collect();
        Dataset::new(
            self.pixels,
            self.rows * self.cols,
            labels,
            feature_names,
            class_names,
        )
    }
}

/// Reads an IDX image file (plain or gzipped) within the default [`ReadLimits`].
pub fn read_idx_images(path: impl AsRef<Path>) -> Result<IdxImages, DataError> {
    read_images(Input::open(path.as_ref(), ReadLimits::default())?)
}

/// Reads an IDX label file (plain or gzipped) within the default [`ReadLimits`].
pub fn read_idx_labels(path: impl AsRef<Path>) -> Result<IdxLabels, DataError> {
    read_labels(Input::open(path.as_ref(), ReadLimits::default())?)
}

/// Parses an IDX image file held in memory (plain or gzipped); `name` is used in errors.
///
/// Checks the magic number, that rows and columns are positive, and that the data is
/// exactly as long as the header claims.
///
/// ```
/// let mut bytes = vec![0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2];
/// bytes.extend([0, 255]);
/// let images = data::parse_idx_images(&bytes, "tiny")?;
/// assert_eq!((images.count, images.rows, images.cols), (1, 1, 2));
/// assert_eq!(images.pixels, vec![0.0, 1.0]);
/// # Ok::<(), data::DataError>(())
/// ```
pub fn parse_idx_images(bytes: &[u8], name: &str) -> Result<IdxImages, DataError> {
    read_images(Input::from_bytes(bytes, name, ReadLimits::default())?)
}

/// Parses an IDX label file held in memory (plain or gzipped); `name` is used in errors.
pub fn parse_idx_labels(bytes: &[u8], name: &str) -> Result<IdxLabels, DataError> {
    read_labels(Input::from_bytes(bytes, name, ReadLimits::default())?)
}

/// The images of an IDX image input, pixels scaled to `[0, 1]` as they are read.
fn read_images(mut input: Input<'_>) -> Result<IdxImages, DataError> {
    let dims = read_header(&mut input, IDX_IMAGES_MAGIC)?;
    let (count, rows, cols) = (dims[0], dims[1], dims[2]);
    let mut pixels = Vec::new();
    read_body(&mut input, &dims, &mut pixels, |p| f32::from(p) / 255.0)?;
    Ok(IdxImages {
        file: input.name().to_string(),
        count: count as usize,
        rows: rows as usize,
        cols: cols as usize,
        pixels,
    })
}

/// The labels of an IDX label input.
fn read_labels(mut input: Input<'_>) -> Result<IdxLabels, DataError> {
    let dims = read_header(&mut input, IDX_LABELS_MAGIC)?;
    let mut labels = Vec::new();
    read_body(&mut input, &dims, &mut labels, |label| label)?;
    Ok(IdxLabels {
        file: input.name().to_string(),
        labels,
    })
}

/// Reads MNIST from a directory holding the four standard files
/// `train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz`
/// and `t10k-labels-idx1-ubyte.gz`, within the default [`ReadLimits`].
///
/// For each file the gzipped name is tried first, then the name without `.gz`, then the
/// dotted spelling some copies use (`train-images.idx3-ubyte`, with or without `.gz`). Works
/// for the bundled `data/mnist/` and `data/mnist5k/` folders as well as any copy of MNIST or
/// of a data set in the same format (such as Fashion-MNIST). Training and test images must
/// have the same size ([`DataError::ImageSizeMismatch`] names both files).
pub fn read_mnist_dir(dir: impl AsRef<Path>) -> Result<MnistSplit, DataError> {
    read_mnist_dir_within(dir, ReadLimits::default())
}

/// [`read_mnist_dir`] with the given limits on each file.
pub fn read_mnist_dir_within(
    dir: impl AsRef<Path>,
    limits: ReadLimits,
) -> Result<MnistSplit, DataError> {
    let dir = dir.as_ref();
    let load = |images: &str, labels: &str| -> Result<(IdxImages, IdxLabels), DataError> {
        let images = read_images(Input::open(&find_file(dir, images)?, limits)?)?;
        let labels = read_labels(Input::open(&find_file(dir, labels)?, limits)?)?;
        Ok((images, labels))
    };
    let (train_images, train_labels) = load("train-images-idx3-ubyte", "train-labels-idx1-ubyte")?;
    let (test_images, test_labels) = load("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")?;
    let size = |images: &IdxImages| (images.rows, images.cols);
    if size(&train_images) != size(&test_images) {
        return Err(DataError::ImageSizeMismatch {
            train_file: train_images.file.clone(),
            train: size(&train_images),
            test_file: test_images.file.clone(),
            test: size(&test_images),
        });
    }
    // One set of classes for both, so that a label seen only in the test set is a class
    // of the training set too (with no rows), not a class the model has never heard of.
    let classes = classes_for(&train_labels.labels).max(classes_for(&test_labels.labels));
    Ok(MnistSplit {
        train: train_images.with_labels_of(train_labels, classes)?,
        test: test_images.with_labels_of(test_labels, classes)?,
    })
}

/// The number of classes labels name: `"0"` to `"9"` at least, more if a label exceeds 9.
fn classes_for(labels: &[u8]) -> usize {
    usize::from(labels.iter().copied().max().unwrap_or(0)).max(9) + 1
}

/// The files [`read_mnist_dir`] reads in `dir`: the first existing candidate of each of the
/// four, in the order training images, training labels, test images, test labels.
pub fn mnist_files(dir: impl AsRef<Path>) -> Result<[PathBuf; 4], DataError> {
    let dir = dir.as_ref();
    Ok([
        find_file(dir, "train-images-idx3-ubyte")?,
        find_file(dir, "train-labels-idx1-ubyte")?,
        find_file(dir, "t10k-images-idx3-ubyte")?,
        find_file(dir, "t10k-labels-idx1-ubyte")?,
    ])
}

/// The places [`read_mnist_dir`] looks for the file `base` in `dir`, in order.
pub(crate) fn candidates(dir: &Path, base: &str) -> Vec<PathBuf> {
    let dotted = base.replacen("-idx", ".idx", 1);
    [
        format!("{base}.gz"),
        base.to_string(),
        format!("{dotted}.gz"),
        dotted,
    ]
    .into_iter()
    .map(|name| dir.join(name))
    .collect()
}

/// The first existing candidate for `base` in `dir`.
fn find_file(dir: &Path, base: &str) -> Result<PathBuf, DataError> {
    let searched = candidates(dir, base);
    match searched.iter().find(|path| path.is_file()) {
        Some(path) => Ok(path.clone()),
        None => Err(DataError::NotFound {
            what: format!("MNIST file {base}.gz"),
            searched,
        }),
    }
}

/// What a header of `magic` is called in messages.
fn kind(magic: u32) -> &'static str {
    if magic == IDX_IMAGES_MAGIC {
        "image"
    } else {
        "label"
    }
}

/// The length of the header of an IDX file of `magic`: the magic number and one `u32` per
/// dimension.
fn header_len(magic: u32) -> u64 {
    4 + 4 * u64::from((magic & 0xff) as u8)
}

/// Reads and checks the header of an IDX input against `magic`: its dimensions.
fn read_header(input: &mut Input<'_>, magic: u32) -> Result<Vec<u32>, DataError> {
    let header_len = header_len(magic);
    let mut header = vec![0u8; header_len as usize];
    let read = input.read_full(&mut header)?;
    let short_header = |found: usize| DataError::IdxLength {
        file: input.name().to_string(),
        claimed: format!("an IDX {} header", kind(magic)),
        expected: Some(header_len),
        found: found as u64,
    };
    if read < 4 {
        return Err(short_header(read));
    }
    let found_magic = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
    if found_magic != magic {
        return Err(DataError::BadMagic {
            file: input.name().to_string(),
            expected: magic,
            found: found_magic,
        });
    }
    if read < header.len() {
        return Err(short_header(read));
    }
    let dims: Vec<u32> = header[4..]
        .chunks_exact(4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    if magic == IDX_IMAGES_MAGIC && (dims[1] == 0 || dims[2] == 0) {
        return Err(DataError::BadDimensions {
            file: input.name().to_string(),
            rows: dims[1],
            cols: dims[2],
        });
    }
    Ok(dims)
}

/// Reads the data after the header, which must be exactly as long as the dimensions
/// `dims` claim, into `out`, each byte converted by `convert`. Memory is reserved for the
/// claim, but never for more than the input can really hold.
fn read_body<T>(
    input: &mut Input<'_>,
    dims: &[u32],
    out: &mut Vec<T>,
    convert: impl Fn(u8) -> T,
) -> Result<(), DataError> {
    let magic = if dims.len() == 3 {
        IDX_IMAGES_MAGIC
    } else {
        IDX_LABELS_MAGIC
    };
    let header_len = header_len(magic);
    let claimed = if magic == IDX_IMAGES_MAGIC {
        format!(
            "a header claiming {} images of {}x{}",
            dims[0], dims[1], dims[2]
        )
    } else {
        format!("a header claiming {} labels", dims[0])
    };
    let file = input.name().to_string();
    let length_error = |expected: Option<u64>, found: u64| DataError::IdxLength {
        file: file.clone(),
        claimed: claimed.clone(),
        expected,
        found,
    };
    // The claimed data length, with checked arithmetic: three u32 factors can exceed u64.
    let body_len = dims
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(u64::from(d)));
    let expected = body_len.and_then(|b| b.checked_add(header_len));
    // A plain file's length is known: check the claim before reading anything.
    if let Some(len) = input.known_len() {
        if expected != Some(len) {
            return Err(length_error(expected, len));
        }
    }
    let Some(body_len) = body_len.filter(|_| expected.is_some()) else {
        let rest = input.skip_rest()?;
        return Err(length_error(None, header_len + rest));
    };

    let can_hold = input
        .max_len()
        .map_or(0, |max| max.saturating_sub(header_len));
    out.reserve_exact(usize::try_from(body_len.min(can_hold)).unwrap_or(0));
    crate::huge_pages::advise(out);
    let mut chunk = vec![0u8; CHUNK_BYTES];
    let mut read = 0u64;
    while read < body_len {
        let want = usize::try_from(body_len - read).map_or(CHUNK_BYTES, |n| n.min(CHUNK_BYTES));
        let got = input.read_full(&mut chunk[..want])?;
        out.extend(chunk[..got].iter().map(|&byte| convert(byte)));
        read += got as u64;
        if got < want {
            return Err(length_error(expected, header_len + read));
        }
    }
    let rest = input.skip_rest()?;
    if rest > 0 {
        return Err(length_error(
            expected,
            (header_len + read).saturating_add(rest),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(magic: u32, dims: &[u32]) -> Vec<u8> {
        let mut bytes = magic.to_be_bytes().to_vec();
        for d in dims {
            bytes.extend(d.to_be_bytes());
        }
        bytes
    }

    #[test]
    fn images_and_labels_make_a_dataset() {
        let mut images = header(IDX_IMAGES_MAGIC, &[2, 2, 3]);
        images.extend([0, 51, 102, 153, 204, 255, 255, 0, 0, 0, 0, 0]);
        let mut labels = header(IDX_LABELS_MAGIC, &[2]);
        labels.extend([7, 3]);
        let images = parse_idx_images(&images, "img").unwrap();
        let labels = parse_idx_labels(&labels, "lab").unwrap();
        let ds = images.with_labels(labels).unwrap();
        assert_eq!(ds.len(), 2);
        assert_eq!(ds.n_features(), 6);
        assert_eq!(ds.n_classes(), 10);
        assert_eq!(ds.row(0), &[0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(ds.labels(), &[7, 3]);
        assert_eq!(ds.feature_names()[5], "pixel_1_2");
    }

    #[test]
    fn labels_above_nine_add_classes() {
        let images = IdxImages {
            file: "i".into(),
            count: 1,
            rows: 1,
            cols: 1,
            pixels: vec![0.5],
        };
        let labels = IdxLabels {
            file: "l".into(),
            labels: vec![12],
        };
        assert_eq!(images.with_labels(labels).unwrap().n_classes(), 13);
    }

    #[test]
    fn overflowing_claim_is_an_error() {
        let bytes = header(IDX_IMAGES_MAGIC, &[u32::MAX, u32::MAX, u32::MAX]);
        let err = parse_idx_images(&bytes, "huge").unwrap_err();
        assert!(
            matches!(
                err,
                DataError::IdxLength {
                    expected: None,
                    found: 16,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn candidate_names() {
        let names: Vec<_> = candidates(Path::new("d"), "train-images-idx3-ubyte")
            .into_iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "train-images-idx3-ubyte.gz",
                "train-images-idx3-ubyte",
                "train-images.idx3-ubyte.gz",
                "train-images.idx3-ubyte"
            ]
        );
    }
}

//! Reading the IDX format of MNIST: [`read_idx_images`], [`read_idx_labels`],
//! [`read_mnist_dir`] and their in-memory forms.
//!
//! An IDX file is a big-endian header followed by raw bytes. Images: magic `0x00000803`,
//! then `u32` count, rows and columns, then `count * rows * cols` pixel bytes. Labels: magic
//! `0x00000801`, then a `u32` count, then `count` label bytes. Files may be gzipped; gzip is
//! recognised by its magic bytes, not by the file name.
//!
//! The length a header claims is compared with the bytes actually present before any pixel
//! buffer is allocated, so a corrupt header cannot make the reader allocate gigabytes or
//! panic: a short or long file is a [`DataError::IdxLength`].

use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use crate::{gzip, DataError, Dataset};

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
        if self.count != labels.labels.len() {
            return Err(DataError::CountMismatch {
                images_file: self.file,
                images: self.count,
                labels_file: labels.file,
                labels: labels.labels.len(),
            });
        }
        let max_label = labels.labels.iter().copied().max().unwrap_or(0);
        let n_classes = usize::from(max_label).max(9) + 1;
        let class_names = (0..n_classes).map(|c| c.to_string()).collect();
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

/// Reads an IDX image file (plain or gzipped).
pub fn read_idx_images(path: impl AsRef<Path>) -> Result<IdxImages, DataError> {
    let (bytes, file) = read_file(path.as_ref())?;
    parse_idx_images(&bytes, &file)
}

/// Reads an IDX label file (plain or gzipped).
pub fn read_idx_labels(path: impl AsRef<Path>) -> Result<IdxLabels, DataError> {
    let (bytes, file) = read_file(path.as_ref())?;
    parse_idx_labels(&bytes, &file)
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
    let (dims, body) = parse_idx(bytes, name, IDX_IMAGES_MAGIC)?;
    let (count, rows, cols) = (dims[0], dims[1], dims[2]);
    Ok(IdxImages {
        file: name.to_string(),
        count: count as usize,
        rows: rows as usize,
        cols: cols as usize,
        pixels: body.iter().map(|&p| f32::from(p) / 255.0).collect(),
    })
}

/// Parses an IDX label file held in memory (plain or gzipped); `name` is used in errors.
pub fn parse_idx_labels(bytes: &[u8], name: &str) -> Result<IdxLabels, DataError> {
    let (_, labels) = parse_idx(bytes, name, IDX_LABELS_MAGIC)?;
    Ok(IdxLabels {
        file: name.to_string(),
        labels,
    })
}

/// Reads MNIST from a directory holding the four standard files
/// `train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz`
/// and `t10k-labels-idx1-ubyte.gz`.
///
/// For each file the gzipped name is tried first, then the name without `.gz`, then the
/// dotted spelling some copies use (`train-images.idx3-ubyte`, with or without `.gz`). Works
/// for the bundled `data/mnist/` and `data/mnist5k/` folders as well as any copy of MNIST or
/// of a data set in the same format (such as Fashion-MNIST).
pub fn read_mnist_dir(dir: impl AsRef<Path>) -> Result<MnistSplit, DataError> {
    let dir = dir.as_ref();
    let load = |images: &str, labels: &str| -> Result<Dataset, DataError> {
        let images = read_idx_images(find_file(dir, images)?)?;
        let labels = read_idx_labels(find_file(dir, labels)?)?;
        images.with_labels(labels)
    };
    Ok(MnistSplit {
        train: load("train-images-idx3-ubyte", "train-labels-idx1-ubyte")?,
        test: load("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")?,
    })
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

/// The file's bytes and its name for error messages.
fn read_file(path: &Path) -> Result<(Vec<u8>, String), DataError> {
    let file = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => Ok((bytes, file)),
        Err(source) => Err(DataError::Io { file, source }),
    }
}

/// Checks the header of an IDX file against `magic` and returns its dimensions and data.
fn parse_idx(bytes: &[u8], file: &str, magic: u32) -> Result<(Vec<u32>, Vec<u8>), DataError> {
    if gzip::is_gzip(bytes) {
        read_idx(MultiGzDecoder::new(bytes), file, magic)
    } else {
        read_idx(bytes, file, magic)
    }
}

/// Reads an IDX stream, never holding more than the header claims (plus one byte to detect
/// an overlong file): the rest of an overlong stream is counted, not stored.
fn read_idx(mut src: impl Read, file: &str, magic: u32) -> Result<(Vec<u32>, Vec<u8>), DataError> {
    let decompress = |source: io::Error| DataError::Decompress {
        file: file.to_string(),
        source,
    };
    let n_dims = usize::from((magic & 0xff) as u8);
    let header_len = 4 + 4 * n_dims;
    let kind = if magic == IDX_IMAGES_MAGIC {
        "image"
    } else {
        "label"
    };
    let mut header = Vec::with_capacity(header_len);
    src.by_ref()
        .take(header_len as u64)
        .read_to_end(&mut header)
        .map_err(decompress)?;
    let length_error = |claimed: String, expected: Option<u64>, found: u64| DataError::IdxLength {
        file: file.to_string(),
        claimed,
        expected,
        found,
    };
    let short_header = |found: usize| {
        length_error(
            format!("an IDX {kind} header"),
            Some(header_len as u64),
            found as u64,
        )
    };
    if header.len() < 4 {
        return Err(short_header(header.len()));
    }
    let found_magic = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
    if found_magic != magic {
        return Err(DataError::BadMagic {
            file: file.to_string(),
            expected: magic,
            found: found_magic,
        });
    }
    if header.len() < header_len {
        return Err(short_header(header.len()));
    }
    let dims: Vec<u32> = header[4..]
        .chunks_exact(4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let claimed = if magic == IDX_IMAGES_MAGIC {
        let (rows, cols) = (dims[1], dims[2]);
        if rows == 0 || cols == 0 {
            return Err(DataError::BadDimensions {
                file: file.to_string(),
                rows,
                cols,
            });
        }
        format!("a header claiming {} images of {rows}x{cols}", dims[0])
    } else {
        format!("a header claiming {} labels", dims[0])
    };
    // The claimed data length, with checked arithmetic: three u32 factors can exceed u64.
    let body_len = dims
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(u64::from(d)));
    let expected = body_len.and_then(|b| b.checked_add(header_len as u64));
    let (Some(body_len), Some(expected)) = (body_len, expected) else {
        let rest = io::copy(&mut src, &mut io::sink()).map_err(decompress)?;
        return Err(length_error(claimed, None, header_len as u64 + rest));
    };
    // Only as much as is really there is stored, however much the header claims.
    let mut body = Vec::new();
    src.by_ref()
        .take(body_len.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(decompress)?;
    let read = body.len() as u64;
    if read < body_len {
        return Err(length_error(
            claimed,
            Some(expected),
            header_len as u64 + read,
        ));
    }
    if read > body_len {
        let rest = io::copy(&mut src, &mut io::sink()).map_err(decompress)?;
        return Err(length_error(
            claimed,
            Some(expected),
            (header_len as u64 + read).saturating_add(rest),
        ));
    }
    Ok((dims, body))
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

//! Transparent gzip: data that starts with the gzip magic bytes `1f 8b` is decompressed,
//! whatever the file is called.

use std::borrow::Cow;
use std::io::Read;

use flate2::read::MultiGzDecoder;

use crate::DataError;

/// The two bytes every gzip stream starts with (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Whether `bytes` starts with the gzip magic bytes.
pub(crate) fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&GZIP_MAGIC)
}

/// `bytes` itself, or its decompressed content if it is gzipped.
pub(crate) fn decode<'a>(bytes: &'a [u8], file: &str) -> Result<Cow<'a, [u8]>, DataError> {
    if !is_gzip(bytes) {
        return Ok(Cow::Borrowed(bytes));
    }
    let mut out = Vec::new();
    MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|source| DataError::Decompress {
            file: file.to_string(),
            source,
        })?;
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn plain_bytes_pass_through() {
        assert_eq!(&*decode(b"a,b\n", "x").unwrap(), b"a,b\n");
    }

    #[test]
    fn gzip_is_detected_by_content() {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"hello").unwrap();
        let gz = enc.finish().unwrap();
        assert!(is_gzip(&gz));
        assert_eq!(&*decode(&gz, "x").unwrap(), b"hello");
    }

    #[test]
    fn broken_gzip_is_an_error() {
        let err = decode(&[0x1f, 0x8b, 0, 0], "broken.gz").unwrap_err();
        assert!(matches!(err, DataError::Decompress { .. }));
        assert!(err.to_string().starts_with("broken.gz: "), "{err}");
    }
}

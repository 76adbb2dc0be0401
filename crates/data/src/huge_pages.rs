//! Large data sets on huge pages.
//!
//! Training reads a data set's rows in a fresh random order every epoch. With 4 KiB pages
//! nearly every row (3 KiB for MNIST) starts on a page the processor has not translated
//! recently, and the page walk stalls the read; with 2 MiB pages the whole of MNIST's
//! training images needs 90 translations. Linux backs memory with huge pages only where
//! asked to (the usual `transparent_hugepage` setting is `madvise`), which NumPy, and so
//! PyTorch's data, also do for large arrays. Elsewhere this does nothing.

/// Buffers smaller than this are not worth advising.
const HUGE_PAGE: usize = 2 << 20;

/// Asks for the spare capacity of `buffer` (reserved, not yet written) to be backed by
/// huge pages. A hint: the data is the same either way.
pub(crate) fn advise<T>(buffer: &mut Vec<T>) {
    #[cfg(target_os = "linux")]
    {
        let spare = buffer.spare_capacity_mut();
        let bytes = std::mem::size_of_val(spare);
        if bytes < HUGE_PAGE {
            return;
        }
        // madvise wants a page-aligned start: advise the whole pages inside the buffer.
        let start = spare.as_mut_ptr() as usize;
        let page = 4096;
        let aligned = start.next_multiple_of(page);
        let len = (start + bytes).saturating_sub(aligned) / page * page;
        // SAFETY: the range lies inside memory this buffer owns, and MADV_HUGEPAGE only
        // changes how the kernel backs it, never its contents; a failure is harmless.
        unsafe {
            libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = buffer;
}

//! Bounded, order-preserving parallel map over a slice (scoped threads, no pool).
//!
//! The slice is cut into one contiguous chunk per thread and the results come back in slice
//! order, so whatever is computed does not depend on the number of threads.

//! The crate reads no machine state: the caller says how many threads (`VerifyOptions::threads`).

/// The most threads any call uses.
pub const MAX_THREADS: usize = 8;

/// Applies `f` to contiguous chunks of `items` on up to `threads` threads (0 and 1 mean this
/// thread, more than [`MAX_THREADS`] is [`MAX_THREADS`]); results in order.
pub(crate) fn chunks<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&[T]) -> R + Sync,
) -> Vec<R> {
    let n = threads.clamp(1, MAX_THREADS);
    // Below a few thousand items a thread costs more than it saves.
    if n == 1 || items.len() < 4096 {
        return vec![f(items)];
    }
    let size = items.len().div_ceil(n);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(size)
            .map(|part| scope.spawn(move || f(part)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

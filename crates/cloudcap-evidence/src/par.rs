//! Bounded, order-preserving parallel map over a slice (scoped threads, no pool).
//!
//! The slice is cut into one contiguous chunk per thread and the results come back in slice
//! order, so whatever is computed does not depend on the number of threads.

/// Threads used for reading and hashing: the available cores, at most 8.
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, 8)
}

/// Applies `f` to contiguous chunks of `items` on up to [`threads`] threads; results in order.
pub(crate) fn chunks<T: Sync, R: Send>(items: &[T], f: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    let n = threads();
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

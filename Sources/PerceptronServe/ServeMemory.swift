#if canImport(Glibc)
import Glibc
#endif

/// glibc's malloc thresholds for a `perceptron serve` process, set once before the server
/// starts (the in-process tests keep the defaults). Each request allocates a body buffer of
/// up to `--max-body` bytes and a feature matrix of up to about twice that (4 bytes a
/// number against at least 2 body bytes a number), and frees both when it is answered.
/// With glibc's defaults (mmap threshold 128 KiB, raised to the largest freed mmapped block;
/// trim threshold twice that) those blocks are fresh mmaps at first, and later the event
/// loop's arena returns its free top to the kernel (`madvise`) whenever it passes the trim
/// threshold, so the next requests fault the same pages back in: on MNIST bodies of 32
/// images at 64 connections, about 50 minor page faults and 11 % of the server's CPU per
/// request (AMD EPYC family 25 model 1, BENCHMARKS.md).
///
/// ```
/// mmap threshold  M = min(32 MiB, max(128 KiB, 4 × maxBody))   every per-request block from the arena
/// trim threshold  T = 4 × M                                     free pages kept for a few concurrent
///                                                               requests of the largest size
/// ```
/// (32 MiB: glibc's own ceiling for the dynamic mmap threshold on 64-bit.) The kept pages are
/// freed memory that the next requests reuse, at most T a malloc arena.
public enum ServeMemory {
    /// (mmap threshold, trim threshold) in bytes for a server whose bodies are at most `maxBody` bytes.
    public static func thresholds(maxBody: Int) -> (mmap: Int, trim: Int) {
        let mmap = maxBody >= 8 << 20 ? 32 << 20 : max(128 << 10, 4 * max(maxBody, 0))
        return (mmap, 4 * mmap)
    }

    /// Sets glibc's thresholds (a no-op where the C library is not glibc, or when
    /// MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ / GLIBC_TUNABLES already say so);
    /// true when they were set.
    @discardableResult
    public static func configure(maxBody: Int, environment: [String: String]) -> Bool {
        #if canImport(Glibc)
        if environment["MALLOC_MMAP_THRESHOLD_"] != nil || environment["MALLOC_TRIM_THRESHOLD_"] != nil
            || environment["GLIBC_TUNABLES"] != nil { return false }
        // mallopt is in malloc.h, which Swift's Glibc module does not import: found by name
        // (RTLD_DEFAULT), with malloc.h's M_MMAP_THRESHOLD (-3) and M_TRIM_THRESHOLD (-1).
        // Fixing either threshold turns glibc's dynamic adjustment off, so both are set.
        guard let symbol = dlsym(nil, "mallopt") else { return false }
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
        let (mmap, trim) = thresholds(maxBody: maxBody)
        return mallopt(-3, Int32(mmap)) == 1 && mallopt(-1, Int32(trim)) == 1
        #else
        return false
        #endif
    }
}

/// The most a compressed frame may cost its receiver: what `Inflate` enforces while inflating.
///
/// Three caps apply to every frame:
///
/// - `maxCompressedBytes`: checked before inflating starts.
/// - `maxDecompressedBytes`: inflating stops as soon as the output would pass it.
/// - `maxExpansionRatio`: inflating stops as soon as the output passes `maxExpansionRatio` times the
///   frame's compressed size, so a deflate bomb (deflate reaches about 1032:1 on runs of one byte) is
///   refused after a bounded amount of work, even when it stays under the decompressed cap.
///
/// The ratio is enforced only once the output is larger than `expansionRatioFloor` bytes (64 KiB in
/// `standard`): small messages, which often compress far better than 200:1 (an empty list, a page of
/// zeros), always pass it, and they cost at most the floor to inflate.
///
/// ```swift
/// let body = try Inflate.decompress(frame, limits: .standard)
/// let tight = FrameLimits(maxCompressedBytes: 4_096, maxDecompressedBytes: 65_536, maxExpansionRatio: 50)
/// ```
public struct FrameLimits: Sendable, Hashable {
    /// The largest compressed frame accepted, in bytes. Larger frames are refused unread.
    public var maxCompressedBytes: Int
    /// The largest inflated payload accepted, in bytes.
    public var maxDecompressedBytes: Int
    /// The largest accepted ratio of inflated bytes to compressed bytes, as `n` in `n:1`.
    public var maxExpansionRatio: Int
    /// The inflated size, in bytes, up to which `maxExpansionRatio` is not enforced.
    public var expansionRatioFloor: Int

    /// Creates limits.
    ///
    /// - Precondition: every value is non-negative, and `maxExpansionRatio` is at least 1.
    public init(
        maxCompressedBytes: Int,
        maxDecompressedBytes: Int,
        maxExpansionRatio: Int,
        expansionRatioFloor: Int = FrameLimits.defaultExpansionRatioFloor
    ) {
        precondition(maxCompressedBytes >= 0, "maxCompressedBytes \(maxCompressedBytes) is negative")
        precondition(maxDecompressedBytes >= 0, "maxDecompressedBytes \(maxDecompressedBytes) is negative")
        precondition(maxExpansionRatio >= 1, "maxExpansionRatio \(maxExpansionRatio) is below 1")
        precondition(expansionRatioFloor >= 0, "expansionRatioFloor \(expansionRatioFloor) is negative")
        self.maxCompressedBytes = maxCompressedBytes
        self.maxDecompressedBytes = maxDecompressedBytes
        self.maxExpansionRatio = maxExpansionRatio
        self.expansionRatioFloor = expansionRatioFloor
    }

    /// 64 KiB: below this inflated size the expansion ratio is not enforced.
    public static let defaultExpansionRatioFloor = 64 * 1024

    /// The limits for sync requests and responses: 1 MiB compressed, 8 MiB inflated, at most 200:1
    /// beyond the first 64 KiB.
    public static let standard = FrameLimits(
        maxCompressedBytes: 1 << 20,
        maxDecompressedBytes: 8 << 20,
        maxExpansionRatio: 200
    )

    /// The most bytes a frame of `compressedCount` bytes may inflate to: the smaller of
    /// `maxDecompressedBytes` and the ratio allowance (never below `expansionRatioFloor`).
    ///
    /// - Complexity: O(1)
    public func decompressedAllowance(forCompressed compressedCount: Int) -> Int {
        let (product, overflow) = maxExpansionRatio.multipliedReportingOverflow(by: compressedCount)
        let ratioAllowance = max(expansionRatioFloor, overflow ? Int.max : product)
        return min(maxDecompressedBytes, ratioAllowance)
    }
}

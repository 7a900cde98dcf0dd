/// Why a compressed frame was refused, with the values that caused it.
///
/// Match on `code`; `message` is for logs and names the sizes, offsets or bytes involved, e.g.
/// `decompressedTooLarge: inflated 8388609 bytes, limit 8388608`. Every code but `zlibFailure` means
/// the sender's bytes were at fault (a 4xx); `zlibFailure` means this process could not run zlib.
public struct FrameError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of fault the frame has.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The frame has no bytes at all.
        case empty
        /// The frame is over `FrameLimits.maxCompressedBytes`; nothing was inflated.
        case compressedTooLarge
        /// Inflating would pass `FrameLimits.maxDecompressedBytes`; inflating stopped there.
        case decompressedTooLarge
        /// Inflating would pass `FrameLimits.maxExpansionRatio` times the frame's size.
        case expansionRatioExceeded
        /// The stream ends before its last block and adler32 checksum.
        case truncated
        /// A bad zlib header, invalid deflate data or a wrong adler32 checksum.
        case corrupt
        /// Bytes follow the end of the stream.
        case trailingBytes
        /// The inflated payload is itself a zlib stream or starts with the gzip magic.
        case nestedCompression
        /// zlib itself failed (out of memory, version mismatch): not the sender's fault.
        case zlibFailure
    }

    /// What kind of fault the frame has.
    public let code: Code
    /// What was wrong, naming the values: "inflated 8388609 bytes, limit 8388608".
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}

extension FrameError {
    static let empty = FrameError(.empty, "frame has 0 bytes")

    static func compressedTooLarge(_ count: Int, limit: Int) -> FrameError {
        FrameError(.compressedTooLarge, "frame has \(count) bytes, limit \(limit)")
    }

    static func decompressedTooLarge(_ count: Int, limit: Int) -> FrameError {
        FrameError(.decompressedTooLarge, "inflated \(count) bytes, limit \(limit)")
    }

    static func expansionRatioExceeded(_ count: Int, compressed: Int, limits: FrameLimits) -> FrameError {
        FrameError(
            .expansionRatioExceeded,
            "inflated \(count) bytes from a \(compressed)-byte frame, over the \(limits.maxExpansionRatio):1 "
                + "limit (\(limits.maxExpansionRatio * compressed) bytes) past the \(limits.expansionRatioFloor)-byte floor"
        )
    }

    static func truncated(_ count: Int, inflated: Int) -> FrameError {
        FrameError(.truncated, "stream ends unfinished after all \(count) bytes, \(inflated) bytes inflated")
    }

    static func corrupt(_ what: String, at offset: Int) -> FrameError {
        FrameError(.corrupt, "\(what) (near byte \(offset))")
    }

    static func checksumMismatch(stated: UInt32, computed: UInt32, inflated: Int) -> FrameError {
        FrameError(
            .corrupt,
            "adler32 mismatch: stream states \(hex(stated)), the \(inflated) inflated bytes give \(hex(computed))"
        )
    }

    static func trailingBytes(_ count: Int, after end: Int) -> FrameError {
        FrameError(.trailingBytes, "\(count) bytes follow the stream's end at byte \(end)")
    }

    static func nestedCompression(_ kind: String, inflated: Int) -> FrameError {
        FrameError(.nestedCompression, "the \(inflated) inflated bytes are themselves \(kind)")
    }

    static func zlibFailure(_ call: String, status: Int32, detail: String?) -> FrameError {
        FrameError(.zlibFailure, "\(call) returned \(status)" + (detail.map { ": \($0)" } ?? ""))
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}

import CZlib
import Synchronization

/// Deflating streams kept for reuse. zlib's set-up allocates and clears about 256 KiB, which
/// costs more than deflating a sync frame: in a C loop, 78 µs to set up a stream and deflate
/// 300 bytes against 3.3 µs with `deflateReset`. Every exchange deflates one frame on each side,
/// so a stream is reset and lent out again instead of made anew.
enum DeflateStreams {
    /// Idle streams, at most `kept` (about 256 KiB each): as many as frames are usually deflated
    /// at once; past that a stream is made for the call and freed after it.
    private static let idle = Mutex<[DeflateStream]>([])
    static let kept = 8

    /// Lends a stream at `level`, reset to its start, for the length of `body`.
    static func with<T>(level: Int32, _ body: (UnsafeMutablePointer<z_stream>) -> T) -> T {
        let stream = idle.withLock { streams -> DeflateStream? in
            guard let index = streams.lastIndex(where: { $0.level == level }) else { return nil }
            return streams.remove(at: index)
        } ?? DeflateStream(level: level)
        defer {
            // Reset before it idles: a stream in the pool holds no position of the last frame.
            _ = deflateReset(stream.pointer)
            idle.withLock { streams in
                if streams.count < kept { streams.append(stream) }
            }
        }
        return body(stream.pointer)
    }
}

/// One zlib deflating stream, ended and freed with the object. Used by one caller at a time:
/// `DeflateStreams` hands it to one closure and takes it back after.
final class DeflateStream: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<z_stream>
    let level: Int32

    /// Only Z_MEM_ERROR (or a zlib too old for its own header) can fail the set-up: not
    /// recoverable by a caller, so it stops the process.
    init(level: Int32) {
        self.level = level
        pointer = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        pointer.initialize(to: z_stream())
        let status = czlib_deflate_init(pointer, level)
        guard status == Z_OK else {
            fatalError("deflateInit(level: \(level)) returned \(status): \(zlibMessage(pointer) ?? "no message")")
        }
    }

    deinit {
        _ = deflateEnd(pointer)
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }
}

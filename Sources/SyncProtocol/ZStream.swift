import CZlib

/// One zlib stream for the length of a closure: for inflating, allocated, set up, and always
/// ended and freed after, whatever the closure does; for deflating, lent from the reused ones.
/// The one place `Inflate` and `Deflate` get a stream from.
///
///     let text = try ZStream.inflating { stream in … CZlib.inflate(stream, Z_NO_FLUSH) … }
enum ZStream {
    /// An inflating stream (zlib-wrapped input); a failed set-up is `zlibFailure("inflateInit", …)`.
    static func inflating<T>(_ body: (UnsafeMutablePointer<z_stream>) throws(FrameError) -> T) throws(FrameError) -> T {
        try with(start: { czlib_inflate_init($0) }, end: { inflateEnd($0) },
                 failure: { status, message in .zlibFailure("inflateInit", status: status, detail: message) }, body)
    }

    /// A deflating stream at `level`, reset to its start: lent by `DeflateStreams`, whose
    /// streams are reused because setting one up costs more than a sync frame's deflate.
    static func deflating<T>(level: Int32, _ body: (UnsafeMutablePointer<z_stream>) -> T) -> T {
        DeflateStreams.with(level: level, body)
    }

    private static func with<T, E: Error>(start: (UnsafeMutablePointer<z_stream>) -> Int32, end: (UnsafeMutablePointer<z_stream>) -> Int32,
                                          failure: (Int32, String?) -> E,
                                          _ body: (UnsafeMutablePointer<z_stream>) throws(E) -> T) throws(E) -> T {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        let status = start(stream)
        guard status == Z_OK else { throw failure(status, zlibMessage(stream)) }
        defer { _ = end(stream) }
        return try body(stream)
    }
}

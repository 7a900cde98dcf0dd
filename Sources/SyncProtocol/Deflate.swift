import CZlib

/// Compresses frame bodies into zlib-wrapped deflate streams (RFC 1950 around RFC 1951), the format
/// `Inflate.decompress(_:limits:)` reads.
public enum Deflate {
    /// Compresses `bytes` into one complete zlib stream: a 2-byte header, deflate blocks and the
    /// adler32 checksum of `bytes`.
    ///
    /// ```swift
    /// let frame = Deflate.compress(Array("hello".utf8))      // level 6
    /// let fast = Deflate.compress(body, level: 1)
    /// ```
    ///
    /// - Parameters:
    ///   - bytes: what to compress; may be empty.
    ///   - level: 0 (stored, no compression) to 9 (smallest, slowest); -1 is zlib's default (6).
    /// - Returns: the stream, at most zlib's `deflateBound` for `bytes.count`.
    /// - Precondition: `level` is in -1...9.
    /// - Complexity: O(n) time; memory is the output plus zlib's state (about 256 KiB).
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        precondition((-1...9).contains(level), "deflate level \(level) is outside -1...9")

        return ZStream.deflating(level: level) { stream in
            let bound = Int(deflateBound(stream, uLong(bytes.count)))
            let output = [UInt8](unsafeUninitializedCapacity: bound) { buffer, initializedCount in
                bytes.withUnsafeBufferPointer { input in
                    // zlib's next_in is not const-qualified; deflate never writes through it.
                    stream.pointee.next_in = input.baseAddress.map { UnsafeMutablePointer(mutating: $0) }
                    stream.pointee.next_out = buffer.baseAddress
                    var inputLeft = input.count
                    var outputLeft = buffer.count
                    var status = Z_OK
                    // avail_in and avail_out are 32-bit: feed both in slices of at most 4 GiB - 1.
                    while status == Z_OK {
                        let inSlice = min(inputLeft, Int(UInt32.max))
                        let outSlice = min(outputLeft, Int(UInt32.max))
                        stream.pointee.avail_in = uInt(inSlice)
                        stream.pointee.avail_out = uInt(outSlice)
                        status = deflate(stream, inSlice == inputLeft ? Z_FINISH : Z_NO_FLUSH)
                        inputLeft -= inSlice - Int(stream.pointee.avail_in)
                        outputLeft -= outSlice - Int(stream.pointee.avail_out)
                    }
                    // With the whole deflateBound available, Z_FINISH always reaches the stream's end.
                    precondition(
                        status == Z_STREAM_END,
                        "deflate returned \(status) with \(inputLeft) bytes unread: \(zlibMessage(stream) ?? "no message")"
                    )
                    initializedCount = buffer.count - outputLeft
                }
            }
            return output
        }
    }
}

/// zlib's message for the last error on `stream`, if it set one.
func zlibMessage(_ stream: UnsafeMutablePointer<z_stream>) -> String? {
    stream.pointee.msg.map { String(cString: $0) }
}

import CZlib

/// Reads zlib-wrapped deflate streams (as written by `Deflate.compress(_:level:)`) from untrusted
/// senders, enforcing `FrameLimits` while inflating: a hostile frame costs at most its limits.
public enum Inflate {
    /// Inflates one complete zlib stream, or says exactly why the frame is refused.
    ///
    /// In order, the frame is refused when it is empty, larger than `maxCompressedBytes` (checked
    /// before zlib sees a byte), or has a bad zlib header (wrong method, window over 32 KiB, failed
    /// FCHECK, or a preset dictionary). Inflating then runs in 64 KiB output chunks, each capped so
    /// that it stops at the first byte past the allowance:
    ///
    /// - past `maxDecompressedBytes`: `decompressedTooLarge`;
    /// - past `maxExpansionRatio` times `bytes.count`, once the output is over
    ///   `expansionRatioFloor` (64 KiB by default), so small messages that compress very well pass:
    ///   `expansionRatioExceeded`. The ratio is measured against the whole frame, so the verdict does
    ///   not depend on chunking.
    ///
    /// Invalid deflate data or a wrong adler32 checksum gives `corrupt`; input that ends before the
    /// stream does, `truncated`; bytes after the stream's end, `trailingBytes`. Last, a payload that
    /// starts with the gzip magic (1f 8b), or is itself a zlib stream, is refused as
    /// `nestedCompression`. "Is itself a zlib stream" means a valid zlib header whose deflate data
    /// inflates without error to its end or for 4 KiB: a bare header is not enough, because
    /// ordinary protobuf bodies can start with one (`08 1d` is field 1 = 29).
    ///
    /// ```swift
    /// do {
    ///     let body = try Inflate.decompress(frame)
    /// } catch {
    ///     log("refused frame: \(error)")   // "decompressedTooLarge: inflated 8388609 bytes, limit 8388608"
    /// }
    /// ```
    ///
    /// - Complexity: O(n + m) time for n compressed and m inflated bytes, with m at most
    ///   `limits.decompressedAllowance(forCompressed: n)` + 1. Memory: the output (under twice
    ///   that allowance while the array grows), a 64 KiB chunk and zlib's state (about 40 KiB).
    public static func decompress(
        _ bytes: [UInt8],
        limits: FrameLimits = .standard
    ) throws(FrameError) -> [UInt8] {
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= limits.maxCompressedBytes else {
            throw .compressedTooLarge(bytes.count, limit: limits.maxCompressedBytes)
        }
        if let fault = zlibHeaderFault(bytes[0], bytes.count > 1 ? bytes[1] : nil) {
            throw fault
        }
        let payload = try inflate(bytes, limits: limits)
        if let kind = try nestedCompression(in: payload) {
            throw .nestedCompression(kind, inflated: payload.count)
        }
        return payload
    }

    /// The most output room given to one `inflate` call. Near the allowance the room shrinks to
    /// what is left plus one byte, so inflating stops at the first byte over it.
    static let chunkSize = 64 * 1024

    /// How much of a payload that starts with a zlib header is trial-inflated to tell a nested
    /// stream from an ordinary body that happens to start with the same two bytes.
    static let nestedProbeBytes = 4 * 1024

    /// Inflates `bytes` (header already checked) within `limits`.
    private static func inflate(_ bytes: [UInt8], limits: FrameLimits) throws(FrameError) -> [UInt8] {
        let allowance = limits.decompressedAllowance(forCompressed: bytes.count)
        return try ZStream.inflating { stream throws(FrameError) in
            var output: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: chunkSize)
            let fault = bytes.withUnsafeBufferPointer { input -> FrameError? in
                chunk.withUnsafeMutableBufferPointer { buffer -> FrameError? in
                    // zlib's next_in is not const-qualified; inflate never writes through it.
                    stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                    var inputLeft = input.count
                    while true {
                        if stream.pointee.avail_in == 0 && inputLeft > 0 {  // avail_in is 32-bit
                            stream.pointee.avail_in = uInt(min(inputLeft, Int(UInt32.max)))
                            inputLeft -= Int(stream.pointee.avail_in)
                        }
                        let left = allowance - output.count
                        let room = left < buffer.count ? left + 1 : buffer.count
                        stream.pointee.next_out = buffer.baseAddress
                        stream.pointee.avail_out = uInt(room)
                        let status = CZlib.inflate(stream, Z_NO_FLUSH)
                        output.append(contentsOf: buffer[..<(room - Int(stream.pointee.avail_out))])

                        if output.count > allowance {
                            return output.count > limits.maxDecompressedBytes
                                ? .decompressedTooLarge(output.count, limit: limits.maxDecompressedBytes)
                                : .expansionRatioExceeded(output.count, compressed: bytes.count, limits: limits)
                        }
                        let consumed = Int(stream.pointee.total_in)
                        switch status {
                        case Z_OK:
                            continue
                        case Z_STREAM_END:
                            return consumed < bytes.count ? .trailingBytes(bytes.count - consumed, after: consumed) : nil
                        case Z_BUF_ERROR where stream.pointee.avail_in == 0 && inputLeft == 0:
                            return .truncated(bytes.count, inflated: output.count)
                        case Z_DATA_ERROR where consumed >= 4 && zlibMessage(stream) == "incorrect data check":
                            let stated = input[(consumed - 4)..<consumed].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                            let computed = output.withUnsafeBufferPointer { adler32_z(1, $0.baseAddress, $0.count) }
                            return .checksumMismatch(stated: stated, computed: UInt32(computed), inflated: output.count)
                        case Z_DATA_ERROR:
                            return .corrupt(zlibMessage(stream) ?? "invalid deflate data", at: consumed)
                        case Z_NEED_DICT:
                            return .corrupt("stream needs a preset dictionary", at: consumed)
                        default:
                            return .zlibFailure("inflate", status: status, detail: zlibMessage(stream))
                        }
                    }
                }
            }
            if let fault { throw fault }
            return output
        }
    }

    /// What compressed format `payload` is in, if any: the gzip magic, or a zlib stream that
    /// trial-inflates cleanly to its end or for `nestedProbeBytes`.
    private static func nestedCompression(in payload: [UInt8]) throws(FrameError) -> String? {
        if payload.starts(with: [0x1f, 0x8b]) {
            return "gzip (magic 1f 8b)"
        }
        guard payload.count > 2, zlibHeaderFault(payload[0], payload[1]) == nil else { return nil }

        let (status, filled) = try ZStream.inflating { stream in
            var probe = [UInt8](repeating: 0, count: nestedProbeBytes)
            return payload.withUnsafeBufferPointer { input in
                probe.withUnsafeMutableBufferPointer { probe in
                    stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                    stream.pointee.avail_in = uInt(min(input.count, Int(UInt32.max)))
                    stream.pointee.next_out = probe.baseAddress
                    stream.pointee.avail_out = uInt(probe.count)
                    return (CZlib.inflate(stream, Z_NO_FLUSH), stream.pointee.avail_out == 0)
                }
            }
        }
        guard status == Z_STREAM_END || (status == Z_OK && filled) else { return nil }
        return "a zlib stream (header \(hexByte(payload[0])) \(hexByte(payload[1])))"
    }
}

/// Why `cmf` and `flg` are not an acceptable zlib header (RFC 1950 §2.2), or nil if they are.
/// A missing `flg` after an acceptable `cmf` is a truncated frame.
private func zlibHeaderFault(_ cmf: UInt8, _ flg: UInt8?) -> FrameError? {
    let method = cmf & 0x0f
    let windowLog = Int(cmf >> 4) + 8
    guard method == 8 else {
        return .corrupt("header byte \(hexByte(cmf)) names compression method \(method), not 8 (deflate)", at: 0)
    }
    guard windowLog <= 15 else {
        return .corrupt("header byte \(hexByte(cmf)) asks for a 2^\(windowLog)-byte window, over 2^15", at: 0)
    }
    guard let flg else { return .truncated(1, inflated: 0) }
    let check = (UInt16(cmf) << 8 | UInt16(flg)) % 31
    guard check == 0 else {
        return .corrupt("header \(hexByte(cmf)) \(hexByte(flg)) fails FCHECK: remainder \(check) mod 31, not 0", at: 1)
    }
    guard flg & 0x20 == 0 else {
        return .corrupt("header \(hexByte(cmf)) \(hexByte(flg)) sets FDICT: a preset dictionary, never used in frames", at: 1)
    }
    return nil
}

private func hexByte(_ byte: UInt8) -> String {
    byte < 0x10 ? "0x0" + String(byte, radix: 16) : "0x" + String(byte, radix: 16)
}

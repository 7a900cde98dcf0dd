/// The bytes of a photo as a phone app sends it after reducing the camera's output: the JPEG
/// signature (what a replica and the server recognise the type by), then seeded noise. Noise does
/// not compress, so an upload carries every byte, as it would a real photo's.
public enum SyntheticPhoto {
    static let signature: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0]

    /// `size` bytes (at least the signature's four), the same for the same seed.
    public static func jpeg(_ size: Int, seed: UInt64) -> [UInt8] {
        var noise = SeededGenerator(seed: seed)
        var bytes = [UInt8](repeating: 0, count: max(size, signature.count))
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                var word = noise.next()
                let n = min(8, buffer.count - offset)
                withUnsafeBytes(of: &word) { buffer.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: n) }
                offset += n
            }
        }
        bytes.replaceSubrange(0..<signature.count, with: signature)
        return bytes
    }
}

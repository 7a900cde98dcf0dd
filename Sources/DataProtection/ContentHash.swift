import Crypto

/// SHA-256 of a file's bytes as attachments name them: 64 lower-case hex digits. The device
/// names a file by it before upload; the server checks each chunk and the whole against it.
public struct ContentHash {
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ bytes: some Sequence<UInt8>) {
        hasher.update(data: Array(bytes))
    }

    /// The hex digest of everything updated so far.
    public func finalize() -> String { Self.hex(hasher.finalize()) }

    /// The hex SHA-256 of `bytes`.
    public static func sha256(_ bytes: some Sequence<UInt8>) -> String {
        Self.hex(SHA256.hash(data: Array(bytes)))
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in digest { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

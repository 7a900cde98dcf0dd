import Crypto
import Foundation

/// Seals bytes with AES-256-GCM under a key ring's active data key, and opens what any key of
/// the ring sealed.
///
/// A sealed value is `D5 01`, the data key's id (4 bytes, big-endian), a 12-byte random nonce,
/// the ciphertext and the 16-byte tag: 34 bytes more than the plain value. The header and a
/// purpose (`"record-state"`, `"outbox-change"`, …) are authenticated with it, so a value sealed
/// for one purpose does not open as another. No plain value a store holds begins with `D5`
/// (record states begin with their collection, 1–6), so old plain values are told apart.
///
///     let sealer = Sealer(ring: ring)
///     let stored = sealer.seal(state.encoded(includeSupersession: true), purpose: "record-state")
///     let bytes = try sealer.open(stored, purpose: "record-state")
///
/// - Complexity: O(n) in the value's size; one AES-GCM operation each way.
public struct Sealer: Sendable {
    public let ring: KeyRing
    private let nonces = NonceSource()

    public init(ring: KeyRing) { self.ring = ring }

    static let magic: [UInt8] = [0xD5, 0x01]
    static let headerSize = 2 + 4
    /// What sealing adds to a value: header, nonce and tag.
    public static let overhead = headerSize + 12 + 16

    public func seal(_ plain: [UInt8], purpose: String) -> [UInt8] {
        let id = ring.activeKeyID
        var out: [UInt8] = []
        out.reserveCapacity(plain.count + Self.overhead)
        out += Self.magic
        out += [UInt8(id >> 24), UInt8(truncatingIfNeeded: id >> 16), UInt8(truncatingIfNeeded: id >> 8), UInt8(truncatingIfNeeded: id)]
        var authenticated = out
        authenticated += purpose.utf8
        // Sealing with a valid 256-bit key and a fresh random nonce cannot fail, and a 12-byte
        // nonce always gives the combined form (nonce, ciphertext, tag).
        let box = try! AES.GCM.seal(plain, using: ring.key(id)!, nonce: nonces.next(), authenticating: authenticated)
        out += box.combined!
        return out
    }

    /// The plain bytes of a sealed value; fails on a value not sealed, sealed under a key the
    /// ring lacks, sealed for another purpose, or altered.
    public func open(_ sealed: [UInt8], purpose: String) throws(SealError) -> [UInt8] {
        guard let id = Self.keyID(of: sealed) else { throw SealError(.notSealed, "a value of \(sealed.count) bytes is not sealed") }
        guard sealed.count >= Self.overhead else { throw SealError(.damaged, "a sealed value of \(sealed.count) bytes is shorter than its header, nonce and tag") }
        guard let key = ring.key(id) else {
            throw SealError(.unknownKey, "a value sealed under data key \(id), which the key ring lacks (it holds \(ring.keyIDs.map(String.init).joined(separator: ", ")))")
        }
        let body = sealed[Self.headerSize...]
        do {
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: body.prefix(12)), ciphertext: body.dropFirst(12).dropLast(16), tag: body.suffix(16))
            return Array(try AES.GCM.open(box, using: key, authenticating: Array(sealed[..<Self.headerSize]) + Array(purpose.utf8)))
        } catch {
            throw SealError(.damaged, "a value sealed under data key \(id) fails authentication: altered, or sealed for another purpose than \(purpose)")
        }
    }

    /// The data key a value was sealed under; nil for a value that is not sealed.
    public static func keyID(of bytes: [UInt8]) -> UInt32? {
        guard bytes.count >= headerSize, bytes[0] == magic[0], bytes[1] == magic[1] else { return nil }
        return bytes[2..<6].reduce(0) { $0 << 8 | UInt32($1) }
    }

    public static func isSealed(_ bytes: [UInt8]) -> Bool { keyID(of: bytes) != nil }
}

/// Why a sealed value did not open.
public struct SealError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case notSealed = "not_sealed"
        case unknownKey = "unknown_key"
        case damaged
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

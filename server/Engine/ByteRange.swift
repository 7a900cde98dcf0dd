/// One range of a `Range: bytes=…` request header (RFC 9110 §14.1.2): `a-b`, `a-` or `-n`.
/// A header the server does not take (another unit, several ranges, a malformed one) is
/// ignored, as the RFC lets a server do: the whole file is sent.
public enum ByteRange: Sendable, Hashable {
    /// From `first` to `last` inclusive, or to the end when `last` is nil.
    case from(Int64, through: Int64?)
    /// The last `n` bytes.
    case suffix(Int64)

    /// The range a header asks for, nil when it is to be ignored.
    public init?(header: String) {
        guard header.hasPrefix("bytes="), header.utf8.count <= 64 else { return nil }
        let spec = header.dropFirst("bytes=".count).trimmingCharactersOfSpace()
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        func number(_ text: Substring) -> Int64? {
            guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            return Int64(text)
        }
        if first.isEmpty {
            guard let n = number(last), n > 0 else { return nil }
            self = .suffix(n)
        } else {
            guard let a = number(first) else { return nil }
            if last.isEmpty { self = .from(a, through: nil); return }
            guard let b = number(last), b >= a else { return nil }
            self = .from(a, through: b)
        }
    }

    /// The bytes of a file of `size` it names, nil when none (a start at or past the end: 416).
    public func resolve(size: Int64) -> Range<Int64>? {
        switch self {
        case .from(let a, let b):
            guard a < size else { return nil }
            return a..<(min(b ?? (size - 1), size - 1) + 1)
        case .suffix(let n):
            guard size > 0 else { return nil }
            return max(0, size - n)..<size
        }
    }
}

extension Substring {
    fileprivate func trimmingCharactersOfSpace() -> Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}

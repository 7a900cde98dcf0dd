/// A sync message that cannot be accepted: the bytes, the framing, or what they claim.
///
/// `code` is stable and becomes the error code of a `4xx` response; `message` names the values.
public struct ProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The deflate frame failed (see `FrameError`); the frame's own code follows in the message.
        case frame = "bad_frame"
        /// The inflated bytes are not a valid protobuf message of the expected type.
        case malformed = "malformed_message"
        /// Parallel columns disagree: counts, lengths or indexes that do not add up.
        case inconsistent = "inconsistent_message"
        /// More elements than the limits allow.
        case tooManyElements = "too_many_elements"
        /// A protocol version this side does not speak.
        case unsupportedProtocol = "unsupported_protocol"
        /// A value out of its domain: an unknown collection, a bad village code, a zero counter.
        case invalidValue = "invalid_value"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// How much one sync message may hold, checked while decoding.
public struct MessageLimits: Sendable, Hashable {
    public var frame: FrameLimits
    /// Changes in one pushed batch.
    public var maxChanges: Int
    /// Records in one pulled page.
    public var maxRecords: Int
    /// Entries of any one column (values, siblings, vector entries…).
    public var maxColumnEntries: Int
    /// Bytes of any one text value.
    public var maxTextBytes: Int
    /// Replicas and authors named in one message.
    public var maxTableEntries: Int
    /// Villages in one message's cursors or digests.
    public var maxVillages: Int

    public init(frame: FrameLimits = .standard, maxChanges: Int = 2_000, maxRecords: Int = 5_000,
                maxColumnEntries: Int = 200_000, maxTextBytes: Int = 16_384, maxTableEntries: Int = 4_096,
                maxVillages: Int = 20_000) {
        self.frame = frame
        self.maxChanges = maxChanges
        self.maxRecords = maxRecords
        self.maxColumnEntries = maxColumnEntries
        self.maxTextBytes = maxTextBytes
        self.maxTableEntries = maxTableEntries
        self.maxVillages = maxVillages
    }

    public static let standard = MessageLimits()
}

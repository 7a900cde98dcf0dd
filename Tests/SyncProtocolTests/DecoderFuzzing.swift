import SyncProtocol

/// What the decoders must do with any bytes at all, as the fuzz target (`fuzz/`, which links
/// this file) and the replay of its crashers (`FuzzRegressionTests`) check it: never crash,
/// fail only with a `ProtocolError`, and accept only what re-encodes to the same value.
enum DecoderFuzzing {
    /// Runs every decoder over `bytes` (as a deflated frame and as a bare protobuf body, as a
    /// request and as a response); nil when each either refused them or round-tripped.
    static func violation(_ bytes: [UInt8]) -> String? {
        if let request = try? SyncCodec.decodeRequest(bytes), let problem = roundTrip(request) { return "deflated request: \(problem)" }
        if let response = try? SyncCodec.decodeResponse(bytes), let problem = roundTrip(response) { return "deflated response: \(problem)" }
        if let request = try? SyncCodec.decodeRequestBody(bytes), let problem = roundTrip(request) { return "request body: \(problem)" }
        if let response = try? SyncCodec.decodeResponseBody(bytes), let problem = roundTrip(response) { return "response body: \(problem)" }
        return nil
    }

    static func roundTrip(_ request: SyncRequest) -> String? {
        roundTrip(request, SyncCodec.requestBody) { try SyncCodec.decodeRequestBody($0) }
    }

    static func roundTrip(_ response: SyncResponse) -> String? {
        roundTrip(response, SyncCodec.responseBody) { try SyncCodec.decodeResponseBody($0) }
    }

    /// Encodes an accepted value and decodes it again: the same value, or what went wrong.
    static func roundTrip<Message: Equatable>(_ value: Message, _ encode: (Message) -> [UInt8],
                                              _ decode: ([UInt8]) throws -> Message) -> String? {
        do {
            return try decode(encode(value)) == value ? nil : "decodes to another value after re-encoding"
        } catch {
            return "its re-encoding is refused: \(error)"
        }
    }
}

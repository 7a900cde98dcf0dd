/// A transport that hands each request to a function in the same process: for tests and the
/// simulator, which wire it to a server engine (and may drop, delay or fail exchanges).
public struct InMemoryTransport: Transport {
    public let handler: @Sendable ([UInt8]) async throws(TransportError) -> [UInt8]

    public init(_ handler: @escaping @Sendable ([UInt8]) async throws(TransportError) -> [UInt8]) {
        self.handler = handler
    }

    public func exchange(_ request: [UInt8]) async throws(TransportError) -> [UInt8] {
        try await handler(request)
    }
}

import SyncProtocol

/// The limits the HTTP layer enforces on every request, before the engine sees it.
public struct ServerLimits: Sendable, Hashable {
    /// A sync body as it arrives (deflated), checked while reading. SPEC §8.
    public var maxSyncBodyBytes = 1 << 20
    /// What a sync body may inflate to and hold, checked while inflating and decoding.
    public var message = MessageLimits.standard
    /// A JSON body (enrolment, administrator and reviewer requests).
    public var maxJSONBodyBytes = 64 << 10
    /// An attachment's chunk (SPEC §15.2): about 25 s over a 20 kbit/s 2G link, so a cut
    /// connection costs little.
    public var chunkMaxBytes = 64 << 10
    /// A roster CSV: a county's households fit in well under this.
    public var maxRosterBodyBytes = 64 << 20
    /// Requests of one device: a burst, then a steady rate. A device pulls a big scope in pages,
    /// one request each, so the burst covers a bootstrap of 60 pages.
    public var deviceBurst = 60.0
    public var deviceRequestsPerSecond = 2.0
    /// Attachment chunks of one device, in bytes: a budget of their own, so a phone sending its
    /// photos over a fast link never spends the requests its next sync needs (records go first,
    /// SPEC §15.2). The rate is above a village's 4G uplink; a chunk costs at least
    /// `uploadMinimumChunkCost`, so a flood of tiny chunks is a flood of bytes too.
    public var uploadBurstBytes = Double(8 << 20)
    public var uploadBytesPerSecond = Double(1 << 20)
    public static let uploadMinimumChunkCost = 4 << 10
    /// Requests of one administrator credential: setting up a county creates thousands of
    /// workers and codes, so far more than a device.
    public var administratorBurst = 1_000.0
    public var administratorRequestsPerSecond = 200.0
    /// Enrolment attempts per client address: codes are unguessable, but a flood is refused,
    /// and one address flooding does not block another's enrolment.
    public var enrolmentBurst = 20.0
    public var enrolmentsPerSecond = 0.5
    /// Failed authentications one client address may make at once, then per second; past it
    /// every failure is answered 429 at once.
    public var failedAuthenticationBurst = 20.0
    public var failedAuthenticationsPerSecond = 0.2
    /// `/metrics` reads the store's figures at most once per this many seconds.
    public var metricsRefreshSeconds = 15.0

    public init() {}
}

/// The one error of the directory (workers, credentials, enrolment): a stable code and a
/// message naming the values that caused it. A call that fails with one changes nothing.
public struct DirectoryError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// No bearer token on a request that needs one. HTTP 401.
        case unauthenticated
        /// A token the server never issued. HTTP 401.
        case invalidToken = "invalid_token"
        /// A token whose device (or worker) was revoked. HTTP 401.
        case revoked
        /// An enrolment code the server never issued, or already used, or expired. HTTP 403.
        case invalidCode = "invalid_code"
        /// The token's worker may not do this (role or scope). HTTP 403.
        case forbidden
        /// The replica is enrolled for another worker, or is the server's own. HTTP 409.
        case replicaTaken = "replica_taken"
        /// A worker with this id exists already. HTTP 409.
        case workerExists = "worker_exists"
        /// No worker with this id. HTTP 404.
        case unknownWorker = "unknown_worker"
        /// No device with this id. HTTP 404.
        case unknownDevice = "unknown_device"
        /// No enrolment code with this id. HTTP 404.
        case unknownCode = "unknown_code"
        /// The change would leave no unrevoked administrator credential. HTTP 409.
        case lastAdministrator = "last_administrator"
        /// An enrolment code for an administrator: devices enrol for field staff. HTTP 409 (the
        /// worker's role, not the request, is what stands in the way).
        case notFieldStaff = "not_field_staff"
        /// A value out of its domain. HTTP 400.
        case invalidArgument = "invalid_argument"
        /// The storage backend failed. HTTP 500.
        case storage
    }

    public let code: Code
    public let message: String
    /// For `revoked`: why, when the device is to wipe itself (lost: at once; retired: once
    /// nothing is left unsynced).
    public var wipe: Credential.Revocation?

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

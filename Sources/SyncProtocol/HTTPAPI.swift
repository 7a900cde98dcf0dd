import FieldModel
import SyncCore

/// The HTTP face of the protocol (SPEC §10, `protocol/openapi.yaml`): paths, media types and
/// the JSON documents devices and administrators exchange with the server.
public enum HTTPAPI {
    public static let syncPath = "/v1/sync"
    public static let enrolPath = "/v1/enrol"
    /// A sync body: a deflated protobuf message, sent with `Content-Encoding: deflate`.
    public static let syncMediaType = "application/x-protobuf"
    /// With a `revoked` answer: what the device is to wipe, as the body's `wipe` says (SPEC §11.7).
    public static let wipeHeader = "Doorstep-Wipe"
    /// The warning of a sync answered for a device revoked as retired: its changes are taken,
    /// nothing is sent to it, and once its outbox is empty its next exchange tells it to wipe.
    public static let retiredWarning = "device_retired"
}

/// The body of every error response: a stable code and a message naming the values; for a
/// refused file (a roster), every problem with its line and column.
public struct ErrorDocument: Codable, Sendable, Hashable {
    public let code: String
    public let message: String
    public let problems: [Problem]?
    /// With `revoked`: `lost` (wipe the replica, keys and token now) or `retired` (wipe once
    /// nothing is left unsynced). SPEC §11.7.
    public let wipe: String?
    /// With an attachment upload's refusal: the bytes the server holds from offset 0, where the
    /// next chunk starts (SPEC §15.2).
    public let received: Int64?

    public struct Problem: Codable, Sendable, Hashable {
        public let line: Int?
        public let column: String?
        public let message: String

        public init(line: Int?, column: String?, message: String) {
            self.line = line
            self.column = column
            self.message = message
        }
    }

    public init(code: String, message: String, problems: [Problem]? = nil, wipe: String? = nil, received: Int64? = nil) {
        self.code = code
        self.message = message
        self.problems = problems
        self.wipe = wipe
        self.received = received
    }
}

/// `POST /v1/enrol`: a device redeems its one-time code. It names the replica it drew at
/// install, so a re-enrolled device keeps its outbox.
public struct EnrolmentRequest: Codable, Sendable, Hashable {
    public let code: String
    /// Sixteen hexadecimal digits.
    public let replica: String
    public let deviceName: String

    public init(code: String, replica: ReplicaID, deviceName: String) {
        self.code = code
        self.replica = replica.description
        self.deviceName = deviceName
    }
}

/// The answer to an enrolment: the bearer token (shown once), who the device works for, and
/// the server's clock, so the device's first records are stamped right even on a wrong clock.
public struct EnrolmentResponse: Codable, Sendable, Hashable {
    public let token: String
    public let deviceID: String
    public let replica: String
    public let worker: WorkerDocument
    /// Absent from servers older than this field.
    public let serverTimeMilliseconds: Int64?

    public init(token: String, deviceID: String, replica: ReplicaID, worker: WorkerDocument, serverTimeMilliseconds: Int64?) {
        self.token = token
        self.deviceID = deviceID
        self.replica = replica.description
        self.worker = worker
        self.serverTimeMilliseconds = serverTimeMilliseconds
    }
}

/// A worker as JSON: codes as strings of digits, the role by its raw name.
public struct WorkerDocument: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var role: String
    public var villages: [String]
    public var townships: [String]
    public var counties: [String]
    public var cities: [String]

    public init(id: String, name: String, role: String, villages: [String] = [], townships: [String] = [],
                counties: [String] = [], cities: [String] = []) {
        self.id = id
        self.name = name
        self.role = role
        self.villages = villages
        self.townships = townships
        self.counties = counties
        self.cities = cities
    }

    public init(_ worker: Worker) {
        let a = worker.assignment
        self.init(id: worker.id.rawValue, name: worker.name, role: worker.role.rawValue,
                  villages: a.villages.sorted().map(\.description), townships: a.townships.sorted().map(\.description),
                  counties: a.counties.sorted().map(\.description), cities: a.cities.map(\.description).sorted())
    }

    /// The worker this document describes, every value checked.
    public func worker() throws(ValidationError) -> Worker {
        let id = try WorkerID(validating: id)
        guard let role = Role(rawValue: role) else {
            throw ValidationError(field: "role", problem: .unknownValue, message: "role \"\(role.prefix(40))\" is not one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let trimmed = String(name.trimmingSpaces)
        try TextRules.checkName(trimmed, maxLength: 40, field: "name")
        var assignment = Assignment()
        for v in villages { assignment.villages.insert(try VillageCode(validating: v)) }
        for t in townships {
            let township = TownshipCode(rawValue: try Self.code(t, digits: 9, field: "townships"))
            // A township is its county's code and three digits, not 000 (as in a village code).
            guard township.county.isStructurallyValid, township.rawValue % 1000 != 0 else {
                throw ValidationError(field: "townships", problem: .unknownValue, message: "township code \(t) is not a valid county code and a township part")
            }
            assignment.townships.insert(township)
        }
        for c in counties {
            let county = CountyCode(uncheckedRawValue: try Self.code(c, digits: 6, field: "counties"))
            guard county.isStructurallyValid else {
                throw ValidationError(field: "counties", problem: .unknownValue, message: "county code \(c) is not a valid county code")
            }
            assignment.counties.insert(county)
        }
        for c in cities {
            // A city is a province's two digits and two more, not 00: the first four of its counties'.
            let number = try Self.code(c, digits: 4, field: "cities")
            guard ProvinceCodes.all.contains(number / 100), number % 100 != 0 else {
                throw ValidationError(field: "cities", problem: .unknownValue, message: "city code \(c) is not a province's code and a city part")
            }
            assignment.cities.insert(CityCode(rawValue: UInt16(number)))
        }
        return Worker(id: id, name: trimmed, role: role, assignment: assignment)
    }

    static func code(_ text: String, digits: Int, field: String) throws(ValidationError) -> UInt32 {
        guard text.utf8.count == digits, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let n = UInt32(text), n > 0 else {
            throw ValidationError(field: field, problem: .invalidCharacter, message: "\"\(text.prefix(20))\" is not a \(digits)-digit code")
        }
        return n
    }
}

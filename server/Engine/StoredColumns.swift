import FieldModel
import SyncCore

/// How every storage backend turns the engine's values into column values and back, checking
/// what it reads. One definition for SQLite and PostgreSQL: the two databases hold the same
/// bytes, and a row damaged on disk is refused the same way (`storage`) by both.
///
/// Integers are Int64: replica ids and counters by bit pattern, village codes as they are.
/// Record ids are their 16 UUID bytes; digests 16 bytes (high, low, big-endian). Record states
/// are sealed: `StoredRecordCodec`.
public enum StoredColumns {
    public static func recordID(_ bytes: [UInt8]) throws(SyncEngineError) -> RecordID {
        guard let id = RecordID(bytes: bytes) else { throw SyncEngineError(.storage, "a stored record id has \(bytes.count) bytes, not 16") }
        return id
    }

    public static func digestBytes(_ digest: Digest128) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: digest.high >> (56 - 8 * $0)) } + (0..<8).map { UInt8(truncatingIfNeeded: digest.low >> (56 - 8 * $0)) }
    }

    public static func digest(_ bytes: [UInt8]) throws(SyncEngineError) -> Digest128 {
        guard bytes.count == 16 else { throw SyncEngineError(.storage, "a stored digest has \(bytes.count) bytes, not 16") }
        return Digest128(high: bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }, low: bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) })
    }

    public static func replica(_ raw: Int64) -> ReplicaID { ReplicaID(UInt64(bitPattern: raw)) }
    public static func village(_ raw: Int64) -> VillageCode { VillageCode(uncheckedRawValue: UInt64(bitPattern: raw)) }

    public static func collection(_ raw: Int64) throws(SyncEngineError) -> RecordCollection {
        guard let collection = RecordCollection(rawValue: UInt8(truncatingIfNeeded: raw)), Int64(collection.rawValue) == raw else {
            throw SyncEngineError(.storage, "a stored row names unknown collection \(raw)")
        }
        return collection
    }

    public static func field(_ raw: Int64?) -> FieldID? { raw.map { FieldID(UInt16(truncatingIfNeeded: $0)) } }

    /// Dots as logs show them: `replica:counter`, the replica in hexadecimal; lists joined by commas.
    public static func dotsText(_ dots: [Dot]) -> String { dots.map(\.description).joined(separator: ",") }

    public static func dot(_ text: Substring) throws(SyncEngineError) -> Dot {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let replica = ReplicaID(hex: String(parts[0])), let counter = UInt64(parts[1]) else {
            throw SyncEngineError(.storage, "a stored dot \"\(text.prefix(40))\" is unreadable")
        }
        return Dot(replica, counter)
    }

    public static func dots(_ text: String) throws(SyncEngineError) -> [Dot] {
        var out: [Dot] = []
        for part in text.split(separator: ",") { out.append(try dot(part)) }
        return out
    }

    /// A processed dot from its columns: digest, rejected flag, reason and message.
    public static func processedDot(digest bytes: [UInt8], rejected: Bool, reason: String?, message: String?) throws(SyncEngineError) -> ProcessedDot {
        let digest = try digest(bytes)
        guard rejected else { return ProcessedDot(digest: digest, verdict: .acknowledged) }
        let raw = reason ?? ""
        guard let reason = RejectionReason(rawValue: raw) else { throw SyncEngineError(.storage, "a processed dot has unknown reason \"\(raw.prefix(40))\"") }
        return ProcessedDot(digest: digest, verdict: .rejected(reason, message ?? ""))
    }

    /// The reason and message columns of a processed dot (nil, nil when acknowledged).
    public static func verdictColumns(_ verdict: ProcessedDot.Verdict) -> (reason: String?, message: String?) {
        if case .rejected(let reason, let message) = verdict { return (reason.rawValue, message) }
        return (nil, nil)
    }

    public static func filing(id: [UInt8], village: Int64, staff: String, household: [UInt8], relation: String,
                              filedOnDays: Int64) throws(SyncEngineError) -> RelativeFiling {
        guard let r = CloseRelation(rawValue: relation) else { throw SyncEngineError(.storage, "a filing has unknown relation \"\(relation.prefix(40))\"") }
        guard let days = Int32(exactly: filedOnDays) else { throw SyncEngineError(.storage, "a filing's date \(filedOnDays) is out of range") }
        return RelativeFiling(id: try recordID(id), village: self.village(village), staff: WorkerID(unchecked: staff),
                              household: try recordID(household), relation: r, filedOn: CalendarDate(daysSinceEpoch: days))
    }

    /// A date stored as days since 1970-01-01.
    public static func calendarDate(days: Int64) throws(SyncEngineError) -> CalendarDate {
        guard let d = Int32(exactly: days) else { throw SyncEngineError(.storage, "a stored day \(days) is out of range") }
        return CalendarDate(daysSinceEpoch: d)
    }

    /// The filing a stored relative-filing record holds.
    public static func readFiling(_ state: RecordState) throws(SyncEngineError) -> RelativeFiling {
        guard state.key.collection == .relativeFiling else { throw SyncEngineError(.unknownRecord, "record \(state.key.id) is a \(state.key.collection.name), not a filing") }
        do { return try RelativeFiling(id: state.key.id, village: state.key.scope, fields: state.values) } catch {
            throw SyncEngineError(.storage, "stored filing \(state.key.id) is unreadable: \(error)")
        }
    }

    /// A workflow trail step's context as its column holds it.
    public static func contextBytes(_ context: VersionVector) -> [UInt8] {
        var w = BinaryWriter(capacity: 8 + 12 * context.count)
        w.versionVector(context)
        return w.bytes
    }

    /// A workflow trail row.
    public static func trailStep(household: [UInt8], replica: Int64, counter: Int64, from: String?, to: String, author: String,
                                 context: [UInt8], hlc: Int64, atMilliseconds: Int64) throws(SyncEngineError) -> WorkflowTrailStep {
        func status(_ raw: String) throws(SyncEngineError) -> WorkflowStatus {
            guard let s = WorkflowStatus(rawValue: raw) else { throw SyncEngineError(.storage, "a trail row names unknown status \"\(raw.prefix(40))\"") }
            return s
        }
        var reader = BinaryReader(context)
        let vector: VersionVector
        do { vector = try reader.versionVector() } catch { throw SyncEngineError(.storage, "a trail row's context is unreadable: \(error)") }
        return WorkflowTrailStep(household: try recordID(household), dot: Dot(self.replica(replica), UInt64(bitPattern: counter)),
                                 from: try from.map(status), to: try status(to), author: WorkerID(unchecked: author), context: vector,
                                 hlc: HLCTimestamp(rawValue: UInt64(bitPattern: hlc)), atMilliseconds: atMilliseconds)
    }

    public static func key(collection: Int64, record: [UInt8], village: Int64) throws(SyncEngineError) -> RecordKey {
        RecordKey(try self.collection(collection), try recordID(record), scope: self.village(village))
    }

    public static func auditEntry(atMilliseconds: Int64, worker: String, device: String, replica: Int64, counter: Int64, key: RecordKey,
                                  action name: String, field raw: Int64?, outcome outcomeName: String) throws(SyncEngineError) -> AuditEntry {
        guard let action = AuditEntry.Action(name: name, field: field(raw)), let outcome = AuditEntry.Outcome(rawValue: outcomeName) else {
            throw SyncEngineError(.storage, "an audit row has unreadable action \"\(name.prefix(20))\" or outcome \"\(outcomeName.prefix(20))\"")
        }
        return AuditEntry(atMilliseconds: atMilliseconds, worker: WorkerID(unchecked: worker), deviceID: device,
                          dot: Dot(self.replica(replica), UInt64(bitPattern: counter)), record: key, action: action, outcome: outcome)
    }

    public static func conflictEntry(atMilliseconds: Int64, key: RecordKey, kind kindName: String, field raw: Int64?, dots text: String,
                                     winner: String?, cause: String) throws(SyncEngineError) -> ConflictLogEntry {
        guard let kind = ConflictLogEntry.Kind(rawValue: kindName) else {
            throw SyncEngineError(.storage, "a conflict-log row has unknown kind \"\(kindName.prefix(20))\"")
        }
        return ConflictLogEntry(atMilliseconds: atMilliseconds, record: key, kind: kind, field: field(raw), dots: try dots(text),
                                winner: try winner.map { w throws(SyncEngineError) in try dot(Substring(w)) }, cause: try dot(Substring(cause)))
    }

    /// The villages a township, county or city covers, as inclusive ranges of village codes:
    /// a township's villages are t·1000 + 1…999, a county's c·10⁶ + …, a city's.
    public static func villageRanges(_ assignment: Assignment) -> [ClosedRange<Int64>] {
        assignment.townships.map { Int64($0.rawValue) * 1000...Int64($0.rawValue) * 1000 + 999 }
            + assignment.counties.map { Int64($0.rawValue) * 1_000_000...Int64($0.rawValue) * 1_000_000 + 999_999 }
            + assignment.cities.map { Int64($0.rawValue) * 100_000_000...Int64($0.rawValue) * 100_000_000 + 99_999_999 }
    }
}

extension ReplicaID {
    /// The replica id as a stored `Int64` (by bit pattern).
    public var int64: Int64 { Int64(bitPattern: rawValue) }
}

extension VillageCode {
    /// The village code as a stored `Int64`.
    public var int64: Int64 { Int64(rawValue) }
}

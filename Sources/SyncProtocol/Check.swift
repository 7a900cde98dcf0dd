import FieldModel
import SyncCore

/// The verification steps decoders share: every count, index and value checked before use.
enum Check {
    static func limit(_ count: Int, _ limit: Int, _ what: String) throws(ProtocolError) {
        guard count <= limit else { throw ProtocolError(.tooManyElements, "\(count) \(what), limit \(limit)") }
    }

    static func equal(_ a: Int, _ b: Int, _ what: String, _ expected: String) throws(ProtocolError) {
        guard a == b else { throw ProtocolError(.inconsistent, "\(what) is \(a), but \(expected) is \(b)") }
    }

    static func sum(_ counts: [UInt32]) throws(ProtocolError) -> UInt64 {
        counts.reduce(0) { $0 + UInt64($1) }
    }

    static func village(_ raw: Int64, _ whereabouts: String) throws(ProtocolError) -> VillageCode {
        guard raw > 0 else { throw ProtocolError(.invalidValue, "\(whereabouts): village code \(raw) is not positive") }
        do { return try VillageCode(validating: UInt64(raw)) } catch {
            throw ProtocolError(.invalidValue, "\(whereabouts): \(error.message)")
        }
    }

    static func workers(_ names: [String]) throws(ProtocolError) -> [WorkerID] {
        var out: [WorkerID] = []
        out.reserveCapacity(names.count)
        for name in names {
            do { out.append(try WorkerID(validating: name)) } catch {
                throw ProtocolError(.invalidValue, "author: \(error.message)")
            }
        }
        return out
    }

    /// A version vector from `count` parallel entries starting at `at`; replicas must be distinct
    /// and counters positive, as a real vector's are.
    static func vector(replicas: [UInt32], counters: [UInt64], at: Int, count: Int, table: [UInt64],
                       _ whereabouts: String) throws(ProtocolError) -> VersionVector {
        var pairs: [(ReplicaID, UInt64)] = []
        pairs.reserveCapacity(count)
        var seen = Set<UInt64>()
        for j in at..<at + count {
            let index = Int(replicas[j])
            guard index < table.count else {
                throw ProtocolError(.inconsistent, "\(whereabouts) names replica \(index) of \(table.count)")
            }
            let replica = table[index]
            guard replica != 0, seen.insert(replica).inserted else {
                throw ProtocolError(.invalidValue, "\(whereabouts) names replica \(ReplicaID(replica)) twice or a zero replica")
            }
            guard counters[j] > 0 else { throw ProtocolError(.invalidValue, "\(whereabouts) has a zero counter") }
            pairs.append((ReplicaID(replica), counters[j]))
        }
        return VersionVector(pairs)
    }
}

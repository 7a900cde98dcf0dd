import FieldModel
import Foundation
import SyncCore

/// The per-record key columns both bulk messages share: 16-byte ids, one collection byte, and
/// the village code as a difference from the previous record's.
struct KeyColumns {
    private(set) var ids: [UInt8] = []
    private(set) var collections: [UInt8] = []
    private(set) var scopeDeltas: [Int64] = []
    private var previousScope: Int64 = 0

    mutating func append(_ key: RecordKey) {
        ids += key.id.bytes
        collections.append(key.collection.rawValue)
        let scope = Int64(key.scope.rawValue)
        scopeDeltas.append(scope - previousScope)
        previousScope = scope
    }
}

/// Reads the key columns back in order. The decoder has checked that there are 16 id bytes and
/// a scope difference for every collection byte.
struct KeyColumnReader {
    private let ids: [UInt8]
    private let collections: [UInt8]
    private let scopeDeltas: [Int64]
    private var scope: Int64 = 0

    init(ids: Data, collections: Data, scopeDeltas: [Int64]) {
        self.ids = [UInt8](ids)
        self.collections = [UInt8](collections)
        self.scopeDeltas = scopeDeltas
    }

    /// The `i`th key, the next in order; `whereabouts` names it in an error ("record 3").
    mutating func key(_ i: Int, _ whereabouts: String) throws(ProtocolError) -> RecordKey {
        guard let collection = RecordCollection(rawValue: collections[i]) else {
            throw ProtocolError(.invalidValue, "\(whereabouts) names unknown collection \(collections[i])")
        }
        scope = scope &+ scopeDeltas[i]
        let village = try Check.village(scope, whereabouts)
        return RecordKey(collection, RecordID(bytes: ids[i * 16..<i * 16 + 16])!, scope: village)
    }
}

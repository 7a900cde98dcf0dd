import FieldModel
import Foundation
import SyncCore

/// The per-record key columns both bulk messages share: 16-byte ids, one collection byte, and
/// the village code as a difference from the previous record's. In version 2 a record may be
/// named by its handle instead of its id (`handle` non-zero: no id bytes unless `idAlways`).
struct KeyColumns {
    private(set) var ids: [UInt8] = []
    private(set) var collections: [UInt8] = []
    private(set) var scopeDeltas: [Int64] = []
    private(set) var handles = HandleColumn()
    private var previousScope: Int64 = 0

    mutating func append(_ key: RecordKey, handle: UInt64 = 0, idAlways: Bool = true) {
        if idAlways || handle == 0 { ids += key.id.bytes }
        handles.append(handle)
        collections.append(key.collection.rawValue)
        let scope = Int64(key.scope.rawValue)
        scopeDeltas.append(scope - previousScope)
        previousScope = scope
    }
}

/// Reads the key columns back in order. The decoder has checked that there are 16 id bytes for
/// every record not named by a handle and a scope difference for every collection byte.
struct KeyColumnReader {
    private let ids: [UInt8]
    private let collections: [UInt8]
    private let scopeDeltas: [Int64]
    /// Per record, the handle naming it (0: named by its id); empty when none is.
    private let handles: [UInt64]
    private var scope: Int64 = 0
    private var idAt = 0

    init(ids: Data, collections: Data, scopeDeltas: [Int64], handles: [UInt64] = []) {
        self.ids = [UInt8](ids)
        self.collections = [UInt8](collections)
        self.scopeDeltas = scopeDeltas
        self.handles = handles
    }

    /// The handle naming record `i`, 0 when its id does.
    func handle(_ i: Int) -> UInt64 { handles.isEmpty ? 0 : handles[i] }

    /// The `i`th key, the next in order; `whereabouts` names it in an error ("record 3").
    mutating func key(_ i: Int, _ whereabouts: String) throws(ProtocolError) -> RecordKey {
        guard let collection = RecordCollection(rawValue: collections[i]) else {
            throw ProtocolError(.invalidValue, "\(whereabouts) names unknown collection \(collections[i])")
        }
        scope = scope &+ scopeDeltas[i]
        let village = try Check.village(scope, whereabouts)
        guard handle(i) == 0 else { return RecordKey(collection, .unresolved, scope: village) }
        defer { idAt += 1 }
        return RecordKey(collection, RecordID(bytes: ids[idAt * 16..<idAt * 16 + 16])!, scope: village)
    }
}

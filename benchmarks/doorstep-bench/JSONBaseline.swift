import FieldModel
import Foundation
import SyncCore

/// The baseline: the same rows as JSON holding only the changed fields, by name, deflated.
///
/// A field change carries no dot, context or clock here — only the record id and the values —
/// so it is a floor for a JSON change log, not a complete protocol.
enum JSONBaseline {
    static func json(_ value: FieldValue) -> Any {
        switch value {
        case .null: NSNull()
        case .bool(let b): b
        case .int(let i): i
        case .text(let t): t
        case .date(let d): d.description
        case .id(let id): id.description
        case .ids(let ids): ids.map(\.description)
        }
    }

    static func fields(_ values: FieldValues, _ collection: RecordCollection) -> [String: Any] {
        var out: [String: Any] = [:]
        for (id, v) in values { out[collection.schema.field(id)!.name] = json(v) }
        return out
    }

    /// Changes grouped by record: `[{"id", "collection", "village", "fields": {name: value}}]`.
    static func changes(_ changes: [Change]) -> [UInt8] {
        var order: [RecordKey] = []
        var grouped: [RecordKey: [String: Any]] = [:]
        for c in changes {
            if grouped[c.record] == nil { order.append(c.record); grouped[c.record] = [:] }
            switch c.operation {
            case .create(let values): grouped[c.record]!.merge(fields(values, c.record.collection)) { $1 }
            case .set(let f, let v), .transition(let f, _, let v):
                grouped[c.record]![c.record.collection.schema.field(f)!.name] = json(v)
            case .delete: grouped[c.record]!["_deleted"] = true
            }
        }
        let rows: [[String: Any]] = order.map { key in
            ["id": key.id.description, "collection": key.collection.name, "village": key.scope.rawValue, "fields": grouped[key]!]
        }
        return serialize(rows)
    }

    /// Whole records: `[{"id", "collection", "village", "fields": {…}}]`.
    static func states(_ states: [RecordState]) -> [UInt8] {
        serialize(states.map { s in
            ["id": s.key.id.description, "collection": s.key.collection.name, "village": s.key.scope.rawValue,
             "fields": fields(s.values, s.key.collection)] as [String: Any]
        })
    }

    static func serialize(_ object: Any) -> [UInt8] {
        // Built from strings, numbers and arrays only: always valid JSON.
        [UInt8](try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    static func parse(_ bytes: [UInt8]) -> Int {
        let object = try? JSONSerialization.jsonObject(with: Data(bytes))
        return (object as? [Any])?.count ?? 0
    }
}

import FieldModel
import Foundation
import ServerHTTP

/// Conflicts the reviewers saw and settled over the reviewer API.
struct ConflictTally: Sendable, Codable {
    var opened = Set<String>()
    var resolved = 0

    /// Each reviewer device lists the conflicts in its scope and keeps, for each field, the
    /// value that wins by the clock: a reviewer's decision, made through the API as a person would.
    static func resolveAll(_ devices: [LoadDevice], admins: [APIClient], tally: inout ConflictTally) async throws -> Int {
        var resolved = 0
        for device in devices where device.isReviewer {
            let listed = try await device.withAPI { try await $0.conflicts().conflicts }
            for conflict in listed {
                tally.opened.insert("\(conflict.collection)/\(conflict.id)")
                for field in conflict.fields {
                    guard let keep = field.values.first else { continue }
                    let resolution = ResolutionDocument(collection: conflict.collection, id: conflict.id, village: conflict.village,
                                                        field: field.field, value: keep.value)
                    let result = try await device.withAPI { try await $0.resolve(resolution) }
                    if result.outcome == "applied" { resolved += 1 }
                }
            }
        }
        tally.resolved += resolved
        return resolved
    }
}

extension LoadDevice {
    nonisolated var isReviewer: Bool { worker.role == .townshipReviewer }
}

import Foundation

extension SyncRecord.Health {
    /// The health figures as a `health` column holds them: JSON, the same in every backend.
    public var storedJSON: String {
        get throws { String(decoding: try JSONEncoder().encode(self), as: UTF8.self) }
    }

    /// Reads a `health` column; nil when the device sent none. A value that is not the JSON of
    /// health figures throws, naming the decoding problem.
    public static func fromStoredJSON(_ text: String?) throws -> SyncRecord.Health? {
        guard let text else { return nil }
        do { return try JSONDecoder().decode(SyncRecord.Health.self, from: Data(text.utf8)) } catch {
            throw OpsError(.unreadableHealth, "a stored device health is unreadable: \(error)")
        }
    }
}

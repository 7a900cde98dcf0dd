import DataProtection
import Foundation
import SyncCore

/// How the replica keeps record states and outbox changes on disk: sealed with AES-256-GCM
/// under the device's key ring, which lives in its `KeyStore` (the platform keychain on a phone,
/// a 0600 file on Linux), never in the replica file. The whole state is sealed, as on the server
/// (`StoredRecordCodec`): every query the app makes reads states and decodes them in memory
/// anyway, so they all still work, and names and addresses are covered with the sensitive
/// fields. Village, collection, record id and the household link stay plain: they are what the
/// queries select by, and say nothing about a person.
///
/// Rows written before sealing (plain bytes, beginning with their collection) are still read.
struct ReplicaCodec: Sendable {
    let sealer: Sealer?

    /// The key store item holding the replica's key ring.
    static let keyItem = "replica-keys"

    func stateBlob(_ state: RecordState, includeSupersession: Bool) -> Data {
        stateBlob(encoded: state.encoded(includeSupersession: includeSupersession), includeSupersession: includeSupersession)
    }

    /// The blob of a state already encoded (`RecordState.encoded(includeSupersession:)`), so a
    /// caller that needed the bytes anyway (for a digest) does not encode twice.
    func stateBlob(encoded: [UInt8], includeSupersession: Bool) -> Data {
        seal(encoded, purpose: includeSupersession ? "replica-view" : "replica-confirmed")
    }

    func state(_ data: Data, includesSupersession: Bool) throws -> RecordState {
        let plain = try open(data, purpose: includesSupersession ? "replica-view" : "replica-confirmed")
        return try RecordState(decoding: plain, includesSupersession: includesSupersession)
    }

    func changeBlob(_ change: Change) -> Data { seal(change.encoded(), purpose: "outbox-change") }

    func change(_ data: Data) throws -> Change { try Change(decoding: try open(data, purpose: "outbox-change")) }

    private func seal(_ plain: [UInt8], purpose: String) -> Data { Data(sealer?.seal(plain, purpose: purpose) ?? plain) }

    private func open(_ data: Data, purpose: String) throws -> [UInt8] {
        let bytes = [UInt8](data)
        guard Sealer.isSealed(bytes) else { return bytes }
        guard let sealer else { throw ReplicaError(.storage, "a sealed row in a replica opened without its keys") }
        do { return try sealer.open(bytes, purpose: purpose) } catch {
            throw ReplicaError(.storage, "a sealed row does not open: \(error.message)")
        }
    }
}

import DataProtection
import FieldModel
import SyncCore

/// How a record's state is kept at rest, on every backend: its canonical bytes sealed with
/// AES-256-GCM under the key ring's active data key (`Sealer`), and the keyed blind indexes of
/// the ID numbers it holds (`PersonIndex`). The one place where stores turn states into stored
/// bytes and back; nothing else in a store sees a plain state's bytes.
///
/// The whole state is sealed, not its sensitive values one by one: a state is a few hundred
/// bytes, one seal costs one AES-GCM pass and adds 34 bytes (a member with five sealed values
/// would add 170), and names, addresses and notes, personal if not "sensitive", are covered
/// too. The server never queries a field value in SQL, so nothing is lost. Measured in
/// BENCHMARKS.md (`doorstep-bench --only sealing`).
///
/// A state stored before sealing began (plain bytes, beginning with its collection) is still
/// read; `doorstep-server admin rotate-key` seals it.
public struct StoredRecordCodec: Sendable {
    let sealer: Sealer?
    public let personIndex: PersonIndex
    /// How a roster import derives record ids (`RosterImport`): keyed, so an id gives no ID number away.
    public let rosterIDs: KeyedDerivation

    /// Seals with `keys`' active data key; opens what any of its keys sealed.
    public init(keys: KeyRing) { self.init(sealer: Sealer(ring: keys), keys: keys) }

    private init(sealer: Sealer?, keys: KeyRing) {
        self.sealer = sealer
        personIndex = PersonIndex(ring: keys)
        rosterIDs = KeyedDerivation(ring: keys, purpose: "roster-record-id")
    }

    /// States stored plain: only for measuring what sealing costs (`doorstep-bench`).
    package static func unsealed(indexing keys: KeyRing) -> StoredRecordCodec { StoredRecordCodec(sealer: nil, keys: keys) }

    static let purpose = "record-state"

    /// The state as the `state` column holds it (with supersession contexts), sealed.
    public func stateBytes(_ state: RecordState) -> [UInt8] {
        let plain = state.encoded(includeSupersession: true)
        return sealer?.seal(plain, purpose: Self.purpose) ?? plain
    }

    public func state(_ bytes: [UInt8]) throws(SyncEngineError) -> RecordState {
        var plain = bytes
        if Sealer.isSealed(bytes) {
            guard let sealer else { throw SyncEngineError(.storage, "a stored record state is sealed, and this store was opened without keys") }
            do { plain = try sealer.open(bytes, purpose: Self.purpose) } catch {
                throw SyncEngineError(.storage, "a stored record state does not open: \(error.message)")
            }
        }
        do {
            return try RecordState(decoding: plain, includesSupersession: true)
        } catch {
            throw SyncEngineError(.storage, "a stored record state is unreadable: \(error)")
        }
    }

    /// Whether stored bytes need sealing again: plain, or sealed under another key than the
    /// active one. What `rotate-key` re-seals.
    public func needsResealing(_ bytes: [UInt8]) -> Bool {
        guard let sealer else { return false }
        return Sealer.keyID(of: bytes) != sealer.ring.activeKeyID
    }

    /// The data key stored bytes were sealed under, nil for plain bytes.
    public static func keyID(of bytes: [UInt8]) -> UInt32? { Sealer.keyID(of: bytes) }
}

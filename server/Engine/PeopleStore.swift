import FieldModel
import SyncCore

/// What a store offers beyond sync for personal data at rest: finding people by the blind index
/// of their ID number, and re-sealing stored states under the active data key.
public protocol PeopleStore: Sendable {
    /// How this store seals states, indexes ID numbers and derives roster ids.
    var codec: StoredRecordCodec { get }

    /// The records holding an ID number whose blind index (`PersonIndex.value(of:)`) is one of
    /// `indexes`, in the order they were last written.
    func people(indexes: [[UInt8]]) async throws -> [PersonMatch]

    /// Re-seals, in one transaction, the records after `cursor` (in id order, at most `limit`)
    /// whose state is plain or sealed under another key than the active one, and indexes their
    /// ID numbers. Sequences stay: devices pull nothing again. Run batch after batch, while
    /// the server serves, until `last` is nil.
    func resealBatch(after cursor: RecordID?, limit: Int) async throws -> ResealProgress

    /// After the last batch: makes the old bytes of re-sealed states unreachable on disk where
    /// the backend can. Old ciphertext is harmless once its key is destroyed; plain states
    /// (`hadPlainStates`: the store was written before sealing began) are not, so then SQLite
    /// rebuilds its file (`VACUUM`: it holds the write lock meanwhile, once). Returns what remains
    /// for an operator to do, if anything.
    func finishResealing(hadPlainStates: Bool) async throws -> String?

    /// How many records are stored under each data key (nil: plain, from before sealing).
    /// - Complexity: O(records).
    func sealingSummary() async throws -> [UInt32?: Int]
}

/// A record holding a looked-up ID number.
public struct PersonMatch: Sendable, Hashable {
    public let index: [UInt8]
    public let key: RecordKey

    public init(index: [UInt8], key: RecordKey) {
        self.index = index
        self.key = key
    }
}

/// One batch of a re-seal.
public struct ResealProgress: Sendable, Hashable {
    public var scanned: Int
    public var resealed: Int
    /// The last record scanned: where the next batch starts; nil when none was left.
    public var last: RecordID?

    public init(scanned: Int, resealed: Int, last: RecordID?) {
        self.scanned = scanned
        self.resealed = resealed
        self.last = last
    }
}

import Dispatch
import Foundation
import SyncCore

/// A page's confirmed states made ready for their rows before the write transaction begins:
/// each state encoded once, hashed for its digest and sealed, and the page's latest clock
/// reading found (the device's clock observes it). These are the page's per-record
/// steps that touch no database, so they run outside the writer and spread over the device's
/// cores (a phone has four to eight; the writer uses one), in chunks of consecutive records.
///
///     let prepared = PreparedConfirmed(response.page, codec: codec)
///     // in the transaction, for page[i]: prepared[i].blob, prepared[i].digest
struct PreparedConfirmed: Sendable {
    /// What a confirmed state's row stores: its sealed encoding and its digest (nil when deleted:
    /// a deleted record counts for nothing in its village's digest).
    struct Row: Sendable {
        let blob: Data
        let digest: Digest128?
        let lastModified: HLCTimestamp
    }

    let rows: [Row]
    /// The latest clock reading among the page's writes (`.zero` for an empty page).
    let latest: HLCTimestamp

    /// A chunk holds at least this many states (a smaller page is prepared on the calling
    /// thread): handing out fewer would cost more than it saves.
    static let smallestChunk = 64

    init(_ states: [RecordState], codec: ReplicaCodec, cores: Int = ProcessInfo.processInfo.activeProcessorCount) {
        let chunks = min(max(cores, 1), states.count / Self.smallestChunk)
        rows = chunks > 1 ? Self.spread(states, codec, chunks: chunks) : states.map { Self.row($0, codec) }
        latest = rows.reduce(HLCTimestamp.zero) { max($0, $1.lastModified) }
    }

    /// The rows of `states` prepared in `chunks` ranges at once.
    static func spread(_ states: [RecordState], _ codec: ReplicaCodec, chunks: Int) -> [Row] {
        [Row](unsafeUninitializedCapacity: states.count) { buffer, initialized in
            // Each chunk initialises its own disjoint range of the buffer.
            nonisolated(unsafe) let base = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let start = states.count * chunk / chunks, end = states.count * (chunk + 1) / chunks
                for i in start..<end { (base + i).initialize(to: row(states[i], codec)) }
            }
            initialized = states.count
        }
    }

    subscript(index: Int) -> Row { rows[index] }

    static func row(_ state: RecordState, _ codec: ReplicaCodec) -> Row {
        let encoded = state.encoded(includeSupersession: false)
        return Row(blob: codec.stateBlob(encoded: encoded, includeSupersession: false),
                   digest: state.isDeleted ? nil : StableHash.hash128(encoded), lastModified: state.lastModified)
    }
}

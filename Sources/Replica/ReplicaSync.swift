import FieldModel
import Foundation
import GRDB
import SyncCore
import SyncProtocol

/// What applying one sync response did to the replica.
public struct ApplyReport: Sendable, Hashable {
    public var acked: Int = 0
    public var rejected: [Rejection] = []
    public var pulled: Int = 0
    public var dropped: [VillageCode] = []
    public var rebootstrapped: [VillageCode] = []
    /// Villages whose digest differs from the server's after the last page: repair them.
    public var mismatched: [VillageCode] = []
    /// Changes refused as stamped in the future (`clock_ahead`) and written again under new
    /// dots with the corrected clock; the next exchange sends them.
    public var restamped: Int = 0
    /// Changes the server could not place by the handle they named (`unknown_handle`), or that
    /// came after such a change: still pending, the next exchange sends them again, by id.
    public var resent: Int = 0
    /// The server's epoch changed: it was restored from a backup, and the acknowledged changes it
    /// may have lost are pending again (SPEC §4, "Restores").
    public var serverRestored = false
    public init() {}
}

extension Replica {
    /// The next request: the oldest `batchLimit` unacknowledged changes, the cursors and health.
    public func makeRequest(batchLimit: Int, pageLimit: Int, appVersion: String) throws(ReplicaError) -> SyncRequest {
        let me = identity
        let now = wallClock()
        let codec = self.codec
        return try read { db in
            let changes = try Outbox.pending(db, codec, limit: batchLimit)
            var cursors: [VillageCode: UInt64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT village, position FROM cursors") {
                let v: Int64 = row["village"], p: Int64 = row["position"]
                cursors[VillageCode(uncheckedRawValue: UInt64(v))] = UInt64(bitPattern: p)
            }
            let health = try ReplicaHealth.figures(db)
            var request = SyncRequest(replica: me.replica, appVersion: appVersion, cursors: cursors, changes: changes,
                                      health: health, pageLimit: pageLimit, deviceTimeMilliseconds: now)
            request.recordHandles = try RecordHandles.of(db, Set(changes.map(\.record)))
            request.serverEpoch = UInt64(bitPattern: try Meta.int(db, RetainedChanges.epochKey))
            return request
        }
    }

    /// Applies a response in one transaction: acknowledgements, rejections, dropped and
    /// re-bootstrapped villages, the page (merged under the outbox), cursors and the clock offset;
    /// then compares digests when the response carries them.
    public func apply(_ response: SyncResponse) throws(ReplicaError) -> ApplyReport {
        let wallClock = self.wallClock
        let me = identity.replica
        let codec = self.codec
        // A page and acknowledgements are the server's to give again; a re-stamp hands out counters.
        let restamps = response.rejections.contains { $0.reason == Restamp.reason }
        let prepared = PreparedConfirmed(response.page, codec: codec)
        return try write(fromServer: !restamps) { db in
            var report = ApplyReport()
            var clock = try Meta.clock(db, wallClock: wallClock)
            clock.correct(serverMilliseconds: response.serverTimeMilliseconds)
            report.serverRestored = try RetainedChanges.follow(db, response)
            try RetainedChanges.keep(db, response.acked, response)
            var touched = try Outbox.acknowledge(db, codec, response.acked, at: wallClock())
            report.acked = response.acked.count
            report.resent = try RecordHandles.forget(db, after: response)
            for r in response.rejections where r.reason != RecordHandles.unknownReason {
                if let key = try Outbox.reject(db, codec, counter: r.counter, reason: r.reason, message: r.message) { touched.insert(key) }
                report.rejected.append(r)
            }
            let restamped = try Restamp.clockAhead(db, codec, rejections: response.rejections, clock: &clock, replica: me)
            touched.formUnion(restamped.keys)
            report.restamped = restamped.count
            for village in response.droppedVillages {
                for key in try RecordRows.keys(db, village: village) { try RecordRows.delete(db, key) }
                try db.execute(sql: "DELETE FROM cursors WHERE village = ?", arguments: [Int64(village.rawValue)])
                try db.execute(sql: "DELETE FROM digests WHERE village = ?", arguments: [Int64(village.rawValue)])
                report.dropped.append(village)
            }
            for village in response.rebootstrapVillages {
                try Self.forgetConfirmed(db, codec, village: village)
                report.rebootstrapped.append(village)
            }
            // Most pulled records hold no local change (all of them in a bootstrap): their view is
            // the server's state, and the outbox need not be asked about them. Of the rows a page
            // replaces only the village and the digest are read; the rows are written together at
            // the page's end.
            let local = try Outbox.recordsWithChanges(db)
            let stored = try RecordRows.confirmations(db, response.page.map(\.key))
            var digests = VillageDigestBatch()
            var rows = ConfirmedRowBatch(codec: codec)
            for (index, state) in response.page.enumerated() {
                let id = OutboxRecord(state.key)
                // A record twice in a page: the second replaces the first, digest and all.
                let before = rows.added(id) ?? stored[id]
                let key = before.map { RecordKey(state.key.collection, state.key.id, scope: $0.village) } ?? state.key
                let hasLocal = !local.isEmpty && local.contains(id)
                let view = hasLocal ? try RecordRows.rebuiltView(db, codec, key: state.key, confirmed: state) : state
                let row = RecordRow(key: key, confirmed: state, view: view, storedDigest: before?.digest)
                let handle = index < response.pageHandles.count && response.pageHandles[index] != 0 ? response.pageHandles[index] : nil
                try rows.append(db, row, id: id, prepared: prepared[index], viewIsConfirmed: !hasLocal, handle: handle, digests: &digests)
                if hasLocal { try Outbox.dropConfirmed(db, codec, state.key, confirmed: state.version) }
                if !touched.isEmpty { touched.remove(state.key) }
            }
            if !response.page.isEmpty { clock.observe(prepared.latest) }
            try rows.write(db)
            try digests.write(db)
            report.pulled = response.page.count
            for key in touched { try Self.refreshView(db, codec, key) }
            for (village, position) in response.cursors {
                try db.execute(sql: "INSERT INTO cursors (village, position) VALUES (?, ?) ON CONFLICT(village) DO UPDATE SET position = excluded.position",
                               arguments: [Int64(village.rawValue), Int64(bitPattern: position)])
            }
            if !response.hasMore {
                for key in try Outbox.dropAcknowledged(db, codec) { try Self.refreshView(db, codec, key) }
                for (village, digest) in response.digests.sorted(by: { $0.key < $1.key })
                where try VillageDigests.get(db, village) != digest || VillageDigests.held(db, village) != digest {
                    report.mismatched.append(village)
                }
            }
            try Self.followScope(db, cursors: Array(response.cursors.keys), dropped: response.droppedVillages)
            try Meta.saveClock(db, clock)
            return report
        }
    }

    /// Forgets the server's state of `villages` and resets their cursors, keeping the outbox: the
    /// next syncs pull them again from position 0 (repair after a digest mismatch).
    public func resetVillages(_ villages: [VillageCode]) throws(ReplicaError) {
        let codec = self.codec
        try write { db in
            for village in villages { try Self.forgetConfirmed(db, codec, village: village) }
        }
    }

    static func forgetConfirmed(_ db: Database, _ codec: ReplicaCodec, village: VillageCode) throws {
        let awaiting = try Outbox.keysAwaitingConfirmation(db, codec, village: village)
        for key in try RecordRows.keys(db, village: village) {
            try RecordRows.delete(db, key)
            if awaiting.contains(key) {
                let view = try RecordRows.rebuiltView(db, codec, key: key, confirmed: nil)
                try RecordRows.saveView(db, codec, RecordRow(key: key, confirmed: nil, view: view))
            }
        }
        try db.execute(sql: "DELETE FROM cursors WHERE village = ?", arguments: [Int64(village.rawValue)])
        try db.execute(sql: "DELETE FROM digests WHERE village = ?", arguments: [Int64(village.rawValue)])
    }

    /// Rebuilds one record's view after its outbox changed (a rejection drops a change from it).
    static func refreshView(_ db: Database, _ codec: ReplicaCodec, _ key: RecordKey) throws {
        guard var row = try RecordRows.load(db, codec, key.collection, key.id) else { return }
        row.view = try RecordRows.rebuiltView(db, codec, key: key, confirmed: row.confirmed)
        if row.confirmed == nil && row.view.created == nil && row.view.fields.isEmpty && row.view.tombstones.isEmpty {
            try RecordRows.delete(db, key)
        } else {
            try RecordRows.saveView(db, codec, row)
        }
    }

    /// The server's cursors name the villages in scope: the stored assignment follows them, so
    /// a reassigned worker may write in the new village and no longer in the old one.
    static func followScope(_ db: Database, cursors: [VillageCode], dropped: [VillageCode]) throws {
        guard var identity = try Meta.identity(db) else { return }
        var assignment = identity.worker.assignment
        for v in cursors where !assignment.covers(v) { assignment.villages.insert(v) }
        for v in dropped { assignment.villages.remove(v) }
        guard assignment != identity.worker.assignment else { return }
        identity.worker.assignment = assignment
        try Meta.setIdentity(db, identity)
    }
}

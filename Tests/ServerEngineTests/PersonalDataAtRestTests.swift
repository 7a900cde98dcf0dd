import DataProtection
import FieldModel
import Foundation
import ServerEngine
import ServerSQLite
import SyncCore
import Testing

/// Record states are sealed at rest on every backend, ID numbers found by blind index only,
/// and a rotation re-seals everything online (SPEC §11.6).
@Suite("Personal data at rest: sealed states, blind index, rotation")
struct PersonalDataAtRestTests {
    static let a = Fixture.villageA
    static var members: [Member] { Fixture.dataset.members.filter { $0.village == a } }

    @Test("every stored state is sealed under the active key, and people are found by their ID number", arguments: StoreBackend.all)
    func sealedAndIndexed(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            try await Fixture.seed(engine, Self.a)
            let people = try #require(engine.store as? any PeopleStore)
            let summary = try await people.sealingSummary()
            #expect(summary.keys.map { $0 } == [TestKeys.ring.activeKeyID] && summary.values.reduce(0, +) > 0, "\(summary)")
            for member in Self.members.prefix(25) {
                let found = try await people.people(indexes: [people.codec.personIndex.value(of: member.idNumber.rawValue)])
                #expect(found.contains { $0.key == RecordKey(.member, member.id, scope: Self.a) }, "member \(member.id) is found")
            }
            let heads = Fixture.households(in: Self.a).prefix(10)
            for h in heads {
                let found = try await people.people(indexes: [people.codec.personIndex.value(of: h.headIDNumber.rawValue)])
                #expect(found.contains { $0.key == Fixture.key(h) }, "the household is found by its head's ID number")
            }
            let stranger = IDCardNumber.make(region: Self.a.county, birth: CalendarDate(year: 1901, month: 1, day: 1)!, sequence: 1)
            #expect(try await people.people(indexes: [people.codec.personIndex.value(of: stranger.rawValue)]).isEmpty)
            // What the store hands back is the plain state, as pushed.
            let member = Self.members[0]
            let state = try #require(try await engine.store.record(RecordKey(.member, member.id, scope: Self.a)))
            #expect(state.value(Schema.member.id("idNumber")) == .text(member.idNumber.rawValue))
        }
    }

    @Test("an income review leaves a household's index as it was; a new head ID number moves it, and moving it back restores it", arguments: StoreBackend.all)
    func indexFollowsIDNumbers(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            try await Fixture.seed(engine, Self.a)
            let people = try #require(engine.store as? any PeopleStore)
            var device = TestDevice(Fixture.assistant(of: Self.a), replica: 0xA11CE)
            try await device.syncUntilDone(engine)
            let h = Fixture.household(in: Self.a), key = Fixture.key(h)
            let replaced = IDCardNumber.make(region: Self.a.county, birth: CalendarDate(year: 1971, month: 3, day: 9)!, sequence: 417)
            func holders(_ number: IDCardNumber) async throws -> [RecordKey] {
                try await people.people(indexes: [people.codec.personIndex.value(of: number.rawValue)]).map(\.key).filter { $0.collection == .household }
            }
            let income = device.set(key, "monthlyIncomeFen", .int(12_345))
            #expect(try await device.sync(engine, [income]).rejections.isEmpty)
            #expect(try await holders(h.headIDNumber) == [key])
            let moved = device.set(key, "headIDNumber", .text(replaced.rawValue))
            let answer = try await device.sync(engine, [moved])
            #expect(answer.rejections.isEmpty, "\(answer.rejections)")
            let (oldHolders, newHolders) = (try await holders(h.headIDNumber), try await holders(replaced))
            #expect(oldHolders.isEmpty && newHolders == [key])
            let back = device.set(key, "headIDNumber", .text(h.headIDNumber.rawValue))
            #expect(try await device.sync(engine, [back]).rejections.isEmpty)
            let (restored, left) = (try await holders(h.headIDNumber), try await holders(replaced))
            #expect(restored == [key] && left.isEmpty)
        }
    }

    @Test("no ID number, name or address is in the SQLite file or its WAL")
    func nothingPlainOnDisk() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sealed-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try SQLiteSyncStore(path: dir + "/server.sqlite", keys: TestKeys.ring)
        try await Fixture.seed(SyncEngine(store: store, configuration: .init(serverReplica: Fixture.serverReplica)), Self.a)
        try await store.close()
        let secrets = Self.members.map(\.idNumber.rawValue) + Fixture.households(in: Self.a).flatMap { [$0.headName, $0.addressDetail] }
        #expect(try PlainScan.find(secrets, inFilesUnder: dir).isEmpty)
    }

    @Test("rotate: a new data key, then every record re-sealed in batches; the old key can go")
    func rotation() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rotate-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/server.sqlite", old = KeyRing.generate()
        var store = try SQLiteSyncStore(path: path, keys: old)
        let created = try await Fixture.seed(SyncEngine(store: store, configuration: .init(serverReplica: Fixture.serverReplica)), Self.a)
        let before = try await store.pull([Self.a: 0], limit: 5_000)
        try await store.close()

        let rotated = old.addingKey()
        store = try SQLiteSyncStore(path: path, keys: rotated)
        var cursor: RecordID?, resealed = 0, batches = 0
        repeat {
            let progress = try await store.resealBatch(after: cursor, limit: 37)
            resealed += progress.resealed
            cursor = progress.last
            batches += 1
        } while cursor != nil
        #expect(resealed == created && batches > created / 37)
        #expect(try await store.sealingSummary() == [rotated.activeKeyID: created])
        #expect(try await store.resealBatch(after: nil, limit: 10_000).resealed == 0, "a second pass finds nothing to do")
        try await store.close()

        // Without the old key, everything still reads, the same as before, sequences unchanged.
        store = try SQLiteSyncStore(path: path, keys: try rotated.removingKey(old.activeKeyID))
        let after = try await store.pull([Self.a: 0], limit: 5_000)
        #expect(after.records == before.records && after.watermark == before.watermark)
        try await store.close()
    }

    @Test("a store written before sealing is read, then sealed and indexed by a re-seal, leaving no plain bytes on disk")
    func legacyPlainStore() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("legacy-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/server.sqlite", ring = KeyRing.generate()
        var store = try SQLiteSyncStore(path: path, codec: .unsealed(indexing: ring), chains: LogChains(keys: ring))
        let created = try await Fixture.seed(SyncEngine(store: store, configuration: .init(serverReplica: Fixture.serverReplica)), Self.a)
        try await store.close()
        let ids = Self.members.map(\.idNumber.rawValue)
        #expect(!(try PlainScan.find(ids, inFilesUnder: dir).isEmpty), "the plain store does hold ID numbers (the scan sees them)")

        store = try SQLiteSyncStore(path: path, keys: ring)
        #expect(try await store.sealingSummary() == [nil: created])
        let member = Self.members[0]
        #expect(try await store.record(RecordKey(.member, member.id, scope: Self.a))?.value(Schema.member.id("idNumber")) == .text(member.idNumber.rawValue))
        var cursor: RecordID?
        repeat { cursor = try await store.resealBatch(after: cursor, limit: 100).last } while cursor != nil
        #expect(try await store.sealingSummary() == [ring.activeKeyID: created])
        #expect(try await store.people(indexes: [store.codec.personIndex.value(of: member.idNumber.rawValue)]).map(\.key.id).contains(member.id))
        #expect(try await store.finishResealing(hadPlainStates: true) == nil)
        try await store.close()
        let left = try PlainScan.find(ids, inFilesUnder: dir)
        #expect(left.isEmpty, "secure_delete and the checkpoint leave no old plain page behind: \(left.count) found, in \(Set(left.map(\.file)))")
    }
}

/// Finds which of `secrets` appear, as UTF-8 bytes, in any file under a directory.
enum PlainScan {
    static func find(_ secrets: [String], inFilesUnder directory: String) throws -> [(file: String, secret: String)] {
        var found: [(String, String)] = []
        let files = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
        for file in files {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory + "/" + file, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = FileManager.default.contents(atPath: directory + "/" + file) else { continue }
            for secret in secrets where data.range(of: Data(secret.utf8)) != nil { found.append((file, secret)) }
        }
        return found
    }
}

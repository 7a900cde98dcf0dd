import FieldModel
import Foundation
import ServerEngine
import ServerPostgres
import SyncCore
import SyncProtocol
import Synchronization
import TestSupport
import Testing

/// What only a database shared by several server instances can get wrong: two stores (two
/// connection pools, as two `doorstep-server` processes hold) on one schema, used at once.
@Suite("PostgreSQL shared by several instances", .serialized)
struct PostgresConcurrencyTests {
    /// Under CI the storage suites must have run on PostgreSQL too; elsewhere they ran on SQLite
    /// alone and said so (`TestPostgres`).
    @Test("under CI the tests run against PostgreSQL (scripts/test.sh starts one)")
    func configured() {
        #expect(TestPostgres.url != nil || !TestPostgres.isCI,
                "CI=true but DOORSTEP_TEST_POSTGRES_URL is unset, so the storage suites could not run on PostgreSQL; scripts/test.sh starts a cluster and sets it")
    }

    /// Two open stores on one fresh schema, closed after `body`.
    static func withInstances<T>(_ body: (PostgresSyncStore, PostgresSyncStore) async throws -> T) async throws -> T {
        let location = try TestPostgres.freshLocation()
        let one = try await PostgresSyncStore.open(location, keys: TestKeys.ring)
        let two = try await PostgresSyncStore.open(location, keys: TestKeys.ring)
        do {
            let result = try await body(one, two)
            try await one.close()
            try await two.close()
            return result
        } catch {
            try? await one.close()
            try? await two.close()
            throw error
        }
    }

    @Test("instances opening a new schema together migrate it once", .enabled(if: TestPostgres.runs))
    func concurrentMigration() async throws {
        let location = try TestPostgres.freshLocation()
        let stores = try await withThrowingTaskGroup(of: PostgresSyncStore.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresSyncStore.open(location, keys: TestKeys.ring) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stores.count == 4)
        var maker = ChangeMaker(0xB1)
        let household = Fixture.household(in: Fixture.villageA)
        _ = try await stores[0].pushMerged(try maker.input([maker.create(household)]))
        for store in stores {
            #expect(try await store.record(Fixture.key(household)) != nil, "every instance sees the one schema")
            try await store.close()
        }
    }

    /// Pushers on both instances create households in two villages while pullers on both keep
    /// pulling from their cursors. A cursor that passed a change committing late would never
    /// see that record again (each is written once): every puller must end with every record.
    @Test("a pull never skips a change that commits late on another instance", .enabled(if: TestPostgres.runs))
    func noSkippedChanges() async throws {
        try await Self.withInstances { one, two in
            let villages = [Fixture.villageA, Fixture.villageB]
            let households = villages.flatMap(Fixture.households(in:))
            let pushers = 6
            let done = Flag()
            let pulled = try await withThrowingTaskGroup(of: Set<RecordID>?.self) { group in
                for p in 0..<pushers {
                    let store = p.isMultiple(of: 2) ? one : two
                    let mine = households.enumerated().filter { $0.offset % pushers == p }.map(\.element)
                    group.addTask {
                        var maker = ChangeMaker(0xC0 + UInt64(p))
                        for start in stride(from: 0, to: mine.count, by: 3) {
                            let batch = mine[start..<min(start + 3, mine.count)].map { maker.create($0) }
                            try await Self.pushRetryingTimeouts(try maker.input(batch), to: store)
                        }
                        return nil
                    }
                }
                for store in [one, two, one, two] {
                    group.addTask {
                        var cursors = Dictionary(uniqueKeysWithValues: villages.map { ($0, UInt64(0)) })
                        var seen = Set<RecordID>()
                        func drain() async throws {
                            while true {
                                let page = try await store.pull(cursors, limit: 5)
                                seen.formUnion(page.records.map(\.key.id))
                                cursors = cursors.mapValues { max($0, page.watermark) }
                                if !page.hasMore { return }
                            }
                        }
                        // A short pause between drains: pullers in a tight loop starved the pushers of
                        // the database's CPU on a loaded CI machine until a push's lock wait passed
                        // the 60 s statement timeout; pulls still interleave with every commit.
                        while !done.isSet {
                            try await drain()
                            try await Task.sleep(for: .milliseconds(5))
                        }
                        try await drain()
                        return seen
                    }
                }
                var results: [Set<RecordID>] = []
                var finishedPushers = 0
                while let result = try await group.next() {
                    if let seen = result { results.append(seen) } else {
                        finishedPushers += 1
                        if finishedPushers == pushers { done.set() }
                    }
                }
                return results
            }
            #expect(pulled.count == 4)
            let expected = Set(households.map(\.id))
            for seen in pulled {
                #expect(seen == expected, "a puller missed \(expected.subtracting(seen).count) of \(expected.count) records")
            }
        }
    }

    /// Pushes as a device does: a push the database cancelled at its statement timeout (57014),
    /// or the store gave up at its operation timeout, is sent again, up to three times. On a CI machine running every
    /// suite against the one PostgreSQL, a push's lock wait once passed the 60 s timeout; what
    /// this suite checks (no pull skips a late commit) holds for every push that commits, retried
    /// or not. Any other error fails the test; each retry is printed.
    static func pushRetryingTimeouts(_ input: PushInput, to store: PostgresSyncStore) async throws {
        var timeouts = 0
        while true {
            do {
                _ = try await store.pushMerged(input)
                return
            } catch let error as SyncEngineError where error.code == .storage && (error.message.contains("57014") || error.message.contains("operation_timeout")) && timeouts < 3 {
                timeouts += 1
                print("PostgresConcurrencyTests: push of replica \(input.replica) timed out (\(timeouts) of 3), sent again: \(error.message)")
            }
        }
    }

    /// A device whose response was lost on one instance retries on another while the first is
    /// still applying the batch: the batch applies once, the second answer is a duplicate.
    @Test("the same batch sent to two instances at once applies exactly once", .enabled(if: TestPostgres.runs))
    func sameBatchOnTwoInstances() async throws {
        try await Self.withInstances { one, two in
            let configuration = SyncEngine.Configuration(serverReplica: Fixture.serverReplica)
            let engines = [SyncEngine(store: one, configuration: configuration), SyncEngine(store: two, configuration: configuration)]
            _ = try await Fixture.seed(engines[0], Fixture.villageA)
            var device = TestDevice(Fixture.assistant(of: Fixture.villageA), replica: 0xD1)
            try await device.syncUntilDone(engines[0])
            for round in 0..<20 {
                let household = Fixture.households(in: Fixture.villageA)[round]
                let change = device.set(Fixture.key(household), "phone", .text("1390000\(String(format: "%04d", round))"))
                let request = device.request([change])
                let context = device.context
                let responses = try await withThrowingTaskGroup(of: SyncResponse.self) { group in
                    for engine in engines { group.addTask { try await engine.sync(request, device: context, now: Fixture.now) } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(responses.allSatisfy { $0.acked == [change.dot.counter] && $0.rejections.isEmpty }, "round \(round): both answers acknowledge")
                let audit = try await one.auditEntries(replica: device.replica, limit: 1_000)
                #expect(audit.filter { $0.dot == change.dot }.count == 1, "round \(round): the change is in the audit log once")
                device.apply(responses[0])
            }
        }
    }

    @Test("a malformed database URL is refused with what is wrong", arguments: [
        ("mysql://u@h/db", "is not a postgres:// URL"),
        ("postgres://h/db", "names no user"),
        ("postgres://u@h", "names no database"),
        ("postgres://u@h/db?schema=Bad-Name", "schema"),
        ("postgres://u@h/db?pool=0", "pool=0"),
        ("postgres://u@h/db?sslmode=prefer", "sslmode=prefer"),
        ("postgres://u@h/db?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem", "sslrootcert=/nonexistent/ca.pem"),
        ("postgres://u@h/db?colour=red", "unknown option colour"),
        ("postgres://u:secret@h/db?pool=x", "***"),
    ])
    func malformedURL(url: String, problem: String) {
        #expect {
            _ = try PostgresLocation(url: url)
        } throws: { error in
            let message = "\(error)"
            return (error as? SyncEngineError)?.code == .invalidArgument && message.contains(problem) && !message.contains("secret")
        }
    }

    @Test("a database URL gives host, port, socket, schema and pool")
    func wellFormedURL() throws {
        let tcp = try PostgresLocation(url: "postgres://doorstep:pw@db.internal:6543/doorstep?schema=county_140821&pool=40")
        #expect((tcp.host, tcp.port, tcp.username, tcp.password) == ("db.internal", 6543, "doorstep", "pw"))
        #expect((tcp.database, tcp.schema, tcp.maxConnections) == ("doorstep", "county_140821", 40))
        #expect(!tcp.description.contains("pw"))
        let socket = try PostgresLocation(url: "postgresql://doorstep@/doorstep?host=/var/run/postgresql")
        #expect(socket.socketPath == "/var/run/postgresql" && socket.schema == "public" && socket.maxConnections == 16)
    }
}

/// A flag set once, read by many tasks.
final class Flag: Sendable {
    private let state = Mutex(false)
    var isSet: Bool { state.withLock { $0 } }
    func set() { state.withLock { $0 = true } }
}

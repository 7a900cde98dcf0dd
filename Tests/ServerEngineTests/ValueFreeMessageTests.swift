import FieldModel
import ServerEngine
import SyncCore
import SyncProtocol
import Testing

/// Rejection messages are stored with the dot and sent back: they never carry a value of a
/// sensitive field — a reused dot, a refused create, a refused set (SPEC §11.6).
@Suite("Rejections never repeat a sensitive value")
struct ValueFreeMessageTests {
    static let a = Fixture.villageA

    @Test("a reused dot, a refused create and a refused set of an income or an ID number name no value", arguments: StoreBackend.all)
    func refusals(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            try await Fixture.seed(engine, Self.a)
            var device = TestDevice(Fixture.assistant(of: Self.a), replica: 0x5E51)
            try await device.syncUntilDone(engine)
            let h = Fixture.household(in: Self.a)
            var secrets: [String] = []

            // A set of an income, then the same dot with another income: dot_reused.
            let first = device.set(Fixture.key(h), "monthlyIncomeFen", .int(123_457))
            try await device.sync(engine, [first])
            let reused = Change(dot: first.dot, record: first.record, operation: .set(first.operation.field!, .int(765_433)), context: first.context,
                                hlc: first.hlc, author: first.author, schemaVersion: first.schemaVersion)
            secrets += ["123457", "765433", "1234.57", "7654.33"]

            // A create of a member whose ID number fails its check, and a negative income.
            var member = Fixture.dataset.members.first { $0.village == Self.a }!
            member.id = Fixture.freshID(91)
            let badID = String(member.idNumber.rawValue.dropLast()) + (member.idNumber.rawValue.last == "1" ? "2" : "1")
            var values = member.fieldValues
            values[Schema.member.id("idNumber")] = .text(badID)
            let create = device.write(.create(values), to: RecordKey(.member, member.id, scope: Self.a))
            secrets += [badID, String(badID.prefix(10)), String(badID.suffix(8))]
            let negative = device.set(Fixture.key(h), "assetsFen", .int(-987_653))
            secrets += ["987653", "-987653"]

            let response = try await device.sync(engine, [reused, create, negative])
            #expect(Set(response.rejections.map(\.reason)) == ["dot_reused", "invalid_value"], "\(response.rejections)")
            for rejection in response.rejections {
                for secret in secrets { #expect(!rejection.message.contains(secret), "\(rejection.reason): \(rejection.message) names \(secret)") }
            }
            // Sent again, the stored verdicts come back as they were: the store holds no value either.
            let again = try await device.sync(engine, [reused, create, negative])
            #expect(again.rejections.map(\.message) == response.rejections.map(\.message))
        }
    }
}

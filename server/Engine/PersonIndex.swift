import DataProtection
import FieldModel
import SyncCore

/// The keyed blind index of the ID numbers on the roll: how the server finds a person, and
/// refuses a roster that would put someone on it twice, without holding an ID number in plain
/// anywhere (SPEC §11.6). Every value of every ID-number field of a record counts, concurrent
/// ones waiting for a reviewer included.
public struct PersonIndex: Sendable {
    let index: BlindIndex

    public init(ring: KeyRing) { index = BlindIndex(ring: ring, purpose: "person") }

    /// The index of one ID number, as a worker typed or a roster gave it (an `x` check
    /// character counts as `X`).
    public func value(of idNumber: String) -> [UInt8] { index.value(of: idNumber.uppercased()) }

    /// The indexes a record's state contributes: one per distinct ID number it holds; none for
    /// a deleted record or a collection without ID numbers.
    public func values(of state: RecordState) -> [[UInt8]] {
        Self.idNumbers(of: state).sorted().map(index.value(of:))
    }

    /// The distinct ID numbers a state holds (upper-cased), every value of every ID-number field:
    /// what its indexes are made of, so two states with the same set index alike.
    public static func idNumbers(of state: RecordState) -> Set<String> {
        var numbers = Set<String>()
        for id in Schema.idNumberFields(of: state.key.collection) {
            for sibling in state.fields[id]?.siblings ?? [] { if let text = sibling.value.textValue { numbers.insert(text.uppercased()) } }
        }
        return numbers
    }
}

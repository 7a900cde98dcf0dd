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
        let texts = Schema.idNumberFields(of: state.key.collection).flatMap { id in
            (state.fields[id]?.siblings ?? []).compactMap { $0.value.textValue }
        }
        return Set(texts.map { $0.uppercased() }).sorted().map(index.value(of:))
    }
}

import FieldModel
import SyncCore

/// A `ChangeBatch`'s operations: one op per change (the field number shifted left by two, the
/// kind in the low bits: 0 set, 1 transition, 2 create, 3 delete), a create's field count and
/// field numbers (in ascending order), and every value the operations carry, in order.
struct OperationColumns {
    private(set) var ops: [UInt32] = []
    private(set) var createSizes: [UInt32] = []
    private(set) var createFields: [UInt32] = []
    private var values = ValueColumnWriter()

    mutating func append(_ operation: Change.Operation) {
        switch operation {
        case .set(let f, let v):
            ops.append(UInt32(f.rawValue) << 2 | 0)
            values.append(v)
        case .transition(let f, let from, let to):
            ops.append(UInt32(f.rawValue) << 2 | 1)
            values.append(from)
            values.append(to)
        case .create(let fields):
            ops.append(2)
            let sorted = fields.sorted { $0.key < $1.key }
            createSizes.append(UInt32(sorted.count))
            for (f, v) in sorted {
                createFields.append(UInt32(f.rawValue))
                values.append(v)
            }
        case .delete:
            ops.append(3)
        }
    }

    func write(into batch: inout Doorstep_Sync_V1_ChangeBatch) {
        batch.ops = ops
        batch.createSizes = createSizes
        batch.createFields = createFields
        batch.values = values.finished()
    }
}

/// Reads the operations back in order. The decoder has checked that the create sizes match the
/// creates and add up to the create fields.
struct OperationColumnReader {
    private let ops: [UInt32]
    private let createSizes: [UInt32]
    private let createFields: [UInt32]
    private var values: ValueColumnReader
    private var change = 0
    private var create = 0
    private var createField = 0

    init(_ batch: Doorstep_Sync_V1_ChangeBatch, limits: MessageLimits) throws(ProtocolError) {
        ops = batch.ops
        createSizes = batch.createSizes
        createFields = batch.createFields
        values = try ValueColumnReader(batch.values, limits: limits)
    }

    /// The next change's operation.
    mutating func operation() throws(ProtocolError) -> Change.Operation {
        let op = ops[change]
        defer { change += 1 }
        let field = FieldID(UInt16(truncatingIfNeeded: op >> 2))
        guard op >> 2 <= UInt32(UInt16.max) else { throw ProtocolError(.invalidValue, "change \(change) names field \(op >> 2)") }
        switch op & 3 {
        case 0: return .set(field, try values.next())
        case 1: return .transition(field, from: try values.next(), to: try values.next())
        case 2:
            guard op >> 2 == 0 else { throw ProtocolError(.invalidValue, "create \(change) names a field") }
            var fields: FieldValues = [:]
            let n = Int(createSizes[create])
            create += 1
            for _ in 0..<n {
                let f = createFields[createField]
                createField += 1
                guard f <= UInt32(UInt16.max), fields[FieldID(UInt16(f))] == nil else {
                    throw ProtocolError(.invalidValue, "create \(change) names field \(f) twice or out of range")
                }
                fields[FieldID(UInt16(f))] = try values.next()
            }
            return .create(fields)
        default:
            guard op >> 2 == 0 else { throw ProtocolError(.invalidValue, "delete \(change) names a field") }
            return .delete
        }
    }

    /// Every value column consumed exactly.
    func finish() throws(ProtocolError) { try values.finish() }
}

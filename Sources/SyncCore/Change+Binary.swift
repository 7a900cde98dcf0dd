import FieldModel

extension Change {
    /// The change's canonical bytes: how an outbox stores it, and what its content digest hashes.
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(capacity: 96)
        w.fixed64(dot.replica.rawValue)
        w.varint(dot.counter)
        w.byte(record.collection.rawValue)
        w.recordID(record.id)
        w.varint(record.scope.rawValue)
        switch operation {
        case .create(let values):
            w.byte(0)
            w.varint(UInt64(values.count))
            for (id, v) in values.sorted(by: { $0.key < $1.key }) {
                w.varint(UInt64(id.rawValue))
                w.value(v)
            }
        case .set(let id, let v):
            w.byte(1)
            w.varint(UInt64(id.rawValue))
            w.value(v)
        case .transition(let id, let from, let to):
            w.byte(2)
            w.varint(UInt64(id.rawValue))
            w.value(from)
            w.value(to)
        case .delete:
            w.byte(3)
        }
        w.versionVector(context)
        w.varint(hlc.rawValue)
        w.string(author.rawValue)
        w.varint(UInt64(schemaVersion))
        return w.bytes
    }

    /// Reads what `encoded()` wrote, checking every part.
    public init(decoding bytes: [UInt8]) throws(DecodeError) {
        var r = BinaryReader(bytes)
        let dot = Dot(ReplicaID(try r.fixed64()), try r.varint())
        let rawCollection = try r.byte()
        guard let collection = RecordCollection(rawValue: rawCollection) else { throw r.fail("unknown collection \(rawCollection)") }
        let id = try r.recordID()
        let scope: VillageCode
        do { scope = try VillageCode(validating: try r.varint()) } catch let e as ValidationError { throw r.fail(e.message) } catch {
            throw error as! DecodeError
        }
        func field(_ r: inout BinaryReader) throws(DecodeError) -> FieldID {
            let raw = try r.varint()
            guard raw <= UInt64(UInt16.max) else { throw r.fail("field \(raw) out of range") }
            return FieldID(UInt16(raw))
        }
        let operation: Operation
        switch try r.byte() {
        case 0:
            let n = try r.count(limit: 256)
            var values: FieldValues = [:]
            for _ in 0..<n {
                let f = try field(&r)
                values[f] = try r.value()
            }
            operation = .create(values)
        case 1: operation = .set(try field(&r), try r.value())
        case 2: operation = .transition(try field(&r), from: try r.value(), to: try r.value())
        case 3: operation = .delete
        case let b: throw r.fail("unknown operation \(b)")
        }
        let context = try r.versionVector()
        let hlc = HLCTimestamp(rawValue: try r.varint())
        let author = WorkerID(unchecked: try r.string(limit: 64))
        let version = try r.varint()
        guard version <= UInt64(UInt32.max) else { throw r.fail("schema version \(version) out of range") }
        guard r.isAtEnd else { throw r.fail("\(r.remaining) trailing bytes") }
        self.init(dot: dot, record: RecordKey(collection, id, scope: scope), operation: operation, context: context,
                  hlc: hlc, author: author, schemaVersion: UInt32(version))
    }

    /// The hash of the change's content: two changes with one dot and different digests are a
    /// reused dot.
    public var contentDigest: Digest128 { StableHash.hash128(encoded()) }
}

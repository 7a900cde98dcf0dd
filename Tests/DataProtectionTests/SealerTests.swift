import DataProtection
import Foundation
import Testing

@Suite("Sealing with AES-GCM under a numbered key ring")
struct SealerTests {
    static let sizes = [0, 1, 15, 16, 17, 200, 4_096, 70_000]

    @Test("what is sealed opens to the same bytes, under its purpose only", arguments: sizes)
    func roundTrip(size: Int) throws {
        let ring = KeyRing.generate()
        let sealer = Sealer(ring: ring)
        var random = SystemRandomNumberGenerator()
        let plain = (0..<size).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        let sealed = sealer.seal(plain, purpose: "record-state")
        #expect(sealed.count == plain.count + Sealer.overhead)
        #expect(Sealer.keyID(of: sealed) == ring.activeKeyID)
        #expect(try sealer.open(sealed, purpose: "record-state") == plain)
        #expect(throws: SealError.self) { try sealer.open(sealed, purpose: "outbox-change") }
        // The same value sealed twice differs (a fresh nonce each time).
        #expect(sealer.seal(plain, purpose: "record-state") != sealed)
    }

    @Test("nonces are never handed out twice: 20,000 seals from eight threads at once, across batches of the nonce pool")
    func noncesAreUnique() async throws {
        let sealer = Sealer(ring: KeyRing.generate())
        let sealed = await withTaskGroup(of: [[UInt8]].self) { group in
            for thread in 0..<8 {
                group.addTask { (0..<2_500).map { sealer.seal([UInt8(thread), UInt8(truncatingIfNeeded: $0)], purpose: "p") } }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        let nonces = Set(sealed.map { Array($0[6..<18]) })
        #expect(sealed.count == 20_000 && nonces.count == 20_000)
        for value in sealed.prefix(300) { #expect(try sealer.open(value, purpose: "p").count == 2) }
        // Copies of a sealer share its pool.
        let copy = sealer
        #expect(Array(copy.seal([1], purpose: "p")[6..<18]) != Array(sealer.seal([1], purpose: "p")[6..<18]))
    }

    @Test("flipping any bit of a sealed value makes it fail to open")
    func everyBitIsAuthenticated() {
        let sealer = Sealer(ring: KeyRing.generate())
        let sealed = sealer.seal(Array("户主 王建国 140821196503121239".utf8), purpose: "p")
        for byte in 0..<sealed.count {
            for bit in 0..<8 {
                var altered = sealed
                altered[byte] ^= 1 << bit
                #expect(throws: SealError.self, "byte \(byte) bit \(bit)") { try sealer.open(altered, purpose: "p") }
            }
        }
    }

    @Test("a rotated ring opens what the old key sealed and seals under the new one")
    func rotation() throws {
        let old = KeyRing.generate()
        let sealedBefore = Sealer(ring: old).seal([1, 2, 3], purpose: "p")
        let rotated = old.addingKey()
        #expect(rotated.activeKeyID == old.activeKeyID + 1 && rotated.keyIDs == [1, 2])
        let sealer = Sealer(ring: rotated)
        #expect(try sealer.open(sealedBefore, purpose: "p") == [1, 2, 3])
        #expect(Sealer.keyID(of: sealer.seal([4], purpose: "p")) == 2)
        let retired = try rotated.removingKey(1)
        let error = #expect(throws: SealError.self) { try Sealer(ring: retired).open(sealedBefore, purpose: "p") }
        #expect(error?.code == .unknownKey && error?.message.contains("data key 1") == true)
        #expect(throws: KeyRingError.self) { try rotated.removingKey(2) }
    }

    @Test("plain bytes are told apart from sealed ones")
    func plainIsNotSealed() {
        for first in UInt8(0)...UInt8(0xD4) { #expect(!Sealer.isSealed([first, 0x01, 0, 0, 0, 1])) }
        #expect(throws: SealError.self) { try Sealer(ring: KeyRing.generate()).open([1, 2, 3], purpose: "p") }
    }
}

@Suite("The key ring's text form, blind indexes, chains and derived ids")
struct KeyRingTests {
    @Test("a ring survives its text form, with comments and semicolons")
    func textRoundTrip() throws {
        let ring = KeyRing.generate().addingKey().addingKey()
        let again = try KeyRing(text: ring.text)
        #expect(again.activeKeyID == 3 && again.keyIDs == [1, 2, 3])
        #expect(again.text == ring.text)
        let oneLine = try KeyRing(text: ring.text.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: ";"))
        #expect(oneLine.text == ring.text)
        // The same secrets: what one seals, the other opens.
        #expect(try Sealer(ring: again).open(Sealer(ring: ring).seal([9], purpose: "p"), purpose: "p") == [9])
        #expect(BlindIndex(ring: again, purpose: "person").value(of: "x") == BlindIndex(ring: ring, purpose: "person").value(of: "x"))
    }

    @Test("a ring that cannot be used is refused with the line that is wrong", arguments: [
        ("", "no index secret"),
        ("index AAAA", "line 1: a key is 32 bytes"),
        ("index \(String(repeating: "A", count: 43))=", "no data key"),
        ("index \(String(repeating: "A", count: 43))=\ndata 1 \(String(repeating: "B", count: 43))=\ndata 2 \(String(repeating: "C", count: 43))=", "none marked active"),
        ("index \(String(repeating: "A", count: 43))=\ndata 0 \(String(repeating: "B", count: 43))= active", "line 2: data key id"),
        ("index \(String(repeating: "A", count: 43))=\ndata 1 \(String(repeating: "B", count: 43))= live", "only \"active\""),
        ("secret \(String(repeating: "A", count: 43))=", "line 1: expected"),
    ])
    func refused(text: String, problem: String) {
        let error = #expect(throws: KeyRingError.self) { try KeyRing(text: text) }
        #expect(error?.message.contains(problem) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(String(repeating: "B", count: 20)) == false, "a key never appears in a message")
    }

    @Test("blind indexes: equal values match, others do not, and another ring gives other indexes")
    func blindIndex() {
        let ring = KeyRing.generate()
        let index = BlindIndex(ring: ring, purpose: "person")
        var seen = Set<[UInt8]>()
        for n in 0..<2_000 { seen.insert(index.value(of: "14082119650312\(1000 + n)")) }
        #expect(seen.count == 2_000 && seen.allSatisfy { $0.count == BlindIndex.size })
        #expect(index.value(of: "a") == index.value(of: "a"))
        #expect(BlindIndex(ring: KeyRing.generate(), purpose: "person").value(of: "a") != index.value(of: "a"))
        #expect(BlindIndex(ring: ring, purpose: "other").value(of: "a") != index.value(of: "a"), "purposes never share a key")
        // Rotating the data keys leaves the index secret, and so every index, as it was.
        #expect(BlindIndex(ring: ring.addingKey(), purpose: "person").value(of: "a") == index.value(of: "a"))
    }

    @Test("a chain link depends on every byte of the entry and of the link before")
    func chain() {
        let key = ChainKey(ring: KeyRing.generate(), purpose: "audit")
        let first = key.link(after: ChainKey.origin, entry: [1, 2, 3])
        #expect(first.count == ChainKey.size)
        #expect(key.link(after: ChainKey.origin, entry: [1, 2, 4]) != first)
        #expect(key.link(after: first, entry: [1, 2, 3]) != first)
        #expect(ChainKey(ring: KeyRing.generate(), purpose: "audit").link(after: ChainKey.origin, entry: [1, 2, 3]) != first)
    }
}

@Suite("The file key store")
struct FileKeyStoreTests {
    @Test("items are files of mode 0600 in a directory of mode 0700; removeAll leaves nothing")
    func filesAndModes() throws {
        let dir = NSTemporaryDirectory() + "keystore-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = FileKeyStore(directory: dir)
        #expect(try store.item("token") == nil)
        let ring = try store.keyRing("replica-keys")
        #expect(try store.keyRing("replica-keys").text == ring.text, "created once, then read back")
        try store.setText("token", "dst_abc")
        try store.setText("token", "dst_def")
        #expect(try store.text("token") == "dst_def")
        func mode(_ path: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? NSNumber)?.intValue ?? -1 }
        #expect(mode(dir) == 0o700 && mode(dir + "/token") == 0o600 && mode(dir + "/replica-keys") == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["replica-keys", "token"], "no temporary file left")
        #expect(throws: KeyStoreError.self) { try store.setText("../escape", "x") }
        try store.removeAll()
        #expect(!FileManager.default.fileExists(atPath: dir))
        #expect(try store.item("token") == nil)
    }

    @Test("a key file others may read is refused; a missing one is created only when asked")
    func keyFilePermissions() async throws {
        let dir = NSTemporaryDirectory() + "keyfile-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/data.keys"
        await #expect(throws: KeyRingError.self) { try await KeyRingFile(path: path).load() }
        let created = try KeyRingFile(path: path, createIfMissing: true).load()
        #expect(try KeyRingFile(path: path).load().text == created.text)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let error = await #expect(throws: KeyRingError.self) { try await KeyRingFile(path: path).load() }
        #expect(error?.message.contains("chmod 600") == true)
    }
}

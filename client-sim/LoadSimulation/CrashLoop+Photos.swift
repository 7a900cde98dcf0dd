import DataProtection
import FieldModel
import Foundation
import Replica
import SyncClientHTTP

/// The photo checks of the crash loop: a photo a killed process printed as taken is never lost —
/// its file is whole on the device until the server serves it back with the same SHA-256.
extension CrashLoop {
    /// Every photo device `d` printed and the server has not yet served back is whole in the
    /// device's upload queue, not given up; one the device let go is served whole by the server.
    /// `final`: after the uploads ran to the end, none may still be on the device.
    func checkPhotos(_ d: Int, cycle: Int, replica: Replica, final: Bool) async throws {
        let device = devices[d]
        let queued = Dictionary(try replica.pendingEvidence().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for (id, photo) in device.photos.sorted(by: { $0.key < $1.key }) where !device.photosOnServer.contains(id) {
            guard let evidence = queued[id] else {
                if try await servedWhole(id, photo, by: d, cycle: cycle) { devices[d].photosOnServer.insert(id) }
                continue
            }
            if final { fail("cycle \(cycle): \(device.name)'s photo \(id) is still on the device after its uploads ran to the end") }
            if let failure = evidence.failure { fail("cycle \(cycle): \(device.name) gave up photo \(id): \(failure.code) \(failure.message)") }
            let file = FileManager.default.contents(atPath: evidence.file.path).map { Array($0) }
            if file?.count != photo.byteCount || file.map(ContentHash.sha256) != photo.sha256 {
                fail("cycle \(cycle): \(device.name)'s queued photo \(id) is \(file.map { "\($0.count) damaged bytes" } ?? "missing") at \(evidence.file.path)")
            }
        }
    }

    /// Whether the server serves photo `id` to its device with the bytes it was taken with;
    /// a failure is recorded when it does not.
    func servedWhole(_ id: RecordID, _ photo: CrashLoopDevice.Photo, by d: Int, cycle: Int) async throws -> Bool {
        let device = devices[d]
        let token = try token(of: device)
        var attempt = 0
        while true {
            try await ensureServer()
            do {
                let (response, body) = try await EvidenceVerification.content(id, of: server!.url, token: token, http: FleetHTTPClient.shared)
                guard response.status == .ok else {
                    fail("cycle \(cycle): \(device.name) let photo \(id) go, but the server answers \(response.status.code) for its content")
                    return false
                }
                let bytes = Array(buffer: body)
                guard bytes.count == photo.byteCount, ContentHash.sha256(bytes) == photo.sha256 else {
                    fail("cycle \(cycle): the server serves \(device.name)'s photo \(id) as \(bytes.count) bytes of \(ContentHash.sha256(bytes)), taken as \(photo.byteCount) of \(photo.sha256)")
                    return false
                }
                return true
            } catch {
                // The server died between two requests: the loop's point. Once restarted, ask again.
                attempt += 1
                guard attempt < 10 else { throw error }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Upload rounds of device `d` until nothing waits (restarting a server that died meanwhile),
    /// then every photo it printed is checked on the server.
    func uploadToTheEnd(_ d: Int, cycle: Int) async throws {
        guard configuration.photosPerVisit > 0 else { return }
        let device = devices[d]
        for _ in 1...8 {
            try await ensureServer()
            let replica = try Replica(existingAt: device.replicaPath, wallClock: LoadClock.now)
            let api = HTTPAttachmentUploadAPI(HTTPTransport(server: server!.url, token: try token(of: device)))
            let round = await AttachmentUploader(replica: replica, api: api, chunkMaxBytes: configuration.chunkBytes).upload()
            let waiting = try replica.pendingEvidence().count
            try replica.close()
            for failure in round.failures { fail("cycle \(cycle): \(device.name)'s upload of \(failure.id) was refused: \(failure.code) \(failure.message)") }
            if waiting == 0 || !round.failures.isEmpty { break }
        }
        let replica = try Replica(existingAt: device.replicaPath, wallClock: LoadClock.now)
        defer { try? replica.close() }
        try await checkPhotos(d, cycle: cycle, replica: replica, final: true)
    }
}

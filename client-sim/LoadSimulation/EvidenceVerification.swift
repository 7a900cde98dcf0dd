import AsyncHTTPClient
import DataProtection
import FieldModel
import Foundation
import NIOCore

/// The photo checks after the heal, asked of the server: every photo a device let go (the
/// server said it held the whole file) is served by `GET /v1/attachments/{id}/content` to that
/// device with the SHA-256 the device recorded. Photos still on a phone (a stranded device's, a
/// refused record's) are listed, not failed.
struct EvidenceVerification {
    let devices: [LoadDevice]
    let http: HTTPClient

    /// The largest answer read: over any photo client-sim takes.
    static let maxBytes = 1 << 20

    func verify(_ result: inout VerificationResult) async throws {
        let checks = try await bounded(devices, limit: 16) { [http] device in try await Self.check(device, http: http) }
        for check in checks {
            result.photosVerified += check.verified
            if check.onPhone > 0 { result.photosOnPhones[check.deviceID] = check.onPhone }
            for failure in check.failures { result.fail(failure) }
        }
    }

    struct DeviceCheck: Sendable {
        let deviceID: String
        var verified = 0
        var onPhone = 0
        var failures: [String] = []
    }

    static func check(_ device: LoadDevice, http: HTTPClient) async throws -> DeviceCheck {
        let captured = await device.evidence.captured
        let onPhone = Set(try await device.photosOnPhone().map(\.id))
        let server = await device.server
        var check = DeviceCheck(deviceID: device.deviceID, onPhone: onPhone.count)
        for (id, photo) in captured where !onPhone.contains(id) {
            let (response, body) = try await content(id, of: server, token: device.token, http: http)
            guard response.status == .ok else {
                check.failures.append("\(device.deviceID): photo \(id), uploaded, is answered \(response.status.code) by the server")
                continue
            }
            let sha256 = ContentHash.sha256(Array(buffer: body))
            guard sha256 == photo.sha256, body.readableBytes == photo.byteCount else {
                check.failures.append("\(device.deviceID): photo \(id) is served as \(body.readableBytes) bytes of \(sha256), taken as \(photo.byteCount) bytes of \(photo.sha256)")
                continue
            }
            check.verified += 1
        }
        return check
    }

    /// `GET /v1/attachments/{id}/content` as the device, waiting out its rate limit as a phone would.
    static func content(_ id: RecordID, of server: URL, token: String, http: HTTPClient) async throws -> (HTTPClientResponse, ByteBuffer) {
        var request = HTTPClientRequest(url: server.appendingPathComponent("/v1/attachments/\(id)/content").absoluteString)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        var attempts = 0
        while true {
            attempts += 1
            let response = try await http.execute(request, timeout: .seconds(60))
            let body = try await response.body.collect(upTo: maxBytes)
            guard response.status == .tooManyRequests, attempts < 30 else { return (response, body) }
            let seconds = response.headers.first(name: "Retry-After").flatMap(Double.init) ?? 1
            try await Task.sleep(for: .seconds(min(max(seconds, 0.1), 10)))
        }
    }
}

import Foundation
import LoadSimulation

/// A throwaway certificate authority and a server certificate it signs, for 127.0.0.1 and
/// localhost, made with openssl (scripts/setup.sh installs it) in `directory`.
struct TestCertificates {
    let directory: String
    var ca: String { directory + "/ca.crt" }
    var certificate: String { directory + "/server.crt" }
    var key: String { directory + "/server.key" }

    static func make(in directory: String) async throws -> TestCertificates {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let openssl = URL(fileURLWithPath: "/usr/bin/openssl")
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Doorstep test CA", "-keyout", "ca.key", "-out", "ca.crt"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
             "-extfile", "server.ext", "-out", "server.crt"],
        ]
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n".write(toFile: directory + "/server.ext", atomically: true, encoding: .utf8)
        for step in steps {
            let run = try await ChildProcess.run(openssl, step, in: directory)
            guard run.status == 0 else { throw TestCertificateError(message: "openssl \(step[0]) failed: \(run.output)") }
        }
        return TestCertificates(directory: directory)
    }
}

struct TestCertificateError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

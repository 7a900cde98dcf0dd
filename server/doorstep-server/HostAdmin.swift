import ArgumentParser
import DataProtection
import FieldModel
import Foundation
import Logging
import ServerDirectory
import ServerEngine
import ServerApp
import ServerHTTP

extension Admin {
    struct GenerateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a new key ring, or add a fresh data key to one (--add), mode 0600.",
            discussion: """
                A new ring holds an index secret (blind indexes, roster ids, log chains: never changed) and data key 1.
                --add makes a new data key the active one; restart every instance with the file, then run rotate-key
                to re-seal what the older keys sealed. Keep the file away from the database and its backups.
                """)
        @Option(help: "The key file.") var keyFile: String
        @Flag(help: "Add a new active data key to an existing ring.") var add = false

        func run() async throws {
            let file = KeyRingFile(path: keyFile)
            do {
                if add {
                    let ring = try file.load().addingKey()
                    try file.save(ring)
                    print("added data key \(ring.activeKeyID) to \(keyFile) (keys \(ring.keyIDs.map(String.init).joined(separator: ", "))); restart the servers with it, then run rotate-key")
                } else {
                    guard !FileManager.default.fileExists(atPath: keyFile) else {
                        throw ValidationError("\(keyFile) exists: it may seal a database; pass --add to add a data key, never overwrite it")
                    }
                    try file.save(KeyRing.generate())
                    print("wrote a new key ring to \(keyFile) (mode 0600)")
                }
            } catch let error as KeyRingError { throw ValidationError(error.message) }
        }
    }

    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-seal, in batches while the server runs, every record not sealed under the ring's active data key.",
            discussion: """
                Each batch is one short transaction; devices pull nothing again. Records stored before sealing began are
                sealed too, and their ID numbers indexed. When it ends every record is under the active key, and the older
                data keys can be taken out of the key file.
                """)
        @OptionGroup var store: StoreLocation
        @Option(help: "Records per transaction.") var batch = 500

        func run() async throws {
            let (_, opened) = try await store.open()
            let hadPlainStates = (try await opened.sealingSummary())[nil] != nil
            var cursor: RecordID?
            var scanned = 0, resealed = 0
            repeat {
                let progress = try await opened.resealBatch(after: cursor, limit: batch)
                scanned += progress.scanned
                resealed += progress.resealed
                cursor = progress.last
            } while cursor != nil
            let advice = try await opened.finishResealing(hadPlainStates: hadPlainStates)
            let summary = try await opened.sealingSummary()
            try await opened.close()
            if let advice { print("note: \(advice)") }
            print("scanned \(scanned) records, re-sealed \(resealed); now stored under: "
                  + summary.sorted { ($0.key ?? 0) < ($1.key ?? 0) }.map { "\($0.key.map { "data key \($0)" } ?? "plain"): \($0.value)" }.joined(separator: ", "))
        }
    }

    struct Recover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a new administrator token from the host, whatever credentials exist; logged in the security log.",
            discussion: "The token is written to <data-dir>/admin.token (mode 0600). Revoke the lost or leaked tokens with it afterwards.")
        @OptionGroup var store: StoreLocation

        func run() async throws {
            let (configuration, opened) = try await store.open()
            let access = AccessControl(store: opened, serverReplica: configuration.engine.serverReplica)
            let host = "\(ProcessInfo.processInfo.environment["USER"] ?? "uid \(getuid())")@\(ProcessInfo.processInfo.hostName)"
            let (token, credential) = try await access.recover(by: host, now: DoorstepServer.systemClock())
            try await opened.close()
            try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let path = configuration.dataDirectory + "/admin.token"
            try? FileManager.default.removeItem(atPath: path)
            FileManager.default.createFile(atPath: path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600])
            print("issued administrator credential \(credential.id); its token is in \(path)")
        }
    }

    struct VerifyLogs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the hash chains of the audit and security logs; name the first broken entry.",
            discussion: """
                The entries the retention archived are verified too, as one chain with the database's: each archive file against
                the SHA-256 recorded after it, each entry's link, and the last archived link against the database's anchor.
                Exit status 0 when both chains hold, 1 when one is broken. Compare the heads printed with those recorded earlier.
                """)
        @OptionGroup var store: StoreLocation
        @Option(help: "The archive files (default: the server's archiveDir, <data-dir>/archive).") var archiveDir: String?

        func run() async throws {
            let (configuration, opened) = try await store.open()
            var results: [LogVerification] = []
            do {
                let archives = ArchivedChain(directory: archiveDir ?? configuration.archiveDirectory, chains: ServerEngine.LogChains(keys: try await configuration.keyRing()))
                for log in ChainedLog.allCases { results.append(try await archives.verify(log, store: opened)) }
            } catch {
                try? await opened.close()
                throw error
            }
            try await opened.close()
            try printJSON(results)
            if results.contains(where: { !$0.holds }) { throw ExitCode(1) }
        }
    }
}

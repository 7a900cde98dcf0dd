import ArgumentParser
import Foundation
import ServerHTTP

/// 近亲属备案 from the command line: file, withdraw, and list the special roster (专项花名册).
extension Admin {
    struct FileRelative: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "File that a close relative of a staff member or village cadre applies (近亲属备案); recusal follows.",
            discussion: """
                Relations: spouse, parent, child, sibling, grandparent, grandchild, parentInLaw, childInLaw.
                A worker is named by --staff; a person without an account (a village cadre) by --staff-name and --position.
                """)
        @OptionGroup var connection: Connection
        @Option(help: "The staff member's worker id.") var staff: String?
        @Option(help: "The person's name, for someone without an account.") var staffName: String?
        @Option(help: "The person's post, e.g. 村委会委员.") var position: String?
        @Option(help: "The household's record id (UUID).") var household: String
        @Option(help: "The household's 12-digit village code.") var village: String
        @Option(help: "The relation.") var relation: String
        @Option(help: "The filing date, 2024-03-05 (default today).") var filedOn: String?

        func validate() throws {
            guard staff != nil || staffName != nil else { throw ValidationError("name the staff member: --staff (a worker id) or --staff-name") }
        }

        func run() async throws {
            let filing = FilingDocument(staff: staff, household: household, village: village, relation: relation, filedOn: filedOn,
                                        staffName: staffName, staffPosition: position)
            try await perform { try await connection.client().file(filing) }
        }
    }

    struct WithdrawFiling: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Withdraw a relative filing: it stays on the special roster, marked, and binds no recusal (logged).")
        @OptionGroup var connection: Connection
        @Argument(help: "The filing's id (UUID), as `special-roster` lists it.") var filing: String
        func run() async throws { try await perform { try await connection.client().withdrawFiling(filing) } }
    }

    struct SpecialRoster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The special roster (专项花名册): every relative filing with its household and the person filed.",
            discussion: "JSON by default; --csv FILE writes a spreadsheet (UTF-8 with a byte-order mark).")
        @OptionGroup var connection: Connection
        @Option(help: "Write the roster as CSV to this file.") var csv: String?

        func run() async throws {
            guard let csv else { return try await perform { try await connection.client().specialRoster() } }
            let entries: [SpecialRosterEntryDocument]
            do { entries = try await connection.client().specialRoster() } catch let failure as APIClient.Failure {
                FileHandle.standardError.write(Data("error: \(failure)\n".utf8))
                throw ExitCode(1)
            }
            guard FileManager.default.createFile(atPath: csv, contents: Data(ServerHTTP.SpecialRoster.csv(entries))) else {
                throw ValidationError("cannot write \(csv)")
            }
            print("\(entries.count) filings written to \(csv)")
        }
    }
}

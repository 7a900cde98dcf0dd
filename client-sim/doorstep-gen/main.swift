import ArgumentParser
import FieldModel
import SyntheticData

/// `doorstep-gen`: writes a seeded synthetic dataset as JSON lines. A thin shell over
/// `SyntheticData`; everything it writes is decided by the options.
struct DoorstepGen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doorstep-gen",
        abstract: "Write a seeded synthetic 低保 dataset for a Yuncheng county as JSON lines.",
        discussion: """
            Each line is one record: {"collection":…,"id":…,"village":…,"fields":{…}}, workers first, \
            then each village's households, members, visits, leads, filings and notices. The same \
            options always give the same bytes. Progress and a summary go to standard error.
            """)

    @Option(help: "How much to generate: village (~150 households), township (~5,000), county (~50,000), or a household count.")
    var size: String

    @Option(help: "The random seed (an unsigned 64-bit integer). The same seed gives the same output.")
    var seed: UInt64

    @Option(help: "A Yuncheng county by six-digit code or name, e.g. 140821 or 临猗县. Default: chosen by the seed.")
    var county: String?

    @Option(name: .customLong("as-of"), help: "The dataset's 'today' as YYYY-MM-DD: every date lies on or before it.")
    var asOf: String = DatasetSpec.defaultAsOf.description

    @Option(name: .shortAndLong, help: "The file to write, or - for standard output.")
    var output: String = "-"

    @Flag(inversion: .prefixedNo, help: "Write the workers (staff and their assignments) before the records.")
    var workers = true

    @Flag(name: .shortAndLong, help: "Print no progress and no summary on standard error.")
    var quiet = false

    func validate() throws {
        guard let parsed = DatasetSpec.Size(parsing: size) else {
            throw ValidationError("--size must be village, township, county or a number of households, e.g. --size 2000")
        }
        guard parsed.targetHouseholds <= DatasetSpec.Size.maxHouseholds else {
            throw ValidationError("--size \(size) is too large: use at most \(DatasetSpec.Size.maxHouseholds) households, or run once per county")
        }
        if let county, countyCode(county) == nil {
            let known = Yuncheng.counties.map { "\($0.code) \($0.name)" }.joined(separator: ", ")
            throw ValidationError("--county \(county) is not a county of Yuncheng; use one of: \(known)")
        }
        guard let date = CalendarDate(iso: asOf) else {
            throw ValidationError("--as-of \(asOf) is not a date: use YYYY-MM-DD, e.g. --as-of 2026-11-29")
        }
        guard DatasetSpec.supportedAsOf.contains(date) else {
            throw ValidationError("--as-of \(asOf) is out of range: use a date from \(DatasetSpec.supportedAsOf.lowerBound) to \(DatasetSpec.supportedAsOf.upperBound)")
        }
        guard !output.isEmpty else { throw ValidationError("--output is empty: give a file path, or - for standard output") }
    }

    func run() throws {
        let spec = DatasetSpec(seed: seed, size: DatasetSpec.Size(parsing: size)!,
                               county: county.flatMap(countyCode), asOf: CalendarDate(iso: asOf)!)
        let plan = DatasetPlan(spec)
        let out = try OutputFile(path: output)
        var progress = Progress(villages: plan.villages.count, enabled: !quiet && plan.villages.count >= 30)
        var writer = JSONLinesWriter(reservingCapacity: 1 << 21)
        var totals = Totals()

        if workers { for w in plan.workers { writer.write(w) } }
        try DatasetGenerator.forEachVillage(plan) { v in
            writer.write(v)
            totals.add(v)
            if writer.bytes.count >= 1 << 20 { try out.write(writer.drain()) }
            progress.villageDone(households: v.households.count)
        }
        try out.write(writer.drain())
        try out.close()

        if !quiet {
            note("doorstep-gen: \(plan.county.name) \(plan.county.code), seed \(seed), as of \(spec.asOf): "
                 + "households \(grouped(totals.households)), members \(grouped(totals.members)), "
                 + "visits \(grouped(totals.visits)), leads \(grouped(totals.leads)), filings \(grouped(totals.filings)), "
                 + "notices \(grouped(totals.notices)), workers \(grouped(workers ? plan.workers.count : 0)), "
                 + "lines \(grouped(writer.lineCount)), \(progress.elapsedText) s")
        }
    }

    private func countyCode(_ text: String) -> CountyCode? {
        Yuncheng.counties.first { String($0.code.rawValue) == text || $0.name == text }?.code
    }
}

/// Record counts for the summary.
struct Totals {
    var households = 0, members = 0, visits = 0, leads = 0, filings = 0, notices = 0

    mutating func add(_ v: VillageData) {
        households += v.households.count
        members += v.members.count
        visits += v.visits.count
        leads += v.leads.count
        filings += v.filings.count
        notices += v.notices.count
    }
}

DoorstepGen.main()

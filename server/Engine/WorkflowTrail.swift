import FieldModel
import SyncCore

/// One accepted write of a household's status, as the server keeps it (devices never see it):
/// the create (with the status it created) and every transition, with who made it and what
/// they had seen. The server decides workflow claims against it, never against a device's word,
/// and the supervision views read it.
public struct WorkflowTrailStep: Sendable, Hashable {
    public let household: RecordID
    public let dot: Dot
    /// The status the writer moved from; nil for the household's create.
    public let from: WorkflowStatus?
    public let to: WorkflowStatus
    public let author: WorkerID
    /// What the writer had seen of the household.
    public let context: VersionVector
    public let hlc: HLCTimestamp
    /// When the server accepted the write.
    public let atMilliseconds: Int64

    public init(household: RecordID, dot: Dot, from: WorkflowStatus?, to: WorkflowStatus, author: WorkerID,
                context: VersionVector, hlc: HLCTimestamp, atMilliseconds: Int64) {
        self.household = household
        self.dot = dot
        self.from = from
        self.to = to
        self.author = author
        self.context = context
        self.hlc = hlc
        self.atMilliseconds = atMilliseconds
    }

    /// The step `change` makes to a household's status, nil when it writes no status.
    static func of(_ change: Change, at now: Int64) -> WorkflowTrailStep? {
        guard change.record.collection == .household else { return nil }
        let status: (from: WorkflowStatus?, to: WorkflowStatus)
        switch change.operation {
        case .create(let values):
            guard let field = Schema.household.fields.first(where: { $0.merge == .workflow }),
                  let to = values[field.id]?.textValue.flatMap(WorkflowStatus.init(rawValue:)) else { return nil }
            status = (nil, to)
        case .transition(_, let from, let to):
            guard let f = from.textValue.flatMap(WorkflowStatus.init(rawValue:)), let t = to.textValue.flatMap(WorkflowStatus.init(rawValue:)) else { return nil }
            status = (f, t)
        case .set, .delete:
            return nil
        }
        return WorkflowTrailStep(household: change.record.id, dot: change.dot, from: status.from, to: status.to, author: change.author,
                                 context: change.context, hlc: change.hlc, atMilliseconds: now)
    }
}

/// A household's trail in the order the server accepted its steps, and what the policy asks of it.
public struct WorkflowTrail: Sendable, Hashable {
    public private(set) var steps: [WorkflowTrailStep]

    public init(_ steps: [WorkflowTrailStep]) { self.steps = steps }

    /// The trail of a household stored before the server kept trails: its create and each
    /// status value standing now, as steps whose origin is unknown (recorded as from the value
    /// itself: such a step holds no duty).
    public static func reconstructed(from state: RecordState) -> WorkflowTrail {
        var steps: [WorkflowTrailStep] = []
        let created = state.created
        let siblings = state.workflowSiblings
        if let created {
            let status = siblings.first { $0.dot == created.dot }?.value.textValue.flatMap(WorkflowStatus.init(rawValue:)) ?? Workflow.initial
            steps.append(WorkflowTrailStep(household: state.key.id, dot: created.dot, from: nil, to: status, author: created.author,
                                           context: VersionVector(), hlc: created.hlc, atMilliseconds: created.hlc.milliseconds))
        }
        for sibling in siblings where sibling.dot != created?.dot {
            guard let status = sibling.value.textValue.flatMap(WorkflowStatus.init(rawValue:)) else { continue }
            let context = created.map { VersionVector([($0.dot.replica, $0.dot.counter)]) } ?? VersionVector()
            steps.append(WorkflowTrailStep(household: state.key.id, dot: sibling.dot, from: status, to: status, author: sibling.author,
                                           context: context, hlc: sibling.hlc, atMilliseconds: sibling.hlc.milliseconds))
        }
        return WorkflowTrail(steps)
    }

    public var isEmpty: Bool { steps.isEmpty }

    mutating func append(_ step: WorkflowTrailStep) {
        guard !steps.contains(where: { $0.dot == step.dot }) else { return }
        steps.append(step)
    }

    /// The statuses a writer whose context was `context` saw: the steps it covers that no other
    /// step it covers succeeds (a step succeeds another when its context covers the other's dot).
    /// - Complexity: O(n²) in the steps the context covers; a household has a few dozen.
    public func view(under context: VersionVector) -> [WorkflowTrailStep] {
        let seen = steps.filter { context.covers($0.dot) }
        return seen.filter { s in !seen.contains { t in t.dot != s.dot && t.context.covers(s.dot) } }
    }

    /// The current application cycle: the steps from the latest application (a create, or a
    /// step into `applied`) on.
    public var cycle: ArraySlice<WorkflowTrailStep> {
        let start = steps.lastIndex { $0.from == nil || $0.to == Workflow.initial } ?? steps.startIndex
        return steps[start...]
    }

    /// Who held which duty in the current cycle.
    public var duties: WorkflowCycle {
        var out = WorkflowCycle()
        for step in cycle {
            let duty: Duty? = step.from == nil
                ? (step.to == Workflow.initial ? Workflow.creationDuty : nil)
                : Workflow.step(from: step.from!, to: step.to)?.duty
            if let duty { out.record(duty, by: step.author) }
        }
        return out
    }

    /// When the current cycle's application was written (its HLC): notices made before belong
    /// to an earlier application.
    public var cycleStart: HLCTimestamp { cycle.first?.hlc ?? .zero }
}

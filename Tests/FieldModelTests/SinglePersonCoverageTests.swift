import FieldModel
import Testing

/// 单独申请: 将农村低收入家庭中的一、二级重度残疾人，三级智力、精神残疾人，重病患者纳入单独申请低保范围.
@Suite("Single-person coverage")
struct SinglePersonCoverageTests {
    typealias Ground = SinglePersonCoverage.Ground

    @Test("named members of the policy and their grounds", arguments: [
        // 一、二级重度残疾: any kind of disability at grade 1 or 2
        (DisabilityKind.visual, 1, false, [Ground.severeDisability]),
        (.physical, 2, false, [.severeDisability]),
        (.hearing, 2, false, [.severeDisability]),
        (.intellectual, 1, false, [.severeDisability]),
        (.multiple, 2, true, [.severeDisability, .seriousIllness]),
        // 三级智力、精神残疾: grade 3 only for intellectual or mental disability
        (.intellectual, 3, false, [.intellectualOrMentalGrade3]),
        (.mental, 3, false, [.intellectualOrMentalGrade3]),
        (.mental, 3, true, [.intellectualOrMentalGrade3, .seriousIllness]),
        (.physical, 3, false, []),
        (.visual, 3, false, []),
        (.intellectual, 4, false, []),
        (.mental, 4, false, []),
        // 重病患者, with or without a disability
        (.none, 0, true, [.seriousIllness]),
        (.speech, 4, true, [.seriousIllness]),
        (.none, 0, false, []),
    ] as [(DisabilityKind, Int, Bool, [Ground])])
    func namedCases(kind: DisabilityKind, grade: Int, ill: Bool, expected: [Ground]) throws {
        let member = try Fixture.member(disability: kind, grade: grade, seriousIllness: ill)
        #expect(SinglePersonCoverage.grounds(for: member) == expected)
        #expect(SinglePersonCoverage.qualifies(member) == !expected.isEmpty)
    }

    @Test("every kind, grade and illness: the grounds are exactly those the policy lists",
          arguments: DisabilityKind.allCases)
    func sweep(kind: DisabilityKind) throws {
        for grade in 0...4 {
            for ill in [false, true] {
                let member = try Fixture.member(disability: kind, grade: grade, seriousIllness: ill)
                let grounds = Set(SinglePersonCoverage.grounds(for: member))
                let disabled = kind != .none
                #expect(grounds.contains(.severeDisability) == (disabled && (grade == 1 || grade == 2)))
                #expect(grounds.contains(.intellectualOrMentalGrade3) == ([.intellectual, .mental].contains(kind) && grade == 3))
                #expect(grounds.contains(.seriousIllness) == ill)
                #expect(SinglePersonCoverage.grounds(for: member).count == grounds.count, "no ground twice")
            }
        }
    }

    @Test("a grade recorded without a disability kind is no ground")
    func gradeWithoutKind() throws {
        for grade in 1...4 {
            let member = try Fixture.member(disability: .none, grade: grade)
            #expect(!SinglePersonCoverage.qualifies(member))
        }
    }

    @Test("labour ability and membership do not change the disability grounds")
    func otherFieldsIrrelevant() throws {
        for labour in LabourAbility.allCases {
            for status in MemberStatus.allCases {
                let member = try Fixture.member(labour: labour, status: status, disability: .mental, grade: 3)
                #expect(SinglePersonCoverage.grounds(for: member) == [.intellectualOrMentalGrade3])
            }
        }
    }
}

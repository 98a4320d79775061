import Testing
@testable import TensorCore

@Suite("DistributionError")
struct DistributionErrorTests {
    @Test("the description names the parameter, the rule and the value")
    func descriptionReadsAsASentence() {
        do {
            _ = try ChiSquaredDistribution(degreesOfFreedom: -1)
            Issue.record("a negative degreesOfFreedom was accepted")
        } catch {
            #expect(error.code == .invalidParameter)
            #expect(error.parameter == "degreesOfFreedom")
            #expect(error.value == -1)
            #expect(error.description == "degreesOfFreedom must be a positive finite number, got -1.0.")
        }
    }

    @Test("an error without a single offending value omits the value")
    func descriptionWithoutValue() {
        let error = DistributionError(.invalidWeights, parameter: "weights", value: nil,
                                      requirement: "a non-empty collection of non-negative finite numbers")
        #expect(error.description == "weights must be a non-empty collection of non-negative finite numbers.")
    }

    @Test("a probability outside [0, 1] is reported with its own code")
    func probabilityOutOfRange() {
        do {
            _ = try NormalDistribution.standard.quantile(1.5)
            Issue.record("p = 1.5 was accepted")
        } catch {
            #expect(error.code == .probabilityOutOfRange)
            #expect(error.description == "p must be a probability between 0 and 1 inclusive, got 1.5.")
        }
    }
}

import Testing
@testable import Core

@Suite("Accelerator descriptions")
struct AcceleratorTests {
    @Test("every preset is valid and says where it comes from", arguments: Accelerator.presets)
    func presets(_ a: Accelerator) throws {
        try a.validate()
        #expect(!a.source.isEmpty)
        #expect(try Accelerator.preset(named: a.name) == a)
    }

    @Test("the survey's numbers: Fig. 11 parameters and the Gemmini memory change")
    func surveyNumbers() {
        let m = Accelerator.analyticalModel
        #expect(m.dramBytesPerCycle == 64 && m.l2BytesPerCycle == 16 && m.l2Bytes == 2 << 20)
        #expect(m.spCapacityBytes == 256 << 10 && m.accCapacityBytes == 128 << 10 && m.sfuWidth == 16)
        let base = Accelerator.gemminiBaseline, rebalanced = Accelerator.gemminiRebalanced
        #expect(base.spCapacityBytes + base.accCapacityBytes == rebalanced.spCapacityBytes + rebalanced.accCapacityBytes)
        #expect(base.sfuWidth == 0 && Accelerator.gemminiTransformer.sfuWidth == 16)
    }

    @Test("bad parameters name the field",
          arguments: [("meshRows", 0), ("scratchpadBytes", 100), ("accumulatorBytes", 512), ("sfuWidth", -1),
                      ("accumulatorBits", 4)])
    func errors(field: String, value: Int) {
        var a = Accelerator.analyticalModel
        switch field {
        case "meshRows": a.meshRows = value
        case "scratchpadBytes": a.spCapacityBytes = value
        case "accumulatorBytes": a.accCapacityBytes = value
        case "sfuWidth": a.sfuWidth = value
        default: a.accumulatorBits = value
        }
        do {
            try a.validate()
            Issue.record("accepted \(field) = \(value)")
        } catch {
            #expect(error.field == field, "\(error)")
        }
        var zero = Accelerator.analyticalModel
        zero.dramBytesPerCycle = 0
        #expect(throws: ConfigurationError.self) { try zero.validate() }
        #expect(throws: ConfigurationError.self) { _ = try Accelerator.preset(named: "tpu") }
    }
}

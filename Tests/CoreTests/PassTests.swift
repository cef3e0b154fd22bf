import Testing
@testable import Core

@Suite("Non-linear passes")
struct PassTests {
    static let row = (0..<97).map { Double(($0 * 37) % 23) / 7 - 1.5 }

    @Test("measured passes: Softmax 3, Softermax 2, LayerNorm 3, BatchNorm 1, GELU 1")
    func passes() {
        var a = CountingRow(Self.row), b = a, c = a, d = a, e = a
        NonlinearPasses.softmax(&a)
        NonlinearPasses.onlineSoftmax(&b)
        NonlinearPasses.layerNorm(&c)
        NonlinearPasses.batchNorm(&d, mean: 0.1, variance: 2)
        NonlinearPasses.gelu(&e)
        #expect(a.readPasses == 3 && b.readPasses == 2 && c.readPasses == 3 && d.readPasses == 1 && e.readPasses == 1)
    }

    @Test("online and three-pass Softmax agree")
    func onlineAgrees() {
        var a = CountingRow(Self.row), b = a
        NonlinearPasses.softmax(&a)
        NonlinearPasses.onlineSoftmax(&b)
        for (x, y) in zip(a.values, b.values) { #expect(abs(x - y) < 1e-12) }
        #expect(abs(a.values.reduce(0, +) - 1) < 1e-12)
    }
}

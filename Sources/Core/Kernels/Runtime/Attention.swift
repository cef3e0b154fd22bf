/// Scaled dot-product attention of several heads as both runtimes run it: an encoder's l rows over its l positions
/// (every row sees every position), a GPT-2 decoding step's one row over its cache, and a decoder's new rows over
/// its cache with a causal mask, a sliding window and grouped-query heads (``DecoderRuntime``).
///
/// Head by head, and within a head by blocks of ``blockRows(_:positions:)`` query rows: q·kᵀ, softmax and P·v for
/// one block, so that its scores stay in cache (each row's results do not depend on the blocks); a head's keys and
/// values are packed once for all its blocks (``Kernels/RightOperand``). At several BLAS threads the heads run in
/// parallel, one BLAS thread each (``Kernels/forHeads(_:workers:_:)``): a row's results are the same bits at any thread
/// count.
struct Attention {
    let heads: Int, headDimension: Int
    /// Query heads per key/value head: head `i` reads key/value head `i / group` (1: multi-head attention).
    var group = 1
    /// Row strides of the queries and the result, and of the keys and values.
    let queryStride: Int, kvStride: Int
    /// With a causal mask, the column of query row 0: row i sees columns up to `causalOffset + i`, the latest
    /// `window` of them when a window is set. Nil: every row sees every column.
    var causalOffset: Int? = nil
    var window: Int? = nil

    /// The columns query row `i` sees out of `positions`.
    func visible(row i: Int, positions n: Int) -> Range<Int> {
        guard let causalOffset else { return 0..<n }
        let end = causalOffset + i + 1
        return max(0, end - (window ?? end)) ..< end
    }

    /// Attention of `rows` query rows (`q`) over `positions` keys and values (`k`, `v`, row 0 being column 0),
    /// written to `attention` (rows × heads · headDimension at the query stride), with a scratch for the scores
    /// (``scratchFloats(workers:rows:positions:)``). Each head times its own phases, and the wall time is split
    /// between `actToAct` (the products, the packing included) and `nonlinear` (the softmax) in proportion to their
    /// summed times.
    func run(level: Int32, q: UnsafePointer<Float>, rows m: Int, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
             positions n: Int, into attention: UnsafeMutablePointer<Float>, times: inout OperationTimes) {
        let workers = Kernels.headWorkers(heads), block = Self.blockRows(m, positions: n)
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: Self.scratchFloats(workers: workers, rows: m, positions: n))
        defer { scores.deallocate() }
        let qp = SendablePointer(q), kp = SendablePointer(k), vp = SendablePointer(v)
        let sp = SendablePointer(scores), ap = SendablePointer(attention)
        let phases = UnsafeMutablePointer<Double>.allocate(capacity: 2 * heads)   // per head: matmul, softmax seconds
        defer { phases.deallocate() }
        let pp = SendablePointer(phases)
        let wall = OperationTimes.seconds {
            Kernels.forHeads(heads, workers: workers) { head, worker in
                let s = sp.pointer + worker * block * n
                let kvColumn = head / group * headDimension, qColumn = head * headDimension
                var keys: Kernels.RightOperand?, values: Kernels.RightOperand?
                var matmul = OperationTimes.seconds {
                    keys = Kernels.RightOperand(level: level, k: headDimension, n: n, kp.pointer + kvColumn, ldb: kvStride,
                                                transposed: true, rows: block)
                    values = Kernels.RightOperand(level: level, k: n, n: headDimension, vp.pointer + kvColumn, ldb: kvStride,
                                                  transposed: false, rows: block)
                }
                var softmax = 0.0
                for first in stride(from: 0, to: m, by: block) {
                    let rows = min(block, m - first)
                    matmul += OperationTimes.seconds {
                        keys!.multiply(m: rows, a: qp.pointer + first * queryStride + qColumn, lda: queryStride, c: s, ldc: n)
                    }
                    softmax += OperationTimes.seconds { self.softmax(s, rows: first..<(first + rows), positions: n) }
                    matmul += OperationTimes.seconds {
                        values!.multiply(m: rows, a: s, lda: n, c: ap.pointer + first * queryStride + qColumn, ldc: queryStride)
                    }
                }
                pp.pointer[2 * head] = matmul
                pp.pointer[2 * head + 1] = softmax
            }
        }
        let matmul = (0..<heads).map { phases[2 * $0] }.reduce(0, +)
        let softmax = (0..<heads).map { phases[2 * $0 + 1] }.reduce(0, +)
        let share = matmul + softmax > 0 ? matmul / (matmul + softmax) : 1
        times[.actToAct] += wall * share
        times[.nonlinear] += wall * (1 - share)
    }

    /// Scaled softmax of one block's scores (query rows `rows`, `positions` columns each), zero where a row sees
    /// nothing.
    private func softmax(_ s: UnsafeMutablePointer<Float>, rows: Range<Int>, positions n: Int) {
        let scale = 1 / Float(headDimension).squareRoot()
        guard causalOffset != nil else {
            return Kernels.softmax(s, rows: rows.count, columns: n, stride: n, scale: scale, parallel: false)
        }
        for (r, i) in rows.enumerated() {
            let row = s + r * n, seen = visible(row: i, positions: n)
            row.update(repeating: 0, count: seen.lowerBound)
            Kernels.softmax(row + seen.lowerBound, rows: 1, columns: seen.count, stride: seen.count, scale: scale,
                            parallel: false)
            (row + seen.upperBound).update(repeating: 0, count: n - seen.upperBound)
        }
    }

    /// Query rows per block: as many as keep a block's scores (rows × positions) within 1 MiB, an L2 cache of the
    /// CPUs measured here, in whole groups of 12 rows (the AVX-512F tile's; two of the AVX2 one's); all `rows` when
    /// they fit.
    static func blockRows(_ rows: Int, positions: Int) -> Int {
        min(rows, max(12, (1 << 18) / max(1, positions) / 12 * 12))
    }

    /// Floats of the scores' scratch for `rows` query rows over `positions`: one block per worker
    /// (``Kernels/headWorkers(_:)``).
    static func scratchFloats(workers: Int, rows: Int, positions: Int) -> Int {
        workers * blockRows(rows, positions: positions) * positions
    }
}

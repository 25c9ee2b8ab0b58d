import Foundation

/// Data-parallel training: a ``GradientTransform`` that averages every rank's gradients
/// before the optimizer's update, so that all ranks of a ``ProcessGroup`` take the same step
/// on the same weights. Add it to a model and call ``Sequential/fit(_:_:epochs:batchSize:shuffle:validationSplit:validationData:classWeights:callbacks:initialEpoch:resumeFrom:)``
/// on every rank with the same data, seed and settings:
///
/// ```swift
/// model.gradientTransforms.append(DataParallel(group: MPIProcessGroup.world()))
/// try model.fit(x, y, epochs: 5, batchSize: 1000)    // on every rank
/// ```
/// Every rank draws the same permutation (the model's seed) and cuts each global batch of B
/// rows into `size` contiguous shards (``shard(of:)``, b_r rows each, sizes differing by at
/// most one). Rank r's loss is the mean over its b_r rows, so its gradient is scaled by
/// b_r/B before the sum:
///
/// ```
/// g = Σ_r (b_r / B) · g_r = (1/B) Σ_{i in the batch} ∇ℓ_i      (the single-process gradient)
/// L = Σ_r (b_r / B) · L_r                                       (the batch's loss, reduced too)
/// ```
/// The sum runs over buckets of whole layers (about ``bucketBytes`` each, from the output
/// layer backwards). With ``overlapsBackward`` a bucket's sum is started as soon as the
/// backward pass has finished its layers, while the earlier layers' gradients are computed;
/// the rest are summed after the backward pass. The reduction runs before clipping and the
/// other transforms (clipping must see the global gradient); a non-finite loss or gradient on
/// any rank reaches every rank through the sum, so all stop at the same step.
///
/// Around the step ``Sequential`` also: broadcasts rank 0's weights and buffers when fit
/// begins, sums the epoch's metric counts, gives every callback rank 0's epoch values (so
/// early stopping decides the same everywhere), stops all ranks when any callback on any
/// rank stops training, and lets only rank 0 write checkpoints. Dropout and
/// BatchNormalization are refused: their masks and batch statistics would depend on the shard.
public final class DataParallel: GradientTransform {
    public let group: any ProcessGroup
    /// The target size of a bucket; a bucket holds whole layers, so it may be larger.
    public let bucketBytes: Int
    /// Whether buckets are started during the backward pass (else all after it).
    public var overlapsBackward: Bool
    /// Seconds spent packing, summing and unpacking gradients (all of the communication).
    public private(set) var communicationSeconds: Double = 0
    /// The part of ``communicationSeconds`` spent after the backward pass (not hidden by it).
    public private(set) var exposedCommunicationSeconds: Double = 0
    /// Steps reduced so far.
    public private(set) var steps = 0

    /// The global batch's loss after the last reduction (the same on every rank).
    public private(set) var reducedLoss: Float = 0

    /// - Parameters:
    ///   - bucketBytes: aim for buckets of this many bytes of float gradients (default 1 MiB).
    ///   - overlapsBackward: start each bucket's sum as soon as its layers' backward is done.
    public init(group: any ProcessGroup, bucketBytes: Int = 1 << 20, overlapsBackward: Bool = true) {
        self.group = group
        self.bucketBytes = max(bucketBytes, MemoryLayout<Float>.stride)
        self.overlapsBackward = overlapsBackward
    }

    deinit { for bucket in buckets { bucket.buffer.deallocate() } }

    /// The rows of a global batch `range` that this rank trains on: `size` contiguous shards
    /// in rank order, the first `range.count % size` one row longer.
    public func shard(of range: Range<Int>) -> Range<Int> {
        let n = group.size, r = group.rank
        let base = range.count / n, extra = range.count % n
        let start = range.lowerBound + r * base + min(r, extra)
        return start..<(start + base + (r < extra ? 1 : 0))
    }

    // MARK: - One step

    /// A bucket: layers `layers` (ascending), their gradients packed in order, then (bucket 0
    /// only) the loss.
    struct Bucket {
        let layers: ClosedRange<Int>
        let buffer: UnsafeMutableBufferPointer<Float>
        var pending: (any PendingReduction)?
    }
    private var buckets: [Bucket] = []
    /// For each layer, the bucket that holds it and the offset of its first gradient.
    private var placement: [(bucket: Int, offset: Int)] = []
    private var layout: [[Int]] = []
    private var localRows = 0
    private var globalRows = 0
    private var localLoss: Float = 0
    private var stepBegun = false

    /// Lays out the buckets for these layers' parameter sizes (again if they changed).
    func prepare(_ layers: inout [any Layer]) {
        var sizes: [[Int]] = []
        for i in layers.indices {
            var list: [Int] = []
            layers[i].visitParameters { _, _, g in list.append(g.count) }
            sizes.append(list)
        }
        guard sizes != layout else { return }
        for bucket in buckets { bucket.buffer.deallocate() }
        buckets = []
        placement = Array(repeating: (0, 0), count: layers.count)
        layout = sizes
        let capacity = bucketBytes / MemoryLayout<Float>.stride
        var upper = layers.count - 1
        while upper >= 0 {
            var lower = upper, count = sizes[upper].reduce(0, +)
            while lower > 0 && count < capacity {
                lower -= 1
                count += sizes[lower].reduce(0, +)
            }
            let withLoss = buckets.isEmpty ? 1 : 0
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count + withLoss)
            buffer.initialize(repeating: 0)
            var offset = 0
            for layer in lower...upper {
                placement[layer] = (buckets.count, offset)
                offset += sizes[layer].reduce(0, +)
            }
            buckets.append(Bucket(layers: lower...upper, buffer: buffer))
            upper = lower - 1
        }
    }

    /// Called by ``Sequential`` before each step with this rank's and the batch's row counts.
    func beginStep(localRows: Int, globalRows: Int) {
        self.localRows = localRows
        self.globalRows = globalRows
        stepBegun = true
    }

    /// Called after the forward pass with this rank's loss (its shard's mean, regularization included).
    func setLocalLoss(_ value: Float) { localLoss = value }

    /// This rank's share of the batch, b_r / B.
    private var shardWeight: Float { globalRows == 0 ? 0 : Float(localRows) / Float(globalRows) }

    /// Called by the backward pass after layer `index`: starts the sum of the bucket whose
    /// lowest layer it is, and lets the sums already started progress.
    func layerBackwardDone(_ index: Int, layers: inout [any Layer]) {
        guard overlapsBackward, !buckets.isEmpty else { return }
        let start = ContinuousClock.now
        let (b, _) = placement[index]
        if buckets[b].layers.lowerBound == index { startBucket(b, layers: &layers) }
        for bucket in buckets where bucket.pending != nil { _ = bucket.pending!.test() }
        communicationSeconds += Self.seconds(since: start)
    }

    /// Packs bucket `b` (scaled by b_r/B) and starts its sum.
    private func startBucket(_ b: Int, layers: inout [any Layer]) {
        let weight = shardWeight
        let buffer = buckets[b].buffer
        for layer in buckets[b].layers {
            var offset = placement[layer].offset
            layers[layer].visitParameters { _, _, g in
                g.withUnsafeBufferPointer { p in
                    for j in p.indices { buffer[offset + j] = weight * p[j] }
                }
                offset += g.count
            }
        }
        if b == 0 { buffer[buffer.count - 1] = weight * localLoss }
        buckets[b].pending = group.startAllreduceSum(buffer)
    }

    public func transform(_ gradients: inout ModelGradients) -> GradientTransformOutcome {
        let start = ContinuousClock.now
        if !stepBegun {
            // trainOnBatch: this call's rows are this rank's shard of a batch summed over ranks.
            var rows = [Double(max(localRows, 0))]
            rows.withUnsafeMutableBufferPointer { group.allreduceSum($0) }
            globalRows = Int(rows[0])
        }
        stepBegun = false
        prepare(&gradients.layers)
        for b in buckets.indices where buckets[b].pending == nil { startBucket(b, layers: &gradients.layers) }
        var finite = true
        for b in buckets.indices {
            buckets[b].pending!.wait()
            buckets[b].pending = nil
            let buffer = buckets[b].buffer
            for layer in buckets[b].layers {
                var offset = placement[layer].offset
                gradients.layers[layer].visitParameters { _, _, g in
                    g.withUnsafeMutableBufferPointer { p in
                        for j in p.indices {
                            p[j] = buffer[offset + j]
                            finite = finite && p[j].isFinite
                        }
                    }
                    offset += g.count
                }
            }
        }
        reducedLoss = buckets[0].buffer[buckets[0].buffer.count - 1]
        steps += 1
        let seconds = Self.seconds(since: start)
        communicationSeconds += seconds
        exposedCommunicationSeconds += seconds
        return finite && reducedLoss.isFinite ? .proceed : .nonFinite
    }

    /// trainOnBatch's path: the whole call's rows are this rank's.
    func setUnbegunRows(_ rows: Int) { if !stepBegun { localRows = rows } }

    public var detectsNonFiniteGradients: Bool { true }

    // MARK: - Agreement between ranks

    /// Sums `values` over the ranks, in place.
    func sum(_ values: inout [Double]) {
        guard !values.isEmpty else { return }
        values.withUnsafeMutableBufferPointer { group.allreduceSum($0) }
    }

    /// Replaces `values` by rank 0's (the same keys on every rank).
    func agree(_ values: inout [String: Float]) {
        let keys = values.keys.sorted()
        var numbers = keys.map { Double(values[$0]!) }
        numbers.withUnsafeMutableBufferPointer { group.broadcast($0, root: 0) }
        for (key, value) in zip(keys, numbers) { values[key] = Float(value) }
    }

    /// Whether `flag` is true on any rank.
    func anyRank(_ flag: Bool) -> Bool {
        var count = [flag ? 1.0 : 0.0]
        sum(&count)
        return count[0] > 0
    }

    /// Whether every rank holds bit-for-bit the same `matrices` (a fingerprint of their bits,
    /// rank 0's broadcast to all). Ranks that sum the same gradients with the same optimizer
    /// stay identical; a false here means a rank was fed something else.
    public func ranksAgree(on matrices: [[Matrix]]) -> Bool {
        var fingerprint: UInt64 = 0xcbf29ce484222325
        for layer in matrices {
            for m in layer {
                m.withUnsafeBufferPointer { p in
                    for v in p { fingerprint = (fingerprint ^ UInt64(v.bitPattern)) &* 0x100000001b3 }
                }
            }
        }
        // 52 bits travel exactly in a Double.
        let mine = Double(fingerprint >> 12)
        var rootValue = [mine]
        rootValue.withUnsafeMutableBufferPointer { group.broadcast($0, root: 0) }
        return !anyRank(rootValue[0] != mine)
    }

    /// Replaces every rank's matrices by rank 0's (exact: Float → Double → Float).
    func broadcastFromRankZero(_ matrices: [[Matrix]]) -> [[Matrix]] {
        var flat: [Double] = []
        for layer in matrices { for m in layer { m.withUnsafeBufferPointer { flat.append(contentsOf: $0.lazy.map(Double.init)) } } }
        guard !flat.isEmpty else { return matrices }
        flat.withUnsafeMutableBufferPointer { group.broadcast($0, root: 0) }
        var offset = 0
        return matrices.map { layer in
            layer.map { m in
                let elements = flat[offset..<(offset + m.count)].map { Float($0) }
                offset += m.count
                return Matrix(rows: m.rows, columns: m.columns, elements: elements)
            }
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}

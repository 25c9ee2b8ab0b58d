// Graph vs Sequential benchmark (release build):
//
//     swift run -c release --scratch-path .build-graph PerceptronGraphBenchmark [--steps 50] [--batch 256] [--repeats 5]
//
// Trains the same 784-128(ReLU)-10(softmax) MLP with the same initial weights, the same
// random batch and plain gradient descent (η = 0.01) for `steps` steps, two ways:
//
//   sequential: Sequential.trainOnBatch(x, y) (fused softmax + cross-entropy)
//   graph:      Session.run(step, feed: [X: x, Y: y]) with
//               J = −Σ Y ⊙ log softmax(relu(X·W₁ + b₁)·W₂ + b₂) / n
//
// alternately, and prints the median and best (over `repeats`) time per step of each, their
// ratios, and the final losses (which agree, as both compute the same gradients).
import Foundation
import Perceptron

func option(_ name: String, default value: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let n = Int(arguments[i + 1]), n > 0 else { return value }
    return n
}

let steps = option("--steps", default: 50)
let batch = option("--batch", default: 256)
let repeats = option("--repeats", default: 5)
let (inputs, hidden, classes) = (784, 128, 10)
let learningRate: Float = 0.01

/// A random batch: pixels uniform in [0, 1), one-hot labels.
func randomBatch() -> (Matrix, Matrix) {
    var rng = SeededGenerator(seed: 42)
    let x = Matrix(rows: batch, columns: inputs, elements: (0..<(batch * inputs)).map { _ in rng.nextUnitFloat() })
    var y = Matrix(rows: batch, columns: classes)
    for i in 0..<batch { y[i, Int(rng.next() % UInt64(classes))] = 1 }
    return (x, y)
}
let (x, y) = randomBatch()

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

let template = try Sequential(inputSize: inputs, layers: [Dense(hidden, activation: .relu), Dense(classes, activation: .softmax)], seed: 7)
let initialWeights = template.weights

/// Seconds for `steps` Sequential steps from the initial weights, and the loss after them.
func timeSequential() throws -> (Double, Float) {
    let model = try Sequential(inputSize: inputs, layers: [Dense(hidden, activation: .relu), Dense(classes, activation: .softmax)], seed: 7)
    try model.compile(loss: .categoricalCrossEntropy, optimizer: SGD(learningRate: learningRate))
    try model.setWeights(initialWeights)
    try model.trainOnBatch(x, y)   // warm-up: buffers allocated
    try model.setWeights(initialWeights)
    let start = now()
    for _ in 0..<steps { try model.trainOnBatch(x, y) }
    let elapsed = now() - start
    return (elapsed, try model.lossAndGradients(x, y).loss)
}

/// Seconds for `steps` graph steps from the initial weights, and the loss after them.
func timeGraph() throws -> (Double, Float) {
    let X = Placeholder(name: "X"), Y = Placeholder(name: "Y")
    let W1 = Variable(initialWeights[0][0], name: "W1"), b1 = Variable(initialWeights[0][1], name: "b1")
    let W2 = Variable(initialWeights[1][0], name: "W2"), b2 = Variable(initialWeights[1][1], name: "b2")
    let p = Graph.softmax(Graph.matmul(Graph.relu(Graph.matmul(X, W1) + b1), W2) + b2)
    let J = -Graph.reduceSum(Y * Graph.log(p)) / Float(batch)
    let step = try GradientDescentOptimizer(learningRate: learningRate).minimize(J)
    let session = Session()
    let feed = [X: x, Y: y]
    try session.run(step, feed: feed)   // warm-up: plan sorted, buffers allocated
    for (v, w) in zip([W1, b1, W2, b2], initialWeights.flatMap { $0 }) { v.value = w }
    let start = now()
    for _ in 0..<steps { try session.run(step, feed: feed) }
    let elapsed = now() - start
    return (elapsed, try session.run(J, feed: feed)[0, 0])
}

var sequentialTimes: [Double] = [], graphTimes: [Double] = []
var losses: (Float, Float) = (0, 0)
for _ in 0..<repeats {
    let (s, sLoss) = try timeSequential()
    let (g, gLoss) = try timeGraph()
    sequentialTimes.append(s)
    graphTimes.append(g)
    losses = (sLoss, gLoss)
}
let (s, g) = (median(sequentialTimes) / Double(steps), median(graphTimes) / Double(steps))
let (sBest, gBest) = (sequentialTimes.min()! / Double(steps), graphTimes.min()! / Double(steps))
print("network 784-128-10, batch \(batch), \(steps) steps, SGD η = \(learningRate), \(ComputeSettings.threadCount) threads, \(repeats) repeats")
print(String(format: "sequential  median %.3f ms/step  best %.3f ms/step  final loss %.6f", s * 1e3, sBest * 1e3, Double(losses.0)))
print(String(format: "graph       median %.3f ms/step  best %.3f ms/step  final loss %.6f", g * 1e3, gBest * 1e3, Double(losses.1)))
print(String(format: "graph / sequential = %.2f (medians), %.2f (best)", g / s, gBest / sBest))

import Foundation

extension Sequential {
    /// What a fit was given, to refuse a resume with other data or settings: the batch
    /// size, shuffling, row counts, class weights, and an FNV-1a 64-bit fingerprint of the
    /// shape and Float bits of x, y and the validation data.
    func fitSignature(x: Matrix, y: Matrix, trainingCount: Int, batchSize: Int, shuffle: Bool,
                      validation: (x: Matrix, y: Matrix)?, validationIsExplicit: Bool,
                      classWeights: [Int: Float]?) -> [String: String] {
        var signature = [
            "batchSize": String(batchSize), "shuffle": String(shuffle),
            "trainingRows": String(trainingCount), "validationRows": String(validation?.x.rows ?? 0),
            "x": Self.fingerprint(x), "y": Self.fingerprint(y),
        ]
        if validationIsExplicit, let validation {
            signature["validation"] = Self.fingerprint(validation.x) + "/" + Self.fingerprint(validation.y)
        }
        if let classWeights {
            signature["classWeights"] = classWeights.keys.sorted().map { "\($0):\(classWeights[$0]!.bitPattern)" }.joined(separator: ",")
        }
        return signature
    }

    /// FNV-1a over the shape and the elements' bit patterns, in hex.
    static func fingerprint(_ m: Matrix) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ word: UInt64) {
            hash ^= word
            hash = hash &* 0x0000_0100_0000_01b3
        }
        mix(UInt64(m.rows))
        mix(UInt64(m.columns))
        m.withUnsafeBufferPointer { p in for v in p { mix(UInt64(v.bitPattern)) } }
        return String(hash, radix: 16)
    }

    /// Refuses a resume whose fit differs from the checkpoint's, naming what differs.
    func checkResume(_ state: TrainingState, signature: [String: String]) throws {
        let names = ["x": "the training features x", "y": "the targets y", "validation": "the validation data"]
        for key in Set(state.fitSignature.keys).union(signature.keys).sorted() where state.fitSignature[key] != signature[key] {
            let saved = state.fitSignature[key] ?? "unset", now = signature[key] ?? "unset"
            if let what = names[key] {
                throw PerceptronError.incompatible("cannot resume: \(what) differ from the checkpoint's (fingerprint \(now), saved \(saved))")
            }
            throw PerceptronError.incompatible("cannot resume: \(key) is \(now), the checkpoint's is \(saved)")
        }
    }

    /// Restores the learning rates and every resumable callback's state; refuses a
    /// callback without saved state, or saved state without its callback.
    func restoreTraining(_ state: TrainingState, callbacks: [any Callback]) throws {
        let resumable = callbacks.compactMap { $0 as? any ResumableCallback }
        let keys = resumable.map(\.stateKey)
        if let missing = Set(state.callbacks.keys).subtracting(keys).sorted().first {
            throw PerceptronError.incompatible("cannot resume: the checkpoint holds the state of \(missing), which this fit does not have")
        }
        for callback in resumable {
            guard let saved = state.callbacks[callback.stateKey] else {
                throw PerceptronError.incompatible("cannot resume: the checkpoint holds no state for \(callback.stateKey)")
            }
            try callback.restore(saved, model: self)
        }
        baseLearningRate = state.baseLearningRate
        optimizer.learningRate = state.learningRate
    }

    /// The state after `completedEpochs` epochs, for the checkpoint writers.
    func trainingState(completedEpochs: Int, history: History, callbacks: [any Callback],
                       signature: [String: String]) throws -> TrainingState {
        var states: [String: CallbackState] = [:]
        for case let callback as any ResumableCallback in callbacks {
            guard states[callback.stateKey] == nil else {
                throw PerceptronError.incompatible("two callbacks save their state as \(callback.stateKey); checkpoints need distinct keys")
            }
            states[callback.stateKey] = callback.savedState(model: self)
        }
        return TrainingState(completedEpochs: completedEpochs, history: history, baseLearningRate: baseLearningRate,
                             learningRate: optimizer.learningRate, callbacks: states, fitSignature: signature)
    }
}

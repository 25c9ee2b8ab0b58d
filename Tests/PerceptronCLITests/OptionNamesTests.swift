import ArgumentParser
import Perceptron
import XCTest
@testable import PerceptronCLI

/// Option values in Keras' and command-line spellings, camelCase as aliases; unknown commands named.
final class OptionNamesTests: XCTestCase {
    func train(_ arguments: [String]) throws -> Train {
        try XCTUnwrap(try PerceptronCommand.parseAsRoot(["train"] + arguments) as? Train)
    }

    func testActivationSpellings() throws {
        for spelling in ["leaky_relu", "leaky-relu", "leakyReLU", "LEAKY_RELU"] {
            XCTAssertEqual(try train(["--activation", spelling]).network.activation, .leakyReLU, spelling)
        }
        XCTAssertEqual(try train(["--activation", "tanh"]).network.activation, .tanh)
        XCTAssertThrowsError(try PerceptronCommand.parseAsRoot(["train", "--activation", "swish"]))
    }

    func testLossSpellings() throws {
        let cases: [(String, Loss)] = [
            ("binary_crossentropy", .binaryCrossEntropy), ("binary-crossentropy", .binaryCrossEntropy),
            ("binaryCrossEntropy", .binaryCrossEntropy), ("sparse_categorical_crossentropy", .sparseCategoricalCrossEntropy),
            ("categorical_crossentropy", .categoricalCrossEntropy), ("mean_squared_error", .meanSquaredError),
            ("mse", .meanSquaredError), ("mae", .meanAbsoluteError), ("huber", .huber),
            ("binary_crossentropy_from_logits", .binaryCrossEntropyFromLogits),
        ]
        for (spelling, loss) in cases {
            XCTAssertEqual(try train(["--loss", spelling]).network.loss, loss, spelling)
        }
    }

    func testHelpShowsKerasNames() {
        let help = PerceptronCommand.helpMessage(for: Train.self)
        XCTAssertTrue(help.contains("leaky_relu"), help)
        XCTAssertTrue(help.contains("binary_crossentropy"), help)
        XCTAssertFalse(help.contains("leakyReLU"), help)
    }

    func testUnknownCommandIsNamed() throws {
        let message = try XCTUnwrap(PerceptronCommand.unknownCommandMessage(["trian", "--epochs", "3"]))
        XCTAssertTrue(message.contains("unknown command 'trian'"), message)
        XCTAssertTrue(message.contains("did you mean 'train'?"), message)
        XCTAssertTrue(message.contains("cross-validate"), message)
        XCTAssertNil(PerceptronCommand.unknownCommandMessage(["train"]))
        XCTAssertNil(PerceptronCommand.unknownCommandMessage(["--help"]))
        let far = try XCTUnwrap(PerceptronCommand.unknownCommandMessage(["frobnicate"]))
        XCTAssertFalse(far.contains("did you mean"), far)
        XCTAssertEqual(PerceptronCommand.run(["trian"]), ExitCode.validationFailure.rawValue)
    }
}

import Foundation
import Perceptron

extension Summary {
    /// `summary --weight-bits`: one line per parameter, `layers.<i>.<name> <rows>x<columns>`
    /// then each Float's IEEE-754 bit pattern in hex, row-major. Two models have the same
    /// weights bit for bit exactly when these texts are equal (`cmp`), whatever else their
    /// files record.
    static func weightBits(_ model: Sequential) -> String {
        var lines: [String] = []
        for (i, layer) in model.layers.enumerated() {
            for (name, parameter) in zip(layer.parameterNames, layer.parameters) {
                let bits = parameter.elements.map { String(format: "%08x", $0.bitPattern) }.joined(separator: " ")
                lines.append("layers.\(i).\(name) \(parameter.rows)x\(parameter.columns) \(bits)")
            }
        }
        return lines.joined(separator: "\n")
    }
}

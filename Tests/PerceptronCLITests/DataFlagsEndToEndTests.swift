import Foundation
import XCTest

/// --column-role, predict --keep-columns, --no-header prediction, unseen-category warnings,
/// and the unknown-command error, through the built `perceptron`.
extension EndToEndTests {
    /// A small Titanic-like table: PassengerId, Name, Pclass, Sex, Fare, Survived.
    func writePassengers() throws -> String {
        var text = "PassengerId,Name,Pclass,Sex,Fare,Survived\n"
        for i in 0..<40 {
            let sex = i % 2 == 0 ? "female" : "male"
            let pclass = 1 + i % 3
            text += "\(100 + i),\"Person \(i), Mx.\",\(pclass),\(sex),\(10 + i),\(sex == "female" ? 1 : 0)\n"
        }
        return try write("passengers.csv", text)
    }

    func testColumnRoleKeepColumnsAndUnseenCategories() throws {
        let data = try writePassengers()
        let train = try perceptron("train", "--csv", data, "--target", "Survived", "--column-role", "Pclass=categorical",
                                   "--column-role", "Fare=ignore", "--epochs", "30", "-o", "p.safetensors", "--json")
        XCTAssertEqual(train.status, 0, train.stderr)
        // Pclass one-hot (3) + Sex one-hot (2); Fare ignored; PassengerId and Name ignored automatically.
        XCTAssertEqual(try train.json()["features"] as? Int, 5)

        let badRole = try perceptron("train", "--csv", data, "--target", "Survived", "--column-role", "Class=categorical")
        XCTAssertNotEqual(badRole.status, 0)
        XCTAssertTrue(badRole.stderr.contains("--column-role Class") && badRole.stderr.contains("Pclass"), badRole.stderr)
        let badValue = try perceptron("train", "--csv", data, "--target", "Survived", "--column-role", "Pclass=text")
        XCTAssertNotEqual(badValue.status, 0)
        XCTAssertTrue(badValue.stderr.contains("numeric, numeric:minMax"), badValue.stderr)

        let rows = try write("new.csv", """
            PassengerId,Name,Pclass,Sex,Fare
            900,"Doe, Jane",1,female,30
            901,"Roe, Rich",4,male,12
            902,"Poe, Pat",5,unknown,40
            """)
        let predict = try perceptron("predict", "p.safetensors", "--csv", rows, "--keep-columns", "PassengerId,Name")
        XCTAssertEqual(predict.status, 0, predict.stderr)
        let lines = predict.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "PassengerId,Name,prob_0,prob_1,predicted")
        XCTAssertTrue(lines[1].hasPrefix("900,\"Doe, Jane\","), lines[1])
        XCTAssertTrue(lines[3].hasPrefix("902,\"Poe, Pat\","), lines[3])
        XCTAssertTrue(predict.stderr.contains("column \"Pclass\": 2 of 3 rows hold categories not seen in training (4, 5)"), predict.stderr)
        XCTAssertTrue(predict.stderr.contains("column \"Sex\": 1 of 3 rows"), predict.stderr)

        let unknownKeep = try perceptron("predict", "p.safetensors", "--csv", rows, "--keep-columns", "Ticket")
        XCTAssertNotEqual(unknownKeep.status, 0)
        XCTAssertTrue(unknownKeep.stderr.contains("Ticket"), unknownKeep.stderr)

        let labelled = try write("labelled.csv", "PassengerId,Name,Pclass,Sex,Fare,Survived\n1,a,9,female,1,1\n")
        let evaluate = try perceptron("evaluate", "p.safetensors", "--csv", labelled)
        XCTAssertEqual(evaluate.status, 0, evaluate.stderr)
        XCTAssertTrue(evaluate.stderr.contains("column \"Pclass\": 1 of 1 rows hold categories not seen in training (9)"), evaluate.stderr)
    }

    func testNoHeaderPredictionTakesColumnsByPosition() throws {
        let train = try perceptron("train", "--dataset", "iris", "--epochs", "40", "-o", "iris.safetensors")
        XCTAssertEqual(train.status, 0, train.stderr)
        let withHeader = try write("h.csv", "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n")
        let features = try write("f.csv", "5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n")
        let withTarget = try write("t.csv", "5.1,3.5,1.4,0.2,setosa\n6.7,3.0,5.2,2.3,virginica\n")
        let reference = try perceptron("predict", "iris.safetensors", "--csv", withHeader)
        XCTAssertEqual(reference.status, 0, reference.stderr)
        for file in [features, withTarget] {
            let run = try perceptron("predict", "iris.safetensors", "--csv", file, "--no-header")
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertEqual(run.stdout, reference.stdout, file)
            XCTAssertTrue(run.stderr.contains("has no header; its") && run.stderr.contains("taken by position as sepal length (cm)"), run.stderr)
        }
        let wrong = try write("w.csv", "5.1,3.5,1.4\n")
        let refused = try perceptron("predict", "iris.safetensors", "--csv", wrong, "--no-header")
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("3 columns and no header") && refused.stderr.contains("trained on 5 columns"), refused.stderr)
    }

    func testUnknownCommandIsNamedByTheExecutable() throws {
        let run = try perceptron("trian")
        XCTAssertEqual(run.status, 64)
        XCTAssertTrue(run.stderr.contains("unknown command 'trian'; did you mean 'train'?"), run.stderr)
    }
}

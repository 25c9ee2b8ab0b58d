import XCTest
@testable import PerceptronCLI

/// The report names the CPU by CPUID family and model as well as by its model name: guests of
/// two generations both called themselves "AMD EPYC" (family 26 = Zen 5, family 25 model 17 =
/// Zen 4), and a report that said only "AMD EPYC" could not say which one ran it.
final class MachineInfoTests: XCTestCase {
    func testFamilyAndModelFollowTheModelName() {
        let cpuinfo = """
        processor\t: 0
        vendor_id\t: AuthenticAMD
        cpu family\t: 25
        model\t\t: 17
        model name\t: AMD EPYC
        stepping\t: 1

        processor\t: 1
        vendor_id\t: AuthenticAMD
        cpu family\t: 26
        model\t\t: 2
        model name\t: Another CPU
        """
        XCTAssertEqual(MachineInfo.cpuName(cpuinfo: cpuinfo), "AMD EPYC (family 25 model 17)")
    }

    func testModelNameAloneWhereFamilyIsMissing() {
        XCTAssertEqual(MachineInfo.cpuName(cpuinfo: "model name\t: Some CPU\n"), "Some CPU")
        XCTAssertNil(MachineInfo.cpuName(cpuinfo: "processor\t: 0\nBogoMIPS\t: 50.00\n"))
    }
}

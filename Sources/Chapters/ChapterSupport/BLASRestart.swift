import Core
import Foundation

/// Starts this program again with a faster OpenBLAS kernel set when ``BLASKernel/upgrade(core:capable:environment:)``
/// says the library fell back to a generic one (OpenBLAS reads `OPENBLAS_CORETYPE` only when it is loaded).
public enum BLASRestart {
    /// Restarts this program (same executable, same arguments) with `OPENBLAS_CORETYPE` set when needed; returns
    /// only when no restart is needed or the restart could not be made (then with the reason). Call it first
    /// thing in a program that times or trains with BLAS, before any output.
    @discardableResult
    public static func ifGeneric(arguments: [String] = CommandLine.arguments) -> String? {
        let environment = ProcessInfo.processInfo.environment
        guard let chosen = BLASKernel.upgrade(core: BLASKernel.coreName, capable: BLASKernel.capableCoreType(),
                                              environment: environment) else { return nil }
        setenv("OPENBLAS_CORETYPE", chosen, 1)
        setenv(BLASKernel.restartMarker, BLASKernel.coreName, 1)
        let argv = arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", argv)
        return "could not restart with OPENBLAS_CORETYPE=\(chosen) (\(String(cString: strerror(errno)))); running on \(BLASKernel.coreName)"
    }

    /// When this process was restarted by ``ifGeneric(arguments:)``: the kernel set OpenBLAS had chosen before.
    public static var replacedCore: String? { ProcessInfo.processInfo.environment[BLASKernel.restartMarker] }
}

#if canImport(Glibc)
  import Glibc
#endif

/// SIGTERM, SIGHUP and SIGINT end the board the way `q` does, so the terminal is restored
/// (a closed SSH session sends SIGHUP; `kill` sends SIGTERM). The handler only sets a flag and
/// writes a byte to the run loop's wake-up pipe: both are safe inside a signal handler.
public enum TerminationSignals {
  nonisolated(unsafe) private static var wakeFD: Int32 = -1
  nonisolated(unsafe) public private(set) static var requested: sig_atomic_t = 0

  public static func install(wakingUp fd: Int32) {
    wakeFD = fd
    for signal in [SIGTERM, SIGHUP, SIGINT] {
      Glibc.signal(signal) { _ in
        TerminationSignals.requested = 1
        var byte: UInt8 = 1
        _ = write(TerminationSignals.wakeFD, &byte, 1)
      }
    }
  }
}

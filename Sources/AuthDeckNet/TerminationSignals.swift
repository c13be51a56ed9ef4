import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// SIGTERM, SIGHUP and SIGINT end the board the way `q` does, so the terminal is restored (a
/// closed SSH session sends SIGHUP; `kill` sends SIGTERM), and the agent, which removes its
/// socket. The handler only sets an atomic flag and writes a byte to the run loop's wake-up
/// pipe: both are safe inside a signal handler.
public enum TerminationSignals {
  private static let wakeFD = Atomic<Int32>(-1)
  private static let flag = Atomic<Bool>(false)

  /// Whether one of the signals arrived.
  public static var requested: Bool { flag.load(ordering: .sequentiallyConsistent) }

  public static func install(wakingUp fd: Int32) {
    wakeFD.store(fd, ordering: .sequentiallyConsistent)
    for signal in [SIGTERM, SIGHUP, SIGINT] {
      Glibc.signal(signal) { _ in
        TerminationSignals.flag.store(true, ordering: .sequentiallyConsistent)
        var byte: UInt8 = 1
        _ = write(TerminationSignals.wakeFD.load(ordering: .sequentiallyConsistent), &byte, 1)
      }
    }
  }
}

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
  private static let number = Atomic<Int32>(0)

  /// Whether one of the signals arrived.
  public static var requested: Bool { flag.load(ordering: .sequentiallyConsistent) }

  /// The signal that arrived (0: none), for a command that cleans up and then ends by it, so
  /// that its shell sees 128+N as for any program stopped by a signal.
  public static var received: Int32 { number.load(ordering: .sequentiallyConsistent) }

  /// Ends the process by the signal that arrived, its handler put back to the default first.
  public static func endByReceivedSignal() -> Never {
    let signal = received == 0 ? SIGTERM : received
    Glibc.signal(signal, SIG_DFL)
    raise(signal)
    exit(128 + signal)  // only if the signal was blocked
  }

  /// The handlers `install` replaced. Set and read by the thread that installs (a command's
  /// main thread), never by a handler.
  nonisolated(unsafe) private static var replaced: [(Int32, __sighandler_t?)] = []

  /// The handlers from before `install` back (a secret command's, or the default), for a
  /// command whose wake-up pipe is about to close: a byte must never go to a descriptor that
  /// number is given next.
  public static func uninstall() {
    wakeFD.store(-1, ordering: .sequentiallyConsistent)
    for (signal, handler) in replaced { Glibc.signal(signal, handler) }
    replaced = []
  }

  public static func install(wakingUp fd: Int32) {
    wakeFD.store(fd, ordering: .sequentiallyConsistent)
    let first = replaced.isEmpty  // installed again: what it replaced then stays the original
    for signal in [SIGTERM, SIGHUP, SIGINT] {
      let previous = Glibc.signal(signal) { received in
        TerminationSignals.number.store(received, ordering: .sequentiallyConsistent)
        TerminationSignals.flag.store(true, ordering: .sequentiallyConsistent)
        var byte: UInt8 = 1
        let fd = TerminationSignals.wakeFD.load(ordering: .sequentiallyConsistent)
        if fd >= 0 { _ = write(fd, &byte, 1) }
      }
      if first { replaced.append((signal, previous)) }
    }
  }
}

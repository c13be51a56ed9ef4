import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// SIGTSTP (`kill -TSTP`, a shell's `suspend`) and SIGCONT (after any stop, SIGSTOP's too): the
/// handlers set a flag and wake the run loop, which leaves the screen and stops, or restores the
/// terminal and repaints. Ctrl-Z itself is a key (raw mode turns signals off) that does the same.
enum JobControlSignals {
  private static let wakeFD = Atomic<Int32>(-1)
  private static let suspendFlag = Atomic<Bool>(false)
  private static let continueFlag = Atomic<Bool>(false)

  static func install(wakingUp fd: Int32) {
    wakeFD.store(fd, ordering: .sequentiallyConsistent)
    catchStop()
    Glibc.signal(SIGCONT) { _ in
      JobControlSignals.continueFlag.store(true, ordering: .sequentiallyConsistent)
      JobControlSignals.wake()
    }
  }

  /// SIGTSTP to the flag (again after a stop, which puts the default back for the stop itself).
  static func catchStop() {
    Glibc.signal(SIGTSTP) { _ in
      JobControlSignals.suspendFlag.store(true, ordering: .sequentiallyConsistent)
      JobControlSignals.wake()
    }
  }

  private static func wake() {
    var byte: UInt8 = 1
    _ = write(wakeFD.load(ordering: .sequentiallyConsistent), &byte, 1)
  }

  /// Whether a SIGTSTP came since the last look.
  static func takeSuspend() -> Bool { suspendFlag.exchange(false, ordering: .sequentiallyConsistent) }
  /// Whether a SIGCONT came since the last look.
  static func takeContinue() -> Bool { continueFlag.exchange(false, ordering: .sequentiallyConsistent) }

  /// Stops this process as the default SIGTSTP would; returns once continued (`fg`).
  static func stopHere() {
    Glibc.signal(SIGTSTP, SIG_DFL)
    kill(getpid(), SIGTSTP)
    catchStop()
  }
}

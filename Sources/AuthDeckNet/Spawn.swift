import AuthDeckCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Child processes without a shell.
public enum Spawn {
  public static func findExecutable(_ name: String, path: String?) -> String? {
    guard case .found(let file) = CommandLookup.find(name, path: path) else { return nil }
    return file
  }

  /// Starts `argv` with stdio on /dev/null and reaps it in the background.
  public static func detached(_ argv: [String], environment: ChildEnvironment) throws(AuthDeckError) {
    let pid = try start(argv, stdinData: nil, environment: environment)
    Thread.detachNewThread {
      var status: Int32 = 0
      waitpid(pid, &status, 0)
    }
  }

  /// Starts `argv` like `detached`, then watches it for `grace` seconds: its exit status when it
  /// ended that soon (a `$BROWSER` that fails at once), nil when it still runs (it is reaped in
  /// the background then). A signal counts as 128 + its number, as a shell says.
  public static func detached(
    _ argv: [String], environment: ChildEnvironment, watching grace: TimeInterval
  ) throws(AuthDeckError) -> Int32? {
    let pid = try start(argv, stdinData: nil, environment: environment)
    let deadline = Date().addingTimeInterval(grace)
    var status: Int32 = 0
    repeat {
      let reaped = waitpid(pid, &status, WNOHANG)
      if reaped == pid {
        return status & 0x7f != 0 ? 128 + (status & 0x7f) : (status >> 8) & 0xff
      }
      if reaped < 0 && errno != EINTR { return nil }
      usleep(10_000)
    } while Date() < deadline
    Thread.detachNewThread {
      var status: Int32 = 0
      while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
    return nil
  }

  /// Runs `argv`, writes `input` to its stdin (the way secrets reach child processes), waits,
  /// and returns its exit status as a shell says it (128 + N for signal N); an error when it
  /// could not be started.
  public static func run(_ argv: [String], input: Data, environment: ChildEnvironment)
    -> Result<Int32, AuthDeckError>
  {
    let pid: pid_t
    do throws(AuthDeckError) {
      pid = try start(argv, stdinData: input, environment: environment)
    } catch {
      return .failure(error)
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return .success(status & 0x7f != 0 ? 128 + (status & 0x7f) : (status >> 8) & 0xff)
  }

  /// A child whose stdout and stderr come back through pipes.
  public struct Child {
    public let pid: pid_t
    let stdout: Int32
    let stderr: Int32
  }

  /// Starts `argv` in a process group of its own (so that all it starts can be stopped
  /// together), stdin on /dev/null, stdout and stderr on pipes.
  static func startCapturing(_ argv: [String], environment: ChildEnvironment) throws(AuthDeckError) -> Child {
    var out: [Int32] = [-1, -1]
    var err: [Int32] = [-1, -1]
    guard pipe(&out) == 0 else { throw .other("cannot create a pipe") }
    guard pipe(&err) == 0 else {
      close(out[0])
      close(out[1])
      throw .other("cannot create a pipe")
    }
    // Other children started meanwhile (the board runs requests in parallel) must not inherit them.
    for fd in out + err { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    defer {
      close(out[1])
      close(err[1])
    }
    do {
      let pid = try start(
        argv, stdinData: nil, stdout: out[1], stderr: err[1], ownGroup: true, environment: environment)
      return Child(pid: pid, stdout: out[0], stderr: err[0])
    } catch {
      close(out[0])
      close(err[0])
      throw error
    }
  }

  private static func start(
    _ argv: [String], stdinData: Data?, stdout: Int32? = nil, stderr: Int32? = nil, ownGroup: Bool = false,
    environment: ChildEnvironment
  ) throws(AuthDeckError) -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var inputPipe: [Int32] = [-1, -1]
    if stdinData != nil {
      guard pipe(&inputPipe) == 0 else { throw .other("cannot create a pipe") }
      posix_spawn_file_actions_adddup2(&actions, inputPipe[0], 0)
      posix_spawn_file_actions_addclose(&actions, inputPipe[1])
    } else {
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    }
    for (target, source) in [(Int32(1), stdout), (Int32(2), stderr)] {
      if let source {
        posix_spawn_file_actions_adddup2(&actions, source, target)
      } else {
        posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
      }
    }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // The board may block SIGINT etc.; the child starts with a clean mask and default handlers.
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGINT, SIGPIPE, SIGTERM, SIGWINCH, SIGHUP] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
    if ownGroup {
      posix_spawnattr_setpgroup(&attributes, 0)
      flags |= POSIX_SPAWN_SETPGROUP
    }
    posix_spawnattr_setflags(&attributes, Int16(flags))
    var pid: pid_t = 0
    let arguments = CStrings(argv)
    let variables = CStrings(environment.variables.map { "\($0.key)=\($0.value)" })
    let result = withExtendedLifetime((arguments, variables)) {
      posix_spawnp(&pid, argv[0], &actions, &attributes, arguments.pointers, variables.pointers)
    }
    if stdinData != nil { close(inputPipe[0]) }
    guard result == 0 else {
      if stdinData != nil { close(inputPipe[1]) }
      throw .other("could not start \(argv[0]): \(String(cString: strerror(result)))")
    }
    if let stdinData {
      Self.writeWithoutSIGPIPE(stdinData, to: inputPipe[1])
      close(inputPipe[1])
    }
    return pid
  }

  /// Writes what a child is given on stdin. A child that ends without reading it all (a
  /// clipboard tool that fails at once) must not end this process by SIGPIPE, whatever its
  /// disposition (a library user, a test runner, has not ignored it): the signal is blocked on
  /// this thread for the write, and one it raised is taken before unblocking.
  static func writeWithoutSIGPIPE(_ data: Data, to fd: Int32) {
    var pipeSignal = sigset_t()
    sigemptyset(&pipeSignal)
    sigaddset(&pipeSignal, SIGPIPE)
    var pendingBefore = sigset_t()
    sigpending(&pendingBefore)
    let wasPending = sigismember(&pendingBefore, SIGPIPE) == 1
    var previous = sigset_t()
    pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
    var broken = false
    data.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 {
          broken = errno == EPIPE
          break
        }
        offset += n
      }
    }
    if broken && !wasPending {
      var none = timespec(tv_sec: 0, tv_nsec: 0)
      _ = sigtimedwait(&pipeSignal, nil, &none)
    }
    pthread_sigmask(SIG_SETMASK, &previous, nil)
  }
}

extension Spawn.Child {
  public enum End: Equatable {
    case exited(Int32)
    case signaled(Int32)
    case timedOut
    case tooMuchOutput
  }

  public struct Outcome {
    public var stdout: [UInt8] = []
    public var stderr: [UInt8] = []
    public var end: End = .exited(0)
  }

  /// Reads stdout and stderr until both close, then reaps the child. Past `deadline`, or once
  /// stdout passes `stdoutLimit`, the child's whole group is killed. stderr beyond 4 KiB is
  /// read and dropped, so a chatty command cannot block on a full pipe.
  public func collect(deadline: Date, stdoutLimit: Int) -> Outcome {
    var outcome = Outcome()
    var open: [Int32] = [stdout, stderr]
    var stopped: End?
    var buffer = [UInt8](repeating: 0, count: 4096)
    while !open.isEmpty && stopped == nil {
      let remaining = deadline.timeIntervalSinceNow
      guard remaining > 0 else {
        stopped = .timedOut
        break
      }
      var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
      let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining * 1000, 60_000)) + 1)
      if ready < 0 && errno != EINTR { break }
      for entry in fds where entry.revents != 0 {
        let n = read(entry.fd, &buffer, buffer.count)
        if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
        if n <= 0 {
          open.removeAll { $0 == entry.fd }
        } else if entry.fd == stdout {
          outcome.stdout += buffer[0..<n]
          if outcome.stdout.count > stdoutLimit { stopped = .tooMuchOutput }
        } else if outcome.stderr.count < 4096 {
          outcome.stderr += buffer[0..<n]
        }
      }
    }
    close(stdout)
    close(stderr)
    if stopped != nil { Glibc.kill(-pid, SIGKILL) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    // The shell may be gone while something it started still runs in the group.
    Glibc.kill(-pid, SIGKILL)
    if let stopped {
      outcome.end = stopped
    } else if status & 0x7f != 0 {
      outcome.end = .signaled(status & 0x7f)
    } else {
      outcome.end = .exited((status >> 8) & 0xff)
    }
    return outcome
  }
}

import AuthDeckCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Opens the user's own browser (RFC 8252 §8.12): $BROWSER with the URL as its one argument,
/// else xdg-open, else open. An argument vector, never a shell; the child's output goes to
/// /dev/null so that it cannot scribble on the board.
public enum Browser {
  /// `withholding` names environment variables that hold secrets (client_secret_env): the
  /// browser starts without them.
  public static func open(
    _ url: String, environment: [String: String] = ProcessInfo.processInfo.environment,
    withholding secrets: Set<String> = []
  ) throws(AuthDeckError) {
    guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
      scheme == "https" || (scheme == "http" && Loopback.isLoopbackHost(parsed.host))
    else {
      throw .usage("refusing to open a URL that is neither https nor a loopback http address")
    }
    var candidates: [String] = []
    if let browser = environment["BROWSER"], !browser.isEmpty {
      candidates.append(contentsOf: browser.split(separator: ":").map(String.init))
    }
    candidates += ["xdg-open", "open"]
    for program in candidates where Spawn.findExecutable(program, path: environment["PATH"]) != nil {
      do {
        try Spawn.detached([program, url], environment: environment.filter { !secrets.contains($0.key) })
        return
      } catch {
        continue
      }
    }
    throw .other("no browser could be started (set $BROWSER); open the URL yourself")
  }
}

/// Child processes without a shell.
public enum Spawn {
  public static func findExecutable(_ name: String, path: String?) -> String? {
    guard case .found(let file) = CommandLookup.find(name, path: path) else { return nil }
    return file
  }

  /// Starts `argv` with stdio on /dev/null and reaps it in the background.
  public static func detached(_ argv: [String], environment: [String: String]) throws(AuthDeckError) {
    let pid = try start(argv, stdinData: nil, environment: environment)
    Thread.detachNewThread {
      var status: Int32 = 0
      waitpid(pid, &status, 0)
    }
  }

  /// Runs `argv`, writes `input` to its stdin (the way secrets reach child processes),
  /// waits, and says whether it exited 0.
  public static func run(_ argv: [String], input: Data, environment: [String: String]) -> Bool {
    guard let pid = try? start(argv, stdinData: input, environment: environment) else { return false }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return status & 0x7f == 0 && (status >> 8) & 0xff == 0
  }

  private static func start(_ argv: [String], stdinData: Data?, environment: [String: String])
    throws(AuthDeckError)
    -> pid_t
  {
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
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // The board may block SIGINT etc.; the child starts with a clean mask and default handlers.
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGINT, SIGPIPE, SIGTERM, SIGWINCH] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var pid: pid_t = 0
    let arguments = CStrings(argv)
    let variables = CStrings(environment.map { "\($0.key)=\($0.value)" })
    let result = withExtendedLifetime((arguments, variables)) {
      posix_spawnp(&pid, argv[0], &actions, &attributes, arguments.pointers, variables.pointers)
    }
    if stdinData != nil { close(inputPipe[0]) }
    guard result == 0 else {
      if stdinData != nil { close(inputPipe[1]) }
      throw .other("could not start \(argv[0]): \(String(cString: strerror(result)))")
    }
    if let stdinData {
      stdinData.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
          let n = write(inputPipe[1], raw.baseAddress! + offset, raw.count - offset)
          if n <= 0 { break }
          offset += n
        }
      }
      close(inputPipe[1])
    }
    return pid
  }
}

/// The real browser edge: `Browser.open` with this process's environment, less the secrets.
public struct SystemBrowser: BrowserOpening {
  let environment: [String: String]
  let secrets: Set<String>

  public init(environment: [String: String], withholding secrets: Set<String>) {
    self.environment = environment
    self.secrets = secrets
  }

  public func open(_ url: String) throws(AuthDeckError) {
    try Browser.open(url, environment: environment, withholding: secrets)
  }
}

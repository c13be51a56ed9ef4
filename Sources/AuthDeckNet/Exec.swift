import AuthDeckCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `authdeck exec`'s last step: this process becomes COMMAND, as a shell's `exec` does. Nothing
/// has to run after COMMAND, so there is no parent left to wait: its exit status, a signal that
/// kills it and every signal sent to it (Ctrl-C, SIGTERM, SIGHUP, SIGWINCH …) are the caller's
/// own, with no forwarding code that could get one wrong.
public enum Exec {
  /// Why COMMAND could not be started, with the status a shell gives: 127 not found, 126 found
  /// but not runnable.
  public struct Failure: Error, Equatable, Sendable {
    public var status: Int32
    public var message: String
  }

  /// Where COMMAND is, looked up the way a shell does (a name with a slash as it is, else along
  /// `PATH`), or why it cannot be run.
  public static func locate(_ name: String, path: String?) -> Result<String, Failure> {
    let shown = Sanitizer.inline(name, limit: 80)
    switch CommandLookup.find(name, path: path) {
    case .found(let executable): return .success(executable)
    case .notExecutable(let file):
      var status = stat()
      let why =
        stat(file, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
        ? "is a directory" : "permission denied"
      return .failure(Failure(status: 126, message: "\(Sanitizer.inline(file, limit: 120)): \(why)"))
    case .notFound:
      return .failure(Failure(status: 127, message: "\(shown): command not found"))
    }
  }

  /// Replaces this process with `argv` (`executable` from `locate`), with exactly `environment`
  /// and the umask and SIGPIPE disposition AuthDeck was started with. Returns only when the
  /// kernel refused. A file without `#!` runs under /bin/sh, as execvp(3) and shells do.
  public static func replaceProcess(executable: String, argv: [String], environment: [String: String])
    -> Failure
  {
    InheritedSettings.restore()
    fflush(nil)
    let variables = CStrings(environment.map { "\($0.key)=\($0.value)" })
    let arguments = CStrings(argv)
    var error = withExtendedLifetime((arguments, variables)) { () -> Int32 in
      execve(executable, arguments.pointers, variables.pointers)
      return errno
    }
    if error == ENOEXEC {
      let viaShell = CStrings(["/bin/sh", executable] + argv.dropFirst())
      error = withExtendedLifetime((viaShell, variables)) { () -> Int32 in
        execve("/bin/sh", viaShell.pointers, variables.pointers)
        return errno
      }
    }
    let shown = Sanitizer.inline(argv[0], limit: 80)
    return Failure(
      status: error == ENOENT ? 127 : 126, message: "\(shown): \(String(cString: strerror(error)))")
  }
}

/// Where a command is: a name with a slash is taken as it is; any other is looked for in each
/// folder of `PATH` (an empty entry is the current folder), the first runnable file winning.
public enum CommandLookup {
  public enum Result: Equatable, Sendable {
    case found(String)
    /// A file by that name exists but cannot be run (shells say 126).
    case notExecutable(String)
    case notFound
  }

  public static func find(_ name: String, path: String?) -> Result {
    guard !name.isEmpty else { return .notFound }
    if name.contains("/") { return check(name) ?? .notFound }
    var denied: String?
    let folders = (path ?? "/usr/local/bin:/usr/bin:/bin").split(
      separator: ":", omittingEmptySubsequences: false)
    for folder in folders {
      let candidate = (folder.isEmpty ? "." : String(folder)) + "/" + name
      switch check(candidate) {
      case .found(let file): return .found(file)
      case .notExecutable(let file): denied = denied ?? file
      default: continue
      }
    }
    return denied.map { .notExecutable($0) } ?? .notFound
  }

  /// nil when nothing is there.
  private static func check(_ file: String) -> Result? {
    var info = stat()
    guard stat(file, &info) == 0 else { return nil }
    let isRegular = info.st_mode & S_IFMT == S_IFREG
    return isRegular && access(file, X_OK) == 0 ? .found(file) : .notExecutable(file)
  }
}

/// What AuthDeck changes in its own process at start, kept so that `exec` hands COMMAND the
/// process it was given: a child must not inherit umask 077 or an ignored SIGPIPE (`yes | head`
/// would never end).
public enum InheritedSettings {
  // Written once, first thing in main, before any thread exists; read by exec.
  nonisolated(unsafe) private static var umaskValue: mode_t = 0o022
  nonisolated(unsafe) private static var sigpipe = sigaction()

  /// umask 077 (whatever we create is private, even if a write path forgets to chmod) and
  /// SIGPIPE ignored (a clipboard tool or browser that exits early must not kill us).
  public static func harden() {
    umaskValue = umask(0o077)
    var ignore = sigaction()
    ignore.__sigaction_handler.sa_handler = SIG_IGN
    sigaction(SIGPIPE, &ignore, &sigpipe)
  }

  static func restore() {
    umask(umaskValue)
    sigaction(SIGPIPE, &sigpipe, nil)
  }
}

/// C strings for argv and envp (a null-terminated array), freed with the value.
final class CStrings {
  let pointers: [UnsafeMutablePointer<CChar>?]

  init(_ strings: [String]) { pointers = strings.map { strdup($0) } + [nil] }

  deinit { pointers.forEach { free($0) } }
}

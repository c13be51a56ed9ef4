import AuthDeckCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Opens the user's own browser (RFC 8252 §8.12): $BROWSER with the URL as its one argument,
/// else xdg-open, else open; one that fails at once gives way to the next. An argument vector,
/// never a shell; the child's output goes to /dev/null so that it cannot scribble on the board.
public enum Browser {
  /// `environment` is the browser's (without the secret variables); `BROWSER` and `PATH` are
  /// read from it.
  public static func open(_ url: String, environment: ChildEnvironment) throws(AuthDeckError) {
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
    var failures: [String] = []
    for program in candidates {
      // Found on the PATH it is given (the child's), not this process's.
      guard let file = Spawn.findExecutable(program, path: environment["PATH"]) else { continue }
      let status: Int32?
      do {
        status = try Spawn.detached([file, url], environment: environment, watching: startGrace)
      } catch {
        continue
      }
      // Still running, or done at once with success: the browser has the URL.
      guard let status, status != 0 else { return }
      failures.append("\(Sanitizer.inline(program, limit: 60)) exited with status \(status)")
    }
    let why = failures.isEmpty ? "set $BROWSER" : failures.joined(separator: ", ")
    throw .other("no browser could be started (\(why)); open the URL yourself")
  }

  /// How long a browser is watched after it starts: one that fails within it (xdg-open with
  /// no desktop, a `$BROWSER` that cannot run) counts as no browser; one still running, or done
  /// with success, has the URL.
  static let startGrace: TimeInterval = 0.5
}

/// The real browser edge: `Browser.open` with the children's environment.
public struct SystemBrowser: BrowserOpening {
  let environment: ChildEnvironment

  public init(environment: ChildEnvironment) { self.environment = environment }

  public func open(_ url: String) throws(AuthDeckError) {
    try Browser.open(url, environment: environment)
  }
}

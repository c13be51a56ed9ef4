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

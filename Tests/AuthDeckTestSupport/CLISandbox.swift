import Foundation

#if canImport(Glibc)
  import Glibc
#endif

// The real `authdeck` binary in a sandbox of its own: a temp HOME, config and store, the
// client secret in an environment variable, and a BROWSER script that records what it was
// given (and, for loopback logins, follows the provider's redirect with curl like a browser).

public enum AuthDeckBinary {
  /// `authdeck`, built next to the test bundle (e.g. .build-tests/debug/authdeck): the test
  /// process is the bundle (or runs it), so this looks beside it, not beside this file.
  public static let path: String? = {
    var directories = [
      Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
      URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
    ]
    directories += directories.map { $0.deletingLastPathComponent() }
    return directories.map { $0.appendingPathComponent("authdeck").path }
      .first { FileManager.default.isExecutableFile(atPath: $0) }
  }()
}

public final class CLISandbox: @unchecked Sendable {
  public enum Browser {
    /// Records its arguments and environment, then exits (a paste login goes on by hand).
    case record
    /// Records, optionally probes the loopback listener with `probes` (URLs whose status and
    /// body are saved as probe-N-status / probe-N-body), then follows the authorize URL and
    /// its redirect with `curl -L`, as a browser would.
    case follow(probes: [String] = [])
    /// Follows the authorize URL to its redirect, then connects to `address` (`[::1]` or
    /// `127.0.0.1`) for it whatever its host name resolves to: one stack of a localhost redirect.
    case followVia(String)
  }

  public let binary: String
  public let directory: String
  public var home: String { directory + "/home" }
  public var configPath: String { directory + "/config.toml" }
  public var storeRoot: String { directory + "/store" }
  public var sessions: String { storeRoot + "/sessions" }
  /// Where the BROWSER script writes: argc, url, env, fds (its open descriptors), tcp (the
  /// socket table when it started), probe-*, headers, page, done.
  public var browserLog: String { directory + "/browser" }
  public var environment: [String: String]

  public init(config: String, browser: Browser = .record) throws {
    binary = try required(
      AuthDeckBinary.path, "the authdeck binary is not next to the test bundle; build it first")
    directory = makeTemporaryDirectory()
    mkdir(directory + "/home", 0o700)
    mkdir(directory + "/browser", 0o700)
    try writeFile(directory + "/config.toml", Data(config.utf8))
    let script = directory + "/browser.sh"
    try writeFile(script, Data(Self.browserScript(log: directory + "/browser", browser).utf8), mode: 0o700)
    environment = [
      "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
      "HOME": directory + "/home",
      "LANG": "C.UTF-8",
      "AUTHDECK_CONFIG": directory + "/config.toml",
      "AUTHDECK_STORE": directory + "/store",
      TestConfig.secretVariable: TestOAuthServer.clientSecret,
      "BROWSER": script,
    ]
  }

  deinit { try? FileManager.default.removeItem(atPath: directory) }

  public static func browserScript(log: String, _ browser: Browser) -> String {
    var lines = [
      "#!/bin/sh",
      "log='\(log)'",
      "printf '%s' \"$#\" > \"$log/argc\"",
      "printf '%s' \"$1\" > \"$log/url\"",
      "env > \"$log/env\"",
      "for fd in /proc/$$/fd/*; do readlink \"$fd\"; done > \"$log/fds\" 2>/dev/null",
      "cat /proc/net/tcp > \"$log/tcp\"",
    ]
    if case .follow(let probes) = browser {
      for (index, probe) in probes.enumerated() {
        lines.append(
          "curl -s --noproxy '*' -o \"$log/probe-\(index)-body\" -w '%{http_code}' '\(probe)' > \"$log/probe-\(index)-status\""
        )
      }
      lines.append("curl -s --noproxy '*' -L -D \"$log/headers\" -o \"$log/page\" \"$1\"")
    }
    if case .followVia(let address) = browser {
      lines.append("target=$(curl -s --noproxy '*' -o /dev/null -w '%{redirect_url}' \"$1\")")
      lines.append("printf '%s' \"$target\" > \"$log/target\"")
      lines.append(
        "curl -s --noproxy '*' --connect-to '::\(address):' -w '%{remote_ip}' -D \"$log/headers\" -o \"$log/page\" \"$target\" > \"$log/remote\""
      )
    }
    lines.append("touch \"$log/done\"")
    return lines.joined(separator: "\n") + "\n"
  }

  public func replaceConfig(_ text: String) throws {
    try writeFile(configPath, Data(text.utf8))
  }

  /// Runs `authdeck ARGS` to the end.
  public func run(_ arguments: [String], input: String? = nil, environment extra: [String: String] = [:])
    throws
    -> ProcessResult
  {
    try ChildProcess.run(
      [binary] + arguments, environment: environment.merging(extra) { $1 }, input: input, timeout: 60)
  }

  /// Starts `authdeck ARGS` with a stdin pipe, for a login that is talked to as it runs.
  public func start(_ arguments: [String]) throws -> ChildProcess {
    try ChildProcess([binary] + arguments, environment: environment, input: .pipe)
  }

  /// Runs `argv` under /bin/sh with the sandbox's environment (for ulimit and traps).
  public func runShell(_ script: String, _ arguments: [String]) throws -> ProcessResult {
    try ChildProcess.run(
      ["/bin/sh", "-c", script, binary] + arguments, environment: environment, timeout: 60)
  }

  public func sessionPath(_ id: String) -> String { StoreFormat.path(root: storeRoot, id: id) }
  public func sessionFile(_ id: String) -> Data? { readBytes(sessionPath(id)) }

  /// Waits (bounded) for the BROWSER script to finish, and returns what it recorded.
  public func browserRecord(_ name: String, timeout: TimeInterval = 20) -> String? {
    guard waitUntil(timeout: timeout, { fileExists(browserLog + "/done") }) else { return nil }
    return readBytes(browserLog + "/" + name).map { String(decoding: $0, as: UTF8.self) }
  }
}

/// A sandbox for one test, removed afterwards.
public func withSandbox<T>(
  config: String, browser: CLISandbox.Browser = .record, _ body: (CLISandbox) throws -> T
)
  throws
  -> T
{
  let sandbox = try CLISandbox(config: config, browser: browser)
  return try withExtendedLifetime(sandbox) { try body(sandbox) }
}

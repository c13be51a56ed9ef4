import AuthDeckCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Runs a `client_secret_command` (with /bin/sh, as the user wrote it) and returns what it
/// printed, or says in one line why it could not.
///
/// The command gets a process group of its own, so that a timeout, or AuthDeck itself being
/// interrupted, stops it and everything it started. Its stdout is capped (a secret is a few
/// KiB at most); one trailing LF or CR LF is removed; a secret with any other control character
/// is refused without being shown. The first line of its stderr says why it failed, sanitized
/// and with the secret cut out should the command echo it there.
public enum SecretCommand {
  public static let defaultTimeout: TimeInterval = 30
  static let outputLimit = 16 * 1024
  static let stderrLimit = 4 * 1024

  public static func run(
    _ command: String, provider: String, timeout: TimeInterval = defaultTimeout,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(AuthDeckError) -> String {
    let child: Spawn.Child
    do {
      child = try Spawn.startCapturing(["/bin/sh", "-c", command], environment: environment)
    } catch {
      throw .config("\(provider): client_secret_command could not be started")
    }
    ChildGroups.shared.add(child.pid)
    defer { ChildGroups.shared.remove(child.pid) }
    let outcome = child.collect(deadline: Date().addingTimeInterval(timeout), stdoutLimit: outputLimit)
    var output = outcome.stdout[...]
    if output.last == UInt8(ascii: "\n") { output = output.dropLast() }
    if output.last == UInt8(ascii: "\r") && outcome.stdout.last == UInt8(ascii: "\n") {
      output = output.dropLast()
    }
    let secret = String(decoding: output, as: UTF8.self)
    let why = firstLine(outcome.stderr, hiding: secret)
    switch outcome.end {
    case .timedOut:
      throw .config(
        "\(provider): client_secret_command did not finish within \(timeout >= 1 ? "\(Int(timeout)) s" : "\(Int(timeout * 1000)) ms"); it was stopped"
      )
    case .tooMuchOutput:
      throw .config(
        "\(provider): client_secret_command printed more than \(outputLimit / 1024) KiB; it was stopped")
    case .signaled(let signal):
      throw .config(
        "\(provider): client_secret_command was killed by signal \(signal)" + why.map { ": \($0)" }.orEmpty)
    case .exited(127):
      throw .config(
        "\(provider): client_secret_command not found (exit status 127)" + why.map { ": \($0)" }.orEmpty)
    case .exited(let status) where status != 0:
      throw .config(
        "\(provider): client_secret_command failed (exit status \(status))" + why.map { ": \($0)" }.orEmpty)
    case .exited:
      break
    }
    guard !secret.isEmpty else { throw .config("\(provider): client_secret_command printed nothing") }
    guard
      !secret.unicodeScalars.contains(where: {
        $0.properties.generalCategory == .control || Sanitizer.isUnsafe($0)
      })
    else {
      throw .config(
        "\(provider): client_secret_command printed control characters besides a final newline; refusing it as a secret"
      )
    }
    return secret
  }

  /// The first non-empty line of stderr, without the secret, made inert and short.
  static func firstLine(_ bytes: [UInt8], hiding secret: String) -> String? {
    let text = String(decoding: bytes.prefix(stderrLimit), as: UTF8.self)
    guard var line = text.split(whereSeparator: \.isNewline).first.map(String.init) else { return nil }
    if secret.count >= 4 { line = line.replacingOccurrences(of: secret, with: "…") }
    let inert = Sanitizer.inline(line, limit: 160).trimmingCharacters(in: .whitespaces)
    return inert.isEmpty ? nil : inert
  }
}

extension Optional where Wrapped == String {
  fileprivate var orEmpty: String { self ?? "" }
}

/// The process groups of running secret commands, so that they can be killed when AuthDeck is
/// interrupted or quits. A fixed table of atomics: a signal handler may read it.
public final class ChildGroups: @unchecked Sendable {
  public static let shared = ChildGroups()
  private static let capacity = 32
  private let slots = UnsafeMutablePointer<pid_t>.allocate(capacity: capacity)
  private let lock = NSLock()

  private init() { slots.initialize(repeating: 0, count: Self.capacity) }

  func add(_ group: pid_t) {
    lock.withLock {
      if let free = (0..<Self.capacity).first(where: { slots[$0] == 0 }) { slots[free] = group }
    }
    SignalForwarding.installOnce()
  }

  func remove(_ group: pid_t) {
    lock.withLock {
      for index in 0..<Self.capacity where slots[index] == group { slots[index] = 0 }
    }
  }

  /// Kills every group still running. Async-signal-safe: no lock, no allocation.
  public func killAll() {
    for index in 0..<Self.capacity where slots[index] > 0 { Glibc.kill(-slots[index], SIGKILL) }
  }
}

/// For command-line use, where SIGINT, SIGTERM and SIGHUP would end AuthDeck at once: kill the
/// secret commands' groups first, then die of the same signal. Where a handler is already in
/// place (the board's), it is left alone; the board kills the groups itself when it quits.
enum SignalForwarding {
  nonisolated(unsafe) private static var installed = false
  private static let lock = NSLock()

  static func installOnce() {
    lock.withLock {
      guard !installed else { return }
      installed = true
      for signal in [SIGINT, SIGTERM, SIGHUP] {
        var current = sigaction()
        sigaction(signal, nil, &current)
        guard current.__sigaction_handler.sa_handler == nil else { continue }  // SIG_DFL is nil
        Glibc.signal(signal) { received in
          ChildGroups.shared.killAll()
          Glibc.signal(received, SIG_DFL)
          raise(received)
        }
      }
    }
  }
}

import AuthDeckCore
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Runs a `client_secret_command` (with /bin/sh, as the user wrote it) and returns what it
/// printed, or says in one line why it could not, naming the file, the provider and the key.
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

  /// `command` is `provider`'s `client_secret_command`.
  public static func run(
    _ command: String, of provider: Provider, timeout: TimeInterval = defaultTimeout,
    environment: ChildEnvironment
  ) throws(AuthDeckError) -> String {
    func failure(_ message: String) -> AuthDeckError { provider.keyError("client_secret_command", message) }
    let child: Spawn.Child
    do {
      child = try Spawn.startCapturing(["/bin/sh", "-c", command], environment: environment)
    } catch {
      throw failure("could not be started")
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
      throw failure(
        "did not finish within \(timeout >= 1 ? "\(Int(timeout)) s" : "\(Int(timeout * 1000)) ms"); it was stopped"
      )
    case .tooMuchOutput:
      throw failure("printed more than \(outputLimit / 1024) KiB; it was stopped")
    case .signaled(let signal):
      throw failure("was killed by signal \(signal)" + why.map { ": \($0)" }.orEmpty)
    case .exited(127):
      throw failure("not found (exit status 127)" + why.map { ": \($0)" }.orEmpty)
    case .exited(let status) where status != 0:
      throw failure("failed (exit status \(status))" + why.map { ": \($0)" }.orEmpty)
    case .exited:
      break
    }
    guard !secret.isEmpty else { throw failure("printed nothing") }
    guard
      !secret.unicodeScalars.contains(where: {
        $0.properties.generalCategory == .control || Sanitizer.isUnsafe($0)
      })
    else {
      throw failure("printed control characters besides a final newline; refusing it as a secret")
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
/// interrupted or quits. A fixed table of atomics, because a signal handler reads it: no lock,
/// no allocation.
public final class ChildGroups: Sendable {
  public static let shared = ChildGroups()
  private let slots: InlineArray<32, Atomic<Int32>> = InlineArray { _ in Atomic(0) }

  private init() {}

  /// Remembers `group`; with every slot taken (32 secret commands at once) it is not
  /// remembered, and only its own timeout stops it.
  func add(_ group: pid_t) {
    for index in slots.indices
    where slots[index].compareExchange(expected: 0, desired: group, ordering: .sequentiallyConsistent)
      .exchanged
    {
      return
    }
  }

  func remove(_ group: pid_t) {
    for index in slots.indices {
      _ = slots[index].compareExchange(expected: group, desired: 0, ordering: .sequentiallyConsistent)
    }
  }

  /// Kills every group still running. Async-signal-safe.
  public func killAll() {
    for index in slots.indices {
      let group = slots[index].load(ordering: .sequentiallyConsistent)
      if group > 0 { Glibc.kill(-group, SIGKILL) }
    }
  }
}

/// For command-line use, where SIGINT, SIGTERM and SIGHUP would end AuthDeck at once: kill the
/// secret commands' groups first, then die of the same signal. Installed once at start by the
/// executable (never as a side effect of reading a secret). A signal that is ignored (a
/// background job's SIGINT) stays ignored; the board installs handlers of its own over these
/// and kills the groups itself when it quits.
public enum SecretCommandSignals {
  public static func install() {
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

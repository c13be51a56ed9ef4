import AuthDeckCore
import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckNet

#if canImport(Glibc)
  import Glibc
#endif

@Suite("client_secret_command")
struct SecretCommandTests {
  /// acme, as read from `/c/config.toml`: every message names the file, the provider and the key.
  static let provider: Provider = {
    var provider = Provider(id: "acme", authorizeURL: nil, tokenURL: nil, clientID: "app", redirectURI: nil)
    provider.configurationFile = "/c/config.toml"
    return provider
  }()
  static let named = "/c/config.toml: providers.acme.client_secret_command: "

  func run(_ command: String, timeout: TimeInterval = 10) throws(AuthDeckError) -> String {
    try SecretCommand.run(
      command, of: Self.provider, timeout: timeout,
      environment: ChildEnvironment(inherited: ["PATH": "/usr/bin:/bin"], withholding: []))
  }

  func failure(_ command: String, timeout: TimeInterval = 10) -> String {
    thrownError { () throws(AuthDeckError) in try run(command, timeout: timeout) }?.description ?? "no error"
  }

  @Test("one trailing LF or CR LF is removed, and nothing else")
  func oneTrailingNewlineIsRemoved() throws {
    #expect(try run("printf 's3cret\\n'") == "s3cret")
    #expect(try run("printf 's3cret\\r\\n'") == "s3cret")
    #expect(try run("printf ' spaced s3cret '") == " spaced s3cret ")
  }

  @Test("a secret with other control characters is refused, and the message does not show it")
  func controlCharactersAreRefused() {
    for output in ["s3cret\\n\\n", "s3c\\033[2Jret", "s3c\\tret", "two\\nlines"] {
      let message = failure("printf '\(output)'")
      #expect(
        message
          == Self.named + "printed control characters besides a final newline; refusing it as a secret"
      )
    }
  }

  @Test("a command that is not there says not found, with the shell's own line")
  func aMissingCommandSaysNotFound() {
    let message = failure("no-such-secret-tool get acme")
    #expect(message.hasPrefix(Self.named + "not found (exit status 127): "), "\(message)")
    #expect(message.contains("no-such-secret-tool"), "\(message)")
  }

  @Test("a failing command says its exit status and the first line of its stderr, made inert")
  func aFailingCommandSaysWhy() {
    let message = failure("printf 'vault is \\033[31msealed\\nsecond line\\n' >&2; exit 2")
    #expect(message.hasPrefix(Self.named + "failed (exit status 2): vault is "), "\(message)")
    #expect(
      message.contains("sealed") && !message.contains("\u{1B}") && !message.contains("second line"),
      "\(message)")
  }

  @Test("a secret the command also echoes on stderr is cut out of the message")
  func theSecretIsCutOutOfStderr() {
    let message = failure("echo hunter22; echo 'cannot use hunter22 today' >&2; exit 1")
    #expect(!message.contains("hunter22"), "\(message)")
    #expect(message.hasSuffix("cannot use … today"), "\(message)")
  }

  @Test("a command that hangs is stopped at the timeout, with everything it started")
  func aHangingCommandIsStoppedWithItsGroup() throws {
    try withTemporaryDirectory { directory in
      let pidFile = directory + "/pid"
      let started = Date()
      let message = failure("sleep 300 & echo $! > \(pidFile); wait", timeout: 0.5)
      #expect(message == Self.named + "did not finish within 500 ms; it was stopped")
      #expect(Date().timeIntervalSince(started) < 10)
      let pid = try #require(
        pid_t(
          try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        ))
      #expect(waitUntil(timeout: 10) { !isAlive(pid) }, "the sleep the command started was killed too")
    }
  }

  @Test("a command that prints more than a secret's worth is stopped")
  func tooMuchOutputIsStopped() {
    #expect(failure("yes") == Self.named + "printed more than 16 KiB; it was stopped")
  }

  @Test("a secret command starts without the variables that hold other providers' secrets")
  func theCommandGetsNoOtherSecrets() throws {
    let resolver = SecretResolver(
      environment: ["PATH": "/usr/bin:/bin", "OTHER_SECRET": "hunter2", "HOME": "/home/x"],
      withholding: ["OTHER_SECRET"])
    let provider = Provider(
      id: "acme", authorizeURL: nil, tokenURL: URL(string: "https://id.example/token"), clientID: "c",
      secret: .command("echo \"${OTHER_SECRET:-none} $HOME\""), redirectURI: nil)
    let secret = try resolver.secret(for: provider)
    #expect(secret == "none /home/x", "\(String(describing: secret))")
  }

  @Test("a command killed by a signal says so")
  func aKilledCommandSaysSo() {
    #expect(failure("kill -TERM $$") == Self.named + "was killed by signal 15")
  }
}

/// Alive and not a zombie waiting for its parent.
func isAlive(_ pid: pid_t) -> Bool {
  guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
  guard let close = stat.lastIndex(of: ")") else { return false }
  return !stat[close...].dropFirst(2).hasPrefix("Z")
}

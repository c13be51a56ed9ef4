import AuthDeckTestSupport
import Foundation
import Testing

/// `authdeck login` reads the client secret before it opens the browser: a command that is not
/// found, fails or hangs is said at once, with why, and the person is never sent to log in for
/// a code exchange that would fail. Nothing is stored.
@Suite("A login checks its client secret before the browser")
struct SecretCheckTests {
  struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let keys: String
    let message: String
    var testDescription: String { name }
  }

  static let cases = [
    Case(
      name: "not found", keys: "client_secret_command = \"no-such-vault read acme\"",
      message: "providers.limio.client_secret_command: not found (exit status 127): "),
    Case(
      name: "fails with a reason",
      keys: "client_secret_command = \"echo 'vault: permission denied for acme' >&2; exit 2\"",
      message:
        "providers.limio.client_secret_command: failed (exit status 2): vault: permission denied for acme"),
    Case(
      name: "hangs", keys: "client_secret_command = \"sleep 30\"\nclient_secret_timeout = \"1s\"",
      message: "providers.limio.client_secret_command: did not finish within 1 s; it was stopped"),
    Case(
      name: "variable not set", keys: "client_secret_env = \"NOT_SET_ANYWHERE\"",
      message: "providers.limio.client_secret_env: the environment variable NOT_SET_ANYWHERE is not set"),
  ]

  /// The limio test configuration with `keys` where its secret variable was.
  static func limio(_ server: TestOAuthServer, secret keys: String) -> String {
    let config = TestConfig.limio(server).replacingOccurrences(
      of: "client_secret_env = \"\(TestConfig.secretVariable)\"\nredirect_uri", with: "\(keys)\nredirect_uri")
    #expect(config.contains(keys))
    return config
  }

  @Test(
    "a secret that cannot be read stops the login before the browser, says why, stores nothing",
    arguments: cases)
  func secretFailsFirst(_ check: Case) throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.limio(server, secret: check.keys)) { box in
        let started = Date()
        let result = try box.run(["login", "limio/main"])
        #expect(result.status == 78, "\(result)")
        // Like every configuration error: the file, the provider and the key.
        #expect(result.stderr.contains("authdeck: \(box.configPath): \(check.message)"), "\(result)")
        #expect(result.stderr.contains("no login was started, and nothing was stored"), "\(result)")
        #expect(!result.stderr.contains("within 5 minutes at:"), "no authorize URL was shown")
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(
          !FileManager.default.fileExists(atPath: box.browserLog + "/argc"), "the browser was never started")
        #expect(box.sessionFile("limio/main") == nil)
        #expect(try server.tokenRequests().isEmpty)
      }
    }
  }

  @Test("a secret that can be read lets the login go on to the browser")
  func secretReadable() throws {
    try withServer(.limio) { server in
      // Not from AUTHDECK_TEST_SECRET: that variable holds another provider's secret here, and a
      // secret command starts without those.
      let command = "client_secret_command = \"printf %s '\(TestOAuthServer.clientSecret)'\""
      try withSandbox(config: Self.limio(server, secret: command)) { box in
        let login = try box.start(["login", "limio/main"])
        defer { login.kill(SIGKILL) }
        try #require(login.stderr.wait(for: "Paste the URL"), "\(login.stderr.text)")
        #expect(box.browserRecord("argc") == "1")
      }
    }
  }
}

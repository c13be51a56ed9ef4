import AuthDeckTestSupport
import Foundation
import Testing

/// `authdeck git-credential` as git runs it: `git credential fill|approve|reject` with the helper
/// set as a user sets it, in a HOME of the sandbox's and without the system's git configuration.
@Suite("git's credential helper: authdeck git-credential")
struct GitCredentialCLITests {
  static let git = "/usr/bin/git"
  static let request = "protocol=https\nhost=git.example.com\n\n"

  /// limio and svc, with git.example.com (and http://127.0.0.1:8080) served by `gitProvider`,
  /// through its `git_account` when given.
  static func config(_ server: TestOAuthServer, gitProvider: String = "svc", account: String? = nil) -> String
  {
    let keys =
      [#"git_hosts = ["git.example.com", "127.0.0.1:8080"]"#]
      + (account.map { ["git_account = \"\($0)\""] } ?? [])
    let table = "[providers.\(gitProvider)]\n"
    return TestConfig.limio(server).replacingOccurrences(
      of: table, with: table + keys.joined(separator: "\n") + "\n")
  }

  /// `git -c credential.helper= -c 'credential.helper=!authdeck git-credential' [more helpers]
  /// credential ACTION`, with no terminal to ask and no configuration but the sandbox's.
  static func git(
    _ box: CLISandbox, _ action: String, input: String, thenHelper next: String? = nil
  ) throws -> ProcessResult {
    var helpers = ["-c", "credential.helper=", "-c", "credential.helper=!'\(box.binary)' git-credential"]
    if let next { helpers += ["-c", "credential.helper=\(next)"] }
    let environment = box.environment.merging(["GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"]) { $1 }
    return try ChildProcess.run(
      [git] + helpers + ["credential", action], environment: environment, input: input, timeout: 60)
  }

  /// A helper after authdeck's that always answers: git reaching it means authdeck answered nothing.
  static let fallback = "!f() { cat >/dev/null; echo username=next; echo password=fallback; }; f"

  /// The store's session files (locks aside) with their bytes.
  static func sessionFiles(_ box: CLISandbox) -> [String: Data] { CLITests.sessionFiles(box) }

  @Test("git credential fill gets oauth2 and the access token of the provider's session")
  func fillGetsOAuth2AndTheAccessToken() throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.config(server, account: "ci")) { box in
        let result = try Self.git(box, "fill", input: Self.request)
        #expect(result.status == 0, "\(result)")
        let token = try #require(try server.issuedAccessTokens().last)
        #expect(result.stdout == "protocol=https\nhost=git.example.com\nusername=oauth2\npassword=\(token)\n")
        #expect(result.stderr.isEmpty, "\(result)")
        #expect(StoreFormat.tokens(box.sessionPath("svc/ci"))?["access_token"] as? String == token)
      }
    }
  }

  @Test("get answers username, password and password_expiry_utc, and nothing else")
  func getAnswersThreeLines() throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.config(server, account: "ci")) { box in
        let result = try box.run(
          ["git-credential", "get"], input: "protocol=https\r\nhost=Git.Example.com\r\n\r\n")
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result)")
        let token = try #require(try server.issuedAccessTokens().last)
        let expiresAt = try #require(StoreFormat.tokens(box.sessionPath("svc/ci"))?["expires_at"] as? Double)
        #expect(
          result.stdout
            == "username=oauth2\npassword=\(token)\npassword_expiry_utc=\(Int(expiresAt.rounded(.down)))\n")
        // http only to this machine: the same answer for 127.0.0.1, none for a name.
        let loopback = try box.run(["git-credential", "get"], input: "protocol=http\nhost=127.0.0.1:8080\n")
        #expect(loopback.stdout.hasPrefix("username=oauth2\npassword=\(token)\n"), "\(loopback)")
        let plain = try box.run(["git-credential", "get"], input: "protocol=http\nhost=git.example.com\n\n")
        #expect(plain.status == 0 && plain.stdout.isEmpty && plain.stderr.isEmpty, "\(plain)")
      }
    }
  }

  @Test("an expired session is refreshed first; git gets the new token, never the refresh token or a secret")
  func anExpiredSessionIsRefreshedFirst() throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.config(server, gitProvider: "limio")) { box in
        let path = try CLITests.logIn(box, server, "limio/ops", thenExpiringIn: -60)
        let result = try Self.git(box, "fill", input: Self.request)
        #expect(result.status == 0, "\(result)")
        let stored = try #require(StoreFormat.tokens(path))
        let token = try #require(stored["access_token"] as? String)
        #expect(token == (try server.issuedAccessTokens()).last)
        #expect(result.stdout.contains("\npassword=\(token)\n"), "\(result)")
        #expect(try server.tokenRequests().filter { $0.grantType == "refresh_token" }.count == 1)
        let refreshToken = try #require(stored["refresh_token"] as? String)
        for secret in [refreshToken, TestOAuthServer.clientSecret] {
          #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret))
        }
      }
    }
  }

  @Test("an unknown host gets nothing from authdeck: git asks its next helper, or fails without a terminal")
  func anUnknownHostFallsBack() throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.config(server, account: "ci")) { box in
        let other = "protocol=https\nhost=other.example.com\n\n"
        let next = try Self.git(box, "fill", input: other, thenHelper: Self.fallback)
        #expect(next.status == 0, "\(next)")
        #expect(next.stdout == "protocol=https\nhost=other.example.com\nusername=next\npassword=fallback\n")
        #expect(next.stderr.isEmpty, "\(next)")

        let alone = try Self.git(box, "fill", input: other)
        #expect(alone.status != 0, "\(alone)")
        #expect(alone.stdout.isEmpty && !alone.stderr.contains("authdeck"), "\(alone)")

        let direct = try box.run(["git-credential", "get"], input: other)
        #expect(direct.status == 0 && direct.stdout.isEmpty && direct.stderr.isEmpty, "\(direct)")
        #expect(try server.tokenRequests().isEmpty)
      }
    }
  }

  @Test("a session that needs a login gives git nothing and says which login to run, exit 0")
  func aSessionThatNeedsALoginGivesGitNothing() throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.config(server, gitProvider: "limio")) { box in
        try CLITests.storeExpired(box, "limio/ops")
        let next = try Self.git(box, "fill", input: Self.request, thenHelper: Self.fallback)
        #expect(next.stdout.hasSuffix("username=next\npassword=fallback\n"), "\(next)")
        #expect(
          next.stderrLines.contains {
            $0.hasPrefix("authdeck: limio/ops: expired") && $0.hasSuffix("; run: authdeck login limio/ops")
          }, "\(next)")

        let direct = try box.run(["git-credential", "get"], input: Self.request)
        #expect(direct.status == 0 && direct.stdout.isEmpty, "\(direct)")
        #expect(direct.stderrLines.count == 1 && !direct.stderr.contains(CLITests.staleToken), "\(direct)")
      }
    }
  }

  @Test("no session, or several without git_account: nothing for git, and a line naming the login or the key")
  func noSessionOrSeveralWithoutGitAccount() throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.config(server, gitProvider: "limio")) { box in
        let none = try box.run(["git-credential", "get"], input: Self.request)
        #expect(none.status == 0 && none.stdout.isEmpty, "\(none)")
        #expect(
          none.stderrLines == [
            "authdeck: no limio session to answer git for git.example.com; run: authdeck login limio/ACCOUNT"
          ], "\(none)")

        try CLITests.storeExpired(box, "limio/a")
        try CLITests.storeExpired(box, "limio/b")
        let several = try box.run(["git-credential", "get"], input: Self.request)
        #expect(several.status == 0 && several.stdout.isEmpty, "\(several)")
        #expect(
          several.stderrLines == [
            "authdeck: limio has 2 sessions (limio/a, limio/b) and git asks for git.example.com: "
              + "set git_account in [providers.limio] to the one git gets"
          ], "\(several)")
      }
    }
  }

  @Test("git credential approve and reject leave AuthDeck's store byte for byte as it was")
  func approveAndRejectChangeNothing() throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.config(server, gitProvider: "limio")) { box in
        let path = try CLITests.logIn(box, server, "limio/ops", thenExpiringIn: 3600)
        let before = Self.sessionFiles(box)
        let token = try #require(StoreFormat.tokens(path)?["access_token"] as? String)
        let credential = "protocol=https\nhost=git.example.com\nusername=oauth2\npassword=\(token)\n\n"
        for action in ["approve", "reject"] {
          let result = try Self.git(box, action, input: credential)
          #expect(
            result.status == 0 && result.stdout.isEmpty && result.stderr.isEmpty, "\(action): \(result)")
          #expect(Self.sessionFiles(box) == before, "\(action)")
        }
        for action in ["store", "erase"] {
          let result = try box.run(["git-credential", action], input: credential)
          #expect(
            result.status == 0 && result.stdout.isEmpty && result.stderr.isEmpty, "\(action): \(result)")
        }
        #expect(Self.sessionFiles(box) == before)
        #expect(try server.tokenRequests().filter { $0.grantType == "refresh_token" }.isEmpty)
      }
    }
  }

  @Test("an unknown action or a malformed request is bad usage (64), and nothing is printed for git")
  func anUnknownActionIsBadUsage() throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.config(server, account: "ci")) { box in
        let unknown = try box.run(["git-credential", "fetch"], input: Self.request)
        #expect(unknown.status == 64 && unknown.stdout.isEmpty, "\(unknown)")
        #expect(
          unknown.stderrLines == [
            "authdeck: git-credential: unknown action 'fetch'; git asks get, store or erase"
          ])

        let malformed = try box.run(["git-credential", "get"], input: "protocol=https\nhunter2\n\n")
        #expect(malformed.status == 64 && malformed.stdout.isEmpty, "\(malformed)")
        #expect(malformed.stderrLines == ["authdeck: git's request has a line that is not key=value"])
        #expect(try server.tokenRequests().isEmpty)
      }
    }
  }
}

import AuthDeckCore
import AuthDeckTestSupport
import Foundation
import Testing

// Issue 15 from the command line: a process whose clock is hours off (libfaketime moves it),
// and issuers that cannot be used.

@Suite("Clocks and issuers, from the command line")
struct ClockAndServerCLITests {
  static let faketime = ["/usr/bin/faketime", "/usr/local/bin/faketime"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }

  @Test("authdeck two hours ahead of Authlib: the token is valid, and the clock is said once")
  func aProcessHoursAhead() throws {
    let faketime = try #require(Self.faketime, "faketime is not installed (scripts/test installs it)")
    try withAuthlib { server in
      let config = TestConfig.authlib(server, redirectURI: nil, extra: "grant = \"client_credentials\"")
      try withSandbox(config: config) { box in
        box.environment[TestConfig.secretVariable] = AuthlibServer.secret
        let ahead = "exec \(faketime) -f +2h \"$0\""
        let login = try box.runShell(ahead + " login authlib/bot", [])
        #expect(login.status == 0, "\(login)")
        #expect(
          login.stderrLines.filter { $0.contains("your clock is") } == [
            "authdeck: your clock is 2h 0m ahead of authlib's; lifetimes are counted on your clock from each answer, so tokens stay right"
          ], "\(login)")
        #expect(login.stdout.contains("authlib/bot: valid until"), "not refused on arrival: \(login)")
        let token = try box.runShell(ahead + " token authlib/bot", [])
        #expect(token.status == 0, "\(token)")
        let list = try box.runShell(ahead + " list", [])
        #expect(list.stdout.contains("authlib/bot  valid"), "\(list)")
        let providers = try box.runShell(ahead + " providers", [])
        #expect(
          providers.stdout.contains("clock        your clock is 2h 0m ahead of authlib's"), "\(providers)")
        // Without the shifted clock the same token is valid too: its lifetime counts from its arrival.
        #expect(try box.run(["token", "authlib/bot"]).status == 0)
      }
    }
  }

  @Test("JWT access tokens from a provider two hours behind: valid on arrival, not refused as expired")
  func jwtTokensHoursAhead() throws {
    let faketime = try #require(Self.faketime, "faketime is not installed (scripts/test installs it)")
    var options = TestOAuthServer.Options()
    options.jwtAccess = true  // with expires_in too, as Cognito sends both
    try withServer(.limio, options: options) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        let ahead = "exec \(faketime) -f +2h \"$0\""
        let login = try box.runShell(ahead + " login svc/bot", [])
        #expect(login.status == 0, "\(login)")
        let token = try box.runShell(ahead + " token svc/bot --min-valid 50m", [])
        #expect(token.status == 0, "a token just issued lasts its hour: \(token)")
        let status = try box.runShell(ahead + " status --json", [])
        let object = try #require(
          (try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])?.first)
        #expect((3_500...3_600).contains(object["expires_in"] as? Int ?? 0), "\(object)")
      }
    }
  }

  @Test("an issuer that cannot be reached: login says discovery failed and what to set; providers exits 1")
  func unreachableIssuer() throws {
    let config = """
      [providers.work]
      issuer = "http://127.0.0.1:9/realms/acme"
      client_id = "authdeck"

      """
    try withSandbox(config: config) { box in
      let login = try box.run(["login", "work/me", "--no-browser"], input: "")
      #expect(login.status == 1, "\(login)")
      let line = login.stderrLines.last ?? ""
      #expect(
        line.hasPrefix("authdeck: work: discovery failed for issuer http://127.0.0.1:9/realms/acme ("),
        "\(line)")
      #expect(
        line.hasSuffix(
          "check issuer in [providers.work], or set authorize_url and token_url there to do without discovery"
        ),
        "\(line)")
      let providers = try box.run(["providers"])
      #expect(providers.status == 1, "\(providers)")
      #expect(providers.stdout.contains("discovery    failed: work: discovery failed"), "\(providers)")
      #expect(providers.stdout.contains("revocation   unknown (discovery failed)"), "\(providers)")
      #expect(!providers.stdout.contains("none: logout only drops"), "\(providers)")
    }
  }

  @Test("an issuer whose document names another: said, and refused")
  func mismatchingIssuer() throws {
    var options = TestOAuthServer.Options()
    options.wrongIssuer = true
    try withServer(.limio, options: options) { server in
      let config = """
        [providers.work]
        issuer = "\(server.issuer)"
        client_id = "authdeck"

        """
      try withSandbox(config: config) { box in
        let providers = try box.run(["providers"])
        #expect(providers.status == 1, "\(providers)")
        #expect(providers.stdout.contains("the discovery document is for issuer"), "\(providers)")
        #expect(providers.stdout.contains("check issuer in [providers.work]"), "\(providers)")
      }
    }
  }
}

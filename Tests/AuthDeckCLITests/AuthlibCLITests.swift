import AuthDeckTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The real binary against Authlib, an authorization server AuthDeck did not write: a login by
/// issuer on a loopback port AuthDeck chooses, a pasted one, `token`, and `logout` revoking for
/// real (the protected resource answers 401 afterwards).
@Suite("authdeck against Authlib, an independent authorization server", .serialized)
struct AuthlibCLITests {
  /// A sandbox whose secret variable holds the Authlib clients' secret.
  static func withAuthlibSandbox<T>(
    config: String, browser: CLISandbox.Browser = .record, _ body: (CLISandbox) throws -> T
  ) throws -> T {
    try withSandbox(config: config, browser: browser) { box in
      box.environment[TestConfig.secretVariable] = AuthlibServer.secret
      return try body(box)
    }
  }

  @Test(
    "a public client by issuer logs in on a loopback port it chooses; token hands it out; logout revokes it")
  func loopbackLoginTokenAndLogout() throws {
    try withAuthlib { server in
      let config = TestConfig.authlib(server, client: AuthlibServer.publicClient, redirectURI: nil)
      try Self.withAuthlibSandbox(config: config, browser: .follow()) { box in
        let login = try box.run(["login", "authlib/me"])
        #expect(login.status == 0, "\(login)")
        #expect(login.stdout.hasPrefix("authlib/me: valid until "), "\(login)")
        #expect((box.browserRecord("page") ?? "").contains("Logged in"))

        let token = try box.run(["token", "authlib/me"])
        #expect(token.status == 0, "\(token)")
        let accessToken = token.stdout.trimmingCharacters(in: .newlines)
        #expect(try server.resourceStatus(accessToken) == 200)

        let logout = try box.run(["logout", "authlib/me"])
        #expect(logout.status == 0, "\(logout)")
        #expect(logout.stderr.contains("tokens revoked at the provider and dropped"), "\(logout)")
        #expect(try server.resourceStatus(accessToken) == 401)
      }
    }
  }

  @Test("a confidential client's pasted redirect, with its secret in the body")
  func pastedLogin() throws {
    try withAuthlib { server in
      let config = TestConfig.authlib(
        server, client: AuthlibServer.postClient, extra: "client_auth = \"post\"")
      try Self.withAuthlibSandbox(config: config) { box in
        let login = try box.start(["login", "authlib/desk"])
        defer { login.kill(SIGKILL) }
        try #require(login.stderr.wait(for: "Paste the URL"), "\(login.stderr.text)")
        let authorize = try #require(box.browserRecord("url"))
        login.send(try Curl.redirectTarget(of: authorize) + "\n")
        let result = login.wait(timeout: 30)
        #expect(result.status == 0, "\(result)")
        let tokens = try #require(StoreFormat.tokens(box.sessionPath("authlib/desk")))
        #expect(
          try server.isActive(tokens["access_token"] as? String ?? "", client: AuthlibServer.postClient))
        #expect(!result.stderr.contains(AuthlibServer.secret))
      }
    }
  }
}

import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

#if canImport(Glibc)
  import Glibc
#endif

/// The real binary with providers as real servers behave: a provider by its issuer on a port
/// AuthDeck chooses, a localhost redirect on both stacks, refused codes that end the login at
/// once, log-out with revocation, and `providers` naming where each endpoint came from.
@Suite("authdeck with providers by issuer, localhost redirects and revocation")
struct ProviderCLITests {
  /// A provider by issuer that fetches tokens for a service.
  static func service(_ server: TestOAuthServer) -> String {
    TestConfig.issuer(server, extra: "grant = \"client_credentials\"")
  }

  @Test("a provider without redirect_uri logs in on a loopback port AuthDeck chooses")
  func aLoginOnAChosenLoopbackPort() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.issuer(server), browser: .follow()) { box in
        let result = try box.run(["login", "idp/me"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("idp/me: valid until "), "\(result)")
        #expect((box.browserRecord("page") ?? "").contains("Logged in"))
        let request = try #require(try server.tokenRequests().first)
        let redirect = try #require(request.form["redirect_uri"])
        #expect(redirect.hasPrefix("http://127.0.0.1:") && redirect.hasSuffix("/callback"), "\(redirect)")
        #expect(result.stderr.contains("Waiting for the browser to return to \(redirect)"), "\(result)")
        #expect(try server.discoveryFetches() == ["/.well-known/openid-configuration"])
        #expect(mode(of: box.storeRoot + "/discovery/idp.json") == 0o600)
      }
    }
  }

  @Test(
    "a localhost redirect is caught whichever stack the browser uses, and stays localhost",
    arguments: ["127.0.0.1", "[::1]"])
  func aLocalhostRedirectIsCaughtOnEitherStack(address: String) throws {
    guard address == "127.0.0.1" || hasIPv6Loopback else { return }  // no IPv6 loopback here
    let port = freeLoopbackPort()
    let redirect = "http://localhost:\(port)/callback"
    try withServer(.lime) { server in
      let config = TestConfig.lime(server, redirectURI: redirect)
      try withSandbox(config: config, browser: .followVia(address)) { box in
        let result = try box.run(["login", "lime/main"])
        #expect(result.status == 0, "\(result)")
        #expect(
          box.browserRecord("remote") == address.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
        #expect((box.browserRecord("page") ?? "").contains("Logged in"))
        let authorize = try #require(box.browserRecord("url"))
        #expect(authorize.contains("redirect_uri=" + FormEncoding.escape(redirect)), "\(authorize)")
        #expect(try server.tokenRequests().first?.form["redirect_uri"] == redirect)
      }
    }
  }

  @Test("a refused code on loopback ends the login at once, with a reason to start again")
  func aRefusedCodeOnLoopbackEndsTheLogin() throws {
    let port = freeLoopbackPort()
    try withServer(.lime, codeLifetime: 0) { server in
      try withSandbox(config: TestConfig.lime(server, loopbackPort: port), browser: .follow()) { box in
        let started = Date()
        let result = try box.run(["login", "lime/main"])
        #expect(result.status == 3, "\(result)")
        #expect(Date().timeIntervalSince(started) < 30, "not the 5 minutes of the login")
        #expect(result.stderr.contains("invalid_grant"), "\(result)")
        #expect(result.stderr.contains("this login has ended; run: authdeck login lime/main"), "\(result)")
        #expect(Self.occurrences("invalid_grant", in: result.stderr) == 1, "said once: \(result)")
        #expect((box.browserRecord("page") ?? "").contains("Login not completed"))
        let list = try box.run(["list", "--json"])
        #expect(list.stdout.contains("\"state\": \"none\""), "\(list)")
        #expect(list.stdout.contains("\"login_reason\": \"code_refused\""), "\(list)")
      }
    }
  }

  @Test("a refused code pasted ends the login at once instead of asking again")
  func aRefusedPastedCodeEndsTheLogin() throws {
    try withServer(.lime, codeLifetime: 0) { server in
      try withSandbox(config: TestConfig.lime(server)) { box in
        let login = try box.start(["login", "lime/main"])
        defer { login.kill(SIGKILL) }
        try #require(login.stderr.wait(for: "Paste the URL"), "\(login.stderr.text)")
        let url = try #require(CLITests.authorizeURL(in: login.stderr.text, server: server))
        login.send(try server.approve(url) + "\n")
        let result = login.wait(timeout: 30)
        #expect(result.status == 3, "\(result)")
        #expect(result.stderr.contains("this login has ended; run: authdeck login lime/main"), "\(result)")
        #expect(!result.stderr.contains("still waiting"), "\(result)")
        let stored = StoreFormat.json(box.sessionPath("lime/main"))?["session"] as? [String: Any]
        #expect(stored?["pending"] == nil)
      }
    }
  }

  @Test("logout revokes at the provider; --local does not; a failed revocation warns and exits 0")
  func logoutRevokesLocalDoesNotAFailureWarns() throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.service(server)) { box in
        for id in ["idp/a", "idp/b", "idp/c"] { #expect(try box.run(["login", id]).status == 0) }
        let token = { (id: String) in StoreFormat.tokens(box.sessionPath(id))?["access_token"] as? String }
        let tokenA = try #require(token("idp/a"))

        let revoked = try box.run(["logout", "idp/a"])
        #expect(revoked.status == 0, "\(revoked)")
        #expect(revoked.stderr.contains("idp/a: logged out (tokens revoked at the provider and dropped)"))
        #expect(try server.revoked().map(\.token) == [tokenA])

        let local = try box.run(["logout", "--local", "idp/b"])
        #expect(local.status == 0, "\(local)")
        #expect(local.stderr.contains("idp/b: logged out (tokens dropped)"))
        #expect(try server.revoked().count == 1, "--local asks nothing of the provider")
        #expect(token("idp/b") == nil)

        try server.inject("503", endpoint: "revoke")
        let failed = try box.run(["logout", "idp/c"])
        #expect(failed.status == 0, "\(failed)")
        #expect(failed.stderr.contains("idp/c: logged out (tokens dropped)"))
        #expect(
          failed.stderr.contains("authdeck: idp/c: the provider did not revoke the tokens"), "\(failed)")
        #expect(failed.stderrLines.count == 2)
        #expect(token("idp/c") == nil)
      }
    }
  }

  @Test("providers shows each endpoint and where it came from: preset, config, discovery")
  func providersShowsEndpointSources() throws {
    try withServer(.limio) { server in
      let config =
        TestConfig.issuer(server, extra: "revocation_url = \"https://revoke.example/revoke\"")
        + "[providers.lime]\npreset = \"lime\"\nclient_id = \"x\"\n"
      try withSandbox(config: config) { box in
        let result = try box.run(["providers"])
        #expect(result.status == 0, "\(result)")
        let out = result.stdout
        #expect(out.contains("  issuer       \(server.issuer)"), "\(out)")
        #expect(out.contains("  authorize    \(server.authorizeURL) (discovery)"), "\(out)")
        #expect(out.contains("  token        \(server.tokenURL) (discovery)"), "\(out)")
        #expect(out.contains("  revocation   https://revoke.example/revoke (config)"), "\(out)")
        #expect(out.contains("  device       \(server.baseURL)/oauth2/device (discovery)"), "\(out)")
        #expect(out.contains("client_secret_basic (discovery)"), "\(out)")
        #expect(out.contains("  token        https://auth.lime.co/connect/token (preset)"), "\(out)")
        #expect(out.contains("  revocation   none"), "\(out)")
        #expect(out.contains("http://127.0.0.1:<free port>/callback"), "\(out)")
        #expect(!out.contains("s3cret"))
      }
    }
  }

  @Test("a token without expires_in: list says its lifetime is unknown, token hands it out")
  func aTokenWithoutExpiresIn() throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.service(server)) { box in
        try server.inject("no_expires_in")
        #expect(try box.run(["login", "idp/bot"]).status == 0)
        let list = try box.run(["list"])
        let row = try #require(list.stdout.split(separator: "\n").first { $0.hasPrefix("idp/bot") })
        #expect(
          row.split(separator: " ", omittingEmptySubsequences: true).map(String.init) == [
            "idp/bot", "valid", "-", "unknown", "yes",
          ])
        let token = try box.run(["token", "idp/bot"])
        #expect(token.status == 0, "\(token)")
        #expect(token.stdout == (try server.issuedAccessTokens().last ?? "") + "\n")
        #expect(try server.tokenRequests().count == 1, "handed out, not renewed")
      }
    }
  }

  static func occurrences(_ needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
  }
}

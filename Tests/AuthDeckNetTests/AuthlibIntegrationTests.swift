import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore
@testable import AuthDeckNet

/// AuthDeck against an authorization server it did not write: Authlib, a widely used Python
/// implementation of the RFCs (Tests/Support/authlib_server.py only wires it up). A second,
/// independent reading of RFC 6749, 7636, 7009, 8414, 8628 and 9207, so that a misreading shared
/// by AuthDeck and its own test server cannot pass both.
@Suite("Against Authlib, an independent authorization server", .serialized)
struct AuthlibIntegrationTests {
  static let me = SessionID(provider: "authlib", account: "me")

  struct Harness {
    let server: AuthlibServer
    let service: TokenService

    var provider: Provider { service.configuration.provider("authlib")! }

    func stored(_ id: SessionID = AuthlibIntegrationTests.me) throws -> Session? {
      try service.store.load(id)
    }

    /// A login whose redirect is pasted: the authorize URL followed as a browser would (Authlib
    /// approves at once for its test user), the address it lands on handed back.
    @discardableResult
    func logIn(_ id: SessionID = AuthlibIntegrationTests.me) throws -> Session {
      let pending = try service.startLogin(id, now: Date())
      let landing = try Curl.redirectTarget(of: pending.authorizeURL)
      return try service.completeLogin(redirect: try Redirect(pasted: landing), now: Date())
    }
  }

  func withService<T>(_ config: (AuthlibServer) -> String, _ body: (Harness) throws -> T) throws -> T {
    try withAuthlib { server in
      try withTemporaryDirectory { directory in
        let configuration = try ConfigurationLoader.parse(config(server), path: directory + "/config.toml")
        let service = TokenService(
          configuration: configuration, store: SessionStore(root: directory + "/authdeck"),
          transport: CurlTransport(),
          secrets: SecretResolver(
            environment: [TestConfig.secretVariable: AuthlibServer.secret], withholding: []))
        return try body(Harness(server: server, service: service))
      }
    }
  }

  @Test("discovery by issuer: Authlib's document gives every endpoint, and Basic, which it lists first")
  func discoveryByIssuer() throws {
    try withService({ TestConfig.authlib($0) }) { h in
      let resolved = try h.service.discovery.resolve(
        h.provider, for: [.authorize, .token, .revocation, .deviceAuthorization], now: Date())
      for (endpoint, path) in [
        (Provider.Endpoint.authorize, "/oauth/authorize"), (.token, "/oauth/token"),
        (.revocation, "/oauth/revoke"),
        (.deviceAuthorization, "/oauth/device_authorization"),
      ] {
        #expect(resolved.url(for: endpoint)?.absoluteString == h.server.issuer + path)
        #expect(resolved.sources[endpoint] == .discovery)
      }
      #expect(resolved.clientAuth == .basic && resolved.clientAuthSource == .discovery)
    }
  }

  @Test(
    "the code flow with PKCE S256 for a public client; Authlib's iss on the redirect is checked and accepted")
  func codeFlowWithPKCE() throws {
    try withService({ TestConfig.authlib($0, client: AuthlibServer.publicClient) }) { h in
      let pending = try h.service.startLogin(Self.me, now: Date())
      #expect(pending.authorizeURL.contains("code_challenge_method=S256"))
      let landing = try Curl.redirectTarget(of: pending.authorizeURL)
      #expect(landing.contains("iss=" + FormEncoding.escape(h.server.issuer)), "\(landing)")
      let session = try h.service.completeLogin(redirect: try Redirect(pasted: landing), now: Date())
      let tokens = try #require(session.tokens)
      #expect(tokens.refreshToken != nil)
      #expect(tokens.expiresAt != nil)
      #expect(try h.server.resourceStatus(tokens.accessToken) == 200)
    }
  }

  @Test("a redirect whose iss names another server is refused before anything is sent")
  func anotherIssuerIsRefused() throws {
    try withService({ TestConfig.authlib($0, client: AuthlibServer.publicClient) }) { h in
      let pending = try h.service.startLogin(Self.me, now: Date())
      let landing = try Curl.redirectTarget(of: pending.authorizeURL)
        .replacingOccurrences(of: FormEncoding.escape(h.server.issuer), with: "https%3A%2F%2Fevil.example")
      let error = thrownError { () throws(AuthDeckError) in
        try h.service.completeLogin(redirect: try Redirect(pasted: landing), now: Date())
      }
      #expect(error?.kind == "redirect", "\(String(describing: error))")
      #expect(try h.stored()?.tokens == nil)
    }
  }

  @Test(
    "a secret with a space, + / = : % & and an escape-looking %2F over Basic, and in the body for the post client"
  )
  func secretsWithEveryCharacter() throws {
    for (client, auth) in [(AuthlibServer.basicClient, "basic"), (AuthlibServer.postClient, "post")] {
      try withService({ TestConfig.authlib($0, client: client, extra: "client_auth = \"\(auth)\"") }) { h in
        let tokens = try #require(try h.logIn().tokens, "\(client)")
        #expect(try h.server.isActive(tokens.accessToken, client: client), "\(client)")
      }
    }
  }

  @Test(
    "refresh rotates: the new refresh token is stored, and Authlib refuses the old one as invalid_grant",
    arguments: [AuthlibServer.basicClient, AuthlibServer.publicClient])
  func refreshRotates(client: String) throws {
    try withService({ TestConfig.authlib($0, client: client, extra: "scope = \"profile email\"") }) { h in
      let first = try #require(try h.logIn().tokens)
      let renewed = try #require(try h.service.renew(Self.me, now: Date(), force: true).tokens)
      #expect(renewed.refreshToken != nil && renewed.refreshToken != first.refreshToken)
      #expect(renewed.accessToken != first.accessToken)
      #expect(try h.stored()?.tokens?.refreshToken == renewed.refreshToken)

      let provider = try h.service.discovery.resolve(h.provider, for: [.token], now: Date())
      let secret = client == AuthlibServer.publicClient ? nil : AuthlibServer.secret
      let endpoint = try TokenEndpoint(provider: provider, clientSecret: secret)
      let answer = try CurlTransport().send(endpoint.refresh(refreshToken: first.refreshToken!))
      let error = thrownError { () throws(AuthDeckError) in
        try endpoint.tokens(from: answer, issuedAt: Date())
      }
      #expect(error?.kind == "grantRefused", "\(String(describing: error))")
      #expect(error?.description.contains("invalid_grant") == true)
    }
  }

  @Test("client credentials with Basic: a token that opens the resource, and no refresh token")
  func clientCredentials() throws {
    try withService({ TestConfig.authlib($0, extra: "grant = \"client_credentials\"") }) { h in
      let bot = SessionID(provider: "authlib", account: "bot")
      let tokens = try #require(try h.service.fetchClientCredentials(bot, now: Date()).tokens)
      #expect(tokens.refreshToken == nil)
      #expect(try h.server.resourceStatus(tokens.accessToken) == 200)
    }
  }

  @Test("log-out revokes at Authlib: the resource answers 401 and introspection says inactive")
  func logOutRevokes() throws {
    try withService({
      TestConfig.authlib($0, client: AuthlibServer.postClient, extra: "client_auth = \"post\"")
    }) {
      h in
      let tokens = try #require(try h.logIn().tokens)
      #expect(try h.server.resourceStatus(tokens.accessToken) == 200)
      let (session, revocation) = try h.service.logout(Self.me, forget: false, now: Date())
      #expect(revocation == .revoked)
      #expect(session?.tokens == nil)
      #expect(try h.server.resourceStatus(tokens.accessToken) == 401)
      #expect(try !h.server.isActive(tokens.accessToken, client: AuthlibServer.postClient))
      #expect(try !h.server.isActive(tokens.refreshToken!, client: AuthlibServer.postClient))
    }
  }

  @Test("a device login with Authlib's device grant: the approved code brings tokens that open the resource")
  func deviceLogin() throws {
    let config = { (server: AuthlibServer) in
      TestConfig.authlib(
        server, client: AuthlibServer.publicClient, redirectURI: nil, extra: "grant = \"device_code\"")
    }
    try withService(config) { h in
      let tv = SessionID(provider: "authlib", account: "tv")
      let authorization = try h.service.startDeviceLogin(tv, now: Date()).authorization
      #expect(authorization.verificationURI == h.server.issuer + "/device")
      #expect(authorization.interval == 1)
      try h.server.decideDevice(authorization.userCode, approve: true)
      let poller = DeviceLoginPoller(service: h.service) { seconds in
        Thread.sleep(forTimeInterval: seconds)
        return true
      }
      let tokens = try #require(try poller.wait(tv, for: authorization)?.tokens)
      #expect(try h.server.resourceStatus(tokens.accessToken) == 200)
    }
  }

  @Test("a denied device login ends with Authlib's access_denied")
  func deviceLoginDenied() throws {
    let config = { (server: AuthlibServer) in
      TestConfig.authlib(server, redirectURI: nil, extra: "grant = \"device_code\"")
    }
    try withService(config) { h in
      let tv = SessionID(provider: "authlib", account: "tv")
      let authorization = try h.service.startDeviceLogin(tv, now: Date()).authorization
      try h.server.decideDevice(authorization.userCode, approve: false)
      let poller = DeviceLoginPoller(service: h.service) { seconds in
        Thread.sleep(forTimeInterval: seconds)
        return true
      }
      let error = thrownError { () throws(AuthDeckError) in try poller.wait(tv, for: authorization) }
      #expect(error?.kind == "loginRequired")
      #expect(error?.description.contains("access_denied") == true, "\(String(describing: error))")
    }
  }
}

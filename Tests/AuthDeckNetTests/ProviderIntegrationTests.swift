import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore
@testable import AuthDeckNet

/// Providers as real servers behave, against the project's test server with libcurl: found by
/// their issuer, public clients, awkward secrets over Basic, answers without expires_in,
/// redirects from the token endpoint, and revocation on log-out.
@Suite("Providers by issuer, and real servers' rough edges")
struct ProviderIntegrationTests {
  static let user = SessionID(provider: "idp", account: "me")
  static let bot = SessionID(provider: "idp", account: "bot")

  struct Harness {
    let server: TestOAuthServer
    let service: TokenService
    let root: String

    func stored(_ id: SessionID) throws -> Session? { try service.store.load(id) }

    /// Start, approve and complete a login whose redirect is pasted.
    @discardableResult
    func logIn(_ id: SessionID, now: Date = Date()) throws -> Session {
      let pending = try service.startLogin(id, now: now)
      let landing = try server.approve(pending.authorizeURL)
      return try service.completeLogin(redirect: try Redirect(pasted: landing), now: now)
    }
  }

  /// A service on a temp store whose configuration is `config(server)`.
  func withService<T>(
    _ shape: TestOAuthServer.Shape = .limio, options: TestOAuthServer.Options = .init(),
    secret: String = TestOAuthServer.clientSecret, config: (TestOAuthServer) -> String,
    _ body: (Harness) throws -> T
  ) throws -> T {
    try withServer(shape, options: options) { server in
      try withTemporaryDirectory { directory in
        let configuration = try ConfigurationLoader.parse(config(server), path: directory + "/config.toml")
        let service = TokenService(
          configuration: configuration, store: SessionStore(root: directory + "/authdeck"),
          transport: CurlTransport(),
          secrets: SecretResolver(environment: [TestConfig.secretVariable: secret], withholding: []))
        return try body(Harness(server: server, service: service, root: directory + "/authdeck"))
      }
    }
  }

  static func pasted(_ server: TestOAuthServer, _ extra: String = "") -> String {
    TestConfig.issuer(server, redirectURI: TestConfig.pastedRedirect, extra: extra)
  }

  // MARK: Discovery

  @Test("an issuer alone is a provider: the login runs on the discovered endpoints and client authentication")
  func anIssuerAloneIsAProvider() throws {
    try withService(config: { Self.pasted($0) }) { h in
      let session = try h.logIn(Self.user)
      #expect(session.tokens?.refreshToken != nil)
      #expect(try h.server.discoveryFetches() == ["/.well-known/openid-configuration"])
      let request = try #require(try h.server.tokenRequests().first)
      #expect(request.path == "/oauth2/token")
      #expect(request.headers["authorization"]?.hasPrefix("Basic ") == true, "client_secret_basic, as listed")
      #expect(session.pending == nil)
    }
  }

  @Test("a document that names another issuer is refused, naming both, and nothing is cached")
  func aDocumentForAnotherIssuerIsRefused() throws {
    try withService(options: .init(wrongIssuer: true), config: { Self.pasted($0) }) { h in
      let error = thrownError { () throws(AuthDeckError) in try h.service.startLogin(Self.user, now: Date()) }
      let message = try #require(error?.description)
      #expect(message.contains("https://wrong.example"), "\(message)")
      #expect(message.contains(h.server.issuer), "\(message)")
      #expect(!fileExists(h.root + "/discovery/idp.json"))
      #expect(try h.stored(Self.user)?.pending == nil)
    }
  }

  @Test("RFC 8414's location, with the issuer's path after the well-known name, when OpenID's is missing")
  func rfc8414PathInsertion() throws {
    let options = TestOAuthServer.Options(discovery: "oauth", issuerPath: "/realms/acme")
    try withService(options: options, config: { Self.pasted($0) }) { h in
      try h.logIn(Self.user)
      #expect(try h.server.discoveryFetches() == ["/.well-known/oauth-authorization-server/realms/acme"])
    }
  }

  @Test("the document is cached 0600 and reused; after a day it is fetched again")
  func theDocumentIsCachedAndFetchedAgainAfterADay() throws {
    let config = { (server: TestOAuthServer) in
      TestConfig.issuer(server, extra: "grant = \"client_credentials\"")
    }
    try withService(config: config) { h in
      let now = Date()
      _ = try h.service.renew(Self.bot, now: now, force: true)
      _ = try h.service.renew(Self.bot, now: now.addingTimeInterval(3600), force: true)
      #expect(try h.server.discoveryFetches().count == 1)
      let file = h.root + "/discovery/idp.json"
      #expect(mode(of: file) == 0o600)
      #expect(mode(of: h.root + "/discovery") == 0o700)
      let cached = try #require(StoreFormat.json(file))
      #expect(cached["issuer"] as? String == h.server.issuer)
      #expect(entries(h.root + "/discovery") == ["idp.json"], "written atomically: no temp file left")

      _ = try h.service.renew(Self.bot, now: now.addingTimeInterval(86_400 + 60), force: true)
      #expect(try h.server.discoveryFetches().count == 2)
      #expect(try h.server.tokenRequests().count == 3)
    }
  }

  @Test("explicit keys override discovery: authorize_url as given, the rest discovered")
  func explicitKeysOverrideDiscovery() throws {
    let config = { (server: TestOAuthServer) in
      Self.pasted(server, "authorize_url = \"https://sso.example.com/custom/authorize\"")
    }
    try withService(config: config) { h in
      let pending = try h.service.startLogin(Self.user, now: Date())
      #expect(pending.authorizeURL.hasPrefix("https://sso.example.com/custom/authorize?"))
      #expect(try h.server.discoveryFetches().isEmpty, "the authorize URL needed no discovery")
      let provider = try #require(h.service.configuration.provider("idp"))
      let resolved = try h.service.discovery.resolve(provider, for: [.token, .revocation], now: Date())
      #expect(resolved.sources[.authorize] == .config)
      #expect(resolved.tokenURL?.absoluteString == h.server.tokenURL)
      #expect(resolved.sources[.token] == .discovery)
    }
  }

  // MARK: Clients and secrets

  @Test("a public client logs in with PKCE and its client_id, and no secret anywhere")
  func aPublicClientLogsIn() throws {
    let options = TestOAuthServer.Options(publicClient: true)
    try withService(
      options: options,
      config: { TestConfig.issuer($0, publicClient: true, redirectURI: TestConfig.pastedRedirect) }
    ) {
      h in
      let session = try h.logIn(Self.user)
      #expect(session.tokens != nil)
      let request = try #require(try h.server.tokenRequests().first)
      #expect(request.headers["authorization"] == nil)
      #expect(request.form["client_id"] == TestOAuthServer.clientID)
      #expect(request.form["client_secret"] == nil)
      #expect(request.form["code_verifier"]?.count == 43)
    }
  }

  @Test("a secret with every special character reads back over Basic, by form and percent decoders alike")
  func aSecretWithEverySpecialCharacterOverBasic() throws {
    let secret = "a b+c/d=e:f%g&h%20i+ é"
    try withService(options: .init(clientSecret: secret), secret: secret, config: { TestConfig.limio($0) }) {
      h in
      let svc = SessionID(provider: "svc", account: "bot")
      let session = try h.service.renew(svc, now: Date(), force: true)
      #expect(session.tokens != nil)
      let header = try #require(try h.server.tokenRequests().first?.headers["authorization"])
      let inner = String(decoding: Data(base64Encoded: String(header.dropFirst(6))) ?? Data(), as: UTF8.self)
      #expect(!inner.contains("+") && !inner.contains(" "), "\(inner)")
    }
  }

  @Test("invalid_client to HTTP Basic suggests client_auth = \"post\"")
  func invalidClientToBasicSuggestsPost() throws {
    try withService(.lime, config: { TestConfig.lime($0, clientAuth: "basic") }) { h in
      let id = SessionID(provider: "lime", account: "main")
      let pending = try h.service.startLogin(id, now: Date())
      let landing = try h.server.approve(pending.authorizeURL)
      let error = thrownError { () throws(AuthDeckError) in
        try h.service.completeLogin(redirect: try Redirect(pasted: landing), now: Date())
      }
      let message = try #require(error?.description)
      #expect(message.contains("invalid_client"), "\(message)")
      #expect(message.contains("client_auth = \"post\""), "\(message)")
    }
  }

  // MARK: Token endpoint answers

  @Test("a redirect from the token endpoint is not followed, and the message names where it points")
  func aRedirectFromTheTokenEndpointNamesItsLocation() throws {
    try withService(config: { TestConfig.limio($0) }) { h in
      try h.server.inject("redirect", location: h.server.tokenURL + "/")
      let error = thrownError { () throws(AuthDeckError) in
        try h.service.renew(SessionID(provider: "svc", account: "bot"), now: Date(), force: true)
      }
      let message = try #require(error?.description)
      #expect(message.contains("(HTTP 302) to \(h.server.tokenURL)/;"), "\(message)")
      #expect(message.contains("token_url") && message.contains("trailing slash"), "\(message)")
      #expect(try h.server.tokenRequests().count == 1, "not followed")
    }
  }

  @Test("a token without expires_in is kept with its lifetime unknown, and handed out")
  func aTokenWithoutExpiresInIsKept() throws {
    try withService(config: { Self.pasted($0) }) { h in
      try h.server.inject("no_expires_in")
      let session = try h.logIn(Self.user)
      let tokens = try #require(session.tokens)
      #expect(tokens.expiresAt == nil)
      #expect(try h.stored(Self.user)?.tokens?.expiresAt == nil)
      let later = Date().addingTimeInterval(30 * 86_400)
      #expect(try h.stored(Self.user)?.status(at: later) == .valid)
      #expect(try h.service.validToken(Self.user, now: later).accessToken == tokens.accessToken)
      #expect(try h.server.tokenRequests().count == 1, "handed out as it is, not refreshed")
    }
  }

  // MARK: Device authorization (RFC 8628)

  @Test(
    "a device login at configured endpoints, with the secret in the body: the approved code brings tokens")
  func aDeviceLoginAtConfiguredEndpoints() throws {
    let config = { (server: TestOAuthServer) in
      """
      [providers.tv]
      grant = "device_code"
      token_url = "\(server.tokenURL)"
      device_authorization_url = "\(server.deviceAuthorizationURL)"
      client_id = "\(TestOAuthServer.clientID)"
      client_secret_env = "\(TestConfig.secretVariable)"
      client_auth = "post"
      scope = "tv"
      """
    }
    try withService(.lime, config: config) { h in
      let id = SessionID(provider: "tv", account: "den")
      let (session, authorization) = try h.service.startDeviceLogin(id, now: Date())
      #expect(session.tokens == nil)
      #expect(try h.stored(id) != nil, "the new session is stored at once")
      try h.server.decideDevice(authorization.userCode, approve: true)
      let poller = DeviceLoginPoller(service: h.service) { seconds in
        Thread.sleep(forTimeInterval: seconds)
        return true
      }
      let loggedIn = try #require(try poller.wait(id, for: authorization))
      #expect(loggedIn.tokens?.accessToken == (try h.server.issuedAccessTokens().last))
      #expect(try h.server.discoveryFetches().isEmpty)
      let poll = try #require(try h.server.tokenRequests().last)
      #expect(poll.form["client_secret"] == TestOAuthServer.clientSecret)
      #expect(try h.server.deviceLogins().first?.polls == ["ok"])
    }
  }

  // MARK: Revocation (RFC 7009)

  @Test("log-out revokes the refresh token, then the access token, then drops them")
  func logOutRevokesThenDrops() throws {
    try withService(config: { Self.pasted($0) }) { h in
      let tokens = try #require(try h.logIn(Self.user).tokens)
      let (session, revocation) = try h.service.logout(Self.user, forget: false, now: Date())
      #expect(revocation == .revoked)
      #expect(session?.tokens == nil)
      #expect(try h.stored(Self.user)?.tokens == nil)
      let revoked = try h.server.revoked()
      #expect(revoked.map(\.token) == [tokens.refreshToken, tokens.accessToken].compactMap { $0 })
      #expect(revoked.map(\.hint) == ["refresh_token", "access_token"])
    }
  }

  @Test("a revocation the provider refuses still drops the tokens, and says why")
  func aRefusedRevocationStillDrops() throws {
    try withService(config: { Self.pasted($0) }) { h in
      try h.logIn(Self.user)
      try h.server.inject("503", endpoint: "revoke")
      let (_, revocation) = try h.service.logout(Self.user, forget: false, now: Date())
      guard case .failed(let reason) = revocation else {
        Issue.record("expected a failure, got \(revocation)")
        return
      }
      #expect(reason.contains("503"), "\(reason)")
      #expect(try h.stored(Self.user)?.tokens == nil)
    }
  }

  @Test("an unreachable provider still lets the tokens go, and says so")
  func anUnreachableProviderStillLetsTheTokensGo() throws {
    try withService(config: { Self.pasted($0) }) { h in
      try h.logIn(Self.user)
      h.server.stop()
      let started = Date()
      let (_, revocation) = try h.service.logout(Self.user, forget: true, now: Date())
      guard case .failed(let reason) = revocation else {
        Issue.record("expected a failure, got \(revocation)")
        return
      }
      #expect(reason.contains("could not reach"), "\(reason)")
      #expect(try h.stored(Self.user) == nil)
      #expect(Date().timeIntervalSince(started) < 10)
    }
  }

  @Test("a provider without a revocation endpoint is logged out locally, with nothing sent")
  func noRevocationEndpointIsLocal() throws {
    try withService(config: { TestConfig.limio($0) }) { h in
      let svc = SessionID(provider: "svc", account: "bot")
      try h.service.renew(svc, now: Date(), force: true)
      let (_, revocation) = try h.service.logout(svc, forget: false, now: Date())
      #expect(revocation == .notOffered)
      #expect(try h.server.revoked().isEmpty)
    }
  }
}

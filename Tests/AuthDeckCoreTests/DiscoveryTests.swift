import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

/// Answers by URL and counts what was asked: the discovery tests' network.
final class RoutingTransport: HTTPTransport, @unchecked Sendable {
  private let lock = NSLock()
  private var routes: [String: Result<HTTPResponse, AuthDeckError>] = [:]
  private var recorded: [HTTPRequest] = []

  func route(_ url: String, _ answer: Result<HTTPResponse, AuthDeckError>) {
    lock.withLock { routes[url] = answer }
  }

  var requests: [HTTPRequest] { lock.withLock { recorded } }
  func count(_ url: String) -> Int { requests.filter { $0.url.absoluteString == url }.count }

  func send(_ request: HTTPRequest) throws(AuthDeckError) -> HTTPResponse {
    let answer = lock.withLock { () -> Result<HTTPResponse, AuthDeckError> in
      recorded.append(request)
      return routes[request.url.absoluteString]
        ?? .success(jsonResponse(404, "not found", contentType: "text/plain"))
    }
    return try answer.get()
  }
}

@Suite("Discovery: well-known locations, documents, the cache and the resolver")
struct DiscoveryTests {
  static let issuer = "https://login.example.com/realms/acme"
  static let oidc = issuer + "/.well-known/openid-configuration"
  static let oauth = "https://login.example.com/.well-known/oauth-authorization-server/realms/acme"
  static let now = utc(2026, 6, 1, 12)

  static func document(
    issuer: String = DiscoveryTests.issuer,
    authMethods: String? = #"["client_secret_basic","client_secret_post"]"#,
    token: String = "https://login.example.com/realms/acme/token"
  ) -> String {
    """
    {"issuer":"\(issuer)","authorization_endpoint":"https://login.example.com/realms/acme/auth",
     "token_endpoint":"\(token)","revocation_endpoint":"https://login.example.com/realms/acme/revoke",
     "device_authorization_endpoint":"https://login.example.com/realms/acme/device",
     "code_challenge_methods_supported":["plain","S256"]\(authMethods.map { #","token_endpoint_auth_methods_supported":\#($0)"# } ?? "")}
    """
  }

  static func provider(
    _ extra: String = "", secret: String = "client_secret_env = \"ACME_SECRET\"\n"
  ) throws -> Provider {
    let toml = "[providers.acme]\nissuer = \"\(issuer)\"\nclient_id = \"app\"\n" + secret + extra
    return try #require(try ConfigurationLoader.parse(toml, path: "/c.toml").providers.first)
  }

  struct Harness {
    let transport = RoutingTransport()
    let root: String
    var resolver: EndpointResolver {
      EndpointResolver(cache: DiscoveryCache(root: root), transport: transport)
    }
  }

  func withResolver<T>(_ body: (Harness) throws -> T) throws -> T {
    try withTemporaryDirectory { directory in try body(Harness(root: directory + "/authdeck")) }
  }

  // MARK: Where the document is

  @Test("OpenID Connect appends to the issuer's path; RFC 8414 inserts before it")
  func wellKnownLocations() {
    #expect(
      ProviderMetadata.wellKnownURLs(issuer: Self.issuer).map(\.absoluteString) == [Self.oidc, Self.oauth])
    #expect(
      ProviderMetadata.wellKnownURLs(issuer: "https://id.example:8443/").map(\.absoluteString) == [
        "https://id.example:8443/.well-known/openid-configuration",
        "https://id.example:8443/.well-known/oauth-authorization-server",
      ])
  }

  // MARK: What it says

  @Test("a document gives every endpoint and the methods it lists")
  func aDocumentGivesEveryEndpoint() throws {
    let metadata = try ProviderMetadata.parse(
      Array(Self.document().utf8), expectedIssuer: Self.issuer)
    #expect(metadata.authorizationEndpoint?.absoluteString == "https://login.example.com/realms/acme/auth")
    #expect(metadata.tokenEndpoint?.absoluteString == "https://login.example.com/realms/acme/token")
    #expect(metadata.revocationEndpoint?.absoluteString == "https://login.example.com/realms/acme/revoke")
    #expect(
      metadata.deviceAuthorizationEndpoint?.absoluteString == "https://login.example.com/realms/acme/device")
    #expect(metadata.codeChallengeMethods == ["plain", "S256"])
    #expect(metadata.preferredClientAuth == .basic)
  }

  @Test("a document for another issuer is refused, naming both")
  func aDocumentForAnotherIssuerIsRefused() throws {
    let error = thrownError { () throws(AuthDeckError) in
      try ProviderMetadata.parse(
        Array(Self.document(issuer: "https://evil.example/realms/acme").utf8), expectedIssuer: Self.issuer)
    }
    let message = try #require(error?.description)
    #expect(
      message.contains("https://evil.example/realms/acme") && message.contains(Self.issuer), "\(message)")
    // Exactly equal: a trailing slash is another issuer (RFC 8414 §3.3).
    #expect(
      thrownError { () throws(AuthDeckError) in
        try ProviderMetadata.parse(
          Array(Self.document(issuer: Self.issuer + "/").utf8), expectedIssuer: Self.issuer)
      } != nil)
  }

  @Test("an endpoint over plain http elsewhere than loopback is refused")
  func aPlainHTTPEndpointIsRefused() {
    let error = thrownError { () throws(AuthDeckError) in
      try ProviderMetadata.parse(
        Array(Self.document(token: "http://login.example.com/token").utf8), expectedIssuer: Self.issuer)
    }
    #expect(error?.description.contains("token_endpoint") == true)
  }

  @Test(
    "client authentication follows the methods listed: basic first, post when only post, basic when silent")
  func clientAuthenticationFollowsTheMethodsListed() {
    func preferred(_ methods: [String]?) -> ClientAuth? {
      ProviderMetadata(issuer: Self.issuer, tokenEndpointAuthMethods: methods).preferredClientAuth
    }
    #expect(preferred(["client_secret_post"]) == .post)
    #expect(preferred(["client_secret_post", "client_secret_basic"]) == .basic)
    #expect(preferred(nil) == .basic)
    #expect(preferred(["private_key_jwt"]) == nil)
  }

  // MARK: The configuration

  @Test("an issuer and a client id are a complete provider; a public client needs no secret")
  func anIssuerAndAClientIDAreAProvider() throws {
    let provider = try Self.provider(secret: "")
    #expect(provider.configuredIssuer == Self.issuer)
    #expect(provider.tokenURL == nil && provider.authorizeURL == nil)
    #expect(provider.isPublicClient)
    #expect(provider.redirectURI == nil && provider.usesLoopbackRedirect)
    #expect(provider.clientAuthSource == nil)
  }

  @Test("the new endpoint keys are read, checked and marked as configured")
  func theNewEndpointKeysAreRead() throws {
    let provider = try Self.provider(
      "revocation_url = \"https://other.example/revoke\"\ndevice_authorization_url = \"https://other.example/device\"\n"
    )
    #expect(provider.revocationURL?.absoluteString == "https://other.example/revoke")
    #expect(provider.sources[.revocation] == .config)
    #expect(provider.deviceAuthorizationURL?.absoluteString == "https://other.example/device")
    let error = thrownError { () throws(AuthDeckError) in
      try ConfigurationLoader.parse(
        "[providers.acme]\nissuer = \"\(Self.issuer)?x=1\"\nclient_id = \"app\"\n", path: "/c.toml")
    }
    #expect(error?.description.contains("providers.acme.issuer") == true)
  }

  // MARK: The resolver and its cache

  @Test("the document is fetched once, cached 0600 next to the store, and used for a day")
  func theDocumentIsCachedForADay() throws {
    try withResolver { h throws in
      h.transport.route(Self.oidc, .success(jsonResponse(Self.document())))
      let provider = try Self.provider()
      let resolved = try h.resolver.resolve(provider, for: [.token], now: Self.now)
      #expect(resolved.tokenURL?.absoluteString == "https://login.example.com/realms/acme/token")
      #expect(resolved.sources[.token] == .discovery)
      #expect(resolved.clientAuth == .basic && resolved.clientAuthSource == .discovery)
      let file = h.root + "/discovery/acme.json"
      #expect(mode(of: file) == 0o600)
      #expect(mode(of: h.root + "/discovery") == 0o700)

      _ = try h.resolver.resolve(provider, for: [.authorize], now: Self.now.addingTimeInterval(86_000))
      #expect(h.transport.count(Self.oidc) == 1, "served from the cache")
      _ = try h.resolver.resolve(provider, for: [.authorize], now: Self.now.addingTimeInterval(86_401))
      #expect(h.transport.count(Self.oidc) == 2, "a day old: fetched again")
    }
  }

  @Test("without an OpenID document, RFC 8414's location is tried")
  func rfc8414IsTried() throws {
    try withResolver { h throws in
      h.transport.route(
        Self.oauth, .success(jsonResponse(Self.document(authMethods: #"["client_secret_post"]"#))))
      let resolved = try h.resolver.resolve(try Self.provider(), for: [.token], now: Self.now)
      #expect(resolved.clientAuth == .post)
      #expect(h.transport.requests.map(\.url.absoluteString) == [Self.oidc, Self.oauth])
    }
  }

  @Test("explicit keys override what was discovered; a fully configured need fetches nothing")
  func explicitKeysOverrideDiscovery() throws {
    try withResolver { h throws in
      h.transport.route(Self.oidc, .success(jsonResponse(Self.document())))
      let provider = try Self.provider(
        "token_url = \"https://proxy.example/token\"\nclient_auth = \"post\"\n")
      let settled = try h.resolver.resolve(provider, for: [.token], now: Self.now)
      #expect(settled == provider)
      #expect(h.transport.requests.isEmpty)
      let resolved = try h.resolver.resolve(provider, for: [.authorize, .revocation], now: Self.now)
      #expect(resolved.tokenURL?.absoluteString == "https://proxy.example/token")
      #expect(resolved.sources[.token] == .config)
      #expect(resolved.clientAuth == .post && resolved.clientAuthSource == .config)
      #expect(resolved.sources[.revocation] == .discovery)
    }
  }

  @Test("a provider without an issuer is used as configured, with no I/O")
  func noIssuerNoIO() throws {
    try withResolver { h throws in
      let provider = Provider(
        id: "plain", authorizeURL: URL(string: "https://a.example/auth"),
        tokenURL: URL(string: "https://a.example/token"),
        clientID: "x", redirectURI: nil)
      #expect(try h.resolver.resolve(provider, for: [.token, .revocation], now: Self.now) == provider)
      #expect(h.transport.requests.isEmpty)
      #expect(!fileExists(h.root + "/discovery"))
    }
  }

  @Test("an old cached copy stands in when the provider cannot be reached; another issuer's never")
  func anOldCopyStandsInWhenUnreachable() throws {
    try withResolver { h throws in
      h.transport.route(Self.oidc, .success(jsonResponse(Self.document())))
      let provider = try Self.provider()
      _ = try h.resolver.resolve(provider, for: [.token], now: Self.now)
      h.transport.route(Self.oidc, .failure(.network("could not reach login.example.com")))
      let later = Self.now.addingTimeInterval(3 * 86_400)
      #expect(try h.resolver.resolve(provider, for: [.token], now: later).tokenURL != nil)

      var moved = provider
      moved.configuredIssuer = "https://login.example.com/realms/other"
      h.transport.route(
        "https://login.example.com/realms/other/.well-known/openid-configuration",
        .failure(.network("could not reach login.example.com")))
      let error = thrownError { () throws(AuthDeckError) in
        try h.resolver.resolve(moved, for: [.token], now: later)
      }
      #expect(error?.kind == "network")
    }
  }

  // MARK: A discovered endpoint that fails

  func withService<T>(_ provider: Provider, _ body: (TokenService, RoutingTransport) throws -> T) throws -> T
  {
    try withTemporaryDirectory { directory in
      let transport = RoutingTransport()
      let service = TokenService(
        configuration: Configuration(providers: [provider]),
        store: SessionStore(root: directory + "/authdeck"),
        transport: transport, secrets: FixedSecrets(value: "s3cret"), random: CountingRandom())
      return try body(service, transport)
    }
  }

  @Test("a discovered token endpoint that moved is discovered again once, and the request sent there")
  func aMovedTokenEndpointIsDiscoveredAgain() throws {
    let provider = try Self.provider("grant = \"client_credentials\"\n")
    try withService(provider) { service, transport in
      let old = "https://login.example.com/realms/acme/token"
      let new = "https://login.example.com/realms/acme/protocol/token"
      transport.route(Self.oidc, .success(jsonResponse(Self.document(token: old))))
      transport.route(old, .success(jsonResponse(#"{"access_token":"at-1","expires_in":60}"#)))
      let bot = SessionID(provider: "acme", account: "bot")
      _ = try service.renew(bot, now: Self.now, force: true)

      transport.route(old, .success(jsonResponse(404, "gone", contentType: "text/plain")))
      transport.route(Self.oidc, .success(jsonResponse(Self.document(token: new))))
      transport.route(new, .success(jsonResponse(#"{"access_token":"at-2","expires_in":60}"#)))
      let renewed = try service.renew(bot, now: Self.now.addingTimeInterval(60), force: true)
      #expect(renewed.tokens?.accessToken == "at-2")
      #expect(transport.count(Self.oidc) == 2, "fetched again although the copy was a minute old")
      #expect(transport.count(old) == 2 && transport.count(new) == 1)

      // The same endpoint again: no second attempt, the first answer stands.
      transport.route(new, .success(jsonResponse(404, "gone", contentType: "text/plain")))
      let error = thrownError { () throws(AuthDeckError) in
        try service.renew(bot, now: Self.now.addingTimeInterval(120), force: true)
      }
      #expect(error?.description.contains("HTTP 404") == true, "\(String(describing: error))")
      #expect(transport.count(new) == 2)
    }
  }

  @Test("an OAuth error from a discovered endpoint is not a reason to discover again")
  func anOAuthErrorIsNotAReasonToDiscoverAgain() throws {
    let provider = try Self.provider("grant = \"client_credentials\"\n")
    try withService(provider) { service, transport in
      transport.route(Self.oidc, .success(jsonResponse(Self.document())))
      transport.route(
        "https://login.example.com/realms/acme/token",
        .success(jsonResponse(401, #"{"error":"invalid_client"}"#)))
      let error = thrownError { () throws(AuthDeckError) in
        try service.renew(SessionID(provider: "acme", account: "bot"), now: Self.now, force: true)
      }
      #expect(error?.description.contains("client_auth = \"post\"") == true, "\(String(describing: error))")
      #expect(transport.count(Self.oidc) == 1)
    }
  }
}

import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

// Issue 15: clocks that disagree, refresh tokens that die, servers that read Basic their way,
// issuers that cannot be reached. Time is data: every instant is handed in.

@Suite("The local clock is not the provider's")
struct ClockSkewTests {
  /// The provider's clock; the local one is `skew` ahead of it.
  static let providerNow = utc(2026, 6, 1, 12)

  static func jwt(iat: Date?, exp: Date) -> String {
    let iatPart = iat.map { #""iat":\#(Int($0.timeIntervalSince1970)),"# } ?? ""
    return unsignedJWT(payload: #"{\#(iatPart)"exp":\#(Int(exp.timeIntervalSince1970))}"#)
  }

  @Test(
    "HTTP dates read as servers send them; anything else does not",
    arguments: [
      ("Sun, 06 Nov 1994 08:49:37 GMT", Date(timeIntervalSince1970: 784_111_777)),
      ("Mon, 01 Jun 2026 12:00:00 GMT", utc(2026, 6, 1, 12)),
      ("Tue, 29 Feb 2028 23:59:59 GMT", utc(2028, 2, 29, 23, 59, 59)),
    ])
  func httpDates(text: String, date: Date) {
    #expect(HTTPDate.parse(text) == date)
  }

  @Test(
    "an HTTP date in another form, or garbage, reads as none",
    arguments: [
      "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Mon, 01 Jun 2026 12:00:00 UTC",
      "Mon, 32 Jun 2026 12:00:00 GMT", "Mon, 01 Jun 2026 25:00:00 GMT", "", "yesterday",
    ])
  func notHTTPDates(text: String) {
    #expect(HTTPDate.parse(text) == nil)
  }

  @Test(
    "a JWT that lives an hour lives an hour from its arrival, the local clock hours ahead or behind",
    arguments: [7_200.0, -7_200.0, 0.0])
  func jwtLifetimeOnTheLocalClock(skew: TimeInterval) {
    let arrived = Self.providerNow.addingTimeInterval(skew)
    let token = Self.jwt(iat: Self.providerNow, exp: Self.providerNow.addingTimeInterval(3_600))
    let expiry = Expiry.realExpiry(issuedAt: arrived, expiresIn: nil, dailyCutoff: nil, accessToken: token)
    #expect(expiry == arrived.addingTimeInterval(3_600), "just issued, never expired by the clock")
    #expect(Expiry.clockSkew(issuedAt: arrived, providerTime: nil, accessToken: token) == skew)
  }

  @Test("a bare exp is placed on the local clock by the answer's Date header")
  func bareExpByTheDateHeader() {
    let arrived = Self.providerNow.addingTimeInterval(7_200)
    let token = Self.jwt(iat: nil, exp: Self.providerNow.addingTimeInterval(600))
    #expect(
      Expiry.realExpiry(
        issuedAt: arrived, expiresIn: nil, dailyCutoff: nil, accessToken: token,
        providerTime: Self.providerNow)
        == arrived.addingTimeInterval(600))
    #expect(Expiry.clockSkew(issuedAt: arrived, providerTime: Self.providerNow, accessToken: token) == 7_200)
    // Nothing else known: the bare exp, as it is (the only case where the provider's clock counts).
    #expect(
      Expiry.realExpiry(issuedAt: arrived, expiresIn: nil, dailyCutoff: nil, accessToken: token)
        == Self.providerNow.addingTimeInterval(600))
  }

  @Test("the daily cutoff stays wall-clock time, whatever the provider's clock")
  func cutoffIsWallClock() {
    let cutoff = DailyCutoff(parsing: "03:00 America/New_York")!
    let arrived = utc(2026, 11, 24, 1)  // 20:00 EST
    let token = Self.jwt(iat: arrived.addingTimeInterval(-7_200), exp: arrived.addingTimeInterval(86_400))
    #expect(
      Expiry.realExpiry(issuedAt: arrived, expiresIn: 28_800, dailyCutoff: cutoff, accessToken: token)
        == utc(2026, 11, 24, 8))
  }

  @Test("a token answer hours off the local clock is valid on arrival, its skew kept and told once")
  func answerHoursOff() throws {
    let provider = Provider(
      id: "acme", authorizeURL: nil, tokenURL: URL(string: "https://id.example/token")!, clientID: "c",
      redirectURI: nil)
    let arrived = Self.providerNow.addingTimeInterval(10_800)
    let token = Self.jwt(iat: Self.providerNow, exp: Self.providerNow.addingTimeInterval(300))
    var response = jsonResponse(#"{"access_token":"\#(token)"}"#)
    response.date = Self.providerNow
    let tokens = try TokenEndpoint(provider: provider, clientSecret: nil).tokens(
      from: response, issuedAt: arrived)
    #expect(tokens.expiresAt == arrived.addingTimeInterval(300))
    #expect(tokens.clockSkew == 10_800)
    #expect(
      ProviderNotice.clockSkew(provider: "acme", seconds: 10_800).text.hasPrefix(
        "your clock is 3h 0m ahead of acme's"))
    #expect(ClockSkewText.sentence(-150, provider: "acme") == "your clock is 2m behind acme's")
  }

  @Test("an id token's end is its exp moved by the skew measured with it")
  func idTokenOnTheLocalClock() throws {
    let arrived = Self.providerNow.addingTimeInterval(7_200)
    let idToken = Self.jwt(iat: Self.providerNow, exp: Self.providerNow.addingTimeInterval(600))
    let tokens = TokenSet(
      accessToken: "at", idToken: idToken, issuedAt: arrived, expiresAt: nil, clockSkew: 7_200)
    let id = SessionID(provider: "acme", account: "me")
    #expect(try TokenService.idToken(of: id, in: tokens, now: arrived.addingTimeInterval(60)) == idToken)
    #expect(tokens.idTokenExpiresAt == arrived.addingTimeInterval(600))
  }
}

@Suite("Refresh tokens die too")
struct RefreshLifetimeTests {
  static let now = utc(2026, 6, 1, 12)
  static let id = SessionID(provider: "acme", account: "ops")

  static func provider(refreshLifetime: TimeInterval? = nil) -> Provider {
    var provider = Provider(
      id: "acme", authorizeURL: URL(string: "https://id.example/auth"),
      tokenURL: URL(string: "https://id.example/token")!,
      clientID: "c", redirectURI: URL(string: "http://127.0.0.1:8765/cb"))
    provider.refreshLifetime = refreshLifetime
    return provider
  }

  func tokens(_ body: String, refreshLifetime: TimeInterval? = nil) throws -> TokenSet {
    try TokenEndpoint(provider: Self.provider(refreshLifetime: refreshLifetime), clientSecret: nil)
      .tokens(from: jsonResponse(body), issuedAt: Self.now)
  }

  @Test("refresh_expires_in from the answer wins; else refresh_lifetime; 0 means no end")
  func refreshEnds() throws {
    let said = try tokens(
      #"{"access_token":"a","expires_in":300,"refresh_token":"r","refresh_expires_in":1800}"#,
      refreshLifetime: 30 * 86_400)
    #expect(said.refreshExpiresAt == Self.now.addingTimeInterval(1_800))
    let configured = try tokens(#"{"access_token":"a","refresh_token":"r"}"#, refreshLifetime: 30 * 86_400)
    #expect(configured.refreshExpiresAt == Self.now.addingTimeInterval(30 * 86_400))
    let never = try tokens(#"{"access_token":"a","refresh_token":"r","refresh_expires_in":0}"#)
    #expect(never.refreshExpiresAt == nil)
    let none = try tokens(#"{"access_token":"a"}"#, refreshLifetime: 86_400)
    #expect(none.refreshExpiresAt == nil, "no refresh token, no end to keep")
  }

  @Test("past its end a refresh token renews nothing: a login is needed, and why")
  func pastItsEnd() {
    let ended = Self.now.addingTimeInterval(-60)
    let session = Session(
      id: Self.id,
      tokens: TokenSet(
        accessToken: "a", refreshToken: "r", issuedAt: Self.now - 7_200, expiresAt: Self.now - 3_600,
        refreshExpiresAt: ended))
    #expect(!session.refreshable(at: Self.now))
    #expect(session.refreshable(at: ended - 1))
    #expect(session.needsLogin(at: Self.now))
    #expect(session.loginReason(at: Self.now) == .refreshExpired(at: ended))
    #expect(RefreshColumn.text(session, now: Self.now) == "no")
    #expect(RefreshColumn.text(session, now: ended - 3 * 3_600 - 5) == "3h")
    #expect(RefreshColumn.text(session, now: ended - 6 * 86_400 - 5) == "6d")
    var forever = session
    forever.tokens?.refreshExpiresAt = nil
    #expect(RefreshColumn.text(forever, now: Self.now) == "yes")
  }

  @Test("renewing a session whose refresh token has ended sends nothing")
  func nothingIsSent() throws {
    try withTemporaryDirectory { directory in
      let transport = FakeTransport()
      let service = TokenService(
        configuration: Configuration(providers: [Self.provider()]),
        store: SessionStore(root: directory + "/s"),
        transport: transport, secrets: FixedSecrets(value: nil))
      let end = Self.now.addingTimeInterval(-1)
      let session = Session(
        id: Self.id,
        tokens: TokenSet(
          accessToken: "a", refreshToken: "r", issuedAt: Self.now - 600, expiresAt: Self.now + 30,
          refreshExpiresAt: end))
      try service.store.update(Self.id) { (stored: inout Session?) throws(AuthDeckError) in stored = session }
      let renewal = thrownError { () throws(AuthDeckError) in
        try service.renew(Self.id, now: Self.now, force: true)
      }
      #expect(renewal?.loginReason == .refreshExpired(at: end))
      // The token itself is still good for 30 s: handed out as it is, not refreshed.
      #expect(try service.validToken(Self.id, now: Self.now).accessToken == "a")
      #expect(transport.count == 0)
    }
  }
}

@Suite("Servers that read Basic credentials their own way")
struct RawBasicTests {
  static let now = utc(2026, 6, 1, 12)
  static let bot = SessionID(provider: "svc", account: "bot")

  static let svc = Provider(
    id: "svc", authorizeURL: nil, tokenURL: URL(string: "https://svc.example/token")!, clientID: "svc app",
    secret: .environment("SVC_SECRET"), clientAuth: .basic, redirectURI: nil, grant: .clientCredentials)

  func withService<T>(secret: String, _ body: (TokenService, FakeTransport, NoticeRecorder) throws -> T)
    throws -> T
  {
    try withTemporaryDirectory { directory in
      let transport = FakeTransport()
      let notices = NoticeRecorder()
      var service = TokenService(
        configuration: Configuration(providers: [Self.svc]), store: SessionStore(root: directory + "/s"),
        transport: transport, secrets: FixedSecrets(value: secret))
      service.notices = { notices.add($0) }
      return try body(service, transport, notices)
    }
  }

  static let refused = jsonResponse(401, #"{"error":"invalid_client"}"#)
  static let accepted = jsonResponse(#"{"access_token":"at","expires_in":3600}"#)

  @Test("invalid_client to form-encoded Basic: tried raw once, remembered, said once")
  func rawOnce() throws {
    try withService(secret: "pa+ss/w=rd") { service, transport, notices in
      transport.enqueue(Self.refused)
      transport.enqueue(Self.accepted)
      _ = try service.renew(Self.bot, now: Self.now, force: true)
      #expect(transport.count == 2)
      let (form, raw) = (transport.requests[0], transport.requests[1])
      #expect(
        form.header("Authorization")
          == ClientSecretBasic.header(clientID: "svc app", clientSecret: "pa+ss/w=rd"))
      #expect(raw.header("Authorization") == "Basic " + Base64.encode(Array("svc app:pa+ss/w=rd".utf8)))
      #expect(form.body == raw.body, "the same request, but for how the credentials are written")
      #expect(notices.all == [.rawBasicCredentials(provider: "svc")])
      #expect(service.discovery.cache.quirks("svc").basicCredentials == .raw)
      // From now on raw, at once: one request.
      transport.enqueue(Self.accepted)
      _ = try service.renew(Self.bot, now: Self.now, force: true)
      #expect(
        transport.count == 3 && transport.requests[2].header("Authorization") == raw.header("Authorization"))
      #expect(notices.all.count == 1)
    }
  }

  @Test("no retry for another error, nor when raw and encoded read the same")
  func noOtherRetry() throws {
    try withService(secret: "pa+ss") { service, transport, _ in
      transport.enqueue(jsonResponse(400, #"{"error":"invalid_grant"}"#))
      _ = thrownError { () throws(AuthDeckError) in try service.renew(Self.bot, now: Self.now, force: true) }
      transport.enqueue(jsonResponse(503, "busy", contentType: "text/plain"))
      _ = thrownError { () throws(AuthDeckError) in try service.renew(Self.bot, now: Self.now, force: true) }
      #expect(transport.count == 2)
    }
    var plain = Self.svc
    plain.clientID = "svc-app"
    try withTemporaryDirectory { directory in
      let transport = FakeTransport([Self.refused])
      let service = TokenService(
        configuration: Configuration(providers: [plain]), store: SessionStore(root: directory + "/s"),
        transport: transport, secrets: FixedSecrets(value: "plain-secret"))
      let error = thrownError { () throws(AuthDeckError) in
        try service.renew(Self.bot, now: Self.now, force: true)
      }
      #expect(error?.description.contains("invalid_client") == true)
      #expect(transport.count == 1, "raw and form-encoded are the same bytes: nothing to try")
    }
  }

  @Test("raw credentials refused too: the provider's answer stands, nothing is remembered")
  func rawRefusedToo() throws {
    try withService(secret: "pa+ss") { service, transport, notices in
      transport.enqueue(Self.refused)
      transport.enqueue(Self.refused)
      let error = thrownError { () throws(AuthDeckError) in
        try service.renew(Self.bot, now: Self.now, force: true)
      }
      #expect(error?.description.contains("invalid_client") == true)
      #expect(transport.count == 2)
      #expect(service.discovery.cache.quirks("svc").basicCredentials == .formEncoded && notices.all.isEmpty)
    }
  }
}

@Suite("An issuer that cannot be reached")
struct FailedDiscoveryTests {
  @Test("a failed discovery says so, for which provider, and names the keys that fix it")
  func failedDiscovery() throws {
    try withTemporaryDirectory { directory in
      let provider = Provider(
        id: "work", authorizeURL: nil, tokenURL: nil, clientID: "c", redirectURI: nil,
        issuer: "https://login.example.invalid/realms/x")
      let transport = FakeTransport()
      transport.enqueueFailure(.network("could not reach login.example.invalid: Could not resolve host"))
      let resolver = EndpointResolver(cache: DiscoveryCache(root: directory), transport: transport)
      let error = thrownError { () throws(AuthDeckError) in
        try resolver.resolve(provider, for: [.authorize, .token], now: utc(2026, 6, 1, 12))
      }
      #expect(error?.kind == "network")
      #expect(
        error?.description
          == "work: discovery failed for issuer https://login.example.invalid/realms/x (could not reach "
          + "login.example.invalid: Could not resolve host); check issuer in [providers.work], or set "
          + "authorize_url and token_url there to do without discovery")
    }
  }
}

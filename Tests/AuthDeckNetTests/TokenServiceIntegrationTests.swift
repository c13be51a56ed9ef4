import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore
@testable import AuthDeckNet

/// The token service with libcurl against the real (test) OAuth server, one server per test.
/// Each test is a user story: log in, refresh, fetch for a service, or meet a broken server,
/// and then look at what the server received and what the store holds.
@Suite("Token service against a real OAuth server")
struct TokenServiceIntegrationTests {
  static let lime = SessionID(provider: "lime", account: "main")
  static let limio = SessionID(provider: "limio", account: "ops")
  static let svc = SessionID(provider: "svc", account: "bot")
  /// "s3cret: +%&=é" as application/x-www-form-urlencoded.
  static let encodedSecret = "s3cret%3A+%2B%25%26%3D%C3%A9"

  /// A token service over a temp store, configured (from TOML, with the presets) for one server.
  struct Harness {
    let server: TestOAuthServer
    let service: TokenService
    let root: String

    var store: SessionStore { service.store }
    func path(_ id: SessionID) -> String { StoreFormat.path(root: root, id: id.description) }
    func file(_ id: SessionID) -> Data? { readBytes(path(id)) }
    func stored(_ id: SessionID) throws -> Session? { try store.load(id) }

    /// The browser's part of a login: start it, let the server approve, and return the
    /// address the browser lands on, as the user would paste it.
    func browse(_ id: SessionID) throws -> (PendingLogin, Redirect) {
      let pending = try service.startLogin(id, now: Date())
      let landing = try server.approve(pending.authorizeURL)
      #expect(landing.hasPrefix(pending.redirectURI + "?"), "the server sent the browser to \(landing)")
      return (pending, try Redirect(pasted: landing))
    }

    @discardableResult
    func logIn(_ id: SessionID) throws -> Session {
      let (_, redirect) = try browse(id)
      return try service.completeLogin(redirect: redirect, now: Date())
    }
  }

  func withService<T>(
    _ shape: TestOAuthServer.Shape, codeLifetime: Double? = nil, _ body: (Harness) throws -> T
  ) throws -> T {
    try withServer(shape, codeLifetime: codeLifetime) { server in
      try withTemporaryDirectory { directory in
        let text = shape == .lime ? TestConfig.lime(server) : TestConfig.limio(server)
        let configuration = try ConfigurationLoader.parse(text, path: directory + "/config.toml")
        let service = TokenService(
          configuration: configuration, store: SessionStore(root: directory + "/authdeck"),
          transport: CurlTransport(),
          secrets: SecretResolver(
            environment: [TestConfig.secretVariable: TestOAuthServer.clientSecret], withholding: []),
          random: SystemRandom())
        return try body(Harness(server: server, service: service, root: directory + "/authdeck"))
      }
    }
  }

  /// The next 03:00 in New York strictly after `date`, worked out day by day in that zone.
  static func nextThreeAMNewYork(after date: Date) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "America/New_York")!
    var day = calendar.startOfDay(for: date)
    while true {
      let candidate = calendar.date(bySettingHour: 3, minute: 0, second: 0, of: day)!
      if candidate > date { return candidate }
      day = calendar.date(byAdding: .day, value: 1, to: day)!
    }
  }

  // MARK: Lime: authorization code, client_secret_post, a daily cutoff

  @Test("a Lime login keeps the token for eight hours or until 3 AM in New York, whichever comes first")
  func aLimeLoginKeepsTheTokenUntilEightHoursOrThreeAMNewYorkWhicheverComesFirst() throws {
    try withService(.lime) { h in
      let (_, redirect) = try h.browse(Self.lime)
      let now = Date()
      let session = try h.service.completeLogin(redirect: redirect, now: now)

      // (Compared field by field: dates come back from JSON a few nanoseconds off.)
      let stored = try #require(try h.stored(Self.lime))
      #expect(stored.tokens?.accessToken == session.tokens?.accessToken)
      #expect(stored.pending == nil, "the pending login is used up")
      let tokens = try #require(stored.tokens)
      #expect(try h.server.issuedAccessTokens() == [tokens.accessToken])
      #expect(tokens.refreshToken == nil)
      #expect(!stored.refreshable(at: Date()))

      let expected = min(now.addingTimeInterval(28800), Self.nextThreeAMNewYork(after: now))
      let expiresAt = try #require(tokens.expiresAt)
      #expect(
        abs(expiresAt.timeIntervalSince(expected)) < 0.001, "expires \(expiresAt), expected \(expected)")
      #expect(mode(of: h.path(Self.lime)) == 0o600)
      #expect(mode(of: h.root) == 0o700)
    }
  }

  @Test("the code exchange sends the secret form-encoded in the body, with the PKCE verifier")
  func theCodeExchangeSendsTheSecretFormEncodedInTheBodyWithTheVerifier() throws {
    try withService(.lime) { h in
      let (pending, redirect) = try h.browse(Self.lime)
      try h.service.completeLogin(redirect: redirect, now: Date())

      let requests = try h.server.tokenRequests()
      try #require(requests.count == 1)
      let request = requests[0]
      #expect(request.path == "/connect/token")
      #expect(request.method == "POST")
      #expect(request.headers["accept"] == "application/json")
      #expect(request.headers["content-type"] == "application/x-www-form-urlencoded")
      #expect(request.headers["authorization"] == nil, "lime takes client_secret_post only")

      // `: + % & =` and é all escaped, so the server reads back exactly the secret.
      #expect(request.body.contains("client_secret=\(Self.encodedSecret)"), "\(request.body)")
      let decoded = try #require(FormEncoding.decode(request.body[...]))
      #expect(decoded.filter { $0.0 == "client_secret" }.map(\.1) == [TestOAuthServer.clientSecret])
      #expect(request.form["client_secret"] == TestOAuthServer.clientSecret)
      #expect(request.form["client_id"] == TestOAuthServer.clientID)
      #expect(request.form["grant_type"] == "authorization_code")
      #expect(request.form["code"] == redirect.parameters["code"])
      #expect(request.form["redirect_uri"] == TestConfig.pastedRedirect)
      #expect(request.form["code_verifier"] == pending.codeVerifier)
      #expect(pending.codeVerifier?.count == 43)
      // The server checked S256(verifier) against the challenge of the authorize request.
      #expect(pending.authorizeURL.contains("code_challenge_method=S256"))
    }
  }

  @Test("a replayed redirect sends nothing")

  func aReplayedRedirectSendsNothing() throws {
    try withService(.lime) { h in
      let (_, redirect) = try h.browse(Self.lime)
      try h.service.completeLogin(redirect: redirect, now: Date())
      let before = try #require(h.file(Self.lime))

      let error = thrownError { () throws(AuthDeckError) in
        try h.service.completeLogin(redirect: redirect, now: Date())
      }
      #expect(error?.kind == "redirect")
      #expect(error?.description.contains("nothing was sent") == true, "\(String(describing: error))")
      #expect(try h.server.tokenRequests().count == 1)
      #expect(h.file(Self.lime) == before)
    }
  }

  @Test("a code past its lifetime ends the login: log in again, nothing to paste")
  func aCodePastItsLifetimeEndsTheLogin() throws {
    // --code-lifetime 0: every code has expired by the time it reaches the token endpoint.
    try withService(.lime, codeLifetime: 0) { h in
      let (_, redirect) = try h.browse(Self.lime)

      let error = thrownError { () throws(AuthDeckError) in
        try h.service.completeLogin(redirect: redirect, now: Date())
      }
      guard case .codeRefused(let refusal)? = error?.loginReason else {
        Issue.record("expected a refused code, got \(String(describing: error))")
        return
      }
      #expect(error?.description.contains("code expired") == true, "\(String(describing: error))")
      let stored = try #require(try h.stored(Self.lime))
      #expect(stored.pending == nil, "the spent login is gone: a paste cannot help")
      #expect(stored.tokens == nil)
      #expect(stored.refusal?.said == refusal.said && stored.loginReason(at: Date()) != nil)
      #expect(try h.server.tokenRequests().count == 1)
    }
  }

  @Test("a denied login sends nothing to the token endpoint, and ends the login for every process")
  func aDeniedLoginSendsNothingToTheTokenEndpoint() throws {
    try withService(.lime) { h in
      try h.server.inject("access_denied_authorize")
      let (_, redirect) = try h.browse(Self.lime)
      #expect(redirect.parameters["error"] == "access_denied")

      let error = thrownError { () throws(AuthDeckError) in
        try h.service.completeLogin(redirect: redirect, now: Date())
      }
      guard case .denied(let refusal)? = error?.loginReason else {
        Issue.record("expected a denial, got \(String(describing: error))")
        return
      }
      #expect(refusal.said.code == "access_denied")
      #expect(try h.server.tokenRequests().isEmpty)
      let stored = try #require(try h.stored(Self.lime))
      #expect(stored.pending == nil && stored.refusal?.kind == .loginDenied)
    }
  }

  // MARK: Limio: HTTP Basic, rotating refresh tokens, client credentials

  @Test("a Limio login authenticates with HTTP Basic and keeps the refresh token")
  func aLimioLoginAuthenticatesWithHTTPBasicAndKeepsTheRefreshToken() throws {
    try withService(.limio) { h in
      let session = try h.logIn(Self.limio)

      let request = try #require(try h.server.tokenRequests().first)
      #expect(request.path == "/oauth2/token")
      // RFC 6749 §2.3.1: id and secret form-encoded, joined by ':', then base64.
      // A space is %20 in Basic, so that percent-decoding servers read it too.
      let basicSecret = Self.encodedSecret.replacingOccurrences(of: "+", with: "%20")
      let expected = "Basic " + Data("test-client:\(basicSecret)".utf8).base64EncodedString()
      #expect(request.headers["authorization"] == expected)
      #expect(request.form["client_secret"] == nil)
      #expect(!request.body.contains("s3cret"))

      let tokens = try #require(session.tokens)
      #expect(tokens.refreshToken != nil)
      #expect(tokens.idToken != nil)
      #expect(session.refreshable(at: Date()))
      let lifetime = try #require(tokens.expiresAt).timeIntervalSince(tokens.issuedAt)
      #expect(abs(lifetime - 3600) < 0.001)
      #expect(try h.stored(Self.limio)?.tokens?.refreshToken == tokens.refreshToken)
    }
  }

  @Test("a rotated refresh token is on disk and the next refresh uses it")
  func aRotatedRefreshTokenIsOnDiskAndTheNextRefreshUsesIt() throws {
    try withService(.limio) { h in
      let first = try h.logIn(Self.limio)
      let original = try #require(first.tokens?.refreshToken)

      // An hour later the token has run out: asking for it refreshes it.
      let later = Date().addingTimeInterval(3700)
      let renewed = try h.service.validToken(Self.limio, now: later)
      let rotated = try #require(renewed.refreshToken)
      #expect(rotated != original)
      #expect(renewed.accessToken != first.tokens?.accessToken)
      #expect(try h.server.issuedAccessTokens().last == renewed.accessToken)

      // On disk, read as bytes: the new refresh token, and the old one nowhere.
      let onDisk = try #require(StoreFormat.tokens(h.path(Self.limio)))
      #expect(onDisk["refresh_token"] as? String == rotated)
      #expect(onDisk["access_token"] as? String == renewed.accessToken)
      #expect(onDisk["id_token"] as? String == first.tokens?.idToken, "the id token of the login is kept")
      #expect(!String(decoding: h.file(Self.limio) ?? Data(), as: UTF8.self).contains(original))

      // The server killed the original at once; the second refresh must use the rotated one.
      let again = try h.service.validToken(Self.limio, now: later.addingTimeInterval(3700))
      let refreshes = try h.server.tokenRequests().filter { $0.grantType == "refresh_token" }
      #expect(refreshes.map { $0.form["refresh_token"] } == [original, rotated])
      #expect(refreshes.allSatisfy { $0.headers["authorization"]?.hasPrefix("Basic ") == true })
      #expect(StoreFormat.tokens(h.path(Self.limio))?["refresh_token"] as? String == again.refreshToken)
      #expect(again.refreshToken != rotated)
    }
  }

  @Test("a refused refresh token means log in again: kept with the session, which is not deleted")
  func aRefusedRefreshTokenMeansLogInAgainAndKeepsTheSession() throws {
    try withService(.limio) { h in
      try h.logIn(Self.limio)
      let before = try #require(try h.stored(Self.limio))
      try h.server.inject("invalid_grant")

      let later = Date().addingTimeInterval(3700)
      let error = thrownError { () throws(AuthDeckError) in try h.service.validToken(Self.limio, now: later) }
      guard case .refreshRefused? = error?.loginReason else {
        Issue.record("expected a refused refresh token, got \(String(describing: error))")
        return
      }
      let after = try #require(try h.stored(Self.limio), "invalid_grant never deletes the session")
      #expect(after.tokens?.accessToken == before.tokens?.accessToken)
      #expect(after.tokens?.refreshToken == nil && after.refusal?.kind == .refreshRefused)
      #expect(
        after.loginReason(at: later).map { if case .refreshRefused = $0 { true } else { false } } == true)
      // The next ask sends nothing: the server would see a second refresh otherwise.
      let requests = try h.server.tokenRequests().count
      _ = thrownError { () throws(AuthDeckError) in try h.service.validToken(Self.limio, now: later) }
      #expect(try h.server.tokenRequests().count == requests)
    }
  }

  @Test("a service gets its token with client credentials, from the store while it is valid")
  func aServiceGetsItsTokenWithClientCredentials() throws {
    try withService(.limio) { h in
      // Never stored before: asking for a token fetches one.
      let token = try h.service.validToken(Self.svc, now: Date())
      var requests = try h.server.tokenRequests()
      try #require(requests.count == 1)
      #expect(requests[0].grantType == "client_credentials")
      #expect(requests[0].headers["authorization"]?.hasPrefix("Basic ") == true)
      #expect(token.refreshToken == nil)
      let stored = try #require(try h.stored(Self.svc))
      #expect(stored.grant == .clientCredentials)
      #expect(stored.refreshable(at: Date()))
      #expect(stored.tokens?.accessToken == token.accessToken)

      // Still valid: served from the store.
      #expect(try h.service.validToken(Self.svc, now: Date()).accessToken == token.accessToken)
      #expect(try h.server.tokenRequests().count == 1)

      // `login` of a service always fetches a new one.
      let fetched = try h.service.fetchClientCredentials(Self.svc, now: Date())
      #expect(fetched.tokens?.accessToken != token.accessToken)
      requests = try h.server.tokenRequests()
      #expect(requests.count == 2)
    }
  }

  @Test("a provider that is down is a network error, and nothing is stored")
  func aProviderThatIsDownIsANetworkErrorAndStoresNothing() throws {
    try withService(.limio) { h in
      try h.logIn(Self.limio)
      let before = try #require(h.file(Self.limio))
      h.server.stop()

      let error = thrownError { () throws(AuthDeckError) in
        try h.service.renew(Self.limio, now: Date(), force: true)
      }
      #expect(error?.kind == "network")
      #expect(
        error?.description.contains("could not reach 127.0.0.1") == true, "\(String(describing: error))")
      #expect(h.file(Self.limio) == before)
    }
  }

  // MARK: Broken servers: a clear, clean error and nothing stored

  struct Fault: Sendable, CustomTestStringConvertible {
    var name: String
    var seconds: Double? = nil
    var kind: String
    var mentions: String
    var testDescription: String { name }
  }

  static let faults: [Fault] = [
    Fault(name: "500", kind: "provider", mentions: "HTTP 500"),
    Fault(name: "503", kind: "provider", mentions: "HTTP 503"),
    Fault(name: "html", kind: "provider", mentions: "HTML"),
    Fault(name: "not_json", kind: "provider", mentions: "not JSON"),
    Fault(name: "oversized", kind: "network", mentions: "KiB"),
    Fault(name: "slow", seconds: 5, kind: "network", mentions: "did not answer"),
    Fault(name: "ansi_error", kind: "provider", mentions: "invalid_request"),
    Fault(name: "error_200", kind: "loginRequired", mentions: "invalid_grant"),
    Fault(name: "negative_expires_in", kind: "provider", mentions: "expires_in"),
    // Had libcurl followed the 302 to 127.0.0.1:1 (where nothing listens), this would be a
    // network error ("could not reach"); a provider error naming the redirect proves it stopped.
    Fault(name: "redirect", kind: "provider", mentions: "redirect"),
  ]

  /// What every fault must give: the expected kind, a short one-line message without
  /// terminal controls or secrets, and an answer within the deadline.
  func checkFailure(_ error: AuthDeckError?, _ fault: Fault, elapsed: TimeInterval) {
    guard let error else {
      Issue.record("\(fault.name): no error")
      return
    }
    let message = error.description
    #expect(error.kind == fault.kind, "\(fault.name): \(message)")
    #expect(message.contains(fault.mentions), "\(fault.name): \(message)")
    #expect(message.count <= 300, "\(fault.name): \(message.count) characters")
    let forbidden: [Unicode.Scalar] = ["\u{1B}", "\u{9B}", "\u{202E}", "\r", "\n", "\u{07}"]
    #expect(
      !message.unicodeScalars.contains { forbidden.contains($0) },
      "\(fault.name): \(message.debugDescription)")
    #expect(!message.contains("s3cret"))
    #expect(elapsed < 3, "\(fault.name) took \(elapsed) s with a 1 s deadline")
  }

  @Test(
    "a failed refresh gives a clean error and keeps the session byte for byte",
    arguments: faults.filter { $0.kind != "loginRequired" })
  func aFailedRefreshKeepsTheSessionByteForByte(fault: Fault) throws {
    try withService(.limio) { h in
      try h.logIn(Self.limio)
      let before = try #require(h.file(Self.limio))
      var service = h.service
      service.deadline = 1
      try h.server.inject(fault.name, seconds: fault.seconds)

      let started = Date()
      let error = thrownError { () throws(AuthDeckError) in
        try service.renew(Self.limio, now: Date(), force: true)
      }
      checkFailure(error, fault, elapsed: Date().timeIntervalSince(started))
      #expect(h.file(Self.limio) == before)
      #expect(
        try h.server.tokenRequests().count == 2, "one login, one refresh: no retry behind the user's back")
    }
  }

  @Test(
    "a failed code exchange gives a clean error and keeps the pending login",
    arguments: faults.filter { $0.kind != "loginRequired" })
  func aFailedCodeExchangeKeepsThePendingLogin(fault: Fault) throws {
    try withService(.lime) { h in
      let (pending, redirect) = try h.browse(Self.lime)
      let before = try #require(h.file(Self.lime))
      var service = h.service
      service.deadline = 1
      try h.server.inject(fault.name, seconds: fault.seconds)

      let started = Date()
      let error = thrownError { () throws(AuthDeckError) in
        try service.completeLogin(redirect: redirect, now: Date())
      }
      checkFailure(error, fault, elapsed: Date().timeIntervalSince(started))
      #expect(h.file(Self.lime) == before)
      #expect(try h.stored(Self.lime)?.pending?.state == pending.state)
      #expect(try h.stored(Self.lime)?.tokens == nil)
    }
  }

  @Test("an error_description full of terminal controls is shown clean and short")
  func anErrorDescriptionFullOfTerminalControlsIsShownCleanAndShort() throws {
    try withService(.limio) { h in
      try h.logIn(Self.limio)
      try h.server.inject("ansi_error")
      let error = thrownError { () throws(AuthDeckError) in
        try h.service.renew(Self.limio, now: Date(), force: true)
      }
      let message = try #require(error?.description)
      #expect(message.hasPrefix("limio: invalid_request: "))
      #expect(message.contains("ERROR"))
      #expect(message.contains("visible"))
      #expect(!message.unicodeScalars.contains("\u{1B}"), "no escape sequence reaches the terminal intact")
      #expect(message.hasSuffix("…"), "10 kB of description is cut")
    }
  }
}

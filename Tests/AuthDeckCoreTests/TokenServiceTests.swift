import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

@Suite("Token service: login, refresh, logout")
struct TokenServiceTests {
  static let main = SessionID(provider: "acme", account: "main")
  static let work = SessionID(provider: "acme", account: "work")
  static let bot = SessionID(provider: "svc", account: "bot")
  static let now = utc(2026, 6, 1, 12)
  static let redirectURI = "http://127.0.0.1:8765/callback"

  static let acme = Provider(
    id: "acme", authorizeURL: URL(string: "https://id.acme.example/oauth2/authorize"),
    tokenURL: URL(string: "https://id.acme.example/oauth2/token")!, clientID: "acme-app", clientAuth: .post,
    redirectURI: URL(string: redirectURI), scope: "openid email")
  static let svc = Provider(
    id: "svc", authorizeURL: nil, tokenURL: URL(string: "https://svc.example/token")!, clientID: "svc-app",
    secret: .environment("SVC_SECRET"), clientAuth: .basic, redirectURI: nil, grant: .clientCredentials)

  /// Everything a test needs: a service over a temp store, the fake network it talks to.
  struct Harness {
    let service: TokenService
    let transport: FakeTransport
    let store: SessionStore
    let root: String

    func stored(_ id: SessionID) throws -> Session? { try store.load(id) }

    func file(_ id: SessionID) -> Data? {
      readBytes(root + "/sessions/" + StoreFileName.encode(id) + ".json")
    }

    func put(_ session: Session) throws {
      try store.update(session.id) { (stored: inout Session?) throws(AuthDeckError) in stored = session }
    }
  }

  func withHarness<T>(
    providers: [Provider] = [TokenServiceTests.acme, TokenServiceTests.svc], _ body: (Harness) throws -> T
  ) throws -> T {
    try withTemporaryDirectory { directory in
      let root = directory + "/authdeck"
      let store = SessionStore(root: root)
      let transport = FakeTransport()
      let service = TokenService(
        configuration: Configuration(providers: providers), store: store, transport: transport,
        secrets: FixedSecrets(value: "s3cret: +%&=é"), random: CountingRandom())
      return try body(Harness(service: service, transport: transport, store: store, root: root))
    }
  }

  static func redirect(state: String, code: String = "the-code", extra: String = "") throws(AuthDeckError)
    -> Redirect
  {
    try Redirect(pasted: "\(redirectURI)?code=\(code)&state=\(FormEncoding.escape(state))\(extra)")
  }

  static let tokenJSON =
    #"{"access_token":"at-1","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-1"}"#

  // MARK: startLogin

  @Test("starting a login stores a pending login with a complete authorize URL and sends nothing")
  func startLoginStoresAPendingLoginWithACompleteAuthorizeURL() throws {
    try withHarness { h in
      let pending = try h.service.startLogin(Self.main, now: Self.now)
      #expect(h.transport.count == 0)
      #expect(try h.stored(Self.main)?.pending == pending)
      #expect(try h.stored(Self.main)?.status(at: Self.now) == .pending)

      #expect(pending.authorizeURL.hasPrefix("https://id.acme.example/oauth2/authorize?"))
      let query = try #require(queryFields(pending.authorizeURL))
      #expect(query["response_type"] == "code")
      #expect(query["client_id"] == "acme-app")
      #expect(query["redirect_uri"] == Self.redirectURI)
      #expect(query["state"] == pending.state)
      #expect(query["scope"] == "openid email")
      #expect(query["code_challenge_method"] == "S256")
      let verifier = try #require(pending.codeVerifier)
      #expect(query["code_challenge"] == PKCE(verifier: verifier).challenge)
      #expect(query["code_verifier"] == nil, "the verifier never leaves the machine before the exchange")

      // 32 random bytes each, from the random source that was handed in.
      #expect(pending.state == Base64URL.encode(CountingRandom.bytes(call: 0, count: 32)))
      #expect(verifier == Base64URL.encode(CountingRandom.bytes(call: 1, count: 32)))
      #expect(pending.state.count == 43 && verifier.count == 43)
      #expect(pending.state != verifier)
      #expect(pending.redirectURI == Self.redirectURI)
      #expect(pending.issuer == "https://id.acme.example")
      #expect(pending.deadline == Self.now.addingTimeInterval(300))
    }
  }

  @Test("a new login replaces the pending one but keeps the tokens")
  func aNewLoginReplacesThePendingOneButKeepsTheTokens() throws {
    try withHarness { h in
      let tokens = TokenSet(
        accessToken: "old", refreshToken: "rt", issuedAt: Self.now, expiresAt: Self.now + 60)
      try h.put(Session(id: Self.main, tokens: tokens))
      let first = try h.service.startLogin(Self.main, now: Self.now)
      let second = try h.service.startLogin(Self.main, now: Self.now)
      #expect(first.state != second.state)
      #expect(try h.stored(Self.main)?.pending == second)
      #expect(try h.stored(Self.main)?.tokens == tokens)
    }
  }

  @Test("an authorize URL that has a query gets the parameters after an ampersand")
  func anAuthorizeURLWithAQueryGetsAnAmpersand() throws {
    var provider = Self.acme
    provider.authorizeURL = URL(string: "https://id.acme.example/authorize?tenant=x")
    provider.pkce = false
    provider.scope = nil
    let pending = try AuthorizationRequest.start(provider: provider, now: Self.now, random: CountingRandom())
    #expect(pending.authorizeURL.hasPrefix("https://id.acme.example/authorize?tenant=x&response_type=code&"))
    let query = try #require(queryFields(pending.authorizeURL))
    #expect(query["tenant"] == "x")
    #expect(query["code_challenge"] == nil)
    #expect(query["scope"] == nil)
    #expect(pending.codeVerifier == nil)
  }

  @Test("a client-credentials session has no browser login")

  func clientCredentialsHaveNoBrowserLogin() throws {
    try withHarness { h in
      let error = thrownError { () throws(AuthDeckError) in try h.service.startLogin(Self.bot, now: Self.now)
      }
      #expect(error?.kind == "usage")
      let stored = try h.stored(Self.bot)
      #expect(stored == nil)
    }
  }

  @Test("a login for an unknown provider is a usage error naming the section to add")
  func anUnknownProviderIsAUsageError() throws {
    try withHarness { h in
      let id = SessionID(provider: "nope", account: "x")
      let error = thrownError { () throws(AuthDeckError) in try h.service.startLogin(id, now: Self.now) }
      #expect(error?.kind == "usage")
      #expect(error?.description.contains("[providers.nope]") == true)
    }
  }

  // MARK: completeLogin

  @Test("a wrong or missing state sends nothing and keeps the pending login", arguments: ["wrong", "", "x"])
  func aWrongOrMissingStateSendsNothingAndKeepsThePendingLogin(state: String) throws {
    try withHarness { h in
      h.transport.enqueue(jsonResponse(Self.tokenJSON))
      let pending = try h.service.startLogin(Self.main, now: Self.now)
      let pasted =
        state.isEmpty
        ? "\(Self.redirectURI)?code=the-code" : "\(Self.redirectURI)?code=the-code&state=\(state)"
      let error = thrownError { () throws(AuthDeckError) in
        try h.service.completeLogin(redirect: try Redirect(pasted: pasted), now: Self.now + 10)
      }
      #expect(error?.kind == "redirect")
      #expect(error?.description.contains("nothing was sent") == true, "\(String(describing: error))")
      #expect(h.transport.count == 0)
      #expect(try h.stored(Self.main)?.pending == pending)
    }
  }

  @Test("a successful login stores the tokens and clears the pending login")
  func aSuccessfulCompletionStoresTokensAndClearsThePendingLogin() throws {
    try withHarness { h in
      h.transport.enqueue(jsonResponse(Self.tokenJSON))
      let pending = try h.service.startLogin(Self.main, now: Self.now)
      let session = try h.service.completeLogin(
        redirect: Self.redirect(state: pending.state), now: Self.now + 30)

      #expect(session.pending == nil)
      #expect(session.tokens?.accessToken == "at-1")
      #expect(session.tokens?.refreshToken == "rt-1")
      #expect(session.tokens?.expiresAt == Self.now + 30 + 3600)
      #expect(try h.stored(Self.main) == session)

      let requests = h.transport.requests
      #expect(requests.count == 1)
      let request = try #require(requests.first)
      #expect(request.url == Self.acme.tokenURL)
      let fields = formFields(request)
      #expect(fields["grant_type"] == "authorization_code")
      #expect(fields["code"] == "the-code")
      #expect(fields["redirect_uri"] == Self.redirectURI)
      #expect(fields["code_verifier"] == pending.codeVerifier)
      #expect(fields["client_secret"] == "s3cret: +%&=é")
    }
  }

  @Test("a second use of the same redirect is refused without a request")
  func aSecondUseOfTheSameRedirectIsRefusedWithoutARequest() throws {
    try withHarness { h in
      h.transport.enqueue(jsonResponse(Self.tokenJSON))
      h.transport.enqueue(jsonResponse(Self.tokenJSON.replacingOccurrences(of: "at-1", with: "at-2")))
      let pending = try h.service.startLogin(Self.main, now: Self.now)
      let redirect = try Self.redirect(state: pending.state)
      try h.service.completeLogin(redirect: redirect, now: Self.now + 10)
      let afterFirst = h.file(Self.main)

      let error = thrownError { () throws(AuthDeckError) in
        try h.service.completeLogin(redirect: redirect, now: Self.now + 20)
      }
      #expect(error?.kind == "redirect")
      #expect(h.transport.count == 1)
      #expect(h.file(Self.main) == afterFirst)
      #expect(try h.stored(Self.main)?.tokens?.accessToken == "at-1")
    }
  }

  @Test("a login older than five minutes is refused without a request, and kept")
  func aLoginOlderThanFiveMinutesIsRefusedWithoutARequestAndKept() throws {
    try withHarness { h in
      h.transport.enqueue(jsonResponse(Self.tokenJSON))
      let pending = try h.service.startLogin(Self.main, now: Self.now)
      let error = thrownError { () throws(AuthDeckError) in
        try h.service.completeLogin(redirect: Self.redirect(state: pending.state), now: Self.now + 301)
      }
      #expect(error?.kind == "redirect")
      #expect(error?.description.contains("5 minutes") == true)
      #expect(h.transport.count == 0)
      #expect(try h.stored(Self.main)?.pending == pending)
    }
  }

  @Test("a redirect to the wrong address sends nothing and keeps the pending login")
  func aRedirectToTheWrongAddressSendsNothingAndKeepsThePendingLogin() throws {
    try withHarness { h in
      h.transport.enqueue(jsonResponse(Self.tokenJSON))
      let pending = try h.service.startLogin(Self.main, now: Self.now)
      for pasted in [
        "http://evil.example/callback?code=c&state=\(pending.state)",
        pending.authorizeURL,
        "\(Self.redirectURI)?code=c&state=\(pending.state)&iss=https%3A%2F%2Fevil.example",
      ] {
        let error = thrownError { () throws(AuthDeckError) in
          try h.service.completeLogin(redirect: try Redirect(pasted: pasted), now: Self.now + 10)
        }
        #expect(error?.kind == "redirect", "\(pasted)")
      }
      #expect(h.transport.count == 0)
      #expect(try h.stored(Self.main)?.pending == pending)
    }
  }

  @Test("access_denied sends nothing, ends the login and keeps what the provider said; the tokens stay")
  func accessDeniedEndsTheLogin() throws {
    try withHarness { h in
      let old = Self.tokens("at-old", refresh: nil, expiresAt: Self.now + 600)
      try h.put(Session(id: Self.main, tokens: old))
      let pending = try h.service.startLogin(Self.main, now: Self.now)
      let redirect = try Redirect(
        pasted: "\(Self.redirectURI)?error=access_denied&error_description=no&state=\(pending.state)")
      let error = thrownError { () throws(AuthDeckError) in
        try h.service.completeLogin(redirect: redirect, now: Self.now)
      }
      let refusal = Refusal(
        .loginDenied, said: ProviderError(code: "access_denied", description: "no"), at: Self.now)
      #expect(error?.loginReason == .denied(refusal))
      #expect(error?.description == "acme/main: the login was denied (access_denied: no)")
      #expect(h.transport.count == 0)
      let stored = try #require(try h.stored(Self.main))
      #expect(stored.pending == nil, "a denied login waits no more, for every process")
      #expect(stored.refusal == refusal)
      #expect(stored.tokens == old, "the valid token it had stays")
    }
  }

  @Test(
    "a failed code exchange stores nothing and keeps the pending login",
    arguments: [
      jsonResponse(500, "oops", contentType: "text/plain"),
      jsonResponse(200, "<html>portal</html>", contentType: "text/html"),
      jsonResponse(400, #"{"error":"invalid_request"}"#),
      jsonResponse(200, #"{"access_token":"at","expires_in":-1}"#),
    ])
  func aFailedExchangeStoresNothingAndKeepsThePendingLogin(response: HTTPResponse) throws {
    try withHarness { h in
      h.transport.enqueue(response)
      let pending = try h.service.startLogin(Self.main, now: Self.now)
      let before = h.file(Self.main)
      #expect(
        thrownError { () throws(AuthDeckError) in
          try h.service.completeLogin(redirect: Self.redirect(state: pending.state), now: Self.now)
        } != nil)
      #expect(h.transport.count == 1)
      #expect(h.file(Self.main) == before)
      #expect(try h.stored(Self.main)?.tokens == nil)
    }
  }

  @Test(
    "a code the token endpoint refuses ends the login: the pending login goes, the tokens stay",
    arguments: [400, 200])
  func aRefusedCodeEndsTheLogin(status: Int) throws {
    try withHarness { h in
      try h.put(Session(id: Self.main, tokens: Self.tokens("at-old", refresh: nil, expiresAt: Self.now - 60)))
      h.transport.enqueue(
        jsonResponse(status, #"{"error":"invalid_grant","error_description":"code expired"}"#))
      let pending = try h.service.startLogin(Self.main, now: Self.now)
      let error = thrownError { () throws(AuthDeckError) in
        try h.service.completeLogin(redirect: Self.redirect(state: pending.state), now: Self.now)
      }
      let refusal = Refusal(
        .codeRefused, said: ProviderError(code: "invalid_grant", description: "code expired"), at: Self.now)
      #expect(error?.loginReason == .codeRefused(refusal))
      #expect(
        error?.description.contains("invalid_grant: code expired") == true, "\(String(describing: error))")
      let stored = try #require(try h.stored(Self.main))
      #expect(stored.pending == nil, "no paste can help a refused code")
      #expect(stored.refusal == refusal)
      #expect(stored.tokens?.accessToken == "at-old", "invalid_grant never deletes anything else")
      #expect(h.transport.count == 1)
    }
  }

  @Test("a network failure keeps the pending login")

  func aNetworkFailureKeepsThePendingLogin() throws {
    try withHarness { h in
      h.transport.enqueueFailure(.network("timed out after 30 s"))
      let pending = try h.service.startLogin(Self.main, now: Self.now)
      let error = thrownError { () throws(AuthDeckError) in
        try h.service.completeLogin(redirect: Self.redirect(state: pending.state), now: Self.now)
      }
      #expect(error == .network("acme: timed out after 30 s"), "the provider named, as its other errors are")
      #expect(try h.stored(Self.main)?.pending == pending)
    }
  }

  @Test("a redirect completes the login whose state it carries, and no other")
  func theRedirectCompletesTheLoginWhoseStateItCarries() throws {
    try withHarness { h in
      h.transport.enqueue(jsonResponse(Self.tokenJSON))
      let mainPending = try h.service.startLogin(Self.main, now: Self.now)
      let workPending = try h.service.startLogin(Self.work, now: Self.now)
      let redirect = try Self.redirect(state: workPending.state)
      #expect(try h.service.pendingSession(for: redirect, now: Self.now) == Self.work)

      let session = try h.service.completeLogin(redirect: redirect, now: Self.now)
      #expect(session.id == Self.work)
      #expect(try h.stored(Self.work)?.tokens?.accessToken == "at-1")
      #expect(try h.stored(Self.main)?.pending == mainPending)
      #expect(try h.stored(Self.main)?.tokens == nil)
    }
  }

  // MARK: validToken and renew

  static func tokens(_ access: String, refresh: String?, expiresAt: Date?, id: String? = nil) -> TokenSet {
    TokenSet(
      accessToken: access, refreshToken: refresh, idToken: id, issuedAt: now - 3600, expiresAt: expiresAt)
  }

  @Test("a valid token is handed out without a request")

  func aValidTokenIsReturnedWithoutARequest() throws {
    try withHarness { h in
      let tokens = Self.tokens("at-0", refresh: "rt-0", expiresAt: Self.now + 600)
      try h.put(Session(id: Self.main, tokens: tokens))
      #expect(try h.service.validToken(Self.main, now: Self.now) == tokens)
      // No expiry known: still valid, nothing sent.
      let forever = Self.tokens("at-f", refresh: nil, expiresAt: nil)
      try h.put(Session(id: Self.work, tokens: forever))
      #expect(try h.service.validToken(Self.work, now: Self.now) == forever)
      #expect(h.transport.count == 0)
    }
  }

  @Test("an expired token is refreshed and the rotated refresh token stored")
  func anExpiredTokenIsRefreshedAndTheRotatedRefreshTokenStored() throws {
    try withHarness { h in
      try h.put(
        Session(
          id: Self.main, tokens: Self.tokens("at-0", refresh: "rt-0", expiresAt: Self.now - 1, id: "id-0")))
      h.transport.enqueue(
        jsonResponse(
          #"{"access_token":"at-1","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-1"}"#))

      let tokens = try h.service.validToken(Self.main, now: Self.now)
      #expect(tokens.accessToken == "at-1")
      #expect(tokens.refreshToken == "rt-1")
      #expect(tokens.idToken == "id-0", "an id_token the refresh did not resend is kept")
      #expect(tokens.expiresAt == Self.now + 3600)

      let stored = try #require(try h.stored(Self.main)?.tokens)
      #expect(stored == tokens)
      #expect(!String(decoding: h.file(Self.main) ?? Data(), as: UTF8.self).contains("rt-0"))

      let request = try #require(h.transport.requests.first)
      let fields = formFields(request)
      #expect(fields["grant_type"] == "refresh_token")
      #expect(fields["refresh_token"] == "rt-0")
      #expect(fields["scope"] == "openid email")
      #expect(h.transport.count == 1)

      // The new token is now valid: no second request.
      #expect(try h.service.validToken(Self.main, now: Self.now + 1) == tokens)
      #expect(h.transport.count == 1)
    }
  }

  @Test("a refresh that returns no new refresh token keeps the old one")
  func aRefreshWithoutANewRefreshTokenKeepsTheOldOne() throws {
    try withHarness { h in
      try h.put(Session(id: Self.main, tokens: Self.tokens("at-0", refresh: "rt-0", expiresAt: Self.now - 1)))
      h.transport.enqueue(jsonResponse(#"{"access_token":"at-1","expires_in":3600}"#))
      let tokens = try h.service.validToken(Self.main, now: Self.now)
      #expect(tokens.accessToken == "at-1")
      #expect(tokens.refreshToken == "rt-0")
      #expect(try h.stored(Self.main)?.tokens?.refreshToken == "rt-0")
    }
  }

  @Test("a token about to expire is refreshed within the margin")
  func aTokenAboutToExpireIsRefreshedWithinTheMargin() throws {
    try withHarness { h in
      try h.put(
        Session(id: Self.main, tokens: Self.tokens("at-0", refresh: "rt-0", expiresAt: Self.now + 30)))
      h.transport.enqueue(jsonResponse(Self.tokenJSON))
      #expect(try h.service.validToken(Self.main, now: Self.now).accessToken == "at-1")
      #expect(h.transport.count == 1)
    }
  }

  @Test("a token about to expire that cannot be refreshed is still handed out")
  func aTokenAboutToExpireWithoutRefreshIsStillHandedOut() throws {
    try withHarness { h in
      let tokens = Self.tokens("at-0", refresh: nil, expiresAt: Self.now + 30)
      try h.put(Session(id: Self.main, tokens: tokens))
      #expect(try h.service.validToken(Self.main, now: Self.now) == tokens)
      #expect(h.transport.count == 0)
    }
  }

  @Test(
    "invalid_grant on refresh means log in again: the refusal is stored, the dead refresh token never sent again"
  )
  func invalidGrantOnRefreshIsStored() throws {
    try withHarness { h in
      let old = Self.tokens("at-0", refresh: "rt-0", expiresAt: Self.now - 1)
      try h.put(Session(id: Self.main, tokens: old))
      h.transport.enqueue(
        jsonResponse(400, #"{"error":"invalid_grant","error_description":"Token is not active"}"#))

      let error = thrownError { () throws(AuthDeckError) in try h.service.validToken(Self.main, now: Self.now)
      }
      let refusal = Refusal(
        .refreshRefused, said: ProviderError(code: "invalid_grant", description: "Token is not active"),
        at: Self.now)
      #expect(error?.loginReason == .refreshRefused(refusal))
      #expect(error?.exitCode == 3)
      #expect(!(error?.description.contains("rt-0") ?? true))
      let stored = try #require(try h.stored(Self.main))
      #expect(stored.refusal == refusal)
      #expect(stored.tokens?.accessToken == "at-0" && stored.tokens?.refreshToken == nil)
      #expect(!stored.refreshable(at: Date()) && stored.needsLogin(at: Self.now))
      #expect(stored.loginReason(at: Self.now) == .refreshRefused(refusal))
      // Asked again (another process, a restarted board): nothing is sent, the same reason comes.
      let again = thrownError { () throws(AuthDeckError) in try h.service.validToken(Self.main, now: Self.now)
      }
      #expect(again?.loginReason == .refreshRefused(refusal))
      #expect(h.transport.count == 1)
      // A new login replaces what the provider said.
      var loggedIn = stored
      loggedIn.receive(Self.tokens("at-1", refresh: "rt-1", expiresAt: Self.now + 3_600))
      #expect(loggedIn.refusal == nil && loggedIn.refreshable(at: Date()))
    }
  }

  @Test("other refresh failures keep the session too")

  func otherRefreshFailuresKeepTheSessionToo() throws {
    try withHarness { h in
      let old = Self.tokens("at-0", refresh: "rt-0", expiresAt: Self.now - 1)
      try h.put(Session(id: Self.main, tokens: old))
      h.transport.enqueue(jsonResponse(503, "busy", contentType: "text/plain"))
      let error = thrownError { () throws(AuthDeckError) in try h.service.validToken(Self.main, now: Self.now)
      }
      #expect(error?.kind == "provider")
      #expect(try h.stored(Self.main)?.tokens == old)
    }
  }

  @Test("an expired token that cannot be refreshed says to log in, and since when it expired")
  func anExpiredTokenWithoutRefreshSaysToLogIn() throws {
    try withHarness { h in
      try h.put(
        Session(id: Self.main, tokens: Self.tokens("at-0", refresh: nil, expiresAt: Self.now - 3 * 3600)))
      let error = thrownError { () throws(AuthDeckError) in try h.service.validToken(Self.main, now: Self.now)
      }
      #expect(error?.loginReason == .expired(at: Self.now - 3 * 3600))
      #expect(error?.description.contains("3h 0m ago") == true, "\(String(describing: error))")
      #expect(h.transport.count == 0)
      #expect(try h.stored(Self.main) != nil)
    }
  }

  @Test("a session that never logged in says to log in")

  func aSessionThatNeverLoggedInSaysToLogIn() throws {
    try withHarness { h in
      let error = thrownError { () throws(AuthDeckError) in try h.service.validToken(Self.main, now: Self.now)
      }
      #expect(error?.loginReason == .neverLoggedIn)

      _ = try h.service.startLogin(Self.work, now: Self.now)
      let pendingOnly = thrownError { () throws(AuthDeckError) in
        try h.service.validToken(Self.work, now: Self.now)
      }
      #expect(pendingOnly?.loginReason == .noToken)
      #expect(h.transport.count == 0)
    }
  }

  @Test("client credentials fetch and renew a token without a person")
  func clientCredentialsFetchAndRenewWithoutAPerson() throws {
    try withHarness { h in
      h.transport.enqueue(jsonResponse(#"{"access_token":"svc-1","expires_in":3600}"#))
      let session = try h.service.fetchClientCredentials(Self.bot, now: Self.now)
      #expect(session.grant == .clientCredentials)
      #expect(session.tokens?.accessToken == "svc-1")
      let request = try #require(h.transport.requests.first)
      #expect(formFields(request)["grant_type"] == "client_credentials")
      #expect(formFields(request)["client_secret"] == nil)
      #expect(header("Authorization", in: request)?.hasPrefix("Basic ") == true)

      h.transport.enqueue(jsonResponse(#"{"access_token":"svc-2","expires_in":3600}"#))
      #expect(try h.service.validToken(Self.bot, now: Self.now + 3600).accessToken == "svc-2")
      #expect(h.transport.count == 2)
    }
  }

  // MARK: logout

  @Test("logout drops the tokens and the pending login but keeps the session")
  func logoutDropsTokensAndPendingButKeepsTheSession() throws {
    try withHarness { h in
      try h.put(
        Session(id: Self.main, tokens: Self.tokens("at-0", refresh: "rt-0", expiresAt: Self.now + 600)))
      _ = try h.service.startLogin(Self.main, now: Self.now)
      try h.put(Session(id: Self.work, tokens: Self.tokens("at-w", refresh: nil, expiresAt: nil)))
      let workBefore = h.file(Self.work)

      _ = try h.service.logout(Self.main, forget: false, now: Self.now)
      let stored = try #require(try h.stored(Self.main))
      #expect(stored.tokens == nil)
      #expect(stored.pending == nil)
      #expect(stored.status(at: Self.now) == .none)
      #expect(!String(decoding: h.file(Self.main) ?? Data(), as: UTF8.self).contains("rt-0"))
      #expect(h.file(Self.work) == workBefore)
      #expect(h.transport.count == 0)
    }
  }

  @Test("logout with forget removes the session")

  func logoutForgetRemovesTheSession() throws {
    try withHarness { h in
      try h.put(
        Session(id: Self.main, tokens: Self.tokens("at-0", refresh: "rt-0", expiresAt: Self.now + 600)))
      try h.put(Session(id: Self.work, tokens: Self.tokens("at-w", refresh: nil, expiresAt: nil)))
      _ = try h.service.logout(Self.main, forget: true, now: Self.now)
      #expect(try h.stored(Self.main) == nil)
      #expect(h.file(Self.main) == nil)
      #expect(try h.store.loadAll().sessions.map(\.id) == [Self.work])
    }
  }

  @Test("logout of an unknown session is a usage error")

  func logoutOfAnUnknownSessionIsAUsageError() throws {
    try withHarness { h in
      for forget in [false, true] {
        let error = thrownError { () throws(AuthDeckError) in
          try h.service.logout(Self.main, forget: forget, now: Self.now)
        }
        #expect(error == .unknownSession(Self.main))
        #expect(error?.exitCode == 64)
      }
      let stored = try h.stored(Self.main)
      #expect(stored == nil)
    }
  }
}

import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

@Suite("Session status")
struct SessionStatusTests {
  static let now = utc(2026, 6, 1, 12)
  static let id = SessionID(provider: "lime", account: "main")

  static func tokens(expiresIn seconds: TimeInterval?, refresh: String? = nil) -> TokenSet {
    TokenSet(
      accessToken: "at", refreshToken: refresh, issuedAt: now.addingTimeInterval(-60),
      expiresAt: seconds.map { now.addingTimeInterval($0) })
  }

  static func pending(startedSecondsAgo seconds: TimeInterval) -> PendingLogin {
    PendingLogin(
      state: "s", codeVerifier: "v", redirectURI: "http://127.0.0.1:8765/cb",
      authorizeURL: "https://a/authorize",
      issuer: nil, startedAt: now.addingTimeInterval(-seconds))
  }

  static let remaining: [(Double, SessionStatus)] = [
    (3600.0, .valid),
    (15 * 60.0, .valid),  // exactly the threshold is not yet "expiring"
    (15 * 60.0 - 1, .expiring),
    (1.0, .expiring),
    (0.0, .expired),
    (-1.0, .expired),
    (-86_400.0, .expired),
  ]

  @Test("the status follows the time the token has left", arguments: remaining)
  func statusFollowsTheRemainingTime(remaining: Double, expected: SessionStatus) {
    let session = Session(id: Self.id, tokens: Self.tokens(expiresIn: remaining))
    #expect(session.status(at: Self.now) == expected)
  }

  @Test("the threshold for expiring is a parameter")

  func theExpiringThresholdIsAParameter() {
    let session = Session(id: Self.id, tokens: Self.tokens(expiresIn: 20 * 60))
    #expect(session.status(at: Self.now, expiringWithin: 15 * 60) == .valid)
    #expect(session.status(at: Self.now, expiringWithin: 30 * 60) == .expiring)
    #expect(session.status(at: Self.now, expiringWithin: 0) == .valid)
  }

  @Test("a token without an expiry is valid")

  func aTokenWithoutExpiryIsValid() {
    #expect(Session(id: Self.id, tokens: Self.tokens(expiresIn: nil)).status(at: Self.now) == .valid)
  }

  @Test("a session without tokens has the status none")

  func noTokensIsNone() {
    #expect(Session(id: Self.id).status(at: Self.now) == .none)
  }

  @Test("a pending login counts until its deadline, then the status underneath shows")
  func aPendingLoginCountsUntilItsDeadline() {
    #expect(PendingLogin.lifetime == 300)
    let expired = Self.tokens(expiresIn: -60)
    let fresh = Session(id: Self.id, tokens: expired, pending: Self.pending(startedSecondsAgo: 10))
    #expect(fresh.status(at: Self.now) == .pending)
    #expect(fresh.activePending(at: Self.now) != nil)

    let almost = Session(id: Self.id, tokens: expired, pending: Self.pending(startedSecondsAgo: 299))
    #expect(almost.status(at: Self.now) == .pending)

    // At and after the deadline the underlying status shows again.
    let atDeadline = Session(id: Self.id, tokens: expired, pending: Self.pending(startedSecondsAgo: 300))
    #expect(atDeadline.status(at: Self.now) == .expired)
    #expect(atDeadline.activePending(at: Self.now) == nil)

    let validUnderneath = Session(
      id: Self.id, tokens: Self.tokens(expiresIn: 3600), pending: Self.pending(startedSecondsAgo: 600))
    #expect(validUnderneath.status(at: Self.now) == .valid)

    let nothingUnderneath = Session(id: Self.id, pending: Self.pending(startedSecondsAgo: 600))
    #expect(nothingUnderneath.status(at: Self.now) == .none)
    #expect(
      Session(id: Self.id, pending: Self.pending(startedSecondsAgo: 0)).status(at: Self.now) == .pending)
  }

  @Test("a pending login's deadline is five minutes after its start")
  func pendingDeadlineIsFiveMinutesAfterTheStart() {
    let pending = Self.pending(startedSecondsAgo: 0)
    #expect(pending.deadline == Self.now.addingTimeInterval(300))
  }

  @Test("a session is refreshable with a refresh token or with client credentials")
  func refreshableNeedsARefreshTokenOrClientCredentials() {
    #expect(Session(id: Self.id, tokens: Self.tokens(expiresIn: -1, refresh: "rt")).refreshable(at: Date()))
    #expect(!Session(id: Self.id, tokens: Self.tokens(expiresIn: -1)).refreshable(at: Date()))
    #expect(!Session(id: Self.id).refreshable(at: Date()))
    #expect(Session(id: Self.id, grant: .clientCredentials).refreshable(at: Date()))
    #expect(
      Session(id: Self.id, grant: .clientCredentials, tokens: Self.tokens(expiresIn: -1)).refreshable(
        at: Date()))
  }

  @Test("only a session with no valid token and no way to renew one needs a login")
  func onlyASessionWithNoValidTokenAndNoWayToRenewOneNeedsALogin() {
    #expect(!Session(id: Self.id, tokens: Self.tokens(expiresIn: 60)).needsLogin(at: Self.now))
    #expect(!Session(id: Self.id, tokens: Self.tokens(expiresIn: nil)).needsLogin(at: Self.now))
    #expect(Session(id: Self.id, tokens: Self.tokens(expiresIn: 0)).needsLogin(at: Self.now))
    #expect(Session(id: Self.id).needsLogin(at: Self.now), "logged out")
    #expect(Session(id: Self.id, pending: Self.pending(startedSecondsAgo: 10)).needsLogin(at: Self.now))
    #expect(
      !Session(id: Self.id, tokens: Self.tokens(expiresIn: -60, refresh: "rt")).needsLogin(at: Self.now))
    #expect(!Session(id: Self.id, grant: .clientCredentials).needsLogin(at: Self.now))
    // Never stored: a client-credentials session is fetched on first use.
    #expect(Session.needsLogin(nil, grant: .authorizationCode, at: Self.now))
    #expect(!Session.needsLogin(nil, grant: .clientCredentials, at: Self.now))
  }

  @Test("a session survives a round trip through JSON")

  func aSessionSurvivesJSONRoundTrip() throws {
    let session = Session(
      id: SessionID(provider: "limio", account: "ops@acme é/2"), grant: .authorizationCode,
      tokens: TokenSet(
        accessToken: "at", tokenType: "Bearer", scope: "openid", refreshToken: "rt", idToken: "idt",
        issuedAt: utc(2026, 6, 1, 11), expiresAt: utc(2026, 6, 1, 13)),
      pending: Self.pending(startedSecondsAgo: 5))
    let text = SessionCoding.encode(session)
    #expect(try SessionCoding.decode(Array(text.utf8)) == session)
    #expect(text.contains(#""refresh_token":"rt""#))
    #expect(text.contains(#""code_verifier":"v""#))
  }

  @Test(
    "a session with a bad ID or grant does not decode",
    arguments: [
      #"{"id":"no-slash","grant":"authorization_code"}"#,
      #"{"id":"lime/main","grant":"password"}"#,
      #"{"id":"bad id/main","grant":"authorization_code"}"#,
      #"{"grant":"authorization_code"}"#,
    ])
  func aSessionWithABadIdOrGrantDoesNotDecode(json: String) {
    let file = #"{"version":1,"session":"# + json + "}"
    #expect(throws: SessionCoding.Failure.self) { try SessionCoding.decode(Array(file.utf8)) }
  }
}

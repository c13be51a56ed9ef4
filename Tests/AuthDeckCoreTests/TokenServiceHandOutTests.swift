import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

/// `--min-valid` and `--id-token`: what `token` and `exec` ask of a token beyond "valid now".
extension TokenServiceTests {
  /// validToken asked for `minValid` seconds, for acme/main holding a token with `left` seconds
  /// to go (renewable with `refresh`); `answers` are the token endpoint's replies, in order.
  func askFor(
    _ minValid: TimeInterval, left: TimeInterval, refresh: String?, answers: [String] = [],
    _ check: (Result<TokenSet, AuthDeckError>, Harness) throws -> Void
  ) throws {
    try withHarness { h in
      try h.put(
        Session(id: Self.main, tokens: Self.tokens("at-0", refresh: refresh, expiresAt: Self.now + left)))
      answers.forEach { h.transport.enqueue(jsonResponse($0)) }
      let stored = try h.stored(Self.main)
      try check(
        Result { () throws(AuthDeckError) in
          try h.service.validToken(Self.main, stored: stored, now: Self.now, minValid: minValid)
        }, h)
    }
  }

  @Test("a token with less left than --min-valid is refreshed, even one far from the usual margin")
  func aTokenWithLessLeftThanMinValidIsRefreshed() throws {
    try askFor(1800, left: 600, refresh: "rt-0", answers: [Self.tokenJSON]) { result, h in
      #expect(try result.get().accessToken == "at-1")
      #expect(h.transport.count == 1)
      // Now it lasts an hour: asked for 30 minutes again, nothing is sent.
      _ = try h.service.validToken(Self.main, stored: h.stored(Self.main), now: Self.now, minValid: 1800)
      #expect(h.transport.count == 1)
    }
    try askFor(0, left: 600, refresh: "rt-0") { (result, _) throws in
      #expect(try result.get().accessToken == "at-0", "without --min-valid, 10 minutes are enough")
    }
  }

  @Test("a token that even renewed does not last --min-valid is refused as a login matter, and stored")
  func aTokenThatEvenRenewedDoesNotLastIsRefused() throws {
    try askFor(7200, left: 600, refresh: "rt-0", answers: [Self.tokenJSON]) { result, h in
      let error = try #require(result.failure)
      #expect(error.kind == "loginRequired")
      #expect(error.description.contains("acme/main: is valid for 1h 0m more"), "\(error)")
      #expect(error.loginReason?.suggestsLogin == false, "a login would not make it last longer")
      #expect(error.description.contains("less than the 2h asked for"))
      #expect(try h.stored(Self.main)?.tokens?.accessToken == "at-1", "the renewed token is kept")
    }
  }

  @Test("a token that cannot be renewed and ends too soon says a new login may last longer")
  func aTokenThatCannotBeRenewedAndEndsTooSoon() throws {
    try askFor(3600, left: 600, refresh: nil) { result, h in
      let error = try #require(result.failure)
      #expect(error.loginReason == .tooShort(validUntil: Self.now + 600, asked: 3600, renewable: false))
      #expect(error.loginReason?.suggestsLogin == true, "a new login may last longer")
      #expect(h.transport.count == 0)
    }
    // Its whole lifetime (1h 10m) is less than asked: a new login would not last either.
    try askFor(7200, left: 600, refresh: nil) { result, _ in
      let error = try #require(result.failure)
      #expect(error.loginReason?.suggestsLogin == false, "\(error)")
      #expect(error.description.contains("even a new token does not last that long"), "\(error)")
    }
    // A token whose end is unknown lasts as long as anyone asks.
    try withHarness { h in
      let forever = Self.tokens("at-f", refresh: nil, expiresAt: nil)
      try h.put(Session(id: Self.work, tokens: forever))
      #expect(
        try h.service.validToken(Self.work, stored: h.stored(Self.work), now: Self.now, minValid: 1e6)
          == forever)
    }
  }

  @Test("the id token is handed out while it lasts; a missing or expired one says why")
  func theIDTokenIsHandedOutWhileItLasts() throws {
    let live = unsignedJWT(payload: #"{"exp":\#(Int(Self.now.timeIntervalSince1970) + 60)}"#)
    let dead = unsignedJWT(payload: #"{"exp":\#(Int(Self.now.timeIntervalSince1970) - 60)}"#)
    func idToken(_ token: String?) -> Result<String, AuthDeckError> {
      Result { () throws(AuthDeckError) in
        try TokenService.idToken(
          of: Self.main, in: Self.tokens("at", refresh: nil, expiresAt: nil, id: token), now: Self.now)
      }
    }
    #expect(try idToken(live).get() == live)
    let none = try #require(idToken(nil).failure)
    #expect(none.kind == "loginRequired")
    #expect(none.loginReason == .noIDToken)
    let expired = try #require(idToken(dead).failure)
    #expect(expired.kind == "loginRequired")
    #expect(expired.description.contains("expired 1m ago"), "\(expired)")
    #expect(!expired.description.contains(dead), "no token in a message")
  }
}

extension Result {
  fileprivate var failure: Failure? {
    if case .failure(let error) = self { return error }
    return nil
  }
}

import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckBoard
@testable import AuthDeckCore

// Issue 15 on the board: how long renewals stay possible, the notice before a refresh token
// dies, a provider whose clock is off, one whose discovery failed.

@Suite("The board: refresh lifetimes, clocks, providers that cannot be used")
struct ClockAndRefreshBoardTests {
  /// acme/ops with a token for another hour, its refresh token ending in `refreshLeft` seconds.
  func ops(refreshLeft: TimeInterval?, now: Date = morning) -> Session {
    var session = loggedIn("acme/ops", expiresIn: 3_600, refresh: true, now: now)
    session.tokens?.refreshExpiresAt = refreshLeft.map { now.addingTimeInterval($0) }
    return session
  }

  @Test("the REFRESH column says how long a renewal stays possible")
  func refreshColumn() {
    let board = makeBoard([
      ops(refreshLeft: 6 * 86_400 + 60), loggedIn("acme/old", expiresIn: 60, refresh: true),
      loggedIn("lime/main", expiresIn: 3_600),
    ])
    #expect(board.screen().contains("  ops                              valid    1:00:00    Mon 15:00   6d"))
    #expect(board.screen().split(separator: "\n").first { $0.contains(" old ") }?.hasSuffix(" yes") == true)
    #expect(board.screen().split(separator: "\n").first { $0.contains(" main ") }?.hasSuffix(" no") == true)
  }

  @Test("a day before a refresh token dies, the board says a browser login will be needed, once")
  func refreshEndIsTold() {
    var board = makeBoard([ops(refreshLeft: 86_400 + 120)])
    #expect(board.wait(60).filter(\.isNotification) == [])
    let told = board.wait(60)
    #expect(
      told == [
        .notify(
          title: "acme/ops needs a browser login within 1d",
          body:
            "its refresh token ends Tue 14:02; after that only a login renews it: log in again on the board (⏎)"
        )
      ])
    #expect(board.wait(60).filter(\.isNotification) == [], "once")
  }

  @Test("past its end a refresh token is not sent by keep-alive, and L logs the session in instead")
  func endedRefreshTokenIsNotSent() {
    var session = ops(refreshLeft: -10)
    session.tokens?.expiresAt = morning.addingTimeInterval(-5)
    var board = makeBoard([session])
    #expect(board.wait(30).filter { if case .keepAlive = $0 { true } else { false } } == [])
    #expect(board.press(.c("L")) == [.startLogin(sid("acme/ops"))])
  }

  @Test("a provider whose clock is off says so in its header; a notice is said once")
  func clockSkewInTheHeader() {
    var session = ops(refreshLeft: nil)
    session.tokens?.clockSkew = 7_260
    var board = makeBoard([session])
    #expect(board.screen(100, 24).contains("acme  your clock is 2h 1m ahead of acme's  Limio acme"))
    _ = board.handle(.providerNotice(.clockSkew(provider: "lime", seconds: -900)))
    #expect(board.messageText?.hasPrefix("your clock is 15m behind lime's") == true)
    _ = board.handle(.notice("something else", isError: false))
    _ = board.handle(.providerNotice(.clockSkew(provider: "lime", seconds: -905)))
    #expect(board.messageText == "something else", "said once")
    #expect(board.screen(100, 24).contains("lime  your clock is 15m behind lime's"))
  }

  @Test("a provider whose discovery failed is marked before anyone logs in")
  func unusableProvider() {
    var board = makeBoard()
    let problem = AuthDeckError.network(
      "acme: discovery failed for issuer https://x.invalid (could not reach x.invalid); check issuer in [providers.acme], or set authorize_url and token_url there to do without discovery"
    )
    _ = board.handle(.providerChecked("acme", problem: problem))
    #expect(
      board.screen(120, 24).contains(
        "acme  ✗ cannot be used: acme: discovery failed for issuer https://x.invalid"))
    #expect(board.isError && board.messageText?.hasSuffix("; its logins fail until then") == true)
    _ = board.handle(.providerChecked("acme", problem: nil))
    #expect(!board.screen(120, 24).contains("cannot be used"))
  }
}

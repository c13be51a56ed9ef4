import Foundation
import Testing

@testable import AuthDeckBoard
@testable import AuthDeckCore

/// A session of `provider` whose token was issued `age` seconds before `now` and lives
/// `lifetime` seconds; `refresh`: it has a refresh token.
func token(
  _ id: String, lifetime: TimeInterval, age: TimeInterval = 0, refresh: Bool = true, now: Date = morning
) -> Session {
  let id = sid(id)
  let issued = now.addingTimeInterval(-age)
  return Session(
    id: id, grant: grant(of: id),
    tokens: TokenSet(
      accessToken: "at-\(id.account)-\(issued.timeIntervalSince1970)", refreshToken: refresh ? "rt" : nil,
      issuedAt: issued, expiresAt: issued.addingTimeInterval(lifetime)))
}

@Suite("Keep-alive's timing rules, with time passed in")
struct KeepAliveRuleTests {
  @Test(
    "the margin is a tenth of the lifetime, no less than 30 s and no more than 10 minutes",
    arguments: [(180.0, 30.0), (299, 30), (600, 60), (3_600, 360), (6_000, 600), (28_800, 600)])
  func margin(lifetime: TimeInterval, margin: TimeInterval) {
    #expect(KeepAlive.margin(lifetime: lifetime) == margin)
  }

  @Test("a token is renewed a margin before its end, never in the first half of its life")
  func renewalTime() {
    let hour = token("acme/a", lifetime: 3_600).tokens!
    #expect(KeepAlive.renewalTime(of: hour) == morning.addingTimeInterval(3_240))
    // 40 s to live (one issued just before a cutoff): not renewed again at once, but after 30 s.
    let short = token("acme/a", lifetime: 40).tokens!
    #expect(KeepAlive.renewalTime(of: short) == morning.addingTimeInterval(30))
    let unknown = TokenSet(accessToken: "a", refreshToken: "r", issuedAt: morning, expiresAt: nil)
    #expect(KeepAlive.renewalTime(of: unknown) == nil)
  }

  @Test("a failure is tried again after 30 s, then twice as long each time, up to 15 minutes")
  func retryDelays() {
    #expect((1...7).map(KeepAlive.retryDelay(afterFailures:)) == [30, 60, 120, 240, 480, 900, 900])
    #expect(KeepAlive.retryDelay(afterFailures: 1_000) == 900)
  }
}

@Suite("Keep-alive while the board is open")
struct KeepAliveBoardTests {
  let amy = sid("acme/amy")

  /// acme/amy: an hour-long token, issued 50 minutes ago; due 6 minutes before its end, in 4.
  func amyBoard(_ more: [Session] = [], providers: [Provider] = Providers.all) -> BoardState {
    makeBoard([token("acme/amy", lifetime: 3_600, age: 3_000)] + more, providers: providers)
  }

  @Test("a session that can be renewed is renewed its margin before its end, and says so when done")
  func renewsBeforeTheEnd() {
    var board = amyBoard()
    #expect(board.wait(239) == [])
    #expect(board.wait(1) == [.keepAlive(amy, margin: 360)])
    #expect(board.busy == [amy])
    #expect(board.selectedLine()?.contains("working") == true)
    #expect(board.wait(5) == [], "one renewal per session at a time")
    _ = board.handle(.sessionChanged(token("acme/amy", lifetime: 3_600, now: board.now)))
    #expect(board.handle(.keptAlive(amy, error: nil)) == [])
    #expect(board.busy.isEmpty)
    #expect(board.messageText == "acme/amy: kept alive, valid until 2026-11-23 15:04 (1:00:00)")
    #expect(board.wait(3_239) == [])
    #expect(board.wait(1) == [.keepAlive(amy, margin: 360)])
  }

  @Test("client credentials are kept alive too; a refresh token is needed otherwise")
  func whatCanBeRenewed() {
    var board = makeBoard([
      token("ops/robot", lifetime: 600, refresh: false), token("acme/nora", lifetime: 600, refresh: false),
    ])
    let effects = board.wait(540)
    #expect(effects.filter { !$0.isNotification } == [.keepAlive(sid("ops/robot"), margin: 60)])
    #expect(
      effects.filter(\.isNotification).count == 1, "acme/nora cannot be renewed: it is told about instead")
  }

  @Test("keep_alive = false leaves a provider's sessions alone")
  func turnedOff() {
    var acme = Providers.acme
    acme.keepAlive = false
    var board = amyBoard(providers: [acme, Providers.lime, Providers.ops])
    #expect(board.wait(600) == [])
    #expect(board.busy.isEmpty)
  }

  @Test("sessions that expired before the board saw them are left to L")
  func expiredIsNotRevived() {
    var board = makeBoard([expired("acme/bob", refresh: true)])
    #expect(board.wait(3_600) == [])
  }

  @Test("no more than three renewals at once; the next starts when one comes back")
  func fewAtATime() {
    let five = (1...5).map { token("acme/s\($0)", lifetime: 3_600, age: 3_300) }
    var board = makeBoard(five)
    #expect(board.wait(1).count == 3)
    #expect(board.busy == [sid("acme/s1"), sid("acme/s2"), sid("acme/s3")])
    #expect(board.wait(1) == [])
    _ = board.handle(.sessionChanged(token("acme/s2", lifetime: 3_600, now: board.now)))
    _ = board.handle(.keptAlive(sid("acme/s2"), error: nil))
    #expect(board.wait(1) == [.keepAlive(sid("acme/s4"), margin: 360)])
  }

  @Test("a session busy with something else (r, a log-out) is not renewed meanwhile")
  func busyIsLeftAlone() {
    var board = amyBoard()
    board.select("acme/amy")
    #expect(board.press(.c("r")) == [.renew(amy)])
    #expect(board.wait(300) == [])
    _ = board.handle(.finished(amy, error: .provider("cannot reach acme.prod.limio.com")))
    #expect(board.wait(1) == [.keepAlive(amy, margin: 360)])
  }

  @Test("a login under way is not cut short by a renewal; keep-alive waits for it to end")
  func waitsForALogin() {
    var board = amyBoard()
    board.select("acme/amy")
    #expect(board.press(.enter) == [.startLogin(amy)])
    var waiting = token("acme/amy", lifetime: 3_600, age: 3_000)
    waiting.pending = pending("acme/amy", now: board.now).pending
    _ = board.handle(.loginStarted(waiting, loopback: .listening))
    #expect(board.wait(299) == [])
    #expect(board.wait(1) == [.keepAlive(amy, margin: 360)], "the login's 5 minutes are up")
  }

  @Test("a failure backs off (30 s, 1 m, 2 m…) and is said once, not at every try")
  func failureBacksOff() {
    var board = amyBoard()
    board.wait(240)
    _ = board.handle(.keptAlive(amy, error: .network("cannot reach acme.prod.limio.com: connection refused")))
    #expect(
      board.messageText
        == "acme/amy: cannot reach acme.prod.limio.com: connection refused; keep-alive tries again in 30s, then less often"
    )
    #expect(board.isError)
    #expect(board.wait(29) == [])
    #expect(board.wait(1) == [.keepAlive(amy, margin: 360)])
    _ = board.handle(.notice("copied something", isError: false))
    _ = board.handle(.keptAlive(amy, error: .network("cannot reach acme.prod.limio.com: connection refused")))
    #expect(board.messageText == "copied something", "the second failure says nothing")
    #expect(board.wait(59) == [])
    #expect(board.wait(1) == [.keepAlive(amy, margin: 360)])
    _ = board.handle(.keptAlive(amy, error: .network("timed out")))
    #expect(board.wait(119) == [])
    #expect(board.wait(1) == [.keepAlive(amy, margin: 360)])
    _ = board.handle(.sessionChanged(token("acme/amy", lifetime: 3_600, now: board.now)))
    _ = board.handle(.keptAlive(amy, error: nil))
    #expect(
      board.messageText?.hasPrefix("acme/amy: kept alive again after 3 failed tries, valid until") == true)
    #expect(board.keepAlive.retries.isEmpty)
  }

  @Test("a session that failed while alive is still tried after its end; a new token starts afresh")
  func failingPastTheEnd() {
    var board = amyBoard()
    board.wait(240)
    for wait in [30.0, 60, 120, 240] {
      _ = board.handle(.keptAlive(amy, error: .network("connection refused")))
      #expect(board.wait(wait) == [.keepAlive(amy, margin: 360)])
    }
    #expect(board.status(of: board.session(amy)!) == .expired)
  }

  @Test("a refresh the provider refuses stops keep-alive for that session until it logs in again")
  func refusalStops() {
    var board = amyBoard()
    board.wait(240)
    // The runner posts the session as stored first: the refused refresh token is gone from it.
    var refused = board.session(amy)!
    refused.tokens?.refreshToken = nil
    refused.refusal = Refusal(.refreshRefused, said: ProviderError(code: "invalid_grant"), at: board.now)
    _ = board.handle(.sessionChanged(refused))
    let required = LoginRequired(amy, .refreshRefused(refused.refusal!), at: board.now)
    #expect(board.handle(.renewalRefused(required)) == [])
    #expect(
      board.messageText
        == "acme/amy: the provider refused its refresh token (invalid_grant); press ⏎ to log in")
    #expect(board.busy.isEmpty)
    #expect(
      board.wait(60).map(\.isNotification) == [true], "it cannot be renewed now: it is told about instead")
    // A board opened later reads the same from the store: nothing renews it.
    var reopened = makeBoard([refused], now: board.now)
    #expect(reopened.wait(3_600).filter { !$0.isNotification } == [])
    #expect(board.wait(3_600) == [])
    // Logged in again (here or in another terminal): the new tokens are kept alive.
    board.storeChanged(token("acme/amy", lifetime: 3_600, now: board.now))
    #expect(board.wait(3_239) == [])
    #expect(board.wait(1) == [.keepAlive(amy, margin: 360)])
  }

  @Test("with nothing due, a tick only compares two instants: the sessions are looked at after a change")
  func idleTicksDoNoWork() {
    let many = (0..<1_000).map { token(String(format: "acme/s%04d", $0), lifetime: 3_600 + Double($0)) }
    var board = makeBoard(many)
    #expect(board.keepAlive.isStale && board.reminders.isStale)
    #expect(board.wait(1) == [])
    #expect(!board.keepAlive.isStale && !board.reminders.isStale)
    #expect(board.keepAlive.nextDue == morning.addingTimeInterval(3_240))
    for _ in 0..<60 {
      #expect(board.wait(1) == [])
      #expect(!board.keepAlive.mayBeDue(at: board.now) && !board.reminders.mayBeDue(at: board.now))
    }
    _ = board.handle(.sessionChanged(token("acme/s0000", lifetime: 120, now: board.now)))
    #expect(board.keepAlive.isStale, "a change makes it look again, on the next tick")
    #expect(board.wait(1) == [])
    #expect(board.keepAlive.nextDue == board.now.addingTimeInterval(89))
  }
}

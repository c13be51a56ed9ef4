import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckBoard
@testable import AuthDeckCore

/// Lime's next cutoff after `morning`: 03:00 in New York, 08:00 UTC on Tuesday.
let limeCutoff = utc(2026, 11, 24, 8)

@Suite("Notifications before cutoffs and the ends of sessions that cannot be renewed")
struct ReminderTests {
  @Test("a session that cannot be renewed is told about 15 minutes before its end, once")
  func beforeTheEnd() {
    var board = makeBoard([loggedIn("lime/paper", expiresIn: 20 * 60)])
    #expect(board.wait(299) == [])
    let told = board.wait(1)
    #expect(
      told == [
        .notify(
          title: "lime/paper expires in 15m",
          body: "it ends at 14:20 and cannot be renewed; log in again on the board (⏎)")
      ])
    #expect(
      board.messageText
        == "lime/paper expires in 15m: it ends at 14:20 and cannot be renewed; log in again on the board (⏎)"
    )
    for _ in 0..<30 { #expect(board.wait(30) == [], "each event is told once") }
  }

  @Test("a board opened within the lead time tells at once; one opened after the end says nothing")
  func openedLate() {
    var soon = makeBoard([loggedIn("lime/paper", expiresIn: 5 * 60 + 30)])
    #expect(soon.wait(1).map(\.isNotification) == [true])
    #expect(soon.messageText?.hasPrefix("lime/paper expires in 6m:") == true)
    var late = makeBoard([expired("lime/main")])
    #expect(late.wait(1) == [])
  }

  @Test("many due at once are one notification that names them, not a burst; two are two")
  func manyAtOnce() {
    let users = (1...8).map { loggedIn("lime/user0\($0)", expiresIn: 10 * 60) }
    var board = makeBoard(users)
    let told = board.wait(1)
    #expect(told.count == 1, "\(told)")
    #expect(
      told.first
        == .notify(
          title: "8 sessions end soon",
          body: "lime/user01 expires in 10m; lime/user02 expires in 10m; lime/user03 expires in 10m; "
            + "and 5 more; log in again on the board (⏎)"))
    #expect(board.messageText?.hasPrefix("8 sessions end soon: lime/user01 expires in 10m;") == true)
    #expect(board.wait(30) == [], "each told once")

    var two = makeBoard(Array(users.prefix(2)))
    #expect(two.wait(1).map(\.isNotification) == [true, true])
  }

  @Test("sessions that renew themselves, or whose provider has notify = false, are not told about")
  func notToldAbout() {
    var lime = Providers.lime
    lime.notifyBefore = nil
    var board = makeBoard(
      [
        loggedIn("acme/alice", expiresIn: 10 * 60, refresh: true), loggedIn("lime/paper", expiresIn: 10 * 60),
      ],
      providers: [Providers.acme, lime, Providers.ops])
    #expect(board.wait(1) == [])
    #expect(board.wait(limeCutoff.timeIntervalSince(board.now) - 60) == [])
  }

  @Test("notify_before sets the lead time")
  func leadTime() {
    var lime = Providers.lime
    lime.notifyBefore = 60 * 60
    var board = makeBoard([loggedIn("lime/paper", expiresIn: 2 * 3_600)], providers: [lime])
    #expect(board.wait(3_599) == [])
    #expect(board.wait(1).map(\.isNotification) == [true])
    #expect(board.messageText?.hasPrefix("lime/paper expires in 1h 0m") == true)
  }

  @Test(
    "before the daily cutoff the provider is told about once, with the sessions it ends, not each of them")
  func beforeTheCutoff() {
    let untilCutoff = limeCutoff.timeIntervalSince(morning)
    var board = makeBoard([
      loggedIn("lime/main", expiresIn: untilCutoff), loggedIn("lime/paper", expiresIn: untilCutoff),
      loggedIn("lime/zed", expiresIn: untilCutoff), loggedIn("lime/zoe", expiresIn: untilCutoff),
      expired("lime/old"),
    ])
    #expect(board.wait(untilCutoff - 15 * 60 - 1) == [])
    #expect(
      board.wait(1) == [
        .notify(
          title: "Lime Trading cutoff in 15m",
          body:
            "every Lime Trading token ends at 03:00 ET; lime/main, lime/paper, lime/zed and 1 more will need a login"
        )
      ])
    #expect(board.wait(15 * 60 - 1) == [])
    // Past the cutoff: tomorrow's comes up, but no session is left for it to end.
    #expect(board.wait(86_400) == [])
  }

  @Test("a new login's end is a new event: it is told about again")
  func aNewLoginIsToldAgain() {
    var board = makeBoard([loggedIn("lime/paper", expiresIn: 10 * 60)])
    #expect(board.wait(1).map(\.isNotification) == [true])
    board.storeChanged(loggedIn("lime/paper", expiresIn: 30 * 60, now: board.now))
    #expect(board.wait(15 * 60 - 1) == [])
    #expect(board.wait(1).map(\.isNotification) == [true])
  }

  @Test("the same session read back from the store (its instants rounded) is not told about again")
  func readBackIsTheSame() {
    var board = makeBoard([loggedIn("lime/paper", expiresIn: 10 * 60)])
    #expect(board.wait(1).map(\.isNotification) == [true])
    var readBack = loggedIn("lime/paper", expiresIn: 10 * 60)
    readBack.tokens?.expiresAt?.addTimeInterval(1e-6)
    board.storeChanged(readBack)
    #expect(board.wait(1) == [])
  }

  @Test("a refresh token the provider refused makes the session one to be told about")
  func refusedRefresh() {
    var board = makeBoard([loggedIn("acme/alice", expiresIn: 10 * 60, refresh: true)])
    #expect(board.wait(1) == [])
    var refused = board.session(sid("acme/alice"))!
    refused.tokens?.refreshToken = nil
    refused.refusal = Refusal(.refreshRefused, said: ProviderError(code: "invalid_grant"), at: board.now)
    _ = board.handle(.sessionChanged(refused))
    _ = board.handle(
      .renewalRefused(LoginRequired(refused.id, .refreshRefused(refused.refusal!), at: board.now)))
    #expect(board.wait(1).map(\.isNotification) == [true])
  }

  @Test("what a notification says is made inert: an account name cannot smuggle control characters")
  func inert() {
    var board = makeBoard([loggedIn("lime/evil\u{1B}]52;c;AAAA\u{07}", expiresIn: 60)])
    guard case .notify(let title, let body)? = board.wait(1).first else {
      Issue.record("no notification")
      return
    }
    for text in [title, body] {
      #expect(!text.unicodeScalars.contains { Sanitizer.isUnsafe($0) }, "\(text)")
    }
  }
}

@Suite("The reminders' state machine")
struct RemindersMachineTests {
  let at = morning.addingTimeInterval(3_600)

  @Test("a candidate is due from its lead time until it happens, once; then the next check is its end")
  func dueOnce() {
    var reminders = Reminders()
    let candidate = Reminders.Candidate(.expiry(sid("lime/a"), at: at), lead: 900)
    #expect(reminders.due([candidate], at: morning) == [])
    #expect(reminders.nextCheck == at.addingTimeInterval(-900))
    #expect(!reminders.mayBeDue(at: at.addingTimeInterval(-901)))
    #expect(reminders.due([candidate], at: at.addingTimeInterval(-900)) == [candidate.event])
    #expect(reminders.due([candidate], at: at.addingTimeInterval(-10)) == [])
    #expect(reminders.nextCheck == at)
    #expect(reminders.due([candidate], at: at) == [])
    #expect(reminders.told.isEmpty, "what has happened is forgotten")
  }

  @Test("after the end, a candidate at the same instant is not told (the event is over)")
  func notAfterTheEnd() {
    var reminders = Reminders()
    let candidate = Reminders.Candidate(.cutoff(provider: "lime", at: at), lead: 900)
    #expect(reminders.due([candidate], at: at.addingTimeInterval(1)) == [])
    #expect(reminders.nextCheck == nil)
  }
}

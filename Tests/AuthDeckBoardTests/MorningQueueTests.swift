import Foundation
import Testing

@testable import AuthDeckBoard
@testable import AuthDeckCore

/// 09:00 in New York, after the 03:00 cutoff: four sessions need a login, two do not.
let mondayMorning: [Session] = [
  loggedIn("acme/alice", expiresIn: 3_600, refresh: true),
  expired("acme/bob"),
  expired("lime/main"),
  pending("lime/waiting", startedAgo: 60),
  empty("lime/zed"),
  expired("ops/robot"),
]

extension BoardState {
  /// The store changed and the run loop reloaded it: `changes` replace the sessions with their ids.
  mutating func storeChanged(_ changes: Session..., sourceLocation: SourceLocation = #_sourceLocation) {
    let byID = Dictionary(uniqueKeysWithValues: changes.map { ($0.id, $0) })
    let effects = handle(.reloaded(sessions.map { byID[$0.id] ?? $0 }, problems: []))
    #expect(effects == [], sourceLocation: sourceLocation)
  }
}

@Suite("The morning queue (L)")
struct MorningQueueTests {
  @Test("L queues every expired and empty session in id order and starts the first")
  func startsTheFirst() {
    var board = makeBoard(mondayMorning)
    #expect(board.press(.c("L")) == [.startLogin(sid("acme/bob"))])
    #expect(board.queue?.waiting == [sid("acme/bob"), sid("lime/main"), sid("lime/zed"), sid("ops/robot")])
    #expect(board.selected == sid("acme/bob"))
    #expect(board.busy == [sid("acme/bob")])
    #expect(board.screen().split(separator: "\n").last!.hasPrefix("Esc stop queue  ⏎ login"))
    // The session under way cannot be logged in twice: its ⏎ is dimmed meanwhile.
    #expect(board.render(width: 80, height: 24).lines[23].contains(Span("  ⏎", .dim)))
  }

  @Test("each login that finishes starts the next, until the queue is done")
  func walksTheQueue() {
    var board = makeBoard(mondayMorning)
    board.press(.c("L"))

    // acme/bob: loopback redirect, caught by the listener.
    board.storeChanged(pending("acme/bob"))
    #expect(board.handle(.loginStarted(pending("acme/bob", now: board.now), loopback: .listening)) == [])
    board.wait(40)
    board.storeChanged(afterLogin(expired("acme/bob"), now: board.now))
    #expect(board.handle(.redirectHandled(sid("acme/bob"), error: nil)) == [.startLogin(sid("lime/main"))])
    #expect(board.selected == sid("lime/main"))

    // lime/main: the redirect is pasted by hand.
    board.storeChanged(pending("lime/main", now: board.now))
    #expect(board.handle(.loginStarted(pending("lime/main", now: board.now), loopback: .notUsed)) == [])
    #expect(
      board.handle(.pasted("https://localhost/callback?code=c&state=state-main")) == [
        .completeLogin(pasted: "https://localhost/callback?code=c&state=state-main")
      ])
    #expect(board.handle(.redirectHandled(sid("lime/main"), error: nil)) == [.startLogin(sid("lime/zed"))])

    // lime/zed, then ops/robot: client credentials, no browser.
    #expect(board.handle(.finished(sid("lime/zed"), error: nil)) == [.renew(sid("ops/robot"))])
    #expect(board.selected == sid("ops/robot"))
    #expect(board.handle(.finished(sid("ops/robot"), error: nil)) == [])
    #expect(board.queue == nil)
    #expect(board.messageText == "morning queue done: 4 logged in")
    #expect(!board.screen().contains("stop queue"))
  }

  @Test("Esc stops the queue; the login under way is left alone")
  func escapeStops() {
    var board = makeBoard(mondayMorning)
    board.press(.c("L"))
    #expect(board.press(.escape) == [])
    #expect(board.queue == nil)
    #expect(board.messageText == "morning queue stopped")
    #expect(board.handle(.redirectHandled(sid("acme/bob"), error: nil)) == [])  // nothing starts next
  }

  @Test("a queued login whose 5 minutes run out is skipped on the next tick")
  func staleLoginMovesOn() {
    var board = makeBoard(mondayMorning)
    board.press(.c("L"))
    board.storeChanged(pending("acme/bob"))
    #expect(board.handle(.loginStarted(pending("acme/bob", now: board.now), loopback: .listening)) == [])
    #expect(board.wait(4 * 60 + 59) == [])
    #expect(board.queue?.current == sid("acme/bob"))
    #expect(board.wait(1) == [.startLogin(sid("lime/main"))])
    #expect(board.messageText?.hasPrefix("acme/bob: the login's 5 minutes are up; moving on") == true)
  }

  @Test("an old, run-out login does not skip the head while its new login is being started")
  func busyHeadIsNotSkipped() {
    var board = makeBoard(
      mondayMorning.map { $0.id == sid("acme/bob") ? pending("acme/bob", startedAgo: 86_400) : $0 })
    board.press(.c("L"))
    #expect(board.queue?.current == sid("acme/bob"))
    #expect(board.wait(1) == [])
    #expect(board.queue?.current == sid("acme/bob"))
  }

  @Test("a refused paste or a failed request keeps the queue on a login that still waits")
  func failureWhileWaiting() {
    var board = makeBoard(mondayMorning)
    board.press(.c("L"))
    board.storeChanged(pending("acme/bob"))
    #expect(board.handle(.loginStarted(pending("acme/bob", now: board.now), loopback: .listening)) == [])
    #expect(board.handle(.redirectHandled(nil, error: "the state does not match")) == [])
    #expect(board.handle(.finished(sid("acme/bob"), error: "connection refused")) == [])
    #expect(board.queue?.current == sid("acme/bob"))
  }

  @Test("a login that could not even start is skipped")
  func failedStartMovesOn() {
    var board = makeBoard(mondayMorning)
    board.press(.c("L"))
    #expect(
      board.handle(.finished(sid("acme/bob"), error: "cannot write the store")) == [
        .startLogin(sid("lime/main"))
      ])
    #expect(board.messageText?.contains("cannot write the store") == true)
    #expect(board.queue?.current == sid("lime/main"))
  }

  @Test("the summary at the end says what failed and why, from the outcomes, not the status line")
  func summaryNamesTheFailures() {
    var board = makeBoard([expired("lime/main"), expired("ops/robot")])
    board.press(.c("L"))
    _ = board.handle(.finished(sid("lime/main"), error: "cannot write the store"))
    _ = board.handle(.notice("copied something", isError: false))  // the status line moves on
    #expect(board.handle(.finished(sid("ops/robot"), error: nil)) == [])
    #expect(board.queue == nil)
    #expect(
      board.messageText == "morning queue done: 1 logged in, 1 failed (lime/main: cannot write the store)")
    #expect(board.isError)
  }

  @Test("results for sessions outside the queue's head do not move it")
  func otherSessionsDoNotMoveIt() {
    var board = makeBoard(mondayMorning)
    board.press(.c("L"))
    #expect(board.handle(.finished(sid("acme/alice"), error: nil)) == [])
    #expect(board.handle(.redirectHandled(sid("lime/zed"), error: nil)) == [])
    #expect(board.queue?.waiting.count == 4)
  }

  @Test("with everything valid or waiting, L says there is nothing to do")
  func nothingToDo() {
    var board = makeBoard([loggedIn("lime/main", expiresIn: 3_600), pending("lime/paper")])
    #expect(board.press(.c("L")) == [])
    #expect(board.queue == nil)
    #expect(board.messageText == "nothing to log in: every session is valid or waiting")
  }

  @Test("sessions of a provider that left the configuration are not queued")
  func unknownProvidersAreSkipped() {
    var board = makeBoard(mondayMorning + [expired("gone/old")])
    board.press(.c("L"))
    #expect(board.queue?.waiting.contains(sid("gone/old")) == false)
  }

  @Test("a queued session that got logged in meanwhile (another terminal) is not logged in again")
  func alreadyValidIsSkipped() {
    var board = makeBoard(mondayMorning)
    board.press(.c("L"))
    // `authdeck login lime/main` in another terminal; the board sees it on the next reload.
    board.storeChanged(afterLogin(expired("lime/main")))
    let next = board.handle(.finished(sid("acme/bob"), error: "cannot write the store"))
    #expect(next == [.startLogin(sid("lime/zed"))])
  }
}

@Suite("The morning queue's state machine")
struct MorningQueueMachineTests {
  let a = sid("acme/a")
  let b = sid("acme/b")
  let c = sid("acme/c")

  @Test("nothing due makes no queue")
  func nothingDue() {
    #expect(MorningQueue(due: []) == nil)
  }

  @Test("it starts with the first session due and walks the rest in order")
  func walksInOrder() throws {
    var queue = try #require(MorningQueue(due: [a, b, c]))
    #expect(queue.first == .login(a))
    #expect(queue.next(after: .loggedIn) { _ in true } == .login(b))
    #expect(queue.next(after: .failed("refused")) { _ in true } == .login(c))
    guard case .done(let summary) = queue.next(after: .timedOut, isStillDue: { _ in true }) else {
      Issue.record("the queue did not end")
      return
    }
    #expect(summary.loggedIn == [a])
    #expect(summary.failed.map(\.id) == [b, c])
    #expect(summary.failed.map(\.reason) == ["refused", "the login's 5 minutes ran out"])
  }

  @Test("sessions no longer due when their turn comes are skipped and counted as such")
  func skipsWhatIsNoLongerDue() throws {
    var queue = try #require(MorningQueue(due: [a, b, c]))
    #expect(queue.next(after: .loggedIn) { $0 != b } == .login(c))
    guard case .done(let summary) = queue.next(after: .loggedIn, isStillDue: { _ in true }) else {
      Issue.record("the queue did not end")
      return
    }
    #expect(summary.skipped == [b])
    #expect(summary.text == "morning queue done: 2 logged in, 1 skipped")
  }

  @Test("when the last ones are no longer due, it ends at once")
  func endsWhenTheRestIsDone() throws {
    var queue = try #require(MorningQueue(due: [a, b]))
    #expect(
      queue.next(after: .loggedIn) { _ in false }
        == .done(MorningQueue.Summary(loggedIn: [a], skipped: [b], failed: [])))
  }
}

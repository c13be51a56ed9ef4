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
    #expect(board.queue == [sid("acme/bob"), sid("lime/main"), sid("lime/zed"), sid("ops/robot")])
    #expect(board.selected == sid("acme/bob"))
    #expect(board.busy == [sid("acme/bob")])
    #expect(board.screen().split(separator: "\n").last!.hasPrefix("Esc stop queue  ⏎ login"))
  }

  @Test("each login that finishes starts the next, until the queue is done")
  func walksTheQueue() {
    var board = makeBoard(mondayMorning)
    board.press(.c("L"))

    // acme/bob: loopback redirect, caught by the listener.
    board.storeChanged(pending("acme/bob"))
    #expect(board.handle(.loginStarted(sid("acme/bob"))) == [])
    board.wait(40)
    board.storeChanged(afterLogin(expired("acme/bob"), now: board.now))
    #expect(board.handle(.pasteHandled(sid("acme/bob"), error: nil)) == [.startLogin(sid("lime/main"))])
    #expect(board.selected == sid("lime/main"))

    // lime/main: the redirect is pasted by hand.
    board.storeChanged(pending("lime/main", now: board.now))
    #expect(board.handle(.loginStarted(sid("lime/main"))) == [])
    #expect(
      board.handle(.pasted("https://localhost/callback?code=c&state=state-main")) == [
        .completeLogin(pasted: "https://localhost/callback?code=c&state=state-main")
      ])
    #expect(board.handle(.pasteHandled(sid("lime/main"), error: nil)) == [.startLogin(sid("lime/zed"))])

    // lime/zed, then ops/robot: client credentials, no browser.
    #expect(board.handle(.finished(sid("lime/zed"), error: nil)) == [.renew(sid("ops/robot"))])
    #expect(board.selected == sid("ops/robot"))
    #expect(board.handle(.finished(sid("ops/robot"), error: nil)) == [])
    #expect(board.queue.isEmpty)
    #expect(board.messageText == "morning queue done")
    #expect(!board.screen().contains("stop queue"))
  }

  @Test("Esc stops the queue; the login under way is left alone")
  func escapeStops() {
    var board = makeBoard(mondayMorning)
    board.press(.c("L"))
    #expect(board.press(.escape) == [])
    #expect(board.queue.isEmpty)
    #expect(board.messageText == "morning queue stopped")
    #expect(board.handle(.pasteHandled(sid("acme/bob"), error: nil)) == [])  // nothing starts next
  }

  @Test("a queued login whose 5 minutes run out is skipped on the next tick")
  func staleLoginMovesOn() {
    var board = makeBoard(mondayMorning)
    board.press(.c("L"))
    board.storeChanged(pending("acme/bob"))
    #expect(board.handle(.loginStarted(sid("acme/bob"))) == [])
    #expect(board.wait(4 * 60 + 59) == [])
    #expect(board.queue.first == sid("acme/bob"))
    #expect(board.wait(1) == [.startLogin(sid("lime/main"))])
    #expect(board.messageText?.hasPrefix("acme/bob: the login's 5 minutes are up; moving on") == true)
  }

  @Test("an old, run-out login does not skip the head while its new login is being started")
  func busyHeadIsNotSkipped() {
    var board = makeBoard(
      mondayMorning.map { $0.id == sid("acme/bob") ? pending("acme/bob", startedAgo: 86_400) : $0 })
    board.press(.c("L"))
    #expect(board.queue.first == sid("acme/bob"))
    #expect(board.wait(1) == [])
    #expect(board.queue.first == sid("acme/bob"))
  }

  @Test("a refused paste or a failed request keeps the queue on a login that still waits")
  func failureWhileWaiting() {
    var board = makeBoard(mondayMorning)
    board.press(.c("L"))
    board.storeChanged(pending("acme/bob"))
    #expect(board.handle(.loginStarted(sid("acme/bob"))) == [])
    #expect(board.handle(.pasteHandled(nil, error: "the state does not match")) == [])
    #expect(board.handle(.finished(sid("acme/bob"), error: "connection refused")) == [])
    #expect(board.queue.first == sid("acme/bob"))
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
  }

  @Test("results for sessions outside the queue's head do not move it")
  func otherSessionsDoNotMoveIt() {
    var board = makeBoard(mondayMorning)
    board.press(.c("L"))
    #expect(board.handle(.finished(sid("acme/alice"), error: nil)) == [])
    #expect(board.handle(.pasteHandled(sid("lime/zed"), error: nil)) == [])
    #expect(board.queue.count == 4)
  }

  @Test("with everything valid or waiting, L says there is nothing to do")
  func nothingToDo() {
    var board = makeBoard([loggedIn("lime/main", expiresIn: 3_600), pending("lime/paper")])
    #expect(board.press(.c("L")) == [])
    #expect(board.queue.isEmpty)
    #expect(board.messageText == "nothing to log in: every session is valid or waiting")
  }

  @Test("sessions of a provider that left the configuration are not queued")
  func unknownProvidersAreSkipped() {
    var board = makeBoard(mondayMorning + [expired("gone/old")])
    board.press(.c("L"))
    #expect(!board.queue.contains(sid("gone/old")))
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

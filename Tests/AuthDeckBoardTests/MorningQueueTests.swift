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
  /// The store changed and the run loop reloaded it: `changes` replace the sessions with their
  /// ids. Returns what the board asks for (the queue moves on when a login it waits on ended).
  @discardableResult
  mutating func storeChanged(_ changes: Session...) -> [BoardEffect] {
    let byID = Dictionary(uniqueKeysWithValues: changes.map { ($0.id, $0) })
    let known = Set(sessions.map(\.id))
    return handle(
      .reloaded(sessions.map { byID[$0.id] ?? $0 } + changes.filter { !known.contains($0.id) }, problems: []))
  }

  /// The runner started the browser login of `id` (its pending login stored now).
  mutating func loginStartedHere(_ id: String, loopback: LoopbackStatus = .listening) -> [BoardEffect] {
    handle(.loginStarted(pending(id, now: now), loopback: loopback))
  }

  /// The runner completed the login of `id` here: the session as stored, then the redirect
  /// handled, posted together.
  mutating func loggedInHere(_ id: String) -> [BoardEffect] {
    handle([.sessionChanged(afterLogin(empty(id), now: now)), .redirectHandled(sid(id), error: nil)])
  }
}

func refusal(_ kind: Refusal.Kind, _ code: String, at: Date = morning) -> Refusal {
  Refusal(kind, said: ProviderError(code: code), at: at)
}

@Suite("The morning queue (L)")
struct MorningQueueTests {
  @Test("L renews first what needs no browser, then queues the logins in id order")
  func renewsFirst() {
    var board = makeBoard(mondayMorning)
    #expect(board.press(.c("L")) == [.renew(sid("ops/robot"))])
    #expect(board.queue?.renewing == [sid("ops/robot")])
    #expect(board.queue?.waiting == [sid("acme/bob"), sid("lime/main"), sid("lime/zed")])
    #expect(board.queue?.current == nil, "no login starts while renewals run")
    #expect(board.busy == [sid("ops/robot")])
    #expect(board.messageText == "morning queue: renewing 1 without a browser, then 3 to log in…")
    #expect(board.screen().split(separator: "\n").last!.hasPrefix("Esc stop queue  ⏎ login"))

    _ = board.handle(.sessionChanged(afterLogin(expired("ops/robot"), expiresIn: 3_600)))
    #expect(board.handle(.finished(sid("ops/robot"), error: nil)) == [.startLogin(sid("acme/bob"))])
    #expect(board.selected == sid("acme/bob"))
    #expect(board.busy == [sid("acme/bob")])
    // The session under way cannot be logged in twice: its ⏎ is dimmed meanwhile.
    #expect(board.render(width: 80, height: 24).lines[23].contains(Span("  ⏎", .dim)))
  }

  @Test("each login that is stored done starts the next, until the queue is done")
  func walksTheQueue() {
    var board = makeBoard(mondayMorning)
    board.press(.c("L"))
    #expect(board.handle(.finished(sid("ops/robot"), error: nil)) == [.startLogin(sid("acme/bob"))])

    // acme/bob: loopback redirect, caught by the listener.
    #expect(board.loginStartedHere("acme/bob") == [])
    board.wait(40)
    #expect(board.loggedInHere("acme/bob") == [.startLogin(sid("lime/main"))])
    #expect(board.selected == sid("lime/main"))

    // lime/main: the redirect is pasted by hand.
    #expect(board.loginStartedHere("lime/main", loopback: .notUsed) == [])
    #expect(board.handle(.pasted("https://localhost/callback?code=c&state=state-main")) == [])
    #expect(
      board.press(.enter) == [.completeLogin(pasted: "https://localhost/callback?code=c&state=state-main")])
    #expect(board.loggedInHere("lime/main") == [.startLogin(sid("lime/zed"))])
    #expect(board.loginStartedHere("lime/zed") == [])
    #expect(board.loggedInHere("lime/zed") == [])
    #expect(board.queue == nil)
    #expect(board.messageText == "morning queue done: 1 renewed, 3 logged in")
    #expect(!board.screen().contains("stop queue"))
  }

  @Test("renewals run a few at a time: each one back starts the next")
  func renewalsAreLimited() {
    let renewable = (1...5).map { expired("acme/r\($0)", refresh: true) }
    var board = makeBoard(renewable + [expired("lime/main")])
    #expect(board.press(.c("L")) == [.renew(sid("acme/r1")), .renew(sid("acme/r2")), .renew(sid("acme/r3"))])
    #expect(board.busy == [sid("acme/r1"), sid("acme/r2"), sid("acme/r3")])
    #expect(board.handle(.finished(sid("acme/r2"), error: nil)) == [.renew(sid("acme/r4"))])
    #expect(board.handle(.finished(sid("acme/r1"), error: nil)) == [.renew(sid("acme/r5"))])
    #expect(board.handle(.finished(sid("acme/r3"), error: nil)) == [])
    #expect(board.handle(.finished(sid("acme/r5"), error: nil)) == [])
    #expect(board.queue?.current == nil)
    #expect(board.handle(.finished(sid("acme/r4"), error: nil)) == [.startLogin(sid("lime/main"))])
    #expect(board.queue?.current == sid("lime/main"))
  }

  @Test("a refresh token the provider refuses sends its session to the logins, in id order")
  func refusedRefreshJoinsTheLogins() {
    var board = makeBoard([expired("acme/amy", refresh: true), expired("acme/bob"), expired("ops/robot")])
    #expect(board.press(.c("L")) == [.renew(sid("acme/amy")), .renew(sid("ops/robot"))])
    var stored = expired("acme/amy")
    stored.refusal = refusal(.refreshRefused, "invalid_grant")
    _ = board.handle(.sessionChanged(stored))
    let required = LoginRequired(sid("acme/amy"), .refreshRefused(stored.refusal!), at: board.now)
    #expect(board.handle(.renewalRefused(required)) == [])
    #expect(board.queue?.waiting == [sid("acme/amy"), sid("acme/bob")])
    #expect(
      board.messageText
        == "acme/amy: the provider refused its refresh token (invalid_grant); it will be logged in after the renewals"
    )
    #expect(board.handle(.finished(sid("ops/robot"), error: nil)) == [.startLogin(sid("acme/amy"))])
    _ = board.loginStartedHere("acme/amy")
    #expect(board.loggedInHere("acme/amy") == [.startLogin(sid("acme/bob"))])
    _ = board.loginStartedHere("acme/bob")
    #expect(board.loggedInHere("acme/bob") == [])
    #expect(board.messageText == "morning queue done: 1 renewed, 2 logged in")
  }

  @Test("a renewal that fails otherwise counts as failed and is not sent to the browser")
  func failedRenewalIsCounted() {
    var board = makeBoard([expired("ops/robot"), expired("lime/main")])
    #expect(board.press(.c("L")) == [.renew(sid("ops/robot"))])
    #expect(
      board.handle(
        .finished(sid("ops/robot"), error: .network("cannot reach ops.example.com: connection refused")))
        == [.startLogin(sid("lime/main"))])
    _ = board.loginStartedHere("lime/main")
    #expect(board.loggedInHere("lime/main") == [])
    #expect(
      board.messageText
        == "morning queue done: 1 logged in, 1 failed (ops/robot: cannot reach ops.example.com: connection refused)"
    )
    #expect(board.isError)
  }

  @Test("a session close to its end that can be renewed is renewed; one that cannot is left alone")
  func nearlyExpired() {
    var board = makeBoard([
      loggedIn("acme/amy", expiresIn: 5 * 60, refresh: true), loggedIn("lime/main", expiresIn: 5 * 60),
    ])
    #expect(board.press(.c("L")) == [.renew(sid("acme/amy"))])
    #expect(board.queue?.waiting == [])
    #expect(board.handle(.finished(sid("acme/amy"), error: nil)) == [])
    #expect(board.messageText == "morning queue done: 1 renewed")
  }

  @Test("only renewals: the queue ends when the last one is back")
  func onlyRenewals() {
    var board = makeBoard([expired("ops/a"), expired("ops/b")])
    #expect(board.press(.c("L")) == [.renew(sid("ops/a")), .renew(sid("ops/b"))])
    #expect(board.handle(.finished(sid("ops/b"), error: nil)) == [])
    #expect(board.queue != nil)
    #expect(board.handle(.finished(sid("ops/a"), error: nil)) == [])
    #expect(board.queue == nil)
    #expect(board.messageText == "morning queue done: 2 renewed")
  }

  @Test("Esc stops the queue; the login under way is left alone")
  func escapeStops() {
    var board = makeBoard(mondayMorning)
    board.press(.c("L"))
    #expect(board.press(.escape) == [])
    #expect(board.queue == nil)
    #expect(board.messageText == "morning queue stopped")
    #expect(board.handle(.finished(sid("ops/robot"), error: nil)) == [])  // nothing starts next
  }

  @Test("a queued login whose 5 minutes run out is given up on the tick that sees it")
  func staleLoginMovesOn() {
    var board = makeBoard(mondayMorning.filter { $0.id != sid("ops/robot") })
    board.press(.c("L"))
    #expect(board.loginStartedHere("acme/bob") == [])
    #expect(board.wait(4 * 60 + 59) == [])
    #expect(board.queue?.current == sid("acme/bob"))
    #expect(board.wait(1) == [.startLogin(sid("lime/main"))])
    #expect(board.messageText?.hasPrefix("acme/bob: the 5 minutes to log in are up; moving on") == true)
  }

  @Test("an old, run-out login does not skip the head while its new login is being started")
  func busyHeadIsNotSkipped() {
    var board = makeBoard(
      mondayMorning.filter { $0.id != sid("ops/robot") }.map {
        $0.id == sid("acme/bob") ? pending("acme/bob", startedAgo: 86_400) : $0
      })
    board.press(.c("L"))
    #expect(board.queue?.current == sid("acme/bob"))
    #expect(board.wait(1) == [])
    #expect(board.queue?.current == sid("acme/bob"))
  }

  @Test("a refused paste or a failed request keeps the queue on a login that still waits")
  func failureWhileWaiting() {
    var board = makeBoard(mondayMorning.filter { $0.id != sid("ops/robot") })
    board.press(.c("L"))
    #expect(board.loginStartedHere("acme/bob") == [])
    #expect(board.handle(.redirectHandled(nil, error: .redirect("the state does not match"))) == [])
    #expect(board.handle(.finished(sid("acme/bob"), error: .network("connection refused"))) == [])
    #expect(board.queue?.current == sid("acme/bob"))
  }

  @Test("a login that could not even start (a secret that cannot be read) is skipped")
  func failedStartMovesOn() {
    var board = makeBoard(mondayMorning.filter { $0.id != sid("ops/robot") })
    board.press(.c("L"))
    let why = AuthDeckError.config(
      "acme: client_secret_command not found (exit status 127); no login was started, and nothing was stored")
    #expect(board.handle(.finished(sid("acme/bob"), error: why)) == [.startLogin(sid("lime/main"))])
    #expect(board.messageText == "acme/bob: " + why.description)
    #expect(board.queue?.current == sid("lime/main"))
  }

  @Test("the summary at the end says what failed and why, from the outcomes, not the status line")
  func summaryNamesTheFailures() {
    var board = makeBoard([expired("lime/main"), empty("lime/zed")])
    board.press(.c("L"))
    _ = board.handle(.finished(sid("lime/main"), error: .store("cannot write the store")))
    _ = board.handle(.notice("copied something", isError: false))  // the status line moves on
    _ = board.loginStartedHere("lime/zed")
    #expect(board.loggedInHere("lime/zed") == [])
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
    #expect(board.queue?.waiting.count == 3)
    #expect(board.queue?.renewing == [sid("ops/robot")])
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
    var board = makeBoard(mondayMorning + [expired("gone/old"), expired("gone/renewable", refresh: true)])
    board.press(.c("L"))
    #expect(board.queue?.waiting.contains(sid("gone/old")) == false)
    #expect(board.queue?.renewing.contains(sid("gone/renewable")) == false)
  }

  @Test("a queued session that got logged in meanwhile (another terminal) is not logged in again")
  func alreadyValidIsSkipped() {
    var board = makeBoard(mondayMorning.filter { $0.id != sid("ops/robot") })
    board.press(.c("L"))
    // `authdeck login lime/main` in another terminal; the board sees it on the next reload.
    board.storeChanged(afterLogin(expired("lime/main")))
    let next = board.handle(.finished(sid("acme/bob"), error: .store("cannot write the store")))
    #expect(next == [.startLogin(sid("lime/zed"))])
  }

  // MARK: The awaited login ends, whoever ends it (issue 14, item 6)

  /// A queue of acme/bob then lime/main, waiting on acme/bob's browser login.
  func waitingOnBob() -> BoardState {
    var board = makeBoard([expired("acme/bob"), expired("lime/main")])
    #expect(board.press(.c("L")) == [.startLogin(sid("acme/bob"))])
    #expect(board.loginStartedHere("acme/bob") == [])
    return board
  }

  @Test("the awaited session logged in from another shell: the queue moves on within the reload")
  func loggedInElsewhere() {
    var board = waitingOnBob()
    board.wait(20)
    #expect(
      board.storeChanged(afterLogin(expired("acme/bob"), now: board.now)) == [.startLogin(sid("lime/main"))])
    #expect(board.queue?.summary.loggedIn == [sid("acme/bob")])
  }

  @Test("the awaited session logged out with d y: the queue moves on")
  func loggedOutHere() {
    var board = waitingOnBob()
    board.press(.c("d"))
    #expect(board.press(.c("y")) == [.logout(sid("acme/bob"), forget: false)])
    var out = expired("acme/bob")
    out.tokens = nil
    _ = board.handle(.sessionChanged(out))
    #expect(
      board.handle(.loggedOut(sid("acme/bob"), forgotten: false, error: nil)) == [
        .startLogin(sid("lime/main"))
      ])
    #expect(board.queue?.summary.failed.map(\.id) == [sid("acme/bob")])
  }

  @Test("the awaited session forgotten: the queue moves on")
  func forgotten() {
    var board = waitingOnBob()
    _ = board.press(.c("d"), .c("f"))
    #expect(
      board.handle([
        .sessionRemoved(sid("acme/bob")), .loggedOut(sid("acme/bob"), forgotten: true, error: nil),
      ])
        == [.startLogin(sid("lime/main"))])
  }

  @Test("the awaited login denied at the provider (in the store, from either process): the queue moves on")
  func deniedLogin() {
    var board = waitingOnBob()
    var denied = expired("acme/bob")
    denied.refusal = refusal(.loginDenied, "access_denied", at: board.now.addingTimeInterval(1))
    #expect(board.storeChanged(denied) == [.startLogin(sid("lime/main"))])
    #expect(
      board.queue?.summary.failed.map(\.text) == ["acme/bob: the login was denied (access_denied)"])
  }

  @Test("the awaited login replaced by another login of the session: the queue moves on")
  func supersededLogin() {
    var board = waitingOnBob()
    var other = pending("acme/bob", now: board.now)
    other.pending!.state = "started-in-a-shell"
    #expect(board.storeChanged(other) == [.startLogin(sid("lime/main"))])
    #expect(board.queue?.summary.failed.first?.error.loginReason == .superseded)
  }

  @Test("a device login whose code expires: the queue moves on")
  func deviceCodeExpires() {
    var board = makeBoard([empty("tv/den"), empty("tv/kids")], providers: Providers.all + [Providers.tv])
    #expect(board.press(.c("L")) == [.startDeviceLogin(sid("tv/den"))])
    let prompt = DeviceLoginPrompt(
      userCode: "WDJB-MJHT", verificationURI: "https://id.example/device",
      expiresAt: board.now.addingTimeInterval(600))
    #expect(board.handle(.deviceLoginStarted(empty("tv/den"), prompt)) == [])
    let expired = LoginRequired(sid("tv/den"), .timedOut(device: true), at: board.now)
    #expect(
      board.handle(.loginEnded(sid("tv/den"), .loginRequired(expired))) == [.startDeviceLogin(sid("tv/kids"))]
    )
  }

  @Test("a device login whose code was entered: the stored tokens move the queue on")
  func deviceLoginDone() {
    var board = makeBoard([empty("tv/den"), empty("tv/kids")], providers: Providers.all + [Providers.tv])
    board.press(.c("L"))
    let prompt = DeviceLoginPrompt(
      userCode: "WDJB-MJHT", verificationURI: "https://id.example/device",
      expiresAt: board.now.addingTimeInterval(600))
    _ = board.handle(.deviceLoginStarted(empty("tv/den"), prompt))
    board.wait(5)
    #expect(
      board.handle(.sessionChanged(afterLogin(empty("tv/den"), now: board.now)))
        == [.startDeviceLogin(sid("tv/kids"))])
    #expect(board.handle(.finished(sid("tv/den"), error: nil)) == [])
  }
}

@Suite("The morning queue's state machine")
struct MorningQueueMachineTests {
  let a = sid("acme/a")
  let b = sid("acme/b")
  let c = sid("acme/c")
  let d = sid("acme/d")
  let x = sid("lime/x")
  let y = sid("lime/y")

  func due(_: SessionID) -> Bool { true }

  @Test("nothing due makes no queue")
  func nothingDue() {
    #expect(MorningQueue(renew: [], logIn: []) == nil)
  }

  @Test("logins only: it starts with the first and walks the rest in order")
  func walksInOrder() throws {
    var queue = try #require(MorningQueue(renew: [], logIn: [c, a, b]))
    #expect(queue.start(isStillDue: due) == [.login(a)])
    #expect(queue.next(after: .loggedIn, isStillDue: due) == .login(b))
    #expect(queue.next(after: .failed(.provider("refused")), isStillDue: due) == .login(c))
    let timedOut = AuthDeckError.loginRequired(LoginRequired(c, .timedOut(device: false), at: morning))
    guard case .done(let summary) = queue.next(after: .failed(timedOut), isStillDue: due) else {
      Issue.record("the queue did not end")
      return
    }
    #expect(summary.loggedIn == [a])
    #expect(summary.failed.map(\.id) == [b, c])
    #expect(summary.failed.map(\.text) == ["acme/b: refused", "acme/c: the 5 minutes to log in are up"])
  }

  @Test("renewals come first, no more than the limit at once; the logins wait for the last one")
  func renewalsFirstWithALimit() throws {
    var queue = try #require(MorningQueue(renew: [a, b, c, d], logIn: [x], concurrency: 2))
    #expect(queue.start(isStillDue: due) == [.renew(a), .renew(b)])
    #expect(queue.current == nil)
    #expect(queue.renewal(of: b, endedWith: .renewed, isStillDue: due) == [.renew(c)])
    #expect(queue.renewal(of: x, endedWith: .renewed, isStillDue: due) == [], "not one of its renewals")
    #expect(queue.renewal(of: a, endedWith: .renewed, isStillDue: due) == [.renew(d)])
    #expect(queue.renewal(of: c, endedWith: .renewed, isStillDue: due) == [])
    #expect(queue.renewal(of: d, endedWith: .renewed, isStillDue: due) == [.login(x)])
    #expect(queue.current == x)
    #expect(
      queue.next(after: .loggedIn, isStillDue: due)
        == .done(MorningQueue.Summary(renewed: [b, a, c, d], loggedIn: [x])))
  }

  @Test("a renewal that needs a login joins the logins in id order; another failure is counted")
  func refusedAndFailedRenewals() throws {
    var queue = try #require(MorningQueue(renew: [a, b], logIn: [x]))
    #expect(queue.start(isStillDue: due) == [.renew(a), .renew(b)])
    let refused = LoginRequired(b, .refreshRefused(refusal(.refreshRefused, "invalid_grant")), at: morning)
    #expect(queue.renewal(of: b, endedWith: .needsLogin(refused), isStillDue: due) == [])
    #expect(
      queue.renewal(of: a, endedWith: .failed(.network("connection refused")), isStillDue: due) == [.login(b)]
    )
    #expect(queue.waiting == [b, x])
    #expect(queue.next(after: .loggedIn, isStillDue: due) == .login(x))
    let end = queue.next(after: .loggedIn, isStillDue: due)
    #expect(
      end
        == .done(
          MorningQueue.Summary(
            loggedIn: [b, x], failed: [MorningQueue.Failure(id: a, error: .network("connection refused"))])))
  }

  @Test("sessions no longer due when their turn comes are skipped and counted as such")
  func skipsWhatIsNoLongerDue() throws {
    var queue = try #require(MorningQueue(renew: [a], logIn: [x, y]))
    #expect(queue.start { $0 != a } == [.login(x)])
    #expect(
      queue.next(after: .loggedIn) { $0 != y } == .done(MorningQueue.Summary(loggedIn: [x], skipped: [a, y])))
  }

  @Test("when the last ones are no longer due, it ends at once")
  func endsWhenTheRestIsDone() throws {
    var queue = try #require(MorningQueue(renew: [], logIn: [a, b]))
    #expect(queue.start(isStillDue: due) == [.login(a)])
    #expect(
      queue.next(after: .loggedIn) { _ in false }
        == .done(MorningQueue.Summary(loggedIn: [a], skipped: [b])))
  }

  @Test(
    "the summary counts what is not zero and names each failure once, its id first",
    arguments: [
      (
        MorningQueue.Summary(renewed: [sid("a/1"), sid("a/2")], loggedIn: [sid("b/1")]),
        "morning queue done: 2 renewed, 1 logged in"
      ),
      (MorningQueue.Summary(skipped: [sid("a/1")]), "morning queue done: 1 skipped"),
      (MorningQueue.Summary(), "morning queue done: nothing was needed"),
      (
        MorningQueue.Summary(
          loggedIn: [sid("tv/den")],
          failed: [
            MorningQueue.Failure(
              id: sid("tv/kids"),
              error: .loginRequired(LoginRequired(sid("tv/kids"), .timedOut(device: true), at: morning))),
            MorningQueue.Failure(
              id: sid("acme/bob"),
              error: .loginRequired(LoginRequired(sid("acme/bob"), .noToken, at: morning))),
            MorningQueue.Failure(id: sid("ops/x"), error: .network("connection refused")),
          ]),
        "morning queue done: 1 logged in, 3 failed (tv/kids: the code was not entered in time; "
          + "acme/bob: has no token; ops/x: connection refused)"
      ),
    ])
  func summaryText(summary: MorningQueue.Summary, text: String) {
    #expect(summary.text == text)
  }
}

import AuthDeckApp
import AuthDeckBoard
import AuthDeckCore
import AuthDeckNet
import AuthDeckTestSupport
import Foundation
import Testing

/// The runner performs every board effect off the calling thread and reports back with
/// events; these tests drive it with no terminal, against the real local OAuth test server.
@Suite("The effect runner, without a terminal", .serialized)
struct EffectRunnerTests {
  let bob = SessionID(provider: "limio", account: "bob")
  let main = SessionID(provider: "lime", account: "main")

  @Test("a loopback login: stored pending, the browser sent, the redirect caught and exchanged")
  func loopbackLogin() throws {
    try withRunner(browser: FakeBrowser(follow: true)) { h throws in
      h.runner.perform(.startLogin(bob))
      let started = h.sink.wait { if case .loginStarted = $0 { return true } else { return false } }
      guard case .loginStarted(let session, let loopback)? = started else { return }
      #expect(loopback == .listening)
      #expect(session.pending != nil)
      h.sink.wait { $0 == .redirectHandled(bob, error: nil) }
      #expect(h.browser.opened == [session.pending?.authorizeURL])
      let changed = h.sink.all.compactMap(\.changedSession).last
      #expect(changed?.tokens != nil && changed?.pending == nil)
      #expect(try h.stored("limio/bob")?.tokens?.accessToken == changed?.tokens?.accessToken)
      // Nothing waits any more: the listener lets go of its port.
      #expect(waitUntil(timeout: 10) { (try? LoopbackHTTPServer(port: h.loopbackPort)) != nil })
    }
  }

  @Test("a pasted redirect completes a paste login; a bad paste loses nothing")
  func pasteLogin() throws {
    try withRunner { h throws in
      h.runner.perform(.startLogin(main))
      let started = h.sink.wait { if case .loginStarted = $0 { return true } else { return false } }
      guard case .loginStarted(let session, let loopback)? = started, let pending = session.pending else {
        return
      }
      #expect(loopback == .notUsed)

      h.runner.perform(.completeLogin(pasted: TestConfig.pastedRedirect + "?code=x&state=forged"))
      let refused = h.sink.wait {
        if case .redirectHandled(nil, _) = $0 { return true } else { return false }
      }
      #expect(
        refused
          == .redirectHandled(
            nil, error: .redirect("this redirect's state matches no waiting login; nothing was sent")))
      #expect(try h.stored("lime/main")?.activePending(at: Date())?.state == pending.state)

      let target = try h.server.approve(pending.authorizeURL)
      h.runner.perform(.completeLogin(pasted: target))
      h.sink.wait { $0 == .redirectHandled(main, error: nil) }
      #expect(try h.stored("lime/main")?.tokens != nil)
      #expect(try h.server.tokenRequests().count == 1)
    }
  }

  @Test("log out while a refresh holds the session's lock: perform returns at once (bug: the board froze)")
  func logoutDuringARefreshDoesNotBlock() throws {
    try withRunner { h throws in
      let bot = h.serviceSession()
      try h.server.inject("slow", seconds: 3)
      h.runner.perform(.renew(bot))
      // Wait until the refresh really holds the lock: its request reached the server.
      #expect(waitUntil(timeout: 20) { (try? h.server.tokenRequests().count) == 2 })
      h.runner.perform(.logout(bot, forget: false))
      #expect(
        h.sink.all.filter { $0 == .finished(bot, error: nil) }.count == 1,
        "perform(.logout) returned while the slow refresh was still in flight (a blocking log-out would wait for it)"
      )
      // The log-out comes after the refresh, which it waited for off the loop.
      h.sink.wait { if case .loggedOut(bot, false, nil, _) = $0 { return true } else { return false } }
      let order = h.sink.all.enumerated().filter { _, event in
        if case .loggedOut(bot, false, nil, _) = event { return true }
        return event == .finished(bot, error: nil)
      }.map(\.offset)
      #expect(order.count == 3 && order[1] < order[2])
      #expect(try h.stored("svc/bot")?.tokens == nil)
    }
  }

  @Test("renewing a session whose login waits reports it valid, the waiting login dropped (bug 2)")
  func renewDropsTheWaitingLogin() throws {
    try withRunner(browser: FakeBrowser(follow: true)) { h throws in
      h.runner.perform(.startLogin(bob))
      h.sink.wait { $0 == .redirectHandled(bob, error: nil) }
      try h.server.inject("500")  // the next login's exchange fails, so it stays pending
      h.runner.perform(.startLogin(bob))  // the morning queue opens it again
      h.sink.wait { if case .redirectHandled(_, .some) = $0 { return true } else { return false } }
      #expect(try h.stored("limio/bob")?.activePending(at: Date()) != nil)
      h.runner.perform(.renew(bob))  // Esc, then r
      h.sink.wait { $0 == .finished(bob, error: nil) }
      let renewed = h.sink.all.compactMap(\.changedSession).last
      #expect(renewed?.pending == nil)
      #expect(renewed?.status(at: Date()) == .valid)
      #expect(try h.stored("limio/bob")?.pending == nil)
    }
  }

  @Test("a loopback port held by another program is reported with the login, and no browser is opened")
  func portTaken() throws {
    let holder = try LoopbackHTTPServer(port: 0)
    try withRunner(loopbackPort: holder.port) { h throws in
      h.runner.perform(.startLogin(bob))
      let started = h.sink.wait { if case .loginStarted = $0 { return true } else { return false } }
      guard case .loginStarted(let session, .portTaken(let why))? = started else {
        Issue.record("expected a taken port, got \(String(describing: started))")
        return
      }
      #expect(why.description.contains("127.0.0.1:\(holder.port)") && why.description.contains("in use"))
      #expect(session.pending != nil, "the login waits for a paste")
      // Its redirect would reach the port's holder; the runner posts nothing after loginStarted.
      #expect(h.browser.opened.isEmpty, "no browser sent to another program's port")
    }
  }

  @Test("a browser that cannot start is reported; the login still waits")
  func browserFails() throws {
    try withRunner(browser: FakeBrowser(fails: true)) { h throws in
      h.runner.perform(.startLogin(main))
      let failed = h.sink.wait { if case .browserFailed = $0 { return true } else { return false } }
      #expect(
        failed
          == .browserFailed(main, .other("no browser could be started (set $BROWSER); open the URL yourself"))
      )
      #expect(try h.stored("lime/main")?.activePending(at: Date()) != nil)
    }
  }

  @Test("c copies the token through the clipboard edge; the message never holds it")
  func copyToken() throws {
    try withRunner { h throws in
      let bot = h.serviceSession()
      let token = try #require(try h.stored("svc/bot")?.tokens?.accessToken)
      h.runner.perform(.copyToken(bot))
      let copied = h.sink.wait { if case .copied = $0 { return true } else { return false } }
      #expect(h.clipboard.copied == [token])
      let validUntil = try h.stored("svc/bot")?.tokens?.expiresAt
      #expect(copied == .copied(bot, .token(validUntil: validUntil), CopyResult(ways: ["test clipboard"])))
      #expect(!"\(String(describing: copied))".contains(token), "the event never holds the token")
    }
  }

  @Test("u copies the waiting login's URL; without one it says so")
  func copyURL() throws {
    try withRunner { h throws in
      h.runner.perform(.copyAuthorizeURL(main))
      let refused = h.sink.wait { if case .copied = $0 { return true } else { return false } }
      #expect(refused == .copied(main, .loginURL, nil), "nothing to copy")
      h.runner.perform(.startLogin(main))
      h.sink.wait { if case .loginStarted = $0 { return true } else { return false } }
      h.runner.perform(.copyAuthorizeURL(main))
      h.sink.wait { $0 == .copied(main, .loginURL, CopyResult(ways: ["test clipboard"])) }
      #expect(h.clipboard.copied == [try h.stored("lime/main")?.pending?.authorizeURL].compactMap { $0 })
    }
  }

  @Test("forget removes the session and says so with an event for the list")
  func forget() throws {
    try withRunner { h throws in
      let bot = h.serviceSession()
      h.runner.perform(.logout(bot, forget: true))
      h.sink.wait { $0 == .loggedOut(bot, forgotten: true, error: nil, revocation: .notOffered) }
      #expect(h.sink.all.contains(.sessionRemoved(bot)))
      #expect(try h.stored("svc/bot") == nil)
      h.runner.perform(.logout(bot, forget: false))
      h.sink.wait { $0 == .loggedOut(bot, forgotten: false, error: .unknownSession(bot)) }
    }
  }

  @Test("another process's change to the store is read again on the next check")
  func outsideChangesAreRead() throws {
    try withRunner { h throws in
      #expect(h.runner.firstFrameEvents(rows: 24) == [.reloaded([], problems: [])])
      try h.store.update(main) { (session: inout Session?) throws(AuthDeckError) in
        session = Session(id: main)
      }
      h.runner.checkStore()
      h.sink.wait { $0 == .reloaded([Session(id: main)], problems: []) }
    }
  }

  @Test("a renewal with nothing to renew with says that only a login helps")
  func nothingToRenewWith() throws {
    try withRunner { h throws in
      h.runner.perform(.renew(bob))
      let refused = h.sink.wait { if case .renewalRefused = $0 { return true } else { return false } }
      guard case .renewalRefused(let required)? = refused else { return }
      #expect(required.id == bob && required.reason == .neverLoggedIn || required.reason == .noToken)
      #expect(!h.sink.all.contains { if case .finished = $0 { return true } else { return false } })
    }
  }

  @Test("a refresh token the provider refuses (invalid_grant) comes back as a refusal, with the session")
  func refusedRefresh() throws {
    try withRunner(browser: FakeBrowser(follow: true)) { h throws in
      h.runner.perform(.startLogin(bob))
      h.sink.wait { $0 == .redirectHandled(bob, error: nil) }
      try h.server.inject("invalid_grant")
      h.runner.perform(.renew(bob))
      let refused = h.sink.wait { if case .renewalRefused = $0 { return true } else { return false } }
      guard case .renewalRefused(let required)? = refused else { return }
      guard case .refreshRefused(let refusal) = required.reason else {
        Issue.record("expected a refused refresh token, got \(required.reason)")
        return
      }
      #expect(refusal.said.code == "invalid_grant")
      // Stored with the session, before the event: every process reads it, none sends the token again.
      let stored = try h.stored("limio/bob")
      #expect(stored?.refusal?.said == refusal.said && stored?.refusal?.kind == .refreshRefused)
      #expect(stored?.tokens?.refreshToken == nil && stored?.tokens?.accessToken != nil)
      #expect(h.sink.all.contains(.sessionChanged(stored!)))
    }
  }

  @Test("keep-alive renews only when less than its margin is left once it holds the lock")
  func keepAliveMargin() throws {
    try withRunner { h throws in
      let bot = h.serviceSession()
      let first = try h.stored("svc/bot")?.tokens
      // An hour left, a margin of a minute: another process renewed it meanwhile; nothing is sent.
      h.runner.perform(.keepAlive(bot, margin: 60))
      h.sink.wait { $0 == .keptAlive(bot, error: nil) }
      #expect(try h.server.tokenRequests().count == 1)
      #expect(try h.stored("svc/bot")?.tokens?.accessToken == first?.accessToken)
      h.runner.perform(.keepAlive(bot, margin: 7_200))
      #expect(waitUntil(timeout: 20) { h.sink.all.filter { $0 == .keptAlive(bot, error: nil) }.count == 2 })
      #expect(try h.server.tokenRequests().count == 2)
      let renewed = h.sink.all.compactMap(\.changedSession).last
      let stored = try h.stored("svc/bot")?.tokens?.accessToken
      #expect(renewed?.tokens?.accessToken != first?.accessToken && renewed?.tokens?.accessToken == stored)
    }
  }

  @Test("keep-alive's failure comes back as its own event, to be tried again later")
  func keepAliveFailure() throws {
    try withRunner { h throws in
      let bot = SessionID(provider: "svc", account: "bot")
      try h.server.inject("503")
      h.runner.perform(.keepAlive(bot, margin: 60))
      let failed = h.sink.wait { if case .keptAlive(bot, .some) = $0 { return true } else { return false } }
      #expect(failed != nil)
    }
  }

  @Test("a notification goes to the notifier edge, off the loop")
  func notify() throws {
    try withRunner { h throws in
      h.runner.perform(.notify(title: "lime/main expires in 15m", body: "it ends at 14:15"))
      #expect(
        waitUntil(timeout: 10) { h.notifier.notifications == ["lime/main expires in 15m | it ends at 14:15"] }
      )
    }
  }

  @Test("a login whose client secret cannot be read says why before the browser, and stores nothing")
  func secretCheckedFirst() throws {
    try withRunner(secretEnvironment: [:]) { h throws in
      h.runner.perform(.startLogin(main))
      h.sink.wait {
        $0
          == .finished(
            main,
            error: .config(
              "\(h.service.configuration.path ?? ""): providers.lime.client_secret_env: the environment variable "
                + "AUTHDECK_TEST_SECRET is not set; no login was started, and nothing was stored"))
      }
      #expect(h.browser.opened.isEmpty)
      #expect(try h.stored("lime/main") == nil)
      #expect(!h.sink.all.contains { if case .loginStarted = $0 { return true } else { return false } })
    }
  }

  @Test("the demo opens on its own store, which is gone after shut-down")
  func demo() throws {
    try withRunner { h throws in
      h.runner.perform(.openDemo)
      let opened = h.sink.wait { if case .demoOpened = $0 { return true } else { return false } }
      guard case .demoOpened(let configuration, let sessions)? = opened else { return }
      #expect(configuration.providers.map(\.id).contains("demo"))
      #expect(
        sessions.map(\.id.description) == [
          "demo/alice", "demo/bob", "demo-paste/carol", "demo-service/batch",
        ])
      let root = try #require(configuration.providers.isEmpty ? nil : h.runner.demoStoreRoot)
      #expect(FileManager.default.fileExists(atPath: root))
      h.runner.shutDown()
      #expect(!FileManager.default.fileExists(atPath: root))
    }
  }
}

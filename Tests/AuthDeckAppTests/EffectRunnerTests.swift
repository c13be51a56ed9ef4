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
          == .redirectHandled(nil, error: "this redirect's state matches no waiting login; nothing was sent"))
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
      let bot = SessionID(provider: "svc", account: "bot")
      h.runner.perform(.renew(bot))
      h.sink.wait { $0 == .finished(bot, error: nil) }
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
        event == .finished(bot, error: nil) || event == .loggedOut(bot, forgotten: false, error: nil)
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
      h.sink.wait { if case .redirectHandled(nil, .some) = $0 { return true } else { return false } }
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
      #expect(why.contains("127.0.0.1:\(holder.port)") && why.contains("in use"))
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
          == .browserFailed(main, reason: "no browser could be started (set $BROWSER); open the URL yourself")
      )
      #expect(try h.stored("lime/main")?.activePending(at: Date()) != nil)
    }
  }

  @Test("c copies the token through the clipboard edge; the message never holds it")
  func copyToken() throws {
    try withRunner { h throws in
      let bot = SessionID(provider: "svc", account: "bot")
      h.runner.perform(.renew(bot))
      h.sink.wait { $0 == .finished(bot, error: nil) }
      let token = try #require(try h.stored("svc/bot")?.tokens?.accessToken)
      h.runner.perform(.copyToken(bot))
      let notice = h.sink.wait { if case .notice = $0 { return true } else { return false } }
      #expect(h.clipboard.copied == [token])
      guard case .notice(let text, false)? = notice else { return }
      #expect(text.hasPrefix("copied svc/bot's access token, valid "))
      #expect(text.hasSuffix(" more (test clipboard)"))
      #expect(!text.contains(token))
    }
  }

  @Test("u copies the waiting login's URL; without one it says so")
  func copyURL() throws {
    try withRunner { h throws in
      h.runner.perform(.copyAuthorizeURL(main))
      let refused = h.sink.wait { if case .notice = $0 { return true } else { return false } }
      #expect(refused == .notice("lime/main has no login waiting", isError: true))
      h.runner.perform(.startLogin(main))
      h.sink.wait { if case .loginStarted = $0 { return true } else { return false } }
      h.runner.perform(.copyAuthorizeURL(main))
      h.sink.wait { if case .notice(_, false) = $0 { return true } else { return false } }
      #expect(h.clipboard.copied == [try h.stored("lime/main")?.pending?.authorizeURL].compactMap { $0 })
    }
  }

  @Test("forget removes the session and says so with an event for the list")
  func forget() throws {
    try withRunner { h throws in
      let bot = SessionID(provider: "svc", account: "bot")
      h.runner.perform(.renew(bot))
      h.sink.wait { $0 == .finished(bot, error: nil) }
      h.runner.perform(.logout(bot, forget: true))
      h.sink.wait { $0 == .loggedOut(bot, forgotten: true, error: nil) }
      #expect(h.sink.all.contains(.sessionRemoved(bot)))
      #expect(try h.stored("svc/bot") == nil)
      h.runner.perform(.logout(bot, forget: false))
      h.sink.wait { $0 == .loggedOut(bot, forgotten: false, error: "no session svc/bot; see: authdeck list") }
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

  @Test("a refused refresh reports the error and the session as stored")
  func refusedRenewal() throws {
    try withRunner { h throws in
      h.runner.perform(.renew(bob))
      let finished = h.sink.wait { if case .finished(bob, .some) = $0 { return true } else { return false } }
      guard case .finished(_, let error?)? = finished else { return }
      #expect(error == "limio/bob has no token; run: authdeck login limio/bob")
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

import AuthDeckApp
import AuthDeckBoard
import AuthDeckCore
import AuthDeckNet
import AuthDeckTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The flows the board's runner and the command line share, and what the runner reports of
/// them, against the real local OAuth test server (issue 14).
@Suite("Flows, shared by the board and the command line", .serialized)
struct FlowTests {
  let bob = SessionID(provider: "limio", account: "bob")
  let ann = SessionID(provider: "limio", account: "ann")
  let main = SessionID(provider: "lime", account: "main")

  /// Outcomes the registry reports, collected.
  final class Outcomes: Sendable {
    private let seen = Mutex<[RedirectOutcome]>([])
    func add(_ outcome: RedirectOutcome) { seen.withLock { $0.append(outcome) } }
    var all: [RedirectOutcome] { seen.withLock { $0 } }
  }

  @Test("two logins on one fixed loopback port share its listener; each is completed by its state")
  func twoLoginsOnOnePort() throws {
    try withRunner { h throws in
      let outcomes = Outcomes()
      let registry = LoopbackRegistry { outcomes.add($0) }
      let first = try BrowserLogin.start(
        bob, service: h.service, loopback: registry, resume: false, now: Date())
      let second = try BrowserLogin.start(
        ann, service: h.service, loopback: registry, resume: false, now: Date())
      #expect(first.loopback == .listening && second.loopback == .listening, "no false 'port taken'")
      #expect(Set(registry.waitingStates) == [first.pending.state, second.pending.state])
      _ = try Curl.request(try h.server.approve(second.pending.authorizeURL))
      #expect(waitUntil(timeout: 20) { outcomes.all.count == 1 })
      #expect(outcomes.all.first.map { if case .loggedIn(let s) = $0 { s.id == ann } else { false } } == true)
      #expect(registry.waitingStates == [first.pending.state], "the other login still waits")
      _ = try Curl.request(try h.server.approve(first.pending.authorizeURL))
      #expect(waitUntil(timeout: 20) { outcomes.all.count == 2 })
      #expect(
        waitUntil(timeout: 10) { (try? LoopbackHTTPServer(port: h.loopbackPort)) != nil }, "port let go")
    }
  }

  @Test("two logins started at once on one port both listen (bug: a false 'port taken' from a race)")
  func twoLoginsAtOnce() throws {
    try withRunner { h throws in
      for round in 0..<20 {
        let registry = LoopbackRegistry { _ in }
        let logins = (0..<2).map { index in
          PendingLogin(
            state: "state-\(round)-\(index)", codeVerifier: nil,
            redirectURI: "http://127.0.0.1:\(h.loopbackPort)/callback", authorizeURL: "https://x/a",
            issuer: nil,
            startedAt: Date())
        }
        let statuses = Mutex<[LoopbackStatus]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
          let status = registry.listen(for: logins[index], service: h.service)
          statuses.withLock { $0.append(status) }
        }
        #expect(statuses.withLock { $0 } == [.listening, .listening], "round \(round)")
        logins.forEach { registry.loginEnded(state: $0.state) }
        #expect(waitUntil(timeout: 10) { (try? LoopbackHTTPServer(port: h.loopbackPort)) != nil })
      }
    }
  }

  @Test("a port another program holds refuses that login only; the logins that wait elsewhere stay")
  func aTakenPortTouchesNoOtherLogin() throws {
    let holder = try LoopbackHTTPServer(port: 0)
    try withRunner(loopbackPort: holder.port) { h throws in
      let registry = LoopbackRegistry { _ in }
      let chosen = try BrowserLogin.start(
        SessionID(provider: "idp", account: "me"), service: h.service, loopback: registry, resume: false,
        now: Date())
      #expect(chosen.loopback == .listening)
      let taken = try BrowserLogin.start(
        bob, service: h.service, loopback: registry, resume: false, now: Date())
      guard case .portTaken = taken.loopback else {
        Issue.record("expected the port to be taken, got \(taken.loopback)")
        return
      }
      #expect(registry.waitingStates == [chosen.pending.state])
      #expect(BrowserLogin.openBrowser(for: taken, with: FakeBrowser()) == .withheld)
    }
  }

  @Test("the board lets go of a login another process replaced: its listener closes (item 3)")
  func aReplacedLoginIsLetGo() throws {
    try withRunner { h throws in
      h.runner.perform(.startLogin(bob))
      h.sink.wait { if case .loginStarted = $0 { return true } else { return false } }
      #expect((try? LoopbackHTTPServer(port: h.loopbackPort)) == nil, "the board listens")
      // `authdeck login limio/bob` in a shell: a new waiting state replaces the board's.
      _ = try h.service.startLogin(bob, now: Date())
      #expect(
        waitUntil(timeout: 10) {
          h.runner.checkStore()
          return (try? LoopbackHTTPServer(port: h.loopbackPort)) != nil
        }, "nothing the board waits for is left on that port")
    }
  }

  @Test("a store that cannot be read while copying says so, not that there is nothing to copy (item 5)")
  func copyingFromABrokenStore() throws {
    try withRunner { h throws in
      let bot = h.serviceSession()
      let file = StoreFormat.path(root: h.store.root, id: "svc/bot")
      chmod(file, 0o644)
      h.runner.perform(.copyToken(bot))
      let said = h.sink.wait { if case .storeProblem = $0 { return true } else { return false } }
      guard case .storeProblem(let error)? = said else { return }
      #expect(error.description.contains("accessible by others"), "\(error)")
      #expect(h.clipboard.copied.isEmpty)
      h.runner.perform(.copyAuthorizeURL(bot))
      #expect(
        waitUntil(timeout: 10) {
          h.sink.all.filter { if case .storeProblem = $0 { true } else { false } }.count == 2
        })
      #expect(!h.sink.all.contains { if case .copied(_, _, nil) = $0 { true } else { false } })
    }
  }

  @Test("a renewal's typed outcomes: renewed, a refusal only a login mends, a failure that may pass")
  func renewalOutcomes() throws {
    try withRunner(browser: FakeBrowser(follow: true)) { h throws in
      h.runner.perform(.startLogin(bob))
      h.sink.wait { $0 == .redirectHandled(bob, error: nil) }
      guard case .renewed(let renewed) = Renewal.renew(bob, service: h.service, now: Date()) else {
        Issue.record("expected a renewal")
        return
      }
      #expect(renewed.tokens?.refreshToken != nil)
      try h.server.inject("503")
      guard case .failed(let stored, .provider) = Renewal.renew(bob, service: h.service, now: Date()) else {
        Issue.record("expected a failure that may pass")
        return
      }
      #expect(stored?.tokens?.accessToken == renewed.tokens?.accessToken, "nothing changed")
      try h.server.inject("invalid_grant")
      guard case .needsLogin(let refused, let required) = Renewal.renew(bob, service: h.service, now: Date())
      else {
        Issue.record("expected a refusal")
        return
      }
      #expect(refused?.refusal?.kind == .refreshRefused && refused?.tokens?.refreshToken == nil)
      #expect(required.reason.refusal?.said.code == "invalid_grant")
    }
  }
}

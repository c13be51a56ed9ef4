import AuthDeckApp
import AuthDeckBoard
import AuthDeckCore
import AuthDeckNet
import AuthDeckTestSupport
import Foundation
import Testing

// The effect runner with no terminal: a real token service on a temp store against the
// project's OAuth test server, fake browser and clipboard edges that record what they were
// given, and a sink that collects the events that come back, so a test can wait for one.

/// Collects events; `wait` blocks until one matches (an event, not a sleep), with a deadline
/// as a safety net only.
final class CollectingSink: EventSink, @unchecked Sendable {
  private let condition = NSCondition()
  private var events: [BoardEvent] = []

  func post(_ newEvents: [BoardEvent]) {
    condition.lock()
    events += newEvents
    condition.broadcast()
    condition.unlock()
  }

  var all: [BoardEvent] { condition.withLock { events } }

  /// The first event (in order of arrival) that `matches`, waiting for it if need be.
  @discardableResult
  func wait(
    timeout: TimeInterval = 20, sourceLocation: SourceLocation = #_sourceLocation,
    for matches: (BoardEvent) -> Bool
  ) -> BoardEvent? {
    let deadline = Date().addingTimeInterval(timeout)
    condition.lock()
    defer { condition.unlock() }
    while true {
      if let found = events.first(where: matches) { return found }
      guard condition.wait(until: deadline) else {
        Issue.record("no such event came; got \(events)", sourceLocation: sourceLocation)
        return nil
      }
    }
  }
}

/// A browser that records the URLs it was asked to open; `follow` makes it go through the
/// test server's (auto-approving) authorize page and on to the redirect, as a browser does.
final class FakeBrowser: BrowserOpening, @unchecked Sendable {
  private let lock = NSLock()
  private var urls: [String] = []
  let follow: Bool
  let fails: Bool

  init(follow: Bool = false, fails: Bool = false) {
    self.follow = follow
    self.fails = fails
  }

  var opened: [String] { lock.withLock { urls } }

  func open(_ url: String) throws(AuthDeckError) {
    lock.withLock { urls.append(url) }
    if fails { throw .other("no browser could be started (set $BROWSER); open the URL yourself") }
    guard follow else { return }
    Thread.detachNewThread {
      guard let target = try? Curl.redirectTarget(of: url) else { return }
      _ = try? Curl.request(target)
    }
  }
}

/// Records the notifications it was asked to show.
final class FakeNotifier: NotificationSending, @unchecked Sendable {
  private let lock = NSLock()
  private var shown: [(title: String, body: String)] = []

  var notifications: [String] { lock.withLock { shown.map { "\($0.title) | \($0.body)" } } }

  func notify(title: String, body: String) {
    lock.withLock { shown.append((title, body)) }
  }
}

final class FakeClipboard: ClipboardWriting, @unchecked Sendable {
  private let lock = NSLock()
  private var texts: [String] = []

  var copied: [String] { lock.withLock { texts } }

  func copy(_ text: String) -> CopyResult {
    lock.withLock { texts.append(text) }
    return CopyResult(ways: ["test clipboard"])
  }
}

struct RunnerHarness {
  let server: TestOAuthServer
  let service: TokenService
  let runner: EffectRunner
  let sink: CollectingSink
  let browser: FakeBrowser
  let clipboard: FakeClipboard
  let notifier: FakeNotifier
  let loopbackPort: UInt16

  var store: SessionStore { service.store }

  func stored(_ id: String) throws -> Session? { try store.load(SessionID(parsing: id)) }

  /// svc/bot with a token from the server (client credentials), as its first request leaves it.
  @discardableResult
  func serviceSession(sourceLocation: SourceLocation = #_sourceLocation) -> SessionID {
    let bot = SessionID(provider: "svc", account: "bot")
    runner.perform(.renew(bot))
    sink.wait(sourceLocation: sourceLocation) { $0 == .finished(bot, error: nil) }
    return bot
  }
}

/// A runner on a fresh store against a fresh `limio`-shaped server: `limio/…` logs in by a
/// loopback redirect on a free port, `svc/…` by client credentials, `lime/…` by a paste,
/// `idp/…` (by its issuer, with revocation) on a loopback port chosen at each login, and `tv/…`
/// (by the same issuer) with a device code. `secretEnvironment` is what the secrets are read from.
func withRunner<T>(
  browser: FakeBrowser = FakeBrowser(), loopbackPort: UInt16? = nil,
  server options: TestOAuthServer.Options = .init(),
  secretEnvironment: [String: String] = [TestConfig.secretVariable: TestOAuthServer.clientSecret],
  _ body: (RunnerHarness) throws -> T
) throws -> T {
  try withServer(.limio, options: options) { server in
    try withTemporaryDirectory { directory in
      let port = loopbackPort ?? freeLoopbackPort()
      // `lime`: a pasted redirect, on the same (Basic) server.
      let text =
        TestConfig.limio(server, loopbackPort: port) + TestConfig.lime(server, clientAuth: "basic")
        + TestConfig.issuer(server) + TestConfig.issuer(server, id: "tv", extra: "grant = \"device_code\"")
      let configuration = try ConfigurationLoader.parse(text, path: directory + "/config.toml")
      let service = TokenService(
        configuration: configuration, store: SessionStore(root: directory + "/authdeck"),
        transport: CurlTransport(),
        secrets: SecretResolver(environment: secretEnvironment, withholding: []))
      let sink = CollectingSink()
      let clipboard = FakeClipboard()
      let notifier = FakeNotifier()
      let runner = EffectRunner(service: service, sink: sink) { _ in
        EffectRunner.Edges(browser: browser, clipboard: clipboard, notifier: notifier)
      }
      return try body(
        RunnerHarness(
          server: server, service: service, runner: runner, sink: sink, browser: browser,
          clipboard: clipboard, notifier: notifier, loopbackPort: port))
    }
  }
}

extension BoardEvent {
  var changedSession: Session? {
    if case .sessionChanged(let session) = self { return session }
    return nil
  }
}

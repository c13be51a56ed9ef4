import AuthDeckBoard
import AuthDeckCore
import AuthDeckNet
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Performs the board's effects. `perform` returns at once: the work (store locks, the network,
/// child processes) runs on background queues, and every result comes back to `sink` as events.
/// Nothing here touches the terminal; the copy and browser edges are handed in.
public final class EffectRunner: @unchecked Sendable {
  /// The edges a runner reaches the world through; tests pass fakes.
  public struct Edges: Sendable {
    public var browser: any BrowserOpening
    public var clipboard: any ClipboardWriting
    public var notifier: any NotificationSending

    public init(
      browser: any BrowserOpening, clipboard: any ClipboardWriting, notifier: any NotificationSending
    ) {
      self.browser = browser
      self.clipboard = clipboard
      self.notifier = notifier
    }
  }

  private let lock = NSLock()
  private var service: TokenService
  private var edges: Edges
  private var demo: DemoSetup?
  private var storeStamp: timespec?
  /// Builds the edges for a new service's configuration (the demo has other secrets to withhold).
  private let makeEdges: @Sendable (Configuration) -> Edges
  private let sink: any EventSink
  private let loopback = LoopbackRegistry()
  private let devicePolls = DevicePolls()
  /// Requests (logins, renewals, copies) run side by side.
  private let work = DispatchQueue(label: "authdeck.effects", attributes: .concurrent)
  /// Store reads run one after another, so results arrive in the order they were read.
  private let reads = DispatchQueue(label: "authdeck.store-reads")

  public init(
    service: TokenService, sink: any EventSink, demo: DemoSetup? = nil,
    edges makeEdges: @escaping @Sendable (Configuration) -> Edges
  ) {
    self.service = service
    self.sink = sink
    self.demo = demo
    self.makeEdges = makeEdges
    self.edges = makeEdges(service.configuration)
    self.storeStamp = Self.stamp(service.store)
  }

  private var current: (service: TokenService, edges: Edges) { lock.withLock { (service, edges) } }

  // MARK: The store, seen from outside

  /// The events that fill the board before its first frame. The one read done before the
  /// loop runs: a large store is drawn from its file names plus the first screen of sessions,
  /// and the rest is read in the background (a `.reloaded` follows).
  public func firstFrameEvents(rows: Int) -> [BoardEvent] {
    let service = current.service
    let store = service.store
    guard let ids = try? store.storedIDs(), ids.count > 500 else { return [Self.readAll(store)] }
    let firstScreen = Set(ids.prefix(max(rows, 50)))
    let sessions = ids.map { id in
      (firstScreen.contains(id) ? (try? store.load(id)) ?? nil : nil)
        ?? Session(id: id, grant: service.configuration.provider(id.provider)?.grant ?? .authorizationCode)
    }
    reload()
    return [.partiallyLoaded(sessions)]
  }

  /// Called once a second: when another process changed the store (the folder's mtime moved),
  /// it is read again, off the loop.
  public func checkStore() {
    reads.async { [self] in
      let store = current.service.store
      let stamp = Self.stamp(store)
      let changed = lock.withLock { () -> Bool in
        defer { storeStamp = stamp }
        return stamp?.tv_sec != storeStamp?.tv_sec || stamp?.tv_nsec != storeStamp?.tv_nsec
      }
      if changed { sink.post(Self.readAll(store)) }
    }
  }

  private func reload() {
    reads.async { [self] in sink.post(Self.readAll(current.service.store)) }
  }

  static func readAll(_ store: SessionStore) -> BoardEvent {
    do throws(AuthDeckError) {
      let (sessions, problems) = try store.loadAll()
      return .reloaded(sessions, problems: problems)
    } catch {
      return .storeProblem(error.description)
    }
  }

  private static func stamp(_ store: SessionStore) -> timespec? {
    var info = stat()
    guard stat(store.root + "/sessions", &info) == 0 else { return nil }
    return info.st_mtim
  }

  // MARK: Effects

  /// Starts `effect` and returns at once; `.quit` is the run loop's own.
  public func perform(_ effect: BoardEffect) {
    let (service, edges) = current
    let sink = self.sink
    switch effect {
    case .quit:
      return
    case .startLogin(let id):
      work.async { [loopback] in
        do throws(AuthDeckError) {
          // A secret that cannot be read would fail the exchange after the person logged in:
          // said now, before a port, the store or the browser is touched.
          try service.checkClientSecret(for: id)
          let provider = try service.configuration.provider(for: id)
          // No redirect_uri: a free port now, so that a new login's redirect can name it.
          let choosesPort = provider.redirectURI == nil && provider.grant == .authorizationCode
          let chosen = choosesPort ? try LoopbackHTTPServer.onFreePort() : nil
          let session = try service.resumeOrStartLogin(id, now: Date(), redirectURI: chosen?.redirect)
          guard let pending = session.pending else {
            throw .other("\(id): the login could not be stored")  // resumeOrStartLogin always sets one
          }
          let status = loopback.listen(for: pending, bound: chosen?.server, service: service, sink: sink)
          sink.post(.loginStarted(session, loopback: status))
          // The redirect would go to whoever holds the port: no browser sent there.
          if case .portTaken = status { return }
          do throws(AuthDeckError) {
            try edges.browser.open(pending.authorizeURL)
          } catch {
            sink.post(.browserFailed(id, reason: error.description))
          }
        } catch {
          sink.post(.finished(id, error: error.description))
        }
      }
    case .startDeviceLogin(let id):
      work.async { [devicePolls] in
        let authorization: DeviceAuthorization
        let poll: DevicePolls.Poll
        do throws(AuthDeckError) {
          let started = try service.startDeviceLogin(id, now: Date())
          authorization = started.authorization
          poll = devicePolls.begin(id)
          sink.post(.deviceLoginStarted(started.session, authorization.prompt))
        } catch {
          sink.post(.finished(id, error: error.description))
          return
        }
        do throws(AuthDeckError) {
          try edges.browser.open(authorization.browserURL)
        } catch {
          // No browser is the usual case for a device login: the status line shows the page.
        }
        // Polling may take many minutes: a thread of its own, not one of the work queue's.
        Thread.detachNewThread {
          defer { devicePolls.end(id, poll) }
          do throws(AuthDeckError) {
            let poller = DeviceLoginPoller(service: service, sleep: poll.sleep)
            guard let session = try poller.wait(id, for: authorization) else { return }  // cancelled
            sink.post(.sessionChanged(session), .finished(id, error: nil))
          } catch {
            sink.post(.loginEnded(id, reason: error.description))
          }
        }
      }
    case .copyUserCode(let id, let code):
      work.async {
        let how = edges.clipboard.copy(code)
        sink.post(.notice("copied \(id)'s code (\(how)); enter it at its page", isError: false))
      }
    case .completeLogin(let pasted):
      work.async { [loopback] in
        let redirect: Redirect
        do throws(AuthDeckError) {
          redirect = try Redirect(pasted: pasted)
        } catch {
          sink.post(.redirectHandled(nil, error: error.description))
          return
        }
        let completion = BoardRedirect.complete(redirect, service: service, sink: sink)
        if (try? completion.result.get()) != nil || completion.ended, let state = redirect.state {
          loopback.loginEnded(state: state)
        }
      }
    case .renew(let id):
      work.async {
        Self.renew(id, service: service, sink: sink, margin: nil) { .finished(id, error: $0) }
      }
    case .keepAlive(let id, let margin):
      work.async {
        Self.renew(id, service: service, sink: sink, margin: margin) { .keptAlive(id, error: $0) }
      }
    case .notify(let title, let body):
      work.async { edges.notifier.notify(title: title, body: body) }
    case .copyToken(let id):
      work.async {
        let stored: Session? = (try? service.store.load(id)) ?? nil
        guard let tokens = stored?.tokens else {
          sink.post(.notice("\(id) has no token to copy", isError: true))
          return
        }
        let how = edges.clipboard.copy(tokens.accessToken)
        let validity =
          tokens.expiresAt.map { ", valid \(TimeFormat.countdown($0.timeIntervalSinceNow)) more" } ?? ""
        sink.post(.notice("copied \(id)'s access token\(validity) (\(how))", isError: false))
      }
    case .copyAuthorizeURL(let id):
      work.async {
        let stored: Session? = (try? service.store.load(id)) ?? nil
        guard let pending = stored?.activePending(at: Date()) else {
          sink.post(.notice("\(id) has no login waiting", isError: true))
          return
        }
        let how = edges.clipboard.copy(pending.authorizeURL)
        sink.post(.notice("copied \(id)'s login URL (\(how)); open it in any browser", isError: false))
      }
    case .logout(let id, let forget):
      devicePolls.cancel(id)  // a code entered now would log the session in again
      // Waits for the session's lock (a refresh may hold it) and for the provider's revocation
      // endpoint, so never on the loop.
      work.async {
        do throws(AuthDeckError) {
          let (session, revocation) = try service.logout(id, forget: forget, now: Date())
          sink.post(session.map { .sessionChanged($0) } ?? .sessionRemoved(id))
          sink.post(
            .loggedOut(id, forgotten: forget, error: nil, warning: LogoutSummary.warning(revocation)))
        } catch {
          sink.post(.loggedOut(id, forgotten: forget, error: error.description))
        }
      }
    case .openDemo:
      work.async { [self] in
        do throws(AuthDeckError) {
          let setup = try DemoSetup.start()
          let sessions = try setup.service.store.loadAll().sessions
          lock.withLock {
            demo = setup
            self.service = setup.service
            self.edges = makeEdges(setup.service.configuration)
            storeStamp = Self.stamp(setup.service.store)
          }
          sink.post(.demoOpened(setup.service.configuration, sessions))
        } catch {
          sink.post(.notice(error.description, isError: true))
        }
      }
    }
  }

  /// Renews `id` (with `margin`: only when less than that is left under the lock) and tells
  /// `sink` the session as stored and `done(nil)`, or `done(why)`; a refusal only a login can
  /// mend (`invalid_grant`, nothing to renew with) comes as `.renewalRefused` instead.
  private static func renew(
    _ id: SessionID, service: TokenService, sink: any EventSink, margin: TimeInterval?,
    done: (String?) -> BoardEvent
  ) {
    do throws(AuthDeckError) {
      let session = try service.renew(id, now: Date(), force: margin == nil, margin: margin)
      sink.post(.sessionChanged(session), done(nil))
    } catch {
      // The store may hold news all the same (another process renewed it meanwhile).
      let stored = (try? service.store.load(id)) ?? nil
      sink.post(stored.map { [.sessionChanged($0)] } ?? [])
      if case .loginRequired(let reason) = error {
        sink.post(.renewalRefused(id, reason: reason))
      } else {
        sink.post(done(error.description))
      }
    }
  }

  /// Where the demo's temporary store is, once the demo is open.
  public var demoStoreRoot: String? { lock.withLock { demo?.storeRoot } }

  /// The demo's sessions were never the user's: nothing of them stays.
  public func shutDown() {
    lock.withLock { demo }?.removeStore()
  }
}

import AuthDeckBoard
import AuthDeckCore
import AuthDeckNet
import Foundation
import Synchronization

/// Performs the board's effects: each one is a flow (`Flows/`) run on a background queue, and
/// its outcome comes back to `sink` as events. Nothing here touches the terminal; the copy,
/// browser and notification edges are handed in.
public final class EffectRunner: Sendable {
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

  private struct World: Sendable {
    var service: TokenService
    var edges: Edges
    var demo: DemoSetup?
  }

  private let world: Mutex<World>
  /// Builds the edges for a new service's configuration (the demo has other secrets to withhold).
  private let makeEdges: @Sendable (Configuration) -> Edges
  let sink: any EventSink
  private let loopback: LoopbackRegistry
  private let devicePolls = DevicePolls()
  private let store = StoreWatch()
  /// Requests (logins, renewals, copies) run side by side.
  let work = DispatchQueue(label: "authdeck.effects", attributes: .concurrent)

  public init(
    service: TokenService, sink: any EventSink, demo: DemoSetup? = nil,
    edges makeEdges: @escaping @Sendable (Configuration) -> Edges
  ) {
    let service = Self.telling(sink, service)
    self.world = Mutex(World(service: service, edges: makeEdges(service.configuration), demo: demo))
    self.sink = sink
    self.makeEdges = makeEdges
    self.loopback = LoopbackRegistry { outcome in sink.post(BoardEvent.reporting(outcome)) }
  }

  var current: (service: TokenService, edges: Edges, demo: DemoSetup?) {
    world.withLock { ($0.service, $0.edges, $0.demo) }
  }

  /// The events that fill the board before its first frame (see `StoreWatch`).
  public func firstFrameEvents(rows: Int) -> [BoardEvent] {
    let service = current.service
    return store.firstFrameEvents(
      store: service.store,
      grant: { service.configuration.provider($0.provider)?.grant ?? .authorizationCode },
      rows: rows, sink: sink)
  }

  /// Called once a second: reads the store again when another process changed it, and lets go
  /// of the logins that no longer wait there (replaced or ended elsewhere).
  public func checkStore() {
    store.check(current.service.store, sink: sink) { [loopback] sessions in
      let now = Date()
      let waiting = Set(sessions.compactMap { $0.activePending(at: now)?.state })
      loopback.prune { waiting.contains($0) }
    }
    store.checkAgent(current.service.store, sink: sink)
  }

  /// Starts `effect` and returns at once; `.quit`, `.suspend` and `.repaint` are the run loop's own.
  public func perform(_ effect: BoardEffect) {
    let (service, edges) = (current.service, current.edges)
    let sink = self.sink
    switch effect {
    case .quit, .suspend, .repaint:
      return
    case .startLogin(let id):
      work.async { [loopback] in
        do throws(AuthDeckError) {
          let started = try BrowserLogin.start(
            id, service: service, loopback: loopback, resume: true, now: Date())
          sink.post(.loginStarted(started.session, loopback: started.loopback))
          if case .failed(let error) = BrowserLogin.openBrowser(for: started, with: edges.browser) {
            sink.post(.browserFailed(id, error))
          }
        } catch {
          sink.post(.finished(id, error: error))
        }
      }
    case .startDeviceLogin(let id):
      work.async { [devicePolls] in
        let started: (session: Session, authorization: DeviceAuthorization)
        do throws(AuthDeckError) {
          started = try DeviceLogin.start(id, service: service, now: Date())
        } catch {
          sink.post(.finished(id, error: error))
          return
        }
        let poll = devicePolls.begin(id)
        sink.post(.deviceLoginStarted(started.session, started.authorization.prompt))
        DeviceLogin.openPage(of: started.authorization, with: edges.browser)
        // Polling may take many minutes: a thread of its own, not one of the work queue's.
        Thread.detachNewThread {
          defer { devicePolls.end(id, poll) }
          switch DeviceLogin.poll(id, started.authorization, service: service, sleep: poll.sleep) {
          case .loggedIn(let session): sink.post(.sessionChanged(session), .finished(id, error: nil))
          case .ended(let stored, let error): sink.post(BoardEvent.stored(stored) + [.loginEnded(id, error)])
          case .cancelled: break
          }
        }
      }
    case .copyUserCode(let id, let code):
      work.async { sink.post(.copied(id, .userCode, edges.clipboard.copy(code))) }
    case .completeLogin(let pasted):
      work.async { [loopback] in
        let redirect: Redirect
        do throws(AuthDeckError) {
          redirect = try Redirect(pasted: pasted)
        } catch {
          sink.post(.redirectHandled(nil, error: error))
          return
        }
        let outcome = RedirectCompletion.complete(redirect, service: service, now: Date())
        if outcome.endsLogin, let state = redirect.state { loopback.loginEnded(state: state) }
        sink.post(BoardEvent.reporting(outcome))
      }
    case .renew(let id):
      work.async {
        sink.post(
          BoardEvent.reporting(Renewal.renew(id, service: service, now: Date())) { .finished(id, error: $0) })
      }
    case .keepAlive(let id, let margin):
      work.async {
        let outcome = Renewal.renew(id, service: service, margin: margin, now: Date())
        sink.post(BoardEvent.reporting(outcome) { .keptAlive(id, error: $0) })
      }
    case .notify(let title, let body):
      work.async { edges.notifier.notify(title: title, body: body) }
    case .answerApproval(let number, let allow):
      work.async { AgentApprovals.answer(number, allow: allow, in: service.store) }
    case .copyToken(let id):
      work.async {
        sink.post(
          BoardEvent.reporting(
            id, Copy.token(of: id, store: service.store, clipboard: edges.clipboard, now: Date())))
      }
    case .copyAuthorizeURL(let id):
      work.async {
        let outcome = Copy.loginURL(of: id, store: service.store, clipboard: edges.clipboard, now: Date())
        sink.post(BoardEvent.reporting(id, outcome))
      }
    case .logout(let id, let forget):
      devicePolls.cancel(id)  // a code entered now would log the session in again
      // Waits for the session's lock (a refresh may hold it) and for the provider's revocation
      // endpoint, so never on the loop.
      work.async { [loopback] in
        let waiting: Session?
        do throws(AuthDeckError) { waiting = try service.store.load(id) } catch { waiting = nil }
        do throws(AuthDeckError) {
          let outcome = try Logout.run(id, forget: forget, via: .service(service), now: Date())
          if let state = waiting?.pending?.state { loopback.loginEnded(state: state) }
          sink.post(
            outcome.session.map { .sessionChanged($0) } ?? .sessionRemoved(id),
            .loggedOut(id, forgotten: forget, error: nil, revocation: outcome.revocation))
        } catch {
          sink.post(.loggedOut(id, forgotten: forget, error: error))
        }
      }
    case .cancelLogin(let id):
      devicePolls.cancel(id)
      work.async { [loopback] in
        do throws(AuthDeckError) {
          let session = try BrowserLogin.cancel(id, service: service, loopback: loopback)
          sink.post(BoardEvent.stored(session) + [.loginCancelled(id, error: nil)])
        } catch {
          sink.post(.loginCancelled(id, error: error))
        }
      }
    case .openDemo:
      work.async { [self] in
        do throws(AuthDeckError) {
          let setup = try DemoSetup.start()
          let sessions = try setup.service.store.loadAll().sessions
          let service = Self.telling(sink, setup.service)
          world.withLock {
            $0 = World(service: service, edges: makeEdges(service.configuration), demo: setup)
          }
          store.remember(setup.service.store)
          sink.post(.demoOpened(setup.service.configuration, sessions))
        } catch {
          sink.post(.notice(error.description, isError: true))
        }
      }
    }
  }

  /// A service for a configuration read again; the edges follow its secret variables.
  func replaceService(_ service: TokenService) {
    let service = Self.telling(sink, service)
    world.withLock {
      $0.service = service
      $0.edges = makeEdges(service.configuration)
    }
  }

  /// Where the demo's temporary store is, once the demo is open.
  public var demoStoreRoot: String? { current.demo?.storeRoot }

  /// The demo's sessions were never the user's: nothing of them stays.
  public func shutDown() {
    current.demo?.removeStore()
  }
}

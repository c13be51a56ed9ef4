import AuthDeckBoard
import AuthDeckCore
import AuthDeckNet
import AuthDeckTerminal
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The run loop: reads keys, ticks once a second, performs the board's effects off the loop,
/// and draws. It sleeps in poll(2) until a key, a finished task (the inbox pipe) or the next
/// whole second, so an idle board costs one wake-up a second.
final class BoardApp {
  private var state: BoardState
  private var service: TokenService
  private let screen: CursesScreen
  private let inbox = Inbox()
  private let loopback = LoopbackRegistry()
  private let reloads = DispatchQueue(label: "authdeck.store-reload")
  private let environment: [String: String]
  private var storeStamp: timespec?
  private var running = true
  private var demo: DemoSetup?

  init(service: TokenService, configPath: String, environment: [String: String], demo: DemoSetup? = nil)
    throws(AuthDeckError)
  {
    self.service = service
    self.environment = environment
    self.demo = demo
    state = BoardState(
      providers: service.configuration.providers, sessions: [], now: Date(),
      expiringWithin: service.configuration.expiringWithin, isDemo: demo != nil)
    state.configPath = configPath
    do throws(CursesScreen.Unavailable) {
      screen = try CursesScreen(environment: environment)
    } catch {
      throw .other(error.reason)
    }
    storeStamp = Self.stamp(service.store)
    loadForFirstFrame(rows: screen.size.height)
  }

  /// A large store is drawn from its first screen of sessions while the rest loads in the
  /// background: the ids come from the file names, so the list's shape is right at once.
  private func loadForFirstFrame(rows: Int) {
    let store = service.store
    guard let ids = try? store.storedIDs(), ids.count > 500 else {
      // A store that cannot be read (a link, a mode others can read) is said on the status line.
      _ = state.handle(Self.reloadEvent(store))
      return
    }
    let firstScreen = Set(ids.prefix(max(rows, 50)))
    let sessions = ids.map { id in
      (firstScreen.contains(id) ? (try? store.load(id)) ?? nil : nil)
        ?? Session(id: id, grant: service.configuration.provider(id.provider)?.grant ?? .authorizationCode)
    }
    _ = state.handle(.partiallyLoaded(sessions))
    requestReload()
  }

  func run() {
    defer {
      screen.stop()
      demo?.removeStore()  // the demo's sessions were never the user's: nothing of them stays
    }
    TerminationSignals.install(wakingUp: inbox.writeEnd)
    handleResize()
    var lastSecond = Int(Date().timeIntervalSince1970)
    // For scripts/bench: the time to the first full frame ("1"), or to the first frame with
    // every session read ("loaded"), then out.
    let benchExit = environment["AUTHDECK_EXIT_AFTER_FIRST_FRAME"]
    while running {
      screen.draw(state.render(width: screen.size.width, height: screen.size.height))
      if benchExit == "1" || (benchExit == "loaded" && !state.isLoading) { break }
      let now = Date()
      let untilNextSecond = Int32(1000 - Int(now.timeIntervalSince1970 * 1000) % 1000) + 1
      var fds = [
        pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
        pollfd(fd: inbox.readEnd, events: Int16(POLLIN), revents: 0),
      ]
      let ready = poll(&fds, 2, untilNextSecond)
      var events: [BoardEvent] = []
      if ready < 0 || fds[0].revents != 0 {  // EINTR is SIGWINCH: curses reports KEY_RESIZE
        for input in screen.readInputs() {
          switch input {
          case .key(let key): events.append(.key(key))
          case .paste(let text): events.append(.pasted(text))
          case .resize: handleResize()
          }
        }
      }
      events += inbox.drain()
      if TerminationSignals.requested != 0 { running = false }
      let second = Int(Date().timeIntervalSince1970)
      if second != lastSecond {
        lastSecond = second
        events.append(.tick(Date()))
        reloadIfChanged()
      }
      for event in events where running { perform(state.handle(event)) }
    }
  }

  private func handleResize() {
    perform(state.handle(.resized(pageSize: BoardState.listHeight(forTerminalHeight: screen.size.height))))
  }

  // MARK: The store, seen from outside

  static func reloadEvent(_ store: SessionStore) -> BoardEvent {
    do throws(AuthDeckError) {
      let (sessions, problems) = try store.loadAll()
      return .reloaded(sessions, problems: problems)
    } catch {
      return .notice(error.description, isError: true)
    }
  }

  /// Another process (`authdeck login` elsewhere) replaced a file: the folder's mtime moved.
  private func reloadIfChanged() {
    let stamp = Self.stamp(service.store)
    guard stamp?.tv_sec != storeStamp?.tv_sec || stamp?.tv_nsec != storeStamp?.tv_nsec else { return }
    storeStamp = stamp
    requestReload()
  }

  /// Reads the store off the loop (10,000 files take a while, far longer with a cold cache) on
  /// one serial queue, so results arrive in the order they were read.
  private func requestReload() {
    let store = service.store
    let inbox = self.inbox
    reloads.async { inbox.post(Self.reloadEvent(store)) }
  }

  private static func stamp(_ store: SessionStore) -> timespec? {
    var info = stat()
    guard stat(store.root + "/sessions", &info) == 0 else { return nil }
    return info.st_mtim
  }

  // MARK: Effects

  private func perform(_ effects: [BoardEffect]) {
    for effect in effects { perform(effect) }
  }

  private func perform(_ effect: BoardEffect) {
    let service = self.service
    let inbox = self.inbox
    switch effect {
    case .quit:
      running = false
    case .startLogin(let id):
      let loopback = self.loopback
      let environment = self.environment
      background {
        do throws(AuthDeckError) {
          // A login that still waits is reopened, not replaced: its redirect may be on its way.
          var pending: PendingLogin
          if let waiting = try? service.store.load(id)?.activePending(at: Date()) {
            pending = waiting
          } else {
            pending = try service.startLogin(id, now: Date())
          }
          let provider = try service.configuration.provider(for: id)
          do throws(AuthDeckError) {
            try loopback.listen(for: provider, until: pending.deadline, service: service, inbox: inbox)
          } catch {
            inbox.post(.notice(error.description, isError: true))
          }
          inbox.post(Self.reloadEvent(service.store), .loginStarted(id))
          do throws(AuthDeckError) {
            try Browser.open(
              pending.authorizeURL, environment: environment,
              withholding: service.configuration.secretVariables)
          } catch {
            inbox.post(.notice("\(error.description); press u to copy the URL", isError: true))
          }
        } catch {
          inbox.post(.finished(id, error: error.description))
        }
      }
    case .completeLogin(let pasted):
      background {
        do throws(AuthDeckError) {
          let session = try service.completeLogin(redirect: try Redirect(pasted: pasted), now: Date())
          inbox.post(Self.reloadEvent(service.store), .pasteHandled(session.id, error: nil))
        } catch {
          inbox.post(.pasteHandled(nil, error: error.description))
        }
      }
    case .renew(let id):
      background {
        do throws(AuthDeckError) {
          try service.renew(id, now: Date(), force: true)
          inbox.post(Self.reloadEvent(service.store), .finished(id, error: nil))
        } catch {
          inbox.post(Self.reloadEvent(service.store), .finished(id, error: error.description))
        }
      }
    case .copyToken(let id):
      guard let tokens = try? service.store.load(id)?.tokens else {
        _ = state.handle(.notice("\(id) has no token to copy", isError: true))
        return
      }
      let how = Clipboard.copy(
        tokens.accessToken, screen: screen, environment: environment,
        withholding: service.configuration.secretVariables)
      var validity = ""
      if let expiresAt = tokens.expiresAt {
        validity = ", valid \(TimeFormat.countdown(expiresAt.timeIntervalSinceNow)) more"
      }
      _ = state.handle(.notice("copied \(id)'s access token\(validity) (\(how))", isError: false))
    case .copyAuthorizeURL(let id):
      guard let pending = try? service.store.load(id)?.pending else { return }
      let how = Clipboard.copy(
        pending.authorizeURL, screen: screen, environment: environment,
        withholding: service.configuration.secretVariables)
      _ = state.handle(.notice("copied \(id)'s login URL (\(how)); open it in any browser", isError: false))
    case .logout(let id, let forget):
      do throws(AuthDeckError) {
        try TokenService.logout(id, forget: forget, store: service.store)
        requestReload()
        _ = state.handle(.notice(forget ? "\(id) forgotten" : "\(id) logged out", isError: false))
      } catch {
        _ = state.handle(.notice(error.description, isError: true))
      }
    case .openDemo:
      do throws(AuthDeckError) {
        let setup = try DemoSetup.start()
        demo = setup
        self.service = setup.service
        storeStamp = Self.stamp(setup.service.store)
        let loaded = (try? setup.service.store.loadAll().sessions) ?? []
        state = BoardState(
          providers: setup.service.configuration.providers, sessions: loaded, now: Date(),
          expiringWithin: setup.service.configuration.expiringWithin, isDemo: true)
        handleResize()
        _ = state.handle(.notice("demo: press ⏎ on a session to log in, L to log in all", isError: false))
      } catch {
        _ = state.handle(.notice(error.description, isError: true))
      }
    }
  }

  private func background(_ work: @escaping @Sendable () -> Void) {
    Thread.detachNewThread(work)
  }
}

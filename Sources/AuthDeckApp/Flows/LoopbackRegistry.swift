import AuthDeckCore
import AuthDeckNet
import Foundation
import Synchronization

/// The loopback listeners of browser logins (RFC 8252 §7.3): one per redirect port, open only
/// while a login on that port waits. Every redirect that reaches one is completed by its state
/// (`RedirectCompletion`), whichever session it is for, and its outcome handed to `report`. It
/// keeps the logins it waits for itself, so it never reads the store to know when to stop.
public final class LoopbackRegistry: Sendable {
  public typealias Report = @Sendable (RedirectOutcome) -> Void

  private struct Port {
    var server: LoopbackHTTPServer
    /// The state of each login that waits here, and its deadline.
    var waiting: [String: Date]
  }

  private let ports = Mutex<[UInt16: Port]>([:])
  private let expecting: SessionID?
  private let report: Report

  /// `expecting`: only that session's login is completed here (`authdeck login ID`).
  public init(expecting: SessionID? = nil, report: @escaping Report) {
    self.expecting = expecting
    self.report = report
  }

  /// Makes sure a listener serves `pending`'s redirect until its deadline, and says how the
  /// redirect will arrive: caught here, or pasted (the port is taken, or it is not loopback).
  /// `bound` is a listener already open for it (a port chosen for this login); one for
  /// another port is let go. The port is bound under the registry's lock: two logins on one
  /// port share its listener, and a port that cannot be bound touches no other login.
  public func listen(for pending: PendingLogin, bound: LoopbackHTTPServer? = nil, service: TokenService)
    -> LoopbackStatus
  {
    guard let redirect = URL(string: pending.redirectURI), Loopback.isListenable(redirect) else {
      return .notUsed
    }
    let port = UInt16(redirect.port ?? 80)
    let started = ports.withLock { ports -> Result<LoopbackHTTPServer?, AuthDeckError> in
      if ports[port] != nil {
        ports[port]!.waiting[pending.state] = pending.deadline
        return .success(nil)
      }
      let server: LoopbackHTTPServer
      do throws(AuthDeckError) {
        if let bound, bound.port == port {
          server = bound
        } else {
          server = try LoopbackHTTPServer(redirect: redirect)
        }
      } catch {
        return .failure(error)
      }
      ports[port] = Port(server: server, waiting: [pending.state: pending.deadline])
      return .success(server)
    }
    switch started {
    case .failure(let error):
      return .portTaken(error)
    case .success(let server?):
      Thread.detachNewThread { [self] in serve(server, port: port, redirect: redirect, service: service) }
      return .listening
    case .success(nil):
      return .listening
    }
  }

  /// A login ended another way (a paste, a log-out): its port's listener closes once nothing
  /// else waits there.
  public func loginEnded(state: String) {
    ports.withLock { ports in
      for port in ports.keys where ports[port]!.waiting.removeValue(forKey: state) != nil {
        if ports[port]!.waiting.isEmpty { ports[port]!.server.stop() }
      }
    }
  }

  /// Lets go of the logins `isStillWaiting` no longer holds for (another process replaced,
  /// completed or ended them); a listener with nothing left to wait for closes.
  public func prune(isStillWaiting: (String) -> Bool) {
    ports.withLock { ports in
      for port in ports.keys {
        ports[port]!.waiting = ports[port]!.waiting.filter { isStillWaiting($0.key) }
        if ports[port]!.waiting.isEmpty { ports[port]!.server.stop() }
      }
    }
  }

  /// The states of every login waited for here.
  public var waitingStates: [String] { ports.withLock { $0.values.flatMap(\.waiting.keys) } }

  private func serve(_ server: LoopbackHTTPServer, port: UInt16, redirect: URL, service: TokenService) {
    while let until = latestDeadline(port: port) {
      server.serve(until: until) { request in
        guard let parsed = LoopbackRedirect.redirect(in: request, redirectURI: redirect) else {
          return (LoopbackRedirect.notFound, false)
        }
        let outcome: RedirectOutcome
        var state: String?
        switch parsed {
        case .failure(let error):
          outcome = .refused(nil, error)
        case .success(let received):
          state = received.state
          outcome = RedirectCompletion.complete(received, service: service, expecting: expecting, now: Date())
        }
        report(outcome)
        let page =
          if case .loggedIn(let session) = outcome {
            LoopbackPages.success(session.id)
          } else {
            LoopbackPages.failure(Self.pageReason(outcome))
          }
        guard outcome.endsLogin, let state else { return (page, false) }
        // Done with this login: the listener closes once nothing else waits on it.
        let nothingWaits = ports.withLock { ports -> Bool in
          ports[port]?.waiting.removeValue(forKey: state)
          return ports[port]?.waiting.isEmpty ?? true
        }
        return (page, nothingWaits)
      }
    }
  }

  /// What the browser's page says when the login did not complete.
  private static func pageReason(_ outcome: RedirectOutcome) -> String {
    switch outcome {
    case .loggedIn: return ""
    case .refused(_, let error): return error.description
    case .ended(_, let required): return required.description
    }
  }

  /// The latest deadline of the logins that still wait on `port`; nil (and the port given up,
  /// under the same lock that `listen` takes) when none does.
  private func latestDeadline(port: UInt16) -> Date? {
    ports.withLock { ports in
      let now = Date()
      let live = (ports[port]?.waiting ?? [:]).filter { $0.value > now }
      guard let latest = live.values.max() else {
        ports.removeValue(forKey: port)
        return nil
      }
      ports[port]!.waiting = live
      return latest
    }
  }
}

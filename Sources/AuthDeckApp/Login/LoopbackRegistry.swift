import AuthDeckBoard
import AuthDeckCore
import AuthDeckNet
import Foundation

/// The board's loopback listeners: one per redirect port, open only while a login on that port
/// waits. Every login on the port is completed by its state, whichever session it is for. It
/// keeps the logins it waits for itself, so it never reads the store to know when to stop.
public final class LoopbackRegistry: @unchecked Sendable {
  private let lock = NSLock()
  /// Per port: the state of each login that waits there, and its deadline.
  private var waiting: [UInt16: [String: Date]] = [:]
  private var servers: [UInt16: LoopbackHTTPServer] = [:]

  public init() {}

  /// Makes sure a listener serves `pending`'s redirect until its deadline, and says how the
  /// redirect will arrive: caught here, or pasted (the port is taken, or it is not loopback).
  /// `bound` is a listener already open for it (a port chosen for this login); one for
  /// another port is let go.
  public func listen(
    for pending: PendingLogin, bound: LoopbackHTTPServer? = nil, service: TokenService, sink: any EventSink
  ) -> LoopbackStatus {
    guard let redirect = URL(string: pending.redirectURI), Loopback.isListenable(redirect) else {
      return .notUsed
    }
    let port = UInt16(redirect.port ?? 80)
    let alreadyServing = lock.withLock { () -> Bool in
      waiting[port, default: [:]][pending.state] = pending.deadline
      return servers[port] != nil
    }
    if alreadyServing { return .listening }
    let server: LoopbackHTTPServer
    do throws(AuthDeckError) {
      if let bound, bound.port == port {
        server = bound
      } else {
        server = try LoopbackHTTPServer(redirect: redirect)
      }
    } catch {
      lock.withLock { _ = waiting.removeValue(forKey: port) }
      return .portTaken(error.description)
    }
    lock.withLock { servers[port] = server }
    Thread.detachNewThread { [self] in
      serve(server, port: port, redirect: redirect, service: service, sink: sink)
    }
    return .listening
  }

  /// A login ended another way (a paste): its port's listener closes once nothing else waits.
  public func loginEnded(state: String) {
    lock.withLock {
      for port in waiting.keys where waiting[port]?.removeValue(forKey: state) != nil {
        if waiting[port]?.isEmpty == true { servers[port]?.stop() }
      }
    }
  }

  private func serve(
    _ server: LoopbackHTTPServer, port: UInt16, redirect: URL, service: TokenService, sink: any EventSink
  ) {
    while let until = latestDeadline(port: port) {
      server.serve(until: until) { request in
        var state: String?
        var ended = false
        let (response, outcome) = LoopbackRedirect.handle(request, redirectURI: redirect) {
          (redirect) throws(AuthDeckError) in
          state = redirect.state
          let completion = BoardRedirect.complete(redirect, service: service, sink: sink)
          ended = completion.ended
          return try completion.result.get()
        }
        guard outcome.map({ (try? $0.get()) != nil || ended }) == true else { return (response, false) }
        // Done with this login (completed, or its code refused): the listener closes once nothing waits.
        let nothingWaits = lock.withLock { () -> Bool in
          if let state { waiting[port]?.removeValue(forKey: state) }
          return waiting[port]?.isEmpty ?? true
        }
        return (response, nothingWaits)
      }
    }
  }

  /// The latest deadline of the logins that still wait on `port`; nil (and the port given up,
  /// under the same lock that `listen` takes) when none does.
  private func latestDeadline(port: UInt16) -> Date? {
    lock.withLock {
      let now = Date()
      let live = (waiting[port] ?? [:]).filter { $0.value > now }
      guard let latest = live.values.max() else {
        waiting.removeValue(forKey: port)
        servers.removeValue(forKey: port)
        return nil
      }
      waiting[port] = live
      return latest
    }
  }
}

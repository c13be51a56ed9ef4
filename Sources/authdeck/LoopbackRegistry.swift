import AuthDeckBoard
import AuthDeckCore
import AuthDeckNet
import Foundation

/// The board's loopback listeners: one per redirect port, open only while a login on that
/// port waits. Every login on the port is completed by its state, whichever session it is.
final class LoopbackRegistry: @unchecked Sendable {
  private let lock = NSLock()
  private var deadlines: [UInt16: Date] = [:]

  /// Makes sure a listener runs for `provider`'s redirect port until `deadline`.
  /// Throws when the port cannot be bound (the user can still paste).
  func listen(for provider: Provider, until deadline: Date, service: TokenService, inbox: Inbox)
    throws(AuthDeckError)
  {
    guard let redirect = provider.redirectURI, provider.usesLoopbackRedirect else { return }
    let port = UInt16(redirect.port ?? 80)
    let alreadyRunning = lock.withLock { () -> Bool in
      let running = deadlines[port] != nil
      deadlines[port] = max(deadlines[port] ?? deadline, deadline)
      return running
    }
    if alreadyRunning { return }
    let server: LoopbackHTTPServer
    do throws(AuthDeckError) {
      server = try LoopbackHTTPServer(host: redirect.host ?? "127.0.0.1", port: port)
    } catch {
      lock.withLock { _ = deadlines.removeValue(forKey: port) }
      throw error
    }
    Thread.detachNewThread { [self] in
      while let until = lock.withLock({ deadlines[port] }), until > Date() {
        server.serve(until: until) { request in
          let (response, outcome) = LoopbackRedirect.handle(request, redirectURI: redirect) {
            (redirect) throws(AuthDeckError) in try service.completeLogin(redirect: redirect, now: Date())
          }
          switch outcome {
          case .success(let session)?:
            inbox.post(BoardApp.reloadEvent(service.store), .pasteHandled(session.id, error: nil))
            return (response, !Self.anyLoginWaits(service))
          case .failure(let error)?:
            inbox.post(.notice(error.description, isError: true))
            return (response, false)
          case nil:
            return (response, false)
          }
        }
        // Stop once no login waits any more; otherwise keep serving until the latest deadline.
        if !Self.anyLoginWaits(service) { break }
      }
      lock.withLock { _ = deadlines.removeValue(forKey: port) }
    }
  }

  private static func anyLoginWaits(_ service: TokenService) -> Bool {
    (try? service.store.loadAll().sessions.contains { $0.activePending(at: Date()) != nil }) ?? false
  }
}

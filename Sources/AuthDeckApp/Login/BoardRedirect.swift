import AuthDeckBoard
import AuthDeckCore
import Foundation

/// A redirect for one of the board's logins (pasted, or caught on loopback), completed and
/// reported to the board. Shared by the effect runner and the loopback registry.
enum BoardRedirect {
  /// Completes the login `redirect` belongs to and tells `sink`: the session as stored and
  /// `.redirectHandled` when it is done; when the provider refused the code (no paste can help),
  /// the session without its login and `.loginEnded` (`ended`); otherwise `.redirectHandled`
  /// with the reason, and the login still waits.
  static func complete(_ redirect: Redirect, service: TokenService, sink: any EventSink)
    -> (result: Result<Session, AuthDeckError>, ended: Bool)
  {
    var matched: SessionID?
    do throws(AuthDeckError) {
      let id = try service.pendingSession(for: redirect, now: Date())
      matched = id
      let session = try service.completeLogin(id, redirect: redirect, now: Date())
      sink.post(.sessionChanged(session), .redirectHandled(session.id, error: nil))
      return (.success(session), false)
    } catch {
      guard case .loginRequired = error, let id = matched else {
        sink.post(.redirectHandled(nil, error: error.description))
        return (.failure(error), false)
      }
      let stored = (try? service.store.load(id)) ?? nil
      sink.post(stored.map { [.sessionChanged($0)] } ?? [])
      sink.post(.loginEnded(id, reason: error.description))
      return (.failure(error), true)
    }
  }
}

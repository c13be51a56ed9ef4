import AuthDeckCore
import Foundation

/// How a renewal ended.
public enum RenewalOutcome: Equatable, Sendable {
  /// A new token (or, under a margin, one another process renewed meanwhile): as stored.
  case renewed(Session)
  /// Only a login helps (the provider refused the refresh token, or there is nothing to renew
  /// with); the session as stored, with what the provider said.
  case needsLogin(Session?, LoginRequired)
  /// Anything else (the network, the provider's error, a secret that could not be read): it may
  /// work later. The session as stored may hold news all the same (another process renewed it).
  case failed(Session?, AuthDeckError)
}

/// Renewing a session without a person: its refresh token, or client credentials. The board's
/// `r`, keep-alive and `L`, and `authdeck login` of a client-credentials provider, come here;
/// `authdeck token` and `exec` renew through `TokenService.validToken`, which renews the same way
/// when the stored token will not do.
public enum Renewal {
  /// Renews `id` now; with `margin`, only when less than that is left once the session's lock
  /// is held (keep-alive: another process may have renewed it while this one waited).
  public static func renew(_ id: SessionID, service: TokenService, margin: TimeInterval? = nil, now: Date)
    -> RenewalOutcome
  {
    do throws(AuthDeckError) {
      return .renewed(try service.renew(id, now: now, force: margin == nil, margin: margin))
    } catch {
      let stored: Session?
      do throws(AuthDeckError) { stored = try service.store.load(id) } catch { stored = nil }
      if case .loginRequired(let required) = error { return .needsLogin(stored, required) }
      return .failed(stored, error)
    }
  }
}

import AuthDeckCore
import Foundation

/// How a redirect (pasted, or caught on loopback) ended.
public enum RedirectOutcome: Equatable, Sendable {
  /// The code was exchanged: the session as stored.
  case loggedIn(Session)
  /// The redirect was refused; the login it matched (`id`, when it matched one) still waits.
  case refused(SessionID?, AuthDeckError)
  /// The provider ended the login (it denied it, or refused its code): no paste can help. The
  /// session as stored (without its waiting state, with what the provider said), and why.
  case ended(Session?, LoginRequired)

  /// The session the redirect was for, when it matched one.
  public var id: SessionID? {
    switch self {
    case .loggedIn(let session): return session.id
    case .refused(let id, _): return id
    case .ended(_, let required): return required.id
    }
  }

  /// Whether the login is over (done or ended): its listener need not wait for it any more.
  public var endsLogin: Bool {
    if case .refused = self { return false }
    return true
  }
}

/// The redirect of a browser login, completed: found by its state among the waiting logins,
/// checked (address, issuer, state), its code exchanged. One flow for a paste on the board, a
/// paste into `authdeck login`, and a redirect caught on loopback by either.
public enum RedirectCompletion {
  /// `expecting` limits it to one session's login (`authdeck login ID` completes only ID).
  public static func complete(
    _ redirect: Redirect, service: TokenService, expecting: SessionID? = nil, now: Date
  ) -> RedirectOutcome {
    let id: SessionID
    do throws(AuthDeckError) {
      id = try service.pendingSession(for: redirect, now: now)
    } catch {
      return .refused(nil, error)
    }
    if let expecting, id != expecting {
      return .refused(
        nil, .redirect("that redirect is for \(id)'s login, not \(expecting)'s; nothing was sent"))
    }
    do throws(AuthDeckError) {
      return .loggedIn(try service.completeLogin(id, redirect: redirect, now: now))
    } catch {
      guard case .loginRequired(let required) = error else { return .refused(id, error) }
      let stored: Session?
      do throws(AuthDeckError) { stored = try service.store.load(id) } catch { stored = nil }
      return .ended(stored, required)
    }
  }

  /// The same for pasted text, which is cleaned and parsed first.
  public static func complete(
    pasted text: String, service: TokenService, expecting: SessionID? = nil, now: Date
  ) -> RedirectOutcome {
    do throws(AuthDeckError) {
      return complete(try Redirect(pasted: text), service: service, expecting: expecting, now: now)
    } catch {
      return .refused(nil, error)
    }
  }
}

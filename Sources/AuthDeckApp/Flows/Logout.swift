import AuthDeckCore
import Foundation

/// Logging out: the tokens revoked at the provider when it can (RFC 7009), then dropped, with the
/// login that waited; with `forget`, the whole session. The local copy goes whatever the
/// provider says. `authdeck logout` and the board's `d` both come here.
public enum Logout {
  public struct Outcome: Equatable, Sendable {
    /// What is stored afterwards (nil: forgotten).
    public var session: Session?
    public var revocation: Revocation
  }

  /// How to reach the provider: a service, or why there is none (`local`: not asked to; a
  /// configuration that cannot be read: the tokens are dropped all the same, and the outcome
  /// says why they were not revoked).
  public enum Provider: Sendable {
    case service(TokenService)
    case local(SessionStore)
    case unavailable(SessionStore, AuthDeckError)
  }

  public static func run(_ id: SessionID, forget: Bool, via provider: Provider, now: Date)
    throws(AuthDeckError)
    -> Outcome
  {
    switch provider {
    case .service(let service):
      let (session, revocation) = try service.logout(id, forget: forget, now: now)
      return Outcome(session: session, revocation: revocation)
    case .local(let store):
      return Outcome(
        session: try TokenService.logout(id, forget: forget, store: store), revocation: .notOffered)
    case .unavailable(let store, let why):
      let session = try TokenService.logout(id, forget: forget, store: store)
      return Outcome(session: session, revocation: .failed(why.description))
    }
  }
}

import Foundation

/// What became of a login under way, read from the session as stored: the one rule the command
/// line's `authdeck login` and the board's morning queue both follow, so that a login completed,
/// denied, replaced or ended by another process is seen the same way everywhere.
public enum LoginFate: Equatable, Sendable {
  /// It still waits for its redirect.
  case waiting
  /// The session has tokens newer than the login's start, here or from another process.
  case loggedIn(Session)
  case ended(LoginReason)

  /// The fate of the browser login whose pending state was `state`, started at `startedAt`,
  /// given what the store holds for its session (nil: forgotten).
  public static func of(login state: String, startedAt: Date, in stored: Session?, now: Date) -> LoginFate {
    guard let session = stored else { return .ended(.endedElsewhere) }
    if let pending = session.pending {
      guard constantTimeEquals(pending.state, state) else { return .ended(.superseded) }
      return pending.deadline > now ? .waiting : .ended(.timedOut(device: false))
    }
    return afterward(session, startedAt: startedAt, now: now)
  }

  /// The fate of a device login started at `startedAt` (its code is not stored, so nothing in
  /// the store says it still waits): logged in when newer tokens are there, ended when the
  /// provider refused since then, else still waiting (the process that polls says when not).
  public static func ofDeviceLogin(startedAt: Date, in stored: Session?, now: Date) -> LoginFate {
    guard let session = stored else { return .ended(.endedElsewhere) }
    let fate = afterward(session, startedAt: startedAt, now: now)
    return fate == .ended(.endedElsewhere) ? .waiting : fate
  }

  /// A login whose waiting state is gone: new tokens mean it was done (here or elsewhere);
  /// a refusal since its start says why it ended; otherwise it was ended without tokens.
  private static func afterward(_ session: Session, startedAt: Date, now: Date) -> LoginFate {
    if let tokens = session.tokens, tokens.issuedAt >= startedAt, !session.needsLogin(at: now) {
      return .loggedIn(session)
    }
    if let refusal = session.refusal, refusal.at >= startedAt {
      switch refusal.kind {
      case .loginDenied: return .ended(.denied(refusal))
      case .codeRefused: return .ended(.codeRefused(refusal))
      case .refreshRefused: break
      }
    }
    return .ended(.endedElsewhere)
  }
}

import AuthDeckBoard
import AuthDeckCore

/// The flows' outcomes as the board is told them: the session as stored first (it carries what
/// the provider said), then what happened, typed.
extension BoardEvent {
  static func stored(_ session: Session?) -> [BoardEvent] { session.map { [.sessionChanged($0)] } ?? [] }

  static func reporting(_ outcome: RedirectOutcome) -> [BoardEvent] {
    switch outcome {
    case .loggedIn(let session): return [.sessionChanged(session), .redirectHandled(session.id, error: nil)]
    case .refused(let id, let error): return [.redirectHandled(id, error: error)]
    case .ended(let session, let required):
      return stored(session) + [.loginEnded(required.id, .loginRequired(required))]
    }
  }

  /// A renewal's outcome: `done` (nil: renewed), or `.renewalRefused` when only a login helps.
  static func reporting(_ outcome: RenewalOutcome, done: (AuthDeckError?) -> BoardEvent) -> [BoardEvent] {
    switch outcome {
    case .renewed(let session): return [.sessionChanged(session), done(nil)]
    case .needsLogin(let session, let required): return stored(session) + [.renewalRefused(required)]
    case .failed(let session, let error): return stored(session) + [done(error)]
    }
  }

  static func reporting(_ id: SessionID, _ outcome: Copy.Outcome) -> [BoardEvent] {
    switch outcome {
    case .copied(let item, let result): return [.copied(id, item, result)]
    case .nothing(let item): return [.copied(id, item, nil)]
    case .failed(let error): return [.storeProblem(error)]
    }
  }
}

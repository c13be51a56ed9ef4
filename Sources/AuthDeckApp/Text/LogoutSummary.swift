import AuthDeckCore

/// What `logout` and the board say about a log-out, the provider's side included.
public enum LogoutSummary {
  /// "lime/main: logged out (tokens dropped)", or with the provider's revocation.
  public static func line(_ id: SessionID, forgotten: Bool, revocation: Revocation) -> String {
    let revoked = revocation == .revoked
    if forgotten { return "\(id): forgotten" + (revoked ? " (tokens revoked at the provider)" : "") }
    return "\(id): logged out (tokens " + (revoked ? "revoked at the provider and dropped)" : "dropped)")
  }

  /// Why the provider may still honour the tokens; nil when nothing went wrong there.
  public static func warning(_ revocation: Revocation) -> String? {
    guard case .failed(let reason) = revocation else { return nil }
    return "the provider did not revoke the tokens (\(reason)); they stay valid there until they expire"
  }
}

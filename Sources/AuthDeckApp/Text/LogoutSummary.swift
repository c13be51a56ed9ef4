import AuthDeckCore

/// What `authdeck logout` says about a log-out, the provider's side included (the warning is
/// `Revocation.warning`, which the board says too).
public enum LogoutSummary {
  /// "lime/main: logged out (tokens dropped)", or with the provider's revocation.
  public static func line(_ id: SessionID, forgotten: Bool, revocation: Revocation) -> String {
    let revoked = revocation == .revoked
    if forgotten { return "\(id): forgotten" + (revoked ? " (tokens revoked at the provider)" : "") }
    return "\(id): logged out (tokens " + (revoked ? "revoked at the provider and dropped)" : "dropped)")
  }
}

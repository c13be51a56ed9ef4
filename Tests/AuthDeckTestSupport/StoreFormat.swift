
/// The session object of `list --json`, `status --json` and `token --json` (docs/scripting.md).
public enum SessionObject {
  public static let keys: Set<String> = [
    "version", "id", "provider", "account", "state", "needs_login", "login_reason", "refreshable",
    "issued_at", "expires_at", "expires_in", "pending_until", "refusal",
  ]
}

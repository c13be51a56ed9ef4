import AuthDeckCore
import Foundation

/// The one JSON shape of a session, used by `list --json`, `status --json` and `token --json`
/// (which adds the token's fields), documented in docs/scripting.md. Never a secret.
///
/// `version` (1) changes only when a member changes meaning or goes; members may be added.
public enum SessionJSON {
  public static let version = 1

  /// `expiringWithin`: a token with less than this left is `expiring`.
  public static func object(_ session: Session, now: Date, expiringWithin: TimeInterval) -> [String:
    JSONValue]
  {
    let tokens = session.tokens
    let expiresAt = tokens?.expiresAt
    let reason = session.loginReason(at: now)
    var object: [String: JSONValue] = [
      "version": .number(Double(version)),
      "id": .string(session.id.description), "provider": .string(session.id.provider),
      "account": .string(session.id.account),
      "state": .string(session.tokenStatus(at: now, expiringWithin: expiringWithin).rawValue),
      "needs_login": .bool(reason != nil),
      "login_reason": reason.map { .string($0.code) } ?? .null,
      "refreshable": .bool(session.refreshable),
      "issued_at": tokens.map { .string(TimeFormat.rfc3339($0.issuedAt)) } ?? .null,
      "expires_at": expiresAt.map { .string(TimeFormat.rfc3339($0)) } ?? .null,
      "expires_in": expiresAt.map { .number(max(0, $0.timeIntervalSince(now).rounded(.down))) } ?? .null,
      "pending_until": session.activePending(at: now).map { .string(TimeFormat.rfc3339($0.deadline)) }
        ?? .null,
      "refusal": .null,
    ]
    if let refusal = session.refusal {
      object["refusal"] = .object([
        "kind": .string(refusal.kind.rawValue), "error": .string(refusal.said.code),
        "error_description": refusal.said.description.map(JSONValue.string) ?? .null,
        "at": .string(TimeFormat.rfc3339(refusal.at)),
      ])
    }
    return object
  }

  /// An array of sessions, one per line's worth of pretty JSON (`list --json`, `status --json`).
  public static func array(_ sessions: [Session], now: Date, expiringWithin: TimeInterval) -> String {
    JSONValue.array(sessions.map { .object(object($0, now: now, expiringWithin: expiringWithin)) })
      .prettyPrinted
  }
}

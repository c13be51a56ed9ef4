import AuthDeckCore
import Foundation

/// The one JSON shape of a session, used by `list --json`, `status --json` and `token --json`
/// (which adds the token's fields), documented in docs/scripting.md. Never a secret.
///
/// `version` (1) changes only when a member changes meaning or goes; members may be added.
public enum SessionJSON {
  public static let version = 1

  /// The members, in the order they are written (by name, as every JSON object AuthDeck writes).
  /// `expiringWithin`: a token with less than this left is `expiring`.
  public static func members(_ session: Session, now: Date, expiringWithin: TimeInterval)
    -> [(key: String, value: JSONValue)]
  {
    let tokens = session.tokens
    let expiresAt = tokens?.expiresAt
    let reason = session.loginReason(at: now)
    let refusal: JSONValue =
      session.refusal.map { refusal in
        .object([
          "kind": .string(refusal.kind.rawValue), "error": .string(refusal.said.code),
          "error_description": refusal.said.description.map(JSONValue.string) ?? .null,
          "at": .string(TimeFormat.rfc3339(refusal.at)),
        ])
      } ?? .null
    return [
      ("account", .string(session.id.account)),
      ("expires_at", expiresAt.map { .string(TimeFormat.rfc3339($0)) } ?? .null),
      ("expires_in", expiresAt.map { .number(max(0, $0.timeIntervalSince(now).rounded(.down))) } ?? .null),
      ("id", .string(session.id.description)),
      ("issued_at", tokens.map { .string(TimeFormat.rfc3339($0.issuedAt)) } ?? .null),
      ("login_reason", reason.map { .string($0.code) } ?? .null),
      ("needs_login", .bool(reason != nil)),
      (
        "pending_until",
        session.activePending(at: now).map { .string(TimeFormat.rfc3339($0.deadline)) } ?? .null
      ),
      ("provider", .string(session.id.provider)),
      ("refresh_expires_at", tokens?.refreshExpiresAt.map { .string(TimeFormat.rfc3339($0)) } ?? .null),
      ("refreshable", .bool(session.refreshable(at: now))),
      ("refusal", refusal),
      ("state", .string(session.tokenStatus(at: now, expiringWithin: expiringWithin).rawValue)),
      ("version", .number(Double(version))),
    ]
  }

  /// The same as a dictionary, for a caller that adds members (`token --json`).
  public static func object(_ session: Session, now: Date, expiringWithin: TimeInterval) -> [String:
    JSONValue]
  {
    Dictionary(
      uniqueKeysWithValues: members(session, now: now, expiringWithin: expiringWithin).map {
        ($0.key, $0.value)
      })
  }

  /// An array of sessions, indented (`list --json`, `status --json`). Written object by object
  /// with no dictionary per session: 10,000 sessions stay close to `cat` of their files.
  public static func array(_ sessions: [Session], now: Date, expiringWithin: TimeInterval) -> String {
    guard !sessions.isEmpty else { return "[]" }
    var out = "["
    out.reserveCapacity(sessions.count * 420)
    for (index, session) in sessions.enumerated() {
      out += index == 0 ? "\n  " : ",\n  "
      JSONValue.writeObject(
        members(session, now: now, expiringWithin: expiringWithin), to: &out, indented: true, level: 1)
    }
    return out + "\n]"
  }

  /// Session objects as they came (from the agent), written as `array` writes sessions.
  public static func array(objects: [JSONValue]) -> String {
    guard !objects.isEmpty else { return "[]" }
    var out = "["
    for (index, object) in objects.enumerated() {
      out += index == 0 ? "\n  " : ",\n  "
      guard case .object(let members) = object else { continue }
      JSONValue.writeObject(members.sorted { $0.key < $1.key }, to: &out, indented: true, level: 1)
    }
    return out + "\n]"
  }
}

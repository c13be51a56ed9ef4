import AuthDeckCore
import Foundation

/// `authdeck list` output. Never a secret: only ids, statuses and times.
public enum SessionListing {
  /// What `list` says on stderr when there is nothing to list.
  public static let empty = "No sessions yet. Start one with: authdeck login PROVIDER/ACCOUNT"

  /// A JSON array, written by the project's own writer (JSONSerialization's boxing costs
  /// several times the reading at 10,000 sessions).
  public static func json(_ sessions: [Session], now: Date, expiringWithin: TimeInterval) -> String {
    let objects: [JSONValue] = sessions.map { session in
      .object([
        "id": .string(session.id.description), "provider": .string(session.id.provider),
        "account": .string(session.id.account),
        "status": .string(session.status(at: now, expiringWithin: expiringWithin).rawValue),
        "issued_at": session.tokens.map { .string(TimeFormat.rfc3339($0.issuedAt)) } ?? .null,
        "expires_at": session.tokens?.expiresAt.map { .string(TimeFormat.rfc3339($0)) } ?? .null,
        "refreshable": .bool(session.refreshable),
      ])
    }
    return JSONValue.array(objects).prettyPrinted
  }

  public static func table(_ sessions: [Session], now: Date, expiringWithin: TimeInterval) -> String {
    var rows = [["ID", "STATUS", "EXPIRES", "REMAINING", "REFRESH"]]
    for session in sessions {
      let status = session.status(at: now, expiringWithin: expiringWithin)
      var expires = "-"
      var remaining = "-"
      if status == .pending, let pending = session.pending {
        expires = TimeFormat.local(pending.deadline)
        remaining = TimeFormat.countdown(pending.deadline.timeIntervalSince(now)) + " to log in"
      } else if let expiresAt = session.tokens?.expiresAt {
        expires = TimeFormat.local(expiresAt)
        remaining = expiresAt > now ? TimeFormat.countdown(expiresAt.timeIntervalSince(now)) : "expired"
      } else if session.tokens != nil {
        remaining = TimeFormat.unknownLifetime
      }
      rows.append([
        Sanitizer.inline(session.id.description, limit: 60), status.rawValue, expires, remaining,
        session.refreshable ? "yes" : "no",
      ])
    }
    return TextTable.render(rows)
  }
}

public enum TextTable {
  /// Left-aligned columns separated by two spaces, padded by display width.
  public static func render(_ rows: [[String]]) -> String {
    guard let columns = rows.first?.count else { return "" }
    let widths = (0..<columns).map { column in rows.map { $0[column].count }.max() ?? 0 }
    return rows.map { row in
      row.enumerated().map { index, cell in
        index == columns - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
      }.joined(separator: "  ")
    }.joined(separator: "\n") + "\n"
  }
}

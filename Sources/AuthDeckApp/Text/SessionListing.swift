import AuthDeckCore
import Foundation

/// `authdeck list` output. Never a secret: only ids, statuses and times.
public enum SessionListing {
  /// What `list` says on stderr when there is nothing to list.
  public static let empty = "No sessions yet. Start one with: authdeck login PROVIDER/ACCOUNT"

  /// What it says when there is nothing to list and the configuration cannot be read either:
  /// a login would fail the same way, so the configuration comes first.
  public static func emptyWithBrokenConfiguration(_ error: AuthDeckError) -> String {
    "No sessions yet, and the configuration cannot be read; fix it before logging in: \(error.description)"
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
      // A login under way beside a token still usable: both facts.
      if status != .pending, let pending = session.activePending(at: now) {
        remaining += ", login " + TimeFormat.minutesAndSeconds(pending.deadline.timeIntervalSince(now))
      }
      rows.append([
        Sanitizer.inline(session.id.description, limit: 60), status.rawValue, expires, remaining,
        RefreshColumn.text(session, now: now),
      ])
    }
    return TextTable.render(rows)
  }
}

public enum TextTable {
  /// Left-aligned columns separated by two spaces, padded by display width.
  public static func render(_ rows: [[String]]) -> String {
    guard let columns = rows.first?.count else { return "" }
    let widths = (0..<columns).map { column in rows.map { DisplayWidth.of($0[column]) }.max() ?? 0 }
    return rows.map { row in
      row.enumerated().map { index, cell in
        index == columns - 1
          ? cell : cell + String(repeating: " ", count: widths[index] - DisplayWidth.of(cell))
      }.joined(separator: "  ")
    }.joined(separator: "\n") + "\n"
  }
}

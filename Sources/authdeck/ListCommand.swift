import ArgumentParser
import AuthDeckCore
import Foundation

struct List: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "List every session with its status and expiry.")

  @OptionGroup var global: GlobalOptions
  @Flag(
    help:
      "Print a JSON array (no secrets): id, provider, account, status, issued_at, expires_at, refreshable.")
  var json = false

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      let context = Context(options: global)
      let (sessions, problems) = try context.store.loadAll()
      problems.forEach { Terminal.error($0) }
      let threshold = (try? context.configuration().expiringWithin) ?? 15 * 60
      let now = Date()
      if json {
        print(SessionListing.json(sessions, now: now, expiringWithin: threshold))
      } else if sessions.isEmpty {
        Terminal.note("No sessions yet. Start one with: authdeck login PROVIDER/ACCOUNT")
      } else {
        print(SessionListing.table(sessions, now: now, expiringWithin: threshold), terminator: "")
      }
    }
  }
}

/// `authdeck list` output. Never a secret: only ids, statuses and times.
enum SessionListing {
  static func json(_ sessions: [Session], now: Date, expiringWithin: TimeInterval) -> String {
    let objects: [[String: Any]] = sessions.map { session in
      [
        "id": session.id.description, "provider": session.id.provider, "account": session.id.account,
        "status": session.status(at: now, expiringWithin: expiringWithin).rawValue,
        "issued_at": session.tokens.map { TimeFormat.rfc3339($0.issuedAt) } ?? NSNull(),
        "expires_at": session.tokens?.expiresAt.map { TimeFormat.rfc3339($0) } ?? NSNull(),
        "refreshable": session.refreshable,
      ]
    }
    let data = try! JSONSerialization.data(
      withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
  }

  static func table(_ sessions: [Session], now: Date, expiringWithin: TimeInterval) -> String {
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
      }
      rows.append([
        Sanitizer.inline(session.id.description, limit: 60), status.rawValue, expires, remaining,
        session.refreshable ? "yes" : "no",
      ])
    }
    return TextTable.render(rows)
  }
}

enum TextTable {
  /// Left-aligned columns separated by two spaces, padded by display width.
  static func render(_ rows: [[String]]) -> String {
    guard let columns = rows.first?.count else { return "" }
    let widths = (0..<columns).map { column in rows.map { $0[column].count }.max() ?? 0 }
    return rows.map { row in
      row.enumerated().map { index, cell in
        index == columns - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
      }.joined(separator: "  ")
    }.joined(separator: "\n") + "\n"
  }
}

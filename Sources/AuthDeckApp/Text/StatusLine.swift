import AuthDeckCore
import Foundation

/// `authdeck status`: one short line for a shell prompt or tmux's status bar, from the store
/// alone (no configuration, no network). Never a secret: provider ids, times and counts.
///
/// `lime 7:50 · acme ✗ · limio ✓ · 2 to log in`: per provider (sorted), `✗` when one of its
/// sessions needs a login; else the time left (hours:minutes, rounded up; `1d4h` past a day) of
/// the session that will need one first; `✓` when none ever will (each renews itself or has
/// no known end). The tail counts the sessions that need a login. No sessions: no output.
public enum StatusLine {
  public static func line(_ sessions: [Session], now: Date) -> String {
    var parts: [String] = []
    var providers: [String] = []
    var byProvider: [String: [Session]] = [:]
    for session in sessions {
      if byProvider[session.id.provider] == nil { providers.append(session.id.provider) }
      byProvider[session.id.provider, default: []].append(session)
    }
    for provider in providers.sorted() {
      let group = byProvider[provider]!
      if group.contains(where: { $0.needsLogin(at: now) }) {
        parts.append("\(provider) ✗")
        continue
      }
      // A person is needed when a session that cannot renew itself ends, or when the refresh
      // token of one that can reaches its end.
      let ends = group.compactMap { session in
        session.refreshable(at: now) ? session.refreshEnds(after: now) : session.tokens?.expiresAt
      }
      parts.append("\(provider) " + (ends.min().map { left($0.timeIntervalSince(now)) } ?? "✓"))
    }
    let toLogIn = sessions.count { $0.needsLogin(at: now) }
    if toLogIn > 0 { parts.append("\(toLogIn) to log in") }
    return parts.joined(separator: " · ")
  }

  /// `7:50`, `0:01` (under a minute still shows as a minute), `1d4h`, `2d`.
  static func left(_ interval: TimeInterval) -> String {
    let minutes = Int((min(max(0, interval), 1e10) / 60).rounded(.up))
    let hours = minutes / 60
    if hours >= 24 { return "\(hours / 24)d" + (hours % 24 == 0 ? "" : "\(hours % 24)h") }
    return "\(hours):" + TimeFormat.digits(minutes % 60, 2)
  }
}

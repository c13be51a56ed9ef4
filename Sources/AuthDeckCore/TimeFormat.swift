import Foundation

/// How times are written for people: local wall clock, and durations as H:MM:SS or "2d 04:10".
public enum TimeFormat {
  /// "2026-11-23 03:00 EST" in the host's zone.
  public static func local(_ date: Date, timeZone: TimeZone = .current) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = timeZone
    formatter.dateFormat = "yyyy-MM-dd HH:mm zzz"
    return formatter.string(from: date)
  }

  /// "5:12:09" below a day, "2d 04:10" beyond; never negative.
  public static func countdown(_ interval: TimeInterval) -> String {
    let total = Int(min(max(0, interval.rounded(.down)), 1e12))  // Int(1e20) would trap
    let days = total / 86_400
    let hours = total % 86_400 / 3_600
    let minutes = total % 3_600 / 60
    let seconds = total % 60
    if days > 0 { return String(format: "%dd %02d:%02d", days, hours, minutes) }
    return String(format: "%d:%02d:%02d", hours, minutes, seconds)
  }

  /// "3h 12m ago", "in 4m", for messages.
  public static func ago(_ date: Date, now: Date) -> String {
    let seconds = Int(min(max(now.timeIntervalSince(date), -1e12), 1e12))
    let text = roughDuration(abs(seconds))
    return seconds >= 0 ? "\(text) ago" : "in \(text)"
  }

  public static func roughDuration(_ seconds: Int) -> String {
    if seconds < 60 { return "\(seconds)s" }
    if seconds < 3_600 { return "\(seconds / 60)m" }
    if seconds < 86_400 { return "\(seconds / 3_600)h \(seconds % 3_600 / 60)m" }
    return "\(seconds / 86_400)d \(seconds % 86_400 / 3_600)h"
  }

  /// RFC 3339 in UTC, for JSON output.
  public static func rfc3339(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
    return formatter.string(from: date)
  }
}

import Foundation

/// How times are written for people: local wall clock, and durations as H:MM:SS or "2d 04:10".
public enum TimeFormat {
  /// Calendar fields of `date` in `zone`. Used instead of a DateFormatter per call, which is
  /// slow to make and showed in `authdeck list` of 10,000 sessions.
  public static func fields(_ date: Date, in zone: TimeZone) -> DateComponents {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    return calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
  }

  /// "2026-11-23 03:00" in `zone`.
  public static func wallClock(_ date: Date, in zone: TimeZone) -> String {
    let f = fields(date, in: zone)
    return String(
      format: "%04d-%02d-%02d %02d:%02d", f.year ?? 0, f.month ?? 0, f.day ?? 0, f.hour ?? 0, f.minute ?? 0)
  }

  /// "2026-11-23 03:00 EST" in the host's zone.
  public static func local(_ date: Date, timeZone: TimeZone = .current) -> String {
    wallClock(date, in: timeZone) + " " + ZoneNames.shared.name(date, timeZone)
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
    let f = fields(date, in: TimeZone(identifier: "UTC")!)
    return String(
      format: "%04d-%02d-%02dT%02d:%02d:%02dZ", f.year ?? 0, f.month ?? 0, f.day ?? 0, f.hour ?? 0,
      f.minute ?? 0,
      f.second ?? 0)
  }
}

/// "EST" / "EDT" as DateFormatter's `zzz` writes them (TimeZone.abbreviation says "GMT-5"),
/// with one formatter per zone instead of one per call.
private final class ZoneNames: @unchecked Sendable {
  static let shared = ZoneNames()
  private let lock = NSLock()
  private var formatters: [String: DateFormatter] = [:]

  func name(_ date: Date, _ zone: TimeZone) -> String {
    lock.withLock {
      let formatter =
        formatters[zone.identifier]
        ?? {
          let made = DateFormatter()
          made.locale = Locale(identifier: "en_US_POSIX")
          made.timeZone = zone
          made.dateFormat = "zzz"
          formatters[zone.identifier] = made
          return made
        }()
      return formatter.string(from: date)
    }
  }
}

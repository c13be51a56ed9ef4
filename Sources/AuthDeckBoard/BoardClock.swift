import AuthDeckCore
import Foundation

/// Wall-clock text for the board, in the zone the board was given (tests pass UTC).
public enum BoardClock {
  /// "14:02:11"
  public static func clock(_ date: Date, in zone: TimeZone) -> String {
    let p = TimeFormat.fields(date, in: zone)
    return String(format: "%02d:%02d:%02d", p.hour ?? 0, p.minute ?? 0, p.second ?? 0)
  }

  /// "Tue 03:00" within a week of `now`, else "2026-12-01".
  public static func short(_ date: Date, now: Date, in zone: TimeZone) -> String {
    let p = TimeFormat.fields(date, in: zone)
    if abs(date.timeIntervalSince(now)) < 6 * 86_400 {
      let day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][((p.weekday ?? 1) - 1) % 7]
      return String(format: "%@ %02d:%02d", day, p.hour ?? 0, p.minute ?? 0)
    }
    return String(format: "%04d-%02d-%02d", p.year ?? 0, p.month ?? 0, p.day ?? 0)
  }
}

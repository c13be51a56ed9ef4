import AuthDeckCore
import Foundation

/// Wall-clock text for the board, in the zone the board was given (tests pass UTC).
public enum BoardClock {
  /// "14:02:11"
  public static func clock(_ date: Date, in zone: TimeZone) -> String {
    let p = TimeFormat.fields(date, in: zone)
    return TimeFormat.digits(p.hour ?? 0, 2) + ":" + TimeFormat.digits(p.minute ?? 0, 2) + ":"
      + TimeFormat.digits(p.second ?? 0, 2)
  }

  /// "Tue 03:00" within a week of `now`, else "2026-12-01".
  public static func short(_ date: Date, now: Date, in zone: TimeZone) -> String {
    let p = TimeFormat.fields(date, in: zone)
    if abs(date.timeIntervalSince(now)) < 6 * 86_400 {
      let day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][((p.weekday ?? 1) - 1) % 7]
      return day + " " + TimeFormat.digits(p.hour ?? 0, 2) + ":" + TimeFormat.digits(p.minute ?? 0, 2)
    }
    return TimeFormat.digits(p.year ?? 0, 4) + "-" + TimeFormat.digits(p.month ?? 0, 2) + "-"
      + TimeFormat.digits(p.day ?? 0, 2)
  }
}

import Foundation
import Synchronization

/// How times are written for people: local wall clock, and durations as H:MM:SS or "2d 04:10".
public enum TimeFormat {
  /// Calendar fields of `date` in `zone`. Used instead of a DateFormatter per call, which is
  /// slow to make and showed in `authdeck list` of 10,000 sessions.
  public static func fields(_ date: Date, in zone: TimeZone) -> DateComponents {
    Calendars.shared.calendar(for: zone).dateComponents(
      [.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
  }

  /// "2026-11-23 03:00" in `zone`.
  public static func wallClock(_ date: Date, in zone: TimeZone) -> String {
    let f = fields(date, in: zone)
    return digits(f.year ?? 0, 4) + "-" + digits(f.month ?? 0, 2) + "-" + digits(f.day ?? 0, 2) + " "
      + digits(f.hour ?? 0, 2) + ":" + digits(f.minute ?? 0, 2)
  }

  /// `value` zero-padded to `width` digits. String(format:) boxes its arguments through runtime
  /// casts that showed in `authdeck list --json` of 10,000 sessions.
  public static func digits(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
  }

  /// "2026-11-23 03:00 EST" in the host's zone.
  public static func local(_ date: Date, timeZone: TimeZone = .current) -> String {
    wallClock(date, in: timeZone) + " " + ZoneNames.shared.name(date, timeZone)
  }

  /// What `list` and the board show as the time left of a token whose lifetime nothing told
  /// (no expires_in, no JWT exp, no daily cutoff): valid until the provider refuses it.
  public static let unknownLifetime = "unknown"

  /// "5:12:09" below a day, "2d 04:10" beyond; never negative.
  public static func countdown(_ interval: TimeInterval) -> String {
    let total = Int(min(max(0, interval.rounded(.down)), 1e12))  // Int(1e20) would trap
    let days = total / 86_400
    let hours = total % 86_400 / 3_600
    let minutes = total % 3_600 / 60
    let seconds = total % 60
    if days > 0 { return "\(days)d " + digits(hours, 2) + ":" + digits(minutes, 2) }
    return "\(hours):" + digits(minutes, 2) + ":" + digits(seconds, 2)
  }

  /// "3h 12m ago", "in 4m", for messages.
  public static func ago(_ date: Date, now: Date) -> String {
    let seconds = Int(min(max(now.timeIntervalSince(date), -1e12), 1e12))
    let text = roughDuration(abs(seconds))
    return seconds >= 0 ? "\(text) ago" : "in \(text)"
  }

  /// "5 minutes", "1 minute": a whole number of minutes in words, for sentences such as
  /// "log in within 5 minutes" whose number lives in a constant.
  public static func minutes(_ seconds: TimeInterval) -> String {
    let minutes = Int((seconds / 60).rounded())
    return minutes == 1 ? "1 minute" : "\(minutes) minutes"
  }

  /// "4:46": minutes and seconds, for a login's few minutes.
  public static func minutesAndSeconds(_ seconds: TimeInterval) -> String {
    let whole = Int(min(max(0, seconds.rounded(.up)), 359_999))
    return "\(whole / 60):" + digits(whole % 60, 2)
  }

  /// "6d", "3h", "45m", "20s": the largest whole unit, rounded down, for narrow columns.
  public static func shortDuration(_ seconds: TimeInterval) -> String {
    let whole = Int(min(max(0, seconds), 1e12))
    if whole >= 86_400 { return "\(whole / 86_400)d" }
    if whole >= 3_600 { return "\(whole / 3_600)h" }
    if whole >= 60 { return "\(whole / 60)m" }
    return "\(whole)s"
  }

  public static func roughDuration(_ seconds: Int) -> String {
    if seconds < 60 { return "\(seconds)s" }
    if seconds < 3_600 { return "\(seconds / 60)m" }
    if seconds < 86_400 { return "\(seconds / 3_600)h \(seconds % 3_600 / 60)m" }
    return "\(seconds / 86_400)d \(seconds % 86_400 / 3_600)h"
  }

  /// RFC 3339 in UTC, for JSON output. UTC needs no calendar: the civil date comes straight from
  /// the day number (H. Hinnant's days-to-civil algorithm), which is much cheaper per session.
  public static func rfc3339(_ date: Date) -> String {
    let seconds = Int(min(max(date.timeIntervalSince1970.rounded(.down), -1e12), 1e12))
    let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let time = seconds - days * 86_400
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    return digits(year, 4) + "-" + digits(month, 2) + "-" + digits(day, 2) + "T" + digits(time / 3_600, 2)
      + ":"
      + digits(time % 3_600 / 60, 2) + ":" + digits(time % 60, 2) + "Z"
  }
}

/// One Gregorian calendar per zone, made once: making one per call showed in `authdeck list`.
private final class Calendars: Sendable {
  static let shared = Calendars()
  private let calendars = Mutex<[String: Calendar]>([:])

  func calendar(for zone: TimeZone) -> Calendar {
    calendars.withLock { calendars in
      if let made = calendars[zone.identifier] { return made }
      var calendar = Calendar(identifier: .gregorian)
      calendar.timeZone = zone
      calendars[zone.identifier] = calendar
      return calendar
    }
  }
}

/// "EST" / "EDT" as DateFormatter's `zzz` writes them (TimeZone.abbreviation says "GMT-5"),
/// with one formatter per zone instead of one per call.
private final class ZoneNames: Sendable {
  static let shared = ZoneNames()
  /// A zone has one name in summer time and one outside it: each is formatted once, by a
  /// formatter kept per zone (DateFormatter is not Sendable: it lives only inside the lock).
  private let state = Mutex<(names: [String: String], formatters: [String: DateFormatter])>(([:], [:]))

  func name(_ date: Date, _ zone: TimeZone) -> String {
    let key = zone.identifier + (zone.isDaylightSavingTime(for: date) ? "+dst" : "")
    return state.withLock { state in
      if let known = state.names[key] { return known }
      let formatter =
        state.formatters[zone.identifier]
        ?? {
          let made = DateFormatter()
          made.locale = Locale(identifier: "en_US_POSIX")
          made.timeZone = zone
          made.dateFormat = "zzz"
          return made
        }()
      state.formatters[zone.identifier] = formatter
      let made = formatter.string(from: date)
      state.names[key] = made
      return made
    }
  }
}

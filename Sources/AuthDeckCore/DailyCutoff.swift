import Foundation

/// A wall-clock time at which a provider kills every token, e.g. Lime's 03:00 America/New_York.
/// Computed with the zone's own rules, so it moves with daylight saving.
public struct DailyCutoff: Sendable, Equatable {
  public let hour: Int
  public let minute: Int
  public let timeZone: TimeZone

  public init(hour: Int, minute: Int, timeZone: TimeZone) {
    self.hour = hour
    self.minute = minute
    self.timeZone = timeZone
  }

  /// Parses "HH:MM Area/City". Returns nil for anything else.
  public init?(parsing text: String) {
    let parts = text.split(separator: " ", omittingEmptySubsequences: true)
    guard parts.count == 2 else { return nil }
    let clock = parts[0].split(separator: ":")
    guard clock.count == 2, clock[0].count <= 2, clock[1].count == 2,
      let hour = Int(clock[0]), let minute = Int(clock[1]), (0..<24).contains(hour),
      (0..<60).contains(minute),
      let zone = TimeZone(identifier: String(parts[1]))
    else { return nil }
    self.init(hour: hour, minute: minute, timeZone: zone)
  }

  /// The first cutoff strictly after `date`. A cutoff that falls in a skipped hour
  /// (spring forward) happens at the first instant after the gap.
  public func next(after date: Date) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    let wanted = DateComponents(hour: hour, minute: minute, second: 0)
    return calendar.nextDate(after: date, matching: wanted, matchingPolicy: .nextTime) ?? date
  }

  /// "03:00 ET" for well-known zones, else "03:00 America/New_York".
  public var shortDescription: String {
    let clock = String(format: "%02d:%02d", hour, minute)
    let names = [
      "America/New_York": "ET", "America/Chicago": "CT", "America/Denver": "MT", "America/Los_Angeles": "PT",
      "UTC": "UTC", "GMT": "UTC", "Europe/London": "UK",
    ]
    return "\(clock) \(names[timeZone.identifier] ?? timeZone.identifier)"
  }

  public var configValue: String { String(format: "%02d:%02d %@", hour, minute, timeZone.identifier) }
}

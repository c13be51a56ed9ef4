import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

@Suite("Time formatting")
struct TimeFormatTests {
  static let countdowns: [(TimeInterval, String)] = [
    (0, "0:00:00"), (-5, "0:00:00"), (0.999, "0:00:00"), (59, "0:00:59"), (61, "0:01:01"), (3600, "1:00:00"),
    (5 * 3600 + 12 * 60 + 9, "5:12:09"), (86_399, "23:59:59"), (86_400, "1d 00:00"),
    (2 * 86_400 + 4 * 3600 + 10 * 60 + 59, "2d 04:10"),
  ]

  @Test("a countdown shows hours, minutes and seconds, or days past a day", arguments: countdowns)
  func countdown(interval: TimeInterval, expected: String) {
    #expect(TimeFormat.countdown(interval) == expected)
  }

  @Test("a past instant reads as ago, and a future one as in")

  func agoAndIn() {
    let now = utc(2026, 6, 1, 12)
    #expect(TimeFormat.ago(now - 30, now: now) == "30s ago")
    #expect(TimeFormat.ago(now - 3 * 3600 - 12 * 60, now: now) == "3h 12m ago")
    #expect(TimeFormat.ago(now + 4 * 60, now: now) == "in 4m")
    #expect(TimeFormat.ago(now - 2 * 86_400 - 3600, now: now) == "2d 1h ago")
  }

  @Test("local time is shown in the given zone, with its abbreviation")

  func localTimeUsesTheGivenZone() throws {
    let newYork = try #require(TimeZone(identifier: "America/New_York"))
    #expect(TimeFormat.local(utc(2026, 11, 24, 8), timeZone: newYork) == "2026-11-24 03:00 EST")
    #expect(TimeFormat.local(utc(2026, 7, 16, 7), timeZone: newYork) == "2026-07-16 03:00 EDT")
  }

  @Test("RFC 3339 times are in UTC")

  func rfc3339IsUTC() {
    #expect(TimeFormat.rfc3339(utc(2026, 3, 8, 7, 0, 5)) == "2026-03-08T07:00:05Z")
  }
}

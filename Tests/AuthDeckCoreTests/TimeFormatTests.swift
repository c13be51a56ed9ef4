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

@Suite("RFC 3339 without a calendar")
struct RFC3339Tests {
  @Test("it agrees with Foundation's ISO 8601 formatter across leap days, centuries and before 1970")
  func agreesWithFoundation() {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    var instants: [TimeInterval] = [
      0, -1, 86_399, 86_400, 951_782_400, 951_868_799, 4_107_542_400, -2_208_988_800,
    ]
    var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    for _ in 0..<2_000 {  // a deterministic spread from 1901 to 2200
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      instants.append(TimeInterval(Int64(seed >> 33) % 9_467_280_000) - 2_176_000_000)
    }
    for instant in instants {
      let date = Date(timeIntervalSince1970: instant)
      #expect(TimeFormat.rfc3339(date) == formatter.string(from: date), "\(instant)")
    }
  }

  @Test("fractions of a second are cut, as the formatter does")
  func fractions() {
    #expect(TimeFormat.rfc3339(Date(timeIntervalSince1970: 1.9)) == "1970-01-01T00:00:01Z")
    #expect(TimeFormat.rfc3339(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59Z")
  }
}

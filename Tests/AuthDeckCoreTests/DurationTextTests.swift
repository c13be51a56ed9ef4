import Foundation
import Testing

@testable import AuthDeckCore

@Suite("Durations on the command line")
struct DurationTextTests {
  static let readable: [(String, TimeInterval)] = [
    ("90s", 90), ("15m", 900), ("2h", 7_200), ("1h30m", 5_400), ("2d", 172_800), ("1d2h3m4s", 93_784),
    ("0s", 0), ("120m", 7_200),
  ]

  @Test("a duration is numbers with units, largest first", arguments: readable)
  func aDurationIsNumbersWithUnitsLargestFirst(text: String, seconds: TimeInterval) {
    #expect(DurationText.parse(text) == seconds)
  }

  @Test(
    "anything else is not a duration",
    arguments: [
      "2x", "", "2", "h", "30m1h", "1h1h", "1.5h", "-5m", " 5m", "5m ", "5M", "9999999999s", "5m30",
    ])
  func anythingElseIsNotADuration(text: String) {
    #expect(DurationText.parse(text) == nil)
  }

  @Test("a duration is written back the shortest way")
  func aDurationIsWrittenBackTheShortestWay() {
    #expect(DurationText.format(7_200) == "2h")
    #expect(DurationText.format(5_400) == "1h30m")
    #expect(DurationText.format(90) == "1m30s")
    #expect(DurationText.format(93_784) == "1d2h3m4s")
    #expect(DurationText.format(0) == "0s")
    #expect(DurationText.format(0.5) == "0s")
  }
}

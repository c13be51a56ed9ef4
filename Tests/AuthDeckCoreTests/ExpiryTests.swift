import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

let newYorkCutoff = DailyCutoff(parsing: "03:00 America/New_York")!

@Suite("Daily cutoff and real expiry")
struct ExpiryTests {
  // MARK: DailyCutoff across daylight saving

  @Test("on the spring-forward night, the 03:00 cutoff comes 30 minutes after 01:30 EST")
  func springForwardNightCutoffIsThirtyMinutesAfterOneThirtyEST() {
    // 2026-03-08 01:30 EST is 06:30 UTC; clocks jump 02:00 EST -> 03:00 EDT (07:00 UTC).
    let from = utc(2026, 3, 8, 6, 30)
    let next = newYorkCutoff.next(after: from)
    #expect(next == utc(2026, 3, 8, 7, 0))
    #expect(next.timeIntervalSince(from) == 30 * 60)
  }

  @Test("on the fall-back night, the 03:00 cutoff comes 90 minutes after the second 01:30")
  func fallBackNightCutoffIsNinetyMinutesAfterTheSecondOneThirty() {
    // 2026-11-01: 01:30 EDT (05:30 UTC), then clocks go back, 01:30 EST (06:30 UTC); 03:00 EST is 08:00 UTC.
    let second = utc(2026, 11, 1, 6, 30)
    #expect(newYorkCutoff.next(after: second) == utc(2026, 11, 1, 8, 0))
    #expect(newYorkCutoff.next(after: second).timeIntervalSince(second) == 90 * 60)
    let first = utc(2026, 11, 1, 5, 30)
    #expect(newYorkCutoff.next(after: first) == utc(2026, 11, 1, 8, 0))
    #expect(newYorkCutoff.next(after: first).timeIntervalSince(first) == 150 * 60)
  }

  @Test(
    "the New York cutoff is 07:00 UTC in summer and 08:00 UTC in winter",
    arguments: [
      (utc(2026, 7, 15, 12), utc(2026, 7, 16, 7)),  // summer: 03:00 EDT = 07:00 UTC
      (utc(2026, 1, 15, 12), utc(2026, 1, 16, 8)),  // winter: 03:00 EST = 08:00 UTC
      (utc(2026, 7, 16, 6, 59, 59), utc(2026, 7, 16, 7)),
      (utc(2026, 1, 16, 7, 59), utc(2026, 1, 16, 8)),
      (utc(2026, 12, 31, 23), utc(2027, 1, 1, 8)),  // over the year's end
      (utc(2028, 2, 28, 12), utc(2028, 2, 29, 8)),  // leap day
    ])
  func summerCutoffIsSevenUTCAndWinterEightUTC(from: Date, expected: Date) {
    #expect(newYorkCutoff.next(after: from) == expected)
  }

  @Test("the next cutoff is strictly after the given instant, never at it")
  func theNextCutoffIsStrictlyAfter() {
    #expect(newYorkCutoff.next(after: utc(2026, 7, 16, 7)) == utc(2026, 7, 17, 7))
    #expect(newYorkCutoff.next(after: utc(2026, 1, 16, 8)) == utc(2026, 1, 17, 8))
  }

  @Test("a cutoff in the skipped hour happens at the end of the gap")
  func aCutoffInTheSkippedHourHappensAtTheEndOfTheGap() throws {
    // 02:30 does not exist in New York on 2026-03-08; the first instant after the gap is 03:00 EDT.
    let cutoff = try #require(DailyCutoff(parsing: "02:30 America/New_York"))
    #expect(cutoff.next(after: utc(2026, 3, 8, 6, 0)) == utc(2026, 3, 8, 7, 0))
    // The day after, it is an ordinary 02:30 EDT.
    #expect(cutoff.next(after: utc(2026, 3, 8, 8, 0)) == utc(2026, 3, 9, 6, 30))
  }

  @Test("a cutoff in the repeated hour fires at its first occurrence")
  func aRepeatedCutoffFiresAtItsFirstOccurrence() throws {
    // 01:30 happens twice on 2026-11-01; the token dies at the first one (05:30 UTC).
    let cutoff = try #require(DailyCutoff(parsing: "01:30 America/New_York"))
    #expect(cutoff.next(after: utc(2026, 11, 1, 4, 0)) == utc(2026, 11, 1, 5, 30))
  }

  // MARK: Parsing

  @Test("a cutoff parses into hour, minute and zone, and prints back short and in full")
  func parsesHourMinuteAndZone() throws {
    let cutoff = try #require(DailyCutoff(parsing: "03:00 America/New_York"))
    #expect(cutoff.hour == 3 && cutoff.minute == 0)
    #expect(cutoff.timeZone.identifier == "America/New_York")
    #expect(cutoff.configValue == "03:00 America/New_York")
    #expect(cutoff.shortDescription == "03:00 ET")
    #expect(DailyCutoff(parsing: "23:59 Europe/Berlin")?.shortDescription == "23:59 Europe/Berlin")
    #expect(DailyCutoff(parsing: "4:05 Asia/Kolkata")?.configValue == "04:05 Asia/Kolkata")
  }

  @Test(
    "a cutoff's config value parses back to the same cutoff",
    arguments: ["03:00 America/New_York", "4:05 Asia/Kolkata", "00:00 UTC", "23:59 Pacific/Chatham"])
  func configValueParsesBackToTheSameCutoff(text: String) throws {
    let cutoff = try #require(DailyCutoff(parsing: text))
    let again = try #require(DailyCutoff(parsing: cutoff.configValue))
    #expect(again.hour == cutoff.hour && again.minute == cutoff.minute)
    #expect(again.next(after: utc(2026, 3, 8, 0)) == cutoff.next(after: utc(2026, 3, 8, 0)))
  }

  @Test(
    "anything but HH:MM and a known zone is not a cutoff",
    arguments: [
      "", "03:00", "America/New_York", "24:00 UTC", "03:60 UTC", "-1:00 UTC", "03:0 UTC", "0300 UTC",
      "03:00:00 UTC", "03:00 Mars/Olympus_Mons", "03:00 America/New_York extra", "three UTC", "003:00 UTC",
    ])
  func rejectsAnythingElse(text: String) {
    #expect(DailyCutoff(parsing: text) == nil)
  }

  // MARK: Expiry.realExpiry

  @Test("expires_in alone gives the issue time plus the lifetime")

  func expiresInAloneGivesIssuePlusLifetime() {
    let issued = utc(2026, 5, 1, 12)
    let expiry = Expiry.realExpiry(issuedAt: issued, expiresIn: 3600, dailyCutoff: nil, accessToken: "opaque")
    #expect(expiry == utc(2026, 5, 1, 13))
  }

  @Test("with no lifetime, cutoff or JWT exp, the expiry is unknown")

  func nothingKnownGivesNil() {
    #expect(
      Expiry.realExpiry(issuedAt: utc(2026, 5, 1, 12), expiresIn: nil, dailyCutoff: nil, accessToken: "x")
        == nil)
  }

  @Test("the earliest of the lifetime, the cutoff and the JWT's exp wins")
  func theEarliestOfLifetimeCutoffAndJWTExpWins() {
    let issued = utc(2026, 7, 15, 20)  // 16:00 EDT; cutoff at 07:00 UTC next day (11 h)
    let late = unsignedJWT(payload: #"{"sub":"x","exp":\#(Int(utc(2026, 7, 20, 0).timeIntervalSince1970))}"#)
    let early = unsignedJWT(
      payload: #"{"sub":"x","exp":\#(Int(utc(2026, 7, 15, 21).timeIntervalSince1970))}"#, signature: "c2ln")

    // expires_in earliest.
    #expect(
      Expiry.realExpiry(issuedAt: issued, expiresIn: 3600, dailyCutoff: newYorkCutoff, accessToken: late)
        == utc(2026, 7, 15, 21))
    // The cutoff earliest.
    #expect(
      Expiry.realExpiry(issuedAt: issued, expiresIn: 86_400, dailyCutoff: newYorkCutoff, accessToken: late)
        == utc(2026, 7, 16, 7))
    // The JWT's exp earliest, placed on the local clock by the answer's Date (here: the same clock).
    #expect(
      Expiry.realExpiry(
        issuedAt: issued, expiresIn: 86_400, dailyCutoff: newYorkCutoff, accessToken: early,
        providerTime: issued)
        == utc(2026, 7, 15, 21))
    // A bare exp that cannot be placed does not shorten what expires_in says.
    #expect(
      Expiry.realExpiry(issuedAt: issued, expiresIn: 3_000, dailyCutoff: nil, accessToken: early)
        == issued.addingTimeInterval(3_000))
    // Only the JWT.
    #expect(
      Expiry.realExpiry(issuedAt: issued, expiresIn: nil, dailyCutoff: nil, accessToken: early)
        == utc(2026, 7, 15, 21))
  }

  @Test("a Lime token issued at 8 PM expires at 3 AM, not 4 AM")
  func limeTokenIssuedAtEightPMExpiresAtThreeAMNotFour() {
    // 2026-11-23 20:00 EST is 2026-11-24 01:00 UTC; 8 hours later would be 04:00 EST.
    let issued = utc(2026, 11, 24, 1)
    let expiry = Expiry.realExpiry(
      issuedAt: issued, expiresIn: 28_800, dailyCutoff: newYorkCutoff, accessToken: "opaque")
    #expect(expiry == utc(2026, 11, 24, 8))  // 03:00 EST
    #expect(expiry != utc(2026, 11, 24, 9))  // not 04:00 EST
  }

  @Test("in summer a Lime token dies at 07:00 UTC, an hour earlier than in winter")
  func limeInSummerIsOneHourEarlierInUTC() {
    // 2026-07-15 20:00 EDT is 2026-07-16 00:00 UTC; 03:00 EDT is 07:00 UTC, not a hard-coded 08:00 UTC.
    let expiry = Expiry.realExpiry(
      issuedAt: utc(2026, 7, 16, 0), expiresIn: 28_800, dailyCutoff: newYorkCutoff, accessToken: "opaque")
    #expect(expiry == utc(2026, 7, 16, 7))
  }

  @Test("a Lime token issued in the morning lives its full eight hours")
  func aMorningLimeTokenLivesItsFullEightHours() {
    // Issued 09:00 EST: 17:00 EST comes long before the next 03:00.
    let issued = utc(2026, 11, 24, 14)
    let expiry = Expiry.realExpiry(
      issuedAt: issued, expiresIn: 28_800, dailyCutoff: newYorkCutoff, accessToken: "opaque")
    #expect(expiry == utc(2026, 11, 24, 22))
  }

  // MARK: JWT

  @Test("a JWT's expiry is read from its numeric exp claim")

  func jwtExpiryReadsExp() {
    #expect(
      JWT.expiry(of: unsignedJWT(payload: #"{"exp":1800000000}"#))
        == Date(timeIntervalSince1970: 1_800_000_000))
    #expect(
      JWT.expiry(of: unsignedJWT(payload: #"{"exp":1800000000.5}"#))
        == Date(timeIntervalSince1970: 1_800_000_000.5))
  }

  @Test(
    "a token that is not a JWT with a numeric exp has no JWT expiry",
    arguments: [
      "opaque-token", "a.b", "a.b.c.d", "", "..",
      unsignedJWT(payload: #"{"sub":"no exp"}"#),
      unsignedJWT(payload: #"{"exp":"1800000000"}"#),
      unsignedJWT(payload: "not json"),
      unsignedJWT(payload: "[1800000000]"),
      "eyJhbGciOiJub25lIn0.!!!.sig",
    ])
  func jwtExpiryIgnoresTokensWithoutANumericExp(token: String) {
    #expect(JWT.expiry(of: token) == nil)
  }
}

/// Changes the process's zone (TZ, the C library and Foundation's cached zone) around `body`.
func withProcessTimeZone<T>(_ identifier: String, _ body: () throws -> T) rethrows -> T {
  let saved = getenv("TZ").map { String(cString: $0) }
  setenv("TZ", identifier, 1)
  tzset()
  NSTimeZone.resetSystemTimeZone()
  defer {
    if let saved { setenv("TZ", saved, 1) } else { unsetenv("TZ") }
    tzset()
    NSTimeZone.resetSystemTimeZone()
  }
  return try body()
}

/// The same facts, computed while the host believes it lives elsewhere. Serialized because
/// the process's zone is global state.
@Suite("Daily cutoff under any host zone", .serialized)
struct HostTimeZoneTests {
  @Test(
    "cutoffs and expiries do not depend on the host's time zone",
    arguments: [("UTC", 0), ("Asia/Kolkata", 19_800), ("America/Los_Angeles", -28_800)])
  func cutoffsDoNotDependOnTheHostZone(zone: String, offsetInJanuary: Int) throws {
    try withProcessTimeZone(zone) {
      // The change took effect for both Foundation and the C library, so the test is not vacuous.
      let january = utc(2026, 1, 15, 12)
      #expect(TimeZone.current.secondsFromGMT(for: january) == offsetInJanuary)
      var seconds = time_t(january.timeIntervalSince1970)
      var parts = tm()
      localtime_r(&seconds, &parts)
      #expect(Int(parts.tm_gmtoff) == offsetInJanuary)

      let cutoff = try #require(DailyCutoff(parsing: "03:00 America/New_York"))
      #expect(cutoff.next(after: utc(2026, 3, 8, 6, 30)) == utc(2026, 3, 8, 7, 0))
      #expect(cutoff.next(after: utc(2026, 11, 1, 6, 30)) == utc(2026, 11, 1, 8, 0))
      #expect(cutoff.next(after: utc(2026, 7, 15, 12)) == utc(2026, 7, 16, 7))
      #expect(cutoff.next(after: utc(2026, 1, 15, 12)) == utc(2026, 1, 16, 8))
      #expect(
        Expiry.realExpiry(
          issuedAt: utc(2026, 11, 24, 1), expiresIn: 28_800, dailyCutoff: cutoff, accessToken: "x")
          == utc(2026, 11, 24, 8))
      // A cutoff made before the zone changed gives the same answers.
      #expect(newYorkCutoff.next(after: utc(2026, 3, 8, 6, 30)) == utc(2026, 3, 8, 7, 0))
    }
  }
}

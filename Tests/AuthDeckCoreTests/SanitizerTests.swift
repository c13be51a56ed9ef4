import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

@Suite("Sanitizing text for the terminal")
struct SanitizerTests {
  static let cases: [(String, String)] = [
    ("plain text", "plain text"),
    ("a\u{1B}[31mb", "a\u{FFFD}[31mb"),
    ("\u{1B}]52;c;SGVsbG8=\u{07}", "\u{FFFD}]52;c;SGVsbG8=\u{FFFD}"),
    ("a\u{9B}31mb", "a\u{FFFD}31mb"),
    ("a\u{202E}b\u{202C}c", "a\u{FFFD}b\u{FFFD}c"),
    ("a\u{2066}b\u{2069}c\u{200F}d\u{061C}e", "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e"),
    ("a\u{FEFF}b", "a\u{FFFD}b"),
    ("a\u{7F}b\u{0}c", "a\u{FFFD}b\u{FFFD}c"),
    ("line one\r\nline two", "line one line two"),
    ("over\rwrite", "over write"),
    ("tab\tbed", "tab bed"),
    ("  many   spaces \n\n here  ", "many spaces here"),
    ("é 日本 😀", "é 日本 😀"),
    ("", ""),
  ]

  @Test("unsafe characters become U+FFFD, and runs of whitespace a single space", arguments: cases)
  func unsafeCharactersBecomeInert(input: String, expected: String) {
    #expect(Sanitizer.inline(input) == expected)
  }

  @Test("long text is cut at the limit with an ellipsis")

  func longTextIsCutWithAnEllipsis() {
    #expect(Sanitizer.inline("abcdef", limit: 5) == "abcde…")
    #expect(Sanitizer.inline("abcde", limit: 5) == "abcde")
    #expect(Sanitizer.inline(String(repeating: "x", count: 10_000)).count == 201)
    #expect(Sanitizer.inline(String(repeating: "x", count: 10_000), limit: 40).count == 41)
  }

  @Test("the limit counts characters after sanitizing")

  func theLimitCountsCharactersAfterSanitizing() {
    // Escapes do not let an attacker smuggle more than `limit` visible characters.
    let text = String(repeating: "\u{1B}[0m", count: 1_000)
    #expect(Sanitizer.inline(text, limit: 20).count == 21)
  }

  @Test("hostile text comes out inert and short")

  func hostileTextIsInertAndShort() {
    expectInert(Sanitizer.inline(hostileText), maxLength: 201)
    expectInert(Sanitizer.inline(hostileText, limit: 60), maxLength: 61)
  }

  @Test(
    "control, bidi and format characters are unsafe",
    arguments: Array(0..<0x20) + [0x7F] + Array(0x80...0x9F) + [0x061C, 0x200E, 0x200F]
      + Array(0x202A...0x202E)
      + Array(0x2066...0x2069) + [0xFEFF, 0xFFF9, 0xFFFA, 0xFFFB])
  func unsafeScalars(value: Int) throws {
    let scalar = try #require(Unicode.Scalar(UInt32(value)))
    #expect(Sanitizer.isUnsafe(scalar))
  }

  @Test(
    "printable characters, from ASCII to emoji, are safe",
    arguments: [0x20, 0x41, 0x7E, 0xA0, 0xE9, 0x2014, 0x65E5, 0x1F600, 0xFFFD])
  func safeScalars(value: Int) throws {
    let scalar = try #require(Unicode.Scalar(UInt32(value)))
    #expect(!Sanitizer.isUnsafe(scalar))
  }
}

@Suite("Session IDs")
struct SessionIDTests {
  @Test(
    "a valid session ID parses and prints back the same",
    arguments: ["lime/main", "limio-us/ops@acme.example", "a_b/é 日本", "svc/café", "lime/😀"])
  func validIdsParseAndPrintBack(text: String) throws {
    let id = try SessionID(parsing: text)
    #expect(id.description == text)
    #expect(id.provider == String(text[..<text.firstIndex(of: "/")!]))
  }

  @Test(
    "an invalid session ID is a usage error with a clean message",
    arguments: [
      "main", "/main", "lime/", "li me/main", "lime.x/main", "lime/\u{1B}[31m", "lime/a\nb", "lime/\u{7F}",
      "lime/" + String(repeating: "x", count: 101), "é/main", "lime/a/b", "demo/demo/dave", "lime/ main",
      "lime/main ", "lime/\u{202E}evil",
    ])
  func invalidIdsAreUsageErrorsWithCleanMessages(text: String) throws {
    let error = try #require(thrownError { () throws(AuthDeckError) in try SessionID(parsing: text) })
    #expect(error.kind == "usage")
    #expect(error.exitCode == 64)
    expectInert(error.description)
  }

  @Test("an account's rule is in the message, so the user knows what to type")
  func ruleIsSaid() throws {
    let error = try #require(thrownError { () throws(AuthDeckError) in try SessionID(parsing: "lime/a/b") })
    #expect(error.description == "the account in 'lime/a/b' must be \(SessionID.accountRule), e.g. lime/main")
  }

  @Test("an account typed composed (NFC) or decomposed (NFD) is one session")
  func accountsAreNFC() throws {
    let composed = try SessionID(parsing: "svc/caf\u{E9}")
    let decomposed = try SessionID(parsing: "svc/cafe\u{301}")
    #expect(composed == decomposed)
    #expect(decomposed.account.unicodeScalars.count == 4)
  }

  @Test("an id an older AuthDeck stored with a '/' in its account still reads")
  func storedIdsAreLenient() {
    #expect(SessionID(stored: "lime/a/b") == SessionID(provider: "lime", account: "a/b"))
    #expect(SessionID(stored: "lime/\u{1B}x") == nil)
    #expect(SessionID(stored: "/main") == nil)
  }

  @Test("session IDs sort by provider, then account")

  func idsSortByProviderThenAccount() {
    let ids = ["lime/b", "limio/a", "lime/a"].map { try! SessionID(parsing: $0) }
    #expect(ids.sorted().map(\.description) == ["lime/a", "lime/b", "limio/a"])
  }

  @Test("each kind of error has its exit code")

  func exitCodes() {
    #expect(AuthDeckError.usage("").exitCode == 64)
    #expect(AuthDeckError.config("").exitCode == 78)
    #expect(
      AuthDeckError.loginRequired(LoginRequired(SessionID(provider: "a", account: "b"), .noToken, at: Date()))
        .exitCode == 3)
    #expect(AuthDeckError.unknownSession(SessionID(provider: "a", account: "b")).exitCode == 64)
    #expect(AuthDeckError.network("").exitCode == 1)
    #expect(AuthDeckError.redirect("x").description == "x")
  }
}

import Foundation
import Testing

@testable import AuthDeckCore

@Suite("application/x-www-form-urlencoded and client_secret_basic")
struct FormEncodingTests {
  static let escapes: [(String, String)] = [
    ("+", "%2B"), ("&", "%26"), ("=", "%3D"), ("%", "%25"), (" ", "+"), ("é", "%C3%A9"),
    ("a b+c&d=e%f", "a+b%2Bc%26d%3De%25f"), (":", "%3A"), ("/", "%2F"), ("?", "%3F"), ("#", "%23"),
    ("~", "%7E"), ("\n", "%0A"), ("😀", "%F0%9F%98%80"), ("AZaz09-._*", "AZaz09-._*"), ("", ""),
  ]

  @Test("escaping encodes everything but the unreserved set, and a space as +", arguments: escapes)
  func escapeEncodesEverythingButTheUnreservedSet(plain: String, encoded: String) {
    #expect(FormEncoding.escape(plain) == encoded)
  }

  @Test("encoding joins the pairs in order, with keys and values escaped")

  func encodeJoinsPairsInOrder() {
    let body = FormEncoding.encode([("grant type", "a&b"), ("x", ""), ("k=v", "+")])
    #expect(body == "grant+type=a%26b&x=&k%3Dv=%2B")
  }

  @Test("decoding reads + as a space and percent escapes as UTF-8")
  func decodeReadsPlusAsSpaceAndPercentEscapes() throws {
    let fields = try #require(FormEncoding.decode("a=1&b=x+y&c=%C3%A9&d&e=%2B&f=%c3%a9&g=a=b"))
    #expect(fields.map(\.0) == ["a", "b", "c", "d", "e", "f", "g"])
    #expect(fields.map(\.1) == ["1", "x y", "é", "", "+", "é", "a=b"])
  }

  @Test("decoding skips empty pairs")

  func decodeSkipsEmptyPairs() throws {
    let fields = try #require(FormEncoding.decode("&&a=1&&"))
    #expect(fields.count == 1)
    #expect(fields.first?.0 == "a")
    #expect(FormEncoding.decode("")?.isEmpty == true)
  }

  @Test(
    "decoding a malformed percent escape or invalid UTF-8 fails",
    arguments: ["a=%", "a=%4", "a=%zz", "a=%G1", "%=1", "a%2=1", "a=%FF", "a=%C3", "a=%C3%28", "a=1&b=%"])
  func decodeOfMalformedPercentOrInvalidUTF8IsNil(text: String) {
    #expect(FormEncoding.decode(Substring(text)) == nil)
  }

  @Test("decoding decodes exactly once")

  func decodeDecodesExactlyOnce() throws {
    let fields = try #require(FormEncoding.decode("code=abc%252Fdef"))
    #expect(fields.first?.1 == "abc%2Fdef")
  }

  static let awkward: [String] = [
    "s3cret: +%&=é", "", " ", "%", "%25", "+", "a+b", "line\nbreak", "日本語", "😀 x", "=&=&", "~!*'()",
  ]

  @Test("an encoded value decodes back to itself", arguments: awkward)
  func encodeThenDecodeRoundTrips(value: String) throws {
    let body = FormEncoding.encode([("key " + value, value), ("plain", "1")])
    #expect(!body.contains(" "))
    let fields = try #require(FormEncoding.decode(Substring(body)))
    #expect(fields.count == 2)
    #expect(fields[0].0 == "key " + value)
    #expect(fields[0].1 == value)
    #expect(fields[1].0 == "plain" && fields[1].1 == "1")
  }

  @Test("client_secret_basic form-encodes the client ID and secret before base64")
  func clientSecretBasicFormEncodesIDAndSecretBeforeBase64() throws {
    let header = ClientSecretBasic.header(clientID: "client id", clientSecret: "s3cret: +%&=é")
    let expectedInner = "client%20id:s3cret%3A%20%2B%25%26%3D%C3%A9"
    #expect(header == "Basic " + Data(expectedInner.utf8).base64EncodedString())

    // A server that form-decodes (RFC 6749 §2.3.1) and one that only percent-decodes both get
    // the originals back: a space is %20, so no `+` is left to read two ways.
    let decoded = try #require(Data(base64Encoded: String(header.dropFirst("Basic ".count))))
    let inner = String(decoding: decoded, as: UTF8.self)
    let colon = try #require(inner.firstIndex(of: ":"))
    let (id, secret) = (inner[..<colon], inner[inner.index(after: colon)...])
    #expect(FormEncoding.unescape(id) == "client id")
    #expect(FormEncoding.unescape(secret) == "s3cret: +%&=é")
    #expect(String(id).removingPercentEncoding == "client id")
    #expect(String(secret).removingPercentEncoding == "s3cret: +%&=é")
  }

  @Test(
    "client_secret_basic secrets read back alike by form and percent decoders",
    arguments: ["a b", "a+b", "a/b", "a=b", "a:b", "a%b", "a&b", " +/=:%&é~*", "%20", "+"])
  func basicSecretsReadBackAlike(secret: String) throws {
    let header = ClientSecretBasic.header(clientID: "id", clientSecret: secret)
    let decoded = try #require(Data(base64Encoded: String(header.dropFirst("Basic ".count))))
    let inner = String(decoding: decoded, as: UTF8.self)
    let encoded = inner.dropFirst("id:".count)
    #expect(!encoded.contains("+") && !encoded.contains(" ") && !encoded.contains(":"))
    #expect(FormEncoding.unescape(encoded) == secret)
    #expect(String(encoded).removingPercentEncoding == secret)
  }

  @Test("client_secret_basic escapes a colon in the client ID, so the split is unambiguous")
  func clientSecretBasicColonInIDIsEscapedSoTheSplitIsUnambiguous() throws {
    let header = ClientSecretBasic.header(clientID: "a:b", clientSecret: "c")
    let decoded = try #require(Data(base64Encoded: String(header.dropFirst("Basic ".count))))
    #expect(String(decoding: decoded, as: UTF8.self) == "a%3Ab:c")
  }

  @Test("base64 matches Foundation's encoder", arguments: Array(0...12))
  func base64MatchesFoundation(length: Int) {
    let bytes = (0..<length).map { UInt8(truncatingIfNeeded: 250 &- $0 &* 19) }
    #expect(Base64.encode(bytes) == Data(bytes).base64EncodedString())
  }
}

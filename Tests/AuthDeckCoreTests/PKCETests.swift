import Foundation
import Testing

@testable import AuthDeckCore

@Suite("PKCE, SHA-256 and base64url")
struct PKCETests {
  /// RFC 7636 appendix B.
  static let rfcOctets: [UInt8] = [
    116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214,
    191,
    240, 91, 88, 5, 88, 83, 132, 141, 121,
  ]
  static let rfcVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
  static let rfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

  @Test("RFC 7636 appendix B's verifier gives its challenge, with the method S256")
  func rfc7636AppendixBChallenge() {
    #expect(PKCE(verifier: Self.rfcVerifier).challenge == Self.rfcChallenge)
    #expect(PKCE.method == "S256")
  }

  @Test("RFC 7636 appendix B's octets give its verifier and challenge")
  func rfc7636AppendixBVerifierFromOctets() {
    let pkce = PKCE(randomBytes: Self.rfcOctets)
    #expect(pkce.verifier == Self.rfcVerifier)
    #expect(pkce.challenge == Self.rfcChallenge)
  }

  @Test(
    "a verifier from 32 random bytes is 43 base64url characters that decode back to them",
    arguments: [0, 1, 2, 77, 255])
  func verifierFrom32BytesIs43Base64URLCharacters(seed: Int) {
    let bytes = (0..<32).map { UInt8(truncatingIfNeeded: seed &* 13 &+ $0 &* 101) }
    let verifier = PKCE(randomBytes: bytes).verifier
    #expect(verifier.count == 43)
    let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    #expect(verifier.allSatisfy { alphabet.contains($0) })
    // RFC 7636 §4.1: 43 to 128 unreserved characters; round trip gives the entropy back.
    #expect(Base64URL.decode(Substring(verifier)) == bytes)
  }

  @Test("different verifiers give different challenges")

  func differentVerifiersGiveDifferentChallenges() {
    let a = PKCE(randomBytes: [UInt8](repeating: 0, count: 32))
    let b = PKCE(randomBytes: [UInt8](repeating: 0, count: 31) + [1])
    #expect(a.verifier != b.verifier)
    #expect(a.challenge != b.challenge)
    #expect(a.challenge.count == 43)
  }

  static let digests: [(String, String)] = [
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    ),
    // Padding boundaries: 55 bytes fit one block, 56 and 64 need a second one.
    (String(repeating: "a", count: 55), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
    (String(repeating: "a", count: 56), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
    (String(repeating: "a", count: 64), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
    (String(repeating: "a", count: 1000), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"),
  ]

  @Test("SHA-256 gives the known digests, across the padding boundaries", arguments: digests)
  func sha256KnownDigests(message: String, hex: String) {
    let digest = SHA256.hash(Array(message.utf8))
    #expect(digest.count == 32)
    #expect(digest.map { String(format: "%02x", $0) }.joined() == hex)
  }

  static let rfc4648: [(String, String)] = [
    ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
    ("foobar", "Zm9vYmFy"),
  ]

  @Test("base64url encodes and decodes the RFC 4648 vectors without padding", arguments: rfc4648)
  func base64URLVectorsWithoutPadding(plain: String, encoded: String) {
    #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
    #expect(Base64URL.decode(Substring(encoded)) == Array(plain.utf8))
  }

  @Test("base64url uses - and _ where base64 uses + and /")

  func base64URLUsesTheURLAlphabet() {
    #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
    #expect(Base64URL.encode([0xFF, 0xFF, 0xFE]) == "___-")
    #expect(Base64.encode([0xFB, 0xFF]) == "+/8=")
  }

  @Test("base64url decoding accepts padding and refuses any other character")
  func base64URLDecodeAcceptsPaddingAndRejectsOtherCharacters() {
    #expect(Base64URL.decode("Zg==") == Array("f".utf8))
    #expect(Base64URL.decode("Zm8=") == Array("fo".utf8))
    #expect(Base64URL.decode("Zm9v!") == nil)
    #expect(Base64URL.decode("Zm 9v") == nil)
    #expect(Base64URL.decode("Zm9v\n") == nil)
  }

  @Test("base64url round-trips bytes of every length", arguments: Array(0...66))
  func base64URLRoundTripsEveryLength(length: Int) {
    let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 167 &+ length &* 31) }
    let encoded = Base64URL.encode(bytes)
    #expect(!encoded.contains("="))
    #expect(!encoded.contains("+") && !encoded.contains("/"))
    #expect(Base64URL.decode(Substring(encoded)) == bytes)
    // The standard alphabet agrees with Foundation's encoder.
    #expect(Base64.encode(bytes) == Data(bytes).base64EncodedString())
  }

  @Test("the constant-time comparison compares whole strings, byte for byte")
  func constantTimeEqualsComparesWholeStrings() {
    #expect(constantTimeEquals("abc", "abc"))
    #expect(!constantTimeEquals("abc", "abd"))
    #expect(!constantTimeEquals("abc", "ab"))
    #expect(!constantTimeEquals("", "a"))
    #expect(constantTimeEquals("", ""))
    #expect(!constantTimeEquals("é", "e\u{301}"))  // bytes, not canonical equivalence
  }
}

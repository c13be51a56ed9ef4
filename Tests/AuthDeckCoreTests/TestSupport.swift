import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// Helpers only the core tests use: a fake network, a fake secret resolver, deterministic
// randomness, HTTP and JWT builders, hostile text. Shared helpers (fixed instants, temp dirs,
// error kinds) are in AuthDeckTestSupport.

// MARK: Fakes

/// Answers canned responses in order and records every request. No network at all.
final class FakeTransport: HTTPTransport, @unchecked Sendable {
  private let lock = NSLock()
  private var queued: [Result<HTTPResponse, AuthDeckError>]
  private var recorded: [HTTPRequest] = []

  init(_ responses: [HTTPResponse] = []) {
    queued = responses.map { .success($0) }
  }

  func enqueue(_ response: HTTPResponse) {
    lock.withLock { queued.append(.success(response)) }
  }

  func enqueueFailure(_ error: AuthDeckError) {
    lock.withLock { queued.append(.failure(error)) }
  }

  var requests: [HTTPRequest] { lock.withLock { recorded } }
  var count: Int { lock.withLock { recorded.count } }

  func send(_ request: HTTPRequest) throws(AuthDeckError) -> HTTPResponse {
    let next: Result<HTTPResponse, AuthDeckError> = lock.withLock {
      recorded.append(request)
      return queued.isEmpty ? .failure(.network("FakeTransport: no response queued")) : queued.removeFirst()
    }
    return try next.get()
  }
}

struct FixedSecrets: SecretResolving {
  var value: String?
  func secret(for provider: Provider) throws(AuthDeckError) -> String? { value }
}

/// Deterministic "randomness": call n returns bytes n*31+i (mod 256), so successive calls differ.
final class CountingRandom: RandomSource, @unchecked Sendable {
  private let lock = NSLock()
  private var calls = 0

  func bytes(_ count: Int) -> [UInt8] {
    let call = lock.withLock {
      defer { calls += 1 }
      return calls
    }
    return Self.bytes(call: call, count: count)
  }

  static func bytes(call: Int, count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: call * 31 + $0 * 7 + 1) }
  }
}

// MARK: HTTP

func jsonResponse(_ status: Int, _ body: String, contentType: String? = "application/json") -> HTTPResponse {
  HTTPResponse(status: status, contentType: contentType, body: Data(body.utf8))
}

func jsonResponse(_ body: String, contentType: String? = "application/json") -> HTTPResponse {
  jsonResponse(200, body, contentType: contentType)
}

/// The form fields of a request body, as a dictionary (the tests never send duplicates).
func formFields(_ request: HTTPRequest) -> [String: String] {
  let text = String(decoding: request.body, as: UTF8.self)
  let fields = FormEncoding.decode(Substring(text)) ?? []
  return Dictionary(fields, uniquingKeysWith: { first, _ in first })
}

func header(_ name: String, in request: HTTPRequest) -> String? {
  request.headers.first { $0.0.lowercased() == name.lowercased() }?.1
}

/// The query of a URL string as a dictionary, decoded as a form.
func queryFields(_ url: String) -> [String: String]? {
  guard let question = url.firstIndex(of: "?") else { return nil }
  guard let fields = FormEncoding.decode(url[url.index(after: question)...]) else { return nil }
  return Dictionary(fields, uniquingKeysWith: { first, _ in first })
}

/// Builds an unsigned JWT (alg none) with the given payload JSON.
func unsignedJWT(payload: String, signature: String = "") -> String {
  let header = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
  return header + "." + Base64URL.encode(Array(payload.utf8)) + "." + signature
}

/// Text that tries every trick a hostile server or paste can play on a terminal.
let hostileText: String =
  "bad\u{1B}[31mred\u{1B}[0m \u{1B}]52;c;SGVsbG8=\u{07} line\rover \u{9B}31m csi \u{202E}reversed\u{202C} "
  + String(repeating: "A", count: 10_000)

/// Asserts that text shown to a user is inert and short.
func expectInert(_ text: String, maxLength: Int = 400, sourceLocation: SourceLocation = #_sourceLocation) {
  #expect(!text.contains("\u{1B}"), "ESC in: \(text.debugDescription)", sourceLocation: sourceLocation)
  #expect(!text.unicodeScalars.contains("\u{9B}"), "C1 CSI in output", sourceLocation: sourceLocation)
  #expect(!text.unicodeScalars.contains("\u{202E}"), "U+202E in output", sourceLocation: sourceLocation)
  #expect(!text.unicodeScalars.contains("\r"), "CR in output", sourceLocation: sourceLocation)
  #expect(!text.unicodeScalars.contains("\u{07}"), "BEL in output", sourceLocation: sourceLocation)
  #expect(!text.unicodeScalars.contains("\n"), "newline in output", sourceLocation: sourceLocation)
  #expect(text.count <= maxLength, "too long: \(text.count)", sourceLocation: sourceLocation)
}

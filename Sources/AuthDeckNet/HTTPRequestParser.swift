import Foundation

/// Reads one HTTP/1.1 request from the bytes a connection has sent so far. Anything a local
/// program can send is an answer: a request, "not yet", or "invalid" (then a 400): no byte
/// sequence traps. Only what the loopback listener needs: a request line, headers, and a
/// Content-Length body; no chunked bodies, no continuation lines.
enum HTTPRequestParser {
  /// The head and body together; a redirect is far smaller.
  static let limit = 64 * 1024

  enum Result: Equatable {
    case incomplete
    case complete(ServerRequest)
    case invalid
  }

  static func parse(_ bytes: [UInt8]) -> Result {
    guard let headEnd = headEnd(in: bytes) else { return bytes.count >= limit ? .invalid : .incomplete }
    let head = String(decoding: bytes[0..<(headEnd - 4)], as: UTF8.self)
    var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
    let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
    guard requestLine.count == 3, let method = requestLine.first, !method.isEmpty,
      method.utf8.allSatisfy({ (0x41...0x5A).contains($0) }), requestLine[1].hasPrefix("/"),
      requestLine[2].hasPrefix("HTTP/1.")
    else { return .invalid }
    var headers: [String: String] = [:]
    for line in lines {
      guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else { return .invalid }
      let name = line[..<colon].lowercased()
      let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      if let earlier = headers[name], name == "content-length", earlier != value { return .invalid }
      headers[name] = value
    }
    // A body the listener cannot delimit is refused rather than guessed at.
    if headers["transfer-encoding"] != nil { return .invalid }
    var length = 0
    if let text = headers["content-length"] {
      guard !text.isEmpty, text.utf8.count <= 6, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
        let value = Int(text), headEnd + value <= limit
      else { return .invalid }
      length = value
    }
    guard bytes.count >= headEnd + length else { return .incomplete }
    let request = ServerRequest(
      method: String(method), target: String(requestLine[1]), headers: headers,
      body: Data(bytes[headEnd..<(headEnd + length)]))
    return .complete(request)
  }

  /// The index just past the blank line that ends the head.
  static func headEnd(in bytes: [UInt8]) -> Int? {
    guard bytes.count >= 4 else { return nil }
    for i in 0...(bytes.count - 4)
    where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
      return i + 4
    }
    return nil
  }
}

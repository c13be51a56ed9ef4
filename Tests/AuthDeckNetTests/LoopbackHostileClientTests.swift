import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckNet

#if canImport(Glibc)
  import Glibc
#endif

/// Every byte a local program can send to the loopback listener: it answers or drops, never
/// traps, and a real redirect still gets through while other connections dawdle.
@Suite("Loopback listener against hostile clients")
struct LoopbackHostileClientTests {
  /// A client socket connected to 127.0.0.1:port (10 s receive timeout), or nil. The listener
  /// tests in LoopbackHTTPServerTests use it too.
  static func connectClient(port: UInt16) -> Int32? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else {
      close(fd)
      return nil
    }
    return fd
  }

  static func send(_ fd: Int32, _ bytes: [UInt8]) {
    _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
  }

  static func readAll(_ fd: Int32) -> String {
    var answer = [UInt8]()
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = recv(fd, &chunk, chunk.count, 0)
      if n <= 0 { break }
      answer += chunk[0..<n]
    }
    return String(decoding: answer, as: UTF8.self)
  }

  /// xorshift64*: the same hostile inputs on every run, so a failure can be replayed.
  struct Random {
    var state: UInt64
    mutating func next() -> UInt64 {
      state ^= state >> 12
      state ^= state << 25
      state ^= state >> 27
      return state &* 2_685_821_657_736_338_717
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func bytes(_ count: Int) -> [UInt8] {
      (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
  }

  /// Requests a fuzzer would try first, then random mutations of a good one.
  static func hostileRequests(count: Int) -> [[UInt8]] {
    let good = "GET /callback?code=c&state=s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    var fixed: [String] = [
      "POST /callback HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
      "POST /callback HTTP/1.1\r\nContent-Length: -99999999999999999999\r\n\r\nabc",
      "POST /callback HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
      "POST /callback HTTP/1.1\r\nContent-Length: 1000000\r\n\r\nshort",
      "POST /callback HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello",
      "POST /callback HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello",
      "POST /callback HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      "GET /callback HTTP/1.1\r\n"
        + String(repeating: "X-Pad: " + String(repeating: "a", count: 1000) + "\r\n", count: 100)
        + "\r\n",
      "GET\r\n\r\n", " / HTTP/1.1\r\n\r\n", "GET callback HTTP/1.1\r\n\r\n", "\r\n\r\n",
      "GET / HTTP/1.1\r\n:\r\n\r\n",
      "GET / HTTP/1.1\r\nNoColon\r\n\r\n", "GET /\u{0}\u{1B}[2J HTTP/1.1\r\n\r\n",
    ]
    fixed.append(String(repeating: "A", count: 70_000))
    var requests = fixed.map { Array($0.utf8) }
    var random = Random(state: 0x9E37_79B9_7F4A_7C15)
    while requests.count < count {
      var bytes = Array(good.utf8)
      for _ in 0..<(1 + random.below(6)) {
        switch random.below(4) {
        case 0: bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next())
        case 1: bytes.insert(contentsOf: random.bytes(1 + random.below(64)), at: random.below(bytes.count))
        case 2: bytes.removeSubrange(random.below(bytes.count)..<bytes.count)
        default: bytes = random.bytes(1 + random.below(512))
        }
        if bytes.isEmpty { bytes = [0] }
      }
      requests.append(bytes)
    }
    return requests
  }

  @Test("hostile requests get a 400 or are dropped, and a real redirect completes after them")
  func hostileRequestsNeverTrapTheListener() throws {
    let server = try LoopbackHTTPServer(port: 0)
    let serving = LoopbackHTTPServerTests.Serving(server, until: Date().addingTimeInterval(300)) { request in
      if request.path == "/callback", request.query == "code=real&state=s" {
        return (.text(200, "done\n"), true)
      }
      return (.text(404, "Not found\n"), false)
    }
    for (index, request) in Self.hostileRequests(count: 400).enumerated() {
      guard let fd = Self.connectClient(port: server.port) else {
        Issue.record("the listener stopped accepting after \(index) requests")
        return
      }
      Self.send(fd, request)
      // Most clients half-close their side after sending, as a fuzzer's would; every hundredth
      // just stops, and is dropped at its 2 s deadline.
      if index % 100 != 99 { shutdown(fd, Int32(SHUT_WR)) }
      let answer = Self.readAll(fd)
      close(fd)
      #expect(answer.isEmpty || answer.hasPrefix("HTTP/1.1 "), "request \(index): \(answer.prefix(80))")
    }
    let fd = try #require(Self.connectClient(port: server.port))
    Self.send(fd, Array("GET /callback?code=real&state=s HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
    let answer = Self.readAll(fd)
    close(fd)
    #expect(answer.hasPrefix("HTTP/1.1 200 ") && answer.hasSuffix("done\n"), "\(answer)")
    #expect(serving.finish() == true)
  }

  @Test("the browser's redirect completes at once while other connections send nothing")
  func theRedirectIsNotStarvedByIdleConnections() throws {
    let server = try LoopbackHTTPServer(port: 0)
    let serving = LoopbackHTTPServerTests.Serving(server, until: Date().addingTimeInterval(60)) { request in
      (.text(200, "done\n"), request.path == "/callback")
    }
    // Ten local programs connect and dawdle: some send nothing, some half a request.
    var idle: [Int32] = []
    defer { idle.forEach { close($0) } }
    for index in 0..<10 {
      let fd = try #require(Self.connectClient(port: server.port))
      if index.isMultiple(of: 2) { Self.send(fd, Array("GET /callback?code=slow HTTP/1.1\r\nHo".utf8)) }
      idle.append(fd)
    }
    let started = Date()
    let fd = try #require(Self.connectClient(port: server.port))
    Self.send(fd, Array("GET /callback?code=c&state=s HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
    let answer = Self.readAll(fd)
    close(fd)
    let waited = Date().timeIntervalSince(started)
    #expect(answer.hasSuffix("done\n"), "\(answer)")
    // Served before any idle connection's 2 s ran out: nothing waited on them.
    #expect(waited < LoopbackHTTPServer.requestDeadline, "the redirect waited \(waited) s")
    #expect(serving.finish() == true)
  }

  @Test("a connection that never finishes its request is dropped after its deadline")
  func aDawdlingConnectionIsDropped() throws {
    let server = try LoopbackHTTPServer(port: 0)
    let serving = LoopbackHTTPServerTests.Serving(server, until: Date().addingTimeInterval(30)) { _ in
      (.text(200, "done\n"), true)
    }
    let fd = try #require(Self.connectClient(port: server.port))
    Self.send(fd, Array("GET /callback HTTP/1.1\r\n".utf8))
    // The listener closes it without an answer: recv sees the end, well before its own 10 s timeout.
    let started = Date()
    #expect(Self.readAll(fd).isEmpty)
    #expect(Date().timeIntervalSince(started) < 6, "closed after its 2 s, not left open")
    close(fd)
    server.stop()
    #expect(serving.finish() == false)
  }
}

@Suite("HTTP request parser")
struct HTTPRequestParserTests {
  @Test("a request with a body is read whole, and not before it has all arrived")
  func aRequestWithABody() {
    let text = "POST /cb?x=1 HTTP/1.1\r\nContent-Length: 5\r\nHost: h\r\n\r\nhello"
    guard case .complete(let request) = HTTPRequestParser.parse(Array(text.utf8)) else {
      Issue.record("not parsed")
      return
    }
    #expect(request.method == "POST" && request.path == "/cb" && request.query == "x=1")
    #expect(request.body == Data("hello".utf8) && request.headers["host"] == "h")
    #expect(HTTPRequestParser.parse(Array(text.utf8.dropLast(2))) == .incomplete)
  }

  @Test(
    "a length that is negative, signed, too big or given twice is invalid",
    arguments: ["-1", "+5", "5 5", "", "0x10", "99999999999999999999", "70000"])
  func badLengthsAreInvalid(length: String) {
    let text = "POST / HTTP/1.1\r\nContent-Length: \(length)\r\n\r\n"
    #expect(HTTPRequestParser.parse(Array(text.utf8)) == .invalid)
  }

  @Test("a head that never ends is invalid once it passes the limit")
  func anEndlessHeadIsInvalid() {
    #expect(HTTPRequestParser.parse(Array(repeating: UInt8(ascii: "a"), count: 1000)) == .incomplete)
    #expect(
      HTTPRequestParser.parse(Array(repeating: UInt8(ascii: "a"), count: HTTPRequestParser.limit)) == .invalid
    )
  }
}

import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore
@testable import AuthDeckNet

#if canImport(Glibc)
  import Glibc
#endif

/// The loopback listener that catches a login's redirect (RFC 8252 §7.3, §8.3): loopback
/// only, a clear refusal when its port is taken, the right headers on its pages, and it stops
/// when told. The last tests drive the listener of a real `authdeck login`.
@Suite("Loopback listener")
struct LoopbackHTTPServerTests {
  /// `serve` on a thread of its own; `finish` waits for it to return.
  final class Serving: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Bool?

    init(
      _ server: LoopbackHTTPServer, until deadline: Date? = nil,
      _ handler: @escaping @Sendable (ServerRequest) -> (ServerResponse, stop: Bool)
    ) {
      Thread.detachNewThread { [self] in
        result = server.serve(until: deadline) { handler($0) }
        done.signal()
      }
    }

    /// serve's result, or nil when it has not returned within the timeout.
    func finish(timeout: TimeInterval = 10) -> Bool? {
      done.wait(timeout: .now() + timeout) == .success ? result : nil
    }
  }

  /// Sends raw bytes and reads the whole answer (the listener closes every connection).
  static func exchange(port: UInt16, _ request: String) -> String {
    guard let fd = LoopbackHostileClientTests.connectClient(port: port) else { return "" }
    defer { close(fd) }
    LoopbackHostileClientTests.send(fd, Array(request.utf8))
    return LoopbackHostileClientTests.readAll(fd)
  }

  /// Whether something accepts connections on 127.0.0.1:port.
  static func accepts(port: UInt16) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    } == 0
  }

  /// The local addresses (hex, as in /proc/net/tcp) listening on `port`.
  static func listeningAddresses(port: UInt16) -> [String] {
    let table = (try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? ""
    let suffix = String(format: ":%04X", port)
    return table.split(separator: "\n").dropFirst().compactMap { line in
      let fields = line.split(separator: " ")
      guard fields.count > 3, fields[1].hasSuffix(suffix), fields[3] == "0A" else { return nil }
      return String(fields[1].dropLast(suffix.count))
    }
  }

  // MARK: Binding

  @Test("the listener listens on 127.0.0.1 only, on a port of its own")
  func itListensOn127001OnlyOnAPortOfItsOwn() throws {
    let server = try LoopbackHTTPServer(port: 0)
    #expect(server.port != 0)
    #expect(Self.listeningAddresses(port: server.port) == ["0100007F"], "127.0.0.1, never 0.0.0.0")
    #expect(Self.accepts(port: server.port))
  }

  @Test("a port that is taken is refused with a reason")

  func aPortThatIsTakenIsRefusedWithAReason() throws {
    let first = try LoopbackHTTPServer(port: 0)
    let error = thrownError { () throws(AuthDeckError) in try LoopbackHTTPServer(port: first.port) }
    #expect(error?.kind == "network")
    #expect(error?.description.contains("in use") == true, "\(String(describing: error))")
    #expect(error?.description.contains("127.0.0.1:\(first.port)") == true)
  }

  @Test(
    "an address that is not loopback is refused",
    arguments: ["0.0.0.0", "::", "192.168.1.10", "localhost", "127.0.0.1.evil.example", ""])
  func anAddressThatIsNotLoopbackIsRefused(host: String) {
    let error = thrownError { () throws(AuthDeckError) in try LoopbackHTTPServer(host: host, port: 0) }
    #expect(error?.kind == "usage")
    #expect(error?.description.contains("loopback only") == true, "\(String(describing: error))")
  }

  @Test("the listener can listen on IPv6 loopback")

  func itCanListenOnIPv6Loopback() throws {
    let server = try LoopbackHTTPServer(host: "::1", port: 0)
    #expect(server.port != 0)
  }

  // MARK: Serving and stopping

  @Test("stop makes serve return")

  func stopMakesServeReturn() throws {
    let server = try LoopbackHTTPServer(port: 0)
    let serving = Serving(server) { _ in (.text(200, "ok\n"), false) }
    server.stop()
    #expect(serving.finish(timeout: 5) == false, "serve returns false when stopped")
  }

  @Test("serve returns at its deadline")

  func serveReturnsAtItsDeadline() throws {
    let server = try LoopbackHTTPServer(port: 0)
    let started = Date()
    let serving = Serving(server, until: Date().addingTimeInterval(0.3)) { _ in (.text(200, "ok\n"), false) }
    #expect(serving.finish(timeout: 5) == false)
    #expect(Date().timeIntervalSince(started) < 3)
  }

  @Test("the success page tells the browser to send no referrer and keep nothing, and echoes nothing")
  func theSuccessPageTellsTheBrowserToSendNoReferrerAndKeepNothing() throws {
    let server = try LoopbackHTTPServer(port: 0)
    let serving = Serving(server) { request in
      (LoopbackPages.success(SessionID(provider: "lime", account: "main")), request.path == "/callback")
    }
    let answer = try Curl.request("http://127.0.0.1:\(server.port)/callback?code=abc&state=xyz")
    #expect(answer.status == 200)
    let headers = answer.headers.lowercased()
    #expect(headers.contains("referrer-policy: no-referrer"))
    #expect(headers.contains("cache-control: no-store"))
    #expect(headers.contains("content-security-policy: default-src 'none'"))
    #expect(headers.contains("connection: close"))
    #expect(answer.body.contains("Logged in"))
    #expect(answer.body.contains("lime/main"))
    #expect(
      !answer.body.contains("abc") && !answer.body.contains("xyz"), "nothing from the request is echoed")
    #expect(serving.finish() == true, "serve returns true when the handler asks to stop")
  }

  @Test("a failure page escapes and sanitizes its reason")

  func aFailurePageEscapesAndSanitizesItsReason() throws {
    let server = try LoopbackHTTPServer(port: 0)
    let serving = Serving(server) { _ in
      (LoopbackPages.failure("<script>alert(1)</script> \u{1B}[31mred\u{202E}"), true)
    }
    let answer = try Curl.request("http://127.0.0.1:\(server.port)/callback")
    #expect(answer.status == 400)
    #expect(answer.headers.lowercased().contains("referrer-policy: no-referrer"))
    #expect(answer.body.contains("&lt;script&gt;"))
    #expect(!answer.body.contains("<script>"))
    #expect(!answer.body.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{202E}" })
    #expect(serving.finish() == true)
  }

  @Test("a malformed request gets a 400 and the listener keeps going")
  func aMalformedRequestGets400AndTheListenerKeepsGoing() throws {
    let server = try LoopbackHTTPServer(port: 0)
    let serving = Serving(server) { request in (.text(200, "seen \(request.method)\n"), true) }
    let garbage = Self.exchange(port: server.port, "NONSENSE\r\n\r\n")
    #expect(garbage.hasPrefix("HTTP/1.1 400 "), "\(garbage)")
    let answer = Self.exchange(
      port: server.port, "POST /callback HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
    #expect(answer.hasPrefix("HTTP/1.1 200 "), "\(answer)")
    #expect(answer.hasSuffix("seen POST\n"))
    #expect(serving.finish() == true)
  }

  @Test("the handler sees the method, path, query, headers and body")
  func theHandlerSeesPathQueryHeadersAndBody() throws {
    let server = try LoopbackHTTPServer(port: 0)
    final class Box: @unchecked Sendable { var request: ServerRequest? }
    let box = Box()
    let serving = Serving(server) { request in
      box.request = request
      return (.text(200, "ok\n"), true)
    }
    _ = Self.exchange(
      port: server.port,
      "POST /callback?code=a%2Bb&state=s HTTP/1.1\r\nHost: x\r\nX-Test: yes\r\nContent-Length: 4\r\n\r\nbody")
    #expect(serving.finish() == true)
    let request = try #require(box.request)
    #expect(request.method == "POST")
    #expect(request.path == "/callback")
    #expect(request.query == "code=a%2Bb&state=s")
    #expect(request.headers["x-test"] == "yes")
    #expect(request.body == Data("body".utf8))
  }

  // MARK: The listener of a real login

  @Test(
    "a real login's listener answers strangers with 404 and forgeries with 400, without stopping or echoing")
  func theLoginListenerAnswersStrangersWith404AndForgeriesWithoutStoppingOrEchoing() throws {
    let port = freeLoopbackPort()
    let stranger = "http://127.0.0.1:\(port)/favicon.ico?probe=MARK-STRANGER"
    let forgery = "http://127.0.0.1:\(port)/callback?code=forged&state=MARK-FORGED"
    try withServer(.lime) { server in
      try withSandbox(
        config: TestConfig.lime(server, loopbackPort: port), browser: .follow(probes: [stranger, forgery])
      ) { box in
        let result = try box.run(["login", "lime/main"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("lime/main: valid until "), "\(result)")

        // Another path: 404, and the body says nothing about the path or the query.
        #expect(box.browserRecord("probe-0-status") == "404")
        let strangerBody = box.browserRecord("probe-0-body") ?? ""
        #expect(!strangerBody.contains("favicon") && !strangerBody.contains("MARK"), "\(strangerBody)")

        // The right path with a state nobody issued: refused, nothing sent, still listening.
        #expect(box.browserRecord("probe-1-status") == "400")
        let forgedBody = box.browserRecord("probe-1-body") ?? ""
        #expect(!forgedBody.contains("MARK") && !forgedBody.contains("forged"), "\(forgedBody)")
        #expect(try server.tokenRequests().count == 1, "only the real code was exchanged")

        // The real redirect: the success page, with no referrer leaving the browser.
        let page = box.browserRecord("page") ?? ""
        #expect(page.contains("Logged in"))
        let headers = (box.browserRecord("headers") ?? "").lowercased()
        #expect(headers.contains("referrer-policy: no-referrer"), "\(headers)")

        // The listener is gone once the login is done.
        #expect(!Self.accepts(port: port))
      }
    }
  }
}

@Suite("A localhost redirect listens on both loopback stacks")
struct LocalhostListenerTests {
  /// Whether this machine can bind ::1 at all (containers without IPv6 cannot).
  static var hasIPv6Loopback: Bool { (try? LoopbackHTTPServer(host: "::1", port: 0)) != nil }

  @Test("http://localhost:PORT is served on 127.0.0.1 and on ::1, on the same port")
  func localhostIsServedOnBothStacks() throws {
    let port = freeLoopbackPort()
    let server = try LoopbackHTTPServer(
      redirect: try #require(URL(string: "http://localhost:\(port)/callback")))
    #expect(server.port == port)
    let addresses = Self.hasIPv6Loopback ? ["127.0.0.1", "[::1]"] : ["127.0.0.1"]
    let done = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
      var served = 0
      server.serve(until: Date().addingTimeInterval(20)) { request in
        served += 1
        return (.text(200, "hello \(request.path)\n"), served == addresses.count)
      }
      done.signal()
    }
    for address in addresses {
      let answer = try Curl.request("http://\(address):\(port)/callback")
      #expect(answer.status == 200, "\(address)")
      #expect(answer.body == "hello /callback\n")
    }
    #expect(done.wait(timeout: .now() + 20) == .success)
  }

  @Test("a ::1 port held by another program is refused for localhost, not half-served")
  func aHeldIPv6PortIsRefused() throws {
    guard Self.hasIPv6Loopback else { return }  // nothing to hold without IPv6
    let holder = try LoopbackHTTPServer(host: "::1", port: 0)
    let error = thrownError { () throws(AuthDeckError) in
      try LoopbackHTTPServer(redirect: URL(string: "http://localhost:\(holder.port)/callback")!)
    }
    #expect(
      error?.description.contains("[::1]:\(holder.port) is in use") == true, "\(String(describing: error))")
  }
}

import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

/// The device grant's polling (RFC 8628 §3.4, §3.5) as a state machine with time as data, and
/// the poller that runs it on a clock and a sleep the test owns: nothing here waits.
@Suite("Device login polling: pending, slow_down, denied, expired, tokens")
struct DevicePollingTests {
  static let tv = SessionID(provider: "tv", account: "den")
  static let start = utc(2026, 6, 1, 12)

  static func authorization(lifetime: TimeInterval = 600, interval: TimeInterval = 5) -> DeviceAuthorization {
    DeviceAuthorization(
      deviceCode: "device-code-secret", userCode: "WDJB-MJHT", verificationURI: "https://id.example/device",
      requestedAt: start, expiresAt: start.addingTimeInterval(lifetime), interval: interval)
  }

  static let tokens = TokenSet(accessToken: "at", issuedAt: start, expiresAt: start.addingTimeInterval(3600))

  func ended(_ step: DevicePolling.Step) -> AuthDeckError? {
    if case .ended(let error) = step { return error }
    return nil
  }

  // MARK: The state machine

  @Test("the first poll waits one interval; authorization_pending asks again one interval after the answer")
  func pendingKeepsTheInterval() {
    var polling = DevicePolling(Self.authorization(), for: Self.tv)
    #expect(polling.first == .poll(at: Self.start.addingTimeInterval(5)))
    let answeredAt = Self.start.addingTimeInterval(5.4)
    #expect(polling.next(after: .pending, at: answeredAt) == .poll(at: answeredAt.addingTimeInterval(5)))
    #expect(polling.interval == 5)
  }

  @Test("slow_down adds five seconds to this and every later wait")
  func slowDownAddsFiveSeconds() {
    var polling = DevicePolling(Self.authorization(), for: Self.tv)
    let t = Self.start.addingTimeInterval(5)
    #expect(polling.next(after: .slowDown, at: t) == .poll(at: t.addingTimeInterval(10)))
    #expect(
      polling.next(after: .slowDown, at: t.addingTimeInterval(10)) == .poll(at: t.addingTimeInterval(25)))
    #expect(
      polling.next(after: .pending, at: t.addingTimeInterval(25)) == .poll(at: t.addingTimeInterval(40)))
    #expect(polling.interval == 15)
  }

  @Test(
    "a provider that cannot be reached is asked again, waiting twice as long each time, up to five minutes")
  func unreachableBacksOff() {
    var polling = DevicePolling(Self.authorization(lifetime: 3600), for: Self.tv)
    var waits: [TimeInterval] = []
    var now = Self.start
    for _ in 0..<8 {
      guard case .poll(let at) = polling.next(after: .unreachable("timed out"), at: now) else {
        Issue.record("the login ended while the provider was unreachable")
        return
      }
      waits.append(at.timeIntervalSince(now))
      now = at
    }
    #expect(waits == [10, 20, 40, 80, 160, 300, 300, 300])
  }

  @Test("access_denied ends the login with what the server said, typed as a denial")
  func deniedEnds() throws {
    var polling = DevicePolling(Self.authorization(), for: Self.tv)
    let said = ProviderError(code: "access_denied", description: "user said no")
    let error = try #require(ended(polling.next(after: .denied(said), at: Self.start)))
    #expect(error.loginReason == .denied(Refusal(.loginDenied, said: said, at: Self.start)))
    #expect(error.exitCode == 3)
    #expect(error.description == "tv/den: the login was denied (access_denied: user said no)")
  }

  @Test("expired_token ends the login: the code was not entered in time")
  func expiredTokenEnds() throws {
    var polling = DevicePolling(Self.authorization(), for: Self.tv)
    let error = try #require(
      ended(polling.next(after: .expired(ProviderError(code: "expired_token")), at: Self.start)))
    #expect(error.loginReason == .timedOut(device: true))
    #expect(error.description == "tv/den: the code was not entered in time")
  }

  @Test("no poll is planned at or past the code's expiry: the login ends by the clock")
  func theClockEndsIt() throws {
    var polling = DevicePolling(Self.authorization(lifetime: 12, interval: 5), for: Self.tv)
    #expect(
      polling.next(after: .pending, at: Self.start.addingTimeInterval(5))
        == .poll(at: Self.start.addingTimeInterval(10)))
    let error = try #require(ended(polling.next(after: .pending, at: Self.start.addingTimeInterval(10))))
    #expect(error.loginReason == .timedOut(device: true))
    #expect(ended(DevicePolling(Self.authorization(lifetime: 5), for: Self.tv).first) != nil)
  }

  @Test("tokens end the polling logged in; any other refusal ends it with its error")
  func tokensAndOtherRefusals() throws {
    var polling = DevicePolling(Self.authorization(), for: Self.tv)
    #expect(polling.next(after: .tokens(Self.tokens), at: Self.start) == .loggedIn(Self.tokens))
    let refused = AuthDeckError.provider("tv: invalid_client: who are you")
    #expect(polling.next(after: .failed(refused), at: Self.start) == .ended(refused))
    let said = ProviderError(code: "invalid_grant", description: "spent")
    let spent = try #require(
      ended(polling.next(after: .failed(.grantRefused(provider: "tv", said)), at: Self.start)))
    #expect(spent.loginReason == .codeRefused(Refusal(.codeRefused, said: said, at: Self.start)))
    #expect(
      spent.description
        == "tv/den: the provider refused the login's code (invalid_grant: spent); this login has ended")
  }

  // MARK: The token endpoint's answers

  static let provider = Provider(
    id: "tv", authorizeURL: nil, tokenURL: URL(string: "https://id.example/token"), clientID: "tv-app",
    redirectURI: nil, grant: .deviceCode)

  @Test(
    "each §3.5 error is read as its answer, whatever the status",
    arguments: [
      ("authorization_pending", DevicePolling.Answer.pending), ("slow_down", .slowDown),
      ("access_denied", .denied(ProviderError(code: "access_denied"))),
      ("expired_token", .expired(ProviderError(code: "expired_token"))),
    ])
  func errorsAreAnswers(code: String, answer: DevicePolling.Answer) throws {
    let endpoint = try TokenEndpoint(provider: Self.provider, clientSecret: nil)
    for status in [400, 401, 200] {
      #expect(
        endpoint.pollAnswer(from: jsonResponse(status, #"{"error":"\#(code)"}"#), issuedAt: Self.start)
          == answer)
    }
  }

  @Test("the poll is the device_code grant with the public client's id, and a token answer is tokens")
  func thePollAndItsTokens() throws {
    let endpoint = try TokenEndpoint(provider: Self.provider, clientSecret: nil)
    let request = endpoint.deviceCodePoll("dc-1")
    #expect(
      formFields(request) == [
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": "dc-1",
        "client_id": "tv-app",
      ])
    let answer = endpoint.pollAnswer(
      from: jsonResponse(#"{"access_token":"at","token_type":"Bearer","expires_in":3600}"#),
      issuedAt: Self.start)
    #expect(answer == .tokens(Self.tokens))
    guard case .failed(let error) = endpoint.pollAnswer(from: jsonResponse(500, "oops"), issuedAt: Self.start)
    else {
      Issue.record("a 500 is not an answer to keep polling on")
      return
    }
    #expect(error.description.contains("HTTP 500"))
  }

  // MARK: The poller, on the test's clock

  /// A clock the sleeps move forward; it records each sleep (a sleep of no time is a check for
  /// cancellation, not recorded) and never waits.
  final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    private(set) var sleeps: [TimeInterval] = []
    private var calls = 0
    /// The sleep (counting those of no time) from which on the polling is cancelled.
    var cancelAfter: Int?

    init(_ start: Date) { current = start }

    var now: Date { lock.withLock { current } }

    func sleep(_ seconds: TimeInterval) -> Bool {
      lock.withLock {
        calls += 1
        if seconds > 0 { sleeps.append(seconds) }
        current = current.addingTimeInterval(seconds)
        return cancelAfter.map { calls < $0 } ?? true
      }
    }
  }

  func withPoller<T>(_ body: (TokenService, FakeTransport, TestClock) throws -> T) throws -> T {
    try withTemporaryDirectory { directory in
      let transport = FakeTransport()
      let service = TokenService(
        configuration: Configuration(providers: [Self.provider]),
        store: SessionStore(root: directory + "/authdeck"),
        transport: transport, secrets: FixedSecrets(value: nil))
      return try body(service, transport, TestClock(Self.start))
    }
  }

  func poller(_ service: TokenService, _ clock: TestClock) -> DeviceLoginPoller {
    DeviceLoginPoller(service: service, clock: { clock.now }, sleep: { clock.sleep($0) })
  }

  @Test("the poller waits the interval, slows down when told, and stores the tokens that come")
  func thePollerLogsIn() throws {
    try withPoller { service, transport, clock in
      transport.enqueue(jsonResponse(400, #"{"error":"authorization_pending"}"#))
      transport.enqueue(jsonResponse(400, #"{"error":"slow_down"}"#))
      transport.enqueue(jsonResponse(400, #"{"error":"authorization_pending"}"#))
      transport.enqueue(jsonResponse(#"{"access_token":"at-1","refresh_token":"rt-1","expires_in":3600}"#))
      let session = try #require(try poller(service, clock).wait(Self.tv, for: Self.authorization()))
      #expect(clock.sleeps == [5, 5, 10, 10])
      #expect(session.tokens?.accessToken == "at-1")
      #expect(session.tokens?.issuedAt == Self.start.addingTimeInterval(30))
      let stored = try service.store.load(Self.tv)
      #expect(stored?.tokens?.refreshToken == "rt-1")
      #expect(transport.requests.allSatisfy { formFields($0)["device_code"] == "device-code-secret" })
    }
  }

  @Test("the poller ends with the denial, and nothing is stored")
  func thePollerIsDenied() throws {
    try withPoller { service, transport, clock in
      transport.enqueue(jsonResponse(400, #"{"error":"authorization_pending"}"#))
      transport.enqueue(jsonResponse(400, #"{"error":"access_denied","error_description":"\u001b[31mno"}"#))
      let error = thrownError { () throws(AuthDeckError) in
        try poller(service, clock).wait(Self.tv, for: Self.authorization())
      }
      #expect(error?.kind == "loginRequired")
      expectInert(error?.description ?? "")
      #expect(error?.description.contains("the login was denied") == true)
      let stored = try service.store.load(Self.tv)
      #expect(stored == nil)
    }
  }

  @Test("the poller stops asking when the code expires, having asked only while it could help")
  func thePollerExpires() throws {
    try withPoller { service, transport, clock in
      for _ in 0..<10 { transport.enqueue(jsonResponse(400, #"{"error":"authorization_pending"}"#)) }
      let error = thrownError { () throws(AuthDeckError) in
        try poller(service, clock).wait(Self.tv, for: Self.authorization(lifetime: 22))
      }
      #expect(error?.description.contains("the code was not entered in time") == true)
      #expect(transport.count == 4, "at 5, 10, 15 and 20 seconds")
    }
  }

  @Test("a cancelled sleep ends the poller quietly, without another request")
  func aCancelledSleepEndsIt() throws {
    try withPoller { service, transport, clock in
      transport.enqueue(jsonResponse(400, #"{"error":"authorization_pending"}"#))
      clock.cancelAfter = 2
      let session = try poller(service, clock).wait(Self.tv, for: Self.authorization())
      #expect(session == nil)
      #expect(transport.count == 1)
    }
  }

  @Test("tokens that come after the login was cancelled are not stored")
  func cancelledBeforeTheTokensAreStored() throws {
    try withPoller { service, transport, clock in
      transport.enqueue(jsonResponse(#"{"access_token":"at-late","expires_in":60}"#))
      clock.cancelAfter = 2  // cancelled while the first poll was under way
      let session = try poller(service, clock).wait(Self.tv, for: Self.authorization())
      #expect(session == nil)
      #expect(transport.count == 1)
      let stored = try service.store.load(Self.tv)
      #expect(stored == nil)
    }
  }

  @Test("an unreachable provider is asked again later instead of ending the login")
  func unreachableIsAskedAgain() throws {
    try withPoller { service, transport, clock in
      transport.enqueueFailure(.network("could not reach id.example"))
      transport.enqueue(jsonResponse(#"{"access_token":"at-2","expires_in":60}"#))
      let session = try poller(service, clock).wait(Self.tv, for: Self.authorization())
      #expect(session?.tokens?.accessToken == "at-2")
      #expect(clock.sleeps == [5, 10])
    }
  }
}

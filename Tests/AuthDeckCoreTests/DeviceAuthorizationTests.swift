import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

/// The device authorization endpoint (RFC 8628 §3.1, §3.2): the request, with the client's
/// authentication as at the token endpoint, and the answer, checked before anything is shown.
@Suite("Device authorization: the request and the answer")
struct DeviceAuthorizationTests {
  static let now = utc(2026, 6, 1, 12)

  static func provider(secret: SecretSource = .none, clientAuth: ClientAuth? = nil, scope: String? = nil)
    -> Provider
  {
    Provider(
      id: "tv", authorizeURL: nil, tokenURL: URL(string: "https://id.example/token"),
      deviceAuthorizationURL: URL(string: "https://id.example/device_authorization"), clientID: "tv app",
      secret: secret, clientAuth: clientAuth, redirectURI: nil, scope: scope, grant: .deviceCode)
  }

  func parse(_ body: String, status: Int = 200) throws(AuthDeckError) -> DeviceAuthorization {
    try ClientEndpoint.deviceAuthorization(of: Self.provider(), clientSecret: nil)
      .deviceAuthorization(from: jsonResponse(status, body), requestedAt: Self.now)
  }

  @Test("a public client sends its client_id and the scope; a confidential one authenticates as configured")
  func theRequest() throws {
    let public_ = try ClientEndpoint.deviceAuthorization(
      of: Self.provider(scope: "openid offline_access"), clientSecret: nil
    )
    .deviceAuthorizationRequest()
    #expect(public_.url.absoluteString == "https://id.example/device_authorization")
    #expect(public_.method == "POST")
    #expect(formFields(public_) == ["client_id": "tv app", "scope": "openid offline_access"])
    #expect(header("Authorization", in: public_) == nil)

    let basic = try ClientEndpoint.deviceAuthorization(
      of: Self.provider(secret: .environment("S"), clientAuth: .basic), clientSecret: "a b+c"
    ).deviceAuthorizationRequest()
    #expect(formFields(basic).isEmpty)
    #expect(
      header("Authorization", in: basic)
        == ClientSecretBasic.header(clientID: "tv app", clientSecret: "a b+c"))

    let post = try ClientEndpoint.deviceAuthorization(
      of: Self.provider(secret: .environment("S"), clientAuth: .post), clientSecret: "s3cret"
    ).deviceAuthorizationRequest()
    #expect(formFields(post) == ["client_id": "tv app", "client_secret": "s3cret"])
  }

  @Test("a provider without the endpoint is told how to name it")
  func noEndpoint() {
    var provider = Self.provider()
    provider.setURL(nil, for: .deviceAuthorization, source: .config)
    let error = thrownError { () throws(AuthDeckError) in
      try ClientEndpoint.deviceAuthorization(of: provider, clientSecret: nil)
    }
    #expect(
      error?.description
        == "tv: no device authorization endpoint (set device_authorization_url, or issuer to discover it)")
  }

  @Test("the answer: codes, where to enter them, until when, and how often to ask")
  func theAnswer() throws {
    let answer = try parse(
      #"""
      {"device_code":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","user_code":"WDJB-MJHT",
       "verification_uri":"https://id.example/device",
       "verification_uri_complete":"https://id.example/device?user_code=WDJB-MJHT",
       "expires_in":1800,"interval":7}
      """#)
    #expect(answer.deviceCode == "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS")
    #expect(answer.userCode == "WDJB-MJHT")
    #expect(answer.expiresAt == Self.now.addingTimeInterval(1800))
    #expect(answer.interval == 7)
    #expect(answer.browserURL == "https://id.example/device?user_code=WDJB-MJHT")
    #expect(
      answer.prompt
        == DeviceLoginPrompt(
          userCode: "WDJB-MJHT", verificationURI: "https://id.example/device",
          verificationURIComplete: "https://id.example/device?user_code=WDJB-MJHT",
          expiresAt: Self.now.addingTimeInterval(1800)))
  }

  @Test(
    "what servers leave out or send their own way: no interval is 5 s, a string lifetime, Google's verification_url"
  )
  func roughEdges() throws {
    let answer = try parse(
      #"{"device_code":"d","user_code":"123-456-789","verification_url":"https://www.google.com/device","expires_in":"600"}"#
    )
    #expect(answer.interval == 5)
    #expect(answer.expiresAt == Self.now.addingTimeInterval(600))
    #expect(answer.verificationURI == "https://www.google.com/device")
    #expect(answer.browserURL == "https://www.google.com/device")
    let fast = try parse(
      #"{"device_code":"d","user_code":"C","verification_uri":"https://x.example/d","interval":0.01}"#)
    #expect(fast.interval == 1, "never faster than a second")
  }

  @Test(
    "an answer that cannot be shown safely is refused, naming what is wrong",
    arguments: [
      (#"{"user_code":"A","verification_uri":"https://x.example/d"}"#, "no device_code"),
      (#"{"device_code":"d","verification_uri":"https://x.example/d"}"#, "no user_code that can be shown"),
      (
        #"{"device_code":"d","user_code":"AB\u001b]52;c;x\u0007","verification_uri":"https://x.example/d"}"#,
        "no user_code that can be shown"
      ),
      (
        #"{"device_code":"d","user_code":"A","verification_uri":"javascript:alert(1)"}"#,
        "no https verification_uri"
      ),
      (
        #"{"device_code":"d","user_code":"A","verification_uri":"http://evil.example/d"}"#,
        "no https verification_uri"
      ),
    ])
  func unsafeAnswersAreRefused(body: String, problem: String) {
    let error = thrownError { () throws(AuthDeckError) in try parse(body) }
    #expect(error?.kind == "provider")
    #expect(error?.description == "tv: the device authorization answer has \(problem)")
  }

  @Test("a verification_uri_complete that is not a web address is not opened; the plain one is")
  func aBadCompleteURIIsDropped() throws {
    let answer = try parse(
      #"{"device_code":"d","user_code":"A","verification_uri":"https://x.example/d","verification_uri_complete":"file:///etc/passwd"}"#
    )
    #expect(answer.verificationURIComplete == nil)
    #expect(answer.browserURL == "https://x.example/d")
  }

  @Test("an error answer is the provider's, sanitized; a redirect names device_authorization_url")
  func errors() {
    let refused = thrownError { () throws(AuthDeckError) in
      try parse(
        #"{"error":"unauthorized_client","error_description":"no device grant\u001b[2J"}"#, status: 400)
    }
    #expect(refused?.kind == "provider")
    expectInert(refused?.description ?? "")
    #expect(refused?.description.hasPrefix("tv: unauthorized_client: no device grant") == true)
    let moved = thrownError { () throws(AuthDeckError) in try parse("", status: 302) }
    #expect(moved?.description.contains("device_authorization_url") == true)
  }
}

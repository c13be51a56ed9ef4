import Foundation

/// What the device authorization endpoint answered (RFC 8628 §3.2): the device code to poll
/// with (a secret, kept only by the process that polls), the code the user enters, where, and
/// until when. Everything from the server is checked here; what is shown is in `prompt`.
public struct DeviceAuthorization: Equatable, Sendable {
  public var deviceCode: String
  public var userCode: String
  public var verificationURI: String
  /// The same page with the code filled in, when the provider offers one.
  public var verificationURIComplete: String?
  public var requestedAt: Date
  public var expiresAt: Date
  /// Seconds between polls: the server's `interval`, else 5 (§3.2), at least 1.
  public var interval: TimeInterval

  public static let defaultInterval: TimeInterval = 5
  /// `expires_in` is required, but a server that leaves it out should not end the login at
  /// once: 30 minutes, and the server says `expired_token` when it knows better.
  static let defaultLifetime: TimeInterval = 1800

  public init(
    deviceCode: String, userCode: String, verificationURI: String, verificationURIComplete: String? = nil,
    requestedAt: Date, expiresAt: Date, interval: TimeInterval = defaultInterval
  ) {
    self.deviceCode = deviceCode
    self.userCode = userCode
    self.verificationURI = verificationURI
    self.verificationURIComplete = verificationURIComplete
    self.requestedAt = requestedAt
    self.expiresAt = expiresAt
    self.interval = interval
  }

  /// The page to open in a browser: the one with the code filled in when there is one.
  public var browserURL: String { verificationURIComplete ?? verificationURI }

  /// What the user is told, without the device code.
  public var prompt: DeviceLoginPrompt {
    DeviceLoginPrompt(
      userCode: userCode, verificationURI: verificationURI, verificationURIComplete: verificationURIComplete,
      expiresAt: expiresAt)
  }

  /// Reads the endpoint's answer. A code that is not short printable text, or a verification
  /// address that is not a web address, is refused: both are shown and copied.
  static func parse(_ object: JSONValue, provider: Provider, requestedAt: Date) throws(AuthDeckError)
    -> DeviceAuthorization
  {
    let who = provider.id
    guard let deviceCode = object["device_code"]?.string, !deviceCode.isEmpty else {
      throw .provider("\(who): the device authorization answer has no device_code")
    }
    guard let userCode = object["user_code"]?.string, isShowable(userCode) else {
      throw .provider("\(who): the device authorization answer has no user_code that can be shown")
    }
    // Google's endpoint says verification_url.
    guard let uri = (object["verification_uri"] ?? object["verification_url"])?.string, isWebAddress(uri)
    else {
      throw .provider("\(who): the device authorization answer has no https verification_uri")
    }
    let complete = object["verification_uri_complete"]?.string.flatMap { isWebAddress($0) ? $0 : nil }
    let lifetime = object["expires_in"].flatMap(EndpointAnswer.seconds) ?? defaultLifetime
    let interval = object["interval"].flatMap(EndpointAnswer.seconds).map { max(1, $0) } ?? defaultInterval
    return DeviceAuthorization(
      deviceCode: deviceCode, userCode: userCode, verificationURI: uri, verificationURIComplete: complete,
      requestedAt: requestedAt, expiresAt: requestedAt.addingTimeInterval(lifetime), interval: interval)
  }

  /// A user code is typed by a person: a few printable characters, nothing a terminal acts on.
  static func isShowable(_ code: String) -> Bool {
    !code.isEmpty && code.count <= 64 && !code.unicodeScalars.contains { Sanitizer.isUnsafe($0) || $0 == " " }
  }

  /// https, or http on a loopback address (a test server): the only addresses a browser is sent to.
  static func isWebAddress(_ text: String) -> Bool {
    guard text.count <= 2048, let url = URL(string: text), let scheme = url.scheme?.lowercased(),
      url.host != nil
    else { return false }
    return scheme == "https" || (scheme == "http" && Loopback.isLoopbackHost(url.host))
  }
}

/// A device login as the user sees it: the code to enter, where, and until when.
public struct DeviceLoginPrompt: Equatable, Sendable {
  public var userCode: String
  public var verificationURI: String
  public var verificationURIComplete: String?
  public var expiresAt: Date

  public init(
    userCode: String, verificationURI: String, verificationURIComplete: String? = nil, expiresAt: Date
  ) {
    self.userCode = userCode
    self.verificationURI = verificationURI
    self.verificationURIComplete = verificationURIComplete
    self.expiresAt = expiresAt
  }

  public func isActive(at now: Date) -> Bool { expiresAt > now }
}

/// The device authorization endpoint (RFC 8628 §3.1): a form POST with the client's
/// authentication, as at the token endpoint (a public client sends its client_id).
extension ClientEndpoint {
  /// The provider's device authorization endpoint; refused when it has none.
  public static func deviceAuthorization(
    of provider: Provider, clientSecret: String?, deadline: TimeInterval = 30
  )
    throws(AuthDeckError) -> ClientEndpoint
  {
    try ClientEndpoint(
      .deviceAuthorization, of: provider, key: "device_authorization_url", clientSecret: clientSecret,
      deadline: deadline)
  }

  public func deviceAuthorizationRequest() -> HTTPRequest {
    post(provider.scope.map { [("scope", $0)] } ?? [])
  }

  public func deviceAuthorization(from response: HTTPResponse, requestedAt: Date) throws(AuthDeckError)
    -> DeviceAuthorization
  {
    let object = try EndpointAnswer.object(
      response, endpoint: "device authorization endpoint", key: "device_authorization_url", provider: provider
    ) { _, reason in .provider("\(provider.id): \(reason)") }
    return try DeviceAuthorization.parse(object, provider: provider, requestedAt: requestedAt)
  }
}

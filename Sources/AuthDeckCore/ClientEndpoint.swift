import Foundation

/// One of the provider's endpoints that the client authenticates at (token, revocation):
/// form POSTs with the client's authentication (RFC 6749 §2.3.1), HTTP Basic or the secret in
/// the body as the provider takes it; a public client (no secret) names itself with client_id
/// in the body.
public struct ClientEndpoint: Sendable {
  public let provider: Provider
  public let url: URL
  public let clientSecret: String?
  public let deadline: TimeInterval

  /// Refuses a provider that does not have the endpoint (`key` names the setting that gives it).
  init(
    _ endpoint: Provider.Endpoint, of provider: Provider, key: String, clientSecret: String?,
    deadline: TimeInterval
  ) throws(AuthDeckError) {
    guard let url = provider.url(for: endpoint) else {
      throw .config("\(provider.id): no \(endpoint.name) endpoint (set \(key), or issuer to discover it)")
    }
    self.provider = provider
    self.url = url
    self.clientSecret = clientSecret
    self.deadline = deadline
  }

  func post(_ fields: [(String, String)]) -> HTTPRequest {
    var fields = fields
    var headers = [
      ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
      ("User-Agent", "AuthDeck/1"),
    ]
    switch (provider.clientAuth, clientSecret) {
    case (.basic, let secret?):
      headers.append(
        (
          "Authorization",
          ClientSecretBasic.header(
            clientID: provider.clientID, clientSecret: secret, raw: provider.basicCredentials == .raw)
        ))
    case (.post, let secret?):
      fields += [("client_id", provider.clientID), ("client_secret", secret)]
    case (_, nil):
      fields.append(("client_id", provider.clientID))  // a public client names itself (§4.1.3)
    }
    return HTTPRequest(
      method: "POST", url: url, headers: headers, body: Data(FormEncoding.encode(fields).utf8),
      caFile: provider.caFile, deadline: deadline)
  }
}

/// What an endpoint's answer says when it is not what was asked for: an RFC 6749 §5.2 error
/// body, or a redirect. Every piece that came from the server is sanitized.
enum EndpointAnswer {
  /// What a JSON object's `error` and `error_description` say, and as one line (sanitized,
  /// with a hint where one helps); nil when the object carries no `error`.
  static func error(in object: JSONValue?, provider: Provider) -> (said: ProviderError, reason: String)? {
    guard let object, let error = object["error"]?.string else { return nil }
    let said = ProviderError(code: error, description: object["error_description"]?.string)
    var reason = said.text
    if error == "invalid_client" && provider.clientAuth == .basic && !provider.isPublicClient {
      reason += " (if the secret is right, the provider may want it in the body: client_auth = \"post\")"
    }
    return (said, reason)
  }

  /// The JSON object of a 200 answer from `endpoint` (named in messages, `key` the setting
  /// that gives it). An RFC 6749 §5.2 error body becomes the error `refusal` makes of what it
  /// said and the line for it; a redirect, another status, HTML or anything that is not a JSON object is an
  /// error that says which, in a few words.
  static func object(
    _ response: HTTPResponse, endpoint: String, key: String, provider: Provider,
    refusal: (_ said: ProviderError, _ reason: String) -> AuthDeckError
  ) throws(AuthDeckError) -> JSONValue {
    let who = provider.id
    let type = response.contentType.map { Sanitizer.inline($0, limit: 40) } ?? "no content type"
    if (300..<400).contains(response.status) {
      throw redirected(response, endpoint: endpoint, key: key, provider: provider)
    }
    let parsed = try? JSONValue.parse(Array(response.body))
    var object: JSONValue?  // only a JSON object counts as an answer
    if case .object? = parsed { object = parsed }
    if case let (said, reason)? = error(in: object, provider: provider) { throw refusal(said, reason) }
    guard response.status == 200 else {
      if response.status == 503 || response.status == 502 || response.status == 504 {
        throw .provider("\(who): the \(endpoint) is unavailable (HTTP \(response.status)); try again shortly")
      }
      throw .provider("\(who): the \(endpoint) answered HTTP \(response.status) (\(type))")
    }
    guard let object else {
      if type.lowercased().contains("html") {
        throw .provider("\(who): the \(endpoint) sent an HTML page, not JSON (a captive portal or proxy?)")
      }
      throw .provider("\(who): the \(endpoint)'s answer is not JSON (\(type))")
    }
    return object
  }

  /// A number of seconds as servers send it: a positive number, or a string holding one (some
  /// send `"3600"`). Above ten years a lifetime is not plausible, and dates that far out break
  /// clocks: nil then, as for anything else.
  static func seconds(_ value: JSONValue) -> TimeInterval? {
    guard let seconds = value.number ?? value.string.flatMap(Double.init), seconds > 0,
      seconds <= 10 * 365 * 86_400
    else { return nil }
    return seconds
  }

  /// A 3xx is not followed (a token request must not be replayed elsewhere); the message says
  /// where it pointed, since a token_url with or without a trailing slash is the usual cause.
  static func redirected(_ response: HTTPResponse, endpoint: String, key: String, provider: Provider)
    -> AuthDeckError
  {
    let target = response.location.map { " to \(Sanitizer.inline($0, limit: 120))" } ?? ""
    return .provider(
      "\(provider.id): the \(endpoint) redirected (HTTP \(response.status))\(target); AuthDeck does not follow it: "
        + "check \(key) (a trailing slash is a common cause)")
  }
}

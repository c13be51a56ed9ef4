import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

@Suite("Token endpoint requests and responses")
struct TokenEndpointTests {
  static let secret = "s3cret: +%&=é"
  static let encodedSecret = "s3cret%3A+%2B%25%26%3D%C3%A9"
  /// The same for HTTP Basic: a space is %20 there, so that percent-decoding servers read it too.
  static let basicEncodedSecret = "s3cret%3A%20%2B%25%26%3D%C3%A9"
  static let issued = utc(2026, 6, 1, 12)

  static func provider(
    auth: ClientAuth = .post, scope: String? = nil, dailyExpiry: DailyCutoff? = nil,
    grant: Grant = .authorizationCode
  ) -> Provider {
    Provider(
      id: "acme", authorizeURL: URL(string: "https://id.acme.example/authorize"),
      tokenURL: URL(string: "https://id.acme.example/token")!, clientID: "client id", clientAuth: auth,
      redirectURI: URL(string: "http://127.0.0.1:8765/callback"), scope: scope, grant: grant,
      dailyExpiry: dailyExpiry, caFile: "/etc/acme-ca.pem")
  }

  static let pending = PendingLogin(
    state: "state", codeVerifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    redirectURI: "http://127.0.0.1:8765/callback", authorizeURL: "https://id.acme.example/authorize?x",
    issuer: "https://id.acme.example", startedAt: issued)

  func tokens(_ response: HTTPResponse, provider: Provider = TokenEndpointTests.provider())
    throws(AuthDeckError) -> TokenSet
  {
    try TokenEndpoint(provider: provider, clientSecret: Self.secret).tokens(
      from: response, issuedAt: Self.issued)
  }

  func failure(_ response: HTTPResponse, provider: Provider = TokenEndpointTests.provider()) throws
    -> AuthDeckError
  {
    try #require(thrownError { () throws(AuthDeckError) in try tokens(response, provider: provider) })
  }

  // MARK: Responses

  @Test("a good response gives every field, with the expiry counted from the issue time")
  func aGoodResponseGivesEveryField() throws {
    let set = try tokens(
      jsonResponse(
        #"{"access_token":"at-1","token_type":"bearer","expires_in":3600,"refresh_token":"rt-1","scope":"openid email","id_token":"id-1"}"#
      ))
    #expect(set.accessToken == "at-1")
    #expect(set.tokenType == "bearer")
    #expect(set.refreshToken == "rt-1")
    #expect(set.scope == "openid email")
    #expect(set.idToken == "id-1")
    #expect(set.issuedAt == Self.issued)
    #expect(set.expiresAt == Self.issued.addingTimeInterval(3600))
  }

  @Test(
    "a token with a control character, an escape, a bidi control or whitespace is refused, naming the field",
    arguments: [
      ("access_token", "at\\u001b]52;c;aGk=\\u0007"), ("access_token", "at 1"), ("refresh_token", "rt\\n1"),
      ("id_token", "id\\u202e1"), ("access_token", "at\\u00e91"), ("refresh_token", "rt\\t1"),
    ])
  func aTokenThatIsNotPlainIsRefused(field: String, value: String) throws {
    var fields = ["access_token": "at-1", "refresh_token": "rt-1", "id_token": "id-1"]
    fields[field] = value
    let body =
      #"{"token_type":"Bearer","expires_in":60,"access_token":""#
      + fields["access_token"]! + #"","refresh_token":""# + fields["refresh_token"]! + #"","id_token":""#
      + fields["id_token"]! + #""}"#
    let error = try failure(jsonResponse(body))
    #expect(
      error.description
        == "acme: the token response's \(field) has characters no token has; nothing was stored")
  }

  @Test("the optional fields may be absent, and the token type defaults to Bearer")
  func optionalFieldsMayBeAbsent() throws {
    let set = try tokens(jsonResponse(#"{"access_token":"at","expires_in":60}"#, contentType: nil))
    #expect(set.tokenType == "Bearer")
    #expect(set.refreshToken == nil)
    #expect(set.idToken == nil)
    #expect(set.scope == nil)
  }

  @Test("expires_in given as a string is accepted")

  func expiresInAsAStringIsAccepted() throws {
    let set = try tokens(jsonResponse(#"{"access_token":"at","expires_in":"3600"}"#))
    #expect(set.expiresAt == Self.issued.addingTimeInterval(3600))
  }

  @Test("the daily cutoff and the JWT's exp shorten the lifetime")
  func theDailyCutoffAndJWTExpShortenTheLifetime() throws {
    // Lime: issued 20:00 EST with 8 hours; the token dies at 03:00 EST.
    let lime = Self.provider(dailyExpiry: newYorkCutoff)
    let issued = utc(2026, 11, 24, 1)
    let set = try TokenEndpoint(provider: lime, clientSecret: nil).tokens(
      from: jsonResponse(#"{"access_token":"at","expires_in":28800}"#), issuedAt: issued)
    #expect(set.expiresAt == utc(2026, 11, 24, 8))

    // A JWT that lives 10 minutes (exp - iat): shorter than expires_in, so it wins.
    let issuedAt = Int(Self.issued.timeIntervalSince1970)
    let jwt = unsignedJWT(payload: #"{"iat":\#(issuedAt),"exp":\#(issuedAt + 600)}"#)
    let short = try tokens(jsonResponse(#"{"access_token":"\#(jwt)","expires_in":3600}"#))
    #expect(short.expiresAt == Self.issued.addingTimeInterval(600))
  }

  @Test("invalid_grant is a refused grant (a login matter), whatever the status", arguments: [200, 400, 401])
  func invalidGrantMeansLogInAgain(status: Int) throws {
    let error = try failure(
      jsonResponse(status, #"{"error":"invalid_grant","error_description":"refresh token expired"}"#))
    #expect(
      error
        == .grantRefused(
          provider: "acme", ProviderError(code: "invalid_grant", description: "refresh token expired")))
    #expect(error.exitCode == 3)
    #expect(error.description.contains("invalid_grant"))
    #expect(error.description.contains("refresh token expired"))
    #expect(error.description.contains("acme"))
  }

  @Test("other OAuth errors are provider errors", arguments: [200, 400, 401, 500])
  func otherOAuthErrorsAreProviderErrors(status: Int) throws {
    let error = try failure(jsonResponse(status, #"{"error":"invalid_client","error_uri":"https://x"}"#))
    #expect(error.kind == "provider")
    #expect(error.description.contains("invalid_client"))
  }

  @Test("an HTML page is called out as HTML, without repeating it")

  func anHTMLPageIsCalledOut() throws {
    let error = try failure(
      jsonResponse(
        200, "<!doctype html><html><body>Log in to the hotel Wi-Fi</body></html>",
        contentType: "text/html; charset=utf-8"))
    #expect(error.kind == "provider")
    #expect(error.description.contains("HTML"))
    #expect(!error.description.contains("hotel"))
  }

  @Test(
    "anything but a JSON object is not a token",
    arguments: [
      ("hello", "text/plain"), ("", "application/json"), ("{\"access_token\":", "application/json"),
      ("[1,2,3]", "application/json"), ("\"just a string\"", "application/json"),
    ])
  func anythingButAJSONObjectIsNotAToken(body: String, contentType: String) throws {
    let error = try failure(jsonResponse(200, body, contentType: contentType))
    #expect(error.kind == "provider")
    #expect(error.description.contains("not JSON"))
  }

  @Test(
    "a non-positive or non-numeric expires_in is an error",
    arguments: [
      #"{"access_token":"at","expires_in":-1}"#, #"{"access_token":"at","expires_in":0}"#,
      #"{"access_token":"at","expires_in":"soon"}"#, #"{"access_token":"at","expires_in":true}"#,
      #"{"access_token":"at","expires_in":"-5"}"#, #"{"access_token":"at","expires_in":"inf"}"#,
      #"{"access_token":"at","expires_in":"nan"}"#,
    ])
  func aNonPositiveOrNonNumericExpiresInIsAnError(body: String) throws {
    let error = try failure(jsonResponse(body))
    #expect(error.kind == "provider")
    #expect(error.description.contains("expires_in"))
  }

  @Test(
    "a response without expires_in is kept, its lifetime unknown",
    arguments: [#"{"access_token":"at"}"#, #"{"access_token":"at","expires_in":null}"#])
  func aResponseWithoutExpiresInIsKeptItsLifetimeUnknown(body: String) throws {
    let set = try tokens(jsonResponse(body))
    #expect(set.accessToken == "at")
    #expect(set.expiresAt == nil)
    let session = Session(id: SessionID(provider: "acme", account: "a"), tokens: set)
    #expect(session.status(at: Self.issued.addingTimeInterval(365 * 86_400)) == .valid)
    #expect(TokenService.usableToken(in: session, now: Self.issued.addingTimeInterval(86_400)) == set)
  }

  @Test("without expires_in the JWT's exp, else the daily cutoff, gives the expiry")
  func withoutExpiresInTheJWTExpElseTheDailyCutoffGivesTheExpiry() throws {
    let exp = Int(Self.issued.timeIntervalSince1970) + 900
    let jwt = unsignedJWT(payload: #"{"exp":\#(exp)}"#)
    let fromJWT = try tokens(jsonResponse(#"{"access_token":"\#(jwt)"}"#))
    #expect(fromJWT.expiresAt == Self.issued.addingTimeInterval(900))

    let lime = Self.provider(dailyExpiry: newYorkCutoff)
    let fromCutoff = try tokens(jsonResponse(#"{"access_token":"opaque"}"#), provider: lime)
    #expect(fromCutoff.expiresAt == newYorkCutoff.next(after: Self.issued))
  }

  @Test("a redirect names where it points and the trailing-slash hint, and is not followed")
  func aRedirectNamesWhereItPoints() throws {
    var response = jsonResponse(301, "")
    response.location = "https://id.acme.example/token/\u{1B}[2J"
    let error = try failure(response)
    #expect(error.kind == "provider")
    #expect(error.description.contains("HTTP 301"))
    #expect(error.description.contains("to https://id.acme.example/token/"))
    #expect(error.description.contains("trailing slash"))
    #expect(!error.description.unicodeScalars.contains("\u{1B}"))
  }

  @Test("invalid_client to HTTP Basic suggests client_auth = post; to a body secret it does not")
  func invalidClientToBasicSuggestsPost() throws {
    let body = #"{"error":"invalid_client","error_description":"bad credentials"}"#
    var confidential = Self.provider(auth: .basic)
    confidential.secret = .environment("ACME_SECRET")
    let basic = try failure(jsonResponse(401, body), provider: confidential)
    #expect(basic.description.contains("invalid_client: bad credentials"))
    #expect(basic.description.contains("client_auth = \"post\""))
    confidential.clientAuth = .post
    let post = try failure(jsonResponse(401, body), provider: confidential)
    #expect(!post.description.contains("client_auth"))
  }

  @Test(
    "a missing or empty access_token is an error",
    arguments: [
      #"{"expires_in":3600}"#, #"{"access_token":"","expires_in":3600}"#,
      #"{"access_token":7,"expires_in":3600}"#,
    ])
  func aMissingAccessTokenIsAnError(body: String) throws {
    let error = try failure(jsonResponse(body))
    #expect(error.kind == "provider")
    #expect(error.description.contains("access_token"))
  }

  @Test("server errors give the HTTP status and say when the server is unavailable")
  func serverErrorsSayWhatHappened() throws {
    let serverError = try failure(jsonResponse(500, "Internal Server Error", contentType: "text/plain"))
    #expect(serverError.kind == "provider")
    #expect(serverError.description.contains("HTTP 500"))

    for status in [502, 503, 504] {
      let unavailable = try failure(jsonResponse(status, "<html>busy</html>", contentType: "text/html"))
      #expect(unavailable.kind == "provider")
      #expect(unavailable.description.contains("HTTP \(status)"))
      #expect(unavailable.description.contains("unavailable"))
    }

    // A 2xx other than 200 with a token is not what RFC 6749 §5.1 promises.
    let created = try failure(jsonResponse(201, #"{"access_token":"at","expires_in":60}"#))
    #expect(created.kind == "provider")
  }

  @Test("a redirect from the token endpoint is not followed", arguments: [301, 302, 303, 307, 308])
  func aRedirectIsNotFollowed(status: Int) throws {
    let error = try failure(jsonResponse(status, "", contentType: nil))
    #expect(error.kind == "provider")
    #expect(error.description.contains("redirect"))
    #expect(error.description.contains("\(status)"))
  }

  @Test("a hostile error_description is inert and short")

  func aHostileErrorDescriptionIsInertAndShort() throws {
    let body = try JSONSerialization.data(withJSONObject: [
      "error": "invalid_request\u{1B}[2J", "error_description": hostileText,
    ])
    let error = try failure(HTTPResponse(status: 400, contentType: "application/json", body: body))
    #expect(error.kind == "provider")
    expectInert(error.description, maxLength: 300)
    #expect(error.description.contains("invalid_request"))
  }

  @Test("a hostile Content-Type is inert")

  func aHostileContentTypeIsInert() throws {
    let error = try failure(
      jsonResponse(500, "x", contentType: "text/plain\u{1B}]52;c;AAAA\u{07}\r\n" + hostileText))
    expectInert(error.description, maxLength: 300)
  }

  @Test("errors never echo the client secret or the body")

  func errorsNeverEchoTheSecretOrTheBody() throws {
    let error = try failure(jsonResponse(200, #"{"access_token":"leaked-token","expires_in":-1}"#))
    #expect(!error.description.contains("leaked-token"))
    #expect(!error.description.contains(Self.secret))
  }

  // MARK: Requests

  @Test("client_secret_post puts the client ID and secret in the form body")
  func clientSecretPostPutsIdAndSecretInTheBody() throws {
    let endpoint = try TokenEndpoint(
      provider: Self.provider(auth: .post), clientSecret: Self.secret, deadline: 12)
    let request = endpoint.codeExchange(code: "the code", pending: Self.pending)
    #expect(request.method == "POST")
    #expect(request.url.absoluteString == "https://id.acme.example/token")
    #expect(request.deadline == 12)
    #expect(request.caFile == "/etc/acme-ca.pem")
    #expect(request.maxBodyBytes == 1 << 20)
    #expect(header("Content-Type", in: request) == "application/x-www-form-urlencoded")
    #expect(header("Accept", in: request) == "application/json")
    #expect(header("Authorization", in: request) == nil)

    let body = String(decoding: request.body, as: UTF8.self)
    #expect(
      body
        == "grant_type=authorization_code&code=the+code&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback"
        + "&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk&client_id=client+id&client_secret="
        + Self.encodedSecret)
    let fields = formFields(request)
    #expect(fields["client_id"] == "client id")
    #expect(fields["client_secret"] == Self.secret)
  }

  @Test("client_secret_basic puts the secret in the Authorization header only")
  func clientSecretBasicPutsTheSecretOnlyInTheHeader() throws {
    let endpoint = try TokenEndpoint(provider: Self.provider(auth: .basic), clientSecret: Self.secret)
    for request in [
      endpoint.codeExchange(code: "c", pending: Self.pending), endpoint.refresh(refreshToken: "rt"),
      endpoint.clientCredentials(),
    ] {
      #expect(
        header("Authorization", in: request)
          == "Basic " + Data("client%20id:\(Self.basicEncodedSecret)".utf8).base64EncodedString())
      let body = String(decoding: request.body, as: UTF8.self)
      #expect(formFields(request)["client_secret"] == nil)
      #expect(!body.contains(Self.encodedSecret) && !body.contains(Self.basicEncodedSecret))
      #expect(!body.contains("s3cret"))
    }
  }

  @Test("a public client names itself in the body and sends no secret")
  func aPublicClientNamesItselfInTheBody() throws {
    for auth in [ClientAuth.post, .basic] {
      let request = try TokenEndpoint(provider: Self.provider(auth: auth), clientSecret: nil)
        .codeExchange(code: "c", pending: Self.pending)
      #expect(header("Authorization", in: request) == nil)
      #expect(formFields(request)["client_id"] == "client id")
      #expect(formFields(request)["client_secret"] == nil)
    }
  }

  @Test("the code exchange sends the code, the redirect URI and the PKCE verifier")
  func theCodeExchangeSendsRedirectURIAndVerifier() throws {
    let request = try TokenEndpoint(provider: Self.provider(), clientSecret: nil)
      .codeExchange(code: "a+b/c=&d", pending: Self.pending)
    let fields = formFields(request)
    #expect(fields["grant_type"] == "authorization_code")
    #expect(fields["code"] == "a+b/c=&d")
    #expect(fields["redirect_uri"] == Self.pending.redirectURI)
    #expect(fields["code_verifier"] == Self.pending.codeVerifier)

    var withoutPKCE = Self.pending
    withoutPKCE.codeVerifier = nil
    let plain = try TokenEndpoint(provider: Self.provider(), clientSecret: nil).codeExchange(
      code: "c", pending: withoutPKCE)
    #expect(formFields(plain)["code_verifier"] == nil)
  }

  @Test("refresh and client credentials requests carry their grant and the scope")
  func refreshAndClientCredentialsCarryTheirGrantAndScope() throws {
    let endpoint = try TokenEndpoint(
      provider: Self.provider(scope: "openid email"), clientSecret: Self.secret)
    let refresh = formFields(endpoint.refresh(refreshToken: "r+t/1"))
    #expect(refresh["grant_type"] == "refresh_token")
    #expect(refresh["refresh_token"] == "r+t/1")
    #expect(refresh["scope"] == "openid email")
    #expect(refresh["client_secret"] == Self.secret)

    let credentials = formFields(endpoint.clientCredentials())
    #expect(credentials["grant_type"] == "client_credentials")
    #expect(credentials["scope"] == "openid email")

    let noScope = formFields(
      try TokenEndpoint(provider: Self.provider(), clientSecret: nil).clientCredentials())
    #expect(noScope["scope"] == nil)
  }
}

import Foundation

/// The session file format: `{"version": 1, "session": {...}}`, dates as seconds since 1970.
/// Members a version-1 reader does not know are ignored, so optional ones (`refusal`) are added
/// without a new version.
public enum SessionCoding {
  public struct Failure: Error, Equatable {
    /// The schema version the file declares, when it declares one we do not know.
    public var foreignVersion: Int?
  }

  public static func encode(_ session: Session, version: Int = SessionStore.schemaVersion) -> String {
    var members: [String: JSONValue] = [
      "id": .string(session.id.description), "grant": .string(session.grant.rawValue),
    ]
    if let tokens = session.tokens {
      var t: [String: JSONValue] = [
        "access_token": .string(tokens.accessToken), "token_type": .string(tokens.tokenType),
        "issued_at": .number(tokens.issuedAt.timeIntervalSince1970),
      ]
      t["scope"] = tokens.scope.map(JSONValue.string)
      t["refresh_token"] = tokens.refreshToken.map(JSONValue.string)
      t["id_token"] = tokens.idToken.map(JSONValue.string)
      t["expires_at"] = tokens.expiresAt.map { .number($0.timeIntervalSince1970) }
      t["refresh_expires_at"] = tokens.refreshExpiresAt.map { .number($0.timeIntervalSince1970) }
      t["clock_skew"] = tokens.clockSkew.map { .number($0) }
      members["tokens"] = .object(t)
    }
    if let pending = session.pending {
      var p: [String: JSONValue] = [
        "state": .string(pending.state), "redirect_uri": .string(pending.redirectURI),
        "authorize_url": .string(pending.authorizeURL),
        "started_at": .number(pending.startedAt.timeIntervalSince1970),
        "deadline": .number(pending.deadline.timeIntervalSince1970),
      ]
      p["code_verifier"] = pending.codeVerifier.map(JSONValue.string)
      p["issuer"] = pending.issuer.map(JSONValue.string)
      if pending.issuerRequired { p["issuer_required"] = .bool(true) }
      members["pending"] = .object(p)
    }
    if let refusal = session.refusal {
      var r: [String: JSONValue] = [
        "kind": .string(refusal.kind.rawValue), "error": .string(refusal.said.code),
        "at": .number(refusal.at.timeIntervalSince1970),
      ]
      r["error_description"] = refusal.said.description.map(JSONValue.string)
      members["refusal"] = .object(r)
    }
    return JSONValue.object(["version": .number(Double(version)), "session": .object(members)]).serialized
  }

  public static func decode(_ bytes: [UInt8]) throws(Failure) -> Session {
    // Int(1e20) would trap: a version is a small whole number, or the file is garbage.
    guard let root = try? JSONValue.parse(bytes), let number = root["version"]?.number,
      number == number.rounded(), abs(number) < 1e9
    else { throw Failure() }
    let version = Int(number)
    guard version == SessionStore.schemaVersion else { throw Failure(foreignVersion: version) }
    guard let object = root["session"], let idText = object["id"]?.string,
      let id = SessionID(stored: idText),
      let grant = object["grant"]?.string.flatMap(Grant.init(rawValue:))
    else { throw Failure() }
    var session = Session(id: id, grant: grant)
    if let t = object["tokens"] {
      guard let accessToken = t["access_token"]?.string, let issuedAt = t["issued_at"]?.number else {
        throw Failure()
      }
      session.tokens = TokenSet(
        accessToken: accessToken, tokenType: t["token_type"]?.string ?? "Bearer", scope: t["scope"]?.string,
        refreshToken: t["refresh_token"]?.string, idToken: t["id_token"]?.string,
        issuedAt: Date(timeIntervalSince1970: issuedAt),
        expiresAt: t["expires_at"]?.number.map { Date(timeIntervalSince1970: $0) },
        refreshExpiresAt: t["refresh_expires_at"]?.number.map { Date(timeIntervalSince1970: $0) },
        clockSkew: t["clock_skew"]?.number)
    }
    if let p = object["pending"] {
      guard let state = p["state"]?.string, let redirectURI = p["redirect_uri"]?.string,
        let authorizeURL = p["authorize_url"]?.string, let startedAt = p["started_at"]?.number,
        let deadline = p["deadline"]?.number
      else { throw Failure() }
      var pending = PendingLogin(
        state: state, codeVerifier: p["code_verifier"]?.string, redirectURI: redirectURI,
        authorizeURL: authorizeURL,
        issuer: p["issuer"]?.string, startedAt: Date(timeIntervalSince1970: startedAt))
      pending.deadline = Date(timeIntervalSince1970: deadline)
      pending.issuerRequired = p["issuer_required"] == .bool(true)
      session.pending = pending
    }
    // A refusal this version does not know is dropped, not a reason to refuse the file.
    if let r = object["refusal"], let kind = r["kind"]?.string.flatMap(Refusal.Kind.init(rawValue:)),
      let error = r["error"]?.string, let at = r["at"]?.number
    {
      session.refusal = Refusal(
        kind, said: ProviderError(code: error, description: r["error_description"]?.string),
        at: Date(timeIntervalSince1970: at))
    }
    return session
  }
}

import Foundation

/// kubectl's exec credential plugin protocol (client-go, `client.authentication.k8s.io`): what
/// kubectl asks in `KUBERNETES_EXEC_INFO`, and the `ExecCredential` object printed back to it.
public enum ExecCredential {
  /// The versions spoken. The answer is in the version asked for: kubectl refuses any other.
  public enum APIVersion: String, CaseIterable, Sendable {
    case v1 = "client.authentication.k8s.io/v1"
    case v1beta1 = "client.authentication.k8s.io/v1beta1"
  }

  public static let kind = "ExecCredential"
  /// The environment variable kubectl describes its request in.
  public static let infoVariable = "KUBERNETES_EXEC_INFO"

  /// What kubectl asks: the version of the answer, and whether a person may be asked.
  public struct Request: Equatable, Sendable {
    public var apiVersion: APIVersion
    /// `spec.interactive`: kubectl has handed over a terminal for a login.
    public var interactive: Bool

    public init(apiVersion: APIVersion, interactive: Bool) {
      self.apiVersion = apiVersion
      self.interactive = interactive
    }

    /// Without `KUBERNETES_EXEC_INFO` (run by hand, or by an older client): v1, nobody to ask.
    public static let standalone = Request(apiVersion: .v1, interactive: false)

    /// `KUBERNETES_EXEC_INFO` as kubectl sets it: `{"kind":"ExecCredential","apiVersion":…,
    /// "spec":{"interactive":…}}`. Members it does not need (`spec.cluster`) are not read.
    public init(execInfo: String?) throws(AuthDeckError) {
      guard let execInfo, !execInfo.allSatisfy(\.isWhitespace) else {
        self = .standalone
        return
      }
      let value: JSONValue
      do throws(JSONValue.ParseError) {
        value = try JSONValue.parse(Array(execInfo.utf8))
      } catch {
        throw Self.malformed("is not JSON")
      }
      guard case .object = value else { throw Self.malformed("is not a JSON object") }
      if let kind = value["kind"], kind.string != ExecCredential.kind {
        throw Self.malformed("is not an \(ExecCredential.kind) (its kind is not \(ExecCredential.kind))")
      }
      guard let asked = value["apiVersion"]?.string else { throw Self.malformed("names no apiVersion") }
      guard let version = APIVersion(rawValue: asked) else {
        let spoken = APIVersion.allCases.map(\.rawValue).joined(separator: " and ")
        throw .usage(
          "\(infoVariable) asks for apiVersion '\(Sanitizer.inline(asked, limit: 80))'; authdeck speaks \(spoken)"
        )
      }
      var interactive = false
      switch value["spec"] {
      case nil, .null?: break
      case .object(let spec)?:
        switch spec["interactive"] {
        case nil, .null?: break
        case .bool(let flag)?: interactive = flag
        default: throw Self.malformed("has a spec.interactive that is not true or false")
        }
      default: throw Self.malformed("has a spec that is not an object")
      }
      self.init(apiVersion: version, interactive: interactive)
    }

    static func malformed(_ fact: String) -> AuthDeckError {
      .usage("\(infoVariable) \(fact)")
    }
  }

  /// The object kubectl reads, on one line: the access token, and when it expires as RFC 3339
  /// UTC, left out when the provider gave no lifetime (kubectl keeps the token until refused).
  public static func json(_ tokens: TokenSet, version: APIVersion) -> String {
    var status: [String: JSONValue] = ["token": .string(tokens.accessToken)]
    if let expiresAt = tokens.expiresAt {
      status["expirationTimestamp"] = .string(TimeFormat.rfc3339(expiresAt))
    }
    return JSONValue.object([
      "apiVersion": .string(version.rawValue), "kind": .string(kind), "status": .object(status),
    ]).serialized
  }
}

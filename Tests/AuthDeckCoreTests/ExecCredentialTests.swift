import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

@Suite("kube-credential: what kubectl asks in KUBERNETES_EXEC_INFO, and the ExecCredential it gets")
struct ExecCredentialTests {
  static func request(_ info: String?) throws(AuthDeckError) -> ExecCredential.Request {
    try ExecCredential.Request(execInfo: info)
  }

  @Test("what kubectl v1.32 sets asks for v1, and nobody to ask")
  func whatKubectlSetsAsksForV1() throws {
    let info =
      #"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}"#
    #expect(try Self.request(info) == .init(apiVersion: .v1, interactive: false))
  }

  @Test("v1beta1 is answered in v1beta1, and spec.interactive true says a person may be asked")
  func v1beta1AndInteractive() throws {
    let info =
      #"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","#
      + #""spec":{"interactive":true,"cluster":{"server":"https://k8s.example"}}}"#
    #expect(try Self.request(info) == .init(apiVersion: .v1beta1, interactive: true))
  }

  @Test("without KUBERNETES_EXEC_INFO (run by hand), or with nothing in it: v1, not interactive")
  func withoutExecInfo() throws {
    #expect(try Self.request(nil) == .standalone)
    #expect(try Self.request(" \n") == .standalone)
    #expect(ExecCredential.Request.standalone == .init(apiVersion: .v1, interactive: false))
    // A spec left out or null asks no person either.
    #expect(try Self.request(#"{"apiVersion":"client.authentication.k8s.io/v1"}"#) == .standalone)
    #expect(try Self.request(#"{"apiVersion":"client.authentication.k8s.io/v1","spec":null}"#) == .standalone)
  }

  @Test(
    "a malformed KUBERNETES_EXEC_INFO is bad usage (exit 64), saying what is wrong",
    arguments: [
      ("{", "KUBERNETES_EXEC_INFO is not JSON"),
      ("client.authentication.k8s.io/v1", "KUBERNETES_EXEC_INFO is not JSON"),
      ("[1]", "KUBERNETES_EXEC_INFO is not a JSON object"),
      (#"{"kind":"ExecCredential"}"#, "KUBERNETES_EXEC_INFO names no apiVersion"),
      (#"{"apiVersion":1}"#, "KUBERNETES_EXEC_INFO names no apiVersion"),
      (
        #"{"kind":"Pod","apiVersion":"client.authentication.k8s.io/v1"}"#,
        "KUBERNETES_EXEC_INFO is not an ExecCredential"
      ),
      (
        #"{"apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":"yes"}}"#,
        "KUBERNETES_EXEC_INFO has a spec.interactive that is not true or false"
      ),
      (
        #"{"apiVersion":"client.authentication.k8s.io/v1","spec":[]}"#,
        "KUBERNETES_EXEC_INFO has a spec that is not an object"
      ),
    ])
  func malformedExecInfo(info: String, message: String) {
    let error = thrownError { () throws(AuthDeckError) in try Self.request(info) }
    #expect(error?.kind == "usage")
    #expect(error?.exitCode == 64)
    #expect(error?.description.hasPrefix(message) == true, "\(String(describing: error))")
  }

  @Test("an apiVersion not spoken is refused, naming it and the two spoken")
  func anAPIVersionNotSpokenIsRefused() {
    for asked in ["client.authentication.k8s.io/v1alpha1", "client.authentication.k8s.io/v2", "v1"] {
      let error = thrownError { () throws(AuthDeckError) in
        try Self.request(#"{"kind":"ExecCredential","apiVersion":"\#(asked)"}"#)
      }
      #expect(error?.exitCode == 64)
      #expect(
        error?.description
          == "KUBERNETES_EXEC_INFO asks for apiVersion '\(asked)'; authdeck speaks "
          + "client.authentication.k8s.io/v1 and client.authentication.k8s.io/v1beta1")
    }
  }

  @Test("the answer carries the token and its expiry in RFC 3339 UTC, in the version asked for")
  func theAnswerCarriesTheTokenAndItsExpiry() throws {
    let tokens = TokenSet(
      accessToken: "at-1", refreshToken: "refresh-secret", idToken: "id-secret",
      issuedAt: utc(2026, 11, 23, 13),
      expiresAt: utc(2026, 11, 23, 14, 30, 15).addingTimeInterval(0.9))
    #expect(
      ExecCredential.json(tokens, version: .v1)
        == #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","#
        + #""status":{"expirationTimestamp":"2026-11-23T14:30:15Z","token":"at-1"}}"#)
    let beta = try #require(
      try JSONSerialization.jsonObject(with: Data(ExecCredential.json(tokens, version: .v1beta1).utf8))
        as? [String: Any])
    #expect(beta["apiVersion"] as? String == "client.authentication.k8s.io/v1beta1")
    #expect(!ExecCredential.json(tokens, version: .v1).contains("secret"))
  }

  @Test("a token whose end is unknown has no expirationTimestamp")
  func unknownExpiryIsLeftOut() {
    let tokens = TokenSet(accessToken: "at-1", issuedAt: utc(2026, 11, 23, 13), expiresAt: nil)
    #expect(
      ExecCredential.json(tokens, version: .v1)
        == #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"at-1"}}"#
    )
  }
}

import AuthDeckTestSupport
import Foundation
import Testing

/// `authdeck status`: one line for a prompt, from the store alone.
@Suite("authdeck status")
struct StatusTests {
  /// lime/main (7:50 left), lime/ops (20 h), acme/x (expired, no refresh), acme/y (valid),
  /// limio/r (expired but refreshable), forever/z (no known end).
  static func seed(_ box: CLISandbox) throws {
    let now = Date()
    func write(_ id: String, _ left: TimeInterval?, refresh: String? = nil) throws {
      try StoreFormat.write(
        root: box.storeRoot, id: id, accessToken: "secret-access-\(id)", refreshToken: refresh,
        issuedAt: now.addingTimeInterval(-60), expiresAt: left.map { now.addingTimeInterval($0) })
    }
    try write("lime/main", 7 * 3600 + 49 * 60 + 30)
    try write("lime/ops", 20 * 3600)
    try write("acme/x", -60)
    try write("acme/y", 3600)
    try write("limio/r", -60, refresh: "secret-refresh")
    try write("forever/z", nil)
  }

  @Test("status is one line: per provider the time left or ✗, and how many sessions need a login")
  func statusIsOneLine() throws {
    // status reads no configuration: even a broken one does not matter.
    try withSandbox(config: "this is [[ not toml") { box in
      try Self.seed(box)
      let result = try box.run(["status"])
      #expect(result.status == 0, "\(result)")
      #expect(result.stdout == "acme ✗ · forever ✓ · lime 7:50 · limio ✓ · 1 to log in\n")
      #expect(result.stderr.isEmpty)
    }
  }

  @Test(
    "status --json has each session's object: state, expiry and seconds left, null when unknown, no secret")
  func statusJSON() throws {
    try withSandbox(config: "") { box in
      try Self.seed(box)
      let result = try box.run(["status", "--json"])
      #expect(result.status == 0, "\(result)")
      #expect(!result.stdout.contains("secret"))
      let array = try #require(
        try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
      #expect(
        array.map { $0["id"] as? String } == [
          "acme/x", "acme/y", "forever/z", "lime/main", "lime/ops", "limio/r",
        ])
      #expect(
        array.map { $0["state"] as? String } == ["expired", "valid", "valid", "valid", "valid", "expired"])
      #expect(array.map { $0["needs_login"] as? Bool } == [true, false, false, false, false, false])
      #expect(array.allSatisfy { Set($0.keys) == SessionObject.keys })
      #expect(array.map { $0["login_reason"] as? String } == ["expired", nil, nil, nil, nil, nil])
      #expect(array[2]["expires_at"] is NSNull && array[2]["expires_in"] is NSNull)
      #expect(array[0]["expires_in"] as? Int == 0)
      #expect((28_100...28_200).contains(array[3]["expires_in"] as? Int ?? 0), "\(array[3])")
      #expect((array[3]["expires_at"] as? String)?.hasSuffix("Z") == true)
    }
  }

  @Test("with no sessions status prints nothing, and --json an empty array")
  func withNoSessionsStatusPrintsNothing() throws {
    try withSandbox(config: "") { box in
      let result = try box.run(["status"])
      #expect(result.status == 0 && result.stdout.isEmpty && result.stderr.isEmpty, "\(result)")
      #expect(try box.run(["status", "--json"]).stdout == "[]\n")
      #expect(!fileExists(box.storeRoot), "status creates nothing")
    }
  }
}

import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

@Suite("The agent's protocol: requests and answers on one line of JSON")
struct AgentProtocolTests {
  static let main = try! SessionID(parsing: "lime/main")

  func parse(_ text: String) -> Result<AgentRequest, AgentFailure> {
    do throws(AgentFailure) { return .success(try AgentRequest.parse(Array(text.utf8))) } catch {
      return .failure(error)
    }
  }

  @Test(
    "every request reads back as it was sent",
    arguments: [
      AgentRequest.token(main, minValid: 7200, idToken: true), .token(main, minValid: 0, idToken: false),
      .status,
      .wait([main, try! SessionID(parsing: "acme/ops")], timeout: 30), .wait([main], timeout: nil),
      .git(host: "git.example.com:8443"),
    ])
  func roundTrip(request: AgentRequest) throws {
    let line = request.line
    #expect(line.hasSuffix("\n") && line.dropLast().firstIndex(of: "\n") == nil, "one line")
    #expect(parse(String(line.dropLast())) == .success(request))
  }

  @Test(
    "a malformed request is an error that says what is wrong, never a crash",
    arguments: [
      ("", AgentFailure.Kind.badRequest, "not one line of JSON"),
      ("{\"version\":1,\"op\":\"token\"", .badRequest, "not one line of JSON"),
      ("[1,2]", .badRequest, "not a JSON object"),
      ("{\"op\":\"status\"}", .badRequest, "names no version"),
      ("{\"version\":2,\"op\":\"status\"}", .unsupportedVersion, "speaks version 1 of the protocol, not 2"),
      ("{\"version\":1.5,\"op\":\"status\"}", .unsupportedVersion, "not 1.5"),
      ("{\"version\":1}", .badRequest, "names no op"),
      ("{\"version\":1,\"op\":\"steal\"}", .badRequest, "unknown op 'steal'"),
      ("{\"version\":1,\"op\":\"token\"}", .badRequest, "a session id is missing"),
      ("{\"version\":1,\"op\":\"token\",\"id\":\"lime\"}", .badRequest, "'lime' is not a session id"),
      ("{\"version\":1,\"op\":\"token\",\"id\":\"lime/a/b\"}", .badRequest, "no '/'"),
      ("{\"version\":1,\"op\":\"token\",\"id\":\"lime/main\",\"min_valid\":-1}", .badRequest, "min_valid"),
      ("{\"version\":1,\"op\":\"token\",\"id\":\"lime/main\",\"min_valid\":1e300}", .badRequest, "min_valid"),
      (
        "{\"version\":1,\"op\":\"token\",\"id\":\"lime/main\",\"min_valid\":\"1h\"}", .badRequest, "min_valid"
      ),
      ("{\"version\":1,\"op\":\"wait\",\"ids\":[\"lime/main\"],\"timeout\":\"5\"}", .badRequest, "timeout"),
      ("{\"version\":1,\"op\":\"token\",\"id\":\"lime/main\",\"id_token\":\"yes\"}", .badRequest, "id_token"),
      ("{\"version\":1,\"op\":\"wait\",\"ids\":[]}", .badRequest, "1 to 100 session ids"),
      ("{\"version\":1,\"op\":\"wait\",\"ids\":\"lime/main\"}", .badRequest, "1 to 100 session ids"),
      ("{\"version\":1,\"op\":\"wait\",\"ids\":[\"lime/main\"],\"timeout\":-5}", .badRequest, "timeout"),
      ("{\"version\":1,\"op\":\"git\"}", .badRequest, "host"),
      ("{\"version\":1,\"op\":\"token\",\"id\":\"lime/\\u001b[2J\"}", .badRequest, "account"),
    ])
  func malformed(text: String, kind: AgentFailure.Kind, says: String) {
    guard case .failure(let failure) = parse(text) else {
      Issue.record("accepted: \(text)")
      return
    }
    #expect(failure.kind == kind)
    #expect(failure.message.contains(says), "\(failure.message)")
    #expect(!failure.message.unicodeScalars.contains(where: Sanitizer.isUnsafe), "inert")
  }

  @Test("a notice reads back as itself, and an answer or nonsense is no notice")
  func notice() {
    let notice = AgentNotice("waiting for svc's tokens to be allowed on the board", seconds: 60)
    #expect(AgentNotice.parse(Array(notice.line.dropLast().utf8)) == notice)
    #expect(AgentNotice.parse(Array(AgentAnswer.ready.line.utf8)) == nil)
    #expect(AgentNotice.parse(Array("{\"notice\":\"waiting\"}".utf8)) == nil, "no version")
    let greedy = "{\"version\":1,\"notice\":\"waiting\",\"message\":\"\\u001b[2J\",\"seconds\":1e9}"
    let read = AgentNotice.parse(Array(greedy.utf8))
    #expect(read?.seconds == AgentProtocol.longestNotice, "a notice cannot hold a client for ever")
    #expect(read.map { !$0.message.unicodeScalars.contains(where: Sanitizer.isUnsafe) } == true, "inert")
  }

  @Test("too many ids to wait for are refused")
  func tooManyIDs() {
    let ids = (0...100).map { "\"lime/a\($0)\"" }.joined(separator: ",")
    guard case .failure(let failure) = parse("{\"version\":1,\"op\":\"wait\",\"ids\":[\(ids)]}") else {
      Issue.record("accepted 101 ids")
      return
    }
    #expect(failure.kind == .badRequest)
  }

  @Test("a deeply nested request is refused, not a stack overflow")
  func deeplyNested() {
    let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    #expect((try? AgentRequest.parse(Array(text.utf8))) == nil)
  }

  @Test(
    "every answer reads back as it was sent, and a token answer holds no refresh token",
    arguments: [
      AgentAnswer.token(
        HandedToken(
          accessToken: "at", tokenType: "Bearer", scope: "read",
          expiresAt: Date(timeIntervalSince1970: 1_800_000_000),
          idToken: "it", variable: "LIME_TOKEN", object: .object(["id": .string("lime/main")]))),
      .status(line: "lime 7:50", sessions: [.object(["id": .string("lime/main")])]), .ready,
      .stillMissing("lime/main is still to log in"),
      .git(GitCredentialAnswer(username: "oauth2", password: "at", expiresAt: nil), note: nil),
      .git(nil, note: "forge has 2 sessions"),
      .failure(AgentFailure(.loginRequired, "lime/main: expired", id: main)),
    ])
  func answers(answer: AgentAnswer) throws {
    let request: AgentRequest
    switch answer {
    case .token, .failure: request = .token(Self.main, minValid: 0, idToken: false)
    case .status: request = .status
    case .ready, .stillMissing: request = .wait([Self.main], timeout: nil)
    case .git: request = .git(host: "h")
    }
    let line = answer.line
    #expect(!line.contains("refresh"), "\(line)")
    #expect(try AgentAnswer.parse(Array(line.dropLast().utf8), to: request) == answer)
  }

  @Test("nonsense on the socket is an unreachable agent, with what the server's error said made inert")
  func nonsenseAnswers() throws {
    let request = AgentRequest.status
    #expect(throws: AgentFailure.self) { try AgentAnswer.parse(Array("HTTP/1.1 200 OK".utf8), to: request) }
    #expect(throws: AgentFailure.self) { try AgentAnswer.parse(Array("{\"version\":9}".utf8), to: request) }
    let hostile =
      "{\"version\":1,\"ok\":false,\"error\":{\"kind\":\"failed\",\"message\":\"x\\u001b]2;pwned\\u0007\"}}"
    guard case .failure(let failure) = try AgentAnswer.parse(Array(hostile.utf8), to: request) else {
      Issue.record("not a failure")
      return
    }
    #expect(!failure.message.unicodeScalars.contains(where: Sanitizer.isUnsafe))
  }

  @Test("what the agent refuses has the command line's exit statuses")
  func exitStatuses() {
    #expect(AgentFailure(.loginRequired, "").exitCode == 3)
    #expect(AgentFailure(.badRequest, "").exitCode == 64)
    #expect(AgentFailure(.notServed, "").exitCode == 1)
    #expect(AuthDeckError.agent(AgentFailure(.loginRequired, "")).exitCode == 3)
  }
}

import Foundation
import Testing

@testable import AuthDeckBoard
@testable import AuthDeckCore

@Suite("The board and the agent: what it served, and its questions")
struct AgentBoardTests {
  @Test("a session the agent served lately says to whom, over ssh or here, and not after 15 minutes")
  func served() {
    var board = makeBoard()
    let served: [SessionID: AgentServed.Entry] = [
      sid("lime/main"): AgentServed.Entry(
        at: board.now.addingTimeInterval(-180), forwarded: true, program: "ssh"),
      sid("acme/alice"): AgentServed.Entry(
        at: board.now.addingTimeInterval(-10), forwarded: false, program: "curl"),
    ]
    #expect(board.handle(.agentServed(served)) == [])
    let screen = board.screen(110, 24)
    let main = screen.split(separator: "\n").first { $0.hasPrefix("  main ") } ?? ""
    #expect(main.hasSuffix("served over ssh 3m ago"), "\(main)")
    let alice = screen.split(separator: "\n").first { $0.contains(" alice ") } ?? ""
    #expect(alice.hasSuffix("served here 1m ago"), "\(alice)")
    board.wait(15 * 60)
    #expect(!board.screen(110, 24).contains("served"))
  }

  @Test("the agent's question is asked on the status line, with a notification, and y allows")
  func allow() {
    var board = makeBoard()
    let effects = board.handle(.approvalsAsked([approvalRequest(board.now)]))
    #expect(
      effects == [.notify(title: "AuthDeck: the agent asks", body: "pid 42 (curl) asks for lime's tokens")])
    let lines = board.screen().components(separatedBy: "\n")
    #expect(lines[22] == "pid 42 (curl) asks for lime's tokens through the agent. y allow · n/Esc refuse")
    #expect(lines[23] == "y allow  n/Esc refuse")
    #expect(board.press(.c("y")) == [.answerApproval("1-42-7", allow: true)])
    #expect(board.mode == .list)
    #expect(board.messageText == "pid 42 (curl) may have lime's tokens from the agent for 10 minutes")
  }

  @Test("a prompt being typed is not interrupted: the question waits for the list")
  func waitsForTheList() {
    var board = makeBoard()
    board.press(.c("/"))
    board.type("li")
    #expect(board.handle(.approvalsAsked([approvalRequest(board.now)])) == [])
    #expect(board.mode == .filter)
    board.press(.enter)
    #expect(board.mode == .approve(approvalRequest(board.now)))
    #expect(board.press(.escape) == [.answerApproval("1-42-7", allow: false)])
  }

  @Test("questions come one at a time, and one not answered in a minute is dropped as refused")
  func oneAtATime() {
    var board = makeBoard()
    let first = approvalRequest(board.now, number: "1-1-1")
    let second = approvalRequest(board.now.addingTimeInterval(30), number: "2-2-2")
    _ = board.handle(.approvalsAsked([first, second]))
    #expect(board.mode == .approve(first))
    board.wait(61)
    #expect(board.mode == .approve(second), "the first timed out; the second is asked")
    #expect(board.messageText == nil)
    board.wait(60)
    #expect(board.mode == .list)
    #expect(board.messageText == "pid 42 (curl)'s request for lime's tokens timed out: refused")
  }
}

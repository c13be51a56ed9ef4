import AuthDeckApp
import AuthDeckBoard
import AuthDeckCore
import AuthDeckNet
import AuthDeckTestSupport
import Foundation
import Testing

/// The board's runner with device logins (RFC 8628): the code is asked for and polled off the
/// loop, and every outcome comes back as an event; the test enters the code at the test server
/// as a person would on another device.
@Suite("The effect runner with device logins", .serialized)
struct DeviceRunnerTests {
  let den = SessionID(provider: "tv", account: "den")

  func isStarted(_ event: BoardEvent) -> Bool {
    if case .deviceLoginStarted = event { return true } else { return false }
  }

  /// Starts the device login of tv/den and returns its prompt once the runner reports it.
  func start(_ h: RunnerHarness) throws -> DeviceLoginPrompt {
    h.runner.perform(.startDeviceLogin(den))
    guard case .deviceLoginStarted(let session, let prompt)? = h.sink.wait(for: isStarted) else {
      throw RunnerTestError.noStart
    }
    #expect(session.id == den && session.tokens == nil)
    return prompt
  }

  enum RunnerTestError: Error { case noStart }

  @Test(
    "the code comes back with where to enter it, the page is opened, and the entered code logs the session in"
  )
  func anEnteredCodeLogsIn() throws {
    try withRunner { h throws in
      let prompt = try start(h)
      #expect(prompt.verificationURI == h.server.baseURL + "/device")
      // The code is reported first, then the page opened.
      #expect(waitUntil(timeout: 10) { !h.browser.opened.isEmpty })
      #expect(h.browser.opened == [prompt.verificationURIComplete].compactMap { $0 })
      try h.server.decideDevice(prompt.userCode, approve: true)
      h.sink.wait { $0 == .finished(den, error: nil) }
      let changed = h.sink.all.compactMap(\.changedSession).last
      #expect(changed?.id == den && changed?.tokens != nil)
      #expect(try h.stored("tv/den")?.tokens?.accessToken == changed?.tokens?.accessToken)
      #expect(try h.server.deviceLogins().first?.polls.contains("slow_down") == false)
    }
  }

  @Test("a denied code ends the login with its reason")
  func aDeniedCodeEndsTheLogin() throws {
    try withRunner { h throws in
      let prompt = try start(h)
      try h.server.decideDevice(prompt.userCode, approve: false)
      let ended = h.sink.wait { if case .loginEnded = $0 { return true } else { return false } }
      guard case .loginEnded(let id, let reason)? = ended else { return }
      #expect(id == den)
      guard case .denied(let refusal)? = reason.loginReason else {
        Issue.record("expected a denial, got \(reason)")
        return
      }
      #expect(refusal.said.code == "access_denied")
      #expect(try h.stored("tv/den")?.tokens == nil)
      #expect(
        try h.stored("tv/den")?.refusal?.said == refusal.said,
        "what the provider said is kept with the session")
    }
  }

  @Test("a device login that cannot start says why, as a finished request")
  func aFailedStart() throws {
    try withRunner { h throws in
      try h.server.inject("503", endpoint: "device")
      h.runner.perform(.startDeviceLogin(den))
      let finished = h.sink.wait { if case .finished(_, .some) = $0 { return true } else { return false } }
      guard case .finished(let id, let error?)? = finished else { return }
      #expect(id == den)
      #expect(
        error.description.contains("device authorization endpoint is unavailable (HTTP 503)"), "\(error)")
      #expect(!h.sink.all.contains(where: isStarted))
    }
  }

  @Test("logging out stops the polling: a code entered afterwards logs nothing in")
  func logOutStopsThePolling() throws {
    try withRunner { h throws in
      let prompt = try start(h)
      h.runner.perform(.logout(den, forget: false))
      h.sink.wait { if case .loggedOut(den, false, nil, _) = $0 { return true } else { return false } }
      let polls = try h.server.deviceLogins().first?.polls.count ?? 0
      try h.server.decideDevice(prompt.userCode, approve: true)
      // Nothing can be awaited here: the test gives the stopped polling two intervals to show itself.
      let polledAgain = waitUntil(timeout: 2.5) { (try? h.server.deviceLogins().first?.polls.count) != polls }
      #expect(!polledAgain)
      #expect(!h.sink.all.contains(.finished(den, error: nil)))
      #expect(try h.stored("tv/den")?.tokens == nil)
    }
  }

  @Test("u copies the code through the clipboard edge")
  func copyUserCode() throws {
    try withRunner { h throws in
      h.runner.perform(.copyUserCode(den, "WDJB-MJHT"))
      let copied = h.sink.wait { if case .copied = $0 { return true } else { return false } }
      #expect(h.clipboard.copied == ["WDJB-MJHT"])
      #expect(copied == .copied(den, .userCode, CopyResult(ways: ["test clipboard"])))
    }
  }
}

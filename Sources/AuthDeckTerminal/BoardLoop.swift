import AuthDeckApp
import AuthDeckBoard
import AuthDeckNet
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The run loop: reads keys, ticks once a second, hands the board's effects to the runner,
/// and draws. It sleeps in poll(2) until a key, a finished effect (the inbox pipe) or the next
/// whole second, so an idle board costs one wake-up a second. It never waits for a lock, the
/// network or a child: all of that is the runner's, off this thread.
public final class BoardLoop {
  private var state: BoardState
  private let screen: CursesScreen
  private let runner: EffectRunner
  private let inbox: Inbox
  private let environment: [String: String]
  /// The configuration file, read again when it changes (none for the demo).
  private let watch: ConfigurationWatch?
  private var running = true

  public init(
    state: BoardState, screen: CursesScreen, runner: EffectRunner, inbox: Inbox,
    environment: [String: String], watch: ConfigurationWatch? = nil
  ) {
    self.watch = watch
    self.state = state
    self.screen = screen
    self.runner = runner
    self.inbox = inbox
    self.environment = environment
    self.state.glyphs = screen.glyphs
    handle(runner.firstFrameEvents(rows: screen.size.height))
    runner.checkProviders()
  }

  public func run() {
    defer {
      screen.stop()
      runner.shutDown()
    }
    TerminationSignals.install(wakingUp: inbox.writeEnd)
    JobControlSignals.install(wakingUp: inbox.writeEnd)
    handleResize()
    var lastSecond = Int(Date().timeIntervalSince1970)
    // For scripts/bench: the time to the first full frame ("1"), or to the first frame with
    // every session read ("loaded"), then out.
    let benchExit = environment["AUTHDECK_EXIT_AFTER_FIRST_FRAME"]
    while running {
      screen.draw(state.render(width: screen.size.width, height: screen.size.height))
      if benchExit == "1" || (benchExit == "loaded" && !state.isLoading) { break }
      let now = Date()
      let untilNextSecond = Int32(1000 - Int(now.timeIntervalSince1970 * 1000) % 1000) + 1
      var fds = [
        pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
        pollfd(fd: inbox.readEnd, events: Int16(POLLIN), revents: 0),
      ]
      let ready = poll(&fds, 2, untilNextSecond)
      var keys: [BoardEvent] = []
      if ready < 0 || fds[0].revents != 0 {  // EINTR is SIGWINCH: curses reports KEY_RESIZE
        for input in screen.readInputs() {
          switch input {
          case .key(let key): keys.append(.key(key))
          case .paste(let text): keys.append(.pasted(text))
          case .resize: handleResize()
          }
        }
      }
      if JobControlSignals.takeSuspend() { suspend() }
      if JobControlSignals.takeContinue() { resumed() }
      // What effects reported arrives as the runner posted it: each report handled as one batch.
      var news = inbox.drain()
      if TerminationSignals.requested { running = false }
      let second = Int(Date().timeIntervalSince1970)
      if second != lastSecond {
        lastSecond = second
        news.append(.tick(Date()))
        runner.checkStore()
        runner.checkConfiguration(watch)
      }
      for key in keys where running { handle([key]) }
      if running && !news.isEmpty { handle(news) }
    }
  }

  /// Effects the loop performs itself (they are about the terminal); the rest go to the runner.
  private func handle(_ events: [BoardEvent]) {
    for effect in state.handle(events) {
      switch effect {
      case .quit: running = false
      case .suspend: suspend()
      case .repaint:
        screen.repaint()
        handleResize()
      default: runner.perform(effect)
      }
    }
  }

  /// Ctrl-Z or SIGTSTP: the terminal given back, the process stopped until `fg`.
  private func suspend() {
    screen.leave()
    JobControlSignals.stopHere()
    _ = JobControlSignals.takeContinue()
    resumed()
  }

  /// After any stop: the board's terminal modes, bracketed paste and a whole new frame.
  private func resumed() {
    screen.resume()
    handleResize()  // the terminal may have changed size meanwhile
  }

  private func handleResize() {
    handle([.resized(pageSize: BoardState.listHeight(forTerminalHeight: screen.size.height))])
  }
}

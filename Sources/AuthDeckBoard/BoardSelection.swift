import AuthDeckCore

extension BoardState {
  mutating func move(by delta: Int) {
    let visible = visibleSessions
    guard !visible.isEmpty else { return }
    let index = selected.flatMap { id in visible.firstIndex { $0.id == id } } ?? 0
    selected = visible[min(max(index + delta, 0), visible.count - 1)].id
    keepSelectionVisible()
  }

  mutating func keepSelectionValid() {
    let visible = visibleSessions
    if let selected, visible.contains(where: { $0.id == selected }) {
      keepSelectionVisible()
      return
    }
    selected = visible.first?.id
    scroll = 0
    keepSelectionVisible()
  }

  /// Scrolls so that the selected row (and its provider header, when it fits) is on screen.
  mutating func keepSelectionVisible() {
    let rows = self.rows
    guard let selected, let index = rows.firstIndex(of: .session(selected)) else {
      scroll = min(scroll, max(0, rows.count - pageSize))
      return
    }
    if index < scroll {
      scroll = index > 0 && rows[index - 1] == .header(selected.provider) ? index - 1 : index
    }
    if index >= scroll + pageSize { scroll = index - pageSize + 1 }
    scroll = max(0, min(scroll, max(0, rows.count - pageSize)))
  }
}

/// Renewals in flight at once on the board, keep-alive's and the morning queue's together:
/// enough to make a morning quick, few enough to spare the provider and the machine.
public enum Renewals {
  public static let atOnce = 3
}

#include "authdeck_curses.h"

#include <dlfcn.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

static struct {
  SCREEN *(*newterm)(const char *, FILE *, FILE *);
  int (*resizeterm)(int, int);
  int (*endwin)(void);
  int (*raw)(void);
  int (*noecho)(void);
  int (*nonl)(void);
  int (*keypad)(WINDOW *, bool);
  int (*set_escdelay)(int);
  int (*nodelay)(WINDOW *, bool);
  int (*curs_set)(int);
  bool (*has_colors)(void);
  int (*start_color)(void);
  int (*use_default_colors)(void);
  int (*init_pair)(short, short, short);
  int (*werase)(WINDOW *);
  int (*wattrset)(WINDOW *, int);
  int (*mvwaddnwstr)(WINDOW *, int, int, const wchar_t *, int);
  int (*wmove)(WINDOW *, int, int);
  int (*wrefresh)(WINDOW *);
  void (*wtimeout)(WINDOW *, int);
  int (*wget_wch)(WINDOW *, wint_t *);
  int (*reset_prog_mode)(void);
  int (*clearok)(WINDOW *, bool);
  WINDOW **current_screen;
  WINDOW **standard_screen;
  int *line_count;
  int *column_count;
} lib;

static char error_text[256];

int ad_curses_load(void) {
  if (lib.newterm) return 0;
  void *handle = dlopen("libncursesw.so.6", RTLD_NOW | RTLD_GLOBAL);
  if (!handle) handle = dlopen("libncursesw.so", RTLD_NOW | RTLD_GLOBAL);
  if (!handle) {
    snprintf(error_text, sizeof(error_text), "cannot load ncurses (install libncursesw6): %s", dlerror());
    return -1;
  }
#define SYM(field, name)                                                              \
  *(void **)(&lib.field) = dlsym(handle, name);                                       \
  if (!lib.field) {                                                                   \
    snprintf(error_text, sizeof(error_text), "ncurses lacks %s", name);              \
    return -1;                                                                        \
  }
  SYM(resizeterm, "resizeterm")
  SYM(endwin, "endwin")
  SYM(raw, "raw")
  SYM(noecho, "noecho")
  SYM(nonl, "nonl")
  SYM(keypad, "keypad")
  SYM(set_escdelay, "set_escdelay")
  SYM(nodelay, "nodelay")
  SYM(curs_set, "curs_set")
  SYM(has_colors, "has_colors")
  SYM(start_color, "start_color")
  SYM(use_default_colors, "use_default_colors")
  SYM(init_pair, "init_pair")
  SYM(werase, "werase")
  SYM(wattrset, "wattrset")
  SYM(mvwaddnwstr, "mvwaddnwstr")
  SYM(wmove, "wmove")
  SYM(wrefresh, "wrefresh")
  SYM(wtimeout, "wtimeout")
  SYM(wget_wch, "wget_wch")
  SYM(reset_prog_mode, "reset_prog_mode")
  SYM(clearok, "clearok")
  SYM(current_screen, "curscr")
  SYM(standard_screen, "stdscr")
  SYM(line_count, "LINES")
  SYM(column_count, "COLS")
  SYM(newterm, "newterm")  // last: it marks the table complete
#undef SYM
  return 0;
}

const char *ad_curses_error(void) { return error_text; }

int ad_newterm(const char *type) { return (*lib.newterm)(type, stdout, stdin) ? 0 : -1; }
int ad_endwin(void) { return (*lib.endwin)(); }
int ad_raw(void) { return (*lib.raw)(); }
int ad_noecho(void) { return (*lib.noecho)(); }
int ad_nonl(void) { return (*lib.nonl)(); }
int ad_keypad(WINDOW *window, bool enable) { return (*lib.keypad)(window, enable); }
int ad_set_escdelay(int milliseconds) { return (*lib.set_escdelay)(milliseconds); }
int ad_nodelay(WINDOW *window, bool enable) { return (*lib.nodelay)(window, enable); }
int ad_curs_set(int visibility) { return (*lib.curs_set)(visibility); }
bool ad_has_colors(void) { return (*lib.has_colors)(); }
int ad_start_color(void) { return (*lib.start_color)(); }
int ad_use_default_colors(void) { return (*lib.use_default_colors)(); }
int ad_init_pair(short pair, short foreground, short background) { return (*lib.init_pair)(pair, foreground, background); }
int ad_werase(WINDOW *window) { return (*lib.werase)(window); }
int ad_wattrset(WINDOW *window, int attributes) { return (*lib.wattrset)(window, attributes); }
int ad_mvwaddnwstr(WINDOW *window, int row, int column, const wchar_t *text, int count) {
  return (*lib.mvwaddnwstr)(window, row, column, text, count);
}
int ad_wmove(WINDOW *window, int row, int column) { return (*lib.wmove)(window, row, column); }
int ad_wrefresh(WINDOW *window) { return (*lib.wrefresh)(window); }
void ad_wtimeout(WINDOW *window, int milliseconds) { (*lib.wtimeout)(window, milliseconds); }
int ad_wget_wch(WINDOW *window, wint_t *character) { return (*lib.wget_wch)(window, character); }
WINDOW *ad_stdscr(void) { return *lib.standard_screen; }
int ad_lines(void) { return *lib.line_count; }
int ad_cols(void) { return *lib.column_count; }

int ad_reset_prog_mode(void) { return (*lib.reset_prog_mode)(); }
int ad_clear_screen_next_refresh(void) { return (*lib.clearok)(*lib.current_screen, true); }

int ad_match_terminal_size(void) {
  struct winsize size;
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) != 0 || size.ws_row == 0 || size.ws_col == 0) return 0;
  if (size.ws_row == *lib.line_count && size.ws_col == *lib.column_count) return 0;
  (*lib.resizeterm)(size.ws_row, size.ws_col);
  return 1;
}

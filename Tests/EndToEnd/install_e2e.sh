#!/usr/bin/env bash
# scripts/install end to end, as a new user meets it: install into a temporary prefix, use the
# installed binary from a fresh shell (no inherited environment), load its bash completion, read
# its manual, install again (nothing rewritten), uninstall (nothing left).
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
home="$work/home"
mkdir -m 700 "$home"
failures=0
step() { printf "%-66s" "$1"; }
pass() { echo "ok"; }
fail() { echo "FAILED: $1"; failures=$((failures + 1)); }
check() { if eval "$2"; then pass; else fail "$1"; fi; }

# A fresh login shell's view: only the installed prefix and the system on PATH.
fresh() { env -i HOME="$home" PATH="$prefix/bin:/usr/bin:/bin" TERM=dumb bash --norc --noprofile -c "$1"; }

step "install into a new prefix"
touch "$work/before-install"
scripts/install --prefix "$prefix" >"$work/install.out" 2>"$work/install.err" || { cat "$work/install.err"; exit 1; }
check "install said what it installed" 'grep -q "Installed AuthDeck" "$work/install.out"'
step "it says the prefix is not on PATH"
check "no PATH hint" 'grep -q "$prefix/bin is not on your PATH" "$work/install.out"'
step "the binary is stripped and has no run path"
check "symbols or RUNPATH left" '! readelf -S "$prefix/bin/authdeck" | grep -q "\.symtab" && ! readelf -d "$prefix/bin/authdeck" | grep -q RUNPATH'

step "authdeck runs from a fresh shell"
check "authdeck --version failed" '[ "$(fresh "authdeck --version")" = "$(scripts/run --version 2>/dev/null)" ]'

step "authdeck token from a fresh shell hands out a stored token"
store="$home/.local/state/authdeck"
mkdir -p -m 700 "$home/.local" "$home/.local/state" "$store" "$store/sessions"
python3 - "$store/sessions/acme%2Fmain.json" <<'PY'
import json, os, sys, time
now = time.time()
body = {"version": 1, "session": {"id": "acme/main", "grant": "authorization_code",
        "tokens": {"access_token": "installed-token", "token_type": "Bearer",
                   "issued_at": now, "expires_at": now + 3600}}}
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
os.write(fd, json.dumps(body).encode())
os.close(fd)
PY
check "token not printed" '[ "$(fresh "authdeck token acme/main")" = installed-token ]'

mkdir -p -m 700 "$home/.config" "$home/.config/authdeck"
cat >"$home/.config/authdeck/config.toml" <<'TOML'
[providers.acme]
authorize_url = "https://id.acme.example/authorize"
token_url = "https://id.acme.example/token"
client_id = "installed-client"
client_secret_env = "ACME_SECRET"
token_env = "ACME_TOKEN"
TOML
cat >"$work/child.sh" <<'SH'
echo "$ACME_TOKEN ${ACME_TOKEN_EXPIRES_AT:+has-expiry} ${ACME_SECRET:-no-secret}"
exit 7
SH
step "authdeck exec hands the token to a child, and not the secret"
status=0
handed=$(fresh "ACME_SECRET=hunter2 authdeck exec acme/main -- sh $work/child.sh") || status=$?
check "child saw: $handed (status $status)" '[ "$handed" = "installed-token has-expiry no-secret" ] && [ "$status" -eq 7 ]'

step "authdeck status prints one line for a prompt"
line=$(fresh "authdeck status")
check "status printed: $line" '[[ "$line" == acme\ * ]] && [ "$(echo "$line" | wc -l)" -eq 1 ]'

step "authdeck wait: 0 for a valid session, 3 at the timeout"
waited=0
fresh "authdeck wait acme/main --timeout 5s" 2>/dev/null || waited=$?
timed_out=0
fresh "authdeck wait acme/other --timeout 1s" 2>/dev/null || timed_out=$?
check "wait exited $waited and $timed_out" '[ "$waited" -eq 0 ] && [ "$timed_out" -eq 3 ]'

step "bash loads the completion (complete -p authdeck)"
completion=$(env -i HOME="$home" PATH="$prefix/bin:/usr/bin:/bin" XDG_DATA_DIRS="$prefix/share" \
  bash --norc --noprofile -c '. /usr/share/bash-completion/bash_completion; __load_completion authdeck; complete -p authdeck' 2>&1 || true)
check "no completion: $completion" '[[ "$completion" == *"-F _authdeck_id_aware authdeck"* ]]'
step "the completion offers the subcommands"
words=$(env -i HOME="$home" PATH="$prefix/bin:/usr/bin:/bin" bash --norc --noprofile -c \
  ". '$prefix/share/bash-completion/completions/authdeck'; COMP_WORDS=(authdeck to); COMP_CWORD=1; COMP_LINE='authdeck to'; COMP_POINT=11; _authdeck; echo \"\${COMPREPLY[*]}\"")
check "completions were: $words" '[[ " $words " == *" token "* ]]'
step "authdeck token <TAB> offers the stored session and its provider/"
words=$(env -i HOME="$home" PATH="$prefix/bin:/usr/bin:/bin" bash --norc --noprofile -c \
  ". /usr/share/bash-completion/bash_completion; . '$prefix/share/bash-completion/completions/authdeck'; COMP_WORDS=(authdeck token ''); COMP_CWORD=2; COMP_LINE='authdeck token '; COMP_POINT=15; _authdeck authdeck '' token; echo \"\${COMPREPLY[*]}\"")
check "completions were: $words" '[ "$words" = "acme/ acme/main" ]'
step "authdeck logout acme/m<TAB> completes to acme/main"
words=$(env -i HOME="$home" PATH="$prefix/bin:/usr/bin:/bin" bash --norc --noprofile -c \
  ". '$prefix/share/bash-completion/completions/authdeck'; COMP_WORDS=(authdeck logout acme/m); COMP_CWORD=2; COMP_LINE='authdeck logout acme/m'; COMP_POINT=22; _authdeck authdeck acme/m logout; echo \"\${COMPREPLY[*]}\"")
check "completions were: $words" '[ "$words" = "acme/main" ]'
step "authdeck login wo<TAB>me: no space after the provider's work/"
cat >"$work/work.toml" <<'TOML'
[providers.work]
authorize_url = "https://id.work.example/authorize"
token_url = "https://id.work.example/token"
client_id = "work-client"
TOML
tmux -L "completion-$$" -f /dev/null new-session -d -x 120 -y 10 \
  "env -i HOME='$home' PATH='$prefix/bin:/usr/bin:/bin' AUTHDECK_CONFIG='$work/work.toml' TERM=xterm PS1='$ ' bash --norc --noprofile"
tmux -L "completion-$$" send-keys -t 0 ". /usr/share/bash-completion/bash_completion; . '$prefix/share/bash-completion/completions/authdeck'; clear" Enter
tmux -L "completion-$$" send-keys -t 0 "authdeck login wo" Tab
typed=""
for _ in $(seq 1 50); do
  typed=$(tmux -L "completion-$$" capture-pane -p -t 0 | grep 'authdeck login' || true)
  [[ "$typed" == *"work/"* ]] && break
  sleep 0.1
done
tmux -L "completion-$$" send-keys -t 0 me
for _ in $(seq 1 50); do
  typed=$(tmux -L "completion-$$" capture-pane -p -t 0 | grep 'authdeck login' || true)
  [[ "$typed" == *me* ]] && break
  sleep 0.1
done
tmux -L "completion-$$" kill-server 2>/dev/null || true
check "the line read: $typed" '[[ "$typed" == *"authdeck login work/me" ]]'
step "zsh and fish completions are installed"
check "missing" '[ -s "$prefix/share/zsh/site-functions/_authdeck" ] && [ -s "$prefix/share/fish/vendor_completions.d/authdeck.fish" ]'

step "man authdeck shows the manual"
manual=$(env -i HOME="$home" PATH="$prefix/bin:/usr/bin:/bin" MANPATH="$prefix/share/man" MANWIDTH=80 man -P cat authdeck 2>&1 || true)
check "manual was: ${manual:0:200}" '[[ "$manual" == *"OAuth sessions at a glance"* && "$manual" == *token* ]]'

# As a user reads it: through the pager's pipe at 80 columns, the formatter's warnings included.
man80=$(env -i HOME="$home" PATH="$prefix/bin:/usr/bin:/bin" MANPATH="$prefix/share/man" MANWIDTH=80 \
  bash -c 'man authdeck 2>&1 | cat')
step "man authdeck: the formatter warns of nothing"
check "warnings: $(grep -iE 'mdoc warning|warning:' <<<"$man80" | head -3)" '! grep -qiE "mdoc warning|warning:" <<<"$man80"'
step "man authdeck: the exit-status table has one line a status"
table=$(sed -n '/^ *Exit status:$/,/^$/p' <<<"$man80" | sed '1d;/^$/d')
statuses=$(awk '{print $1}' <<<"$table" | tr '\n' ' ')
check "table was: $table" '[ "$statuses" = "0 1 3 64 78 126 127 128+N other " ] && [ "$(wc -L <<<"$table")" -le 80 ]'
step "man authdeck shows status's marks, or ASCII ones without UTF-8"
manUTF8=$(env -i HOME="$home" PATH="$prefix/bin:/usr/bin:/bin" MANPATH="$prefix/share/man" MANWIDTH=80 \
  LANG=C.UTF-8 bash -c 'man authdeck 2>&1 | cat')
check "they read: $(grep -E 'e\.g\. .acme' <<<"$manUTF8") / $(grep -E 'e\.g\. .acme' <<<"$man80")" \
  '[[ "$manUTF8" == *"acme ✗ · lime 7:50 · limio ✓"* && "$man80" == *"acme x . lime 7:50 . limio v"* ]]'
step "man authdeck names no file of the repository"
check "it names: $(grep -oE '[a-z/]*docs/[a-z./]*|[a-z]+\.md' <<<"$man80" | head -3)" '! grep -qE "docs/|\.md\b" <<<"$man80"'

step "install and run leave a developer's own builds (.build) alone"
scripts/run --version >/dev/null 2>&1
touched=$(find .build -newer "$work/before-install" -not -type d 2>/dev/null | grep -v '/\.lock$' | head -3 || true)
check "they wrote: $touched" '[ -z "$touched" ]'
step "what the app needs is set up without a Python package"
mkdir -p "$work/copy/Tests/Support"
cp -r scripts "$work/copy/"
cp Tests/Support/authlib-requirements.txt "$work/copy/Tests/Support/"
"$work/copy/scripts/setup" >/dev/null
check "setup made .build-python" '[ ! -e "$work/copy/.build-python" ]'

step "scripts/run says on the board that the prefix is not on PATH"
path_without=$(tr ':' '\n' <<<"$PATH" | while read -r dir; do [ -x "$dir/authdeck" ] || echo "$dir"; done | paste -sd:)
tmux -L "install-e2e-$$" -f /dev/null new-session -d -x 150 -y 20 \
  "env PATH='$path_without' AUTHDECK_CONFIG='$home/.config/authdeck/config.toml' AUTHDECK_STORE='$store' LANG=C.UTF-8 TERM=xterm-256color scripts/run; sleep 30"
seen=""
for _ in $(seq 1 100); do
  seen=$(tmux -L "install-e2e-$$" capture-pane -p -t 0 2>/dev/null || true)
  [[ "$seen" == *"is not on your PATH"* ]] && break
  sleep 0.1
done
tmux -L "install-e2e-$$" send-keys -t 0 q 2>/dev/null || true
tmux -L "install-e2e-$$" kill-server 2>/dev/null || true
check "the board said: $seen" '[[ "$seen" == *"$prefix/bin is not on your PATH: add it"* ]]'

step "installing again rewrites nothing"
before=$(find "$prefix" -type f -printf '%p %T@\n' | sort)
scripts/install --prefix "$prefix" >"$work/again.out" 2>/dev/null
after=$(find "$prefix" -type f -printf '%p %T@\n' | sort)
check "files were rewritten" '[ "$before" = "$after" ] && grep -q "up to date" "$work/again.out"'

step "scripts/run prints the program's output only"
check "stdout had more than the version" '[ "$(scripts/run --version 2>/dev/null)" = "$(fresh "authdeck --version")" ]'

step "uninstall removes exactly what was installed"
mkdir -p "$prefix/share/man/man5" && touch "$prefix/share/man/man5/other.5"
scripts/install --prefix "$prefix" --uninstall >/dev/null
left=$(cd "$prefix" && find . | sort | tr '\n' ' ')
check "left behind: $left" '[ "$left" = ". ./share ./share/man ./share/man/man5 ./share/man/man5/other.5 " ]'
step "uninstall when nothing is installed says so"
status=0
message=$(scripts/install --prefix "$work/empty" --uninstall 2>&1) || status=$?
check "status $status, message: $message" '[ "$status" -eq 1 ] && [[ "$message" == *"nothing installed"* ]]'

if [ "$failures" -gt 0 ]; then
  echo "$failures install check(s) failed"
  exit 1
fi
echo "install: all checks passed"

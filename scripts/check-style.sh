#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Machine-checked style (make check-style; CI runs it):
#   1. no forbidden calls (strcpy strcat sprintf vsprintf gets atoi atol
#      strtok), comments and strings ignored;
#   2. no packed attribute or #pragma pack outside include/wire-common.h;
#   3. an SPDX-License-Identifier line near the top of every .c .h .sh file;
#   4. exported nvmeof_* functions defined in initiator/ are declared in
#      include/nvmeof.h (the public prefix is for the public API only);
#   5. no formatting drift from .clang-format (clang-format --dry-run),
#      except for the wire-format tables include/*-wire.h: their fixed
#      comment column and hand-aligned constant tables cannot be expressed
#      in clang-format 14, which also misreads "((x) & MASK)" in macro
#      bodies as a cast (it writes "((x) &MASK)");
#   6. cppcheck finds no warning or portability problem.
# Usage: scripts/check-style.sh [SRCDIR] [--no-format] [--no-cppcheck]
# Prints file:line for every finding and exits 1 if there is any.
set -euo pipefail

srcdir=.
do_format=1
do_cppcheck=1
for arg in "$@"; do
  case $arg in
    --no-format) do_format=0 ;;
    --no-cppcheck) do_cppcheck=0 ;;
    -h|--help) sed -n '3,13p' "$0"; exit 0 ;;
    -*) echo "check-style: unknown option $arg" >&2; exit 2 ;;
    *) srcdir=$arg ;;
  esac
done
cd "$srcdir"

# The source directories (never build directories or generated files).
c_dirs=(include common initiator target plugin fuse tools tests bench)
existing_dirs=()
for d in "${c_dirs[@]}"; do
  [ -d "$d" ] && existing_dirs+=("$d")
done

# Files under the source dirs, skipping build trees, dist dirs and autotools
# output.  Git-tracked files are preferred when this is a git checkout with
# commits, so that stray local files do not count.
list_files ()
{
  local pattern=("$@")
  if git rev-parse --verify -q HEAD >/dev/null 2>&1; then
    git ls-files --cached --others --exclude-standard -- "${pattern[@]}" |
      while read -r f; do [ -f "$f" ] && echo "$f"; done
  else
    local names=() p
    for p in "${pattern[@]}"; do
      names+=(-o -name "${p##*/}")
    done
    find . \( -name .git -o -name 'build*' -o -name '_build' \
              -o -name autom4te.cache -o -name '.libs' -o -name '.deps' \
              -o -name 'nvmeof-[0-9]*' \) -prune \
         -o -type f \( -false "${names[@]}" \) -print | sed 's,^\./,,'
  fi | grep -v -E '(^|/)(config\.h|config\.status|build-aux/.*)$' | sort
}

mapfile -t c_files < <(list_files '*.c' '*.h' | grep -E "^($(IFS='|'; echo "${existing_dirs[*]}"))/" || true)
mapfile -t sh_files < <(list_files '*.sh' || true)
failed=0
step ()
{
  printf 'check-style: %s\n' "$*"
}
problem ()
{
  echo "  $*"
  failed=1
}

# ---- 1 and 2: forbidden calls and stray packing -----------------------
# Comments, string and character literals are blanked first (keeping line
# numbers), so a comment saying "never use strcpy ()" is fine.
step "forbidden calls and stray packed attributes (${#c_files[@]} C files)"
if [ ${#c_files[@]} -gt 0 ]; then
  out=$(perl -e '
    my @forbidden = qw(strcpy strcat sprintf vsprintf gets atoi atol strtok);
    my $calls = join "|", @forbidden;
    for my $file (@ARGV) {
      open my $fh, "<", $file or die "$file: $!\n";
      local $/; my $text = <$fh>; close $fh;
      # Blank comments and literals, keeping newlines.
      $text =~ s{(/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|'"'"'(?:\\.|[^'"'"'\\\n])*'"'"')}
                {my $m = $1; my $keep = $m =~ /^"/ ? "\"\"" : "";
                 $m =~ s/[^\n]//g; $keep . $m}gse;
      my $n = 0;
      for my $line (split /\n/, $text, -1) {
        $n++;
        if ($line =~ /(?<![\w.>])($calls)\s*\(/) {
          print "$file:$n: forbidden call $1 ()\n";
        }
        if ($file ne "include/wire-common.h" &&
            ($line =~ /__attribute__\s*\(\(\s*_*packed_*/ ||
             $line =~ /^\s*#\s*pragma\s+pack/)) {
          print "$file:$n: packing outside include/wire-common.h (use NVME_PACKED)\n";
        }
      }
    }' "${c_files[@]}")
  if [ -n "$out" ]; then
    while IFS= read -r l; do problem "$l"; done <<<"$out"
  fi
fi

# ---- 3: SPDX headers ---------------------------------------------------
all_files=("${c_files[@]}" "${sh_files[@]}")
step "SPDX headers (${#all_files[@]} files)"
for f in "${all_files[@]}"; do
  if ! head -n 3 "$f" | grep -q 'SPDX-License-Identifier:'; then
    problem "$f:1: no SPDX-License-Identifier line in the first 3 lines"
  fi
done

# ---- 4: the public prefix ---------------------------------------------
step "nvmeof_* definitions in initiator/ are public API"
if [ -f include/nvmeof.h ] && [ -d initiator ]; then
  for f in initiator/*.c; do
    [ -f "$f" ] || continue
    # Definitions start at column 0 (the return type is on the line above).
    grep -n -E '^nvmeof_[A-Za-z0-9_]+ \(' "$f" | while IFS=: read -r n rest; do
      name=${rest%% *}
      if ! grep -q -E "\\b$name \\(" include/nvmeof.h; then
        echo "$f:$n: $name is not declared in include/nvmeof.h (internal names have no nvmeof_ prefix)"
      fi
    done
  done >"${TMPDIR:-/tmp}/check-style.$$" || true
  while IFS= read -r l; do problem "$l"; done <"${TMPDIR:-/tmp}/check-style.$$"
  rm -f "${TMPDIR:-/tmp}/check-style.$$"
fi

# ---- 5: formatting ------------------------------------------------------
if [ "$do_format" = 1 ]; then
  step "formatting (clang-format --dry-run, .clang-format)"
  if ! command -v clang-format >/dev/null; then
    problem "clang-format is not installed (Debian: clang-format)"
  elif [ ${#c_files[@]} -gt 0 ]; then
    fmt_files=()
    for f in "${c_files[@]}"; do
      case $f in
        include/*-wire.h) ;;
        *) fmt_files+=("$f") ;;
      esac
    done
    drift=$(clang-format --dry-run -Werror --style=file "${fmt_files[@]}" 2>&1 |
            grep -E '^[^ ].*:[0-9]+:[0-9]+: error' || true)
    if [ -n "$drift" ]; then
      # One line per file: the first place it differs and how many.
      sed -E 's/^([^:]+):([0-9]+):.*/\1 \2/' <<<"$drift" |
        awk '{ n[$1]++; if (!($1 in first)) { first[$1] = $2; order[++k] = $1 } }
             END { for (i = 1; i <= k; i++)
                     printf "%s:%s: formatting differs from .clang-format (%d places; fix: clang-format -i %s)\n",
                            order[i], first[order[i]], n[order[i]], order[i] }' |
        while IFS= read -r l; do echo "  $l"; done
      failed=1
    fi
  fi
fi

# ---- 6: cppcheck --------------------------------------------------------
if [ "$do_cppcheck" = 1 ]; then
  step "cppcheck (warning, portability)"
  if ! command -v cppcheck >/dev/null; then
    problem "cppcheck is not installed (Debian: cppcheck)"
  else
    cdirs=()
    for d in common initiator target plugin fuse tools; do
      [ -d "$d" ] && cdirs+=("$d")
    done
    if [ ${#cdirs[@]} -gt 0 ] &&
       ! cppcheck --error-exitcode=1 --enable=warning,portability --inline-suppr \
            --quiet --std=c11 -j 2 -D__GNUC__ -D__linux__ \
            --suppress=missingIncludeSystem \
            -I include -I initiator -I common \
            --template='  {file}:{line}: cppcheck {severity} ({id}): {message}' \
            "${cdirs[@]}" 2>&1; then
      failed=1
    fi
  fi
fi

if [ "$failed" != 0 ]; then
  echo "check-style: FAILED (see the file:line list above)"
  exit 1
fi
echo "check-style: OK"

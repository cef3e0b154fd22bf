#!/usr/bin/env bash
# Runs every exercise command of the committed reports as pasted (the `swift run -c release …` and `cut …`
# commands in each chapters/*.md section "Exercises"), with the release binaries, writing into a temporary
# folder instead of lesson/. Fails, naming the command and showing its last lines, if any exits non-zero
# (a `| grep` after a command must find its lines too). `make check` runs it after `swift build -c release`.
#
# Small settings where a command would take minutes: the nas commands get --population 4 --iterations 2
# --train-steps 3 appended (ArgumentParser keeps a flag's last value), so they check that the command runs,
# not what it finds.
set -uo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ran=0; failed=0
while IFS= read -r command; do
    run=${command//swift run -c release /.build/release/}
    case "$run" in
        .build/release/*) case "$run" in *"--out lesson/"*) ;; *) echo "exercise without --out lesson/…: $command"; failed=$((failed + 1)); continue ;; esac ;;
    esac
    run=${run//--out lesson\//--out $tmp/lesson/}
    case "$run" in
        .build/release/nas\ *)
            head=${run%%|*}; tail=""; [ "$head" != "$run" ] && tail="|${run#*|}"
            run="${head% } --population 4 --iterations 2 --train-steps 3 ${tail}" ;;
    esac
    ran=$((ran + 1))
    if ! bash -o pipefail -c "$run" >"$tmp/log" 2>&1; then
        echo "exercise failed: $command"; tail -5 "$tmp/log" | sed 's/^/    /'; failed=$((failed + 1))
    fi
done < <(for report in chapters/*.md; do
             awk '/^## Exercises/ { on = 1; next } /^## / { on = 0 } on' "$report"
         done | grep -o '`[^`]*`' | tr -d '`' | grep -E '^(swift run -c release |cut )')
if [ "$ran" -eq 0 ]; then echo "exercises: no exercise commands found in chapters/*.md"; exit 1; fi
if [ "$failed" -ne 0 ]; then echo "exercises: $failed of $ran commands failed"; exit 1; fi
echo "exercises: all $ran exercise commands ran as pasted"

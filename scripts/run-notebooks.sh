#!/usr/bin/env bash
# run-notebooks.sh executes every notebook in notebooks/ headless with the
# GoNB kernel and fails if any of them fails or shows an error.
#
#   scripts/run-notebooks.sh                 check every notebook (what CI runs)
#   scripts/run-notebooks.sh notebooks/02-optimizers.ipynb
#   scripts/run-notebooks.sh --update        refresh the committed outputs
#
# It installs what it needs when it is missing (see notebooks/README.md):
# Jupyter's nbconvert, nbclient and jupyter-client from Debian (apt-get, as
# root), the GoNB kernel v0.11.4 (built in a throw-away module, never this
# repository's go.mod) and goimports v0.52.0. Set NO_INSTALL=1 to skip
# installing and only run.
#
# Checking (the default) clears each notebook's committed outputs before
# executing it, so a pass never rests on them, and writes the executed
# copies to $OUT (default: a new temporary directory). The working tree is
# left as it is; the script fails if a run changed it. A notebook fails when
# nbconvert fails (a Go cell that does not compile, panics or exits
# non-zero), when a code cell did not run, or when its executed copy holds
# an error output or, in a stream, GoNB's "exit status N" for a failed
# shell cell (which nbconvert does not notice), a Go panic or a fatal
# runtime error.
#
# --update runs the same checks, then writes each notebook that passed back
# into notebooks/ with its outputs (figures as inline PNG), so that they
# read on GitHub. It drops what changes at every run without being a
# result: cell execution timestamps, the Go version (and empty fields) in
# the metadata, and the output of the setup cell (the modules `go get`
# added). It refuses to write outputs that name a machine path (/tmp/,
# /root/, /home/, /work/).
set -euo pipefail

GONB_VERSION=v0.11.4
GOIMPORTS_VERSION=v0.52.0
TIMEOUT=${TIMEOUT:-900} # seconds per cell

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
}

caller=$PWD # notebook paths are relative to where the script was started
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
export PATH="$(go env GOPATH)/bin:$PATH"
PY=/usr/bin/python3 # Debian's, which has nbformat
[ -x "$PY" ] || PY=python3

install() {
	if ! command -v jupyter-nbconvert >/dev/null || ! "$PY" -c 'import nbclient, jupyter_client' 2>/dev/null; then
		echo "run-notebooks: installing jupyter-nbconvert, python3-nbclient, jupyter-client (Debian)"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends jupyter-nbconvert python3-nbclient jupyter-client >/dev/null
	fi
	if ! command -v gonb >/dev/null; then
		echo "run-notebooks: installing GoNB $GONB_VERSION"
		# The proxy refuses GoNB's version list, so `go install …@version`
		# fails; a throw-away module works.
		local t
		t=$(mktemp -d)
		(cd "$t" && go mod init tools >/dev/null 2>&1 && go get "github.com/janpfeifer/gonb@$GONB_VERSION" >/dev/null 2>&1 && go install github.com/janpfeifer/gonb)
		rm -rf "$t"
	fi
	if ! command -v goimports >/dev/null; then
		echo "run-notebooks: installing goimports $GOIMPORTS_VERSION"
		go install "golang.org/x/tools/cmd/goimports@$GOIMPORTS_VERSION"
	fi
	if ! jupyter kernelspec list 2>/dev/null | grep -q '^ *gonb '; then
		echo "run-notebooks: registering the GoNB kernel"
		gonb --install --force_deps -raw_error >/dev/null
	fi
}

# check_outputs prints the problems in an executed notebook and returns 1
# if it found any.
check_outputs() {
	"$PY" - "$1" <<'EOF'
import json, re, sys
nb = json.load(open(sys.argv[1]))
bad = []
for i, cell in enumerate(nb["cells"]):
    if cell["cell_type"] != "code":
        continue
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "error":
            bad.append(f"cell {i}: {out.get('ename')}: {out.get('evalue')}")
        elif kind == "stream":
            text = "".join(out.get("text", ""))
            for line in text.splitlines():
                if re.search(r"\bexit status \d+", line) or line.startswith(("panic:", "fatal error:")):
                    bad.append(f"cell {i} ({out.get('name')}): {line.strip()}")
        for mime, data in out.get("data", {}).items():
            if mime.startswith("text/") and re.search(r"\bexit status \d+", "".join(data)):
                bad.append(f"cell {i} ({mime}): exit status in the output")
    if cell.get("execution_count") is None and "".join(cell.get("source", "")).strip():
        bad.append(f"cell {i}: not executed")
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
EOF
}

# clean_outputs writes the executed notebook $1 to $2 as it is committed:
# outputs kept, run-to-run noise dropped (see the top of this file).
clean_outputs() {
	"$PY" - "$1" "$2" <<'EOF'
import json, re, sys
src, dst = sys.argv[1], sys.argv[2]
nb = json.load(open(src))
info = nb["metadata"].get("language_info", {})
for key in [k for k, v in info.items() if k == "version" or v == ""]:
    del info[key]
for cell in nb["cells"]:
    cell.get("metadata", {}).pop("execution", None)
    if cell["cell_type"] == "code" and "".join(cell["source"]).lstrip().startswith("!"):
        cell["outputs"] = []
text = json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
paths = sorted(set(re.findall(r"(?:/tmp/|/root/|/home/|/work/)[^\s\"\\]*", text)))
if paths:
    print(f"  outputs name machine paths: {', '.join(paths[:5])}")
    sys.exit(1)
with open(dst, "w") as f:
    f.write(text)
EOF
}

# tree_state lists the working tree's changes (nothing outside a git
# checkout), to prove a check run left the tree as it was.
tree_state() { git status --porcelain --untracked-files=all 2>/dev/null || true; }

# main is the whole run; bash reads a function before calling it, so editing
# this file while it runs cannot change what the run does.
main() {
	local update=0 args=() notebooks=() a nb name show log start before failed=0
	for a in "$@"; do
		case "$a" in
		--update) update=1 ;;
		-h | --help)
			usage
			return 0
			;;
		-*)
			echo "run-notebooks: unknown option $a (want --update, --help or notebook paths)" >&2
			return 2
			;;
		*)
			if ! (cd "$caller" && [ -f "$a" ]) || [ "${a%.ipynb}" = "$a" ]; then
				echo "run-notebooks: $a is not a notebook file (want a path such as notebooks/02-optimizers.ipynb)" >&2
				return 2
			fi
			args+=("$(cd "$caller" && cd "$(dirname "$a")" && pwd)/$(basename "$a")")
			;;
		esac
	done

	if [ -z "${NO_INSTALL:-}" ]; then
		install
	fi

	before=$(tree_state)
	OUT=${OUT:-$(mktemp -d)}
	mkdir -p "$OUT"
	if [ ${#args[@]} -gt 0 ]; then
		notebooks=("${args[@]}")
	else
		notebooks=("$PWD"/notebooks/*.ipynb)
	fi
	for nb in "${notebooks[@]}"; do
		start=$(date +%s)
		name=$(basename "$nb" .ipynb)
		show=${nb#"$PWD"/}
		log="$OUT/$name.log"
		if ! jupyter nbconvert --to notebook --ClearOutputPreprocessor.enabled=True --execute \
			--ExecutePreprocessor.timeout="$TIMEOUT" --output-dir "$OUT" "$nb" >"$log" 2>&1; then
			echo "FAIL $show: nbconvert failed after $(($(date +%s) - start))s (log: $log)"
			grep -E "Error|error:|panic" "$log" | grep -v "^I[0-9]" | tail -n 15 | sed 's/^/  /' || true
			failed=1
			continue
		fi
		if ! check_outputs "$OUT/$name.ipynb"; then
			echo "FAIL $show: error output (executed copy: $OUT/$name.ipynb)"
			failed=1
			continue
		fi
		if [ "$update" = 1 ]; then
			if ! clean_outputs "$OUT/$name.ipynb" "$nb"; then
				echo "FAIL $show: not updated (executed copy: $OUT/$name.ipynb)"
				failed=1
				continue
			fi
			echo "ok   $show ($(($(date +%s) - start))s): outputs written back"
		else
			echo "ok   $show ($(($(date +%s) - start))s)"
		fi
	done
	echo "executed notebooks in $OUT"
	if [ "$update" = 0 ] && [ "$(tree_state)" != "$before" ]; then
		echo "FAIL: running the notebooks changed the working tree (git status before and after):"
		diff <(echo "$before") <(tree_state) | sed 's/^/  /' || true
		failed=1
	fi
	return "$failed"
}

main "$@"

#!/usr/bin/env bash
# run-notebooks.sh executes every notebook in notebooks/ headless with the
# GoNB kernel and fails if any of them fails or shows an error.
#
#   scripts/run-notebooks.sh                 every notebook
#   scripts/run-notebooks.sh notebooks/02-optimizers.ipynb
#
# It installs what it needs when it is missing (see
# ../shared/notes/notebooks.md for the tested recipe): Jupyter's nbconvert,
# nbclient and jupyter-client from Debian (apt-get, as root), the GoNB
# kernel v0.11.4 (built in a throw-away module, never this repository's
# go.mod) and goimports v0.52.0. Set NO_INSTALL=1 to skip installing and
# only check.
#
# To open the notebooks yourself: run this once (it registers the kernel),
# then `sudo apt-get install -y --no-install-recommends jupyter-notebook`,
# `export PATH=/usr/local/go/bin:$(go env GOPATH)/bin:$PATH` and
# `jupyter notebook notebooks/`; choose "Go (gonb)" and run the cells in order.
#
# The executed notebooks go to $OUT (default: a new temporary directory);
# the ones in notebooks/ are left as they are. A notebook fails when
# nbconvert fails (a Go cell that does not compile, panics or exits non-zero)
# or when its executed copy holds an error output or, on stderr, GoNB's
# "exit status N" for a failed shell cell (which nbconvert does not notice)
# or a Go panic.
set -euo pipefail

GONB_VERSION=v0.11.4
GOIMPORTS_VERSION=v0.52.0
TIMEOUT=${TIMEOUT:-900} # seconds per cell

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
                if re.search(r"\bexit status \d+", line) or line.startswith("panic:"):
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

if [ -z "${NO_INSTALL:-}" ]; then
	install
fi

OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
if [ $# -gt 0 ]; then
	notebooks=("$@")
else
	notebooks=(notebooks/*.ipynb)
fi
failed=0
for nb in "${notebooks[@]}"; do
	start=$(date +%s)
	log="$OUT/$(basename "$nb" .ipynb).log"
	if ! jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout="$TIMEOUT" --output-dir "$OUT" "$nb" >"$log" 2>&1; then
		echo "FAIL $nb: nbconvert failed after $(($(date +%s) - start))s (log: $log)"
		grep -E "Error|error:|panic" "$log" | grep -v "^I[0-9]" | tail -n 15 | sed 's/^/  /' || true
		failed=1
		continue
	fi
	if ! check_outputs "$OUT/$(basename "$nb")"; then
		echo "FAIL $nb: error output (executed copy: $OUT/$(basename "$nb"))"
		failed=1
		continue
	fi
	echo "ok   $nb ($(($(date +%s) - start))s)"
done
echo "executed notebooks in $OUT"
exit "$failed"

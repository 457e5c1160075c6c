#!/usr/bin/env bash
# Fetch the JavaScript the built pages need (MathJax 3, require.js, the Jupyter widget manager)
# from the npm registry, check it against the pinned hashes, and lay it out for Sphinx's
# html_static_path, so that _build/html reads offline: _config.yml points mathjax_path and
# nb_ipywidgets_js at _static/offline/..., never at a CDN.
#
#   tools/vendor_js.sh DIR  ->  DIR/site/offline/{mathjax/,require.js,widgets.js,widgets/embed-amd.js}
#   (widgets.js is tools/widgets-offline.js: it makes html-manager work from these files)
#
# `make vendor` runs it (and `make book` / `make test` through it); it writes DIR/.stamp last.
set -euo pipefail
DIR=${1:?usage: tools/vendor_js.sh DIR}
HERE=$(cd "$(dirname "$0")" && pwd)

# name@version  sha256 of the registry tarball
PINS=(
  "mathjax@3.2.2 1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09"
  "requirejs@2.3.8 777158e89275e16bd51aec3ef714fbcb5dc45789e7078659933bc814916d7dec"
  "@jupyter-widgets/html-manager@1.0.6 6c198ceb99ba7e7526990a1de16e8147ad7d3a714e3fb06741183623c04b5f6e"
)

if ! command -v npm >/dev/null 2>&1; then
  cat >&2 <<'EOF'
error: npm was not found.
The book serves MathJax, require.js and the widget manager from its own static files (so the
built pages read offline); they are fetched once from the npm registry. Install Node.js and npm
(Debian/Ubuntu: `apt-get install -y npm`; macOS: `brew install node`) and run make again.
EOF
  exit 1
fi

# Build the new copy beside the old one and swap only when every file is in place: a failed
# download (no network, a registry error, a wrong hash) keeps the previous good copy and says in
# one line what failed (the full npm log is kept in $DIR.log).
mkdir -p "$(dirname "$DIR")"
DIR=$(cd "$(dirname "$DIR")" && pwd)/$(basename "$DIR")
NEW=$(mktemp -d "$DIR.new.XXXXXX")
LOG="$DIR.log"
trap 'rm -rf "$NEW"' EXIT
fail() {
  if [ -f "$DIR/.stamp" ]; then
    echo >&2 "warning: vendor_js.sh: $1; kept the previous copy in $DIR ($(cut -d' ' -f1 < "$DIR/.stamp" | paste -sd' '))"
    exit 0
  fi
  echo >&2 "error: vendor_js.sh: $1; no previous copy in $DIR, so the book cannot be built offline (log: $LOG)"
  exit 1
}

mkdir -p "$NEW/npm" "$NEW/site/offline/widgets"
cd "$NEW/npm"
: > "$LOG"
for pin in "${PINS[@]}"; do
  spec=${pin% *}; sum=${pin#* }
  if ! tgz=$(npm pack --silent --loglevel=error --fetch-retries=1 --fetch-retry-maxtimeout=15000 "$spec" 2>>"$LOG" | tail -n 1) \
     || [ -z "$tgz" ] || [ ! -f "$tgz" ]; then
    why=$(grep -m1 -E 'code|ERR|error' "$LOG" | sed -E 's/^npm (error|ERR!) ?//' || true)
    fail "npm could not fetch $spec${why:+ ($why)}"
  fi
  echo "$sum  $tgz" | sha256sum --quiet -c - 2>>"$LOG" || fail "$tgz does not match its pinned sha256"
  name=${spec%@*}; mkdir -p "x/$name"; tar xzf "$tgz" -C "x/$name" || fail "could not unpack $tgz"
done
site=../site/offline

# MathJax: the tex-mml-chtml component plus what it loads on demand (TeX extensions, CHTML
# fonts, the menu, accessibility and speech); the other combined components are left out.
mkdir -p "$site/mathjax"
mj=x/mathjax/package/es5
cp "$mj/tex-mml-chtml.js" "$site/mathjax/"
for d in input output a11y ui sre adaptors; do cp -r "$mj/$d" "$site/mathjax/"; done
rm -rf "$site/mathjax/output/svg" "$site/mathjax/output/svg.js"
cp x/mathjax/package/LICENSE "$site/mathjax/LICENSE"

cp x/requirejs/package/require.js "$site/require.js"
cp "$HERE/widgets-offline.js" "$site/widgets.js"

# embed-amd.js finds its Font Awesome files next to itself (browsers take the woff2/woff ones).
hm=x/@jupyter-widgets/html-manager/package/dist
cp "$hm/embed-amd.js" "$hm"/*.woff2 "$hm"/*.woff "$site/widgets/"

cd .. && rm -rf npm
printf '%s\n' "${PINS[@]}" > .stamp
cd /
# swap: the old copy goes only once the new one is complete
if [ -e "$DIR" ]; then mv "$DIR" "$NEW.old"; fi
mv "$NEW" "$DIR"
rm -rf "$NEW.old" "$LOG"
echo "vendored JavaScript in $DIR/site/offline ($(du -sh "$DIR/site" | cut -f1))"

#!/usr/bin/env bash
# Run hyoka's whole test suite on a fresh machine: install what the tests need, then pytest.
#
#   bash tests/run.sh [PYTEST ARGS…]
#
# The Word, Excel and PDF tests convert documents with LibreOffice headless and read them back
# with poppler (pdftotext, pdffonts) in Noto CJK fonts; the HTML tests print with chromium; the
# installed-wheel tests create a virtual environment (python3-venv). As
# root on Debian/Ubuntu, missing system packages are installed with apt-get; otherwise the
# missing ones are named and the tests that need them fail (they never skip).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
{ command -v dpkg >/dev/null 2>&1 && ! dpkg -s libreoffice-calc-nogui >/dev/null 2>&1; } && missing+=(libreoffice-calc-nogui)
{ command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep -i "Noto.*CJK" >/dev/null; } || missing+=(fonts-noto-cjk)
command -v pdffonts >/dev/null 2>&1 || missing+=(poppler-utils)
"$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1 || missing+=(python3-venv)  # the installed-wheel tests make a venv
{ command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; } || missing+=(chromium)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "tests/run.sh: missing system packages: ${missing[*]}" >&2
    echo "tests/run.sh: install them (e.g. sudo apt-get install ${missing[*]}); the tests that need them will fail" >&2
  fi
fi

"$PYTHON" -m pip install -q '.[test]'
exec "$PYTHON" -m pytest -q "$@"

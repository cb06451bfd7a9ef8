# Sourced by .ci/run: Debian's chromium and a Chinese font, for the browser test of `simulator serve`
# (tests/test_serve.py drives the page headless; its screenshots need the font). Installed only when missing.
if ! command -v chromium >/dev/null 2>&1 || ! { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh | grep -q .; }; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null
fi

"""How the browser checks and the benchmarks start Debian's headless Chromium: one list of
switches, so that the tests and the benchmarks measure the same browser."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

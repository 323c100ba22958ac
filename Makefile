# Qalam — the two commands are `make run` and `make test`; the rest are helpers.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
DEMO_DATA ?= var/demo

.PHONY: run test test-display lint bench system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Start the app on a demo workspace (data under var/demo).
run: $(STAMP) i18n-compile
	$(VENV)/bin/qalam --data-dir $(DEMO_DATA) --demo

## Everything the tests need, then the whole suite (headless), on TEST_WORKERS processes
## (pytest-xdist; each has its own PostgreSQL, ports and Qt; TEST_WORKERS=0: one process).
TEST_WORKERS ?= 2
test: $(STAMP) system-deps i18n-compile
	$(VENV)/bin/ruff check .
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider -m "not dist" \
	  -n $(TEST_WORKERS) --dist worksteal
	$(MAKE) --no-print-directory test-dist

## The kill test at a real display alone (Xvfb, openbox, xdotool: part of `make test` too).
test-display: $(STAMP) system-deps i18n-compile
	$(PY) -m pytest -q -p no:cacheprovider -s tests/test_kill_display.py

system-deps:
	build_scripts/system_deps.sh
	build_scripts/postgres.sh
	build_scripts/axe_core.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .

## Benchmarks: run by hand, they print ratios against a baseline measured in the same run.
bench: $(STAMP)
	$(PY) bench/store.py
	$(PY) bench/export.py

clean:
	rm -rf $(VENV) build dist .pytest_cache

# --- i18n: message catalogs (docs/translating.md) -------------------------------------------
.PHONY: i18n-extract i18n-update i18n-compile i18n-stats i18n-todo i18n-merge bench-i18n

## Re-extract i18n/qalam.pot (committed; unchanged file when no message changed).
i18n-extract: $(STAMP)
	$(PY) -m i18n.tools extract

## Merge the .pot into every catalog (new strings empty, changed ones fuzzy).
i18n-update: $(STAMP)
	$(PY) -m i18n.tools update

## Build the .mo files (not committed), pseudo-locales en-XA and ar-XB included.
i18n-compile: $(STAMP)
	$(PY) -m i18n.tools compile

i18n-stats: $(STAMP)
	$(PY) -m i18n.tools stats

## Untranslated/fuzzy entries as JSON lines: make i18n-todo > todo.jsonl
i18n-todo: $(STAMP)
	@$(PY) -m i18n.tools todo

## Merge translated JSON lines back: make i18n-merge FILE=done.jsonl
i18n-merge: $(STAMP)
	$(PY) -m i18n.tools merge $(FILE)

bench-i18n: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) bench/i18n.py

# --- dist: installers (build_scripts/README.md) ---------------------------------------------
.PHONY: dist dist-appimage test-dist bench-dist clean-dist

PYINSTALLER := $(VENV)/bin/pyinstaller
PYINSTALLER_VERSION ?= 6.22.3

$(PYINSTALLER): $(STAMP)
	$(PY) -m pip install --quiet 'pyinstaller==$(PYINSTALLER_VERSION)'

## The onedir bundle for this machine (dist/qalam/), checked; on Linux also the .tar.gz.
dist: $(STAMP) $(PYINSTALLER)
	@if $(MAKE) -n i18n-compile >/dev/null 2>&1; then $(MAKE) --no-print-directory i18n-compile; \
	  else echo "no i18n-compile target: bundling the catalogs already built"; fi
	$(PYINSTALLER) --noconfirm --clean --log-level WARN --distpath dist --workpath build \
	  build_scripts/qalam.spec
	$(PY) build_scripts/check_bundle.py dist/qalam
	@if [ "$$(uname -s)" = Linux ]; then $(PY) build_scripts/package_linux.py dist/qalam; fi

## An AppImage from the bundle (needs appimagetool on PATH; see build_scripts/appimage/).
dist-appimage: dist
	build_scripts/appimage/build.sh dist/qalam

## The frozen app's own tests (tests/test_dist.py): fails when there is no bundle.
test-dist: dist
	QALAM_REQUIRE_DIST=1 QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider \
	  -m dist tests/test_dist.py

## Bundle size and frozen first paint against a frozen PySide6 hello-world (run by hand).
bench-dist: dist
	$(PY) bench/dist.py dist/qalam

clean-dist:
	rm -rf build dist

## Screenshots of every screen (English UI, Arabic content) under Xvfb, into docs/screenshots/.
## With LANG=ur (ar, hi, am, my): the first-start dialog, every screen and the dialogs in that
## language, at each of SCREEN_SIZES, with openbox framing the window and fontconfig seeing only
## DejaVu Sans, into docs/screenshots/<LANG>/<size>/ (look at every one).
## Installs Xvfb, openbox, xdotool and Qt's X11 (xcb) libraries with apt-get when missing (as root).
SCREENSHOT_DEPS := xvfb xauth openbox xdotool fonts-dejavu-core libxcb-cursor0 libxkbcommon-x11-0 \
	libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 \
	libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0
SCREEN_SIZES ?= 1366x768 1024x600
.PHONY: screenshots
screenshots: $(STAMP) i18n-compile
	@missing=$$(for p in $(SCREENSHOT_DEPS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null \
		| grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends $$missing; fi
	@case "$(LANG)" in \
	  ar|ur|hi|am|my) for size in $(SCREEN_SIZES); do \
	    xvfb-run -a -s "-screen 0 $${size}x24" $(PY) build_scripts/screenshots.py \
	      --ui "$(LANG)" --size "$$size" || exit 1; done ;; \
	  *) xvfb-run -a -s "-screen 0 1400x900x24" $(PY) build_scripts/screenshots.py ;; \
	esac

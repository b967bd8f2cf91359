SHELL := /bin/bash
# The README's commands. Each installs what it needs when it can (Debian/Ubuntu, as root).
SWIFT ?= swift
APT_PACKAGES := libpcap-dev tshark socat jpnevulator chromium

.PHONY: demo test bench fuzz deps build release install install-wireshark uninstall clean dissector-tables

# System packages: installed only when missing, and only when we can (root with apt-get).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Please install:$$missing (e.g. sudo apt-get install$$missing)"; exit 1; fi; \
	fi

build: deps
	$(SWIFT) build

# Standalone binaries, the Swift runtime linked in (copy them to a machine without Swift):
# .build-static/release/azure-dps, edm-decode, edm-replay. They also start faster.
release: deps
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-static
	@echo "Built: $$($(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-static --show-bin-path)/{azure-dps,edm-decode,edm-replay}"

# The main job: provision the simulated module through a real pty, as with hardware
# (about 25 s, the reference session's timing), then show its recording decoded.
demo: build
	@rm -f .build/demo.pcapng
	$(SWIFT) run -q azure-dps --simulate --record .build/demo.pcapng
	@echo; echo "The recording, decoded (edm-decode .build/demo.pcapng):"; echo
	$(SWIFT) run -q edm-decode .build/demo.pcapng --format transcript | tail -22

# A short bounded fuzz of every parser first (libFuzzer, FUZZ_SECONDS each: 15 checks, 45 s
# at the default), then the suite, so the last line is Swift Testing's summary.
test: deps
	Scripts/check-architecture.sh
	Scripts/check-layout.sh
	Fuzz/fuzz.sh $${FUZZ_SECONDS:-3}
	mkdir -p .build; $(SWIFT) test 2>&1 | tee .build/test.log | grep -vE '^\[[0-9]+/[0-9]+\]|passed after|started\.$$'; \
	status=$${PIPESTATUS[0]}; tail -1 .build/test.log; exit $$status

# Frame decoding vs a C walker, replay CPU time, decoding a large capture vs tshark, and the
# live client's overhead against the simulator, a batch of 32 simulated modules against one,
# what edm-replay serve adds to recorded latencies, the tap's forwarding latency both ways at
# 921600 baud for TAP_SECONDS (default 600) (several minutes, release builds first); then
# every fuzz check for 10 minutes with AddressSanitizer (FUZZ_MINUTES=...), with the counts.
bench: deps
	Benchmarks/bench.sh
	@if [ -x Benchmarks/decode-bench.sh ]; then Benchmarks/decode-bench.sh; fi
	Benchmarks/live-timing.sh
	Benchmarks/batch-timing.sh
	Benchmarks/serve-latency.sh
	Benchmarks/tap-latency.sh $${TAP_SECONDS:-600}
	Fuzz/fuzz-asan.sh

# Every fuzz check, SECONDS_TO_FUZZ each.
fuzz:
	Fuzz/fuzz.sh $${SECONDS_TO_FUZZ:-60}

# The three tools into $(PREFIX)/bin, and the Wireshark dissector into the personal Lua
# plugins folder tshark reports ("Personal Lua Plugins" in `tshark -G folders`; override with
# WIRESHARK_PLUGIN_DIR=...). The binaries use the Swift runtime of the toolchain that built
# them; `make release` makes ones that run without Swift.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
TOOLS := azure-dps edm-decode edm-replay

install: deps
	$(SWIFT) build -c release
	@bin="$$($(SWIFT) build -c release --show-bin-path)"; \
	install -d "$(DESTDIR)$(BINDIR)" && \
	for t in $(TOOLS); do install -m 755 "$$bin/$$t" "$(DESTDIR)$(BINDIR)/$$t" || exit 1; echo "Installed $(DESTDIR)$(BINDIR)/$$t"; done
	@dir="$(WIRESHARK_PLUGIN_DIR)"; \
	if [ -z "$$dir" ]; then dir="$$(tshark -G folders 2>/dev/null | sed -n 's/^Personal Lua Plugins:[[:space:]]*//p')"; fi; \
	if [ -z "$$dir" ]; then echo "tshark -G folders names no \"Personal Lua Plugins\" folder: give WIRESHARK_PLUGIN_DIR=..."; exit 1; fi; \
	install -d "$(DESTDIR)$$dir" && install -m 644 wireshark/ucx_edm.lua "$(DESTDIR)$$dir/ucx_edm.lua" && \
	echo "Installed $(DESTDIR)$$dir/ucx_edm.lua (Wireshark and tshark load it at start; see wireshark/README.md)"

# Wireshark's live interface (ucx-edm: a tap or two-wire capture, `edm-decode extcap`) and the
# dissector, into the personal folders `tshark -G folders` names (wireshark/install-wireshark.sh).
# The interface runs this checkout's release edm-decode; rebuild, and it runs the new one.
install-wireshark: deps
	$(SWIFT) build -c release --product edm-decode
	wireshark/install-wireshark.sh "$$($(SWIFT) build -c release --show-bin-path)/edm-decode"

# Removes what `make install` and `make install-wireshark` put in place (same PREFIX and
# WIRESHARK_PLUGIN_DIR).
uninstall:
	@for t in $(TOOLS); do rm -fv "$(DESTDIR)$(BINDIR)/$$t"; done
	@dir="$(WIRESHARK_PLUGIN_DIR)"; \
	if [ -z "$$dir" ]; then dir="$$(tshark -G folders 2>/dev/null | sed -n 's/^Personal Lua Plugins:[[:space:]]*//p')"; fi; \
	if [ -n "$$dir" ]; then rm -fv "$(DESTDIR)$$dir/ucx_edm.lua"; fi
	@folders="$$(tshark -G folders 2>/dev/null)"; \
	ext="$$(sed -n 's/^Personal Extcap path:[[:space:]]*//p' <<<"$$folders")"; \
	[ -n "$$ext" ] || ext="$$(sed -n 's/^Personal configuration:[[:space:]]*//p' <<<"$$folders")/extcap"; \
	rm -fv "$$ext/ucx-edm-extcap"

# The dissector's AT tables, written from the catalog into wireshark/ucx_edm.lua between its
# BEGIN GENERATED and END GENERATED lines (a test fails while they differ from the catalog).
dissector-tables: build
	$(SWIFT) run -q edm-decode --dissector-tables >.build/dissector-tables.lua
	awk -v gen=.build/dissector-tables.lua '/^-- BEGIN GENERATED/ { while ((getline l < gen) > 0) print l; skip = 1; next } \
	  /^-- END GENERATED/ { skip = 0; next } !skip' wireshark/ucx_edm.lua >.build/ucx_edm.lua
	mv .build/ucx_edm.lua wireshark/ucx_edm.lua

clean:
	rm -rf .build .build-*

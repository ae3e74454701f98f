# Atalaya — the two commands a newcomer needs:
#   make demo   simulate ~200,000 incidents for one year on the real Bogotá layers, assign them, print the per-localidad summary
#   make test   build and run the test suite
# Both install the system libraries first when they are missing (Debian/Ubuntu).

SWIFT      ?= swift
DEPS       := libgeos-dev libproj-dev proj-data libsqlite3-dev pkg-config gdal-bin
# Tests run on release builds: the exact polygon indexes are built from the real layers in every
# test process, which an unoptimised build makes far too slow.
TESTFLAGS  := -c release -Xswiftc -enable-testing
OUT        ?= out

.PHONY: deps build test demo bench clean

deps:
	@if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists geos proj sqlite3 && [ -f /usr/share/proj/proj.db ] && command -v ogrinfo >/dev/null 2>&1; then \
		echo "system libraries present (GEOS $$(pkg-config --modversion geos), PROJ $$(pkg-config --modversion proj), SQLite $$(pkg-config --modversion sqlite3))"; \
	else \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update && $$SUDO apt-get install -y $(DEPS); \
	fi

build: deps
	$(SWIFT) build -c release --product atalaya

test: deps
	@python3 -c 'import jsonschema' 2>/dev/null || python3 -m pip install --quiet jsonschema || $$( [ "$$(id -u)" -eq 0 ] || echo sudo ) apt-get install -y python3-jsonschema
	$(SWIFT) build $(TESTFLAGS) --build-tests
	$(SWIFT) test $(TESTFLAGS) --skip-build

demo: build
	@mkdir -p $(OUT)
	.build/release/atalaya simulate --count 200000 --from 2025-01-01 --to 2026-01-01 --seed 2026 -o $(OUT)/incidentes_sinteticos.csv
	.build/release/atalaya assign $(OUT)/incidentes_sinteticos.csv -o $(OUT)/incidentes_asignados.csv --summary localidades

bench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

clean:
	rm -rf .build $(OUT)

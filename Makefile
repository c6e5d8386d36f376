# Set-up and everyday commands; `make demo` and `make test` work on a fresh Debian/Ubuntu machine.
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin
SYSTEM_PACKAGES = libvoikko1 voikko-fi
# Debian's Chromium drives the browser test of the search page. Tesseract (with Finnish and Swedish) and
# pdftoppm read scanned PDFs; LibreOffice converts legacy .doc/.xls/.ppt files and the office tests need it.
# All of them are optional at run time: without them those files are skipped with a reason.
OFFICE_SYSTEM_PACKAGES = tesseract-ocr tesseract-ocr-fin tesseract-ocr-swe poppler-utils \
	libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui
# nginx (with openssl for a throwaway certificate) checks and runs the reverse-proxy example in deploy/ (tests/test_deploy.py).
TEST_SYSTEM_PACKAGES = chromium nginx openssl $(OFFICE_SYSTEM_PACKAGES)
# Java 17 and Maven run the local SolrCloud cluster of the tests and of `make solrcloud`.
SOLRCLOUD_SYSTEM_PACKAGES = default-jdk-headless maven
SOLRCLOUD_ARGS ?=
DEMO_DATA ?= demo-data
PORT ?= 8000
# axe-core checks the pages for WCAG 2.1 A/AA violations in the browser tests; tests/axe.py has npm install
# it, pinned, into .test-tools/ outside git.
TEST_TOOLS = .test-tools

.PHONY: install demo test bench clean system-packages test-system-packages test-tools solrcloud solrcloud-launcher solrcloud-system-packages test-oidc-provider

install: system-packages $(BIN)/sotehaku

system-packages:
	@./.ci/system-packages $(SYSTEM_PACKAGES)

test-system-packages:
	@./.ci/system-packages $(TEST_SYSTEM_PACKAGES)

# npm from apt only where there is none (a Node.js from elsewhere is fine).
test-tools: install
	@command -v npm >/dev/null || ./.ci/system-packages nodejs npm
	@$(BIN)/python tests/axe.py

# Installed with apt only where java, javac or mvn is missing (a JDK from elsewhere is fine).
solrcloud-system-packages:
	@command -v java >/dev/null && command -v javac >/dev/null && command -v mvn >/dev/null \
		|| ./.ci/system-packages $(SOLRCLOUD_SYSTEM_PACKAGES)

# Fetches Solr 9.10.1 from Maven Central (once) and compiles the cluster launcher.
solrcloud-launcher: install solrcloud-system-packages
	$(BIN)/python -m backends.solr.cluster build

# ZooKeeper and two Solr nodes on 127.0.0.1 with a collection `sotehaku`; prints the URLs, Ctrl-C stops it.
solrcloud: solrcloud-launcher
	$(BIN)/python -m backends.solr.cluster run $(SOLRCLOUD_ARGS)

# Quiet: pip's and setuptools' output goes to $(VENV)/install.log and is shown only if the install fails.
$(BIN)/sotehaku: setup.cfg pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "sotehaku needs Python 3.11 or newer; set PYTHON=python3.11 (or newer)")'
	@echo "Installing sotehaku and its Python packages into $(VENV) (log: $(VENV)/install.log)"
	@$(PYTHON) -m venv $(VENV)
	@{ $(BIN)/pip install --quiet --upgrade pip && $(BIN)/pip install --quiet -e '.[test]'; } > $(VENV)/install.log 2>&1 \
		|| { cat $(VENV)/install.log; echo "Installing failed; the log above is in $(VENV)/install.log." >&2; exit 1; }
	@touch $@

demo: install
	@$(BIN)/sotehaku --data-dir $(DEMO_DATA) demo --port $(PORT)

# The sign-in tests run a real OpenID Provider (npm oidc-provider, pinned in tests/oidc_provider/package-lock.json)
# on Node.js; its node_modules folder is outside git.
test-oidc-provider:
	@command -v node >/dev/null && command -v npm >/dev/null || ./.ci/system-packages nodejs npm
	cd tests/oidc_provider && npm ci --no-audit --no-fund --silent

test: install test-system-packages test-tools solrcloud-launcher test-oidc-provider
	$(BIN)/pytest

# BIG_DATA_DIR: a built data dir of benchmarks/generate_corpus.py's 200,000 documents (only read), for the
# in-process latency and memory and the load on sotehaku serve at that size (make bench BIG_DATA_DIR=DIR).
bench: install
	$(BIN)/python benchmarks/run.py $(if $(BIG_DATA_DIR),--big-data-dir $(BIG_DATA_DIR))

clean:
	rm -rf $(VENV) $(DEMO_DATA) $(TEST_TOOLS) sotehaku-data *.egg-info .pytest_cache backends/solr/cluster/target tests/oidc_provider/node_modules

#!/usr/bin/env bash
# Re-creates the tool fixtures: every source below is written to a scratch directory under
# $W and run for real through capture.py. Outputs carry this machine's paths and versions,
# so a re-run differs in timestamps, paths and versions; the labels were made on the stored files.
# Usage: bash tests/data/tools/regen.sh [NAME...]   (no NAME: every run)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
W=${W:-/tmp/fx/w}
PYV=${PYV:-/tmp/fx/venv/bin/python}      # venv with pytest, pytest-timeout, anyio, hypothesis
ANS=${ANS:-/tmp/fx/ansvenv/bin}          # venv with ansible-core
F="$HERE/failures"; R="$HERE/runs"
mkdir -p "$W" "$F" "$R"
cap() { local dir=$1 name=$2 cwd=$3; shift 3; local extra=(); if [ "${1:-}" = --cut ]; then extra=(--cut "$2"); shift 2; fi
  python3 "$HERE/capture.py" --dir "$dir" --cwd "$cwd" "${extra[@]}" "$name" -- "$@"; }
ONLY=("$@")
sel() { [ ${#ONLY[@]} -eq 0 ] && return 0; local n; for n in "${ONLY[@]}"; do [ "$n" = "$1" ] && return 0; done; return 1; }
fresh() { rm -rf "${W:?}/$1"; mkdir -p "$W/$1"; echo "$W/$1"; }

# ---------------------------------------------------------------- pytest
if sel pytest_assert; then d=$(fresh pytest_assert); mkdir -p "$d/tests"
cat > "$d/tests/test_invoice.py" <<'EOF'
import pytest


def total(lines):
    return sum(q * p for q, p in lines) * 1.2


@pytest.mark.parametrize("n", range(6))
def test_ok(n):
    assert n + 1 > n


def test_invoice_total():
    lines = [(2, 10.0), (1, 5.0)]
    assert total(lines) == 25.0, "VAT must not be applied twice"


def test_more():
    assert "timeout" in "connect timeout=30"
EOF
cap "$F" pytest_assert "$d" "$PYV" -m pytest -p no:cacheprovider -v tests; fi

if sel pytest_fixture_error; then d=$(fresh pytest_fixture_error); mkdir -p "$d/tests"
cat > "$d/tests/test_db.py" <<'EOF'
import pytest


@pytest.fixture
def db():
    conn = {"host": "db.internal", "port": 5432}
    raise ConnectionRefusedError(f"could not connect to {conn['host']}:{conn['port']}")


def test_users(db):
    assert db


def test_plain():
    assert 1 == 1
EOF
cap "$F" pytest_fixture_error "$d" "$PYV" -m pytest -p no:cacheprovider tests; fi

if sel pytest_import_error; then d=$(fresh pytest_import_error); mkdir -p "$d/tests"
cat > "$d/tests/test_report.py" <<'EOF'
from reportlib.render import render_pdf


def test_render():
    assert render_pdf("x")
EOF
cap "$F" pytest_import_error "$d" "$PYV" -m pytest -p no:cacheprovider -q tests; fi

if sel pytest_chained; then d=$(fresh pytest_chained); mkdir -p "$d/tests"
cat > "$d/tests/test_config.py" <<'EOF'
import json


class ConfigError(Exception):
    pass


def load(text):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError("settings.json is not valid JSON") from exc


def test_load():
    assert load('{"retries": 3,}')["retries"] == 3


def test_fine():
    assert load("{}") == {}
EOF
cap "$F" pytest_chained "$d" "$PYV" -m pytest -p no:cacheprovider tests; fi

if sel pytest_501_verbose; then d=$(fresh pytest_501_verbose); mkdir -p "$d/tests"
cat > "$d/tests/test_bulk.py" <<'EOF'
import pytest


@pytest.mark.parametrize("i", range(300))
def test_ok(i):
    assert i >= 0


@pytest.mark.parametrize("i", range(200))
def test_more(i):
    assert i >= 0


def test_invoice_total():
    assert round(10 * 1.2 * 1.2, 2) == 12.0
EOF
cap "$F" pytest_501_verbose "$d" --cut 20000 "$PYV" -m pytest -p no:cacheprovider -v tests; fi

if sel pytest_pass; then d=$(fresh pytest_pass); mkdir -p "$d/tests"
cat > "$d/tests/test_ok.py" <<'EOF'
import warnings

import pytest


@pytest.mark.parametrize("n", range(4))
def test_ok(n):
    assert n >= 0


def test_deprecated():
    warnings.warn("use load_v2() instead", DeprecationWarning, stacklevel=1)


@pytest.mark.skip(reason="needs a database")
def test_db():
    pass
EOF
cap "$R" pytest_pass "$d" "$PYV" -m pytest -p no:cacheprovider -rA tests; fi

# ---------------------------------------------------------------- unittest
if sel unittest_fail; then d=$(fresh unittest_fail)
cat > "$d/test_parse.py" <<'EOF'
import unittest


def parse_port(text):
    return int(text.split(":")[1])


class ParseTest(unittest.TestCase):
    def test_port(self):
        self.assertEqual(parse_port("db:5432"), 5432)

    def test_default_port(self):
        self.assertEqual(parse_port("db"), 5432)

    def test_name(self):
        self.assertEqual("db:1".split(":")[0], "dbx")


if __name__ == "__main__":
    unittest.main()
EOF
cap "$F" unittest_fail "$d" python3 -m unittest -v test_parse; fi

if sel unittest_pass; then d=$(fresh unittest_pass)
cat > "$d/test_calc.py" <<'EOF'
import unittest


class CalcTest(unittest.TestCase):
    def test_add(self):
        self.assertEqual(1 + 1, 2)

    @unittest.skip("slow on CI")
    def test_big(self):
        pass

    def test_failures_counter(self):
        failures = 0
        self.assertEqual(failures, 0)
EOF
cap "$R" unittest_pass "$d" python3 -m unittest -v test_calc; fi

# ---------------------------------------------------------------- python programs
if sel python_traceback; then d=$(fresh python_traceback)
cat > "$d/deploy.py" <<'EOF'
import sys

settings = {"region": "eu-west-1"}
print("Loading settings from settings.yaml")
print("Region:", settings["region"])
sys.stdout.flush()
bucket = settings["bucket"]
print("Uploading to", bucket)
EOF
cap "$F" python_traceback "$d" python3 deploy.py; fi

if sel python_syntax_error; then d=$(fresh python_syntax_error)
cat > "$d/migrate.py" <<'EOF'
def up(db):
    db.execute("ALTER TABLE users ADD COLUMN failed_login_attempts INT"
    return True
EOF
cap "$F" python_syntax_error "$d" python3 migrate.py; fi

if sel python_logging_error; then d=$(fresh python_logging_error)
cat > "$d/app.py" <<'EOF'
import logging
import sys

logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("deploy")
db = logging.getLogger("deploy.db")
log.info("Starting deployment of billing-api 2.14.0")
db.debug("connect timeout=30 retries=3 host=db.internal")
db.debug("previous attempt error ignored: cached connection was closed")
for i in range(0, 20001, 5000):
    log.info("progress %d/20000", i)
log.warning("FailedLoginAttempts table is large (1.2M rows); migration may be slow")
db.info("migration 42 applied, error_count=0")
log.error("Health check failed: https://billing.internal/health returned 503")
log.critical("Deployment aborted; rolling back")
sys.exit(1)
EOF
cap "$F" python_logging_error "$d" python3 app.py; fi

if sel python_logging_ok; then d=$(fresh python_logging_ok)
cat > "$d/app.py" <<'EOF'
import logging

logging.warning("settings.yaml not found, using defaults")
logging.error("could not reach metrics endpoint; continuing without metrics")
logging.basicConfig(force=True, level=logging.DEBUG,
                    format="%(asctime)s [%(levelname)s] %(name)s - %(message)s")
log = logging.getLogger("worker.sync")
log.debug("ErrorHandler.cs unchanged, skipping")
log.debug("retry policy: max_errors=5 backoff=2s")
log.info("report: 120 checks, 0 failures")
log.info("summary failures: 0 skipped: 2")
log.info("Deployment finished OK")
logging.basicConfig(force=True, level=logging.INFO,
                    format="%(levelname)s:%(name)s:%(message)s")
logging.getLogger("urllib3").warning("Retrying (Retry(total=2)) after connection broken")
logging.getLogger("app").info("connect timeout=30 pool=10")
EOF
cap "$R" python_logging_ok "$d" python3 app.py; fi

if sel python_stderr_then_stdout; then d=$(fresh python_stderr_then_stdout)
cat > "$d/sync.py" <<'EOF'
import sys
import time

print("sync: 3 buckets to copy")
for name in ("assets", "media", "backups"):
    print(f"sync: copying {name}")
sys.stderr.write("sync: permission denied writing s3://backups/2026-12-01/\n")
sys.stderr.flush()
time.sleep(0.3)  # cleanup before exit; stdout is block-buffered and flushed at exit
print("sync: copied 2 of 3 buckets")
sys.exit(2)
EOF
cap "$F" python_stderr_then_stdout "$d" python3 sync.py; fi

if sel golike_json_fail; then d=$(fresh golike_json_fail)
cat > "$d/svc.py" <<'EOF'
# Emits lines shaped like zap (JSON), slog (JSON) and Google Cloud logging, as Go services do.
import json
import sys

def j(**kw):
    print(json.dumps(kw), flush=True)

j(level="info", ts=1764568800.123, caller="server/main.go:41", msg="starting server", addr=":8080")
j(level="debug", ts=1764568800.125, caller="db/pool.go:88", msg="pool ready", error_count=0)
j(time="2026-12-01T06:00:00.200Z", level="INFO", msg="config loaded", timeout="30s")
j(time="2026-12-01T06:00:00.300Z", level="WARN", msg="deprecated flag --fail-fast ignored")
j(severity="INFO", message="migrations: 12 applied, 0 failures")
j(level="error", ts=1764568801.5, caller="db/migrate.go:120", msg="migration failed",
  error="pq: relation \"users\" already exists", version=13)
j(severity="ERROR", message="shutting down: migration 13 failed")
sys.exit(1)
EOF
cap "$F" golike_json_fail "$d" python3 svc.py; fi

if sel golike_text_fail; then d=$(fresh golike_text_fail)
cat > "$d/svc.py" <<'EOF'
# Emits lines shaped like logrus and slog's TextHandler, as Go services do.
import sys

lines = [
    'time="2026-12-01T06:00:00Z" level=info msg="starting worker" queue=orders',
    'time="2026-12-01T06:00:00Z" level=debug msg="dial tcp 10.0.0.5:6379: connect timeout=30s"',
    'time=2026-12-01T06:00:01.000Z level=INFO msg="batch done" processed=500 error_count=0',
    'time=2026-12-01T06:00:02.000Z level=WARN msg="slow batch" took=4.2s',
    'time="2026-12-01T06:00:03Z" level=error msg="batch failed" error="context deadline exceeded"',
    'time="2026-12-01T06:00:03Z" level=fatal msg="too many failed batches, exiting" failed=3',
]
for line in lines:
    print(line, file=sys.stderr, flush=True)
sys.exit(1)
EOF
cap "$F" golike_text_fail "$d" python3 svc.py; fi

if sel klog_fail; then d=$(fresh klog_fail)
cat > "$d/ctl.py" <<'EOF'
# Emits klog-formatted lines (Kubernetes components) as a controller does.
import sys

lines = [
    "I1201 06:00:00.000000   41231 main.go:52] Starting controller version=v1.4.2",
    "I1201 06:00:00.104321   41231 leaderelection.go:250] attempting to acquire leader lease kube-system/ctl...",
    "W1201 06:00:01.512000   41231 reflector.go:539] failed to list *v1.Pod: connect timeout=30s, retrying",
    "I1201 06:00:02.000100   41231 controller.go:88] Synced 0 failures, 14 objects",
    "E1201 06:00:05.300000   41231 controller.go:131] error syncing 'default/web': Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1",
    "F1201 06:00:05.300500   41231 main.go:77] unable to run controller: too many sync errors",
]
for line in lines:
    print(line, file=sys.stderr, flush=True)
sys.exit(255)
EOF
cap "$F" klog_fail "$d" python3 ctl.py; fi

# ---------------------------------------------------------------- make / gcc / cmake
if sel make_gcc_compile; then d=$(fresh make_gcc_compile)
cat > "$d/main.c" <<'EOF'
#include <stdio.h>
int main(void) {
    int count = "three";
    printf("%d\n", count)
    return 0;
}
EOF
cat > "$d/util.c" <<'EOF'
int twice(int x) { int unused; return 2 * x; }
EOF
printf 'CFLAGS = -Wall -Wextra -O2\n\napp: util.o main.o\n\t$(CC) -o $@ $^\n\nmain.o: main.c\n\t$(CC) $(CFLAGS) -c main.c -o main.o\n\nutil.o: util.c\n\t$(CC) $(CFLAGS) -c util.c -o util.o\n' > "$d/Makefile"
cap "$F" make_gcc_compile "$d" make; fi

if sel make_gcc_link; then d=$(fresh make_gcc_link)
printf 'int checksum(const char *s);\nint main(void) { return checksum("abc"); }\n' > "$d/main.c"
printf 'app: main.o\n\t$(CC) -o $@ $^\n' > "$d/Makefile"
cap "$F" make_gcc_link "$d" make; fi

if sel make_werror; then d=$(fresh make_werror)
printf '#include <stdio.h>\nint main(void) {\n    int retries = 3;\n    unsigned n = 2;\n    if (retries > n) puts("ok");\n    return 0;\n}\n' > "$d/main.c"
printf 'CFLAGS = -Wall -Wextra -Werror\n\nmain: main.c\n\t$(CC) $(CFLAGS) -o main main.c\n' > "$d/Makefile"
cap "$F" make_werror "$d" make; fi

if sel make_no_rule; then d=$(fresh make_no_rule)
printf 'all: build/app\n\nbuild/app: src/app.c\n\tcc -o $@ $<\n' > "$d/Makefile"
cap "$F" make_no_rule "$d" make; fi

if sel make_ok; then d=$(fresh make_ok)
printf '#include <stdio.h>\nint main(void) { int unused; puts("hi"); return 0; }\n' > "$d/main.c"
printf 'int twice(int x) { return 2 * x; }\n' > "$d/util.c"
printf 'CFLAGS = -Wall -Werror=implicit-function-declaration -O2\n\napp: main.o util.o\n\t$(CC) -o $@ $^\n\n%%.o: %%.c\n\t$(CC) $(CFLAGS) -c $< -o $@\n' > "$d/Makefile"
cap "$R" make_ok "$d" make; fi

if sel cmake_configure_error; then d=$(fresh cmake_configure_error)
cat > "$d/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(imgtool C)
include(CheckIncludeFile)
include(CheckFunctionExists)
check_include_file(stdint.h HAVE_STDINT_H)
check_include_file(sys/epoll.h HAVE_SYS_EPOLL_H)
check_include_file(sys/event.h HAVE_SYS_EVENT_H)
check_include_file(windows.h HAVE_WINDOWS_H)
check_function_exists(strlcpy HAVE_STRLCPY)
check_function_exists(memfd_create HAVE_MEMFD_CREATE)
find_package(OpenEXR 3.1 REQUIRED)
add_executable(imgtool main.c)
EOF
printf 'int main(void) { return 0; }\n' > "$d/main.c"
cap "$F" cmake_configure_error "$d" cmake -S . -B build; fi

if sel cmake_probe_heavy_fail; then d=$(fresh cmake_probe_heavy_fail)
{ echo 'cmake_minimum_required(VERSION 3.16)'; echo 'project(netd C)';
  echo 'include(CheckIncludeFile)'; echo 'include(CheckSymbolExists)'; echo 'include(CheckTypeSize)'
  for h in stdint.h stdlib.h string.h unistd.h fcntl.h poll.h sys/epoll.h sys/event.h sys/timerfd.h \
           sys/eventfd.h sys/sendfile.h linux/io_uring.h windows.h winsock2.h netinet/in.h arpa/inet.h; do
    v=HAVE_$(echo "$h" | tr 'a-z/.' 'A-Z__'); echo "check_include_file($h $v)"; done
  for s in accept4 pipe2 kqueue strlcpy explicit_bzero arc4random; do echo "check_symbol_exists($s \"unistd.h;stdlib.h;string.h;sys/socket.h\" HAVE_$s)"; done
  echo 'check_type_size("long long" SIZEOF_LONG_LONG)'
  echo 'if(NOT HAVE_SYS_EVENT_H)'
  echo '  message(WARNING "sys/event.h not found; the kqueue backend is disabled")'
  echo 'endif()'
  echo 'if(NOT HAVE_accept4 OR NOT HAVE_pipe2)'
  echo '  message(FATAL_ERROR "netd needs accept4() and pipe2(); define _GNU_SOURCE or use a newer libc")'
  echo 'endif()'
  echo 'add_executable(netd main.c)'; } > "$d/CMakeLists.txt"
printf 'int main(void) { return 0; }\n' > "$d/main.c"
cap "$F" cmake_probe_heavy_fail "$d" cmake -S . -B build; fi

if sel cmake_ok; then d=$(fresh cmake_ok)
printf 'cmake_minimum_required(VERSION 3.16)\nproject(hello C)\ninclude(CheckIncludeFile)\ncheck_include_file(sys/event.h HAVE_SYS_EVENT_H)\ncheck_include_file(stdint.h HAVE_STDINT_H)\nfind_package(Threads)\nset(CMAKE_C_FLAGS "${CMAKE_C_FLAGS} -Werror")\nadd_executable(hello main.c)\n' > "$d/CMakeLists.txt"
printf 'int main(void) { return 0; }\n' > "$d/main.c"
(cd "$d" && cap "$R" cmake_ok "$d" bash -c 'cmake -S . -B build && cmake --build build'); fi

# ---------------------------------------------------------------- shells and coreutils
if sel bash_set_e_cp; then d=$(fresh bash_set_e_cp)
cat > "$d/deploy.sh" <<'EOF'
#!/usr/bin/env bash
set -euxo pipefail
APP=billing-api
VERSION=2.14.0
echo "Deploying $APP $VERSION"
mkdir -p out/releases
./check.sh --fail-fast --connect-timeout=30 | tail -n 2
cp "build/$APP-$VERSION.tar.gz" out/releases/
echo "Deployment finished OK"
EOF
printf '#!/bin/sh\necho "checks: 12 passed, 0 failures"\necho "error_count=0"\n' > "$d/check.sh"; chmod +x "$d/check.sh" "$d/deploy.sh"
cap "$F" bash_set_e_cp "$d" bash deploy.sh; fi

if sel bash_exit3; then d=$(fresh bash_exit3)
printf '#!/usr/bin/env bash\necho "Checking disk space on /var/lib/app"\necho "free: 1.2G, required: 5G"\necho "Not enough disk space to unpack the release" >&2\nexit 3\n' > "$d/pre.sh"
cap "$F" bash_exit3 "$d" bash pre.sh; fi

if sel ls_missing_set_e; then d=$(fresh ls_missing_set_e)
printf 'set -e\necho "Listing artifacts"\nls -l dist/\necho "done"\n' > "$d/list.sh"
cap "$F" ls_missing_set_e "$d" bash list.sh; fi

if sel sort_missing; then d=$(fresh sort_missing)
cap "$F" sort_missing "$d" sort -u hosts.txt; fi

if sel grep_bad_regex; then d=$(fresh grep_bad_regex)
printf 'ok\n' > "$d/app.log"
cap "$F" grep_bad_regex "$d" grep -E 'ERROR(timeout|refused' app.log; fi

if sel tar_missing; then d=$(fresh tar_missing)
mkdir -p "$d/src"; printf 'x\n' > "$d/src/app.py"
cap "$F" tar_missing "$d" tar -czvf release.tar.gz src config/appsettings.json; fi

if sel tar_listing; then d=$(fresh tar_listing)
mkdir -p "$d/src/Web/Middleware" "$d/db/migrations"
for f in src/Web/Middleware/ErrorHandler.cs src/Web/Program.cs db/migrations/007_FailedLoginAttempts.sql src/Web/TimeoutPolicy.cs; do printf 'x\n' > "$d/$f"; done
cap "$R" tar_listing "$d" tar -cvf release.tar src db; fi

if sel curl_closed_port; then d=$(fresh curl_closed_port)
printf '#!/usr/bin/env bash\nset -eo pipefail\necho "Waiting for the service to answer"\ncurl -fsS --connect-timeout 5 http://127.0.0.1:9/health\necho "service is up"\n' > "$d/smoke.sh"
cap "$F" curl_closed_port "$d" bash smoke.sh; fi

# ---------------------------------------------------------------- git
if sel git_clone_missing; then d=$(fresh git_clone_missing)
cap "$F" git_clone_missing "$d" git clone /tmp/fx/no-such-repo.git app; fi

if sel git_ok; then d=$(fresh git_ok)
(cd "$d" && git init -q src && cd src && echo a > ErrorHandler.cs && git add . && git -c user.name=ci -c user.email=ci@example.com commit -qm init)
cap "$R" git_ok "$d" git clone --progress src app; fi

# ---------------------------------------------------------------- pip
if sel pip_install_missing; then d=$(fresh pip_install_missing)
cap "$F" pip_install_missing "$d" "$(dirname "$PYV")/pip" install --disable-pip-version-check logtrim-no-such-package-zz9; fi

if sel pip_install_broken_local; then d=$(fresh pip_install_broken_local); mkdir -p "$d/pkg"
printf 'from setuptools import setup\n\nimport os\nif not os.environ.get("LIBFOO_DIR"):\n    raise RuntimeError("LIBFOO_DIR is not set; cannot build the libfoo extension")\nsetup(name="foo-ext", version="0.1")\n' > "$d/pkg/setup.py"
cap "$F" pip_install_broken_local "$d" "$(dirname "$PYV")/pip" install ./pkg; fi

if sel pip_install_ok; then d=$(fresh pip_install_ok); mkdir -p "$d/pkg/okpkg"
printf 'from setuptools import setup\nsetup(name="okpkg", version="1.0", packages=["okpkg"])\n' > "$d/pkg/setup.py"; : > "$d/pkg/okpkg/__init__.py"
cap "$R" pip_install_ok "$d" "$(dirname "$PYV")/pip" install ./pkg; fi

# ---------------------------------------------------------------- npm / node
if sel npm_install_missing; then d=$(fresh npm_install_missing)
printf '{"name":"web","version":"1.0.0","private":true}\n' > "$d/package.json"
cap "$F" npm_install_missing "$d" npm install --no-audit --no-fund logtrim-no-such-package-zz9; fi

if sel npm_run_fail; then d=$(fresh npm_run_fail)
printf '{"name":"web","version":"1.0.0","private":true,"scripts":{"build":"node build.js"}}\n' > "$d/package.json"
printf 'console.log("building 3 bundles");\nconsole.log("bundle main.js 120 kB");\nconsole.error("build.js: cannot read src/admin/index.ts: ENOENT");\nprocess.exit(2);\n' > "$d/build.js"
cap "$F" npm_run_fail "$d" npm run build; fi

if sel node_throw; then d=$(fresh node_throw)
printf 'const cfg = JSON.parse(process.env.APP_CONFIG || "{}");\nconsole.log("starting with", Object.keys(cfg).length, "settings");\nfunction connect(c) { return c.database.host; }\nconnect(cfg);\n' > "$d/server.js"
cap "$F" node_throw "$d" node server.js; fi

if sel npm_install_ok; then d=$(fresh npm_install_ok)
printf '{"name":"web","version":"1.0.0"}\n' > "$d/package.json"
cap "$R" npm_install_ok "$d" npm install --no-fund left-pad; fi

# ---------------------------------------------------------------- java / maven
if sel java_exception; then d=$(fresh java_exception)
cat > "$d/Main.java" <<'EOF'
import java.util.Map;

public class Main {
    static int port(Map<String, String> cfg) {
        try {
            return Integer.parseInt(cfg.get("port"));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("invalid port in application.properties", e);
        }
    }

    public static void main(String[] args) {
        System.out.println("Starting OrderService");
        System.out.println("FailedLoginAttempts cache: 0 entries");
        port(Map.of("port", "80a"));
    }
}
EOF
cap "$F" java_exception "$d" bash -c 'javac Main.java && java Main'; fi

if sel javac_error; then d=$(fresh javac_error)
printf 'public class App {\n    public static void main(String[] args) {\n        String s = 42;\n        System.out.println(s);\n    }\n}\n' > "$d/App.java"
cap "$F" javac_error "$d" javac App.java; fi

if sel mvn_offline; then d=$(fresh mvn_offline); mkdir -p "$d/src/main/java/demo"
cat > "$d/pom.xml" <<'EOF'
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>demo</groupId>
  <artifactId>orders</artifactId>
  <version>1.0.0</version>
  <properties>
    <maven.compiler.source>17</maven.compiler.source>
    <maven.compiler.target>17</maven.compiler.target>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
</project>
EOF
printf 'package demo;\npublic class App { public static void main(String[] a) { } }\n' > "$d/src/main/java/demo/App.java"
cap "$F" mvn_offline "$d" mvn -o -B package; fi

# ---------------------------------------------------------------- terraform / kubectl / docker
if sel terraform_validate_fail; then d=$(fresh terraform_validate_fail)
cat > "$d/main.tf" <<'EOF'
variable "region" {
  type    = string
  default = "eu-west-1"
}

locals {
  name = "billing-${var.regoin}"
}

output "name" {
  value = local.name
}
EOF
cap "$F" terraform_validate_fail "$d" bash -c 'terraform init -input=false -no-color && terraform validate -no-color'; fi

if sel terraform_plan_ok; then d=$(fresh terraform_plan_ok)
printf 'variable "region" {\n  default = "eu-west-1"\n}\n\noutput "bucket" {\n  value = "billing-${var.region}"\n}\n' > "$d/main.tf"
cap "$R" terraform_plan_ok "$d" bash -c 'terraform init -input=false -no-color && terraform plan -input=false -no-color'; fi

if sel kubectl_refused; then d=$(fresh kubectl_refused)
cap "$F" kubectl_refused "$d" env KUBECONFIG=/nonexistent timeout 60 kubectl get pods -n billing; fi

if sel docker_no_daemon; then d=$(fresh docker_no_daemon)
cap "$F" docker_no_daemon "$d" docker ps; fi

# ---------------------------------------------------------------- ansible
if sel ansible_fail && [ -x "$ANS/ansible-playbook" ]; then d=$(fresh ansible_fail)
cat > "$d/site.yml" <<'EOF'
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Print the release
      ansible.builtin.debug:
        msg: "deploying billing-api 2.14.0 (error_count=0)"
    - name: Create the release directory
      ansible.builtin.file:
        path: /tmp/fx/w/ansible_fail/releases
        state: directory
    - name: Copy the release archive
      ansible.builtin.copy:
        src: /tmp/fx/w/ansible_fail/billing-api-2.14.0.tar.gz
        dest: /tmp/fx/w/ansible_fail/releases/
    - name: Restart the service
      ansible.builtin.command: /bin/true
EOF
printf 'localhost ansible_connection=local ansible_python_interpreter=/tmp/fx/ansvenv/bin/python\n' > "$d/hosts"
cap "$F" ansible_fail "$d" env ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=0 "$ANS/ansible-playbook" -i hosts site.yml; fi

if sel ansible_shell_fail && [ -x "$ANS/ansible-playbook" ]; then d=$(fresh ansible_shell_fail)
cat > "$d/site.yml" <<'EOF'
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Check free space
      ansible.builtin.shell: echo "free 1.2G"; echo "need 5G" >&2; exit 4
    - name: Never reached
      ansible.builtin.debug:
        msg: unreachable
EOF
printf 'localhost ansible_connection=local ansible_python_interpreter=/tmp/fx/ansvenv/bin/python\n' > "$d/hosts"
cap "$F" ansible_shell_fail "$d" env ANSIBLE_NOCOLOR=1 "$ANS/ansible-playbook" -i hosts site.yml; fi

# ---------------------------------------------------------------- more sources for lines.tsv
if sel npm_warn; then d=$(fresh npm_warn)
printf '{"name":"web","version":"1.0.0"}\n' > "$d/package.json"
cap "$R" npm_warn "$d" npm install --no-fund --no-audit --legacy-bundling uuid@3.4.0; fi

if sel python_deprecation; then d=$(fresh python_deprecation)
cap "$R" python_deprecation "$d" python3 -W default -c 'import imp, locale; locale.getdefaultlocale(); print("loaded")'; fi

if sel git_fetch_no_remote; then d=$(fresh git_fetch_no_remote)
(cd "$d" && git init -q .)
cap "$F" git_fetch_no_remote "$d" git fetch origin main; fi

if sel bash_trace_ok; then d=$(fresh bash_trace_ok)
cat > "$d/build.sh" <<'EOF'
set -euxo pipefail
CFLAGS="-O2 -Wall -Werror"
export CFLAGS
printf 'int main(void){return 0;}\n' > m.c
cc $CFLAGS -o m m.c
./m && echo "binary runs"
for svc in api worker; do echo "restart $svc: ok"; done
echo "error_count=0 warnings=0"
EOF
cap "$R" bash_trace_ok "$d" bash build.sh; fi


if sel docker_build_no_daemon; then d=$(fresh docker_build_no_daemon)
printf 'FROM alpine:3.20\nRUN echo hi\n' > "$d/Dockerfile"
cap "$F" docker_build_no_daemon "$d" docker build -t billing-api:2.14.0 .; fi

if sel kubectl_dryrun; then d=$(fresh kubectl_dryrun)
cap "$R" kubectl_dryrun "$d" bash -c 'kubectl create deployment web --image=nginx:1.27 --replicas=2 --dry-run=client && kubectl create configmap app --from-literal=timeout=30 --dry-run=client'; fi

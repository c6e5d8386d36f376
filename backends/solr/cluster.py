"""A local SolrCloud cluster on 127.0.0.1: ZooKeeper and Solr nodes, each in a JVM process of its own.

For the tests and for trying the SolrCloud backend on one machine (`make solrcloud`), not for production
(see the README). The JVMs run the small launcher in cluster/ (Launcher.java), compiled against the Solr
9.10.1 jars that cluster/pom.xml pins; `build_launcher()` fetches them from Maven Central with `mvn` and
compiles the launcher with `javac`, once.

Every process reads its standard input until it closes: when this process stops or dies, the pipes
close and the JVMs stop too, so a crashed test run leaves no cluster behind.

    with LocalCluster(tmp_dir, nodes=2) as cluster:
        cluster.node_urls      # ["http://127.0.0.1:41235/solr", ...]
        cluster.kill_node(0)   # SIGKILL, as a crashed machine
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from backends.solr.errors import ClusterError, SolrError

CLUSTER_DIR = Path(__file__).parent / "cluster"
LAUNCHER_CLASS = "fi.sotehaku.solrcloud.Launcher"
LAUNCHER_SOURCE = Path("src/main/java/fi/sotehaku/solrcloud/Launcher.java")
# Modest heaps: the machine is shared. The serial collector starts a node in about half the time of G1
# on two busy cores (measured by hand: 8.6 s against 18 s for one node).
DEFAULT_HEAP = "512m"
ZOOKEEPER_HEAP = "128m"
DEFAULT_JVM_OPTIONS = ("-Xms64m", "-XX:+UseSerialGC")
# For tests: the C1 compiler alone roughly halves the start of ZooKeeper, two nodes and a 2x2 collection
# on two busy cores (measured by hand at load 13: 32 s against 71 s), at the cost of slower code under
# sustained load, so benchmarks keep the defaults.
QUICK_START_JVM_OPTIONS = (*DEFAULT_JVM_OPTIONS, "-XX:TieredStopAtLevel=1")
STARTUP_TIMEOUT = 180.0
STOP_TIMEOUT = 30.0
LOG_TAIL_CHARS = 2000


def launcher_classpath(cluster_dir: Path = CLUSTER_DIR) -> str:
    """The launcher's classes and every jar that Maven copied, as a java -cp value."""
    target = cluster_dir / "target"
    return f"{target / 'classes'}{os.pathsep}{target / 'lib' / '*'}"


def _launcher_digest(cluster_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in (cluster_dir / "pom.xml", cluster_dir / LAUNCHER_SOURCE):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_launcher(cluster_dir: Path = CLUSTER_DIR, *, log=None) -> Path:
    """Fetch the pinned jars and compile the launcher, unless pom.xml and Launcher.java are unchanged
    since the last build. Returns the target directory. Raises ClusterError naming what is missing."""
    target = cluster_dir / "target"
    stamp = target / "launcher.sha256"
    target.mkdir(exist_ok=True)
    with open(target / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test runs in one checkout build once
        digest = _launcher_digest(cluster_dir)
        launcher_class = target / "classes" / LAUNCHER_SOURCE.relative_to("src/main/java").with_suffix(".class")
        if stamp.exists() and stamp.read_text() == digest and launcher_class.exists():
            return target
        for tool in ("java", "javac", "mvn"):
            if shutil.which(tool) is None:
                raise ClusterError(
                    f"The local SolrCloud cluster needs {tool} (Java 17 and Maven), which is not on PATH. "
                    "Run `make solrcloud-launcher`, which installs them with apt, or install a JDK 17 and Maven."
                )
        if log:
            log("Fetching Solr 9.10.1 from Maven Central and compiling the cluster launcher (once)...")
        shutil.rmtree(target / "lib", ignore_errors=True)  # no stale jars from an older pom.xml
        shutil.rmtree(target / "classes", ignore_errors=True)
        _run_build_step(["mvn", "-q", "-B", "dependency:copy-dependencies"], cluster_dir)
        (target / "classes").mkdir()
        _run_build_step(
            ["javac", "-d", str(target / "classes"), "-cp", str(target / "lib" / "*"), "--release", "17",
             str(cluster_dir / LAUNCHER_SOURCE)],
            cluster_dir,
        )
        stamp.write_text(digest)
    return target


def _run_build_step(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()[-LOG_TAIL_CHARS:]
        raise ClusterError(
            f"Building the SolrCloud launcher failed: `{' '.join(command)}` in {cwd} exited with "
            f"{result.returncode}. Check that Maven Central is reachable, then run it again.\n{output}"
        )


@dataclass
class _Process:
    """One JVM of the cluster: its process, the file it reports its address to, and its log."""

    name: str
    command: list[str]
    ready_file: Path
    log_file: Path
    popen: subprocess.Popen | None = None
    address: str = ""

    def start(self) -> None:
        self.ready_file.unlink(missing_ok=True)
        with open(self.log_file, "ab") as log:
            self.popen = subprocess.Popen(
                self.command, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches this process only; stop() then stops the JVMs
            )

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def poll_ready(self) -> bool:
        """True once the process has written its address; raises ClusterError if it died first."""
        if self.ready_file.exists():
            self.address = self.ready_file.read_text().strip()
            return True
        if not self.running:
            raise ClusterError(
                f"The local SolrCloud's {self.name} exited with {self.popen.returncode} while starting; "
                f"its log {self.log_file} ends:\n{self.log_tail()}"
            )
        return False

    def log_tail(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-LOG_TAIL_CHARS:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Close its standard input (the launcher then stops its server and exits); kill it if it lingers."""
        if not self.running:
            return
        try:
            self.popen.stdin.close()
        except OSError:
            pass
        self.wait_or_kill()

    def wait_or_kill(self, timeout: float = STOP_TIMEOUT) -> None:
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        if self.running:
            self.popen.send_signal(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait()
            if self.popen.stdin and not self.popen.stdin.closed:
                self.popen.stdin.close()


@dataclass
class LocalCluster:
    """ZooKeeper and `nodes` Solr nodes on 127.0.0.1, on free ports, their files under `work_dir`."""

    work_dir: Path
    nodes: int = 2
    heap: str = DEFAULT_HEAP
    jvm_options: tuple[str, ...] = DEFAULT_JVM_OPTIONS
    startup_timeout: float = STARTUP_TIMEOUT
    cluster_dir: Path = CLUSTER_DIR
    _zk: _Process | None = field(default=None, init=False, repr=False)
    _nodes: list[_Process] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self):
        self.work_dir = Path(self.work_dir)
        if self.nodes < 1:
            raise ClusterError(f"A local SolrCloud cluster needs at least one node, not {self.nodes}.")

    # -- addresses

    @property
    def zk_host(self) -> str:
        """ZooKeeper's host:port, as Solr's zkHost."""
        return self._zk.address if self._zk else ""

    @property
    def node_urls(self) -> list[str]:
        """Every node's base URL (http://127.0.0.1:PORT/solr), killed ones included: a node keeps its URL."""
        return [node.address for node in self._nodes]

    @property
    def running_node_urls(self) -> list[str]:
        """The base URLs of the node processes that are running."""
        return [node.address for node in self._nodes if node.running]

    # -- life cycle

    def start(self) -> LocalCluster:
        """Start ZooKeeper, then every node, and wait until all nodes are live in ZooKeeper."""
        build_launcher(self.cluster_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._zk = self._process("zookeeper", ["zk", str(self.work_dir / "zookeeper"), "0"], heap=ZOOKEEPER_HEAP)
            self._zk.start()
            self._wait_ready([self._zk])
            for index in range(self.nodes):
                home = self.work_dir / f"node{index + 1}"
                home.mkdir(exist_ok=True)
                shutil.copyfile(self.cluster_dir / "solr.xml", home / "solr.xml")
                self._nodes.append(self._node_process(index, port=0))
            for node in self._nodes:
                node.start()
            self._wait_ready(self._nodes)
            self.wait_for_live_nodes(self.nodes)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every node, then ZooKeeper (each is killed if it has not stopped within 30 s)."""
        for node in self._nodes:
            if node.running:
                try:
                    node.popen.stdin.close()
                except OSError:
                    pass
        for node in self._nodes:
            if node.popen is not None:
                node.wait_or_kill()
        if self._zk is not None:
            self._zk.stop()

    def __enter__(self) -> LocalCluster:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def kill_node(self, index: int) -> None:
        """SIGKILL node `index` (0-based), as a machine that crashes: no clean shutdown, no goodbye to ZooKeeper."""
        self._nodes[index].kill()

    def stop_node(self, index: int) -> None:
        """Stop node `index` cleanly."""
        self._nodes[index].stop()

    def start_node(self, index: int) -> None:
        """Start a stopped or killed node again, on its old port, so its replicas are found where they were."""
        old = self._nodes[index]
        if old.running:
            return
        port = int(old.address.rsplit(":", 1)[1].split("/", 1)[0])
        self._nodes[index] = self._node_process(index, port=port)
        self._nodes[index].start()
        self._wait_ready([self._nodes[index]])

    def live_nodes(self) -> list[str]:
        """The node names (127.0.0.1:PORT_solr) that ZooKeeper lists as live, asked of any running node."""
        for url in self.running_node_urls:
            try:
                response = httpx.get(f"{url}/admin/collections", params={"action": "CLUSTERSTATUS"}, timeout=10)
                response.raise_for_status()
                return sorted(response.json()["cluster"]["live_nodes"])
            except (httpx.HTTPError, ValueError, KeyError):
                continue
        return []

    def wait_for_live_nodes(self, count: int, timeout: float | None = None) -> list[str]:
        """Wait until exactly `count` nodes are live (a killed node leaves when its ZooKeeper session expires)."""
        deadline = time.monotonic() + (self.startup_timeout if timeout is None else timeout)
        live: list[str] = []
        while time.monotonic() < deadline:
            live = self.live_nodes()
            if len(live) == count:
                return live
            time.sleep(0.25)
        raise ClusterError(f"The local SolrCloud has {len(live)} live nodes ({', '.join(live) or 'none'}), not {count}, "
                           f"after waiting; the node logs are in {self.work_dir}.")

    # -- processes

    def _process(self, name: str, arguments: list[str], heap: str | None = None) -> _Process:
        ready_file = self.work_dir / f"{name}.ready"
        log_file = self.work_dir / f"{name}.log"
        command = [
            "java", f"-Xmx{heap or self.heap}", *self.jvm_options,
            f"-Dlog4j2.configurationFile={self.cluster_dir / 'log4j2.xml'}",
            f"-Dsolr.log.dir={self.work_dir}",
            "-cp", launcher_classpath(self.cluster_dir), LAUNCHER_CLASS, *arguments, str(ready_file),
        ]
        # The ready file is the launcher's last argument.
        return _Process(name=name, command=command, ready_file=ready_file, log_file=log_file)

    def _node_process(self, index: int, port: int) -> _Process:
        name = f"node{index + 1}"
        return self._process(name, ["node", str(self.work_dir / name), str(port), self.zk_host])

    def _wait_ready(self, processes: list[_Process]) -> None:
        deadline = time.monotonic() + self.startup_timeout
        waiting = list(processes)
        while waiting:
            waiting = [p for p in waiting if not p.poll_ready()]
            if not waiting:
                return
            if time.monotonic() > deadline:
                names = ", ".join(p.name for p in waiting)
                raise ClusterError(f"The local SolrCloud's {names} did not start within {self.startup_timeout:.0f} s; "
                                   f"see the logs in {self.work_dir}.")
            time.sleep(0.1)


def main(argv: list[str] | None = None) -> int:
    """`python -m backends.solr.cluster build | run`: build the launcher, or run a cluster until Ctrl-C."""
    from backends.solr.backend import DEFAULT_COLLECTION as COLLECTION
    from backends.solr.backend import setup

    parser = argparse.ArgumentParser(prog="python -m backends.solr.cluster", description=main.__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build", help="fetch the Solr jars and compile the launcher (once)")
    run = commands.add_parser("run", help="start ZooKeeper and Solr nodes, create the index's collections, wait for Ctrl-C")
    run.add_argument("--nodes", type=int, default=2, help="Solr nodes (default 2)")
    run.add_argument("--shards", type=int, default=2, help="shards of the collection (default 2)")
    run.add_argument("--replicas", type=int, default=2, help="replicas of each shard (default 2)")
    run.add_argument("--collection", default=COLLECTION, help=f"index name: collections NAME_public and NAME_all (default {COLLECTION})")
    run.add_argument("--dir", type=Path, help="where the cluster's files go (default: a temporary directory, removed at exit)")
    run.add_argument("--heap", default=DEFAULT_HEAP, help=f"heap of each Solr node (default {DEFAULT_HEAP})")
    args = parser.parse_args(argv)

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        build_launcher(log=say)
        if args.command == "build":
            say(f"The launcher is built in {CLUSTER_DIR / 'target'}.")
            return 0
        with tempfile.TemporaryDirectory(prefix="sotehaku-solrcloud-") as temporary:
            cluster = LocalCluster(args.dir or Path(temporary), nodes=args.nodes, heap=args.heap)
            say(f"Starting ZooKeeper and {args.nodes} Solr nodes (files in {cluster.work_dir})...")
            with cluster:
                setup(cluster.node_urls, args.collection, shards=args.shards, replicas=args.replicas)
                print(f"ZooKeeper:   {cluster.zk_host}")
                for url in cluster.node_urls:
                    print(f"Solr node:   {url}")
                print(f"Collections {args.collection}_public and {args.collection}_all: {args.shards} shards x "
                      f"{args.replicas} replicas. Index and search with\n"
                      f"  sotehaku --solr {','.join(f'{u}/{args.collection}' for u in cluster.node_urls)} index\n"
                      "Ctrl-C stops the cluster.", flush=True)
                try:
                    signal.pause()
                except KeyboardInterrupt:
                    say("Stopping the cluster...")
    except KeyboardInterrupt:
        return 130
    except SolrError as exc:
        say(f"Error: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

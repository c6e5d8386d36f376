"""Setting a SolrCloud collection up: upload the package's configset, create the collection, wait for it.

Any node of a cluster answers the Configsets and Collections APIs; each call goes to the first of the
given node URLs that answers, so one down node does not stop a set-up.

    setup_collection(["http://127.0.0.1:8983/solr"], "sotehaku", shards=2, replicas=2)
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx

from backends.solr.configset import CONFIGSET_DIR, configset_zip
from backends.solr.errors import CollectionError, ConfigsetError, SolrError, SolrUnreachableError

COLLECTION = "sotehaku"
CONNECT_TIMEOUT = 5.0
# Creating cores on busy machines takes a while; the API answers when the cores exist.
ADMIN_TIMEOUT = 180.0
ACTIVE_TIMEOUT = 120.0
MESSAGE_CHARS = 600


def solr_request(urls: list[str] | str, method: str, path: str, *, timeout: float = ADMIN_TIMEOUT, **kwargs) -> tuple[str, httpx.Response]:
    """Send a request to the first node that answers: (its base URL, the response). Raises
    SolrUnreachableError naming every URL tried when none answers."""
    urls = [urls] if isinstance(urls, str) else list(urls)
    if not urls:
        raise SolrUnreachableError("No Solr node URL given. Name one with --solr URL or SOTEHAKU_SOLR.")
    failures = []
    for url in urls:
        base = url.rstrip("/")
        try:
            response = httpx.request(method, f"{base}{path}", timeout=httpx.Timeout(timeout, connect=CONNECT_TIMEOUT), **kwargs)
        except httpx.TransportError as exc:
            failures.append(f"{base} ({type(exc).__name__}: {exc or 'no answer'})")
            continue
        return base, response
    raise SolrUnreachableError(
        f"No Solr node answered: {'; '.join(failures)}. Start the cluster (`make solrcloud` starts a local one) "
        "or give the URL of a running node (--solr URL or SOTEHAKU_SOLR)."
    )


def solr_error_message(response: httpx.Response) -> str:
    """Solr's own error message from an error response (its JSON `error.msg`), else the start of the body;
    on one line, at most MESSAGE_CHARS long."""
    message = " ".join(_solr_message(response).split())
    return message if len(message) <= MESSAGE_CHARS else message[: MESSAGE_CHARS - 3] + "..."


def _solr_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text.strip()[:300]}"
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("msg"):
        return str(error["msg"])
    failure = body.get("failure") if isinstance(body, dict) else None
    if failure:
        return "; ".join(f"{k}: {v}" for k, v in failure.items()) if isinstance(failure, dict) else str(failure)
    if isinstance(body, dict) and body.get("exception"):
        return str(body["exception"].get("msg", body["exception"]))
    return f"HTTP {response.status_code}"


def _is_solr_answer(response: httpx.Response) -> bool:
    """True for a JSON answer with Solr's responseHeader."""
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and "responseHeader" in body


def upload_configset(urls: list[str] | str, name: str, directory: Path = CONFIGSET_DIR) -> None:
    """Upload a configset folder as `name` (replacing an earlier upload of the same name)."""
    data = configset_zip(directory)
    base, response = solr_request(
        urls, "POST", "/admin/configs",
        params={"action": "UPLOAD", "name": name, "overwrite": "true", "cleanup": "true"},
        content=data, headers={"Content-Type": "application/octet-stream"},
    )
    if response.status_code in (401, 403):
        raise ConfigsetError(
            f"Solr at {base} refused the configset {name!r}: HTTP {response.status_code}, uploading needs an "
            "administrator's credentials. Set the configset up with an account allowed to upload configsets."
        )
    if not _is_solr_answer(response):
        raise SolrUnreachableError(
            f"{base} is not the base URL of a Solr node: {base}/admin/configs answered HTTP {response.status_code} "
            "without Solr's JSON. Give a node's URL ending in /solr, such as http://127.0.0.1:8983/solr."
        )
    if response.status_code != 200:
        raise ConfigsetError(
            f"Solr at {base} refused the configset {name!r} from {directory}: {solr_error_message(response)}. "
            "Fix the configset and run the set-up again."
        )


def cluster_status(urls: list[str] | str, collection: str | None = None) -> dict:
    """The `cluster` part of CLUSTERSTATUS (live_nodes, collections), for one collection or all."""
    params = {"action": "CLUSTERSTATUS"}
    if collection:
        params["collection"] = collection
    base, response = solr_request(urls, "GET", "/admin/collections", params=params, timeout=30)
    if response.status_code == 404 or (response.status_code == 400 and collection and "not found" in response.text.lower()):
        return {"collections": {}, "live_nodes": []}
    if response.status_code != 200:
        raise SolrError(f"Solr at {base} did not give its cluster status: {solr_error_message(response)}.")
    return response.json()["cluster"]


def collection_exists(urls: list[str] | str, name: str) -> bool:
    base, response = solr_request(urls, "GET", "/admin/collections", params={"action": "LIST"}, timeout=30)
    if response.status_code != 200:
        raise SolrError(f"Solr at {base} did not list its collections: {solr_error_message(response)}.")
    return name in response.json().get("collections", [])


def is_active(state: dict, live_nodes: list[str]) -> bool:
    """True when every replica of every shard of a collection's state is active on a live node, and
    every shard has a leader."""
    shards = state.get("shards", {})
    if not shards:
        return False
    for shard in shards.values():
        replicas = shard.get("replicas", {}).values()
        if not replicas or not any(r.get("leader") == "true" for r in replicas):
            return False
        if any(r.get("state") != "active" or r.get("node_name") not in live_nodes for r in replicas):
            return False
    return True


def wait_until_active(urls: list[str] | str, name: str, timeout: float = ACTIVE_TIMEOUT) -> dict:
    """Poll CLUSTERSTATUS until every replica of collection `name` is active; returns its state."""
    deadline = time.monotonic() + timeout
    while True:
        status = cluster_status(urls, name)
        state = status.get("collections", {}).get(name, {})
        if is_active(state, status.get("live_nodes", [])):
            return state
        if time.monotonic() > deadline:
            raise CollectionError(
                f"Collection {name!r} has replicas that are not active after {timeout:.0f} s. "
                "Check that every Solr node is up (their logs name the failing core), then run the set-up again."
            )
        time.sleep(0.25)


def run_collection_action(urls: list[str] | str, params: dict, timeout: float = ADMIN_TIMEOUT) -> tuple[str, str | None]:
    """Run a Collections API action asynchronously and wait for it: (base URL, None) when it completed,
    (base URL, the reason) when it failed. Asynchronous requests report each node's error (the core that
    failed and why), where synchronous ones only say that some core failed."""
    request_id = f"sotehaku-{uuid.uuid4().hex}"
    base, response = solr_request(urls, "POST", "/admin/collections", params={**params, "async": request_id})
    if response.status_code != 200:
        return base, solr_error_message(response)
    deadline = time.monotonic() + timeout
    try:
        while True:
            base, response = solr_request(urls, "GET", "/admin/collections", timeout=30,
                                          params={"action": "REQUESTSTATUS", "requestid": request_id})
            if response.status_code != 200:
                return base, solr_error_message(response)
            status = response.json()
            state = status.get("status", {}).get("state")
            if state == "completed":
                return base, None
            if state == "failed":
                return base, _failure_reasons(status) or solr_error_message(response)
            if time.monotonic() > deadline:
                return base, f"no answer within {timeout:.0f} s (the request is {state or 'unknown'})"
            time.sleep(0.25)
    finally:
        solr_request(urls, "GET", "/admin/collections", timeout=30, params={"action": "DELETESTATUS", "requestid": request_id})


def _failure_reasons(status: dict) -> str:
    reasons = [str(node.get("response") or node.get("error") or node) for node in (status.get("failure") or {}).values()
               if isinstance(node, dict)]
    if not reasons and isinstance(status.get("exception"), dict):
        reasons = [str(status["exception"].get("msg", ""))]
    message = " ".join("; ".join(dict.fromkeys(r for r in reasons if r)).split())
    return message if len(message) <= MESSAGE_CHARS else message[: MESSAGE_CHARS - 3] + "..."


def create_collection(urls: list[str] | str, name: str, *, configset: str, shards: int, replicas: int,
                      router_field: str | None = None, timeout: float = ACTIVE_TIMEOUT) -> dict:
    """Create collection `name` from an uploaded configset and wait until it is active; returns its state.
    With `router_field`, the compositeId router places documents on shards by that field instead of the id
    (documents with equal values share a shard). A failed creation is rolled back (the half-made collection
    deleted) before CollectionError."""
    if shards < 1 or replicas < 1:
        raise CollectionError(f"A collection needs at least 1 shard and 1 replica, not {shards} x {replicas}.")
    params = {"action": "CREATE", "name": name, "numShards": shards, "replicationFactor": replicas,
              "collection.configName": configset}
    if router_field:
        params["router.field"] = router_field
    base, message = run_collection_action(urls, params)
    if message is not None:
        delete_collection(urls, name)
        raise CollectionError(
            f"Solr at {base} could not create collection {name!r} ({shards} shards x {replicas} replicas) from "
            f"configset {configset!r}: {message}. Fix the configset, or the shard and replica counts, and run the set-up again."
        )
    return wait_until_active(urls, name, timeout)


def reload_collection(urls: list[str] | str, name: str) -> None:
    """Reload every core of a collection, so that a newly uploaded configset takes effect."""
    base, message = run_collection_action(urls, {"action": "RELOAD", "name": name})
    if message is not None:
        raise ConfigsetError(
            f"Solr at {base} could not reload collection {name!r} with its new configset: "
            f"{message}. The collection keeps serving with its old configuration until a "
            "node restarts: fix the configset and run the set-up again."
        )


def delete_collection(urls: list[str] | str, name: str) -> None:
    """Delete a collection if it exists."""
    base, response = solr_request(urls, "POST", "/admin/collections", params={"action": "DELETE", "name": name})
    if response.status_code not in (200, 400, 404):
        raise CollectionError(f"Solr at {base} could not delete collection {name!r}: {solr_error_message(response)}.")


def setup_collection(urls: list[str] | str, name: str = COLLECTION, *, shards: int = 1, replicas: int = 1,
                     configset: str | None = None, directory: Path = CONFIGSET_DIR, upload: bool = True,
                     router_field: str | None = None, timeout: float = ACTIVE_TIMEOUT) -> dict:
    """Upload the configset (named `configset`, default the collection's name; `upload=False` when the
    caller has uploaded it) and create the collection (create_collection, with `router_field`), or, if it
    exists, reload it with the uploaded configset. Returns the collection's state from CLUSTERSTATUS once
    every replica is active."""
    configset = configset or name
    if upload:
        upload_configset(urls, configset, directory)
    if collection_exists(urls, name):
        state = cluster_status(urls, name)["collections"][name]
        counts = (len(state["shards"]), max(len(s.get("replicas", {})) for s in state["shards"].values()))
        if counts != (shards, replicas):
            raise CollectionError(
                f"Collection {name!r} exists with {counts[0]} shards x {counts[1]} replicas, not {shards} x {replicas}. "
                f"Set it up with --shards {counts[0]} --replicas {counts[1]}, or delete it first (this re-indexes everything)."
            )
        reload_collection(urls, name)
        return wait_until_active(urls, name, timeout)
    return create_collection(urls, name, configset=configset, shards=shards, replicas=replicas,
                             router_field=router_field, timeout=timeout)

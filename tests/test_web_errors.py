"""Errors become HTTP statuses in one place (app.web.errors): what the caller can fix is 400, the service's side 503."""

from __future__ import annotations

import httpx
import pytest

from app.accounts import AccountError
from app.errors import AppError
from app.querylog import QueryLogError
from app.web.app import create_app
from app.web.auth import Unauthorized
from app.web.errors import error_message, error_status
from app.web.params import BadParameter
from app.web.settings import WebSettings
from corpus.store import StoreError
from backends.whoosh.versions import NoIndexError
from search.api import IndexUnavailableError
from search.lexicon import LexiconError
from search.syntax import QueryError


@pytest.mark.parametrize(("error", "status"), [
    (QueryError("The query 'ja' has only very common words.", "common_words"), 400),
    (BadParameter("page", "Parameter 'page' is not valid."), 400),
    (Unauthorized("invalid_token", "The API token is wrong."), 401),
    (NoIndexError("No index in x/index. Run 'sotehaku index' first."), 503),
    (IndexUnavailableError("The index in x/index was written by an older sotehaku. Run 'sotehaku index'."), 503),
    (LexiconError("lexicon.toml is not valid TOML."), 503),
    (AccountError("Cannot open the account store."), 503),
    (QueryLogError("Cannot open the query log."), 503),
    (StoreError("Cannot open the corpus store."), 503),
])
def test_error_statuses(error, status):
    assert error_status(error) == status


def test_account_and_query_log_errors_are_the_applications_own():
    assert issubclass(AccountError, AppError) and issubclass(QueryLogError, AppError)
    assert "account store" not in error_message(AccountError("Cannot open the account store /srv/x.sqlite3"))


def test_without_an_index_the_api_answers_503_and_the_page_explains(tmp_path, serve_app):
    url = serve_app(create_app(WebSettings(tmp_path)))
    for path in ("/api/search", "/api/suggest", "/api/document"):
        params = {"q": "kotihoito", "id": "x"}
        answer = httpx.get(url + path, params=params)
        assert answer.status_code == 503, path
        assert "Run 'sotehaku index'" in answer.json()["error"]
    assert httpx.get(f"{url}/healthz").status_code == 503
    page = httpx.get(url + "/", params={"q": "kotihoito"})
    assert page.status_code == 503 and "Haku ei ole juuri nyt käytettävissä" in page.text


def test_a_bad_query_is_400_json_naming_the_fix(web_url):
    answer = httpx.get(f"{web_url}/api/search", params={"q": "kotihoito updated:2023..2021"})
    assert answer.status_code == 400 and "put the earlier date first" in answer.json()["error"]
    answer = httpx.get(f"{web_url}/api/search", params={"q": "sote", "section": 'Palvelut"'})
    assert answer.status_code == 400 and "Parameter 'section'" in answer.json()["error"]
    answer = httpx.get(f"{web_url}/api/search", params={"q": "sote", "page": "x"})
    assert answer.status_code == 400 and "Parameter 'page'" in answer.json()["error"]


def test_settings_or_options_not_both(tmp_path):
    with pytest.raises(TypeError):
        create_app(WebSettings(tmp_path), secure_cookies=True)

"""``spinemets serve`` on a real uvicorn server over loopback: CDS Hooks discovery, hook calls and
feedback, the JSON API (differential against the command line), bad bodies, the size limit,
errors without stack traces, logs without patient data, CORS, start-up rules."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spinemets
from spinemets.cds import HASH_KEY
from spinemets.cli import main as cli_main
from spinemets.report import EXAMPLE_CASE
from spinemets.service.config import ServiceConfig, parse_issuer
from tests._service import running, static_server  # skips without the 'service' extra
from tests.strategies import case_dicts

if TYPE_CHECKING:
    import httpx
else:
    httpx = pytest.importorskip("httpx")

SERVICE = "spinemets-patient-view"


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with running() as url:
        yield url


def _transport() -> httpx.HTTPTransport:
    """No Nagle delay between the request's headers and its body (40 ms a request otherwise)."""
    import socket

    return httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])


@pytest.fixture(scope="module")
def client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=30, transport=_transport()) as c:
        yield c


def _hook_body(**extra: Any) -> dict[str, Any]:
    return {"hook": "patient-view", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
            "context": {"userId": "Practitioner/1", "patientId": "1288992"}, **extra}


def _cli_lines(payload: bytes) -> list[bytes]:
    """What ``spinemets assess`` writes for *payload* (run in-process on files)."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        src.write_bytes(payload)
        cli_main(["assess", str(src), "-o", str(out)])
        return out.read_bytes().splitlines()


def _is_error(line: bytes) -> bool:
    return "error" in json.loads(line)


class TestDiscoveryAndHooks:
    def test_discovery(self, client: httpx.Client) -> None:
        """The discovery document: a patient-view service with prefetch for what the FHIR
        reader takes (Conditions, performance status and laboratory, the assessment)."""
        response = client.get("/cds-services")
        assert response.status_code == 200
        (service,) = response.json()["services"]
        assert service["hook"] == "patient-view" and service["id"] == SERVICE
        assert service["title"] and service["description"]
        prefetch = service["prefetch"]
        assert prefetch["conditions"].startswith("Condition?")
        assert "89243-0" in prefetch["performanceStatus"]  # KPS (LOINC)
        assert "89247-1" in prefetch["performanceStatus"]  # ECOG
        # The laboratory analytes and their mass and molar LOINC codes, as the project's
        # FHIR rules list them: albumin, CRP, LDH, platelets, calcium, total bilirubin.
        for code in ("1751-7", "1988-5", "2532-0", "14804-9", "777-3", "26515-7", "17861-6",
                     "2000-8", "1975-2", "14631-6"):
            assert f"http://loinc.org|{code}" in prefetch["laboratory"]
        assert "questionnaire=" in prefetch["assessment"]
        assert prefetch["assessment"].startswith("QuestionnaireResponse?")
        assert all("{{context.patientId}}" in q for q in prefetch.values())

    def test_hook_without_data_gives_an_informative_card(self, client: httpx.Client) -> None:
        """No prefetch and no FHIR server: cards (never an error), one naming what is missing."""
        response = client.post(f"/cds-services/{SERVICE}", json=_hook_body())
        assert response.status_code == 200
        cards = response.json()["cards"]
        assert cards[0]["summary"].startswith("NOMS: radiation undetermined")
        assert any(c["summary"].startswith("SINS needs lesions") for c in cards)
        for card in cards:
            assert card["source"]["label"].startswith(f"spinemets {spinemets.__version__}")
            assert len(card["summary"]) < 140
            (link,) = card["links"]
            assert link["url"].startswith(client.base_url.join("/?case=").__str__())

    def test_identical_calls_give_disjoint_uuids(self, client: httpx.Client) -> None:
        """Two identical hook calls: no card uuid in common, the same content hashes."""
        body = _hook_body(prefetch={"assessment": None})
        a = client.post(f"/cds-services/{SERVICE}", json=body).json()["cards"]
        b = client.post(f"/cds-services/{SERVICE}", json=body).json()["cards"]
        assert not {c["uuid"] for c in a} & {c["uuid"] for c in b}
        assert len({c["uuid"] for c in a}) == len(a)
        assert [c["extension"][HASH_KEY] for c in a] == [c["extension"][HASH_KEY] for c in b]

    @pytest.mark.parametrize(("body", "fields"), [
        ({}, ["hook", "hookInstance", "context"]),
        ({"hook": "order-select", "hookInstance": "x", "context": {"patientId": "1"}}, ["hook"]),
        ({"hook": "patient-view", "hookInstance": "x", "context": {}}, ["context.patientId"]),
        ({**_hook_body(), "prefetch": []}, ["prefetch"]),
        ({**_hook_body(), "fhirServer": "ftp://x"}, ["fhirServer"]),
        ([], []),
    ])
    def test_bad_hook_bodies(self, client: httpx.Client, body: Any, fields: list[str]) -> None:
        """A malformed hook call: 400 with the interchange error object naming the fields."""
        response = client.post(f"/cds-services/{SERVICE}", json=body)
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["fields"] == fields and error["message"]

    def test_hook_body_not_json(self, client: httpx.Client) -> None:
        response = client.post(f"/cds-services/{SERVICE}", content=b"{not json")
        assert response.status_code == 400
        assert response.json()["error"]["fields"] == []

    def test_unknown_service(self, client: httpx.Client) -> None:
        assert client.post("/cds-services/nope", json=_hook_body()).status_code == 404
        assert client.post("/cds-services/nope/feedback", json={}).status_code == 404

    def test_feedback(self, client: httpx.Client) -> None:
        """Feedback as CDS Hooks 2.0 describes it: 200; a malformed one: 400 naming fields."""
        cards = client.post(f"/cds-services/{SERVICE}", json=_hook_body()).json()["cards"]
        good = {"feedback": [
            {"card": cards[0]["uuid"], "outcome": "accepted",
             "acceptedSuggestions": [], "outcomeTimestamp": "2026-11-30T08:00:00Z"},
            {"card": cards[1]["uuid"], "outcome": "overridden",
             "overrideReason": {"userComment": "not now"},
             "outcomeTimestamp": "2026-11-30T08:00:01Z"}]}
        assert client.post(f"/cds-services/{SERVICE}/feedback", json=good).status_code == 200
        bad = {"feedback": [{"card": cards[0]["uuid"], "outcome": "maybe"}]}
        response = client.post(f"/cds-services/{SERVICE}/feedback", json=bad)
        assert response.status_code == 400
        assert response.json()["error"]["fields"] == ["feedback[0].outcome",
                                                      "feedback[0].outcomeTimestamp"]
        assert client.post(f"/cds-services/{SERVICE}/feedback", json={}).status_code == 400

    def test_fetches_from_the_fhir_server_when_prefetch_is_absent(
            self, client: httpx.Client) -> None:
        """No prefetch, a fhirServer with fhirAuthorization: the service GETs each template
        (patient id substituted) with the bearer token, and follows ``next`` on that server."""
        empty = {"resourceType": "Bundle", "type": "searchset", "entry": []}
        routes: dict[str, Any] = {"/fhir/Condition": {**empty, "link": [{"relation": "next",
                                                          "url": "NEXT"}]},
                  "/fhir/Observation": empty, "/fhir/QuestionnaireResponse": empty,
                  "/fhir/page2": empty}
        with static_server(routes) as (fhir, seen):
            routes["/fhir/Condition"]["link"][0]["url"] = f"{fhir}/fhir/page2"
            body = _hook_body(fhirServer=f"{fhir}/fhir",
                              fhirAuthorization={"access_token": "tok-123",
                                                 "token_type": "Bearer", "expires_in": 300,
                                                 "scope": "patient/*.read", "subject": "x"},
                              prefetch={"conditions": None})
            response = client.post(f"/cds-services/{SERVICE}", json=body)
        assert response.status_code == 200
        paths = sorted(s["path"].split("?")[0] for s in seen)
        assert paths == ["/fhir/Condition", "/fhir/Observation", "/fhir/Observation",
                         "/fhir/QuestionnaireResponse", "/fhir/page2"]
        assert {s["authorization"] for s in seen} == {"Bearer tok-123"}
        assert all("1288992" in s["path"] for s in seen if "page2" not in s["path"])

    def test_unreachable_fhir_server_gives_a_card(self, client: httpx.Client) -> None:
        """A FHIR server that answers 404: the cards say so; no error."""
        with static_server({}) as (fhir, _):
            body = _hook_body(fhirServer=f"{fhir}/fhir",
                              fhirAuthorization={"access_token": "t"})
            response = client.post(f"/cds-services/{SERVICE}", json=body)
        assert response.status_code == 200
        assert "HTTP 404" in response.json()["cards"][-1]["detail"]


_FIELD_NAMES = ["histology", "kps", "ecog", "ecog_to_kps", "frankel", "myelopathy",
                "vertebral_metastases", "albumin_g_dl", "lesions", "id", "interchange", "bogus",
                "Histology"]
_UGLY_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.sampled_from(["kidney", "breast", "E", "common", 80, 80.0, -0.0, 2**53, "T12",
                     "\ud800", "x\udfff", "", " kidney", 1e308, 5e-324]),
    st.lists(st.dictionaries(st.sampled_from(["level", "escc", "pain", "x"]),
                             st.sampled_from(["T12", "2", "1b", "none", 3, None]), max_size=3),
             max_size=2),
)
_UGLY = st.dictionaries(st.sampled_from(_FIELD_NAMES), _UGLY_VALUES, max_size=6)


class TestJsonApi:
    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
    @given(st.lists(st.one_of(case_dicts(), _UGLY), min_size=1, max_size=8))
    def test_assess_equals_the_command_line(self, client: httpx.Client,
                                            cases: list[dict[str, Any]]) -> None:
        """Differential: every case POSTed alone gives exactly the CLI's line (an error: 400
        and the CLI's error object without ``line``); the batch as NDJSON gives exactly the
        CLI's output, and valid lines equal ``assess()``'s dict."""
        texts = [json.dumps(c, allow_nan=True) for c in cases]
        payload = ("\n".join(texts) + "\n").encode()
        expected = _cli_lines(payload)
        assert len(expected) == len(cases)
        for text, line in zip(texts, expected, strict=True):
            response = client.post("/assess", content=text.encode(),
                                   headers={"Content-Type": "application/json"})
            if _is_error(line):
                assert response.status_code == 400
                error = json.loads(line)
                del error["line"]
                assert response.json() == error
            else:
                assert response.status_code == 200
                assert response.content == line
                case = spinemets.Case.from_dict(json.loads(text))
                assert response.json() == spinemets.assess(case).to_dict()
        streamed = client.post("/assess", content=payload,
                               headers={"Content-Type": "application/x-ndjson"})
        assert streamed.status_code == 200
        assert streamed.headers["content-type"].startswith("application/x-ndjson")
        assert streamed.content.splitlines() == expected

    def test_ndjson_lines_like_the_cli(self, client: httpx.Client) -> None:
        """BOM, CRLF, blank lines (skipped), invalid UTF-8, not JSON, not an object: the same
        lines as the command line, errors carrying their line number."""
        good = json.dumps(EXAMPLE_CASE).encode()
        payload = (b"\xef\xbb\xbf" + good + b"\r\n\r\n   \n" + b'{"kps": 85}\n'
                   + b"\xff\xfe\n" + b"[1]\n" + b"nope\n" + good)
        expected = _cli_lines(payload)
        response = client.post("/assess", content=payload,
                               headers={"Content-Type": "application/x-ndjson; charset=utf-8"})
        assert response.content.splitlines() == expected
        lines = [json.loads(x) for x in expected]
        assert [x.get("line") for x in lines] == [None, 4, 5, 6, 7, None]

    def test_ecog_to_kps_query(self, client: httpx.Client) -> None:
        """``?ecog_to_kps=NAME`` applies the conversion like ``--kps-from-ecog``; a wrong
        name is a 400 naming ``ecog_to_kps``."""
        case = {"ecog": 0, "histology": "breast", "extraspinal_bone_metastases": 0,
                "vertebral_metastases": 1, "visceral_metastases": "none", "frankel": "E"}
        response = client.post("/assess?ecog_to_kps=common", json=case)
        assert response.status_code == 200
        flags = response.json()["scores"]["tokuhashi_2005"]["flags"]
        assert "kps_from_ecog:common" in flags
        bad = client.post("/assess?ecog_to_kps=guess", json=case)
        assert bad.status_code == 400 and bad.json()["error"]["fields"] == ["ecog_to_kps"]

    @pytest.mark.parametrize("body", [b"", b"   ", b"{", b"\xff", b"[]", b'"case"', b"null",
                                      b'{"kps": NaN}', b'{"kps": 80, "kps": 90}'])
    def test_bad_bodies(self, client: httpx.Client, body: bytes) -> None:
        """400 with the interchange error object; never a stack trace."""
        response = client.post("/assess", content=body,
                               headers={"Content-Type": "application/json"})
        assert response.status_code == 400
        data = response.json()
        assert set(data) >= {"interchange", "error"} and data["error"]["message"]
        assert "Traceback" not in response.text

    def test_schemas_health_version_openapi(self, client: httpx.Client) -> None:
        from spinemets.schema import shipped

        for name in ("case", "result"):
            response = client.get(f"/schema/{name}")
            assert response.status_code == 200
            assert response.json() == json.loads(shipped(name))
        assert client.get("/schema/nope").status_code == 404
        assert client.get("/health").json() == {"status": "ok"}
        assert client.get("/version").json() == {"spinemets": spinemets.__version__,
                                                 "interchange": 1}
        from openapi_spec_validator import validate

        doc = client.get("/openapi.json").json()
        validate(doc)
        assert doc["openapi"].startswith("3.1")
        assert doc["servers"] == [{"url": str(client.base_url).rstrip("/")}]
        assert {"/assess", "/cds-services", "/health"} <= set(doc["paths"])
        text = json.dumps(doc)
        assert "tokuhashi_2005" in text and "#/$defs/" not in text

    def test_page_and_assets(self, client: httpx.Client) -> None:
        """The page and its assets come from the package; the page forbids other origins."""
        page = client.get("/")
        assert page.headers["content-type"].startswith("text/html")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert 'src="static/calculator.js"' in page.text and "{{" not in page.text
        for name, kind in (("calculator.js", "javascript"), ("calculator.css", "text/css")):
            asset = client.get(f"/static/{name}")
            assert asset.status_code == 200 and kind in asset.headers["content-type"]
        assert client.get("/static/../app.py").status_code == 404

    def test_not_found_and_wrong_method_are_json(self, client: httpx.Client) -> None:
        for response in (client.get("/nope"), client.get("/assess")):
            assert response.status_code in (404, 405)
            assert response.json()["error"]["message"]


@pytest.fixture(scope="module")
def small() -> Iterator[httpx.Client]:
    """A server whose size limit is 2,000 bytes."""
    with running({"max_body": TestLimits.LIMIT}) as url, \
            httpx.Client(base_url=url, transport=_transport()) as c:
        yield c


class TestLimits:
    LIMIT = 2_000

    def test_json_body_limit(self, small: httpx.Client) -> None:
        """A body of exactly the limit is read; one byte more is 413 with the error object."""
        text = json.dumps(EXAMPLE_CASE).encode()
        exact = text + b" " * (self.LIMIT - len(text))
        assert small.post("/assess", content=exact).status_code == 200
        over = small.post("/assess", content=exact + b" ")
        assert over.status_code == 413
        assert "2,000 bytes" in over.json()["error"]["message"]
        hook = small.post(f"/cds-services/{SERVICE}", content=b" " * (self.LIMIT + 1))
        assert hook.status_code == 413

    def test_ndjson_limit_is_per_line(self, small: httpx.Client) -> None:
        """NDJSON: many lines far past the limit in total are fine; one line past it is 413."""
        line = json.dumps(EXAMPLE_CASE).encode()
        many = b"\n".join([line] * 50)
        assert len(many) > 10 * self.LIMIT
        response = small.post("/assess", content=many,
                              headers={"Content-Type": "application/x-ndjson"})
        assert response.status_code == 200 and len(response.content.splitlines()) == 50
        long = line + b"\n" + line + b" " * self.LIMIT + b"\n" + line
        response = small.post("/assess", content=long,
                              headers={"Content-Type": "application/x-ndjson"})
        assert response.status_code == 413
        assert "a line" in response.json()["error"]["message"]

    def test_default_limit_is_one_megabyte(self, client: httpx.Client) -> None:
        text = json.dumps(EXAMPLE_CASE).encode()
        assert client.post("/assess", content=text + b" " * (1_000_000 - len(text))
                           ).status_code == 200
        assert client.post("/assess", content=b" " * 1_000_001).status_code == 413


class TestSafety:
    def test_internal_error_is_json_without_data(
            self, client: httpx.Client, monkeypatch: pytest.MonkeyPatch,
            caplog: pytest.LogCaptureFixture) -> None:
        """An unexpected exception: 500 with the error object, no stack trace, and the log
        names the exception's type and place but not its message (which may quote input)."""
        from spinemets.service import app as app_module

        def boom(raw: bytes, conversion: Any) -> Any:
            raise RuntimeError("patient secret 4711")

        monkeypatch.setattr(app_module, "_score", boom)
        with caplog.at_level(logging.INFO, logger="spinemets.service"):
            response = client.post("/assess", json={"kps": 80})
        assert response.status_code == 500
        assert response.json()["error"]["message"].startswith("internal error")
        assert "Traceback" not in response.text and "4711" not in response.text
        assert "RuntimeError" in caplog.text and "4711" not in caplog.text

    def test_logs_hold_no_query_string_nor_body(
            self, client: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
        """The access log writes method, path, status and time: no ``?case=`` and no body."""
        with caplog.at_level(logging.DEBUG):
            client.get("/", params={"case": json.dumps({"histology": "melanoma"})})
            client.post("/assess", json={"histology": "melanoma", "id": "MRN-99812"})
            client.post(f"/cds-services/{SERVICE}", json=_hook_body(
                context={"patientId": "MRN-99812"}))
        server = "\n".join(r.getMessage() for r in caplog.records
                           if not r.name.startswith(("httpx", "httpcore")))
        assert '"GET /" 200' in server and '"POST /assess" ' in server
        for secret in ("melanoma", "MRN-99812", "case=", "%7B"):
            assert secret not in server

    def test_cors_off_by_default_and_configurable(self, client: httpx.Client) -> None:
        headers = {"Origin": "https://ehr.example", "Access-Control-Request-Method": "POST"}
        assert "access-control-allow-origin" not in client.get("/health", headers=headers).headers
        with running({"cors_origins": ("https://ehr.example",)}) as url:
            response = httpx.options(f"{url}/assess", headers=headers)
            assert response.headers["access-control-allow-origin"] == "https://ehr.example"
            other = httpx.get(f"{url}/health", headers={"Origin": "https://evil.example"})
            assert "access-control-allow-origin" not in other.headers


class TestStartup:
    def test_rules(self) -> None:
        """Off loopback: refuse without issuers unless --insecure-no-auth; loopback: open, with
        a notice; the default public URL is http://HOST:PORT."""
        assert ServiceConfig().check() is None
        assert "WITHOUT authentication" in (ServiceConfig().notice() or "")
        for host in ("0.0.0.0", "192.168.1.5", "::", "example.org"):
            assert "refusing" in (ServiceConfig(host=host).check() or "")
            assert ServiceConfig(host=host, insecure_no_auth=True).check() is None
            assert ServiceConfig(host=host, trusted_issuers={"i": "k.json"}).check() is None
        for host in ("127.0.0.1", "127.8.9.1", "localhost", "::1"):
            assert ServiceConfig(host=host).check() is None
        assert ServiceConfig(trusted_issuers={"i": "k.json"}).notice() is None
        assert ServiceConfig(host="::1", port=9).public_url == "http://[::1]:9"
        assert ServiceConfig(public_url="https://x.org/cds/").public_url == "https://x.org/cds"
        assert parse_issuer("https://ehr.example/a=https://ehr.example/jwks?t=1") == (
            "https://ehr.example/a", "https://ehr.example/jwks?t=1")
        assert parse_issuer("ehr=keys.json") == ("ehr", "keys.json")
        from spinemets.service import create_app
        from spinemets.service.config import ConfigError

        with pytest.raises(ConfigError, match="refusing"):
            create_app(ServiceConfig(host="0.0.0.0"))

    def test_cli_refuses_off_loopback(self, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
        """The command exits 2 before binding; issuers from the environment count too."""
        import spinemets.service

        assert cli_main(["serve", "--host", "0.0.0.0"]) == 2
        assert "--insecure-no-auth" in capsys.readouterr().err
        assert cli_main(["serve", "--trusted-issuer", "nonsense"]) == 2
        started: list[ServiceConfig] = []
        monkeypatch.setattr(spinemets.service, "run",
                            lambda config, log_level: started.append(config))
        monkeypatch.setenv("SPINEMETS_TRUSTED_ISSUERS", "https://a.example=a.json b=b.json")
        assert cli_main(["serve", "--host", "0.0.0.0", "--trusted-issuer", "c=c.json"]) == 0
        assert started[0].trusted_issuers == {"https://a.example": "a.json", "b": "b.json",
                                              "c": "c.json"}
        assert started[0].public_url == "http://0.0.0.0:8000"

    def test_without_the_extra_says_pip_install(self, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setitem(sys.modules, "spinemets.service", None)
        assert cli_main(["serve"]) == 2
        assert "pip install 'spinemets[service]'" in capsys.readouterr().err

    def test_the_command_serves(self, tmp_path: Path) -> None:
        """``spinemets serve`` as a process: the start-up notice, discovery, a hook, /assess,
        and the prefilled link of a card pointing under --public-url."""
        from tests._service import loopback_socket

        sock = loopback_socket()
        port = sock.getsockname()[1]
        sock.close()
        log = tmp_path / "serve.log"
        with log.open("wb") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "spinemets", "serve", "--port", str(port),
                 "--public-url", "https://cds.example.org/sm"], stderr=err)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    httpx.get(f"{url}/health", timeout=1)
                    break
                except httpx.TransportError:
                    if proc.poll() is not None:
                        pytest.fail(log.read_text())
                    import time

                    time.sleep(0.05)
            assert httpx.get(f"{url}/cds-services").json()["services"][0]["id"] == SERVICE
            cards = httpx.post(f"{url}/cds-services/{SERVICE}", json=_hook_body(),
                               timeout=30).json()["cards"]
            link = urlsplit(cards[0]["links"][0]["url"])
            assert (link.netloc, link.path) == ("cds.example.org", "/sm/")
            assert json.loads(parse_qs(link.query)["case"][0]) == {}
            result = httpx.post(f"{url}/assess", json=EXAMPLE_CASE, timeout=30).json()
            assert result["scores"]["sins"]["total"] == 10
            page = httpx.get(f"{url}/", params={"case": json.dumps({"histology": "melanoma"})})
            assert page.status_code == 200
        finally:
            proc.terminate()
            proc.wait(timeout=20)
        text = log.read_text()
        assert "WITHOUT authentication (loopback only)" in text
        assert "calculator https://cds.example.org/sm/" in text
        assert '"GET /" 200' in text and "melanoma" not in text and "case=" not in text
        assert '"POST /assess" 200' in text


class TestMoreEdges:
    def test_a_byte_order_mark_is_accepted(self, client: httpx.Client) -> None:
        case = {"histology": "breast", "kps": 80}
        plain = client.post("/assess", json=case).json()
        marked = client.post("/assess", content=b"\xef\xbb\xbf" + json.dumps(case).encode(),
                             headers={"Content-Type": "application/json"})
        assert marked.status_code == 200 and marked.json() == plain

    def test_a_lone_surrogate_is_echoed_escaped(self, client: httpx.Client) -> None:
        """An ``id`` holding a lone surrogate (valid JSON, not encodable as UTF-8) comes back
        escaped: the response is still valid JSON with the same id."""
        response = client.post("/assess", content=b'{"id": "a\\ud800b", "kps": 80}',
                               headers={"Content-Type": "application/json"})
        assert response.status_code == 200
        assert b"\\ud800" in response.content
        assert response.json()["id"] == "a\ud800b"

    def test_feedback_for_an_unknown_service(self, client: httpx.Client) -> None:
        response = client.post("/cds-services/nothing-here/feedback", json={"feedback": []})
        assert response.status_code == 404
        assert response.json()["error"]["message"] == "no such CDS service"

    @pytest.mark.parametrize(("kwargs", "message"), [
        ({"public_url": "ftp://x.org"}, "--public-url must be an http"),
        ({"public_url": "x.org"}, "--public-url must be an http"),
        ({"max_body": 0}, "at least 1 byte"),
    ])
    def test_bad_configurations(self, kwargs: dict[str, Any], message: str) -> None:
        from spinemets.service.config import ConfigError

        with pytest.raises(ConfigError, match=message):
            ServiceConfig(**kwargs)

    def test_the_openapi_document_declares_jwt_only_when_required(self) -> None:
        from spinemets.service.openapi import openapi_document

        open_doc = openapi_document(ServiceConfig())
        assert "security" not in open_doc
        assert "securitySchemes" not in open_doc.get("components", {})
        secured = openapi_document(ServiceConfig(trusted_issuers={"ehr": "keys.json"},
                                                 public_url="https://cds.example"))
        assert secured["security"] == [{"cdsHooksJwt": []}]
        scheme = secured["components"]["securitySchemes"]["cdsHooksJwt"]
        assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == (
            "http", "bearer", "JWT")
        assert secured["servers"] == [{"url": "https://cds.example"}]

"""Tests of EPCIS 2.0 validation: the GS1 examples pass, each kind of defect gets its one precise problem."""

import copy
import doctest
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from zhuisu.epcis import cbv, messages
from zhuisu.epcis.schema import context, loader
from zhuisu.epcis.validation import (
    Problem,
    validate_document,
    validate_event,
    validate_query_document,
)

DATA = Path(__file__).parents[1] / "data"
EXAMPLES = sorted((DATA / "epcis" / "JSON").rglob("*.jsonld"))
EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
EVENTS = "/epcisBody/eventList"


def load(name: str) -> Any:
    return json.loads((DATA / "epcis" / "JSON" / name).read_text(encoding="utf-8"))


def summary(problems: list[Problem]) -> list[tuple[int | None, str, str]]:
    return [(p.event_index, p.pointer, p.code) for p in problems]


def object_event() -> dict[str, Any]:
    """The first event of GS1's Example 9.6.1, standalone (with its own @context)."""
    document = load("Example_9.6.1-ObjectEvent.jsonld")
    return {"@context": document["@context"], **document["epcisBody"]["eventList"][0]}


def test_examples_are_found() -> None:
    assert len(EXAMPLES) == 24


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_accepts_every_gs1_example(path: Path) -> None:
    assert validate_document(json.loads(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("unknown-action.jsonld", [(1, f"{EVENTS}/1/action", "unknown_action")]),
        ("eventtime-invalid-date.jsonld", [(0, f"{EVENTS}/0/eventTime", "invalid_datetime")]),
        ("eventtime-without-timezone.jsonld", [(0, f"{EVENTS}/0/eventTime", "invalid_datetime")]),
        ("bizstep-not-in-cbv.jsonld", [(0, f"{EVENTS}/0/bizStep", "unknown_cbv_value")]),
        ("disposition-not-in-cbv.jsonld", [(1, f"{EVENTS}/1/disposition", "unknown_cbv_value")]),
        ("bizstep-urn-form.jsonld", [(0, f"{EVENTS}/0/bizStep", "cbv_bare_word_required")]),
        ("no-context.jsonld", [(None, "/@context", "missing_context")]),
        ("context-without-epcis.jsonld", [(None, "/@context", "missing_context")]),
        ("quantity-as-text.jsonld", [(0, f"{EVENTS}/0/quantityList/0/quantity", "invalid_type")]),
        ("unknown-property-event.jsonld", [(0, f"{EVENTS}/0/foo", "unknown_property")]),
        ("unknown-property-readpoint.jsonld", [(1, f"{EVENTS}/1/readPoint/foo", "unknown_property")]),
        ("epclist-not-a-list.jsonld", [(0, f"{EVENTS}/0/epcList", "invalid_type")]),
        ("empty-object.json", [(None, "", "empty_document")]),
        ("empty-body.json", [(None, "", "empty_document")]),
        ("no-epcisbody.jsonld", [(None, "/epcisBody", "empty_document")]),
        ("empty-eventlist.jsonld", [(None, EVENTS, "empty_document")]),
        ("event-without-type.jsonld", [(0, f"{EVENTS}/0/type", "required")]),
        ("unknown-event-type.jsonld", [(0, f"{EVENTS}/0/type", "unknown_event_type")]),
        (
            "timezone-offset-malformed.jsonld",
            [(0, f"{EVENTS}/0/eventTimeZoneOffset", "invalid_timezone_offset")],
        ),
        ("undeclared-prefix.jsonld", [(1, f"{EVENTS}/1/acme:myField", "undeclared_prefix")]),
        ("ilmd-on-observe.jsonld", [(0, f"{EVENTS}/0/ilmd", "ilmd_not_allowed")]),
        ("no-what.jsonld", [(0, f"{EVENTS}/0", "missing_what")]),
        ("truncated.json", [(None, "", "invalid_json")]),
        (
            "several-defects.jsonld",
            [
                (0, f"{EVENTS}/0/action", "unknown_action"),
                (0, f"{EVENTS}/0/eventTime", "invalid_datetime"),
                (1, f"{EVENTS}/1/bizStep", "unknown_cbv_value"),
                (1, f"{EVENTS}/1/readPoint/foo", "unknown_property"),
            ],
        ),
    ],
)
def test_refuses_invalid_document(name: str, expected: list[tuple[int | None, str, str]]) -> None:
    # given the raw bytes (empty and broken JSON included), then the parsed document where there is one
    raw = (DATA / "invalid" / name).read_bytes()
    assert summary(validate_document(raw)) == expected
    if name not in ("empty-body.json", "truncated.json"):
        assert summary(validate_document(json.loads(raw))) == expected


class TestExpected:
    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("unknown-action.jsonld", "one of OBSERVE, ADD, DELETE"),
            ("bizstep-not-in-cbv.jsonld", "a CBV bizStep (did you mean shipping?) or an absolute URI"),
            (
                "disposition-not-in-cbv.jsonld",
                "a CBV disposition (did you mean in_progress?) or an absolute URI",
            ),
            ("bizstep-urn-form.jsonld", "the bare word shipping"),
            ("quantity-as-text.jsonld", "number"),
            ("epclist-not-a-list.jsonld", "array"),
            ("timezone-offset-malformed.jsonld", "a time zone offset from -14:00 to +14:00, e.g. +08:00"),
            ("no-what.jsonld", "epcList, a non-empty quantityList, or sensorElementList with readPoint"),
            (
                "eventtime-without-timezone.jsonld",
                "an RFC 3339 date-time with a time zone offset, e.g. 2023-06-01T08:30:00+08:00",
            ),
            (
                "undeclared-prefix.jsonld",
                'a prefix declared in @context (e.g. "acme": "https://example.com/ns/") or a full IRI',
            ),
        ],
    )
    def test_expected_names_what_would_do(self, name: str, expected: str) -> None:
        [problem] = validate_document((DATA / "invalid" / name).read_bytes())
        assert problem.expected == expected

    def test_close_property_name_is_suggested(self) -> None:
        event = object_event()
        event["bizstep"] = event.pop("bizStep")
        assert validate_event(event) == [
            Problem(
                None,
                "/bizstep",
                "unknown_property",
                "a standard property (did you mean bizStep?) or an extension named with a declared prefix, "
                "e.g. example:myField",
            )
        ]

    def test_closed_object_lists_its_properties(self) -> None:
        event = object_event()
        event["bizTransactionList"][0]["note"] = "x"
        assert validate_event(event) == [
            Problem(None, "/bizTransactionList/0/note", "unknown_property", "one of type, bizTransaction")
        ]

    def test_unknown_property_of_persistent_disposition(self) -> None:
        event = object_event()
        event["persistentDisposition"] = {"set": ["completeness_verified"], "foo": 1}
        assert validate_event(event) == [
            Problem(None, "/persistentDisposition/foo", "unknown_property", "one of set, unset")
        ]

    def test_bad_item_of_the_context(self) -> None:
        document = load("Example_9.6.1-ObjectEvent.jsonld")
        document["@context"] = [EPCIS_CONTEXT, "not a uri", {"example": "http://ns.example.com/epcis/"}]
        assert validate_document(document) == [
            Problem(
                None,
                "/@context/1",
                "invalid_uri",
                "an absolute URI, e.g. urn:epc:id:sgtin:0614141.107346.2017",
            )
        ]


class TestMessage:
    def test_event_problem_in_both_languages(self) -> None:
        [problem] = validate_document((DATA / "invalid" / "quantity-as-text.jsonld").read_bytes())
        assert problem.message() == "事件 0 的字段 quantityList[0].quantity：JSON 类型错误，应为 number。"
        assert problem.message("zh-CN") == problem.message()
        assert problem.message("en") == "Event 0, field quantityList[0].quantity: wrong JSON type; expected number."

    def test_unknown_action_in_both_languages(self) -> None:
        [problem] = validate_document((DATA / "invalid" / "unknown-action.jsonld").read_bytes())
        assert problem.message("zh") == "事件 1 的字段 action：action 取值未知，应为 one of OBSERVE, ADD, DELETE。"
        assert problem.message("en") == "Event 1, field action: unknown action; expected one of OBSERVE, ADD, DELETE."

    def test_document_problem_in_both_languages(self) -> None:
        [problem] = validate_document((DATA / "invalid" / "no-context.jsonld").read_bytes())
        assert problem.message() == (
            "字段 @context：缺少 EPCIS JSON-LD 上下文（@context），应为 an @context that includes "
            "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld。"
        )
        assert problem.message("en") == (
            "Field @context: the EPCIS JSON-LD context (@context) is missing; "
            "expected an @context that includes https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld."
        )

    def test_empty_document_in_both_languages(self) -> None:
        [problem] = validate_document(b"")
        assert problem.message() == (
            "提交的数据：没有可采集的事件，应为 an EPCISDocument with at least one event in epcisBody.eventList。"
        )
        assert problem.message("en") == (
            "The submitted data: no events to capture; expected an EPCISDocument with at least one event in "
            "epcisBody.eventList."
        )

    def test_every_code_has_both_languages(self) -> None:
        assert all(zh and en and zh != en for zh, en in messages.WHAT.values())
        assert len(messages.WHAT) == 25


class TestValidateEvent:
    def test_valid_event(self) -> None:
        assert validate_event(object_event()) == []

    def test_event_needs_its_own_context(self) -> None:
        event = object_event()
        del event["@context"]
        assert summary(validate_event(event)) == [(None, "/@context", "missing_context")]
        assert summary(validate_event(event, index=0)) == [(0, "/@context", "missing_context")]

    def test_event_of_a_document_takes_the_documents_context(self) -> None:
        # given the second event of Example 9.6.1, with its example:myField extension
        document = load("Example_9.6.1-ObjectEvent.jsonld")
        event = document["epcisBody"]["eventList"][1]
        # then it is valid in the document's context, and placed in the document
        assert validate_event(event, index=1, base_pointer=f"{EVENTS}/1", context=document["@context"]) == []
        event["action"] = "MOVE"
        assert summary(validate_event(event, index=1, base_pointer=f"{EVENTS}/1", context=document["@context"])) == [
            (1, f"{EVENTS}/1/action", "unknown_action")
        ]

    def test_extended_event_type_is_refused(self) -> None:
        event = {
            "@context": [EPCIS_CONTEXT, {"example": "https://example.org/epcis/"}],
            "type": "example:CustomEvent",
            "eventTime": "2005-04-03T20:33:31.116000-06:00",
            "eventTimeZoneOffset": "-06:00",
        }
        assert summary(validate_event(event)) == [(None, "/type", "unknown_event_type")]

    @pytest.mark.parametrize(("_case", "event"), [("list", []), ("text", "ObjectEvent"), ("null", None)])
    def test_event_must_be_an_object(self, _case: str, event: Any) -> None:
        assert summary(validate_event(event, index=2, base_pointer=f"{EVENTS}/2")) == [
            (2, f"{EVENTS}/2", "invalid_type")
        ]

    def test_non_string_type(self) -> None:
        event = object_event()
        event["type"] = 7
        assert summary(validate_event(event)) == [(None, "/type", "invalid_type")]


class TestDeviationsFromTheSchema:
    @pytest.mark.parametrize(
        "name", ["Example_9.6.3-AggregationEvent.jsonld", "AssociationEvent/AssociationEvent-a.jsonld"]
    )
    def test_persistent_disposition_on_every_event_type(self, name: str) -> None:
        document = load(name)
        document["epcisBody"]["eventList"][0]["persistentDisposition"] = {"set": ["completeness_verified"]}
        assert validate_document(document) == []

    def test_persistent_disposition_needs_set_or_unset(self) -> None:
        document = load("Example_9.6.3-AggregationEvent.jsonld")
        document["epcisBody"]["eventList"][0]["persistentDisposition"] = {}
        assert summary(validate_document(document)) == [(0, f"{EVENTS}/0/persistentDisposition/set", "required")]

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("gs1:EffectiveDoseRate", []),
            ("https://gs1.org/voc/EffectiveDoseRate", []),
            (
                "EffectiveDoseRate",
                [(0, f"{EVENTS}/0/sensorElementList/0/sensorReport/0/type", "unknown_cbv_value")],
            ),
        ],
    )
    def test_any_uri_is_a_sensor_type(self, value: str, expected: list[tuple[int, str, str]]) -> None:
        document = load("WithSensorData/SensorDataExample1.jsonld")
        document["epcisBody"]["eventList"][0]["sensorElementList"][0]["sensorReport"][0]["type"] = value
        assert summary(validate_document(document)) == expected

    def test_a_sensor_report_without_a_type(self) -> None:
        # optional in the XSD (an exception or a component report carries none); the JSON Schema requires it
        document = load("WithSensorData/SensorDataExample1.jsonld")
        report = document["epcisBody"]["eventList"][0]["sensorElementList"][0]["sensorReport"][0]
        del report["type"]
        report["exception"] = "ALARM_CONDITION"
        assert validate_document(document) == []
        report["type"] = "Temperature"
        assert validate_document(document) == []

    def test_read_point_takes_namespaced_extensions(self) -> None:
        event = object_event()
        event["readPoint"]["example:dock"] = "A1"
        assert validate_event(event) == []

    def test_epcis_body_refuses_unknown_properties(self) -> None:
        document = load("Example_9.6.1-ObjectEvent.jsonld")
        document["epcisBody"]["foo"] = 1
        assert summary(validate_document(document)) == [(None, "/epcisBody/foo", "unknown_property")]

    @pytest.mark.parametrize(
        ("value", "valid"),
        [
            ("2005-04-03T20:33:31.116000-06:00", True),
            ("2005-07-11T11:30:47.0Z", True),
            ("2023-01-18T11:04:03.1415Z", True),
            ("2023-01-01T00:00:00+14:00", True),
            ("2023-13-45T10:00:00Z", False),
            ("2023-02-29T10:00:00Z", False),
            ("2023-01-05T10:00:00", False),
            ("2023-01-05", False),
            ("2023-01-05t10:00:00z", False),
            ("2016-12-31T23:59:60Z", False),
            ("2023-01-05T10:00:00+14:30", False),
            ("2023-01-05T10:00:00+0800", False),
            ("0000-01-01T00:00:00Z", False),
        ],
    )
    def test_date_time_is_xsd_date_time_stamp(self, value: str, valid: bool) -> None:
        assert loader.is_date_time(value) is valid


class TestExtensions:
    @pytest.mark.parametrize(
        "key",
        ["example:myField", "https://example.com/ns/myField", "urn:example:myField", "cbvmda:lotNumber"],
    )
    def test_namespaced_names_are_accepted(self, key: str) -> None:
        event = object_event()
        event[key] = {"example:nested": 1}
        assert validate_event(event) == []

    def test_nested_undeclared_prefix(self) -> None:
        event = object_event()
        event["example:myField"] = {"acme:nested": 1}
        assert summary(validate_event(event)) == [(None, "/example:myField/acme:nested", "undeclared_prefix")]

    def test_prefix_declared_in_the_events_own_context(self) -> None:
        document = load("Example_9.6.1-ObjectEvent.jsonld")
        event = document["epcisBody"]["eventList"][1]
        event["acme:x"] = 1
        event["@context"] = {"acme": "https://acme.example/ns/"}
        assert validate_document(document) == []

    def test_prefixes_unknown_with_a_remote_context(self) -> None:
        document = load("Example_9.6.1-ObjectEvent.jsonld")
        document["@context"] = [EPCIS_CONTEXT, "https://example.com/our-context.jsonld"]
        document["epcisBody"]["eventList"][1]["acme:x"] = 1
        assert validate_document(document) == []


class TestValidateQueryDocument:
    @staticmethod
    def query_document(events: list[Any]) -> dict[str, Any]:
        return {
            "@context": [EPCIS_CONTEXT],
            "type": "EPCISQueryDocument",
            "schemaVersion": "2.0",
            "creationDate": "2023-06-01T08:30:00+08:00",
            "epcisBody": {"queryResults": {"queryName": "SimpleEventQuery", "resultsBody": {"eventList": events}}},
        }

    def test_valid_and_empty_results(self) -> None:
        events = load("Example_9.6.1-ObjectEvent.jsonld")["epcisBody"]["eventList"]
        events[1].pop("example:myField")
        assert validate_query_document(self.query_document(events)) == []
        assert validate_query_document(self.query_document([])) == []

    def test_problems_point_into_the_results(self) -> None:
        event = {k: v for k, v in object_event().items() if k != "@context"}
        document = self.query_document([event, {**event, "action": "MOVE"}])
        del document["epcisBody"]["queryResults"]["queryName"]
        assert summary(validate_query_document(document)) == [
            (None, "/epcisBody/queryResults/queryName", "required"),
            (1, "/epcisBody/queryResults/resultsBody/eventList/1/action", "unknown_action"),
        ]

    def test_an_epcis_document_is_not_a_query_document(self) -> None:
        document = load("Example_9.6.1-ObjectEvent.jsonld")
        assert summary(validate_query_document(document)) == [(None, "/type", "invalid_value")]


class TestDocumentShape:
    @pytest.mark.parametrize(("_case", "doc"), [("none", None), ("blank text", " \n"), ("empty bytes", b"")])
    def test_nothing_is_an_empty_document(self, _case: str, doc: Any) -> None:
        assert summary(validate_document(doc)) == [(None, "", "empty_document")]

    @pytest.mark.parametrize(("_case", "body"), [("null", None), ("empty string", ""), ("empty object", {})])
    def test_empty_body(self, _case: str, body: Any) -> None:
        document = load("Example_9.6.1-ObjectEvent.jsonld")
        document["epcisBody"] = body
        pointer = "/epcisBody/eventList" if body == {} else "/epcisBody"
        assert summary(validate_document(document)) == [(None, pointer, "empty_document")]

    def test_text_must_be_utf8(self) -> None:
        raw = (DATA / "epcis" / "JSON" / "Example_9.6.1-ObjectEvent.jsonld").read_bytes()
        assert validate_document(b"\xef\xbb\xbf" + raw) == []
        gbk = '{"type": "EPCISDocument", "sender": "追溯"}'.encode("gbk")
        assert validate_document(gbk) == [
            Problem(None, "", "invalid_json", "UTF-8 text (byte 39 is not UTF-8; GBK must be converted)")
        ]

    def test_a_list_is_not_a_document(self) -> None:
        assert summary(validate_document([object_event()])) == [(None, "", "invalid_type")]

    def test_an_event_is_not_a_document(self) -> None:
        assert summary(validate_document(object_event())) == [(None, "/type", "invalid_value")]


class TestCbv:
    @pytest.mark.parametrize("definition", sorted(cbv.BY_SCHEMA_DEFINITION))
    def test_words_are_the_schemas(self, definition: str) -> None:
        schema = json.loads((Path(loader.__file__).parent / "EPCIS-JSON-Schema.json").read_text(encoding="utf-8"))
        enum = schema["definitions"][definition]["anyOf"][1]["enum"]
        assert cbv.BY_SCHEMA_DEFINITION[definition].words == frozenset(enum)

    @pytest.mark.parametrize(
        ("vocabulary", "path"),
        [
            (cbv.BIZ_STEP, ["bizStep"]),
            (cbv.DISPOSITION, ["disposition"]),
            (cbv.BIZ_TRANSACTION_TYPE, ["bizTransactionList", "type"]),
            (cbv.SOURCE_DEST_TYPE, ["sourceList", "type"]),
            (cbv.ERROR_REASON, ["errorDeclaration", "reason"]),
            (cbv.MEASUREMENT_TYPE, ["sensorElementList", "sensorReport", "type"]),
            (cbv.SENSOR_ALERT_TYPE, ["sensorElementList", "sensorReport", "exception"]),
            (cbv.COMPONENT, ["sensorElementList", "sensorReport", "component"]),
        ],
    )
    def test_uris_are_the_contexts(self, vocabulary: cbv.Vocabulary, path: list[str]) -> None:
        terms = loader.read_json("epcis-context.jsonld")["@context"]
        for key in path:
            terms = terms[key]["@context"]
        prefixes = {"cbv:": cbv.CBV_WEB_URI, "gs1:": cbv.GS1_VOC_URI}
        expanded = {word: prefixes[iri[:4]] + iri[4:] for word, iri in terms.items() if not word.startswith("@")}
        expanded.pop("epcis", None)
        assert expanded == {word: vocabulary.web_uri(word) for word in vocabulary.words}

    def test_forms_of_a_value(self) -> None:
        assert cbv.BIZ_STEP.web_uri("shipping") == "https://ref.gs1.org/cbv/BizStep-shipping"
        assert cbv.BIZ_STEP.urn("shipping") == "urn:epcglobal:cbv:bizstep:shipping"
        assert cbv.ERROR_REASON.urn("did_not_occur") == "urn:epcglobal:cbv:er:did_not_occur"
        assert cbv.SOURCE_DEST_TYPE.bare_word("https://ref.gs1.org/cbv/SDT-owning_party") == "owning_party"
        assert cbv.BIZ_TRANSACTION_TYPE.expand("urn:epcglobal:cbv:btt:po") == "https://ref.gs1.org/cbv/BTT-po"
        assert cbv.MEASUREMENT_TYPE.expand("Temperature") == "https://gs1.org/voc/Temperature"
        assert cbv.BIZ_STEP.expand("https://example.com/steps/x") == "https://example.com/steps/x"

    def test_missing_forms_raise(self) -> None:
        with pytest.raises(KeyError):
            cbv.BIZ_STEP.web_uri("shiping")
        with pytest.raises(KeyError):
            cbv.COMPONENT.urn("x")

    @pytest.mark.parametrize(
        ("value", "verdict"),
        [
            ("shipping", cbv.Verdict.BARE_WORD),
            ("https://example.com/steps/x", cbv.Verdict.URI),
            ("https://ref.gs1.org/cbv/BizStep-shipping", cbv.Verdict.URI),
            ("urn:epcglobal:cbv:bizstep:shipping", cbv.Verdict.NON_JSON_FORM),
            ("shiping", cbv.Verdict.UNKNOWN_WORD),
        ],
    )
    def test_classify(self, value: str, verdict: cbv.Verdict) -> None:
        assert cbv.BIZ_STEP.classify(value) is verdict


def test_epcis_context_prefixes() -> None:
    assert context.epcis_prefixes() == frozenset({"epcis", "cbv", "cbvmda", "gs1", "rdfs", "owl", "xsd", "dcterms"})


@pytest.mark.parametrize(
    ("module", "examples"),
    [(cbv, 3), (messages, 3), (loader, 2)],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_doctests(module: ModuleType, examples: int) -> None:
    assert doctest.testmod(module) == (0, examples)


def test_problems_are_values() -> None:
    problem = Problem(0, f"{EVENTS}/0/action", "unknown_action", "one of OBSERVE, ADD, DELETE")
    assert {problem, copy.copy(problem)} == {problem}

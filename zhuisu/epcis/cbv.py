"""CBV 2.0 standard vocabularies, as written in the EPCIS 2.0 JSON/JSON-LD binding.

GS1 Core Business Vocabulary (CBV) 2.0 and EPCIS 2.0 §10 (JSON/JSON-LD binding). In JSON-LD a standard value
is written as a bare word (``"shipping"``) that the EPCIS JSON-LD context expands to its GS1 Web URI
(``https://ref.gs1.org/cbv/BizStep-shipping``); the XML binding and EPCIS 1.x write the URN form
(``urn:epcglobal:cbv:bizstep:shipping``). The rule of the binding: a bare word must be a value of the
vocabulary, anything else must be a URI (a user vocabulary, e.g. ``https://example.com/steps/pasteurising``).
The JSON Schema also refuses the URN form (``urn:epcglobal:cbv:…``) in JSON: there the bare word is the only
way to write a CBV value.

The word lists are those of the GS1 EPCIS 2.0 JSON Schema and JSON-LD context (github.com/gs1/EPCIS, commit
2b888be). Sensor measurement and alert types belong to the GS1 Web Vocabulary (``https://gs1.org/voc/``); they
have no URN form, nor does the CBV 2.0 ``component`` vocabulary.
"""

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

CBV_WEB_URI = "https://ref.gs1.org/cbv/"
GS1_VOC_URI = "https://gs1.org/voc/"

#: A scheme followed by something that is not whitespace: the shape of an absolute URI/IRI. Strict RFC 3986
#: checking is left to the JSON Schema's ``uri`` format; this only tells a bare word from a URI.
_ABSOLUTE_URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
#: Forms of CBV values the JSON binding does not allow (JSON Schema ``vocab-other-uri``).
_NON_JSON_CBV_RE = re.compile(r"^(?:urn:epcglobal:cbv|https?://ns\.gs1\.org/cbv/)")


class Verdict(StrEnum):
    """What a vocabulary value is, under the JSON binding's rule."""

    BARE_WORD = "bare_word"  # a value of the vocabulary, written as its bare word
    URI = "uri"  # any other absolute URI: a user vocabulary, or a standard value as its Web URI
    NON_JSON_FORM = "non_json_form"  # urn:epcglobal:cbv:… (or ns.gs1.org/cbv/…): not allowed in JSON
    UNKNOWN_WORD = "unknown_word"  # neither a value of the vocabulary nor a URI


@dataclass(frozen=True)
class Vocabulary:
    """One standard vocabulary: its bare words and the URI forms they stand for."""

    name: str  #: the EPCIS field it is used in, e.g. ``bizStep``
    words: frozenset[str]
    web_uri_prefix: str  #: e.g. ``https://ref.gs1.org/cbv/BizStep-``
    urn_prefix: str | None  #: e.g. ``urn:epcglobal:cbv:bizstep:``; None where CBV 2.0 defines no URN form
    standard: str = "CBV"  #: the standard that defines it: CBV or the GS1 Web Vocabulary

    @property
    def title(self) -> str:
        """How messages name it: ``a CBV bizStep``."""
        return f"a {self.standard} {self.name}"

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def web_uri(self, word: str) -> str:
        """The GS1 Web URI of a bare word; ``KeyError`` if the word is not in the vocabulary."""
        if word not in self.words:
            raise KeyError(word)
        return self.web_uri_prefix + word

    def urn(self, word: str) -> str:
        """The ``urn:epcglobal:cbv:…`` form of a bare word; ``KeyError`` if there is none."""
        if word not in self.words or self.urn_prefix is None:
            raise KeyError(word)
        return self.urn_prefix + word

    def bare_word(self, value: str) -> str | None:
        """The bare word ``value`` (a bare word, Web URI or URN) stands for; None if none of ours.

        >>> BIZ_STEP.bare_word("urn:epcglobal:cbv:bizstep:shipping"), BIZ_STEP.bare_word("https://example.com/x")
        ('shipping', None)
        """
        if value in self.words:
            return value
        for prefix in (self.web_uri_prefix, self.urn_prefix):
            if prefix and value.startswith(prefix) and value[len(prefix) :] in self.words:
                return value[len(prefix) :]
        return None

    def expand(self, value: str) -> str:
        """A bare word or URN as its GS1 Web URI; any other value unchanged (CBV 2.0 event hash rules 2, 14).

        >>> DISPOSITION.expand("in_transit"), DISPOSITION.expand("urn:epcglobal:cbv:disp:in_transit")
        ('https://ref.gs1.org/cbv/Disp-in_transit', 'https://ref.gs1.org/cbv/Disp-in_transit')
        """
        word = self.bare_word(value)
        return value if word is None else self.web_uri_prefix + word

    def classify(self, value: str) -> Verdict:
        """Which form ``value`` has, under the JSON binding's rule (see the module docstring)."""
        if value in self.words:
            return Verdict.BARE_WORD
        if _NON_JSON_CBV_RE.match(value):
            return Verdict.NON_JSON_FORM
        if _ABSOLUTE_URI_RE.match(value):
            return Verdict.URI
        return Verdict.UNKNOWN_WORD

    def suggest(self, value: str) -> str | None:
        """The value of the vocabulary closest to a mistyped word, if one is close enough.

        >>> BIZ_STEP.suggest("shiping"), BIZ_STEP.suggest("Shipping"), BIZ_STEP.suggest("zzz")
        ('shipping', 'shipping', None)
        """
        tail = re.split(r"[:/#-]", value)[-1]
        return closest(self.words, value) or closest(self.words, tail)


def closest(candidates: frozenset[str], value: str) -> str | None:
    """The candidate closest to ``value``, ignoring case, if close enough (a typo of it, say)."""
    # Cached, as a batch repeats its typos; long values are no typos, and would bloat the cache.
    return _closest(candidates, value) if len(value) <= 64 else None


@lru_cache(maxsize=4096)
def _closest(candidates: frozenset[str], value: str) -> str | None:
    folded = {candidate.casefold(): candidate for candidate in candidates}
    if value.casefold() in folded:
        return folded[value.casefold()]
    matches = difflib.get_close_matches(value.casefold(), sorted(folded), n=1, cutoff=0.75)
    return folded[matches[0]] if matches else None


BIZ_STEP = Vocabulary(
    name="bizStep",
    words=frozenset({
        "accepting", "arriving", "assembling", "collecting", "commissioning", "consigning",
        "creating_class_instance", "cycle_counting", "decommissioning", "departing", "destroying",
        "disassembling", "dispensing", "encoding", "entering_exiting", "holding", "inspecting",
        "installing", "killing", "loading", "other", "packing", "picking", "receiving", "removing",
        "repackaging", "repairing", "replacing", "reserving", "retail_selling", "sampling",
        "sensor_reporting", "shipping", "staging_outbound", "stock_taking", "stocking", "storing",
        "transporting", "unloading", "unpacking", "void_shipping",
    }),
    web_uri_prefix=CBV_WEB_URI + "BizStep-",
    urn_prefix="urn:epcglobal:cbv:bizstep:",
)  # fmt: skip

DISPOSITION = Vocabulary(
    name="disposition",
    words=frozenset({
        "active", "available", "completeness_inferred", "completeness_verified", "conformant",
        "container_closed", "container_open", "damaged", "destroyed", "dispensed", "disposed", "encoded",
        "expired", "in_progress", "in_transit", "inactive", "mismatch_class", "mismatch_instance",
        "mismatch_quantity", "needs_replacement", "no_pedigree_match", "non_conformant",
        "non_sellable_other", "partially_dispensed", "recalled", "reserved", "retail_sold", "returned",
        "sellable_accessible", "sellable_not_accessible", "stolen", "unavailable", "unknown",
    }),
    web_uri_prefix=CBV_WEB_URI + "Disp-",
    urn_prefix="urn:epcglobal:cbv:disp:",
)  # fmt: skip

BIZ_TRANSACTION_TYPE = Vocabulary(
    name="bizTransaction type",
    words=frozenset({
        "bol", "cert", "desadv", "inv", "pedigree", "po", "poc", "prodorder", "recadv", "rma", "testprd",
        "testres", "upevt",
    }),
    web_uri_prefix=CBV_WEB_URI + "BTT-",
    urn_prefix="urn:epcglobal:cbv:btt:",
)  # fmt: skip

SOURCE_DEST_TYPE = Vocabulary(
    name="source/destination type",
    words=frozenset({"location", "owning_party", "possessing_party"}),
    web_uri_prefix=CBV_WEB_URI + "SDT-",
    urn_prefix="urn:epcglobal:cbv:sdt:",
)

ERROR_REASON = Vocabulary(
    name="error reason",
    words=frozenset({"did_not_occur", "incorrect_data"}),
    web_uri_prefix=CBV_WEB_URI + "ER-",
    urn_prefix="urn:epcglobal:cbv:er:",
)

MEASUREMENT_TYPE = Vocabulary(
    name="sensor measurement type",
    standard="GS1",
    words=frozenset({
        "AbsoluteHumidity", "AbsorbedDose", "AbsorbedDoseRate", "Acceleration", "Altitude",
        "AmountOfSubstance", "AmountOfSubstancePerUnitVolume", "Angle", "AngularAcceleration",
        "AngularMomentum", "AngularVelocity", "Area", "Capacitance", "Conductance", "Conductivity",
        "Count", "Density", "Dimensionless", "DoseEquivalent", "DoseEquivalentRate", "DynamicViscosity",
        "ElectricCharge", "ElectricCurrent", "ElectricCurrentDensity", "ElectricFieldStrength", "Energy",
        "Exposure", "Force", "Frequency", "Illuminance", "Inductance", "Irradiance", "KinematicViscosity",
        "Length", "LinearMomentum", "Luminance", "LuminousFlux", "LuminousIntensity", "MagneticFlux",
        "MagneticFluxDensity", "MagneticVectorPotential", "Mass", "MassConcentration", "MassFlowRate",
        "MassPerAreaTime", "MemoryCapacity", "MolalityOfSolute", "MolarEnergy", "MolarMass",
        "MolarVolume", "Power", "Pressure", "RadiantFlux", "RadiantIntensity", "Radioactivity",
        "RelativeHumidity", "Resistance", "Resistivity", "SolidAngle", "SpecificVolume", "Speed",
        "SurfaceDensity", "SurfaceTension", "Temperature", "Time", "Torque", "Voltage", "Volume",
        "VolumeFlowRate", "VolumeFraction", "VolumetricFlux", "Wavenumber",
    }),
    web_uri_prefix=GS1_VOC_URI,
    urn_prefix=None,
)  # fmt: skip

SENSOR_ALERT_TYPE = Vocabulary(
    name="sensor alert type",
    standard="GS1",
    words=frozenset({"ALARM_CONDITION", "ERROR_CONDITION"}),
    web_uri_prefix=GS1_VOC_URI,
    urn_prefix=None,
)

COMPONENT = Vocabulary(
    name="sensor component",
    words=frozenset({
        "altitude", "axial_distance", "azimuth", "easting", "elevation_angle", "height", "latitude",
        "longitude", "northing", "polar_angle", "spherical_radius", "x", "y", "z",
    }),
    web_uri_prefix=CBV_WEB_URI + "Comp-",
    urn_prefix=None,
)  # fmt: skip

#: Each vocabulary under the name of its definition in the GS1 EPCIS JSON Schema.
BY_SCHEMA_DEFINITION: dict[str, Vocabulary] = {
    "bizStep": BIZ_STEP,
    "disposition": DISPOSITION,
    "bizTransaction-type": BIZ_TRANSACTION_TYPE,
    "source-dest-type": SOURCE_DEST_TYPE,
    "error-reason": ERROR_REASON,
    "measurementType": MEASUREMENT_TYPE,
    "sensorAlertType": SENSOR_ALERT_TYPE,
    "component": COMPONENT,
}

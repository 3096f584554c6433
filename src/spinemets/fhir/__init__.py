"""FHIR R4 both ways: read a case from the record, write results an EHR can trust.

* :func:`read_fhir` / :func:`case_from_fhir` read a :class:`~spinemets.Case` from Conditions
  (histology by ICD-10, ICD-10-CM or SNOMED CT), Observations (KPS, ECOG and laboratory values by
  LOINC, converted by their UCUM unit) and QuestionnaireResponses to :func:`questionnaire`.
* :func:`to_fhir` / :func:`to_fhir_bundle` write an assessment as Observations and the NOMS
  recommendation as a ``CarePlan`` proposal; :func:`to_questionnaire_response` writes a case.
* :func:`code_systems` publishes the project's CodeSystems as resources.

Plain, JSON-ready dicts throughout; no FHIR library is needed at run time (the tests validate
every resource against the R4B models of ``fhir.resources``).

Modules: :mod:`~spinemets.fhir.read`, :mod:`~spinemets.fhir.write`,
:mod:`~spinemets.fhir.questionnaire`, :mod:`~spinemets.fhir.codes` (code tables) and
:mod:`~spinemets.fhir.units` (LOINC laboratory codes and UCUM factors).

.. versionadded:: 0.1.0
.. versionchanged:: 0.2.0
   A package: reading, the Questionnaire, CodeSystems and safer writing.
"""

from __future__ import annotations

from .codes import (
    BAND_SYSTEM,
    CODE_SYSTEM_BASE,
    ECOG_LOINC,
    ESCC_GRADE_SYSTEM,
    FLAG_SYSTEM,
    ITEM_SYSTEM,
    KPS_LOINC,
    LOINC,
    RADIATION_SYSTEM,
    SCORE_SYSTEM,
    STABILIZATION_SYSTEM,
    code_systems,
)
from .questionnaire import QUESTIONNAIRE_URL, questionnaire, to_questionnaire_response
from .read import FhirReading, Ignored, Used, case_from_fhir, read_fhir
from .write import INTENDED_USE, to_fhir, to_fhir_bundle

__all__ = [
    "BAND_SYSTEM",
    "CODE_SYSTEM_BASE",
    "ECOG_LOINC",
    "ESCC_GRADE_SYSTEM",
    "FLAG_SYSTEM",
    "INTENDED_USE",
    "ITEM_SYSTEM",
    "KPS_LOINC",
    "LOINC",
    "QUESTIONNAIRE_URL",
    "RADIATION_SYSTEM",
    "SCORE_SYSTEM",
    "STABILIZATION_SYSTEM",
    "FhirReading",
    "Ignored",
    "Used",
    "case_from_fhir",
    "code_systems",
    "questionnaire",
    "read_fhir",
    "to_fhir",
    "to_fhir_bundle",
    "to_questionnaire_response",
]

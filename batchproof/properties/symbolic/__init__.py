"""Z3 models of the in-tree plugins: fragment completeness proofs and adversarial clusters."""

from batchproof.properties.symbolic.adversarial import (
    AdversarialCase,
    NoCase,
    all_cases,
    exact_fit,
    normalisation_inversion,
    rescore_tie,
)
from batchproof.properties.symbolic.completeness import check, prove
from batchproof.properties.symbolic.encoder import Domain, Encoder, OutOfModel
from batchproof.properties.symbolic.encodings import MODELS
from batchproof.properties.symbolic.model import Part, Property, SymbolicModel
from batchproof.properties.symbolic.reality import Observation, disagreements, fragment_parts, observe
from batchproof.properties.symbolic.results import Counterexample, ProofResult, ProveReport, render_json, render_text
from batchproof.properties.symbolic.solver import Limits, Outcome, solve

__all__ = [
    "MODELS",
    "AdversarialCase",
    "Counterexample",
    "Domain",
    "Encoder",
    "Limits",
    "NoCase",
    "Observation",
    "OutOfModel",
    "Outcome",
    "Part",
    "ProofResult",
    "Property",
    "ProveReport",
    "SymbolicModel",
    "all_cases",
    "check",
    "disagreements",
    "exact_fit",
    "fragment_parts",
    "normalisation_inversion",
    "observe",
    "prove",
    "render_json",
    "render_text",
    "rescore_tie",
    "solve",
]

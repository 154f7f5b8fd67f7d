"""Name, label and port syntax checks with upstream's messages.

k8s.io/apimachinery/pkg/api/validate/content (kube.go, dns.go) and
k8s.io/apimachinery/pkg/util/validation/validation.go.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from batchproof.model.validation.field import FieldError, invalid

DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*"
LABEL_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
LABEL_VALUE_FMT = "(" + LABEL_KEY_FMT + ")?"
_LABEL = re.compile(f"^{DNS1123_LABEL_FMT}$")
_SUBDOMAIN = re.compile(f"^{DNS1123_SUBDOMAIN_FMT}$")
_KEY = re.compile(f"^{LABEL_KEY_FMT}$")
_VALUE = re.compile(f"^{LABEL_VALUE_FMT}$")
_PORT_NAME_CHARS = re.compile("^[-a-z0-9]+$")
_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character"
)
_KEY_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
)
_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)


def regex_error(message: str, fmt: str, *examples: str) -> str:
    """``RegexError``: the message, examples and the regex used."""
    if not examples:
        return f"{message} (regex used for validation is '{fmt}')"
    shown = " or ".join(f"'{e}', " for e in examples)
    return f"{message} (e.g. {shown}regex used for validation is '{fmt}')"


def dns1123_label(value: str) -> list[str]:
    """``IsDNS1123Label``."""
    errs = []
    if len(value) > 63:
        errs.append("must be no more than 63 characters")
    if not _LABEL.match(value):
        if _SUBDOMAIN.match(value):
            errs.append("must not contain dots")
        else:
            errs.append(regex_error(_LABEL_MSG, DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errs


def dns1123_subdomain(value: str) -> list[str]:
    """``IsDNS1123Subdomain``."""
    errs = []
    if len(value) > 253:
        errs.append("must be no more than 253 characters")
    if not _SUBDOMAIN.match(value):
        errs.append(regex_error(_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


def qualified_name(value: str) -> list[str]:
    """``IsQualifiedName`` / ``IsLabelKey``: an optional DNS-subdomain prefix and a name."""
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) > 2:
        return [
            "a valid label key "
            + regex_error(_KEY_MSG, LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + m for m in dns1123_subdomain(prefix))
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part must be no more than 63 bytes")
    if not _KEY.match(name):
        errs.append("name part " + regex_error(_KEY_MSG, LABEL_KEY_FMT, "MyName", "my.name", "123-abc"))
    return errs


def label_value(value: str) -> list[str]:
    """``IsValidLabelValue``."""
    errs = []
    if len(value) > 63:
        errs.append("must be no more than 63 characters")
    if not _VALUE.match(value):
        errs.append(regex_error(_VALUE_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def port_number(port: int) -> list[str]:
    """``IsValidPortNum``: 1 to 65535."""
    return [] if 1 <= port <= 65535 else ["must be between 1 and 65535, inclusive"]


def port_name(name: str) -> list[str]:
    """``IsValidPortName`` (IANA_SVC_NAME)."""
    errs = []
    if len(name) > 15:
        errs.append("must be no more than 15 characters")
    if not _PORT_NAME_CHARS.match(name):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search("[a-z]", name):
        errs.append("must contain at least one letter (a-z)")
    if "--" in name:
        errs.append("must not contain consecutive hyphens")
    if name and (name[0] == "-" or name[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def label_name_errors(key: str, path: str) -> list[FieldError]:
    """``ValidateLabelName`` (meta/v1/validation)."""
    return [invalid(path, key, m) for m in qualified_name(key)]


def labels_errors(labels: Mapping[str, str], path: str) -> list[FieldError]:
    """``ValidateLabels``: every key a qualified name, every value a label value."""
    out: list[FieldError] = []
    for key, value in labels.items():
        out.extend(label_name_errors(key, path))
        out.extend(invalid(path, value, m) for m in label_value(value))
    return out


def annotations_errors(annotations: Mapping[str, str], path: str) -> list[FieldError]:
    """``ValidateAnnotations``: keys are qualified names (case-insensitive), total size at most 256 KiB."""
    out = [invalid(path, k, m) for k in annotations for m in qualified_name(k.lower())]
    if sum(len(k) + len(v) for k, v in annotations.items()) > 256 * 1024:
        out.append(FieldError(path, "Too long", detail="may not be more than 262144 bytes"))
    return out

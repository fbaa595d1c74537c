"""The OpenAPI description's error answers, the same for every operation: 400 (the refusal's messages by field),
401, 403, 404 and 429 (the rate limit), each with its body, and a body for the operations' own (409: a write since
the version read). Times of day as local times; a member's personal fields as present only for some readers."""

from api.serializers import PERSONAL_FIELDS

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "description": "Why the request was not served, in Vietnamese.",
}
REFUSAL = {
    "type": "object",
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "array", "items": {"type": "object"}},
            {"type": "object"},
        ]
    },
    "description": "The messages by field (`non_field_errors`: not tied to one); for a list, one object per row "
    "(empty for a row accepted), or, for a list refused before any service looked at it (its shape), an object "
    "keyed by the rows' indexes. Nothing was written.",
}

ANSWERS = {
    "400": "Refused: the messages, in Vietnamese, by field. Nothing was written.",
    "401": "Not signed in, or a wrong or revoked token.",
    "403": "The user only reads here.",
    "404": "Does not exist, or lies outside the user's organizations (the same answer).",
    "429": "Too many calls with this token: wait `Retry-After` seconds.",
}


# A time of day as the API writes and reads it: local time in Hà Nội, without an offset ("14:00:00"). OpenAPI's
# format "time" is RFC 3339's, with an offset: it would describe another value.
LOCAL_TIME = {"pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"}


def _local_times(node) -> None:
    if isinstance(node, dict):
        if node.get("format") == "time":
            del node["format"]
            node.update(LOCAL_TIME)
            node.setdefault("description", "Local time in Hà Nội (Asia/Ho_Chi_Minh), HH:MM[:SS].")
        for value in node.values():
            _local_times(value)
    elif isinstance(node, list):
        for value in node:
            _local_times(value)


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``); times of day as
    local times (``LOCAL_TIME``)."""
    _local_times(result)
    member = result.get("components", {}).get("schemas", {}).get("Member")
    if member:  # given only to those who write the member's cell (``personal``)
        member["required"] = [name for name in member.get("required", []) if name not in PERSONAL_FIELDS]
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"], schemas["Refusal"] = ERROR, REFUSAL
    for item in result.get("paths", {}).values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            for status, description in ANSWERS.items():
                responses.setdefault(status, {"description": description})
            for status, response in responses.items():
                if status.startswith("4") and "content" not in response:
                    name = "Refusal" if status == "400" else "Error"
                    response["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}
    return result

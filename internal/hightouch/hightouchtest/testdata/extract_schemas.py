#!/usr/bin/env python3
"""Extract the schemas the fake needs from Hightouch's OpenAPI document.

Usage: extract_schemas.py openapi.json > hightouch-schemas.json

Writes {"components": {"schemas": {...}}} so that the document's own
"#/components/schemas/X" references still resolve. Besides the component
schemas it adds List<Kind> envelopes taken from the list operations' 200
answers. OpenAPI 3.0 "nullable: true" becomes a JSON Schema type union.

Deliberate departures from the document, each observed in real answers
(see NOTES.md) and marked with "x-htgit-patch":
  - SyncRun.finishedAt is null while a run is in progress.
  - SyncRun.error is null when there is no error (the document's own
    example has "error": null).
"""
import copy
import json
import sys

ROOTS = [
    "Source", "SourceCreate", "SourceUpdate",
    "Destination", "DestinationCreate", "DestinationUpdate",
    "Model", "ModelCreate", "ModelUpdate",
    "Sync", "SyncCreate", "SyncUpdate",
    "SyncRun", "TriggerRunOutput", "TriggerRunInput", "TriggerRunCustomInput",
    "ValidateErrorJSON", "InternalServerError",
]
LISTS = {
    "ListSources": "/sources",
    "ListDestinations": "/destinations",
    "ListModels": "/models",
    "ListSyncs": "/syncs",
    "ListSyncRuns": "/syncs/{syncId}/runs",
}


def refs(node, out):
    if isinstance(node, dict):
        r = node.get("$ref")
        if isinstance(r, str) and r.startswith("#/components/schemas/"):
            out.add(r.rsplit("/", 1)[1])
        for v in node.values():
            refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)


def nullable(node):
    if isinstance(node, dict):
        if node.pop("nullable", False):
            t = node.get("type")
            if isinstance(t, str):
                node["type"] = [t, "null"]
            elif "enum" not in node:
                node = {"anyOf": [node, {"type": "null"}]}
        for k, v in list(node.items()):
            node[k] = nullable(v)
        return node
    if isinstance(node, list):
        return [nullable(v) for v in node]
    return node


def main():
    doc = json.load(open(sys.argv[1]))
    src = doc["components"]["schemas"]
    out = {}
    for name, path in LISTS.items():
        out[name] = copy.deepcopy(
            doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"])
    todo = set(ROOTS)
    refs(out, todo)
    while todo:
        name = todo.pop()
        if name in out:
            continue
        out[name] = copy.deepcopy(src[name])
        refs(out[name], todo)
    run = out["SyncRun"]["properties"]
    run["finishedAt"]["nullable"] = True
    run["finishedAt"]["x-htgit-patch"] = "null while the run is in progress"
    run["error"]["nullable"] = True
    run["error"]["x-htgit-patch"] = "null when there is no error"
    out = nullable(out)
    json.dump({"components": {"schemas": dict(sorted(out.items()))}}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


main()

"""Request bodies read item by item (so that one bad item does not refuse the others) are
declared loosely to FastAPI; their real shape is added to the OpenAPI components here."""

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel


def document(app: FastAPI, models: dict[str, type[BaseModel]]) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, model in models.items():
            shown = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for nested, definition in shown.pop("$defs", {}).items():
                components.setdefault(nested, definition)
            components[name] = shown
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

"""The Content API described in OpenAPI 3.0, served at /ghost/api/content/openapi.json (no key needed).

Built from the same lists the endpoints use (params.OPTIONS, params.INCLUDES, resources' fields), so the
description cannot drift from what is served; the tests run schemathesis against it.
"""

from django.http import JsonResponse

from masthead.api import params
from masthead.api.resources import GHOST_VERSION

NULLABLE_TEXT = {"type": "string", "nullable": True}
TIME = {"type": "string", "format": "date-time", "nullable": True}
ID = {"type": "string", "pattern": "^[0-9a-f]{24}$"}
URL = {"type": "string"}


def _nullable(names: str) -> dict:
    return dict.fromkeys(names.split(), NULLABLE_TEXT)


TAG = {
    "type": "object",
    "properties": {
        "id": ID,
        "name": {"type": "string"},
        "slug": {"type": "string"},
        "description": NULLABLE_TEXT,
        "feature_image": NULLABLE_TEXT,
        "visibility": {"type": "string", "enum": ["public"]},
        **_nullable(
            "og_image og_title og_description twitter_image twitter_title twitter_description "
            "meta_title meta_description codeinjection_head codeinjection_foot canonical_url "
            "accent_color"
        ),
        "count": {"type": "object", "properties": {"posts": {"type": "integer", "minimum": 0}}},
        "url": URL,
    },
}
AUTHOR = {
    "type": "object",
    "properties": {
        "id": ID,
        "name": {"type": "string"},
        "slug": {"type": "string"},
        **_nullable(
            "profile_image cover_image bio website location facebook twitter threads bluesky mastodon "
            "tiktok youtube instagram linkedin meta_title meta_description"
        ),
        "count": {"type": "object", "properties": {"posts": {"type": "integer", "minimum": 0}}},
        "url": URL,
    },
}
POST = {
    "type": "object",
    "properties": {
        "id": ID,
        "uuid": {"type": "string", "format": "uuid"},
        "title": {"type": "string"},
        "slug": {"type": "string"},
        "html": NULLABLE_TEXT,
        "plaintext": NULLABLE_TEXT,
        "comment_id": {"type": "string"},
        "feature_image": NULLABLE_TEXT,
        "featured": {"type": "boolean"},
        "visibility": {"type": "string", "enum": ["public"]},
        "created_at": TIME,
        "updated_at": TIME,
        "published_at": TIME,
        "custom_excerpt": NULLABLE_TEXT,
        "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
        "authors": {"type": "array", "items": {"$ref": "#/components/schemas/Author"}},
        "primary_tag": {"allOf": [{"$ref": "#/components/schemas/Tag"}], "nullable": True},
        "primary_author": {"allOf": [{"$ref": "#/components/schemas/Author"}], "nullable": True},
        "url": URL,
        "excerpt": NULLABLE_TEXT,
        "reading_time": {"type": "integer", "minimum": 0},
        "access": {"type": "boolean"},
        "comments": {"type": "boolean"},
        "show_title_and_feature_image": {"type": "boolean"},
        **_nullable(
            "codeinjection_head codeinjection_foot custom_template canonical_url og_image og_title "
            "og_description twitter_image twitter_title twitter_description meta_title meta_description "
            "email_subject frontmatter feature_image_alt feature_image_caption"
        ),
    },
}
PAGINATION = {
    "type": "object",
    "required": ["page", "limit", "pages", "total", "next", "prev"],
    "properties": {
        "page": {"type": "integer"},
        "limit": {"oneOf": [{"type": "integer"}, {"type": "string", "enum": ["all"]}]},
        "pages": {"type": "integer", "minimum": 1},
        "total": {"type": "integer", "minimum": 0},
        "next": {"type": "integer", "nullable": True},
        "prev": {"type": "integer", "nullable": True},
    },
}
ERROR = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1,
            "items": {
                "type": "object",
                "required": ["message", "context", "type", "details", "property", "help", "code", "id"],
                "properties": {
                    "message": {"type": "string"},
                    "context": NULLABLE_TEXT,
                    "type": {"type": "string"},
                    "details": {"nullable": True},
                    "property": NULLABLE_TEXT,
                    "help": NULLABLE_TEXT,
                    "code": NULLABLE_TEXT,
                    "id": {"type": "string"},
                    "ghostErrorCode": NULLABLE_TEXT,
                },
            },
        }
    },
}
SCHEMAS = {"Post": POST, "Tag": TAG, "Author": AUTHOR, "Pagination": PAGINATION, "Error": ERROR}
SINGULAR = {"posts": "Post", "pages": "Post", "tags": "Tag", "authors": "Author"}
OPTION_DOCS = {
    "include": "Related data, comma-separated: {values}. Unknown values are ignored.",
    "filter": "Ghost's NQL, e.g. tag:news+published_at:>'2025-01-01'. A filter that does not parse is a 400.",
    "fields": "Only these fields, comma-separated. Unknown names are ignored.",
    "formats": "Body formats, comma-separated: html (the default), plaintext.",
    "limit": "Rows a page, 1 to 100 (more is cut to 100), or 'all' (every row, unless the newsroom turned it off).",
    "page": "Which page, from 1.",
    "order": "Sort, e.g. 'published_at desc' or 'title asc,slug asc'.",
}
OPTION_SCHEMAS = {
    "limit": {"type": "string", "pattern": "^(?:[0-9]+|all)$"},
    "page": {"type": "string", "pattern": "^[0-9]+$"},
    "order": {"type": "string", "pattern": "^[a-zA-Z0-9_,. ]+$"},
    "formats": {"type": "string"},
}
ERRORS = {
    "400": "The filter does not parse or names an unknown field.",
    "401": "The key is not one the newsroom made.",
    "403": "No key was given.",
    "404": "No such row.",
    "422": "An option breaks its rule.",
    "429": "Too many wrong keys from this client; see Retry-After.",
}


def _errors(*codes: str) -> dict:
    return {
        code: {
            "description": ERRORS[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for code in codes
    }


def _option(name: str, resource: str) -> dict:
    text = OPTION_DOCS[name].format(values=", ".join(sorted(params.INCLUDES[resource])))
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": text,
        "schema": OPTION_SCHEMAS.get(name, {"type": "string"}),
    }


def _list_of(resource: str, *, browse: bool) -> dict:
    schema = {
        "type": "object",
        "required": [resource],
        "properties": {resource: {"type": "array", "items": {"$ref": f"#/components/schemas/{SINGULAR[resource]}"}}},
    }
    if browse:
        schema["required"].append("meta")
        schema["properties"]["meta"] = {
            "type": "object",
            "properties": {"pagination": {"$ref": "#/components/schemas/Pagination"}},
        }
    return {"description": "OK", "content": {"application/json": {"schema": schema}}}


def document(base_url: str = "") -> dict:
    paths = {}
    for resource in ("posts", "pages", "tags", "authors"):
        browse_options = sorted(params.OPTIONS[(resource, "browse")])
        read_options = sorted(params.OPTIONS[(resource, "read")])
        paths[f"/{resource}/"] = {
            "get": {
                "operationId": f"browse_{resource}",
                "summary": f"Browse {resource}",
                "parameters": [_option(name, resource) for name in browse_options],
                "responses": {"200": _list_of(resource, browse=True), **_errors("400", "401", "403", "422", "429")},
            }
        }
        for by, address in (("id", f"/{resource}/{{id}}/"), ("slug", f"/{resource}/slug/{{slug}}/")):
            paths[address] = {
                "get": {
                    "operationId": f"read_{resource}_by_{by}",
                    "summary": f"Read one of the {resource} by {by}",
                    "parameters": [
                        {"name": by, "in": "path", "required": True, "schema": {"type": "string"}},
                        *(_option(name, resource) for name in read_options),
                    ],
                    "responses": {
                        "200": _list_of(resource, browse=False),
                        **_errors("401", "403", "404", "422", "429"),
                    },
                }
            }
    paths["/settings/"] = {
        "get": {
            "operationId": "browse_settings",
            "summary": "The newsroom's public settings",
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["settings", "meta"],
                                "properties": {"settings": {"type": "object"}, "meta": {"type": "object"}},
                            }
                        }
                    },
                },
                **_errors("401", "403", "429"),
            },
        }
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Masthead Content API",
            "version": GHOST_VERSION,
            "description": (
                "A read-only API of the newsroom's published stories, pages, tags and authors, following Ghost's "
                f"Content API (v{GHOST_VERSION}) so that programs written for Ghost work unchanged. Every request "
                "needs a key (?key=, 26 hex characters) made by an editor in Settings → Content API keys."
            ),
        },
        "servers": [{"url": f"{base_url}/ghost/api/content"}],
        "security": [{"ContentApiKey": []}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"ContentApiKey": {"type": "apiKey", "in": "query", "name": "key"}},
        },
    }


def description(request):
    from masthead.discovery.sharing import site_root

    response = JsonResponse(document(site_root(request)), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    return response

"""The documented import example must satisfy the documented JSON Schema."""
import json
import pathlib
import sys

import jsonschema

docs = pathlib.Path(__file__).resolve().parent.parent / "docs"
schema = json.loads((docs / "import-format.schema.json").read_text())
example = json.loads((docs / "import-example.json").read_text())
jsonschema.Draft202012Validator.check_schema(schema)
errors = list(jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).iter_errors(example))
for e in errors:
    print(f"import-example.json {list(e.absolute_path)}: {e.message}", file=sys.stderr)
print(f"import schema check: {0 if errors else 1} passed, {len(errors)} failed")
sys.exit(1 if errors else 0)

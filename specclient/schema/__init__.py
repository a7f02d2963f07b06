"""JSON Schema, one of each: ``validation`` (the validator, with JSON paths), ``compiled`` (the
generated fast check), ``examples`` (values generated from a schema)."""

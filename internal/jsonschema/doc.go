// Package jsonschema validates JSON values against the JSON Schema subset that
// application metadata schemas use: type, required, properties,
// additionalProperties, patternProperties, enum, const, numeric and length bounds,
// pattern, items/prefixItems, min/maxItems, uniqueItems, contains, min/maxProperties,
// dependentRequired, propertyNames, the date-time and uri formats, local $ref,
// allOf/anyOf/oneOf/not, if/then/else and boolean schemas (draft 2020-12 semantics,
// with draft 4-7 tuple items and boolean exclusive bounds understood too).
//
// Unknown keywords and patterns that RE2 cannot compile are ignored with a debug
// line. Validate reports every error with the JSON pointer of the failing value.
package jsonschema

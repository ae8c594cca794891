/*
 * osv-schema.json is the OSV JSON schema of ossf/osv-schema (validation/schema.json,
 * https://github.com/ossf/osv-schema), Copyright the OpenSSF OSV schema authors, licensed under
 * the Apache License 2.0. It is copied unchanged; refresh it from upstream rather than editing it.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import schema from './osv-schema.json';

let validator: ValidateFunction | undefined;

/** Compiled on first use and kept: compiling the schema costs far more than validating a record. */
function compiled(): ValidateFunction {
  if (!validator) {
    // The upstream schema leaves `type` implied beside `pattern`, `items` and `contains`, which
    // strictTypes reports (on the console); the rest of strict mode stays on.
    const ajv = new Ajv2020({ allErrors: false, allowUnionTypes: true, strictTypes: false });
    addFormats(ajv, ['date-time', 'uri']);
    validator = ajv.compile(schema);
  }
  return validator;
}

/** Undefined when `record` is a valid OSV record, else the first violation (`/modified must match pattern …`). */
export function osvSchemaViolation(record: unknown): string | undefined {
  const validate = compiled();
  if (validate(record)) return undefined;
  return describe(validate.errors ?? []);
}

function describe(errors: ErrorObject[]): string {
  const first = errors[0];
  if (!first) return 'does not match the OSV schema';
  return `${first.instancePath || '/'} ${first.message ?? 'is invalid'}`;
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv';
import { ROOT } from './helpers.js';

// ajv is CommonJS: under NodeNext its class is the default export's `default`
const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
const ajv = new (Ajv as unknown as new (o: object) => import('ajv').default)({ allErrors: true, strict: false });
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);

// every schema is known by its $id first: command schemas refer to error.schema.json's `error`
for (const f of readdirSync(join(ROOT, 'schemas'))) ajv.addSchema(JSON.parse(readFileSync(join(ROOT, 'schemas', f), 'utf8')) as object);

/** Validate a real output against schemas/NAME.schema.json; returns the errors (empty when valid). */
export function schemaErrors(name: string, data: unknown): string[] {
  const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', `${name}.schema.json`), 'utf8')) as object;
  const validate = ajv.getSchema((schema as { $id: string }).$id) ?? ajv.compile(schema);
  return validate(data)
    ? []
    : (validate.errors ?? []).map((e: { instancePath: string; message?: string }) => `${e.instancePath} ${e.message}`);
}

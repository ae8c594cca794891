import { ScanError, ScanErrorCode } from '@vulnscan/contracts';

/** `GET /v2/<name>/tags/list`: `{ "name": "<name>", "tags": [...] }`; a repository without tags may send `null`. */
export function parseTagList(body: Buffer, where: string): string[] {
  const document = parseObject(body, where);
  if (typeof document['name'] !== 'string') throw invalid(where, '"name" must be a string');
  return stringList(document['tags'], 'tags', where);
}

/** `GET /v2/_catalog`: `{ "repositories": [...] }`. */
export function parseCatalog(body: Buffer, where: string): string[] {
  return stringList(parseObject(body, where)['repositories'], 'repositories', where);
}

function parseObject(body: Buffer, where: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw invalid(where, `not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid(where, 'not a JSON object');
  return parsed as Record<string, unknown>;
}

/** Go registries encode an empty slice as `null`; an absent list is read the same way. */
function stringList(value: unknown, field: string, where: string): string[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw invalid(where, `"${field}" must be an array`);
  const index = value.findIndex((entry) => typeof entry !== 'string' || entry.length === 0);
  if (index >= 0) throw invalid(where, `"${field}"[${index}] must be a non-empty string`);
  return value as string[];
}

function invalid(where: string, reason: string): ScanError {
  return new ScanError(ScanErrorCode.Internal, `${where}: the registry answered an invalid document: ${reason}`);
}

import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { parseCatalog, parseTagList } from './listing-body';

const WHERE = 'tag list of repository library/alpine on registry 127.0.0.1:5000';
const json = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

function invalid(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ScanError)) throw error;
    expect(error.code).toBe(ScanErrorCode.Internal);
    return error.message.replace(`${WHERE}: the registry answered an invalid document: `, '');
  }
  throw new Error('expected a ScanError');
}

describe('parseTagList', () => {
  it('reads the tags as sent', () => {
    expect(parseTagList(json({ name: 'library/alpine', tags: ['b', '3.10', 'a'] }), WHERE)).toEqual(['b', '3.10', 'a']);
  });

  it('reads null or absent tags (a repository whose tags were all deleted) as none', () => {
    expect(parseTagList(json({ name: 'library/alpine', tags: null }), WHERE)).toEqual([]);
    expect(parseTagList(json({ name: 'library/alpine' }), WHERE)).toEqual([]);
  });

  it.each([
    ['not JSON', '<html>502 Bad Gateway</html>', /^not JSON \(Unexpected token/],
    ['an array', ['3.10'], /^not a JSON object$/],
    ['null', 'null', /^not a JSON object$/],
    ['a missing name', { tags: ['3.10'] }, /^"name" must be a string$/],
    ['tags that are not an array', { name: 'a', tags: '3.10' }, /^"tags" must be an array$/],
    ['a tag that is not a string', { name: 'a', tags: ['3.10', 7] }, /^"tags"\[1\] must be a non-empty string$/],
    ['an empty tag', { name: 'a', tags: [''] }, /^"tags"\[0\] must be a non-empty string$/],
  ])('rejects %s', (_name, body, reason) => {
    expect(invalid(() => parseTagList(json(body), WHERE))).toMatch(reason);
  });
});

describe('parseCatalog', () => {
  it('reads the repositories, and null as none', () => {
    expect(parseCatalog(json({ repositories: ['library/alpine', 'team/api'] }), WHERE)).toEqual(['library/alpine', 'team/api']);
    expect(parseCatalog(json({ repositories: null }), WHERE)).toEqual([]);
  });

  it('rejects repositories that are not a list of names', () => {
    expect(invalid(() => parseCatalog(json({ repositories: { a: 1 } }), WHERE))).toBe('"repositories" must be an array');
    expect(invalid(() => parseCatalog(json({ repositories: [null] }), WHERE))).toBe('"repositories"[0] must be a non-empty string');
  });
});

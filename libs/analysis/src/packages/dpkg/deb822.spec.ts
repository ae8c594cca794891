import { parseStanzas } from './deb822';

describe('parseStanzas', () => {
  it('joins continuation lines, lower-cases field names and splits on blank lines', () => {
    const { stanzas, warnings } = parseStanzas(
      'Package: a\r\nDescription: first\r\n second\r\n .\r\n\tthird\r\n\r\n \t\r\nPACKAGE: b\nVersion:1\n',
    );
    expect(warnings).toEqual([]);
    expect(stanzas.map((s) => ({ line: s.line, fields: Object.fromEntries(s.fields) }))).toEqual([
      { line: 1, fields: { package: 'a', description: 'first\nsecond\n.\nthird' } },
      { line: 8, fields: { package: 'b', version: '1' } },
    ]);
  });

  it('reports lines that are neither fields nor continuations', () => {
    const { stanzas, warnings } = parseStanzas(' orphan\nPackage: a\nnot a field\n');
    expect(warnings).toEqual(['line 1: continuation line without a field', 'line 3: not a field']);
    expect(Object.fromEntries(stanzas[0].fields)).toEqual({ package: 'a' });
  });
});

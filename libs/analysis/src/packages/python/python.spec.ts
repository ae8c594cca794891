import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parsePythonMetadata } from './metadata';
import { normalizePythonName } from './pep503';
import { PythonAnalyzer } from './python-analyzer';

const fixture = (name: string): string => readFileSync(join(__dirname, 'testdata', name), 'utf8');

describe('parsePythonMetadata on real metadata files', () => {
  it.each([
    ['urllib3-2.7.0.METADATA', 'urllib3', '2.7.0', ['MIT']],
    ['charset_normalizer-3.4.7.METADATA', 'charset-normalizer', '3.4.7', ['MIT']],
    ['cryptography-38.0.4.METADATA', 'cryptography', '38.0.4', ['BSD-3-Clause OR Apache-2.0']],
    ['setuptools-41.2.0.METADATA', 'setuptools', '41.2.0', ['MIT License']],
    ['traitlets-5.15.0.METADATA', 'traitlets', '5.15.0', ['BSD License']],
    ['PyJWT-2.6.0.PKG-INFO', 'PyJWT', '2.6.0', ['MIT']],
    ['wsgiref.egg-info', 'wsgiref', '0.1.2', ['PSF or ZPL']],
  ])('%s → %s %s %j', (file, name, version, licenses) => {
    expect(parsePythonMetadata(fixture(file), `site-packages/${file}`)).toEqual({
      packages: [{ type: 'pypi', name, version, licenses, path: `site-packages/${file}` }],
      warnings: [],
    });
  });

  it('several license classifiers, deduplicated; `OSI Approved` alone names none', () => {
    const text = [
      'Name: dual',
      'Version: 1.0',
      'Classifier: License :: OSI Approved',
      'Classifier: License :: OSI Approved :: Apache Software License',
      'Classifier: License :: OSI Approved :: BSD License',
      'Classifier: License :: OSI Approved :: BSD License',
      'Classifier: Programming Language :: Python',
      '',
      'License: in the body, not a header',
    ].join('\r\n');
    expect(parsePythonMetadata(text, 'm').packages[0].licenses).toEqual(['Apache Software License', 'BSD License']);
  });

  it('malformed: no version, or a line that is not a header', () => {
    expect(parsePythonMetadata('Metadata-Version: 2.1\nName: x\n', 'x.dist-info/METADATA')).toEqual({
      packages: [],
      warnings: ['x.dist-info/METADATA: no Version header'],
    });
    expect(parsePythonMetadata('Name: y\nVersion: 2\nnot a header\nLicense: MIT\n', 'm')).toEqual({
      packages: [{ type: 'pypi', name: 'y', version: '2', path: 'm' }],
      warnings: ['m: headers end at a line that is not a header: "not a header"'],
    });
  });
});

describe('normalizePythonName (PEP 503)', () => {
  it.each([
    ['PyJWT', 'pyjwt'],
    ['charset_normalizer', 'charset-normalizer'],
    ['Zope.Interface', 'zope-interface'],
    ['a__b-.-c', 'a-b-c'],
  ])('%s → %s', (name, normalized) => expect(normalizePythonName(name)).toBe(normalized));
});

describe('PythonAnalyzer', () => {
  const analyzer = new PythonAnalyzer({ maxHeaderBytes: 4096 });
  const file = (path: string, text: string) => ({
    path,
    size: Buffer.byteLength(text),
    mode: 0o644,
    // Several chunks, as a tar entry arrives.
    content: Readable.from(
      Buffer.from(text)
        .toString('binary')
        .match(/[\s\S]{1,1000}/g)!
        .map((s) => Buffer.from(s, 'binary')),
    ),
  });

  it.each([
    ['usr/lib/python3.11/site-packages/urllib3-2.7.0.dist-info/METADATA', true],
    ['usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info/PKG-INFO', true],
    ['usr/lib/python2.7/wsgiref.egg-info', true],
    ['opt/lib/foo-1.0-py3.7.egg/EGG-INFO/PKG-INFO', true],
    ['usr/lib/python3/dist-packages/x.dist-info/RECORD', false],
    ['src/PKG-INFO', false],
  ])('accepts %s: %s', (path, expected) => expect(analyzer.accepts(path)).toBe(expected));

  it('reads the headers of a file longer than the limit (the README body is not needed)', async () => {
    const result = await analyzer.analyze(
      file('a/charset_normalizer-3.4.7.dist-info/METADATA', fixture('charset_normalizer-3.4.7.METADATA')),
    );
    expect(result).toEqual({
      packages: [
        {
          type: 'pypi',
          name: 'charset-normalizer',
          version: '3.4.7',
          licenses: ['MIT'],
          path: 'a/charset_normalizer-3.4.7.dist-info/METADATA',
        },
      ],
    });
  });

  it('headers alone over the limit: a warning and the complete lines read', async () => {
    const text = `Name: big\nVersion: 1.0\n${'Classifier: Topic :: Utilities\n'.repeat(200)}\n`;
    const result = await analyzer.analyze(file('big.dist-info/METADATA', text));
    expect(result.packages).toEqual([{ type: 'pypi', name: 'big', version: '1.0', path: 'big.dist-info/METADATA' }]);
    expect(result.warnings).toEqual(['big.dist-info/METADATA: headers longer than 4096 bytes; the rest is not read']);
  });
});

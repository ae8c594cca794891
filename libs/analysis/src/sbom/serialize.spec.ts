import { InvalidSbomError, parseSbom, serializeSbom, validateSbom } from './serialize';
import { alpineSbom } from './test-support/alpine-sbom';

function problemsOf(mutate: (plain: Record<string, unknown>) => void): readonly string[] {
  const plain = JSON.parse(serializeSbom(alpineSbom())) as Record<string, unknown>;
  mutate(plain);
  try {
    validateSbom(plain);
  } catch (error) {
    if (error instanceof InvalidSbomError) return error.problems;
    throw error;
  }
  throw new Error('expected InvalidSbomError');
}

describe('serializeSbom / parseSbom', () => {
  it('round-trips exactly, from text and from bytes', () => {
    const sbom = alpineSbom();
    expect(parseSbom(serializeSbom(sbom))).toEqual(sbom);
    expect(parseSbom(Buffer.from(serializeSbom(sbom)))).toEqual(sbom);
    expect(parseSbom(serializeSbom(alpineSbom({ packages: [], os: null })))).toEqual(alpineSbom({ packages: [], os: null }));
  });

  it('refuses text that is not JSON, or not an object', () => {
    expect(() => parseSbom('{"schemaVersion":1')).toThrow(InvalidSbomError);
    expect(() => parseSbom('[]')).toThrow('stored SBOM is invalid: expected an object');
  });

  it('refuses another schema version', () => {
    expect(problemsOf((plain) => (plain['schemaVersion'] = 2))).toEqual(['schemaVersion: schemaVersion must be equal to 1']);
  });

  it('names each problem by its path', () => {
    const problems = problemsOf((plain) => {
      const packages = plain['packages'] as Record<string, unknown>[];
      packages[0]!['type'] = 'cargo';
      delete packages[1]!['purl'];
      (plain['image'] as Record<string, unknown>)['manifestDigest'] = 'latest';
      plain['createdAt'] = 'yesterday';
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^packages\.0\.type: type must be one of the following values: deb, apk/),
        expect.stringMatching(/^packages\.1\.purl: /),
        expect.stringMatching(/^image\.manifestDigest: /),
        expect.stringMatching(/^createdAt: /),
      ]),
    );
  });

  it('refuses duplicate package ids, which exports rely on being unique', () => {
    const problems = problemsOf((plain) => {
      const packages = plain['packages'] as Record<string, unknown>[];
      packages[1]!['id'] = packages[0]!['id'];
    });
    expect(problems).toEqual([`packages: id ${JSON.stringify(alpineSbom().packages[0]!.id)} is not unique`]);
  });

  it('refuses a reference the exports could not name the image from', () => {
    const problems = problemsOf((plain) => ((plain['image'] as Record<string, unknown>)['reference'] = 'Alpine:3.10'));
    expect(problems).toEqual(['image.reference: repository name must be lowercase']);
  });

  it('keeps fields it does not know (a newer writer of the same schema version)', () => {
    const plain = { ...JSON.parse(serializeSbom(alpineSbom())), extra: true };
    expect(validateSbom(plain)).toMatchObject({ extra: true });
  });
});

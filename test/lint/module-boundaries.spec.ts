import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The module-boundary rule (eslint.config.mjs) keeps each service's data slice closed: an app may
 * import its own service's owner-only data lib (`data-of:<service>`, its TypeORM entities), every
 * service's read-only readers (`type:data`), and never another app. ESLint's Node API runs in a
 * child process because it loads the flat config with a dynamic import, which Jest's CommonJS
 * runtime cannot do.
 */
const root = join(__dirname, '..', '..');
const LINT_TEXT = `
const { ESLint } = require('eslint');
const [filePath, code] = JSON.parse(process.argv[1]);
new ESLint({ cwd: process.cwd() })
  .lintText(code, { filePath })
  .then(([result]) => process.stdout.write(JSON.stringify(result.messages)));
`;

interface LintMessage {
  ruleId: string | null;
  message: string;
}

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', LINT_TEXT, JSON.stringify([join(root, file), code])], {
    cwd: root,
  });
  return (JSON.parse(stdout) as LintMessage[])
    .filter((message) => message.ruleId === '@nx/enforce-module-boundaries')
    .map((message) => message.message);
}

const importing = (names: string, from: string) => `import { ${names} } from '${from}';\nexport const probe = [${names}];\n`;

describe('closed data slices (@nx/enforce-module-boundaries)', () => {
  it('forbids an app to import another service owner-only data lib', async () => {
    const [gateway] = await boundaryErrors('apps/gateway/src/probe.ts', importing('ScanEntity', '@vulnscan/scheduler-entities'));
    expect(gateway).toMatch(/^A project tagged with "scope:gateway" can not depend on libs tagged with "data-of:scan-scheduler", /);
    expect(gateway).toMatch(/Violation detected in:\n- scheduler-entities$/);
    expect(await boundaryErrors('apps/security-status/src/probe.ts', importing('ScanEntity', '@vulnscan/scheduler-entities'))).toEqual([
      expect.stringContaining('"scope:security-status" can not depend on libs tagged with'),
    ]);
    expect(await boundaryErrors('apps/scan-scheduler/src/probe.ts', importing('SbomEntity', '@vulnscan/worker-entities'))).toEqual([
      expect.stringContaining('Violation detected in:\n- worker-entities'),
    ]);
  });

  it("forbids an app to import another app's files", async () => {
    const errors = await boundaryErrors(
      'apps/security-status/src/probe.ts',
      importing('ScanEntity', '../../scan-scheduler/src/attempts/scan-lifecycle.service'),
    );
    expect(errors).toEqual([expect.stringMatching(/^Imports of apps are forbidden|relative or absolute path/)]);
  });

  it('forbids a read-only reader lib to import entities', async () => {
    expect(await boundaryErrors('libs/gateway-data/src/probe.ts', importing('SbomEntity', '@vulnscan/worker-entities'))).toEqual([
      expect.stringContaining('A project tagged with "type:data" can only depend on libs tagged with "type:shared", "type:infra"'),
    ]);
  });

  it("allows an app its own service's entities and other services' readers", async () => {
    expect(await boundaryErrors('apps/scan-scheduler/src/probe.ts', importing('ScanEntity', '@vulnscan/scheduler-entities'))).toEqual([]);
    expect(await boundaryErrors('apps/gateway/src/probe.ts', importing('ScanReader', '@vulnscan/scan-data'))).toEqual([]);
    expect(await boundaryErrors('apps/security-status/src/probe.ts', importing('CacheReader', '@vulnscan/cache-data'))).toEqual([]);
  });
});

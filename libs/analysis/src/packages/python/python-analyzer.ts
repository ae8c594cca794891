import type { AnalyzedFile, AnalyzerResult, FileAnalyzer } from '../../model';
import { drain, errorMessage, readBounded } from '../../io';
import { parsePythonMetadata } from './metadata';

export interface PythonAnalyzerLimits {
  /**
   * Bytes read from the start of a metadata file. The headers come first and are small; the
   * body is the project's README, which can be long and is not needed.
   */
  maxHeaderBytes: number;
}

export const DEFAULT_PYTHON_LIMITS: PythonAnalyzerLimits = { maxHeaderBytes: 1 << 20 };

/**
 * Installed distributions: wheels install `<name>-<ver>.dist-info/METADATA`; setuptools installs
 * `<name>.egg-info/PKG-INFO`, a single `<name>.egg-info` file (distutils, Debian's python
 * packages), or an unzipped egg `<name>.egg/EGG-INFO/PKG-INFO`.
 */
const METADATA_FILE = /(?:^|\/)(?:[^/]+\.dist-info\/METADATA|[^/]+\.egg-info\/PKG-INFO|[^/]+\.egg-info|[^/]+\.egg\/EGG-INFO\/PKG-INFO)$/;

export class PythonAnalyzer implements FileAnalyzer {
  readonly name = 'python';
  readonly version = 1;

  constructor(private readonly limits: PythonAnalyzerLimits = DEFAULT_PYTHON_LIMITS) {}

  accepts(path: string): boolean {
    return METADATA_FILE.test(path);
  }

  async analyze(file: AnalyzedFile): Promise<AnalyzerResult> {
    try {
      const { data, truncated } = await readBounded(file.content, this.limits.maxHeaderBytes);
      let text = data.toString('utf8');
      const warnings: string[] = [];
      if (truncated && !/\r?\n\r?\n/.test(text)) {
        // The last line may be cut in the middle of a value: drop it rather than report half a version.
        text = text.slice(0, text.lastIndexOf('\n') + 1);
        warnings.push(`${file.path}: headers longer than ${this.limits.maxHeaderBytes} bytes; the rest is not read`);
      }
      const parsed = parsePythonMetadata(text, file.path);
      warnings.push(...parsed.warnings);
      return { ...(parsed.packages.length ? { packages: parsed.packages } : {}), ...(warnings.length ? { warnings } : {}) };
    } catch (err) {
      await drain(file.content).catch(() => undefined);
      return { warnings: [`${file.path}: ${errorMessage(err)}`] };
    }
  }
}
